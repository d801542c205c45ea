"""Fetching articles by URL, safely: http(s) only, public addresses only (unless the show allows
private ones), a time limit, a size cap, and a bounded number of redirects, each re-checked."""

from __future__ import annotations

import ipaddress
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlsplit

from .config import Fetch
from .errors import ReadcastError

USER_AGENT = "readcast/0.1 (+podcast narration tool)"


@dataclass(frozen=True)
class Fetched:
    url: str
    content_type: str
    data: bytes


def check_url(url: str, settings: Fetch) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise ReadcastError(f"only http and https URLs can be fetched, not {parts.scheme or 'a bare path'}://", url,
                            "give an http(s) address, or a file path without file://")
    host = parts.hostname
    if not host:
        raise ReadcastError("has no host name", url, "check the address")
    if settings.allow_private:
        return
    try:
        infos = socket.getaddrinfo(host, parts.port or (443 if parts.scheme == "https" else 80), proto=socket.IPPROTO_TCP)
    except socket.gaierror:
        raise ReadcastError(f"host {host} cannot be found", url, "check the address and the network") from None
    for info in infos:
        ip = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved or ip.is_multicast or ip.is_unspecified:
            raise ReadcastError(f"points at a private or local address ({ip})", url,
                                "readcast fetches public sites only; set allow_private = true under [fetch] in "
                                "show.toml to allow intranet sites")


class _Redirects(urllib.request.HTTPRedirectHandler):
    def __init__(self, settings: Fetch):
        self.settings = settings
        self.count = 0
        # let our own limit speak first (urllib's loop detection would stop at 4 repeats)
        self.max_repeats = self.max_redirections = settings.max_redirects + 2  # type: ignore[misc]

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        self.count += 1
        if self.count > self.settings.max_redirects:
            raise ReadcastError(f"redirected more than {self.settings.max_redirects} times", req.full_url,
                                "give the final address of the article")
        check_url(newurl, self.settings)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def fetch(url: str, settings: Fetch) -> Fetched:
    check_url(url, settings)
    opener = urllib.request.build_opener(_Redirects(settings))
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": "text/html,application/xhtml+xml,"
                                                   "application/rss+xml,application/atom+xml,application/xml;q=0.9,*/*;q=0.5"})
    try:
        with opener.open(request, timeout=settings.timeout) as resp:
            length = resp.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > settings.max_bytes:
                raise ReadcastError(f"is {int(length) // 1_000_000} MB, over the {settings.max_bytes // 1_000_000} MB limit",
                                    url, "save the article text to a file and add that")
            data = resp.read(settings.max_bytes + 1)
            if len(data) > settings.max_bytes:
                raise ReadcastError(f"is over the {settings.max_bytes // 1_000_000} MB limit", url,
                                    "save the article text to a file and add that")
            return Fetched(resp.geturl(), resp.headers.get("Content-Type", ""), data)
    except urllib.error.HTTPError as exc:
        raise ReadcastError(f"answered HTTP {exc.code} {exc.reason}", url, "check the address") from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, ReadcastError):
            raise reason from None
        raise ReadcastError(f"cannot be fetched ({reason})", url, "check the address and the network") from None
    except (TimeoutError, socket.timeout):
        raise ReadcastError(f"did not answer within {settings.timeout:.0f} s", url, "try again later") from None
