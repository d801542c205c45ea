"""Mix, encode and tag one episode as its clips arrive; write the MP3 and its timings atomically."""

from __future__ import annotations

import contextlib
import logging
import math
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from datetime import datetime, timezone
from typing import Iterator

import numpy as np

from ..config import Show
from ..errors import AudioError, EngineError
from ..files import atomic_path, sha256_file, write_json
from .cache import ClipCache
from .meta import Alternate, Cue, RenderMeta
from .mix import DUCK_RAMP
from .music import MusicLoader
from .plan import AudioPlan
from .splice import (
    MP3_FRAME,
    MP3_WARMUP,
    OPUS_PACKET,
    OPUS_RATE,
    CannotSplice,
    Join,
    Resume,
    find_join,
    find_resume,
    gated_loudness,
    id3_size,
    pack_momentary,
    splice_mp3,
    splice_opus,
    unpack_momentary,
)

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

    def lines(ahead: bool = True) -> Iterator:
        """The episode's lines, each once its clip is made; `ahead`: meanwhile, load the cached
        clips that follow it."""
        for n, line in enumerate(plan.lines, 1):
            fut = futures.get(line.key)
            if fut is not None:
                if not fut.done() and ahead:
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
    gain_db = 0.0
    with contextlib.ExitStack() as stack:
        tmp = stack.enter_context(atomic_path(plan.mp3))
        # the low-bandwidth copy is encoded in the same ffmpeg pass, from the same limited mix
        low = stack.enter_context(atomic_path(low_path)) if a.low_bandwidth else None
        spliced = _splice(show, plan, cache, music, load, lines, tmp, low)
        if spliced is not None:
            result, gain_db = spliced
        else:
            result = mix_to_mp3(tmp, a, lines(), music.get(a.intro), music.get(a.outro), load, low=low)
            correction = correction_db(result.integrated, target)
            if correction is not None:
                # every clip is in the cache now: a second, corrected pass is quick
                log.info("%s: loudness %.1f LUFS, correcting by %+.1f dB", plan.ep.slug, result.integrated, correction)
                gain_db = correction
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
    # what the next edit needs to splice into this render instead of making it again
    meta["sound"] = plan.sound
    meta["gain_db"] = round(gain_db, 6)
    meta["momentary"] = pack_momentary(result.momentary)
    meta["synthesised"] = [key for key in dict.fromkeys(ln.key for ln in plan.lines) if key in plan.missing]
    if plan.meta.exists():  # kept for the build report's "what changed"
        from ..files import write_bytes

        write_bytes(show.state_dir / "report" / "previous" / plan.meta.name, plan.meta.read_bytes())
    write_json(plan.meta, meta)
    return meta


def _frames_at(info, rate: int) -> int:
    """A cached clip's length at the mix's rate (as load() resamples it), without loading it."""
    return info.frames if info.rate == rate else int(round(info.frames * rate / info.rate))


def _join_for(show: Show, plan: AudioPlan, old: RenderMeta, cache: ClipCache, mixer) -> tuple[int, Join | None]:
    """Where an edit can be joined to the last render: the first sentence that changed, and a
    join in the silent pause before it (None: no sentence changed). The sentences before it are
    placed on `mixer` (their places only). Raises CannotSplice when there is none."""
    a = show.audio
    rate = a.sample_rate
    cues = old.get("cues", [])
    first = 0
    for cue, line in zip(cues, plan.lines):
        if (cue.get("key"), cue["section"], cue["paragraph"], cue["kind"]) != (line.key, line.section, line.paragraph, line.kind):
            break
        first += 1
    unchanged = first == len(plan.lines) == len(cues)
    if first == 0 or (not unchanged and (first >= len(plan.lines) or first >= len(cues))):
        raise CannotSplice("no unchanged sentences before the edit, or none after it")
    mixer.begin()
    for n, line in enumerate(plan.lines[:first]):
        info = cache.info(line.key)
        if info is None:
            raise CannotSplice("a kept sentence's clip is not in the cache")
        mixer.place(line, _frames_at(info, rate))
        if abs(mixer.placed[-1].start / rate - cues[n]["start"]) > 0.0015:
            raise CannotSplice("the kept sentences would not land where they are")
    if unchanged:
        return first, None
    prev, line = plan.lines[first - 1], plan.lines[first]
    if prev.kind == "outro" or (prev.kind == "intro" and a.intro):
        raise CannotSplice("music plays under the pause before the edit")
    quiet_from = mixer.cursor
    if mixer.intro is not None and mixer.intro.points:
        quiet_from = max(quiet_from, mixer.intro.points[-1][0] + 1)
    quiet_to = min(mixer.next_start(line), int(cues[first]["start"] * rate) - int(0.002 * rate))
    if line.kind == "outro" and a.outro:
        quiet_to -= mixer.sec(DUCK_RAMP) + mixer.sec(0.1)
    return first, find_join(quiet_from, quiet_to, rate, a.low_bandwidth)


def _boundaries(seq: list[tuple[int, int]]) -> list[int]:
    """For (section, paragraph) of each line: the pause before it (0 sentence, 1 paragraph,
    2 section; 3 for the first line)."""
    out = []
    for n, (section, paragraph) in enumerate(seq):
        if n == 0:
            out.append(3)
        else:
            before = seq[n - 1]
            out.append(2 if section != before[0] else 1 if paragraph != before[1] else 0)
    return out


def _suffix_from(show: Show, plan: AudioPlan, cues: list, first: int) -> int | None:
    """The first line after the edit from which the script ends as the last render's did (the same
    clips, kinds and pauses), with silence before it in which to join: None when there is none."""
    a = show.audio
    lines = plan.lines
    new = list(zip((ln.key for ln in lines), (ln.kind for ln in lines),
                   _boundaries([(ln.section, ln.paragraph) for ln in lines])))
    old = list(zip((c.get("key") for c in cues), (c["kind"] for c in cues),
                   _boundaries([(c["section"], c["paragraph"]) for c in cues])))
    same = 0
    while same < min(len(new), len(old)) and new[-1 - same] == old[-1 - same]:
        same += 1
    at = max(first + 1, len(lines) - same)
    if at >= len(lines) or at + len(cues) - len(lines) < first:
        return None
    if (lines[at].kind == "outro" and a.outro) or (lines[at - 1].kind == "intro" and a.intro):
        return None  # music plays under the pause
    return at


def _resume_for(show: Show, plan: AudioPlan, old: RenderMeta, cache: ClipCache, mixer, first: int,
                at: int, lines: list) -> tuple[Resume, int, int] | None:
    """Place the edited lines (loaded) and the unchanged ones after them (their places only) on
    `mixer`, and find where the old frames take over again: (resume, samples the later lines
    moved, programme end), or None (then `mixer` holds lines it cannot render: make another)."""
    a = show.audio
    rate = a.sample_rate
    cues = old["cues"]
    for line in lines[first:at]:
        mixer.place(line)
    for line in lines[at:]:
        info = cache.info(line.key)
        if info is None:
            return None
        mixer.place(line, _frames_at(info, rate))
    end = mixer.place_outro_music()
    offset = len(cues) - len(lines)
    grid = mixer.grid
    was = round(cues[at + offset]["start"] * rate / grid) * grid
    moved = mixer.placed[at].start - was
    # every later line lands where it was, moved; and so does the end
    for n in range(at, len(lines)):
        if abs((mixer.placed[n].start - moved) / rate - cues[n + offset]["start"]) > 0.0015:
            return None
    if abs((end - moved) / rate - float(old["duration"])) > 0.0015:
        return None
    quiet_from = max(mixer.placed[at - 1].end, int(cues[at + offset - 1]["end"] * rate) + int(0.002 * rate) + moved)
    if mixer.intro is not None and mixer.intro.points:
        quiet_from = max(quiet_from, mixer.intro.points[-1][0] + 1)
    try:
        return find_resume(quiet_from, mixer.placed[at].start, moved, rate, a.low_bandwidth), moved, end
    except CannotSplice as exc:
        log.debug("%s: no second join (%s)", plan.ep.slug, exc)
        return None


def _splice(show: Show, plan: AudioPlan, cache: ClipCache, music: MusicLoader, load, lines, tmp, low):
    """Mix and encode only what follows the first changed sentence, joined to the last render's
    frames before it (see splice.py). Returns (result, gain) or None when the edit cannot be
    spliced: then the episode is rendered whole."""
    from .ffmpeg import Encoder
    from .loudness import CODEC_LOSS, CORRECTION_TOLERANCE, before_encoder
    from .mix import Mixer, MixResult

    a = show.audio
    old = plan.previous  # read while planning
    if old is None and not plan.meta.is_file():
        return None  # never rendered: nothing to splice into
    try:
        if old is None:  # planning found its MP3 gone or not the one it describes
            raise CannotSplice("the last render's MP3 is gone" if not plan.mp3.is_file()
                               else "the audio files are not as the last build left them")
        if "momentary" not in old:
            raise CannotSplice("the last render kept nothing to splice into")
        if old.get("sound") != plan.sound:
            raise CannotSplice("the [audio] settings, the music or readcast changed since the last render")
        opus_old = plan.mp3.with_suffix(".opus")
        if low is not None and (not opus_old.is_file() or opus_old.stat().st_size != old.get("alternate", {}).get("bytes")):
            raise CannotSplice("the audio files are not as the last build left them")
        gain_db = float(old.get("gain_db", 0.0))
        mixer = Mixer(a, music.get(a.intro), music.get(a.outro), load, gain_db)
        first, join = _join_for(show, plan, old, cache, mixer)
        if join is None:
            # no sentence changed (a new cover, a summary): the audio is kept, the tags are new
            mixer.rendered = 1 << 62
            end = mixer.run(iter(()), lambda block: None, begin=False)
            data = plan.mp3.read_bytes()
            tmp.write_bytes(data[id3_size(data):])
            if low is not None:
                low.write_bytes(opus_old.read_bytes())
            log.info("%s: the audio is unchanged; its tags are written again", plan.ep.slug)
            integrated = float(old["loudness"]["integrated"]) + CODEC_LOSS
            return (MixResult(end, mixer.rate, mixer.placed, mixer.chapters(end), integrated, None,
                              unpack_momentary(old["momentary"])), gain_db)
        start = join.start
        # temp names a killed build's clean-up removes (".*.tmp")
        mp3_tail, opus_tail = (tmp.with_name(f"{tmp.stem}.tail-{ext}.tmp") for ext in ("mp3", "opus"))
        try:
            # the encoders start while the edited sentences are still being synthesised
            encoder = Encoder(mp3_tail, a, opus_tail if low is not None else None,
                              starts=(join.mp3_start - start, join.opus_start - start), tail=True)
            try:
                resume = None
                at = _suffix_from(show, plan, old["cues"], first)
                if at is not None and mixer.grid:
                    # the edited lines' clips (their lengths say where the rest goes); the rest is
                    # not loaded: its old frames are kept
                    every = list(lines(ahead=False))
                    resume = _resume_for(show, plan, old, cache, mixer, first, at, every)
                    if resume is None:  # the tail is encoded again: place from scratch
                        mixer = Mixer(a, music.get(a.intro), music.get(a.outro), load, gain_db)
                        _join_for(show, plan, old, cache, mixer)
                mixer.rendered = start
                if resume is not None:
                    again, moved, end = resume
                    mixer.render_to(again.stop, encoder.write)  # to just past the second join
                else:
                    # the sentences from the edit on, as they arrive
                    rest = (line for n, line in enumerate(lines()) if n >= first)
                    end = mixer.run(rest, encoder.write, begin=False)
                _integrated, _peak, momentary = encoder.finish()
            except BaseException:
                encoder.abort()
                raise
            kept = unpack_momentary(old["momentary"])
            before = gated_loudness(kept)
            head = kept[: join.mp3_start * 10 // a.sample_rate]
            if resume is not None:
                seam = again.mp3_at * MP3_FRAME
                blocks = np.concatenate([head, momentary[: (seam - join.mp3_start) * 10 // a.sample_rate],
                                         kept[(seam - moved) * 10 // a.sample_rate:]])
            else:
                blocks = np.concatenate([head, momentary])
            integrated = gated_loudness(blocks)
            expected = before_encoder(a.target_lufs)
            # hold the last render's gain when the edit barely moves the loudness (or when a whole
            # render would have chosen the same gain)
            if abs(integrated - before) >= 0.1 and not (gain_db == 0 and abs(integrated - expected) <= CORRECTION_TOLERANCE):
                log.info("%s: the edit moves loudness by %+.2f LU: rendering it whole", plan.ep.slug, integrated - before)
                return None
            tmp.write_bytes(splice_mp3(plan.mp3.read_bytes(), mp3_tail.read_bytes(), join.mp3_keep, MP3_WARMUP,
                                       encoder.counts[0],
                                       None if resume is None else (again.mp3_at - join.mp3_keep, again.mp3_old)))
            if low is not None:
                shift = join.opus_start * OPUS_RATE // a.sample_rate
                low.write_bytes(splice_opus(
                    opus_old.read_bytes(), opus_tail.read_bytes(), join.opus_keep, join.opus_keep - shift // OPUS_PACKET,
                    shift, None if resume is None else (again.opus_at - join.opus_keep, again.opus_old,
                                                        moved * OPUS_RATE // a.sample_rate)))
        finally:
            mp3_tail.unlink(missing_ok=True)
            opus_tail.unlink(missing_ok=True)
    except CannotSplice as exc:
        log.debug("%s: rendering whole (%s)", plan.ep.slug, exc)
        return None
    if resume is not None:
        log.info("%s: spliced the edit in between %.1f s and %.1f s (sentences %d to %d)", plan.ep.slug,
                 join.mp3_keep * MP3_FRAME / a.sample_rate, again.mp3_at * MP3_FRAME / a.sample_rate, first + 1, at)
    else:
        log.info("%s: spliced the edit in at %.1f s (sentence %d on)", plan.ep.slug,
                 join.mp3_keep * MP3_FRAME / a.sample_rate, first + 1)
    result = MixResult(end, mixer.rate, mixer.placed, mixer.chapters(end), integrated, None, blocks)
    return result, gain_db
