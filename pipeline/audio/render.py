"""Mix, encode and tag one episode as its clips arrive; write the MP3 and its timings atomically."""

from __future__ import annotations

import contextlib
import logging
import math
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from datetime import datetime, timezone
from typing import Iterator

from ..config import Show
from ..errors import AudioError, EngineError
from ..files import atomic_path, sha256_file, write_json
from .cache import ClipCache
from .meta import Alternate, Cue, RenderMeta
from .music import MusicLoader
from .plan import AudioPlan

log = logging.getLogger(__name__)


def _section_kinds(placed) -> list[str]:
    """The kind (intro, body, outro) of each section, in the order the chapters list them."""
    kinds: dict[int, str] = {}
    for p in placed:
        kinds.setdefault(p.line.section, p.line.kind)
    return list(kinds.values())


def _low_bandwidth(show: Show, mp3) -> Alternate | None:
    """The Opus copy beside the MP3, made in the mix's pass (or none, when the show turned it off:
    an old one is removed)."""
    path = mp3.with_suffix(".opus")
    if not show.audio.low_bandwidth:
        path.unlink(missing_ok=True)
        return None
    kbps = show.audio.low_bandwidth_kbps
    return {"type": "audio/ogg; codecs=opus", "bytes": path.stat().st_size, "sha256": sha256_file(path),
            "bitrate": kbps * 1000, "title": f"Low bandwidth ({kbps} kbps, mono)"}


def _cue(p, rate: int, cache: ClipCache, narrator) -> Cue:
    """One sentence's cue, with the time of each written word (from the clip's unit times when
    the engine gave them, else spread by syllables)."""
    from ..scripts.spoken.align import estimate, units, written_times

    start, line = p.start / rate, p.line
    info = cache.info(line.key)
    spoken_units = units(line.spoken)
    if info is not None and info.words is not None and len(info.words) == len(spoken_units):
        unit_times, timing = list(info.words), "aligned"
    else:
        unit_times, timing = estimate(line.spoken, p.frames / rate), "estimated"
    phonemes = "[[" in line.spoken
    words = written_times(line.written, line.spoken, [(start + a, start + b) for a, b in unit_times],
                          lambda token: narrator.speak(token, phonemes=phonemes)) if spoken_units else []
    return {"start": round(start, 3), "end": round(p.end / rate, 3), "text": line.written,
            "section": line.section, "kind": line.kind, "paragraph": line.paragraph,
            "words": [(w, round(a, 3), round(b, 3)) for w, a, b in words], "timing": timing, "key": line.key,
            "spoken": line.spoken}


def render(show: Show, plan: AudioPlan, cache: ClipCache, futures: dict[str, Future],
           music: MusicLoader, cover_jpeg: bytes | None, timeout: float | None = None, where: str = "") -> RenderMeta:
    """Mix, encode and tag one episode; the MP3 and its JSON replace the old ones atomically.
    `timeout`: seconds to wait for any one sentence (a remote cluster's), else no limit."""
    from ..scripts.spoken import narrator_for
    from .loudness import CODEC_LOSS, correction_db, edge_fades, resample
    from .mix import mix_to_mp3
    from .tags import write_tags

    narrator = narrator_for(show)
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
                    fut.result(timeout=timeout)
                except FutureTimeout:
                    raise EngineError(f"{plan.ep.slug}, sentence {n}: no clip from {where} after {timeout:g} s", None,
                                      "check the cluster's workers are running (the Dask dashboard lists them), "
                                      "or raise [build] task_timeout") from None
                except EngineError as exc:
                    raise EngineError(f"{plan.ep.slug}, sentence {n} ({line.written[:60]!r}): {exc}") from None
            yield line

    target = a.target_lufs
    plan.mp3.parent.mkdir(parents=True, exist_ok=True)
    low_path = plan.mp3.with_suffix(".opus")
    with contextlib.ExitStack() as stack:
        tmp = stack.enter_context(atomic_path(plan.mp3))
        # the low-bandwidth copy is encoded in the same ffmpeg pass, from the same limited mix
        low = stack.enter_context(atomic_path(low_path)) if a.low_bandwidth else None
        result = mix_to_mp3(tmp, a, lines(), music.get(a.intro), music.get(a.outro), load, low=low)
        correction = correction_db(result.integrated, target)
        if correction is not None:
            # every clip is in the cache now: a second, corrected pass is quick
            log.info("%s: loudness %.1f LUFS, correcting by %+.1f dB", plan.ep.slug, result.integrated, correction)
            result = mix_to_mp3(tmp, a, iter(plan.lines), music.get(a.intro), music.get(a.outro), load,
                                gain_db=correction, low=low)
        write_tags(tmp, plan.ep, show, result.chapters, cover_jpeg)
    alternate = _low_bandwidth(show, plan.mp3)
    st = plan.mp3.stat()
    meta: RenderMeta = {
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
        "cues": [_cue(p, result.rate, cache, narrator) for p in result.placed],
        "chapters": [{"start": round(s, 3), "end": round(e, 3), "title": t, "kind": k}
                     for (s, e, t), k in zip(result.chapters, _section_kinds(result.placed))],
        "rendered": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    if alternate is not None:
        meta["alternate"] = alternate
    meta["synthesised"] = [key for key in dict.fromkeys(ln.key for ln in plan.lines) if key in plan.missing]
    if plan.meta.exists():  # kept for the build report's "what changed"
        from ..files import write_bytes

        write_bytes(show.state_dir / "report" / "previous" / plan.meta.name, plan.meta.read_bytes())
    write_json(plan.meta, meta)
    return meta
