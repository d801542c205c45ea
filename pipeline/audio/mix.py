"""The mix: sentence clips on a timeline with pauses, intro/outro music ducked under the voice,
streamed in one-second chunks through a limiter into the MP3 encoder.

Memory stays bounded whatever the episode's length: only the clips overlapping the chunk being
rendered are held, and the encoder receives audio as it is made. The mix also starts before the
last sentence is synthesised: a chunk is rendered as soon as nothing can still be placed in it.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import numpy as np

from ..config import Audio
from .ffmpeg import Encoder
from .loudness import CODEC_LOSS, PAUSE_LOSS, gain_to
from .splice import join_grid

log = logging.getLogger(__name__)
CHUNK_SECONDS = 1.0
DUCK_RAMP = 0.5     # seconds for the music to dip under (or rise from) the voice
NO_MUSIC_LEAD = 0.4  # silence before the first word when there is no intro music
END_SILENCE = 0.8


@dataclass
class Line:
    """One script sentence on its way to the timeline."""

    section: int
    kind: str            # intro | body | outro
    title: str           # the section's chapter title
    paragraph: int
    written: str         # what the transcript shows
    spoken: str          # what the engine receives
    key: str             # the clip's cache key


@dataclass
class Placed:
    line: Line
    start: int           # first sample, at the output rate
    frames: int
    gain: float

    @property
    def end(self) -> int:
        return self.start + self.frames


@dataclass
class Music:
    """A decoded, loudness-matched intro or outro asset with a piecewise-linear gain envelope."""

    samples: np.ndarray  # (frames, channels)
    start: int = 0
    points: list[tuple[int, float]] = field(default_factory=list)

    @property
    def end(self) -> int:
        return self.start + len(self.samples)

    def envelope(self, a: int, b: int) -> np.ndarray:
        xs = [p[0] for p in self.points]
        ys = [p[1] for p in self.points]
        return np.interp(np.arange(a, b, dtype=np.float64), xs, ys).astype(np.float32)


@dataclass
class MixResult:
    frames: int
    rate: int
    placed: list[Placed]
    chapters: list[tuple[float, float, str]]
    integrated: float
    true_peak: float | None
    # loudness of every 400 ms block, 100 ms apart, of what was encoded (EBU R128 momentary)
    momentary: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float32))

    @property
    def seconds(self) -> float:
        return self.frames / self.rate


class Mixer:
    """Places lines as their clips arrive and streams finished chunks to a sink."""

    def __init__(self, settings: Audio, intro: Music | None, outro: Music | None,
                 load_clip: Callable[[str], tuple[np.ndarray, float]], gain_db: float = 0.0):
        self.s = settings
        self.rate = settings.sample_rate
        self.channels = settings.channels
        self.intro = intro
        self.outro = outro
        self.load_clip = load_clip
        self.global_gain = 10 ** (gain_db / 20)
        self.duck = 10 ** (settings.duck_db / 20)
        self.placed: list[Placed] = []
        self._audio: dict[int, np.ndarray] = {}  # index in placed -> resampled, gained clip
        self.rendered = 0
        self._first = 0  # the first placed line that may still sound at `rendered`
        self.cursor = 0  # where the next line may start (end of the last one)
        self.voice_start = 0
        # lines after the first start on this grid (the nearest point to their pause's end), so
        # that an edit moves the lines after it by whole encoder frames: see splice.join_grid
        self.grid = join_grid(self.rate, settings.low_bandwidth)

    def sec(self, seconds: float) -> int:
        return int(round(seconds * self.rate))

    # --- placing ------------------------------------------------------------------------
    def begin(self) -> None:
        if self.intro is not None:
            length = len(self.intro.samples)
            self.voice_start = min(self.sec(self.s.intro_lead), length)
            ramp = self.sec(DUCK_RAMP)
            down_from = max(0, self.voice_start - ramp - self.sec(0.1))
            self.intro.points = [(0, 1.0), (down_from, 1.0), (max(down_from + 1, self.voice_start - self.sec(0.1)), self.duck)]
        else:
            self.voice_start = self.sec(NO_MUSIC_LEAD)
        self.cursor = self.voice_start

    def _gap(self, line: Line) -> int:
        if not self.placed:
            return 0
        prev = self.placed[-1].line
        if line.section != prev.section:
            return self.sec(self.s.section_pause)
        if line.paragraph != prev.paragraph:
            return self.sec(self.s.paragraph_pause)
        return self.sec(self.s.sentence_pause)

    def next_start(self, line: Line) -> int:
        """Where `line` would start if it were placed next."""
        start = self.cursor + self._gap(line)
        if line.kind == "outro" and (not self.placed or self.placed[-1].line.kind != "outro"):
            start = max(start, self.cursor + self.sec(self.s.section_pause))
        g = self.grid
        if g and self.placed:
            start = (start + g // 2) // g * g
            if start < self.cursor:
                start = -(-self.cursor // g) * g
        return start

    def place(self, line: Line, frames: int | None = None) -> None:
        """Put `line` on the timeline; with `frames`, only its place (a line that ends before
        the part being rendered, whose clip is not loaded)."""
        audio: np.ndarray | None = None
        gain = 1.0
        if frames is None:
            audio, lufs = self.load_clip(line.key)
            gain = gain_to(self.s.target_lufs + PAUSE_LOSS + CODEC_LOSS, lufs) * self.global_gain
            frames = len(audio)
        if self.placed and line.kind != self.placed[-1].line.kind and self.placed[-1].line.kind == "intro":
            self._end_intro(self.placed[-1].end)
        p = Placed(line, self.next_start(line), frames, gain)
        if audio is not None:
            self._audio[len(self.placed)] = audio * gain
        self.placed.append(p)
        self.cursor = p.end

    def _end_intro(self, speech_end: int) -> None:
        if self.intro is None:
            return
        fade = self.sec(self.s.crossfade)
        self.intro.points += [(speech_end, self.duck), (speech_end + fade, 0.0)]

    def place_outro_music(self) -> int:
        """Place the outro music now that the outro speech is known; returns the programme end."""
        outro_lines = [p for p in self.placed if p.line.kind == "outro"]
        speech_end = self.cursor
        if self.intro is not None and self.placed and all(p.line.kind == "intro" for p in self.placed):
            self._end_intro(speech_end)
        if self.outro is None:
            return speech_end + self.sec(END_SILENCE)
        length = len(self.outro.samples)
        o_start = outro_lines[0].start if outro_lines else speech_end
        ramp = self.sec(DUCK_RAMP)
        tail = self.sec(self.s.outro_tail)
        fade = self.sec(self.s.crossfade)
        start = max(o_start - ramp, speech_end + tail - length)
        self.outro.start = start
        end = min(start + length, speech_end + tail + fade)
        rel = lambda t: t - start  # noqa: E731 - envelope points are relative to the music
        pts: list[tuple[int, float]] = []
        if start < speech_end:
            pts += [(rel(start), 0.0 if start < o_start - self.sec(0.05) else self.duck),
                    (rel(max(start + 1, min(o_start, start + ramp))), self.duck),
                    (rel(speech_end), self.duck), (rel(speech_end + ramp), 1.0)]
        else:
            pts += [(0, 1.0)]
        if end < start + length:
            pts += [(rel(max(end - fade, pts[-1][0] + start + 1)), 1.0), (rel(end), 0.0)]
        else:
            pts += [(length, 1.0)]
        self.outro.points = sorted(pts)
        self.outro.samples = self.outro.samples[: end - start]
        return max(end, speech_end + self.sec(0.3))

    # --- rendering ----------------------------------------------------------------------
    def _block(self, a: int, b: int) -> np.ndarray:
        out = np.zeros((b - a, self.channels), dtype=np.float32)
        # lines are placed in order and never overlap: skip those that ended before this block
        # (an hour's episode has a thousand of them)
        while self._first < len(self.placed) and self.placed[self._first].end <= a:
            self._first += 1
        for i in range(self._first, len(self.placed)):
            p = self.placed[i]
            if p.start >= b:
                break
            if p.end <= a:
                continue
            audio = self._audio[i]
            s0, s1 = max(a, p.start), min(b, p.end)
            out[s0 - a:s1 - a] += audio[s0 - p.start:s1 - p.start, None]
        for music, offset in ((self.intro, 0), (self.outro, None)):
            if music is None or (offset is None and not music.points):
                continue
            start = music.start
            if start >= b or start + len(music.samples) <= a:
                continue
            s0, s1 = max(a, start), min(b, start + len(music.samples))
            env = music.envelope(s0 - start, s1 - start)[:, None]
            out[s0 - a:s1 - a] += music.samples[s0 - start:s1 - start] * env * self.global_gain
        return out

    def flush(self, upto: int, sink: Callable[[np.ndarray], None]) -> None:
        step = self.sec(CHUNK_SECONDS)
        while self.rendered + step <= upto:
            sink(self._block(self.rendered, self.rendered + step))
            self.rendered += step
        # release clips that are fully rendered
        for i in [i for i in self._audio if self.placed[i].end <= self.rendered]:
            del self._audio[i]

    def render_to(self, stop: int, sink: Callable[[np.ndarray], None]) -> None:
        """Stream the mix from `self.rendered` up to `stop` (no line may start before it unless
        its clip is loaded)."""
        while self.rendered < stop:
            b = min(stop, self.rendered + self.sec(CHUNK_SECONDS))
            sink(self._block(self.rendered, b))
            self.rendered = b

    def run(self, lines: Iterable[Line], sink: Callable[[np.ndarray], None], begin: bool = True) -> int:
        """Place `lines` and stream the mix from `self.rendered` to the end into `sink`; returns
        the programme's length. `begin=False`: the caller began and placed the lines before."""
        if begin:
            self.begin()
        for line in lines:
            self.place(line)
            # nothing can be placed before the start of the newest line, except the outro music,
            # which may start up to one ramp before the outro speech
            committed = self.placed[-1].start - (self.sec(DUCK_RAMP) + 1 if line.kind == "outro" else 0)
            if line.kind == "outro":
                committed = min(committed, next(p.start for p in self.placed if p.line.kind == "outro") - self.sec(DUCK_RAMP) - 1)
            self.flush(committed, sink)
        end = self.place_outro_music()
        self.render_to(end, sink)
        return end

    def chapters(self, end: int) -> list[tuple[float, float, str]]:
        starts: list[tuple[int, str, int]] = []
        for p in self.placed:
            if not starts or p.line.section != starts[-1][2]:
                if not starts:
                    t = 0
                else:
                    prev_end = max(q.end for q in self.placed if q.line.section == starts[-1][2])
                    t = (prev_end + p.start) // 2
                starts.append((t, p.line.title, p.line.section))
        out = []
        for i, (t, title, _sec) in enumerate(starts):
            nxt = starts[i + 1][0] if i + 1 < len(starts) else end
            out.append((t / self.rate, nxt / self.rate, title))
        return out


def mix_to_mp3(out: Path, settings: Audio, lines: Iterable[Line], intro: Music | None, outro: Music | None,
               load_clip: Callable[[str], tuple[np.ndarray, float]], gain_db: float = 0.0,
               low: Path | None = None) -> MixResult:
    """Mix and encode in one streaming pass (and the low-bandwidth copy, when `low` names its file);
    returns timings and the measured loudness."""
    mixer = Mixer(settings, intro, outro, load_clip, gain_db)
    encoder = Encoder(out, settings, low)
    try:
        end = mixer.run(lines, encoder.write)
        integrated, peak, momentary = encoder.finish()
    except BaseException:
        encoder.abort()
        raise
    if not math.isfinite(integrated):
        integrated = -70.0
    return MixResult(end, mixer.rate, mixer.placed, mixer.chapters(end), integrated, peak, momentary)
