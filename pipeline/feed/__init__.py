"""feed/: the publishable static site. Serving that one folder is enough to subscribe.

    feed.xml  feed.xsl  index.html  cover.png
    media/<slug>-<version>.mp3 .vtt .srt .txt -chapters.json

<version> is a hash of the audio, so when an episode's sound changes its URLs change and apps and
caches fetch the new file, while its GUID never changes. Files are written first and feed.xml
last, each atomically, and superseded media is removed only after the new feed.xml is in place:
a build killed at any moment leaves a consistent, valid site.

Published records are kept in .readcast/published.json, so an episode whose article fails to
read stays in the feed exactly as it was last published.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
from pathlib import Path

from ..artwork import Cover
from ..audio.meta import RenderMeta
from ..config import Show
from ..episodes import Episode
from ..errors import FeedError
from ..files import clean_stale_temps, code_digest, digest, read_json, write_bytes, write_json, write_text
from . import captions
from .record import EpisodeRecord

log = logging.getLogger(__name__)
FEED_VERSION = "2"
MEDIA = "media"


def state_path(show: Show) -> Path:
    return show.state_dir / "published.json"


def load_published(show: Show) -> dict[str, EpisodeRecord]:
    data = read_json(state_path(show)) or {}
    return data.get("records", {}) if isinstance(data, dict) else {}


def _chapters(ep: Episode, meta: RenderMeta) -> list:
    """The render's chapters; a digest's stories each link to their article."""
    chapters = [dict(c) for c in meta["chapters"]]
    urls = iter(ep.chapter_urls)
    if ep.chapter_urls:
        for c in chapters:
            if c.get("kind") == "body":
                url = next(urls, "")
                if url:
                    c["url"] = url
    return chapters


def make_record(ep: Episode, meta: RenderMeta) -> EpisodeRecord:
    version = meta["sha256"][:10]
    stem = f"{MEDIA}/{ep.slug}-{version}"
    record: EpisodeRecord = {
        "slug": ep.slug,
        "guid": ep.guid,
        "title": ep.title,
        "number": ep.number,
        "season": ep.season,
        "episode_type": ep.episode_type,
        "published": ep.published.isoformat(),
        "author": ep.author,
        "organization": ep.organization,
        "series": ep.series,
        "summary": ep.summary,
        "teaser": ep.teaser,
        "dateline": ep.dateline,
        "source_url": ep.source_url,
        "source": f"{ep.source.parent.name}/{ep.source.name}",
        "audio": {"sha256": meta["sha256"], "bytes": meta["bytes"], "duration": meta["duration"],
                  "loudness": meta["loudness"]},
        "cues": meta["cues"],
        "chapters": _chapters(ep, meta),
        "files": {"mp3": f"{stem}.mp3", "vtt": f"{stem}.vtt", "srt": f"{stem}.srt", "txt": f"{stem}.txt",
                  "html": f"{stem}.html", "chapters": f"{stem}-chapters.json", "json": f"{stem}-transcript.json",
                  "page": f"episodes/{ep.slug}/index.html"},
    }
    if "alternate" in meta:
        record["alternate"] = meta["alternate"]
        record["files"]["opus"] = f"{stem}.opus"
    return record


def _site_settings(show: Show) -> dict:
    """The settings the published site is made from: not where or how the build runs (its
    executor, cache, jobs), so building on a cluster publishes the same site."""
    return {k: v for k, v in show.__dict__.items() if k not in ("build", "fetch", "sources")} | {"root": str(show.root)}


def feed_inputs(show: Show, records: list[EpisodeRecord], cover_key: str) -> str:
    return digest(FEED_VERSION, code_digest("feed"), records, _site_settings(show), cover_key)


def feed_state_path(show: Show) -> Path:
    """What the last publish was made from and the files it consists of: small, so a no-op build
    of a 1,000-episode show does not parse every published record to learn nothing changed."""
    return show.state_dir / "feed-state.json"


def feed_current(show: Show, records: list[EpisodeRecord], cover_key: str) -> bool:
    state = read_json(feed_state_path(show))
    if not isinstance(state, dict):  # a show published before feed-state.json existed
        state = read_json(state_path(show))
    state = state if isinstance(state, dict) else {}
    if state.get("inputs") != feed_inputs(show, records, cover_key):
        return False
    for name in state.get("files", []):
        if not (show.feed_dir / name).is_file():
            return False
    return True


def texts_path(show: Show) -> Path:
    """Each published episode's own files (captions, transcripts, page), by the digest of what
    they were made from."""
    return show.state_dir / "site-texts.json"


def superseded_path(show: Show) -> Path:
    return show.state_dir / "superseded.json"


def superseded(show: Show) -> dict[str, float]:
    """Media a rebuild replaced, by file (relative to feed/), with the time each was replaced."""
    data = read_json(superseded_path(show))
    return {str(k): float(v) for k, v in data.items()} if isinstance(data, dict) else {}


def prune_superseded(show: Show, keep: set[str] | None = None, now: float | None = None) -> tuple[int, int]:
    """Superseded media older than the grace period are deleted; younger ones stay, so an app still
    holding the previous feed.xml gets its MP3, not a 404. Returns (files removed, bytes freed)."""
    now = time.time() if now is None else now
    grace = show.publish.grace_days * 86400
    media = show.feed_dir / MEDIA
    known = superseded(show)
    kept: dict[str, float] = {}
    removed = freed = 0
    names = {f"{MEDIA}/{p.name}" for p in media.iterdir() if not p.name.startswith(".")} if media.is_dir() else set()
    if keep is None:  # not publishing: only what is already recorded as superseded
        keep = names - set(known)
    for name in sorted(names - keep):
        since = known.get(name, now)
        path = show.feed_dir / name
        if now - since >= grace:
            try:
                freed += path.stat().st_size
                path.unlink()
                removed += 1
            except OSError:
                pass
        else:
            kept[name] = since
    if kept != known:
        write_json(superseded_path(show), kept)
    return removed, freed


def _place_media(src: Path, dst: Path) -> None:
    """Hard-link the rendered MP3 into feed/ (no copy), or copy where links are not possible."""
    if dst.exists():
        return
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = dst.with_name(f".{dst.name}.tmp")
    tmp.unlink(missing_ok=True)
    try:
        os.link(src, tmp)
    except OSError:
        shutil.copyfile(src, tmp)
    os.replace(tmp, dst)


def publish(show: Show, records: list[EpisodeRecord], cover: Cover, cover_key: str, rendered: dict[str, Path]) -> list[str]:
    """Write the site; returns the files it consists of, relative to feed/.

    All or nothing: every page, caption file and the feed are made in memory first, so a failure
    in any of them (a character feedgen refuses, a template error) leaves the last site untouched.
    Then media and per-episode files go in under new names, and index.html and feed.xml last,
    the two of them always listing the same episodes.
    """
    from .pages import XSL, episode_html, index_html, transcript_html
    from .rss import build_feed

    out = show.feed_dir
    cover_name = f"cover.{cover.ext}"
    # an episode's own files depend only on its record and the show: those written by the last
    # publish for the same record are not made again (a 1,000-episode show adding one episode
    # writes one episode's captions and page, not 1,000)
    made_before = read_json(texts_path(show)) or {}
    made_before = made_before if isinstance(made_before, dict) else {}
    context = digest(FEED_VERSION, code_digest("feed"), _site_settings(show), cover_name)
    planned: list[tuple[EpisodeRecord, Path | None, dict[str, str] | None]] = []
    made: dict[str, str] = {}
    for r in records:
        f = r["files"]
        src = rendered.get(r["slug"])
        if not (out / f["mp3"]).exists() and (src is None or not src.exists()):
            log.warning("%s: its audio %s is gone; the episode is left out of the feed", r["slug"], f["mp3"])
            continue
        key = digest(context, r)
        made[r["slug"]] = key
        if made_before.get(r["slug"]) == key and all((out / str(name)).is_file() for name in f.values()):
            planned.append((r, src, None))
            continue
        heading = f"{r['series']}" + (f", part {r['number']}" if r.get("number") is not None else "") + f": {r['title']}"
        cut = captions.cut(r["cues"])
        texts = {"vtt": captions.vtt(r["cues"], r["title"], cut), "srt": captions.srt(r["cues"], cut),
                 "txt": captions.plain(r["cues"], heading), "html": transcript_html(r, show),
                 "chapters": captions.chapters_json(r["chapters"], r.get("source_url") or "", show.base_url + cover_name),
                 "json": captions.transcript_json(r["cues"], cut), "page": episode_html(r, show, cover_name)}
        planned.append((r, src, texts))
    published = [r for r, _, _ in planned]
    index = index_html(show, published, cover_name)
    try:
        feed_xml = build_feed(show, published, cover_file=cover_name)
    except ValueError as exc:  # feedgen's and lxml's refusals: one line, and the site stays as it was
        raise FeedError(f"the feed could not be written ({exc})", show.feed_dir,
                        "fix the episode whose text it names, then rebuild") from None

    out.mkdir(parents=True, exist_ok=True)
    # an episode whose files are about to be rewritten is no longer known to be written, until
    # the whole publish succeeds (a publish killed half-way must not leave a record's files stale)
    rewriting = {r["slug"] for r, _, made_texts in planned if made_texts is not None}
    if rewriting & set(made_before):
        write_json(texts_path(show), {k: v for k, v in made_before.items() if k not in rewriting})
    clean_stale_temps(out)
    clean_stale_temps(out / MEDIA)
    files: list[str] = []
    for r, src, episode_texts in planned:
        f = r["files"]
        mp3 = out / f["mp3"]
        if not mp3.exists():
            assert src is not None  # planned only when one of the two exists
            _place_media(src, mp3)
        if f.get("opus") and not (out / f["opus"]).exists():
            opus = (src or mp3).with_suffix(".opus")
            if opus.exists():
                _place_media(opus, out / f["opus"])
        for kind, text in (episode_texts or {}).items():
            path = out / str(f[kind])  # type: ignore[literal-required]  # kind is one of Files' keys
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                write_text(path, text)
        files += [str(name) for name in f.values()]
    if not (out / cover_name).exists() or (out / cover_name).read_bytes() != cover.data:
        write_bytes(out / cover_name, cover.data)
    write_text(out / "feed.xsl", XSL)
    for name, text in index.items():  # the first page last: it links the others
        if name != "index.html":
            write_text(out / name, text)
    write_text(out / "index.html", index["index.html"])
    write_bytes(out / "feed.xml", feed_xml)
    files += [cover_name, "feed.xsl", *index, "feed.xml"]
    # only now that feed.xml no longer points at them: superseded media start their grace period
    prune_superseded(show, keep=set(files))
    pages = out / "episodes"
    if pages.is_dir():  # the page of an episode no longer published
        for folder in pages.iterdir():
            if folder.is_dir() and f"episodes/{folder.name}/index.html" not in files:
                shutil.rmtree(folder, ignore_errors=True)
    for stale in [*out.glob("cover.*"), *out.glob("page-*.html")]:
        if stale.name not in index and stale.name != cover_name:
            stale.unlink(missing_ok=True)
    inputs = feed_inputs(show, records, cover_key)
    write_json(state_path(show), {"inputs": inputs, "records": {r["slug"]: r for r in published}, "files": sorted(files)},
               compact=True)
    write_json(feed_state_path(show), {"inputs": inputs, "files": sorted(files)})
    write_json(texts_path(show), made)
    return files
