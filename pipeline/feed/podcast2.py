"""The Podcasting 2.0 namespace (podcastindex.org/namespace/1.0) as a feedgen extension.

Written the way feedgen's own podcast extension is: a feed class and an entry class, each with
setters and an `extend_rss` that adds the elements to the XML tree feedgen builds.
Register with ``fg.register_extension("podcast2", Podcast2Extension, Podcast2EntryExtension)``.
"""

from __future__ import annotations

import uuid

import lxml.etree  # noqa: F401  feedgen.util uses lxml.etree without importing it
from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.util import xml_elem

# The URI the spec names ("The namespace for this extension is https://podcastindex.org/namespace/1.0")
# and Apple documents for transcripts. Clients must also accept the original GitHub address
# (LEGACY_NS); AntennaPod does, prefix-based parsers (feedparser, Podverse's partytime) read the
# prefix whatever the URI, and only podcastparser 0.6.11 (gPodder) knows the GitHub one alone.
PODCAST_NS = "https://podcastindex.org/namespace/1.0"
LEGACY_NS = "https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/1.0.md"
ACCEPTED_NS = (PODCAST_NS, LEGACY_NS, "https://github.com/podcastindex-org/podcast-namespace/blob/main/docs/1.0.md")
# the namespace UUID the spec fixes for podcast:guid (UUIDv5 of the feed URL)
GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")


def podcast_guid(feed_url: str) -> str:
    """podcast:guid per the spec: UUIDv5 of the feed URL without scheme and trailing slashes."""
    url = feed_url.split("://", 1)[-1].rstrip("/")
    return str(uuid.uuid5(GUID_NAMESPACE, url))


def _person(parent, person: dict) -> None:
    el = xml_elem(f"{{{PODCAST_NS}}}person", parent)
    el.text = person["name"]
    for key in ("role", "group", "img", "href"):
        if person.get(key):
            el.attrib[key] = person[key]


class Podcast2Extension(BaseExtension):
    def __init__(self):
        self.__guid: str | None = None
        self.__locked: tuple[bool, str] | None = None
        self.__persons: list[dict] = []
        self.__medium: str | None = None
        self.__txts: list[tuple[str, str]] = []

    def txt(self, text: str, purpose: str = "") -> list[tuple[str, str]]:
        """podcast:txt: free text with a machine-readable purpose (e.g. "ai-content")."""
        self.__txts.append((text, purpose))
        return self.__txts

    def extend_ns(self):
        return {"podcast": PODCAST_NS}

    def guid(self, value: str | None = None) -> str | None:
        if value is not None:
            uuid.UUID(value)
            self.__guid = value
        return self.__guid

    def locked(self, locked: bool | None = None, owner: str = "") -> tuple[bool, str] | None:
        if locked is not None:
            self.__locked = (bool(locked), owner)
        return self.__locked

    def person(self, name: str, role: str = "host", group: str = "cast", img: str = "", href: str = "") -> list[dict]:
        self.__persons.append({"name": name, "role": role, "group": group, "img": img, "href": href})
        return self.__persons

    def medium(self, value: str | None = None) -> str | None:
        if value is not None:
            self.__medium = value
        return self.__medium

    def extend_rss(self, rss_feed):
        channel = rss_feed[0]
        if self.__guid:
            xml_elem(f"{{{PODCAST_NS}}}guid", channel).text = self.__guid
        if self.__locked is not None:
            el = xml_elem(f"{{{PODCAST_NS}}}locked", channel)
            el.text = "yes" if self.__locked[0] else "no"
            if self.__locked[1]:
                el.attrib["owner"] = self.__locked[1]
        if self.__medium:
            xml_elem(f"{{{PODCAST_NS}}}medium", channel).text = self.__medium
        for p in self.__persons:
            _person(channel, p)
        for text, purpose in self.__txts:
            el = xml_elem(f"{{{PODCAST_NS}}}txt", channel)
            el.text = text
            if purpose:
                el.attrib["purpose"] = purpose
        return rss_feed


class Podcast2EntryExtension(BaseEntryExtension):
    def __init__(self):
        self.__transcripts: list[dict] = []
        self.__chapters: dict | None = None
        self.__season: tuple[int, str] | None = None
        self.__episode: tuple[int | float, str] | None = None
        self.__persons: list[dict] = []
        self.__alternates: list[dict] = []

    def alternate_enclosure(self, url: str, type: str, length: int, bitrate: int = 0, title: str = "",
                            default: bool = False) -> list[dict]:
        """podcast:alternateEnclosure with one podcast:source: the same episode in another file."""
        self.__alternates.append({"url": url, "type": type, "length": str(int(length)),
                                  "bitrate": str(int(bitrate)) if bitrate else "", "title": title[:32],
                                  "default": "true" if default else ""})
        return self.__alternates

    def extend_ns(self):
        return {"podcast": PODCAST_NS}

    def transcript(self, url: str, type: str, language: str = "", rel: str = "") -> list[dict]:
        self.__transcripts.append({"url": url, "type": type, "language": language, "rel": rel})
        return self.__transcripts

    def chapters(self, url: str | None = None, type: str = "application/json+chapters") -> dict | None:
        if url is not None:
            self.__chapters = {"url": url, "type": type}
        return self.__chapters

    def season(self, number: int | None = None, name: str = "") -> tuple[int, str] | None:
        if number is not None:
            self.__season = (int(number), name)
        return self.__season

    def episode(self, number: int | float | None = None, display: str = "") -> tuple | None:
        if number is not None:
            self.__episode = (number, display)
        return self.__episode

    def person(self, name: str, role: str = "host", group: str = "cast", img: str = "", href: str = "") -> list[dict]:
        self.__persons.append({"name": name, "role": role, "group": group, "img": img, "href": href})
        return self.__persons

    def extend_rss(self, entry):
        for t in self.__transcripts:
            el = xml_elem(f"{{{PODCAST_NS}}}transcript", entry)
            for key in ("url", "type", "language", "rel"):
                if t.get(key):
                    el.attrib[key] = t[key]
        if self.__chapters:
            el = xml_elem(f"{{{PODCAST_NS}}}chapters", entry)
            el.attrib["url"] = self.__chapters["url"]
            el.attrib["type"] = self.__chapters["type"]
        if self.__season is not None:
            el = xml_elem(f"{{{PODCAST_NS}}}season", entry)
            el.text = str(self.__season[0])
            if self.__season[1]:
                el.attrib["name"] = self.__season[1]
        for alt in self.__alternates:
            el = xml_elem(f"{{{PODCAST_NS}}}alternateEnclosure", entry)
            for key in ("type", "length", "bitrate", "title", "default"):
                if alt.get(key):
                    el.attrib[key] = alt[key]
            xml_elem(f"{{{PODCAST_NS}}}source", el).attrib["uri"] = alt["url"]
        if self.__episode is not None:
            el = xml_elem(f"{{{PODCAST_NS}}}episode", entry)
            el.text = str(self.__episode[0])
            if self.__episode[1]:
                el.attrib["display"] = self.__episode[1]
        for p in self.__persons:
            _person(entry, p)
        return entry
