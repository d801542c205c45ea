"""`readcast say`: one phrase through the show's normaliser, lexicon and voice."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np

from .config import Show
from .files import atomic_path
from .scripts.spoken import narrator_for


def say(show: Show, text: str, output: Path | None) -> tuple[str, Path | None]:
    """(the exact text the engine receives, the WAV written or None when only printing)."""
    from .audio.engines import create_engine

    engine = create_engine(show.voice)
    spoken = narrator_for(show).speak(text, phonemes=engine.supports_phonemes)
    if output is None:
        return spoken, None
    samples = engine.synthesize(spoken)
    pcm = np.clip(np.asarray(samples) * 32767, -32767, 32767).astype(np.int16)
    with atomic_path(output) as tmp:
        with wave.open(str(tmp), "wb") as fh:
            fh.setnchannels(1)
            fh.setsampwidth(2)
            fh.setframerate(engine.sample_rate)
            fh.writeframes(pcm.tobytes())
    return spoken, output
