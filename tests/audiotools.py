"""Audio helpers for tests: make real files with ffmpeg, decode, measure with ffmpeg's own meter."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np

from pipeline.audio.ffmpeg import decode, ffmpeg_exe, measure_file

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
    from pipeline.audio.ffmpeg import parse_ebur128

    return parse_ebur128(proc.stderr)[0]
