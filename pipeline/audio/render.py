"""Mix, encode and tag one episode as its clips arrive; write the MP3 and its timings atomically."""

from __future__ import annotations

import logging
import math
from concurrent.futures import Future
from datetime import datetime, timezone
from typing import Iterator

from ..config import Show
from ..errors import AudioError, EngineError
from ..files import atomic_path, sha256_file, write_json
from .cache import ClipCache
from .meta import RenderMeta
from .music import MusicLoader
from .plan import AudioPlan

log = logging.getLogger(__name__)


def render(show: Show, plan: AudioPlan, cache: ClipCache, futures: dict[str, Future],
           music: MusicLoader, cover_jpeg: bytes | None) -> RenderMeta:
    """Mix, encode and tag one episode; the MP3 and its JSON replace the old ones atomically."""
    from .loudness import CODEC_LOSS, correction_db, edge_fades, resample
    from .mix import mix_to_mp3
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
        correction = correction_db(result.integrated, target)
        if correction is not None:
            # every clip is in the cache now: a second, corrected pass is quick
            log.info("%s: loudness %.1f LUFS, correcting by %+.1f dB", plan.ep.slug, result.integrated, correction)
            result = mix_to_mp3(tmp, a, iter(plan.lines), music.get(a.intro), music.get(a.outro), load,
                                gain_db=correction)
        write_tags(tmp, plan.ep, show, result.chapters, cover_jpeg)
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
        "cues": [{"start": round(p.start / result.rate, 3), "end": round(p.end / result.rate, 3),
                  "text": p.line.written, "section": p.line.section, "kind": p.line.kind,
                  "paragraph": p.line.paragraph}
                 for p in result.placed],
        "chapters": [{"start": round(s, 3), "end": round(e, 3), "title": t} for s, e, t in result.chapters],
        "rendered": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    write_json(plan.meta, meta)
    return meta
