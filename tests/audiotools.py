"""Audio helpers for tests: make real files with ffmpeg, decode, measure with ffmpeg's own meter.

The meter's printed summary is read here with the tests' own parser, not the product's
(`pipeline.audio.ffmpeg.parse_ebur128`, which the mix trusts to correct loudness): a fault in that
parser must not be able to agree with itself.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import numpy as np

from pipeline.audio.ffmpeg import decode, ffmpeg_exe

__all__ = ["make_tone", "decode", "measure_file", "rms_db", "ebur128_segment"]


def make_tone(path: Path, seconds: float = 6.0, freq: float = 440.0, rate: int = 44100, channels: int = 1,
              gain_db: float = -20.0, lead_silence: float = 0.0, tail_silence: float = 0.0) -> Path:
    """A real audio file of any format ffmpeg writes (chosen by suffix): a chord with a slow swell."""
    graph = (f"sine=frequency={freq}:duration={seconds}:sample_rate={rate},"
             f"volume={gain_db}dB,apad=pad_dur={tail_silence},adelay={int(lead_silence * 1000)}:all=1")
    codec = {".mp3": ["-c:a", "libmp3lame"], ".ogg": ["-c:a", "libvorbis"], ".m4a": ["-c:a", "aac"],
             ".wav": ["-c:a", "pcm_s16le"], ".flac": ["-c:a", "flac"]}[path.suffix]
    subprocess.run([ffmpeg_exe(), "-v", "error", "-y", "-f", "lavfi", "-i", graph, "-ac", str(channels)] + codec
                   + [str(path)], check=True)
    return path


def rms_db(x: np.ndarray) -> float:
    return 20 * np.log10(max(1e-9, float(np.sqrt(np.mean(np.square(x, dtype=np.float64))))))


def ebur128_segment(path: Path, start: float, duration: float) -> float:
    """Integrated loudness of part of a file, by ffmpeg's meter (momentary blocks, ungated short parts)."""
    proc = subprocess.run([ffmpeg_exe(), "-nostdin", "-hide_banner", "-nostats", "-ss", str(start), "-t", str(duration),
                           "-i", str(path), "-af", "ebur128", "-f", "null", "-"], capture_output=True, text=True)
    return _summary(proc.stderr)[0]


def _summary(stderr: str) -> tuple[float, float]:
    """(integrated LUFS, true peak dBFS) from the "Summary:" block ffmpeg's ebur128 prints last."""
    summary = stderr[stderr.rindex("Summary:"):]
    integrated = re.search(r"Integrated loudness:\s*\n\s*I:\s*(-?\d+(?:\.\d+)?|-inf)\s*LUFS", summary)
    peak = re.search(r"True peak:\s*\n\s*Peak:\s*(-?\d+(?:\.\d+)?|-inf)\s*dBFS", summary)
    value = lambda m: float(m.group(1)) if m else float("nan")  # noqa: E731
    return value(integrated), value(peak)


def measure_file(path: Path) -> tuple[float, float]:
    """Integrated loudness and true peak of a file, by ffmpeg's ebur128 meter."""
    proc = subprocess.run([ffmpeg_exe(), "-nostdin", "-hide_banner", "-nostats", "-i", str(path), "-vn",
                           "-af", "ebur128=peak=true", "-f", "null", "-"], capture_output=True, text=True, check=True)
    return _summary(proc.stderr)
