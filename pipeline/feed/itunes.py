"""feedgen's itunes extension, with Apple's current values for itunes:explicit (true/false).

feedgen 1.0 only writes the legacy yes/no/clean; Apple's spec now documents true/false. The
subclass keeps everything else feedgen does and replaces that one element.
"""

from __future__ import annotations

import lxml.etree  # noqa: F401  feedgen.util uses lxml.etree without importing it
from feedgen.ext.podcast import PodcastExtension
from feedgen.ext.podcast_entry import PodcastEntryExtension
from feedgen.util import xml_elem

ITUNES_NS = "http://www.itunes.com/dtds/podcast-1.0.dtd"


def _set_explicit(parent, value: bool | None) -> None:
    if value is None:
        return
    for old in parent.findall(f"{{{ITUNES_NS}}}explicit"):
        parent.remove(old)
    xml_elem(f"{{{ITUNES_NS}}}explicit", parent).text = "true" if value else "false"


class _Explicit:
    """itunes:explicit as Apple documents it now: true or false."""

    _explicit: bool | None = None

    def explicit(self, value: bool | None = None) -> bool | None:
        if value is not None:
            self._explicit = bool(value)
        return self._explicit


class ItunesExtension(_Explicit, PodcastExtension):
    def extend_rss(self, rss_feed):
        rss_feed = super().extend_rss(rss_feed)
        _set_explicit(rss_feed[0], self._explicit)
        return rss_feed


class ItunesEntryExtension(_Explicit, PodcastEntryExtension):
    def extend_rss(self, entry):
        entry = super().extend_rss(entry)
        _set_explicit(entry, self._explicit)
        return entry
