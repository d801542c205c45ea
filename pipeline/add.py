"""`readcast add SOURCE...`: import articles into episodes/ as normalised Markdown files.

Sources: a scraped text file (any of the .mil layouts), Markdown with front matter, an HTML
article page, an http(s) URL of either, or an RSS/Atom feed (file or URL) whose every new item
becomes an episode. Each import is stored as episodes/<slug>.md with front matter holding its
metadata, its source URL and its GUID (recorded at import, so it never changes). Items already
imported (same source URL or feed item id) are skipped, so adding a feed again imports only what
is new. One bad source is one error line; the others are still imported.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from .config import Show
from .episodes import clean_fields, finish, guid_for, parse_article, readable_name
from .episodes.decode import decode_bytes, read_text
from .episodes.markdown import escape, split_front_matter
from .episodes.model import Article
from .errors import EpisodeError, ReadcastError
from .files import write_text
from .text.dates import parse_date
from .text.slug import slugify

log = logging.getLogger(__name__)
FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/xml", "text/xml", "application/rdf+xml")


@dataclass
class AddReport:
    lines: list[str] = field(default_factory=list)
    problems: list[ReadcastError] = field(default_factory=list)
    added: list[Path] = field(default_factory=list)


def _is_url(source: str) -> bool:
    return bool(re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", source))


def _looks_like_feed(data: bytes, content_type: str = "") -> bool:
    head = data[:2000].lstrip().lower()
    if any(t in content_type for t in ("rss", "atom")):
        return True
    return head.startswith(b"<?xml") and (b"<rss" in head or b"<feed" in head or b"<rdf" in head) or \
        head.startswith((b"<rss", b"<feed"))


def _looks_like_html(data: bytes, content_type: str = "") -> bool:
    head = data[:4000].lstrip().lower()
    return "html" in content_type or head.startswith((b"<!doctype html", b"<html")) or b"<body" in head


def _imported(show: Show) -> dict[str, Path]:
    """Source URLs and feed item ids already in episodes/, so nothing is imported twice."""
    seen: dict[str, Path] = {}
    folder = show.episodes_dir
    if not folder.is_dir():
        return seen
    for path in sorted(folder.glob("*.md")):
        try:
            meta, _ = split_front_matter(path.read_text(encoding="utf-8", errors="replace"), path)
        except ReadcastError:
            continue
        for key in ("source_url", "source_id", "url"):
            if meta.get(key):
                seen[str(meta[key])] = path
    return seen


def _apply(article: Article, overrides: dict) -> Article:
    for key, value in overrides.items():
        if key == "published":
            parsed = parse_date(str(value))
            if parsed is None:
                raise EpisodeError(f"--published {value!r} is not a date", None, "write --published 2015-10-21")
            article.published = parsed
        elif key == "number":
            article.number = int(value)
        else:
            setattr(article, key, value)
    return article


def _slug_for(article: Article, show: Show) -> Path:
    base = slugify(article.title)
    if article.number is not None:
        base = f"{article.number:03d}-{base}"
    base = base[:70].rstrip("-")
    path = show.episodes_dir / f"{base}.md"
    n = 2
    while path.exists() or any(p.stem == path.stem for p in show.episodes_dir.glob(f"{path.stem}.*")):
        path = show.episodes_dir / f"{base}-{n}.md"
        n += 1
    return path


def render_markdown(article: Article, guid: str, source_id: str = "") -> str:
    """The stored form of an imported article: YAML front matter, then Markdown paragraphs."""
    import yaml

    published = article.published
    if isinstance(published, datetime):
        published = published.date() if published.tzinfo is None else published
    meta = {
        "title": article.title,
        "series": article.series or None,
        "number": article.number,
        "published": published,
        "author": article.author or None,
        "organization": article.organization or None,
        "dateline": article.dateline or None,
        "teaser": article.teaser or None,
        "summary": article.summary or None,
        "source_url": article.source_url or None,
        "source_id": source_id or None,
        "guid": guid,
    }
    meta = {k: v for k, v in meta.items() if v not in (None, "")}
    front = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=1000).strip()
    body: list[str] = []
    for i, section in enumerate(article.sections):
        if section.title and (i or len(article.sections) > 1):
            body.append(f"## {escape(section.title)}")
        body.extend(escape(p) for p in section.paragraphs)
    return f"---\n{front}\n---\n\n" + "\n\n".join(body) + "\n"


def _store(show: Show, article: Article, origin: str, seen: dict[str, Path], report: AddReport,
           overrides: dict, source_id: str = "") -> None:
    article = clean_fields(_apply(article, overrides))
    for key in (article.source_url, source_id):
        if key and key in seen:
            report.lines.append(f"skipped {origin}: already imported as {seen[key].relative_to(show.root)}")
            return
    if not any(s.paragraphs for s in article.sections):
        raise EpisodeError("holds no article text, only page furniture", origin, "give the article's page")
    notes = []
    if not article.title.strip():
        article.title = readable_name(article.source_url or origin)
        notes.append(f"no headline found, so titled from its {'address' if article.source_url else 'file name'}")
    if not article.title.strip():
        raise EpisodeError("has no title that readcast can find", origin, 'pass --title "..."')
    if article.published is None:
        article.published = date.today()
        notes.append(f"no date in the text, so dated {article.published.isoformat()} (today)")
    show.episodes_dir.mkdir(parents=True, exist_ok=True)
    path = _slug_for(article, show)
    guid = article.guid or guid_for(show, path.stem)
    text = render_markdown(article, guid, source_id)
    # validate exactly as a build will read it, before anything is written; a problem is the
    # source's (the file under episodes/ is never written)
    from .episodes.markdown import parse_markdown

    try:
        finish(parse_markdown(text, path), path, text.encode("utf-8"), show)
    except EpisodeError as exc:
        message = str(exc).split(": ", 1)[1] if str(exc).startswith(str(path)) else str(exc)
        raise EpisodeError(message, origin) from None
    write_text(path, text)
    for key in (article.source_url, source_id):
        if key:
            seen[key] = path
    report.added.append(path)
    line = f"added {path.relative_to(show.root)} ({article.title})"
    if notes:
        line += f"; {'; '.join(notes)}: edit its front matter to change it"
    report.lines.append(line)


ADD_HINT = "give a .txt, .md or .html article, a URL or a feed"


def _article_from_bytes(data: bytes, origin: str, content_type: str = "") -> Article:
    text = decode_bytes(data, origin, ADD_HINT)
    suffix = Path(urlsafe_path(origin)).suffix.lower()
    if suffix in (".html", ".htm") or _looks_like_html(data, content_type):
        from .episodes.html import parse_html

        return parse_html(text, origin)
    return parse_article(text, Path(origin if suffix in (".md", ".markdown") else "article.txt"))


def urlsafe_path(origin: str) -> str:
    return re.sub(r"[?#].*$", "", origin)


def _add_feed(show: Show, data: bytes, origin: str, seen: dict[str, Path], report: AddReport, overrides: dict) -> None:
    import feedparser

    parsed = feedparser.parse(data)
    if parsed.bozo and not parsed.entries:
        raise EpisodeError(f"is not a readable RSS or Atom feed ({parsed.bozo_exception})", origin,
                           "check the feed address")
    if not parsed.entries:
        report.lines.append(f"{origin}: the feed has no items")
        return
    # oldest first, so part numbers and file names follow publication order
    entries = sorted(parsed.entries, key=lambda e: tuple(e.get("published_parsed") or e.get("updated_parsed") or ()))
    for entry in entries:
        link = entry.get("link", "")
        item_id = entry.get("id") or link
        where = f"{origin} item {entry.get('title', '?')!r}"
        if (link and link in seen) or (item_id and item_id in seen):
            report.lines.append(f"skipped {where}: already imported as {seen.get(link) or seen.get(item_id)}")
            continue
        try:
            html = ""
            if entry.get("content"):
                html = max((c.get("value", "") for c in entry.content), key=len)
            summary = entry.get("summary", "")
            if len(html) < 400 and len(summary) > len(html):
                html = summary
            if len(re.sub(r"<[^>]+>", "", html)) < 400 and link.startswith(("http://", "https://")):
                from .fetch import fetch

                page = fetch(link, show.fetch)
                article = _article_from_bytes(page.data, page.url, page.content_type)
            else:
                from .episodes.html import parse_html

                title = entry.get("title", "")
                article = parse_html(f"<html><body><article><h1>{_h(title)}</h1>{html}</article></body></html>", where)
            article.source_url = article.source_url or link
            if article.published is None:
                stamp = entry.get("published_parsed") or entry.get("updated_parsed")
                if stamp:
                    article.published = date(*stamp[:3])
            if not article.author and entry.get("author"):
                from .episodes.byline import split_byline

                # RSS writes "EMAIL (NAME)": the name is the author; an address is never spoken
                name = (entry.get("author_detail") or {}).get("name") or entry.author
                article.author, article.organization = split_byline(name)
            if not article.title and entry.get("title"):
                article.title = entry.title
            _store(show, article, where, seen, report, overrides, item_id)
        except ReadcastError as exc:
            report.problems.append(exc)


def _h(text: str) -> str:
    import html

    return html.escape(text, quote=False)


def add_sources(show: Show, sources: list[str], overrides: dict | None = None) -> AddReport:
    overrides = overrides or {}
    report = AddReport()
    seen = _imported(show)
    for source in sources:
        try:
            if _is_url(source):
                from .fetch import fetch

                page = fetch(source, show.fetch)
                if _looks_like_feed(page.data, page.content_type):
                    _add_feed(show, page.data, source, seen, report, overrides)
                    continue
                article = _article_from_bytes(page.data, page.url, page.content_type)
                article.source_url = article.source_url or page.url
                _store(show, article, source, seen, report, overrides)
                continue
            path = Path(source).expanduser()
            if not path.exists():
                raise EpisodeError("does not exist", path, "check the path")
            data = path.read_bytes() if path.is_file() else b""
            if not path.is_file():
                raise EpisodeError("is not a file", path, "give an article file, a URL or a feed")
            if _looks_like_feed(data) or path.suffix.lower() in (".rss", ".atom"):
                _add_feed(show, data, str(path), seen, report, overrides)
                continue
            read_text(path, ADD_HINT)  # the same size, emptiness and binary checks a build makes
            article = _article_from_bytes(data, str(path))
            from .files import sha256_bytes

            # the same file added twice is one episode
            _store(show, article, str(path), seen, report, overrides, f"sha256:{sha256_bytes(data)[:32]}")
        except ReadcastError as exc:
            report.problems.append(exc)
        except OSError as exc:
            report.problems.append(EpisodeError(f"cannot be read ({exc.strerror})", source, "check the path"))
    return report
