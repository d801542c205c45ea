"""Loudness (ITU-R BS.1770-4 / EBU R128) of clips and assets, and the DSP the mix needs.

Every clip and asset is measured once and brought to the show's target, so the mix comes out at
the target without a second pass; ffmpeg's ebur128 meter then checks the whole programme.

The meter is BS.1770 written out in numpy (K-weighting with libebur128's coefficients for any
sample rate, applied by FFT convolution; 400 ms blocks, absolute and relative gates). pyloudnorm
does the same but needs scipy, and importing the two costs about a second in every synthesis
process: more than the whole mix. tests/test_loudness.py checks this meter against ffmpeg's.
"""

from __future__ import annotations

import functools
import math

import numpy as np

SILENCE = -70.0
# Measured, not guessed: blocks that straddle the pauses between sentences pull the programme's
# gated loudness about 0.3 LU below that of its clips, and the MP3 encoder's low-pass takes about
# 0.4 LU more. Clips are aimed this much above the target so the MP3 lands on it.
PAUSE_LOSS = 0.3
CODEC_LOSS = 0.4
# a mix measured further than this from where it should be is mixed again with a correcting gain
CORRECTION_TOLERANCE = 0.5
# what `check` and the directories' specs allow around the target
CHECK_TOLERANCE = 1.0


def before_encoder(target: float) -> float:
    """Where the meter ahead of the MP3 encoder should read for the MP3 to land on `target`."""
    return target + CODEC_LOSS


def correction_db(measured: float, target: float) -> float | None:
    """The gain a second pass needs, or None when the first pass is close enough (or silent)."""
    expected = before_encoder(target)
    if abs(measured - expected) > CORRECTION_TOLERANCE and measured > -60:
        return expected - measured
    return None


def within_spec(lufs: float, target: float) -> bool:
    return abs(lufs - target) <= CHECK_TOLERANCE


def _biquad_response(b: list[float], a: list[float], n: int) -> np.ndarray:
    """Impulse response of a biquad (direct form I), n samples."""
    out = np.zeros(n)
    x1 = x2 = y1 = y2 = 0.0
    for i in range(n):
        x0 = 1.0 if i == 0 else 0.0
        y0 = b[0] * x0 + b[1] * x1 + b[2] * x2 - a[1] * y1 - a[2] * y2
        out[i] = y0
        x2, x1, y2, y1 = x1, x0, y1, y0
    return out


@functools.lru_cache(maxsize=8)
def k_weighting(rate: int, taps: int = 4096) -> np.ndarray:
    """The K-weighting filter (shelf + high-pass) as an FIR impulse response at `rate`."""
    f0, gain, q = 1681.974450955533, 3.999843853973347, 0.7071752369554196
    k = math.tan(math.pi * f0 / rate)
    vh = 10 ** (gain / 20)
    vb = vh ** 0.4996667741545416
    a0 = 1 + k / q + k * k
    shelf_b = [(vh + vb * k / q + k * k) / a0, 2 * (k * k - vh) / a0, (vh - vb * k / q + k * k) / a0]
    shelf_a = [1.0, 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0]
    f0, q = 38.13547087602444, 0.5003270373238773
    k = math.tan(math.pi * f0 / rate)
    hp_b = [1.0, -2.0, 1.0]
    hp_a = [1.0, 2 * (k * k - 1) / (1 + k / q + k * k), (1 - k / q + k * k) / (1 + k / q + k * k)]
    h1 = _biquad_response(shelf_b, shelf_a, taps)
    h2 = _biquad_response(hp_b, hp_a, taps)
    return np.convolve(h1, h2)[:taps]


def _fft_convolve(x: np.ndarray, h: np.ndarray) -> np.ndarray:
    n = len(x) + len(h) - 1
    size = 1 << (n - 1).bit_length()
    return np.fft.irfft(np.fft.rfft(x, size) * np.fft.rfft(h, size), size)[: len(x)]


def integrated(samples: np.ndarray, rate: int) -> float:
    """Integrated loudness in LUFS (gated); clips shorter than one 400 ms block use one block."""
    x = np.asarray(samples, dtype=np.float64)
    if x.ndim == 1:
        x = x[:, None]
    if len(x) == 0 or not np.any(x):
        return SILENCE
    h = k_weighting(rate)
    power = np.zeros(len(x))
    for ch in range(x.shape[1]):  # channel weights are 1.0 for left, right and centre
        power += _fft_convolve(x[:, ch], h) ** 2
    block = int(round(0.4 * rate))
    step = int(round(0.1 * rate))
    if len(power) < block:
        z = np.array([power.mean()])
    else:
        csum = np.concatenate(([0.0], np.cumsum(power)))
        starts = np.arange(0, len(power) - block + 1, step)
        z = (csum[starts + block] - csum[starts]) / block
    return gated(z)


def gated(z: np.ndarray) -> float:
    """BS.1770's gated loudness of 400 ms blocks given their K-weighted mean squares: blocks under
    -70 LUFS are dropped, then those more than 10 LU under the mean of the rest."""
    with np.errstate(divide="ignore"):
        lk = -0.691 + 10 * np.log10(z)
    z = z[lk > -70.0]
    if len(z) == 0:
        return SILENCE
    relative = -0.691 + 10 * math.log10(z.mean()) - 10.0
    with np.errstate(divide="ignore"):
        z = z[-0.691 + 10 * np.log10(z) > relative]
    value = -0.691 + 10 * math.log10(z.mean())
    return max(SILENCE, value) if math.isfinite(value) else SILENCE


def k_power(samples: np.ndarray, rate: int) -> np.ndarray:
    """The K-weighted power of every sample, channels summed (BS.1770's weights are 1.0)."""
    x = np.asarray(samples, dtype=np.float64).reshape(len(samples), -1)
    power = np.zeros(len(x))
    h = k_weighting(rate)
    for ch in range(x.shape[1]):
        power += _fft_convolve(x[:, ch], h) ** 2
    return power


def loudness_curve(power: np.ndarray, rate: int, window: float, step: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """(times, LUFS) of K-weighted `power` (see k_power) over a sliding window: EBU R128's
    momentary (0.4 s) or short-term (3 s) loudness every `step` seconds, at each window's end."""
    n, hop = int(round(window * rate)), int(round(step * rate))
    csum = np.concatenate(([0.0], np.cumsum(power)))
    ends = np.arange(hop, len(power) + 1, hop)
    starts = np.maximum(ends - n, 0)
    mean = (csum[ends] - csum[starts]) / np.maximum(ends - starts, 1)
    with np.errstate(divide="ignore"):
        lufs = -0.691 + 10 * np.log10(np.maximum(mean, 1e-12))
    return ends / rate, np.maximum(lufs, -70.0)


def _smooth(n: int) -> bool:
    for p in (2, 3, 5, 7):
        while n % p == 0:
            n //= p
    return n == 1


def _fast_length(n: int, multiple: int) -> int:
    """The smallest 7-smooth multiple of `multiple` >= n: sizes numpy's FFT does quickly."""
    k = -(-n // multiple)
    while not _smooth(k * multiple):
        k += 1
    return k * multiple


def resample(samples: np.ndarray, src: int, dst: int) -> np.ndarray:
    """Band-limited resampling by FFT. The clip is zero-padded to a fast FFT size, which also
    keeps its end from wrapping round onto its start."""
    if src == dst or len(samples) == 0:
        return samples.astype(np.float32, copy=False)
    g = math.gcd(src, dst)
    n_in = len(samples)
    n_pad = _fast_length(n_in + int(0.01 * src), src // g)
    n_out = n_pad * dst // src
    spectrum = np.fft.rfft(samples.astype(np.float64), n_pad, axis=0)
    bins = n_out // 2 + 1
    out_spec = np.zeros((bins,) + spectrum.shape[1:], dtype=complex)
    keep = min(bins, len(spectrum))
    out_spec[:keep] = spectrum[:keep]
    out = np.fft.irfft(out_spec, n_out, axis=0) * (n_out / n_pad)
    return out[: int(round(n_in * dst / src))].astype(np.float32)


def gain_to(target: float, measured: float, limit_db: float = 30.0) -> float:
    """Linear gain that moves `measured` to `target`, bounded so silence is not amplified."""
    if measured <= SILENCE:
        return 1.0
    db = max(-limit_db, min(limit_db, target - measured))
    return 10 ** (db / 20)


def trim_silence(samples: np.ndarray, rate: int, threshold_db: float = -42.0,
                 lead: float = 0.03, tail: float = 0.06) -> np.ndarray:
    """Cut leading/trailing silence (relative to the clip's peak), keeping a short margin."""
    start, end = speech_bounds(samples, rate, threshold_db, lead, tail)
    return samples[start:end]


def speech_bounds(samples: np.ndarray, rate: int, threshold_db: float = -42.0,
                  lead: float = 0.03, tail: float = 0.06) -> tuple[int, int]:
    """The sample range trim_silence keeps."""
    if len(samples) == 0:
        return 0, 0
    mono = np.abs(samples if samples.ndim == 1 else samples.max(axis=1))
    peak = float(mono.max())
    if peak <= 0:
        return 0, 0
    loud = np.flatnonzero(mono > peak * 10 ** (threshold_db / 20))
    return max(0, int(loud[0]) - int(lead * rate)), min(len(samples), int(loud[-1]) + int(tail * rate))


def edge_fades(samples: np.ndarray, rate: int, seconds: float = 0.005) -> np.ndarray:
    """Tiny fades at both ends so joins never click."""
    n = min(len(samples) // 2, int(seconds * rate))
    if n <= 0:
        return samples
    out = samples.copy()
    ramp = np.linspace(0.0, 1.0, n, dtype=np.float32)
    if out.ndim == 2:
        ramp = ramp[:, None]
    out[:n] *= ramp
    out[-n:] *= ramp[::-1]
    return out
