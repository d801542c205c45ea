"""feed.xml: RSS 2.0 with the itunes and Podcasting 2.0 namespaces, built with feedgen.

Built from records (plain dicts of what was published) rather than Episode objects, so an episode
whose article fails to read today is republished exactly as it was last time.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from ..config import Show
from .captions import timestamp, whole_seconds
from .pages import e
from .podcast2 import podcast_guid

if TYPE_CHECKING:
    from .record import EpisodeRecord

STYLESHEET = "feed.xsl"


def media_url(base_url: str, record: EpisodeRecord, kind: str) -> str:
    return base_url + record["files"][kind]  # type: ignore[literal-required]


def show_notes(record: EpisodeRecord, base_url: str, narrator: str = "") -> str:
    """HTML show notes: summary, credit and source, chapters as timestamps, transcript links."""
    published = datetime.fromisoformat(record["published"])
    parts = [f"<p>{e(record['summary'])}</p>"] if record.get("summary") else []
    author, org = record.get("author") or "", record.get("organization") or ""
    credit = f"Written by {e(author)}" if author else (f"From {e(org)}" if org else "")
    if author and org and org not in author:
        credit += f", {e(org)}"
    credit = (credit + ". " if credit else "") + f"First published {published.strftime('%B')} {published.day}, {published.year}."
    parts.append(f"<p>{credit}</p>")
    if record.get("source_url"):
        parts.append(f'<p>Read the original article: <a href="{e(record["source_url"], quote=True)}">'
                     f"{e(record['source_url'])}</a></p>")
    chapters = record.get("chapters") or []
    if chapters:
        lines = "<br>".join(f"{timestamp(c['start'])} {e(c['title'])}" for c in chapters)
        parts.append(f"<p>Chapters:<br>{lines}</p>")
    if record.get("teaser"):
        parts.append(f"<p>{e(record['teaser'])}</p>")
    parts.append(f'<p>Transcript: <a href="{e(media_url(base_url, record, "html"), quote=True)}">read it</a>, '
                 f'captions <a href="{e(media_url(base_url, record, "vtt"), quote=True)}">WebVTT</a> and '
                 f'<a href="{e(media_url(base_url, record, "srt"), quote=True)}">SRT</a>.</p>')
    if record["files"].get("opus"):
        parts.append(f'<p>On a slow connection? <a href="{e(media_url(base_url, record, "opus"), quote=True)}">'
                     "Low-bandwidth version</a> (Opus, mono).</p>")
    if narrator:
        parts.append(f"<p>Narrated by a synthetic voice: {e(narrator)}. The words are the article's, as written.</p>")
    return "\n".join(parts)


def narrator_name(show: Show) -> str:
    return f"readcast ({show.voice.engine} voice {show.voice.voice})"


def ai_statement(show: Show) -> str:
    """What podcast:txt purpose="ai-content" says: which parts a machine made, and which not."""
    return (f"Narration is synthetic: every episode is read by a text-to-speech voice ({show.voice.engine}, "
            f"{show.voice.voice}) from the published article. The words are the authors'; no AI wrote or changed them.")


def build_feed(show: Show, records: list[EpisodeRecord], base_url: str | None = None, cover_file: str = "cover.png") -> bytes:
    from feedgen.feed import FeedGenerator

    from .itunes import ItunesEntryExtension, ItunesExtension
    from .podcast2 import Podcast2EntryExtension, Podcast2Extension

    base = base_url or show.base_url
    feed_url = base + "feed.xml"
    fg = FeedGenerator()
    fg.register_extension("itunes", ItunesExtension, ItunesEntryExtension)
    fg.register_extension("podcast2", Podcast2Extension, Podcast2EntryExtension)
    fg.title(show.title)
    # feedgen takes the last link as the RSS <link>: the self link must come first
    fg.link(href=feed_url, rel="self", type="application/rss+xml")
    fg.link(href=show.link or base, rel="alternate")
    fg.description(show.description)
    fg.language(show.language)
    fg.generator("readcast", uri="https://github.com/readcast")
    if show.copyright:
        fg.copyright(show.copyright)
    fg.image(url=base + cover_file, title=show.title, link=show.link or base)
    it = fg.itunes
    it.itunes_author(show.author)
    it.itunes_summary(show.description)
    if show.owner.email:
        # Apple's owner block needs both; without an email it is left out and `check` says so
        it.itunes_owner(name=show.owner.name or show.author, email=show.owner.email)
    it.itunes_category(show.category, show.subcategory or None) if show.subcategory else it.itunes_category(show.category)
    it.itunes_image(base + cover_file)
    it.explicit(show.explicit)
    it.itunes_type(show.type)
    p2 = fg.podcast2
    p2.guid(show.podcast_guid or podcast_guid(feed_url))
    p2.medium("podcast")
    p2.txt(ai_statement(show), purpose="ai-content")
    if show.owner.email:
        p2.locked(show.locked, show.owner.email)
    newest = None
    for record in sorted(records, key=lambda r: (r["published"], r.get("number") or 0), reverse=True):
        published = datetime.fromisoformat(record["published"])
        newest = max(newest, published) if newest else published
        fe = fg.add_entry(order="append")
        fe.guid(record["guid"], permalink=False)
        fe.title(record["title"])
        page = record["files"].get("page")
        fe.link(href=base + page.removesuffix("index.html") if page else f"{base}index.html#{record['slug']}")
        notes = show_notes(record, base, narrator_name(show))
        fe.description(notes)
        fe.content(notes, type="CDATA")
        fe.pubDate(published)
        fe.enclosure(base + record["files"]["mp3"], str(record["audio"]["bytes"]), "audio/mpeg")
        alternate = record.get("alternate")
        if alternate and record["files"].get("opus"):
            # the spec: list the default enclosure too, marked default, then the alternatives
            fe.podcast2.alternate_enclosure(base + record["files"]["mp3"], "audio/mpeg", record["audio"]["bytes"],
                                            show.audio.bitrate * 1000, "Standard quality",
                                            default=True)
            fe.podcast2.alternate_enclosure(base + record["files"]["opus"], alternate["type"], alternate["bytes"],
                                            alternate["bitrate"], "Low bandwidth")
        ie = fe.itunes
        ie.itunes_duration(str(whole_seconds(record["audio"]["duration"])))
        # the writer, or the unit that published it; an unsigned article gets the show's author,
        # who publishes the podcast (never a person's name it does not carry)
        ie.itunes_author(record.get("author") or record.get("organization") or show.author)
        ie.itunes_episode_type(record.get("episode_type") or "full")
        ie.itunes_image(base + cover_file)
        ie.explicit(show.explicit)
        if record.get("number") is not None:
            ie.itunes_episode(record["number"])
        if record.get("season") is not None:
            ie.itunes_season(record["season"])
        pe = fe.podcast2
        lang = show.language
        # parsers that keep one transcript keep the last: the timed WebVTT captions
        pe.transcript(base + record["files"]["html"], "text/html", lang)
        if record["files"].get("json"):  # records published before JSON transcripts have none
            pe.transcript(base + record["files"]["json"], "application/json", lang, "captions")
        pe.transcript(base + record["files"]["srt"], "application/x-subrip", lang, "captions")
        pe.transcript(base + record["files"]["vtt"], "text/vtt", lang, "captions")
        pe.chapters(base + record["files"]["chapters"])
        if record.get("number") is not None:
            pe.episode(record["number"])
        if record.get("season") is not None:
            pe.season(record["season"])
        if record.get("author"):
            pe.person(record["author"], role="author", group="writing")
        pe.person(narrator_name(show), role="narrator", group="cast")
    if newest:
        fg.lastBuildDate(newest)
        fg.pubDate(newest)
    xml = fg.rss_str(pretty=True)
    decl, _, rest = xml.partition(b"?>")
    return decl + b"?>\n" + f'<?xml-stylesheet type="text/xsl" href="{STYLESHEET}"?>'.encode() + rest
