"""A stand-in voice for tests: a soft tone whose length follows the text, the same every time.

Registered like any other engine (`engine = "fake"` in show.toml), so tests of planning, caching,
mixing, captions, feeds and bad input run the whole pipeline in a fraction of the time the neural
voice takes. Each word is a short burst at a pitch taken from the word, with a gap after it and a
longer one at punctuation, so clips have the shape of speech (syllables, pauses) for the mixer,
the loudness meter and the silence trimmer.
"""

from __future__ import annotations

import hashlib

import numpy as np

from ...config import Voice
from ...scripts.spoken.align import units
from . import Engine, VoiceInfo

SAMPLE_RATE = 22050


class FakeEngine(Engine):
    name = "fake"
    offline = True
    supports_phonemes = True  # it reads the [[ phonemes ]] as a word like any other
    sample_rate = SAMPLE_RATE

    def __init__(self, voice: Voice):
        self.voice = voice

    def identity(self) -> dict:
        return {"engine": "fake", "version": 2, "length_scale": self.voice.length_scale}

    def synthesize(self, text: str) -> np.ndarray:
        return self.synthesize_timed(text)[0]

    def synthesize_timed(self, text: str) -> tuple[np.ndarray, list[tuple[int, int]] | None]:
        """Each unit a burst; its exact span is known, as a real aligner would report it."""
        rate = self.sample_rate
        scale = self.voice.length_scale
        parts: list[np.ndarray] = []
        spans: list[tuple[int, int]] = []
        at = 0
        for word in units(text):
            seconds = (0.06 + 0.045 * min(len(word), 16)) * scale
            n = int(seconds * rate)
            pitch = 140 + int(hashlib.sha256(word.encode()).hexdigest()[:4], 16) % 120
            t = np.arange(n, dtype=np.float32) / rate
            envelope = np.sin(np.pi * np.arange(n) / max(n, 1)).astype(np.float32)
            parts.append((0.5 * envelope * np.sin(2 * np.pi * pitch * t)).astype(np.float32))
            spans.append((at, at + n))
            gap = int((0.18 if word[-1:] in ",;:.!?" else 0.05) * scale * rate)
            parts.append(np.zeros(gap, dtype=np.float32))
            at += n + gap
        if not parts:
            return np.zeros(int(0.2 * rate), dtype=np.float32), []
        return np.concatenate(parts), spans


def create(voice: Voice, threads: int | None = None, model_cache=None) -> FakeEngine:
    return FakeEngine(voice)


def voices() -> list[VoiceInfo]:
    return [VoiceInfo("fake", "tone", "any", offline=True, usable=True, note="for tests")]
