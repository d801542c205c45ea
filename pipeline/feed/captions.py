"""Transcripts from the real clip timings: WebVTT and SRT captions, plain text, JSON chapters.

Cue text is the written form of each sentence (what the article says), timed to where the mix
actually placed the sentence's audio.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..audio.meta import Chapter, Cue


def _ts(seconds: float, comma: bool = False) -> str:
    ms = int(round(max(0.0, seconds) * 1000))
    h, rem = divmod(ms, 3_600_000)
    m, rem = divmod(rem, 60_000)
    s, ms = divmod(rem, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{',' if comma else '.'}{ms:03d}"


def _vtt_text(text: str) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return " ".join(text.replace("-->", "\u2192").split())


def vtt(cues: list[Cue], title: str = "") -> str:
    out = ["WEBVTT" + (f" - {_vtt_text(title)}" if title else ""), ""]
    for i, c in enumerate(cues, 1):
        out += [f"s{i}", f"{_ts(c['start'])} --> {_ts(c['end'])}", _vtt_text(c["text"]), ""]
    return "\n".join(out)


def srt(cues: list[Cue]) -> str:
    out = []
    for i, c in enumerate(cues, 1):
        text = " ".join(c["text"].replace("-->", "\u2192").split())
        out += [str(i), f"{_ts(c['start'], True)} --> {_ts(c['end'], True)}", text, ""]
    return "\n".join(out)


def plain(cues: list[Cue], heading: str) -> str:
    """Paragraphs as the listener hears them, one blank line between paragraphs."""
    out = [heading, ""]
    prev = None
    para: list[str] = []
    for c in cues:
        key = (c.get("section"), c.get("paragraph"))
        if prev is not None and key != prev and para:
            out += [" ".join(para), ""]
            para = []
        para.append(c["text"])
        prev = key
    if para:
        out.append(" ".join(para))
    return "\n".join(out).rstrip() + "\n"


def chapters_json(chapters: list[Chapter]) -> str:
    """The podcast namespace's JSON chapters format (version 1.2.0)."""
    return json.dumps({"version": "1.2.0",
                       "chapters": [{"startTime": round(c["start"], 3), "endTime": round(c["end"], 3),
                                     "title": c["title"]} for c in chapters]}, indent=2, ensure_ascii=False) + "\n"


def whole_seconds(seconds: float) -> int:
    """The one rounding rule for every duration a listener reads (feed, page, tags): half up,
    so the page never says 0:49 where the feed says 50 s."""
    return int(max(0.0, seconds) + 0.5)


def timestamp(seconds: float) -> str:
    s = whole_seconds(seconds)
    h, rem = divmod(s, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"
