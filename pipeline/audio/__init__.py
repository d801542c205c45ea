"""audio/: each script becomes an MP3 (plus a JSON of its real timings) in audio/episodes/.

plan   -> which sentences need synthesis (clip cache misses) and whether the episode is stale
render -> synthesise the misses across cores, mix as clips arrive, tag, write atomically

The JSON beside each MP3 holds what later stages need without decoding audio: duration, bytes,
loudness, the start and end of every sentence (captions) and of every section (chapters).
"""

from __future__ import annotations

import io
import logging
import math
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from ..config import Show
from ..episodes import Episode
from ..errors import AudioError, EngineError
from ..files import atomic_path, code_digest, digest, read_json, sha256_file, write_bytes, write_json
from ..scripts.model import Script
from ..scripts.spoken import Narrator, written_form
from .cache import ClipCache

if TYPE_CHECKING:
    import numpy as np

log = logging.getLogger(__name__)
AUDIO_VERSION = "3"
LOUDNESS_TOLERANCE = 0.5  # LU; beyond this the mix is redone with a correcting gain


@dataclass
class AudioPlan:
    ep: Episode
    lines: list  # list[mix.Line]
    inputs: str
    mp3: Path
    meta: Path
    current: bool
    missing: list[str] = field(default_factory=list)  # clip keys to synthesise


def rendered_paths(show: Show, slug: str) -> tuple[Path, Path]:
    return show.rendered_dir / f"{slug}.mp3", show.rendered_dir / f"{slug}.json"


def read_meta(show: Show, slug: str) -> dict | None:
    """The timings of a rendered episode, if its MP3 is still the one they describe."""
    mp3, meta_path = rendered_paths(show, slug)
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


def make_lines(script: Script, narrator: Narrator, identity: dict, phonemes: bool) -> list:
    from .mix import Line

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
               phonemes: bool, cache: ClipCache, assets: list, cover_key: str) -> AudioPlan:
    lines = make_lines(script, narrator, identity, phonemes)
    a = show.audio
    inputs = digest(
        AUDIO_VERSION, code_digest("audio", "artwork"), [ln.key for ln in lines], [(ln.section, ln.paragraph, ln.title, ln.written) for ln in lines],
        [a.channels, a.sample_rate, a.bitrate, a.encoder_quality, a.target_lufs, a.true_peak, a.sentence_pause,
         a.paragraph_pause, a.section_pause, a.intro_lead, a.outro_tail, a.duck_db, a.crossfade],
        assets, cover_key,
        [ep.title, ep.author, ep.organization, ep.number, ep.published.isoformat(), ep.summary, ep.source_url,
         show.title, show.author, show.language],
    )
    mp3, meta_path = rendered_paths(show, ep.slug)
    meta = read_meta(show, ep.slug)
    current = bool(meta and meta.get("inputs") == inputs)
    missing = [] if current else [ln.key for ln in lines if not cache.has(ln.key)]
    return AudioPlan(ep, lines, inputs, mp3, meta_path, current, list(dict.fromkeys(missing)))


class MusicLoader:
    """Decodes and loudness-matches the intro/outro assets once, kept prepared in the cache.

    Preparing a jingle (decode, trim, measure) costs ~0.1 s each; a one-sentence edit rebuild
    should not pay it again for files that did not change.
    """

    def __init__(self, show: Show, hashes=None):
        self.show = show
        self.hashes = hashes
        self._cache: dict[str, "np.ndarray"] = {}

    def get(self, name: str):
        """A fresh Music (its envelope is per episode) over the shared decoded samples."""
        from .mix import Music

        if not name:
            return None
        if name not in self._cache:
            self._cache[name] = self._prepared(name)
        return Music(samples=self._cache[name])

    def _prepared(self, name: str):
        import numpy as np

        from ..files import HashCache
        from .ffmpeg import decode
        from .loudness import edge_fades, gain_to, integrated, trim_silence
        from .mix import CODEC_LOSS

        a = self.show.audio
        path = self.show.path(name)
        hashes = self.hashes or HashCache(self.show.state_dir)
        try:
            key = digest("music", hashes.sha256(path), a.sample_rate, a.channels, a.target_lufs + CODEC_LOSS,
                         code_digest("audio"))
        except OSError:
            key = None  # decode() below reports the unreadable file
        stored = self.show.cache_dir / "music" / f"{key}.npy"
        if key is not None and stored.is_file():
            try:
                return np.load(stored, allow_pickle=False)
            except (OSError, ValueError):
                pass  # damaged: prepare it again
        samples = decode(path, a.sample_rate, a.channels)
        samples = trim_silence(samples, a.sample_rate, threshold_db=-50, lead=0.0, tail=0.2)
        if len(samples) == 0:
            raise AudioError("is silent", path, "use an audio file with sound in it, or set it to \"\"")
        samples = edge_fades(samples, a.sample_rate, 0.01)
        samples = (samples * gain_to(a.target_lufs + CODEC_LOSS, integrated(samples, a.sample_rate))).astype(np.float32)
        if key is not None:
            buffer = io.BytesIO()
            np.save(buffer, samples, allow_pickle=False)
            try:
                write_bytes(stored, buffer.getvalue())
            except OSError as exc:  # a read-only cache only costs time
                log.debug("could not keep prepared music: %s", exc)
        return samples


def render(show: Show, plan: AudioPlan, cache: ClipCache, futures: dict[str, Future],
           music: MusicLoader, cover_jpeg: bytes | None) -> dict:
    """Mix, encode and tag one episode; the MP3 and its JSON replace the old ones atomically."""
    from .loudness import edge_fades, resample
    from .mix import CODEC_LOSS, mix_to_mp3
    from .tags import write_tags

    a = show.audio
    ready: dict[str, tuple] = {}  # clips already loaded and resampled to the output rate

    def load(key: str):
        if key in ready:
            return ready.pop(key)
        info = cache.info(key)
        if info is None:
            raise AudioError(f"clip {key[:12]} vanished from the cache", cache.root, "rebuild")
        audio = edge_fades(resample(cache.load(key).reshape(-1), info.rate, a.sample_rate), a.sample_rate)
        return audio, info.lufs

    def prefetch(start: int) -> None:
        """While a sentence is being synthesised, get the cached ones after it ready (bounded)."""
        seconds = 0.0
        for line in plan.lines[start:start + 40]:
            if line.key in ready or (line.key in futures and not futures[line.key].done()):
                continue
            if cache.info(line.key) is None:
                continue
            ready[line.key] = load(line.key)
            seconds += len(ready[line.key][0]) / a.sample_rate
            if seconds > 120:
                break

    def lines() -> Iterator:
        for n, line in enumerate(plan.lines, 1):
            fut = futures.get(line.key)
            if fut is not None:
                if not fut.done():
                    prefetch(n)
                try:
                    fut.result()
                except EngineError as exc:
                    raise EngineError(f"{plan.ep.slug}, sentence {n} ({line.written[:60]!r}): {exc}") from None
            yield line

    target = a.target_lufs
    plan.mp3.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(plan.mp3) as tmp:
        result = mix_to_mp3(tmp, a, lines(), music.get(a.intro), music.get(a.outro), load)
        expected = target + CODEC_LOSS  # what the meter before the encoder should read
        if abs(result.integrated - expected) > LOUDNESS_TOLERANCE and result.integrated > -60:
            # every clip is in the cache now: a second, corrected pass is quick
            correction = expected - result.integrated
            log.info("%s: loudness %.1f LUFS, correcting by %+.1f dB", plan.ep.slug, result.integrated, correction)
            result = mix_to_mp3(tmp, a, iter(plan.lines), music.get(a.intro), music.get(a.outro), load,
                                gain_db=correction)
        write_tags(tmp, plan.ep, show, result.chapters, cover_jpeg)
    st = plan.mp3.stat()
    meta = {
        "slug": plan.ep.slug,
        "inputs": plan.inputs,
        "duration": round(result.seconds, 3),
        "bytes": st.st_size,
        "mtime_ns": st.st_mtime_ns,
        "sha256": sha256_file(plan.mp3),
        "loudness": {"integrated": round(result.integrated - CODEC_LOSS, 2),
                     "true_peak": None if result.true_peak is None or not math.isfinite(result.true_peak) else round(result.true_peak, 2),
                     "target": target},
        "channels": a.channels,
        "sample_rate": a.sample_rate,
        "cues": [{"start": round(p.start / result.rate, 3), "end": round(p.end / result.rate, 3),
                  "text": p.line.written, "section": p.line.section, "kind": p.line.kind,
                  "paragraph": p.line.paragraph}
                 for p in result.placed],
        "chapters": [{"start": round(s, 3), "end": round(e, 3), "title": t} for s, e, t in result.chapters],
        "rendered": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    write_json(plan.meta, meta)
    return meta
