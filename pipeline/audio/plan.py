"""Which sentences of an episode need synthesis (clip cache misses), and whether it is stale."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..config import Show
from ..episodes import Episode
from ..errors import AudioError
from ..files import code_digest, digest, sha256_text
from ..scripts.model import Script
from ..scripts.spoken import Narrator, written_form
from .cache import ClipCache
from .meta import RenderMeta, read_meta, rendered_paths
from .mix import Line

if TYPE_CHECKING:
    from ..index import BuildIndex

AUDIO_VERSION = "3"


@dataclass
class AudioPlan:
    ep: Episode
    lines: list[Line]
    inputs: str
    mp3: Path
    meta: Path
    current: bool
    missing: list[str] = field(default_factory=list)  # clip keys to synthesise
    # what the sound depends on besides the sentences (settings, music, the mixing code): an
    # edit made under the same `sound` can be spliced into the last render
    sound: str = ""
    # the last render's metadata while its MP3 is the one it describes (else None)
    previous: RenderMeta | None = None
    # clips cached at another sample rate (the show's rate changed): made from those by resampling
    # instead of synthesised again (key -> the cached key)
    adopt: dict[str, str] = field(default_factory=dict)


def asset_key(show: Show, hashes=None) -> list:
    from ..files import HashCache

    hashes = hashes or HashCache(show.state_dir)
    out: list[list | None] = []
    for name in (show.audio.intro, show.audio.outro):
        if not name:
            out.append(None)
            continue
        path = show.path(name)
        try:
            out.append([name, hashes.sha256(path)])
        except OSError:
            raise AudioError("cannot be read", path,
                             "fix the path in show.toml [audio], or set it to \"\" for no music") from None
    return out


def clip_identity(show: Show, engine, narrator: Narrator) -> dict:
    """What a clip's sound depends on besides its spoken text: the engine and voice and the mix's
    sample rate (clips are stored at it, so mixing never resamples). Not the lexicon or the
    normaliser: they change a clip only by changing its spoken text, which the key holds, so a
    lexicon entry re-synthesises just the sentences whose spoken text it changes."""
    return dict(engine.identity(), rate=show.audio.sample_rate)


def make_lines(script: Script, narrator: Narrator, identity: dict, phonemes: bool) -> list[Line]:
    lines = []
    for s_index, section in enumerate(script.sections):
        for p_index, paragraph in enumerate(section.paragraphs):
            for sentence in paragraph:
                spoken = narrator.speak(sentence, phonemes=phonemes)
                if not spoken.strip(" .,;:!?\"'"):
                    continue
                key = ClipCache.key(identity, spoken)
                lines.append(Line(s_index, section.kind, section.title, p_index,
                                  written_form(sentence), spoken, key))
    return lines


def plan_audio(show: Show, ep: Episode, script: Script, narrator: Narrator, identity: dict,
               phonemes: bool, cache: ClipCache, assets: list, cover_key: str,
               index: BuildIndex | None = None, text: str = "") -> AudioPlan:
    """`text` is the script file's text: with an index, the sentences of a script read before
    are not normalised again."""
    if index is not None and text:
        lines = index.memo("lines", ep.slug, (sha256_text(text), narrator.key, identity, phonemes),
                           lambda: make_lines(script, narrator, identity, phonemes))
    else:
        lines = make_lines(script, narrator, identity, phonemes)
    a = show.audio
    settings = [a.channels, a.sample_rate, a.bitrate, a.encoder_quality, a.low_bandwidth, a.low_bandwidth_kbps,
                a.target_lufs, a.true_peak, a.sentence_pause,
                a.paragraph_pause, a.section_pause, a.intro_lead, a.outro_tail, a.duck_db, a.crossfade]
    sound = digest(AUDIO_VERSION, code_digest("audio"), settings, assets)
    inputs = digest(
        AUDIO_VERSION, code_digest("audio", "artwork"), [ln.key for ln in lines], [(ln.section, ln.paragraph, ln.title, ln.written) for ln in lines],
        settings,
        assets, cover_key,
        [ep.title, ep.author, ep.organization, ep.number, ep.published.isoformat(), ep.summary, ep.source_url,
         show.title, show.author, show.language],
    )
    mp3, meta_path = rendered_paths(show, ep.slug)
    meta = read_meta(show, ep.slug, index)
    current = bool(meta and meta.get("inputs") == inputs)
    missing: list[str] = []
    adopt: dict[str, str] = {}
    for ln in [] if current else lines:
        if ln.key in adopt or cache.has(ln.key):
            continue
        other = _at_another_rate(cache, identity, ln.spoken)
        if other is not None:
            adopt[ln.key] = other
        else:
            missing.append(ln.key)
    return AudioPlan(ep, lines, inputs, mp3, meta_path, current, list(dict.fromkeys(missing)), sound, meta, adopt)


# the rates a show's clips are likely cached at: readcast's default was 44.1 kHz until edits were
# spliced on both sides, which needs 48 kHz (see splice.join_grid)
RATES = (48000, 44100)


def _at_another_rate(cache: ClipCache, identity: dict, spoken: str) -> str | None:
    """The key of this sentence's clip made at another sample rate, when the cache has one."""
    for rate in RATES:
        if rate != identity.get("rate"):
            key = ClipCache.key(dict(identity, rate=rate), spoken)
            if cache.has(key):
                return key
    return None
