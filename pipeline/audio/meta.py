"""The JSON beside each rendered MP3: what later stages need without decoding audio.

Its shape is `RenderMeta`: duration, bytes, loudness, the start and end of every sentence
(captions, the page's read-along) and of every section (chapters). The feed record is built
from it (`feed.make_record`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, NotRequired, TypedDict

from ..config import Show
from ..files import read_json

if TYPE_CHECKING:
    from ..index import BuildIndex


class Cue(TypedDict):
    start: float
    end: float
    text: str
    section: int
    kind: str
    paragraph: int
    # each written word with its start and end in the episode (captions are cut from these)
    words: NotRequired[list[tuple[str, float, float]]]
    # "aligned": from the engine's own alignments; "estimated": spread by syllables
    timing: NotRequired[str]
    key: NotRequired[str]        # the sentence's clip in the cache
    spoken: NotRequired[str]     # what the voice was given


class Chapter(TypedDict):
    start: float
    end: float
    title: str
    kind: NotRequired[str]    # intro | body | outro
    url: NotRequired[str]     # a digest's story: its article


class Loudness(TypedDict):
    integrated: float
    true_peak: float | None
    target: float


class Alternate(TypedDict):
    """The low-bandwidth copy of the episode (audio/episodes/SLUG.opus)."""

    type: str
    bytes: int
    sha256: str
    bitrate: int          # bits per second
    title: str


class RenderMeta(TypedDict):
    slug: str
    inputs: str
    duration: float
    bytes: int
    mtime_ns: int
    sha256: str
    loudness: Loudness
    channels: int
    sample_rate: int
    cues: list[Cue]
    chapters: list[Chapter]
    rendered: str
    alternate: NotRequired[Alternate]
    # the clips synthesised for this render (the rest came from the cache)
    synthesised: NotRequired[list[str]]
    # for splicing the next edit in (audio/splice.py): what the sound was made under, the gain
    # the mix was given, and the loudness of every 400 ms block (int16 tenths of LU, base64)
    sound: NotRequired[str]
    gain_db: NotRequired[float]
    momentary: NotRequired[str]


def rendered_paths(show: Show, slug: str) -> tuple[Path, Path]:
    return show.rendered_dir / f"{slug}.mp3", show.rendered_dir / f"{slug}.json"


def read_meta(show: Show, slug: str, index: BuildIndex | None = None) -> RenderMeta | None:
    """The timings of a rendered episode, if its MP3 is still the one they describe. With an
    index, a meta file read before and unchanged since is not parsed again."""
    mp3, meta_path = rendered_paths(show, slug)
    if index is not None:
        return index.memo("meta", slug, None, lambda: read_meta(show, slug), files=(meta_path, mp3))
    meta = read_json(meta_path)
    if not meta:
        return None
    try:
        st = mp3.stat()
    except OSError:
        return None
    if st.st_size != meta.get("bytes") or st.st_mtime_ns != meta.get("mtime_ns"):
        return None
    return meta
