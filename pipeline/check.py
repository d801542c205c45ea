"""`readcast check`: validate feed/ against Apple's RSS rules and the mistakes real feeds make.

One Problem per finding, each naming the file and saying how to fix it. Run at the end of every
build; also usable on any feed folder (the table-driven tests feed it deliberately broken ones).
"""

from __future__ import annotations

import email.utils
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlparse

from .config import Show

ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
ATOM = "http://www.w3.org/2005/Atom"
NS = {"itunes": ITUNES, "atom": ATOM}

# Apple Podcasts categories and subcategories (Podcasts Connect, 2024 list)
APPLE_CATEGORIES: dict[str, set[str]] = {
    "Arts": {"Books", "Design", "Fashion & Beauty", "Food", "Performing Arts", "Visual Arts"},
    "Business": {"Careers", "Entrepreneurship", "Investing", "Management", "Marketing", "Non-Profit"},
    "Comedy": {"Comedy Interviews", "Improv", "Stand-Up"},
    "Education": {"Courses", "How To", "Language Learning", "Self-Improvement"},
    "Fiction": {"Comedy Fiction", "Drama", "Science Fiction"},
    "Government": set(),
    "History": set(),
    "Health & Fitness": {"Alternative Health", "Fitness", "Medicine", "Mental Health", "Nutrition", "Sexuality"},
    "Kids & Family": {"Education for Kids", "Parenting", "Pets & Animals", "Stories for Kids"},
    "Leisure": {"Animation & Manga", "Automotive", "Aviation", "Crafts", "Games", "Hobbies", "Home & Garden",
                "Video Games"},
    "Music": {"Music Commentary", "Music History", "Music Interviews"},
    "News": {"Business News", "Daily News", "Entertainment News", "News Commentary", "Politics", "Sports News",
             "Tech News"},
    "Religion & Spirituality": {"Buddhism", "Christianity", "Hinduism", "Islam", "Judaism", "Religion", "Spirituality"},
    "Science": {"Astronomy", "Chemistry", "Earth Sciences", "Life Sciences", "Mathematics", "Natural Sciences",
                "Nature", "Physics", "Social Sciences"},
    "Society & Culture": {"Documentary", "Personal Journals", "Philosophy", "Places & Travel", "Relationships"},
    "Sports": {"Baseball", "Basketball", "Cricket", "Fantasy Sports", "Football", "Golf", "Hockey", "Rugby",
               "Running", "Soccer", "Swimming", "Tennis", "Volleyball", "Wilderness", "Wrestling"},
    "Technology": set(),
    "True Crime": set(),
    "TV & Film": {"After Shows", "Film History", "Film Interviews", "Film Reviews", "TV Reviews"},
}
_BAD_XML_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_NUMBER_IN_TITLE = re.compile(r"(?i)\b(?:part|episode|ep\.?|no\.)\s*\d+\b|^#?\d+\s*[:.\-]|\(\s*part\s+\d+\s*\)")
_VTT_TS = re.compile(r"^(?:(\d{2,}):)?(\d{2}):(\d{2})\.(\d{3})$")


@dataclass(frozen=True)
class Problem:
    severity: str  # error | warning
    path: str
    message: str
    rule: str

    def __str__(self) -> str:
        return f"{self.severity.capitalize()}: {self.path}: {self.message} [{self.rule}]"


class _Collector:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def error(self, path: str, rule: str, message: str) -> None:
        self.problems.append(Problem("error", path, message, rule))

    def warn(self, path: str, rule: str, message: str) -> None:
        self.problems.append(Problem("warning", path, message, rule))


def _local(feed_dir: Path, base_url: str, url: str) -> Path | None:
    """The file under feed/ that a URL in the feed refers to, when it is one of ours."""
    if not url or not base_url or not url.startswith(base_url):
        return None
    rel = urlparse(url[len(base_url):]).path
    path = (feed_dir / rel).resolve()
    return path if feed_dir.resolve() in path.parents else None


def _vtt_seconds(ts: str) -> float | None:
    m = _VTT_TS.match(ts.strip())
    if not m:
        return None
    h = int(m.group(1) or 0)
    return h * 3600 + int(m.group(2)) * 60 + int(m.group(3)) + int(m.group(4)) / 1000


def check_transcript_json(text: str, name: str, duration: float | None, out: _Collector) -> int:
    """A Podcasting 2.0 JSON transcript: segments with a body, in order, never overlapping."""
    try:
        data = json.loads(text)
        segments = data["segments"]
        assert isinstance(segments, list)
    except (ValueError, KeyError, TypeError, AssertionError):
        out.error(name, "json-transcript", "is not a JSON transcript ({\"segments\": [...]}); regenerate it with readcast build")
        return 0
    prev_end = 0.0
    for n, seg in enumerate(segments, 1):
        try:
            start, end, body = float(seg["startTime"]), float(seg["endTime"]), str(seg["body"])
        except (KeyError, TypeError, ValueError):
            out.error(name, "json-transcript", f"segment {n} lacks startTime, endTime or body")
            continue
        if end <= start or start < prev_end - 0.0005:
            out.error(name, "json-transcript", f"segment {n} ({start:.3f}-{end:.3f} s) overlaps the one before or ends first")
        if duration is not None and end > duration + 0.5:
            out.error(name, "json-transcript", f"segment {n} ends at {end:.2f} s, after the audio ({duration:.2f} s)")
        if not body.strip():
            out.error(name, "json-transcript", f"segment {n} is empty")
        prev_end = end
    if not segments:
        out.error(name, "json-transcript", "has no segments")
    return len(segments)


def check_vtt(text: str, name: str, duration: float | None, out: _Collector) -> int:
    """Validate a WebVTT file; returns the number of cues."""
    lines = text.replace("\r\n", "\n").split("\n")
    if not lines or not lines[0].startswith("WEBVTT"):
        out.error(name, "vtt-header", "does not start with WEBVTT; regenerate it with readcast build")
        return 0
    cues = 0
    prev_start = -1.0
    for n, line in enumerate(lines, 1):
        if "-->" not in line:
            continue
        left, _, right = line.partition("-->")
        start, end = _vtt_seconds(left), _vtt_seconds(right.split()[0] if right.split() else "")
        if start is None or end is None:
            out.error(name, "vtt-timestamp", f"line {n}: bad timestamp {line.strip()!r}")
            continue
        cues += 1
        if end <= start:
            out.error(name, "vtt-order", f"line {n}: cue ends before it starts")
        if start < prev_start:
            out.error(name, "vtt-order", f"line {n}: cue starts before the previous one")
        if duration is not None and end > duration + 0.5:
            out.error(name, "vtt-range", f"line {n}: cue ends at {end:.2f} s, after the audio ({duration:.2f} s)")
        prev_start = start
    if cues == 0:
        out.error(name, "vtt-empty", "has no cues")
    return cues


@dataclass
class _Feed:
    """What every rule reads: the parsed channel, where the site is, and what earlier items used."""

    channel: Any
    feed_dir: Path
    base_url: str
    out: _Collector
    target_lufs: float | None
    deep: bool
    guids: dict[str, int] = field(default_factory=dict)
    urls: dict[str, int] = field(default_factory=dict)
    podcast_ns: list[str] = field(default_factory=list)  # the podcast: URIs this feed uses
    name: str = "feed.xml"


def _t(el: Any, path: str) -> str:
    found = el.find(path, NS)
    return (found.text or "").strip() if found is not None and found.text else ""


def _channel_text(f: _Feed) -> None:
    ch, name, out = f.channel, f.name, f.out
    for tag in ("title", "description", "language", "link"):
        if not _t(ch, tag):
            out.error(name, f"channel-{tag}", f"channel has no <{tag}>; set it in show.toml")
    if len(_t(ch, "description").encode()) > 4000:
        out.error(name, "description-length", "channel description is over 4000 bytes; shorten it in show.toml")
    if not _t(ch, "itunes:author"):
        out.error(name, "itunes-author", "channel has no itunes:author; set author in show.toml")
    owner = ch.find("itunes:owner", NS)
    if owner is None or not _t(owner, "itunes:email"):
        out.warn(name, "itunes-owner", "no itunes:owner email; Apple requires one: set [owner] email in show.toml")
    explicit = _t(ch, "itunes:explicit")
    if explicit not in ("true", "false"):
        out.error(name, "itunes-explicit", f"itunes:explicit is {explicit or 'missing'}; it must be true or false")
    if _t(ch, "itunes:type") not in ("episodic", "serial"):
        out.warn(name, "itunes-type", "itunes:type should be episodic or serial")
    if not [link for link in ch.findall("atom:link", NS) if link.get("rel") == "self"]:
        out.error(name, "atom-self", "no atom:link rel=\"self\"")


def _channel_categories(f: _Feed) -> None:
    cats = f.channel.findall("itunes:category", NS)
    if not cats:
        f.out.error(f.name, "itunes-category", "no itunes:category; set category in show.toml")
    for cat in cats:
        top = cat.get("text", "")
        if top not in APPLE_CATEGORIES:
            f.out.error(f.name, "itunes-category", f"category {top!r} is not an Apple Podcasts category")
        for sub in cat.findall("itunes:category", NS):
            if sub.get("text") not in APPLE_CATEGORIES.get(top, set()):
                f.out.error(f.name, "itunes-category", f"subcategory {sub.get('text')!r} is not under {top!r}")


def _channel_artwork(f: _Feed) -> None:
    image = f.channel.find("itunes:image", NS)
    if image is None or not image.get("href"):
        f.out.error(f.name, "artwork", "no itunes:image; set artwork in show.toml")
        return
    local = _local(f.feed_dir, f.base_url, image.get("href", ""))
    if local is None:
        return
    if not local.is_file():
        f.out.error(f.name, "artwork", f"itunes:image {image.get('href')} is not in feed/")
        return
    from .artwork import check_image
    from .errors import ReadcastError

    try:
        _mime, _w, _h, issues = check_image(local.read_bytes(), local)
    except ReadcastError as exc:
        issues = [str(exc)]
    for issue in issues:
        f.out.error(local.name, "artwork", issue)


def _item_title(f: _Feed, item: Any, i: int, where: str) -> None:
    title = _t(item, "title")
    if not title:
        f.out.error(where, "item-title", "has no title")
    elif _NUMBER_IN_TITLE.search(title):
        f.out.warn(where, "title-number", "the title holds an episode number; Apple wants it in itunes:episode only")


def _item_guid(f: _Feed, item: Any, i: int, where: str) -> None:
    guid = item.find("guid")
    if guid is None or not (guid.text or "").strip():
        f.out.error(where, "guid", "has no guid")
        return
    g = guid.text.strip()
    if g in f.guids:
        f.out.error(where, "guid-duplicate", f"guid {g} is also item {f.guids[g]}'s; apps would merge or drop them")
    f.guids[g] = i
    if guid.get("isPermaLink", "true") != "false" and not g.startswith("http"):
        f.out.error(where, "guid-permalink", "guid is not a URL, so it needs isPermaLink=\"false\"")


def _item_pubdate(f: _Feed, item: Any, i: int, where: str) -> None:
    pub = _t(item, "pubDate")
    if not pub:
        f.out.error(where, "pubdate", "has no pubDate")
        return
    parsed = email.utils.parsedate_tz(pub)
    if parsed is None:
        f.out.error(where, "pubdate", f"pubDate {pub!r} is not RFC 2822")
    elif parsed[9] is None or not re.search(r"([+-]\d{4}|GMT|UT|UTC|[ECMP][SD]T)\s*$", pub):
        f.out.error(where, "pubdate-timezone", f"pubDate {pub!r} has no time zone")


def _item_enclosure(f: _Feed, item: Any, i: int, where: str) -> None:
    out = f.out
    enc = item.find("enclosure")
    if enc is None:
        out.error(where, "enclosure", "has no enclosure")
        return
    url, length, mime = enc.get("url", ""), enc.get("length", ""), enc.get("type", "")
    if not url.startswith(("http://", "https://")):
        out.error(where, "enclosure-url", f"enclosure url {url!r} is not absolute http(s)")
    if url in f.urls:
        out.error(where, "enclosure-duplicate", f"enclosure url is also item {f.urls[url]}'s")
    f.urls[url] = i
    if mime not in ("audio/mpeg", "audio/x-m4a", "audio/mp4", "audio/aac", "audio/ogg", "audio/opus"):
        out.error(where, "enclosure-type", f"enclosure type {mime!r} is not an audio type apps play")
    if not length.isdigit() or int(length) <= 0:
        out.error(where, "enclosure-length", f"enclosure length {length!r} is not a byte count")
    local = _local(f.feed_dir, f.base_url, url)
    if local is None:
        out.warn(where, "enclosure-unmapped", f"{url} is not under the site's base {f.base_url}; "
                                              "its file and byte count could not be checked")
    elif not local.is_file():
        out.error(where, "enclosure-missing", f"{url} is not in feed/")
    elif length.isdigit() and int(length) != local.stat().st_size:
        out.error(where, "enclosure-length", f"enclosure length {length} but the file has {local.stat().st_size} bytes")
    elif f.deep and f.target_lufs is not None:
        from .audio.ffmpeg import measure_file
        from .audio.loudness import within_spec

        lufs, peak = measure_file(local)
        if not within_spec(lufs, f.target_lufs):
            out.error(where, "loudness", f"integrated loudness {lufs:.1f} LUFS, target {f.target_lufs:.0f}")
        if peak > -1.0:
            out.error(where, "true-peak", f"true peak {peak:.1f} dBTP is above -1.0")


def _item_itunes(f: _Feed, item: Any, i: int, where: str) -> None:
    duration = _t(item, "itunes:duration")
    if not duration:
        f.out.warn(where, "itunes-duration", "has no itunes:duration")
    elif not duration.isdigit():
        f.out.warn(where, "itunes-duration", f"itunes:duration {duration!r} should be whole seconds")
    if item.find("itunes:episodeType", NS) is None:
        f.out.warn(where, "episode-type", "has no itunes:episodeType")
    ep = _t(item, "itunes:episode")
    if ep and not ep.isdigit():
        f.out.error(where, "itunes-episode", f"itunes:episode {ep!r} is not a whole number")
    ex = _t(item, "itunes:explicit")
    if ex and ex not in ("true", "false"):
        f.out.error(where, "itunes-explicit", f"itunes:explicit is {ex!r}; use true or false")


def _channel_podcast_namespace(f: _Feed) -> None:
    """The podcast: namespace under the URI the spec names, or the GitHub one clients must also
    accept; anything like them (a trailing slash, http:, a typo) and podcast: tags go unread."""
    from .feed.podcast2 import ACCEPTED_NS, PODCAST_NS

    root = f.channel.getroottree().getroot()
    declared = {prefix: uri for el in root.iter() if isinstance(el.tag, str) for prefix, uri in el.nsmap.items()}
    for prefix, uri in sorted(declared.items(), key=lambda kv: str(kv[0])):
        looks_like = "podcastindex" in uri.lower() or "podcast-namespace" in uri.lower() or prefix == "podcast"
        if looks_like and uri not in ACCEPTED_NS:
            f.out.warn(f.name, "podcast-namespace",
                       f"xmlns:{prefix}={uri!r} is not the podcast namespace, so apps ignore its tags; "
                       f"use {PODCAST_NS!r}")
    f.podcast_ns = [uri for uri in declared.values() if uri in ACCEPTED_NS]


def _item_transcripts(f: _Feed, item: Any, i: int, where: str) -> None:
    duration = _t(item, "itunes:duration")
    seconds = float(duration) if duration.isdigit() else None
    for tr in [el for ns in f.podcast_ns for el in item.findall(f"{{{ns}}}transcript")]:
        local = _local(f.feed_dir, f.base_url, tr.get("url", ""))
        if local is None:
            continue
        if not local.is_file():
            f.out.error(where, "transcript-missing", f"{tr.get('url')} is not in feed/")
        elif tr.get("type") == "text/vtt":
            check_vtt(local.read_text(encoding="utf-8", errors="replace"), local.name, seconds, f.out)
        elif tr.get("type") == "application/json":
            check_transcript_json(local.read_text(encoding="utf-8", errors="replace"), local.name, seconds, f.out)


def _podcast(el: Any, f: _Feed, tag: str) -> list[Any]:
    return [x for ns in f.podcast_ns for x in el.findall(f"{{{ns}}}{tag}")]


def _channel_txt(f: _Feed) -> None:
    """podcast:txt: at most 4,000 characters, a purpose of at most 128."""
    for el in _podcast(f.channel, f, "txt"):
        text, purpose = (el.text or "").strip(), el.get("purpose", "")
        if not text or len(text) > 4000:
            f.out.error(f.name, "podcast-txt", f"podcast:txt must hold 1-4000 characters, not {len(text)}")
        if len(purpose) > 128:
            f.out.error(f.name, "podcast-txt", f"podcast:txt purpose is {len(purpose)} characters; at most 128")


def _item_alternates(f: _Feed, item: Any, i: int, where: str) -> None:
    """podcast:alternateEnclosure: a type, a byte length, a numeric bitrate, at least one
    podcast:source with a uri, at most one default; a file of ours is there with that length."""
    alternates = _podcast(item, f, "alternateEnclosure")
    if sum(1 for a in alternates if a.get("default") == "true") > 1:
        f.out.error(where, "alternate-enclosure", "more than one podcast:alternateEnclosure is default")
    for a in alternates:
        mime, length, bitrate = a.get("type", ""), a.get("length", ""), a.get("bitrate", "")
        if not mime:
            f.out.error(where, "alternate-enclosure", "a podcast:alternateEnclosure has no type")
        if length and not length.isdigit():
            f.out.error(where, "alternate-enclosure", f"alternateEnclosure length {length!r} is not a byte count")
        if bitrate and not re.fullmatch(r"\d+(\.\d+)?", bitrate):
            f.out.error(where, "alternate-enclosure", f"alternateEnclosure bitrate {bitrate!r} is not a number")
        if a.get("default") not in (None, "true", "false"):
            f.out.error(where, "alternate-enclosure", f"alternateEnclosure default {a.get('default')!r} is not true or false")
        sources = [x.get("uri", "") for x in _podcast(a, f, "source")]
        if not sources or not all(sources):
            f.out.error(where, "alternate-enclosure", f"the {mime or 'untyped'} alternateEnclosure has no podcast:source uri")
        for uri in sources:
            local = _local(f.feed_dir, f.base_url, uri)
            if local is None:
                continue
            if not local.is_file():
                f.out.error(where, "alternate-missing", f"{uri} is not in feed/")
            elif length.isdigit() and int(length) != local.stat().st_size:
                f.out.error(where, "alternate-length", f"alternateEnclosure length {length} but the file has "
                                                       f"{local.stat().st_size} bytes")


def _item_chapters(f: _Feed, item: Any, i: int, where: str) -> None:
    """podcast:chapters: a JSON chapters file (version, chapters with numeric startTime in order,
    absolute url and img where given)."""
    for el in _podcast(item, f, "chapters"):
        local = _local(f.feed_dir, f.base_url, el.get("url", ""))
        if local is None:
            continue
        if not local.is_file():
            f.out.error(where, "chapters-missing", f"{el.get('url')} is not in feed/")
            continue
        try:
            data = json.loads(local.read_text(encoding="utf-8"))
            chapters = data["chapters"]
            assert isinstance(chapters, list) and "version" in data
        except (ValueError, KeyError, AssertionError, TypeError):
            f.out.error(where, "chapters-json", f"{local.name} is not JSON chapters ({{version, chapters}})")
            continue
        prev = -1.0
        for n, c in enumerate(chapters, 1):
            start = c.get("startTime") if isinstance(c, dict) else None
            if not isinstance(start, (int, float)) or start < prev:
                f.out.error(where, "chapters-json", f"{local.name}: chapter {n} has no startTime in order")
                continue
            prev = start
            for key in ("url", "img"):
                if key in c and not str(c[key]).startswith(("http://", "https://")):
                    f.out.error(where, "chapters-json", f"{local.name}: chapter {n}'s {key} is not an http(s) URL")


def _item_link(f: _Feed, item: Any, i: int, where: str) -> None:
    """The item's <link> (its page), when it is on this site, exists."""
    link = _t(item, "link")
    local = _local(f.feed_dir, f.base_url, link)
    if local is not None and link.endswith("/"):
        local = local / "index.html"
    if local is not None and "#" not in link and not local.is_file():
        f.out.error(where, "item-link", f"its page {link} is not in feed/")


# the rules, in the order their findings are reported; a new rule is a function and a line here
CHANNEL_RULES: list[Callable[[_Feed], None]] = [_channel_text, _channel_categories, _channel_artwork,
                                                 _channel_podcast_namespace, _channel_txt]
ITEM_RULES: list[Callable[[_Feed, Any, int, str], None]] = [
    _item_title, _item_guid, _item_pubdate, _item_enclosure, _item_itunes, _item_transcripts, _item_alternates,
    _item_chapters, _item_link]


def check_feed_xml(data: bytes, feed_dir: Path, base_url: str, out: _Collector,
                   target_lufs: float | None = None, deep: bool = False) -> None:
    from lxml import etree

    name = "feed.xml"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        out.error(name, "encoding", "is not UTF-8")
        return
    if _BAD_XML_CHARS.search(text):
        out.error(name, "xml-chars", "holds characters XML 1.0 forbids (control characters); rebuild to strip them")
    try:
        root = etree.fromstring(data, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as exc:
        out.error(name, "xml", f"is not well-formed XML ({exc})")
        return
    channel = root.find("channel")
    if root.tag != "rss" or channel is None:
        out.error(name, "rss", "is not an RSS 2.0 document (<rss><channel>)")
        return
    feed = _Feed(channel, feed_dir, base_url, out, target_lufs, deep)
    for rule in CHANNEL_RULES:
        rule(feed)
    items = channel.findall("item")
    if not items:
        out.warn(name, "items", "the feed has no episodes yet")
    for i, item in enumerate(items, 1):
        where = f"{name} item {i} ({_t(item, 'title')[:40] or 'untitled'})"
        for item_rule in ITEM_RULES:
            item_rule(feed, item, i, where)


def _parse(data: bytes) -> Any | None:
    from lxml import etree

    try:
        return etree.fromstring(data, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError:
        return None


def _self_base(root: Any) -> str:
    """The site's own base URL, from the feed's atom:link rel="self" (a site built with --base-url
    or served by `readcast serve` names itself there, not in show.toml)."""
    for link in root.iterfind("channel/{http://www.w3.org/2005/Atom}link"):
        href = link.get("href", "")
        if link.get("rel") == "self" and href.endswith("/feed.xml"):
            return href[: -len("feed.xml")]
    return ""


def check_site(show: Show, deep: bool = False, feed_dir: Path | None = None, base_url: str | None = None) -> list[Problem]:
    feed_dir = feed_dir or show.feed_dir
    out = _Collector()
    path = feed_dir / "feed.xml"
    try:
        data = path.read_bytes()
    except OSError:
        out.error("feed.xml", "missing", "feed/feed.xml does not exist; run readcast build")
        return out.problems
    root = _parse(data)  # None when it is not XML: check_feed_xml says so
    base = base_url or (_self_base(root) if root is not None else "") or show.base_url
    check_feed_xml(data, feed_dir, base, out, show.audio.target_lufs, deep)
    if root is not None:
        _check_page_agrees(feed_dir, root, out)
    _check_superseded(show, out)
    if not deep:
        _check_recorded_loudness(show, out)
    return out.problems


def _check_page_agrees(feed_dir: Path, root: Any, out: _Collector) -> None:
    """The index pages (index.html, page-2.html, ...) together must offer exactly the episodes
    feed.xml lists (a half-written site shows both), and archive.html must link each one's page."""
    from lxml import etree, html

    pages = [feed_dir / "index.html", *sorted(feed_dir.glob("page-*.html"))]
    on_page: set[str] = set()
    for page in pages:
        try:
            doc = html.fromstring(page.read_bytes())
        except (OSError, etree.ParserError, ValueError):
            if page.exists():
                out.error(page.name, "page", "cannot be read as HTML; rebuild with readcast build")
            return
        on_page |= {u.rsplit("/", 1)[-1] for u in doc.xpath("//audio/@src | //audio/source/@src")}
    in_feed = {u.rsplit("/", 1)[-1] for u in root.xpath("channel/item/enclosure/@url")}
    for name in sorted(in_feed - on_page):
        out.error("index.html", "page-feed", f"does not offer {name}, which feed.xml lists; rebuild with readcast build")
    for name in sorted(on_page - in_feed):
        out.error("index.html", "page-feed", f"offers {name}, which feed.xml does not list; rebuild with readcast build")
    archive = feed_dir / "archive.html"
    if archive.exists():
        try:
            listed = {h.strip("/").rsplit("/", 1)[-1] for h in html.fromstring(archive.read_bytes()).xpath("//ul[@class='archive']/li/a/@href")}
        except (OSError, etree.ParserError, ValueError):
            out.error("archive.html", "page", "cannot be read as HTML; rebuild with readcast build")
            return
        linked = {u.strip("/").rsplit("/", 1)[-1] for u in root.xpath("channel/item/link/text()")}
        for slug in sorted(linked - listed):
            out.error("archive.html", "page-feed", f"does not list {slug}, which feed.xml links; rebuild with readcast build")


def _check_superseded(show: Show, out: _Collector) -> None:
    import time

    from .feed import superseded

    grace = show.publish.grace_days * 86400
    for name, since in sorted(superseded(show).items()):
        if time.time() - since >= grace and (show.feed_dir / name).exists():
            out.warn(name, "superseded", f"was replaced over {show.publish.grace_days:g} days ago; "
                                         "run readcast clean to delete it")


def _check_recorded_loudness(show: Show, out: _Collector) -> None:
    """Loudness measured when each episode was mixed (cheap; --deep measures the MP3s again)."""
    from .audio.loudness import within_spec
    from .feed import load_published

    for slug, record in sorted(load_published(show).items()):
        loud = record.get("audio", {}).get("loudness") or {}
        lufs, target = loud.get("integrated"), loud.get("target")
        if lufs is not None and target is not None and not within_spec(lufs, target):
            out.error(f"{slug}.mp3", "loudness", f"integrated loudness {lufs:.1f} LUFS, target {target:.0f}; rebuild it")
        peak = loud.get("true_peak")
        if peak is not None and peak > show.audio.true_peak:
            out.error(f"{slug}.mp3", "true-peak", f"true peak {peak:.1f} dBTP is above {show.audio.true_peak}")
