"""The record that crosses from the audio stage to the feed stage: one per published episode."""

from __future__ import annotations

from typing import NotRequired, TypedDict

from ..audio.meta import Alternate, Chapter, Cue, Loudness


class AudioInfo(TypedDict):
    sha256: str
    bytes: int
    duration: float
    loudness: Loudness


class Files(TypedDict):
    mp3: str
    vtt: str
    srt: str
    txt: str
    html: str
    chapters: str
    json: str                # the Podcasting 2.0 JSON transcript
    opus: NotRequired[str]   # the low-bandwidth copy, when the show makes one
    page: NotRequired[str]   # the episode's own page


class EpisodeRecord(TypedDict):
    """What the feed stage knows of an episode: its metadata, its rendered audio's facts and the
    names of its published files. Kept in .readcast/published.json, so a failed episode keeps its
    last published record."""

    slug: str
    guid: str
    title: str
    number: int | None
    season: int | None
    episode_type: str
    published: str
    author: str
    organization: str
    series: str
    summary: str
    teaser: str
    dateline: str
    source_url: str
    source: str
    audio: AudioInfo
    cues: list[Cue]
    chapters: list[Chapter]
    files: Files
    alternate: NotRequired[Alternate]
