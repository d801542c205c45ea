"""The ffmpeg binary that imageio-ffmpeg ships (with libmp3lame and ebur128), and our calls to it.

There is no ffprobe, so nothing asks ffmpeg to guess: decoding always names the output format,
rate and channel count, and pydub is pointed at this binary before it is used.
"""

from __future__ import annotations

import functools
import re
import subprocess
import warnings
from pathlib import Path

import numpy as np

from ..errors import AudioError


@functools.lru_cache(maxsize=1)
def ffmpeg_exe() -> str:
    try:
        import imageio_ffmpeg
    except ImportError:  # pragma: no cover - a dependency
        raise AudioError("imageio-ffmpeg is not installed", None, "run 'make setup' (pip install -e .)") from None
    return imageio_ffmpeg.get_ffmpeg_exe()


def use_pydub():
    """pydub, pointed at our ffmpeg (it warns at import when none is on PATH; that is expected)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        import pydub

    pydub.AudioSegment.converter = ffmpeg_exe()
    pydub.AudioSegment.ffmpeg = ffmpeg_exe()
    return pydub


def decode(path: Path, rate: int, channels: int) -> np.ndarray:
    """Any audio file as float32 samples shaped (frames, channels) at `rate`."""
    cmd = [ffmpeg_exe(), "-nostdin", "-v", "error", "-i", str(path), "-vn", "-f", "f32le",
           "-acodec", "pcm_f32le", "-ac", str(channels), "-ar", str(rate), "-"]
    try:
        proc = subprocess.run(cmd, capture_output=True, check=False)
    except OSError as exc:
        raise AudioError(f"ffmpeg could not run ({exc})", path, "reinstall imageio-ffmpeg") from None
    if proc.returncode != 0 or not proc.stdout:
        why = (proc.stderr.decode("utf-8", "replace").strip().splitlines() or ["no audio in it"])[-1]
        raise AudioError(f"cannot be decoded as audio ({why[:120]})", path,
                         "give an mp3, wav, ogg or m4a file, or fix the path in show.toml")
    data = np.frombuffer(proc.stdout, dtype=np.float32)
    return data.reshape(-1, channels).copy()


def decode_bytes(data: bytes, rate: int, channels: int, what: str = "audio") -> np.ndarray:
    """Encoded audio held in memory (gTTS returns MP3 bytes) as float32 (frames, channels)."""
    cmd = [ffmpeg_exe(), "-nostdin", "-v", "error", "-i", "pipe:0", "-f", "f32le", "-acodec", "pcm_f32le",
           "-ac", str(channels), "-ar", str(rate), "pipe:1"]
    proc = subprocess.run(cmd, input=data, capture_output=True, check=False)
    if proc.returncode != 0 or not proc.stdout:
        raise AudioError(f"{what} could not be decoded", None, "the engine returned no usable audio")
    return np.frombuffer(proc.stdout, dtype=np.float32).reshape(-1, channels).copy()


_EBUR = re.compile(r"Integrated loudness:\s*I:\s*(-?[\d.]+|-inf)\s*LUFS.*?(?:True peak:\s*Peak:\s*(-?[\d.]+|-inf)\s*dBFS)?", re.S)


def parse_ebur128(stderr: str) -> tuple[float, float | None]:
    """(integrated LUFS, true peak dBTP) from the summary ffmpeg's ebur128 filter prints."""
    tail = stderr[stderr.rfind("Summary:"):] if "Summary:" in stderr else stderr
    m = re.search(r"I:\s*(-?[\d.]+|-inf)\s*LUFS", tail)
    p = re.search(r"True peak:\s*Peak:\s*(-?[\d.]+|-inf)\s*dBFS", tail)
    if not m:
        raise AudioError("ffmpeg printed no loudness summary", None, "check the ffmpeg build has ebur128")
    integrated = float(m.group(1)) if m.group(1) != "-inf" else float("-inf")
    peak = (float(p.group(1)) if p.group(1) != "-inf" else float("-inf")) if p else None
    return integrated, peak


def measure_file(path: Path) -> tuple[float, float]:
    """Integrated loudness and true peak of a file, with ffmpeg's BS.1770 meter."""
    cmd = [ffmpeg_exe(), "-nostdin", "-hide_banner", "-nostats", "-i", str(path), "-vn",
           "-af", "ebur128=peak=true", "-f", "null", "-"]
    proc = subprocess.run(cmd, capture_output=True, check=False)
    if proc.returncode != 0:
        raise AudioError("cannot be measured", path, "check it is a valid audio file")
    integrated, peak = parse_ebur128(proc.stderr.decode("utf-8", "replace"))
    return integrated, peak if peak is not None else float("nan")
