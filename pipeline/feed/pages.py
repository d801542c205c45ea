"""index.html: every episode with a player, show notes, chapters, download and a read-along
transcript; a standalone transcript page per episode; and feed.xsl, which turns feed.xml into a
readable page in a browser.

The markup, style and script are Jinja2 templates in `templates/` (package data), autoescaped, so
no article text can become markup. No external resources, no fetches (the page works from
file:// as well as over HTTP): the cue times are in the page itself. Every sentence is a button:
activating it seeks the audio there; the sentence being spoken is highlighted and marked
aria-current.
"""

from __future__ import annotations

import functools
import html
from datetime import datetime
from importlib import resources
from typing import TYPE_CHECKING, Any

from ..config import Show
from .captions import timestamp

if TYPE_CHECKING:
    import jinja2

    from .record import EpisodeRecord


def e(text: str, quote: bool = False) -> str:
    """Escape for HTML outside the templates (the feed's show notes): <, > and &; quotes too in
    attribute values."""
    return html.escape(str(text), quote=quote)


@functools.lru_cache(maxsize=1)
def _env() -> jinja2.Environment:
    import jinja2

    return jinja2.Environment(loader=jinja2.PackageLoader("pipeline.feed", "templates"),
                              autoescape=jinja2.select_autoescape(["html"]), keep_trailing_newline=True)


def _template_text(name: str) -> str:
    return resources.files("pipeline.feed").joinpath("templates", name).read_text(encoding="utf-8")


XSL = _template_text("feed.xsl")


def _credit(record: EpisodeRecord) -> str:
    return record.get("author") or record.get("organization") or ""


def _number(record: EpisodeRecord) -> str:
    return f"Part {record['number']}: " if record.get("number") is not None else ""


def _paragraphs(record: EpisodeRecord) -> list[list[dict[str, Any]]]:
    """The cues grouped by the paragraph they were read in, numbered from 1."""
    paras: list[list[dict[str, Any]]] = []
    prev = None
    for i, c in enumerate(record.get("cues", []), 1):
        key = (c.get("section"), c.get("paragraph"))
        if key != prev:
            paras.append([])
            prev = key
        paras[-1].append({"n": i, "start": f"{c['start']:.3f}", "end": f"{c['end']:.3f}", "text": c["text"]})
    return paras


def _episode(record: EpisodeRecord, show: Show) -> dict[str, Any]:
    published = datetime.fromisoformat(record["published"])
    return {
        "slug": record["slug"],
        "hid": f"h-{record['slug']}",
        "number": _number(record),
        "title": record["title"],
        "credit": _credit(record) or show.title,
        "iso_date": published.date().isoformat(),
        "date_text": f"{published.strftime('%B')} {published.day}, {published.year}",
        "duration": timestamp(record["audio"]["duration"]),
        "files": record["files"],
        "srclang": show.language.split("-")[0],
        "summary": record.get("summary") or "",
        "source_url": record.get("source_url") or "",
        "megabytes": f"{record['audio']['bytes'] / 1e6:.1f}",
        "chapters": [{"start": f"{c['start']:.3f}", "time": timestamp(c["start"]), "title": c["title"]}
                     for c in record.get("chapters", [])],
        "paragraphs": _paragraphs(record),
        "page": f"episodes/{record['slug']}/",
        "low": {"megabytes": f"{record['alternate']['bytes'] / 1e6:.1f}"} if record.get("alternate") else None,
        "narrator": f"{show.voice.engine} ({show.voice.voice})",
    }


def page_name(n: int) -> str:
    return "index.html" if n == 1 else f"page-{n}.html"


def prepare() -> None:
    """Compile the page templates now (a build does this while its voice works)."""
    env = _env()
    for name in ("index.html", "archive.html", "episode.html", "transcript.html"):
        env.get_template(name)


def index_html(show: Show, records: list[EpisodeRecord], cover_file: str) -> dict[str, str]:
    """The site's index, newest first, `[site] per_page` episodes a page (index.html, page-2.html,
    ...), each episode with its player and read-along; and archive.html, every episode on one
    line, by year. A 1,000-episode show is 100 pages of ten and an archive of 1,000 links, not one
    page of 1,000 transcripts."""
    ordered = sorted(records, key=lambda r: (r["published"], r.get("number") or 0), reverse=True)
    per = show.site.per_page
    count = max(1, -(-len(ordered) // per))
    env = _env()
    out = {}
    for n in range(1, count + 1):
        chunk = ordered[(n - 1) * per: n * per]
        nav = {"n": n, "count": count, "first": ordered and (n - 1) * per + 1, "last": (n - 1) * per + len(chunk),
               "total": len(ordered), "newer": page_name(n - 1) if n > 1 else "",
               "older": page_name(n + 1) if n < count else ""}
        out[page_name(n)] = env.get_template("index.html").render(
            show=show, cover_file=cover_file, episodes=[_episode(r, show) for r in chunk], nav=nav)
    years: dict[str, list[dict[str, str]]] = {}
    for r in ordered:
        published = datetime.fromisoformat(r["published"])
        years.setdefault(str(published.year), []).append({
            "page": f"episodes/{r['slug']}/", "number": _number(r), "title": r["title"],
            "iso_date": published.date().isoformat(), "date_text": f"{published.strftime('%B')} {published.day}",
            "duration": timestamp(r["audio"]["duration"])})
    out["archive.html"] = env.get_template("archive.html").render(
        show=show, cover_file=cover_file, years=list(years.items()), total=len(ordered))
    return out


def episode_html(record: EpisodeRecord, show: Show, cover_file: str) -> str:
    """The episode's own page (the feed item's <link>): its player, chapters, downloads and the
    whole transcript as read, with the same read-along as the index. It lives two folders down,
    at episodes/SLUG/index.html, so every link goes up to the site's root first."""
    return _env().get_template("episode.html").render(
        show=show, cover_file=cover_file, ep=_episode(record, show), root="../../", page=True)


def transcript_html(record: EpisodeRecord, show: Show) -> str:
    """A standalone, accessible transcript page (podcast:transcript type text/html)."""
    paragraphs = [[c["text"] for c in p] for p in _paragraphs(record)]
    return _env().get_template("transcript.html").render(
        show=show, number=_number(record), title=record["title"], credit=_credit(record), paragraphs=paragraphs)
