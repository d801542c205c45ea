"""`readcast serve`: feed/ over HTTP on this machine, for listening and for testing real clients.

Only files under feed/ are reachable. Range requests (206), HEAD, Content-Length, ETag and
Last-Modified with 304 are supported, because podcast apps and browsers use all of them to
stream and resume audio. feed.xml and index.html are rendered for the server's own address, so
an app on this machine can subscribe and download straight away, whatever base_url says.
"""

from __future__ import annotations

import email.utils
import hashlib
import logging
import mimetypes
import os
import posixpath
import re
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable
from urllib.parse import unquote, urlsplit

from .config import Show
from .errors import ReadcastError

log = logging.getLogger(__name__)

TYPES = {
    ".xml": "application/xml; charset=utf-8", ".xsl": "text/xsl; charset=utf-8", ".mp3": "audio/mpeg",
    ".vtt": "text/vtt; charset=utf-8", ".srt": "application/x-subrip; charset=utf-8",
    ".json": "application/json; charset=utf-8", ".txt": "text/plain; charset=utf-8",
    ".html": "text/html; charset=utf-8", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png",
    ".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8",
}
CHUNK = 1 << 16


class Site:
    """What the server serves: files under feed/, plus feed.xml and index.html for its own URL."""

    def __init__(self, show: Show, base_url: str):
        self.show = show
        self.base_url = base_url
        self.root = show.feed_dir.resolve()
        self._lock = threading.Lock()
        self._stamp: float | None = None
        self._pages: dict[str, bytes] = {}

    def pages(self) -> dict[str, bytes]:
        """feed.xml and index.html with this server's URLs, re-rendered when a build publishes."""
        from .feed import load_published, state_path

        try:
            stamp = state_path(self.show).stat().st_mtime
        except OSError:
            stamp = None
        with self._lock:
            if stamp != self._stamp or not self._pages:
                import dataclasses

                from .feed.pages import index_html
                from .feed.rss import build_feed

                records = list(load_published(self.show).values())
                cover = next((p.name for p in sorted(self.root.glob("cover.*"))), "cover.jpg")
                local = dataclasses.replace(self.show, base_url=self.base_url)
                self._pages = {"feed.xml": build_feed(local, records, base_url=self.base_url, cover_file=cover)}
                self._pages |= {name: text.encode("utf-8") for name, text in index_html(local, records, cover).items()}
                self._stamp = stamp
            return self._pages

    def resolve(self, url_path: str) -> Path | None:
        """The file a request path names, or None when it is outside feed/ or hidden."""
        path = posixpath.normpath(unquote(urlsplit(url_path).path))
        parts = [p for p in path.split("/") if p]
        if any(p.startswith(".") or p in ("..",) for p in parts) or "\\" in path or "\x00" in path:
            return None
        target = (self.root.joinpath(*parts)).resolve() if parts else self.root / "index.html"
        if target != self.root and self.root not in target.parents:
            return None
        if target.is_dir():
            target = target / "index.html"
        return target if target.is_file() else None


def _make_handler(site: Site) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "readcast"
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt: str, *args) -> None:  # the library logs; it never prints
            log.info("%s %s", self.address_string(), fmt % args)

        def do_HEAD(self) -> None:  # noqa: N802 - http.server's naming
            self._serve(body=False)

        def do_GET(self) -> None:  # noqa: N802
            self._serve(body=True)

        def _error(self, status: HTTPStatus) -> None:
            data = f"{status.value} {status.phrase}\n".encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        def _serve(self, body: bool) -> None:
            name = posixpath.normpath(unquote(urlsplit(self.path).path)).lstrip("/") or "index.html"
            pages = site.pages()
            if name in pages:
                data = pages[name]
                etag = '"' + hashlib.sha256(data).hexdigest()[:20] + '"'
                mtime = site._stamp or 0.0
                size = len(data)
                opener: Callable = lambda: None  # noqa: E731
                ctype = TYPES[os.path.splitext(name)[1]]
            else:
                target = site.resolve(self.path)
                if target is None:
                    return self._error(HTTPStatus.NOT_FOUND)
                st = target.stat()
                size, mtime = st.st_size, st.st_mtime
                etag = f'"{st.st_ino:x}-{st.st_size:x}-{int(st.st_mtime_ns):x}"'
                data = None
                opener = lambda: open(target, "rb")  # noqa: E731
                ctype = TYPES.get(target.suffix.lower()) or mimetypes.guess_type(target.name)[0] or "application/octet-stream"
            last_modified = email.utils.formatdate(mtime, usegmt=True)

            # conditional requests: 304 when the client's copy is current
            inm = self.headers.get("If-None-Match")
            ims = self.headers.get("If-Modified-Since")
            if (inm and _etag_matches(inm, etag)) or (not inm and ims and _not_modified_since(ims, mtime)):
                self.send_response(HTTPStatus.NOT_MODIFIED)
                self.send_header("ETag", etag)
                self.send_header("Last-Modified", last_modified)
                self.end_headers()
                return

            start, end = 0, size - 1
            status = HTTPStatus.OK
            rng = self.headers.get("Range")
            if rng and size and (not self.headers.get("If-Range") or self.headers.get("If-Range") == etag):
                parsed = _parse_range(rng, size)
                if parsed == IGNORE:
                    parsed = (0, size - 1)
                    rng = None
                elif parsed is None:
                    self.send_response(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
                    self.send_header("Content-Range", f"bytes */{size}")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                start, end = parsed
                status = HTTPStatus.PARTIAL_CONTENT if rng else HTTPStatus.OK
            length = max(0, end - start + 1)
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(length))
            self.send_header("Accept-Ranges", "bytes")
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", last_modified)
            self.send_header("Cache-Control", "no-cache")
            if status == HTTPStatus.PARTIAL_CONTENT:
                self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
            self.end_headers()
            if not body or length == 0:
                return
            try:
                if data is not None:
                    self.wfile.write(data[start:end + 1])
                    return
                with opener() as fh:
                    fh.seek(start)
                    left = length
                    while left > 0:
                        block = fh.read(min(CHUNK, left))
                        if not block:
                            break
                        self.wfile.write(block)
                        left -= len(block)
            except (BrokenPipeError, ConnectionResetError):
                pass

    return Handler


def _not_modified_since(header: str, mtime: float) -> bool:
    try:
        when = email.utils.parsedate_to_datetime(header).timestamp()
    except (TypeError, ValueError):
        return False
    return int(mtime) <= int(when)


IGNORE = (-1, -1)
_RANGE = re.compile(r"^\s*(\d*)\s*-\s*(\d*)\s*$")


def _etag_matches(header: str, etag: str) -> bool:
    """If-None-Match uses the weak comparison (RFC 9110 13.1.2): W/"x" matches "x"; * matches any."""
    if header.strip() == "*":
        return True
    bare = etag.removeprefix("W/")
    return any(t.strip().removeprefix("W/") == bare for t in header.split(","))


def _parse_range(header: str, size: int) -> tuple[int, int] | None:
    """One byte range of 'bytes=a-b', 'bytes=a-' or 'bytes=-n'; None when unsatisfiable (416).

    RFC 9110 14.2: a server may ignore a Range header, and does here (IGNORE: 200 with the whole
    file) when the unit is not bytes, the syntax is wrong, or it asks for several ranges.
    """
    unit, _, spec = header.partition("=")
    if unit.strip().lower() != "bytes" or not spec.strip() or "," in spec:
        return IGNORE
    m = _RANGE.match(spec)
    if not m or not (m.group(1) or m.group(2)):
        return IGNORE
    first, last = m.group(1), m.group(2)
    if not first:
        n = int(last)
        if n <= 0:
            return None
        return max(0, size - n), size - 1
    start = int(first)
    end = int(last) if last else size - 1
    if last and end < start:
        return IGNORE  # invalid, not unsatisfiable
    if start >= size:
        return None
    return start, min(end, size - 1)


def make_server(show: Show, bind: str = "127.0.0.1", port: int = 8000) -> tuple[ThreadingHTTPServer, str]:
    if not (show.feed_dir / "feed.xml").is_file():
        raise ReadcastError("has no feed.xml yet", show.feed_dir, "run 'readcast build' first")
    site = Site(show, "")
    try:
        server = ThreadingHTTPServer((bind, port), _make_handler(site))
    except OSError as exc:
        raise ReadcastError(f"cannot listen on {bind}:{port} ({exc.strerror})", None,
                            "choose another --port (0 picks a free one)") from None
    host, real_port = server.server_address[:2]
    if host in ("0.0.0.0", "::"):
        import socket

        host = socket.gethostname()
    host = host.decode() if isinstance(host, bytes) else str(host)
    shown = f"[{host}]" if ":" in host else host
    site.base_url = f"http://{shown}:{real_port}/"
    return server, site.base_url


def serve(show: Show, bind: str, port: int, announce: Callable[[str], None]) -> None:
    server, url = make_server(show, bind, port)
    announce(url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
