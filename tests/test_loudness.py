"""The numpy BS.1770 meter the mixer uses, checked against ffmpeg's ebur128 as an independent meter."""

from __future__ import annotations

import wave

import numpy as np
import pytest

from pipeline.audio.loudness import integrated
from tests.audiotools import measure_file


def _wav(path, samples: np.ndarray, rate: int) -> None:
    data = np.clip(samples, -1, 1)
    channels = 1 if data.ndim == 1 else data.shape[1]
    with wave.open(str(path), "wb") as fh:
        fh.setnchannels(channels)
        fh.setsampwidth(2)
        fh.setframerate(rate)
        fh.writeframes((data * 32767).astype("<i2").tobytes())


def _speechlike(rate: int, seconds: float, seed: int) -> np.ndarray:
    """Noise shaped into syllables with pauses: the gating matters, as with speech."""
    rng = np.random.default_rng(seed)
    n = int(rate * seconds)
    noise = rng.standard_normal(n)
    envelope = (np.sin(2 * np.pi * 3.5 * np.arange(n) / rate) > 0.2).astype(float)
    envelope *= (np.arange(n) // (rate * 2)) % 3 != 2  # every third two-second stretch is a pause
    return 0.2 * noise * envelope


@pytest.mark.parametrize("rate,level,stereo", [(22050, 1.0, False), (44100, 0.3, False), (48000, 0.6, True),
                                               (16000, 1.5, False)])
def test_numpy_meter_agrees_with_ffmpeg(tmp_path, rate, level, stereo):
    x = _speechlike(rate, 12.0, seed=rate) * level
    if stereo:
        x = np.stack([x, 0.5 * np.roll(x, 1000)], axis=1)
    path = tmp_path / "x.wav"
    _wav(path, x, rate)
    quantised = np.frombuffer(wave.open(str(path)).readframes(10**9), dtype="<i2").astype(np.float64) / 32767
    if stereo:
        quantised = quantised.reshape(-1, 2)
    ours = integrated(quantised, rate)
    theirs, _ = measure_file(path)
    assert ours == pytest.approx(theirs, abs=0.15), (ours, theirs)
