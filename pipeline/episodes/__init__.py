"""episodes/: read every source article into an Episode (metadata + sections of paragraphs).

Readers are chosen by file suffix; each returns an Article with whatever it found, and `finish`
fills defaults from the show and rejects what an episode cannot do without, by name.
"""

from __future__ import annotations

import logging
import re
import uuid
from datetime import date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from ..config import Show
from ..errors import EpisodeError, ReadcastError
from ..files import sha256_bytes
from ..text.sentences import split_sentences
from ..text.slug import slug_for_stem
from .decode import read_text
from .model import Article, Episode, Section

if TYPE_CHECKING:
    from ..index import BuildIndex

__all__ = ["Article", "Episode", "Section", "SUFFIXES", "discover", "read_episode", "read_all"]

log = logging.getLogger(__name__)
SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm")
PUBLISH_TIME = time(12, 0)
MAX_TITLE = 300          # characters; Apple truncates long titles, and the intro reads it aloud
MAX_WORDS = 150_000      # about 17 hours of speech: beyond this an article is a mistake, not an episode
LONG_WORDS = 27_000      # about 3 hours: built, with a warning


def discover(show: Show) -> list[Path]:
    """Every article in episodes/, in name order; hidden and editor backup files are skipped."""
    folder = show.episodes_dir
    if not folder.is_dir():
        return []
    out = []
    for p in sorted(folder.iterdir()):
        if p.name.startswith((".", "_", "#")) or p.name.endswith("~") or p.name.lower() == "readme.md":
            continue
        if p.suffix.lower() in SUFFIXES or p.is_dir():
            out.append(p)
        else:
            log.warning("%s: not an article (suffix %s); skipped", p, p.suffix)
    return out


def parse_article(text: str, path: Path) -> Article:
    suffix = path.suffix.lower()
    if suffix in (".md", ".markdown"):
        from .markdown import parse_markdown

        return parse_markdown(text, path)
    if suffix in (".html", ".htm"):
        from .html import parse_html

        return parse_html(text, path)
    from .markdown import split_front_matter
    from .scraped import parse_scraped

    meta, _ = split_front_matter(text, path)
    if meta:
        from .markdown import parse_markdown

        return parse_markdown(text, path)
    return parse_scraped(text)


def _cached_html(text: str, path: Path, show: Show) -> Article:
    """HTML extraction costs seconds (trafilatura's import alone is 2 s): keep the result by the
    page's hash, so a rebuild that changes nothing does not pay for it again."""
    import dataclasses
    import json

    from ..files import code_digest, digest, read_json, write_json

    key = digest("html", code_digest("episodes"), text)[:32]
    cache = show.state_dir / "parsed" / f"{key}.json"
    data = read_json(cache)
    if isinstance(data, dict):
        data["sections"] = [Section(s["title"], tuple(s["paragraphs"])) for s in data.get("sections", [])]
        if data.get("published"):
            data["published"] = date.fromisoformat(data["published"]) if len(data["published"]) == 10 \
                else datetime.fromisoformat(data["published"])
        try:
            return Article(**data)
        except TypeError:
            pass
    article = parse_article(text, path)
    out = dataclasses.asdict(article)
    out["published"] = article.published.isoformat() if article.published else None
    write_json(cache, json.loads(json.dumps(out, default=str)))
    return article


def guid_for(show: Show, slug: str) -> str:
    """The episode GUID: stable across rebuilds, machines, title edits and base-URL moves."""
    return str(uuid.uuid5(uuid.UUID(show.id), f"episode:{slug}"))


def _aware(value: date | datetime, show: Show) -> datetime:
    tz = ZoneInfo(show.timezone)
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=tz)
    return datetime.combine(value, PUBLISH_TIME, tzinfo=tz)


def _summary(sections: list[Section], limit: int = 400) -> str:
    for s in sections:
        for p in s.paragraphs:
            out = ""
            for sentence in split_sentences(p[: limit * 3]):
                if out and len(out) + len(sentence) > limit:
                    break
                out = f"{out} {sentence}".strip()
            if out:
                return out[: limit * 2]
    return ""


def readable_name(source: str) -> str:
    """A title from a URL's last path segment or a file name: '103-315aw-2015-in-photos.txt' ->
    '315aw 2015 in photos'. Numeric ids and a leading running number are dropped."""
    import urllib.parse

    path = urllib.parse.urlsplit(source).path if "://" in source else source
    parts = [p for p in re.split(r"[/\\]", path) if p and not re.fullmatch(r"[\d.]+", Path(p).stem)]
    stem = Path(parts[-1]).stem if parts else ""
    if stem.lower() in ("index", "default", "article", "story"):
        stem = Path(parts[-2]).stem if len(parts) > 1 else stem
    stem = re.sub(r"^\d{1,3}[-_ ]+(?=\w)", "", stem)
    words = " ".join(re.split(r"[-_+\s]+", stem)).strip()
    return words[:1].upper() + words[1:] if words else ""


def first_seen(show: Show, path: Path) -> date:
    """The date an undated article was first read, kept in the show's state so it never moves."""
    from ..files import read_json, write_json

    record = show.state_dir / "first-seen.json"
    data = read_json(record)
    data = data if isinstance(data, dict) else {}
    key = path.name
    try:
        return date.fromisoformat(data[key])
    except (KeyError, TypeError, ValueError):
        pass
    today = date.today()
    data[key] = today.isoformat()
    try:
        write_json(record, data)
    except OSError:
        pass
    return today


def clean_fields(article: Article) -> Article:
    """Every text field made plain, valid Unicode once, here, whatever reader made it: a YAML
    escape ("\\a"), an HTML entity (&#7;) or a feed can carry characters XML forbids, and nothing
    downstream (feed, pages, captions, the voice, the terminal) should have to know."""
    import dataclasses

    from .decode import clean_text

    for f in dataclasses.fields(article):
        value = getattr(article, f.name)
        if isinstance(value, str):
            setattr(article, f.name, " ".join(clean_text(value).split()) if f.name != "guid" else clean_text(value).strip())
    article.sections = [Section(" ".join(clean_text(s.title).split()),
                                tuple(p for p in (" ".join(clean_text(x).split()) for x in s.paragraphs) if p))
                        for s in article.sections]
    return article


def finish(article: Article, path: Path, data: bytes, show: Show) -> Episode:
    """Defaults for what a page may lack, then the checks an episode cannot do without.

    An untitled article is named after its source; an undated one gets the day it was first read
    (kept, so it never moves). Author and unit stay empty when the article names none: the show's
    owner is never credited with someone else's story.
    """
    slug = slug_for_stem(path.stem)
    clean_fields(article)
    if not article.title.strip():
        article.title = readable_name(article.source_url or path.name)
        log.warning("%s: no headline found; titled '%s' (add 'title: ...' front matter to change it)",
                    path, article.title)
    if not article.title.strip():
        raise EpisodeError("has no title", path,
                           "put the headline on the first line, or add 'title: ...' front matter")
    if len(article.title) > MAX_TITLE:
        raise EpisodeError(f"has a title of {len(article.title)} characters", path,
                           f"shorten it to under {MAX_TITLE} (the headline may have swallowed the article)")
    if article.published is None:
        article.published = first_seen(show, path)
        log.warning("%s: no date in the text; dated %s, the day it was first read (add a 'Published "
                    "Oct. 21, 2015' line or 'published: YYYY-MM-DD' front matter to change it)",
                    path, article.published.isoformat())
    if not article.sections or not any(s.paragraphs for s in article.sections):
        raise EpisodeError("has no article text after the header", path,
                           "paste the body below the dateline, or delete the file")
    if article.episode_type not in ("full", "trailer", "bonus"):
        raise EpisodeError(f"type {article.episode_type!r} is not full, trailer or bonus", path,
                           "write type: full")
    words = sum(len(p.split()) for s in article.sections for p in s.paragraphs)
    if words > MAX_WORDS:
        raise EpisodeError(f"has {words:,} words (about {words / 150 / 60:.0f} hours of speech)", path,
                           "split it into several episodes")
    if words > LONG_WORDS:
        log.warning("%s: %s words make an episode of about %.1f hours", path, f"{words:,}", words / 150 / 60)
    published = _aware(article.published, show)
    organization = article.organization.strip()
    author = article.author.strip()
    return Episode(
        slug=slug,
        source=path,
        source_hash=sha256_bytes(data),
        title=" ".join(article.title.split()),
        published=published,
        author=author,
        organization=organization,
        series=article.series.strip() or show.title,
        number=article.number,
        season=article.season,
        dateline=article.dateline.strip(),
        sections=tuple(article.sections),
        teaser=article.teaser.strip(),
        source_url=article.source_url.strip(),
        guid=str(article.guid).strip() or guid_for(show, slug),
        episode_type=article.episode_type,
        summary=article.summary.strip() or _summary(article.sections),
        draft=article.draft,
        publish_at=_aware(article.publish_at, show) if article.publish_at is not None else None,
    )


def read_episode(path: Path, show: Show) -> Episode:
    text = read_text(path)
    if path.suffix.lower() in (".html", ".htm"):
        article = _cached_html(text, path, show)
    else:
        article = parse_article(text, path)
    for w in article.warnings:
        log.warning("%s: %s", path, w)
    return finish(article, path, path.read_bytes(), show)


def _read_remembered(path: Path, show: Show, index: BuildIndex) -> Episode:
    """read_episode, or what it gave last time for these bytes and these show settings (its
    warnings said again)."""
    from ..index import recording, replay

    def read() -> tuple[Episode | None, ReadcastError | None, list]:
        with recording() as said:
            try:
                return read_episode(path, show), None, said
            except ReadcastError as exc:
                return None, exc, said

    stamp = (show.id, show.timezone, show.title)
    # first-seen.json is not part of the stamp: an undated article's date, once given, never moves
    ep, error, said = index.memo("episode", path.name, stamp, read, files=(path,), racy_by_content=True)
    replay(said)
    if error is not None:
        raise error
    assert ep is not None
    return ep


def read_all(show: Show, only: list[str] | None = None,
             index: BuildIndex | None = None) -> tuple[list[Episode], list[ReadcastError]]:
    """Every episode that reads cleanly, and one error per file that does not.

    Two files must not share a slug or a part number: the first in name order keeps it and the
    other fails with both names, so nothing already published changes identity. With an index,
    an article unchanged since the last build is not read again.
    """
    episodes: list[Episode] = []
    problems: list[ReadcastError] = []
    for path in discover(show):
        try:
            if index is not None and path.is_file():
                ep = _read_remembered(path, show, index)
            else:
                ep = read_episode(path, show)
        except ReadcastError as exc:
            problems.append(exc)
            continue
        episodes.append(ep)
    by_slug: dict[str, Episode] = {}
    by_number: dict[tuple[int | None, int], Episode] = {}
    kept: list[Episode] = []
    for ep in episodes:
        if ep.slug in by_slug:
            problems.append(EpisodeError(
                f"would have the same slug '{ep.slug}' as {by_slug[ep.slug].source.name}", ep.source,
                "rename one of the two files"))
            continue
        key = (ep.season, ep.number) if ep.number is not None else None
        if key is not None and key in by_number and ep.episode_type == "full":
            other = by_number[key]
            problems.append(EpisodeError(
                f"is part {ep.number}, like {other.source.name}", ep.source,
                "give it another number ('number: N' in front matter) or remove the duplicate"))
            continue
        by_slug[ep.slug] = ep
        if key is not None and ep.episode_type == "full":
            by_number[key] = ep
        kept.append(ep)
    kept.sort(key=episode_order)
    if only:
        wanted = set(only)
        kept = [e for e in kept if e.slug in wanted]
        problems = [p for p in problems if p.path is None or slug_for_stem(p.path.stem) in wanted]
    return kept, problems


def episode_order(ep: Episode) -> tuple:
    return (ep.season or 0, ep.number if ep.number is not None else 1 << 30, ep.published, ep.slug)
