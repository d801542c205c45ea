"""The ffmpeg binary that imageio-ffmpeg ships (with libmp3lame and ebur128), and our calls to it.

There is no ffprobe, so nothing asks ffmpeg to guess: decoding always names the output format,
rate and channel count, and pydub is pointed at this binary before it is used.
"""

from __future__ import annotations

import functools
import queue
import re
import subprocess
import tempfile
import threading
import warnings
from pathlib import Path

import numpy as np

from ..config import Audio
from ..errors import AudioError


@functools.lru_cache(maxsize=1)
def ffmpeg_exe() -> str:
    """imageio-ffmpeg's binary. imageio-ffmpeg checks it by running `ffmpeg -version` in every
    process that asks (0.04 s, in every build); the binary it found is remembered in the user
    cache with its size and modification time, and checked again only when those change."""
    import json
    import os

    from ..files import stat_key, write_json
    from .engines import user_cache_dir

    remembered = user_cache_dir() / "ffmpeg.json"
    if not os.environ.get("IMAGEIO_FFMPEG_EXE"):
        try:
            known = json.loads(remembered.read_text())
            if stat_key(known["exe"]) == known["stat"]:
                return str(known["exe"])
        except (OSError, ValueError, KeyError, TypeError):
            pass
    try:
        import imageio_ffmpeg
    except ImportError:  # pragma: no cover - a dependency
        raise AudioError("imageio-ffmpeg is not installed", None, "run 'make setup' (pip install -e .)") from None
    exe = imageio_ffmpeg.get_ffmpeg_exe()
    try:
        write_json(remembered, {"exe": exe, "stat": stat_key(exe)})
    except OSError:  # "ffmpeg" found on PATH (no file to stat here), or a read-only cache
        pass
    return exe


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


_MOMENTARY = re.compile(rb"\] t: *[\d.]+ +TARGET:\S+ LUFS +M: *(-?[\d.]+|-inf|nan)")


def parse_momentary(stderr: bytes) -> np.ndarray:
    """The momentary loudness ebur128 logs every 100 ms (framelog=info), as an array."""
    values = [float(v) if v not in (b"-inf", b"nan") else -120.7 for v in _MOMENTARY.findall(stderr)]
    return np.array(values, dtype=np.float32)


class Encoder:
    """ffmpeg reading float PCM on stdin: limiter -> MP3, with an ebur128 meter on the same audio.

    `starts`: samples of the stream each encoder (MP3, Opus) skips before it begins; `tail`: the
    MP3 is part of a splice (raw frames, no Info frame, and no bit reservoir, so no frame leans
    on one before it)."""

    def __init__(self, out: Path, settings: Audio, low: Path | None = None,
                 starts: tuple[int, int] = (0, 0), tail: bool = False):
        self.settings = settings
        self.starts = starts
        self.position = 0
        self.counts = [0, 0]
        limit = 10 ** ((settings.true_peak - 0.7) / 20)  # sample-peak ceiling under the true-peak target
        limiter = f"alimiter=limit={limit:.4f}:attack=3:release=60:level=disabled"
        graph = f"[0:a]{limiter},asplit=2[enc][m];[m]ebur128=framelog=info[mm]"
        cmd = [ffmpeg_exe(), "-nostdin", "-hide_banner", "-nostats", "-y",
               "-f", "f32le", "-ar", str(settings.sample_rate), "-ac", str(settings.channels), "-i", "pipe:0",
               "-filter_complex", graph,
               "-map", "[enc]", "-c:a", "libmp3lame", "-b:a", f"{settings.bitrate}k",
               "-compression_level", str(settings.encoder_quality),
               *(["-reservoir", "0"] if tail else []),
               "-ar", str(settings.sample_rate), "-ac", str(settings.channels),
               "-id3v2_version", "0", "-write_xing", "0" if tail else "1", "-f", "mp3", str(out),
               "-map", "[mm]", "-f", "null", "-"]
        self._log = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=self._log)
        # the low-bandwidth copy: the same mix through the same limiter, in a second ffmpeg fed
        # alongside the first, so the two encoders run on two cores at once
        self.low: subprocess.Popen | None = None
        if low is not None:
            self._low_log = tempfile.TemporaryFile()
            self.low = subprocess.Popen(
                [ffmpeg_exe(), "-nostdin", "-hide_banner", "-nostats", "-v", "error", "-y", "-f", "f32le",
                 "-ar", str(settings.sample_rate), "-ac", str(settings.channels), "-i", "pipe:0", "-af", limiter,
                 *_opus_args(settings.low_bandwidth_kbps), str(low)],
                stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=self._low_log)
        # a writer thread per encoder feeds it, so that mixing the next chunks overlaps encoding
        # these, and the two encoders take audio side by side: one thread writing both pipes
        # in turn kept each waiting while the other drained its pipe
        self._broken = False
        self._queues: list[queue.Queue[bytes | None]] = []
        self._writers: list[threading.Thread] = []
        for proc in (self.proc, self.low):
            if proc is None:
                continue
            q: queue.Queue[bytes | None] = queue.Queue(maxsize=32)
            t = threading.Thread(target=self._feed, args=(proc, q), name="encoder-writer", daemon=True)
            t.start()
            self._queues.append(q)
            self._writers.append(t)

    def _feed(self, proc: subprocess.Popen, q: queue.Queue) -> None:
        assert proc.stdin is not None
        while True:
            data = q.get()
            if data is None:
                break
            if self._broken:
                continue
            try:
                proc.stdin.write(data)
            except (BrokenPipeError, ValueError, OSError):
                self._broken = True
        try:
            proc.stdin.close()
        except (BrokenPipeError, OSError):
            pass

    def write(self, block: np.ndarray) -> None:
        block = np.ascontiguousarray(block, dtype=np.float32)
        start, self.position = self.position, self.position + len(block)
        whole: bytes | None = None  # one copy for the encoders that take the whole block
        for i, q in enumerate(self._queues):
            skip = max(0, self.starts[i] - start)
            if skip >= len(block):
                continue
            if skip:
                q.put(block[skip:].tobytes())
            else:
                whole = whole if whole is not None else block.tobytes()
                q.put(whole)
            self.counts[i] += len(block) - skip

    def finish(self) -> tuple[float, float | None, np.ndarray]:
        for q in self._queues:
            q.put(None)
        for t in self._writers:
            t.join()
        code = self.proc.wait()
        if self.low is not None and self.low.wait() != 0:
            self._low_log.seek(0)
            why = (self._low_log.read().decode("utf-8", "replace").strip().splitlines() or ["?"])[-1]
            raise AudioError(f"the low-bandwidth copy could not be encoded ({why[:120]})", None,
                             "set [audio] low_bandwidth = false, or reinstall imageio-ffmpeg")
        self._log.seek(0)
        raw = self._log.read()
        err = raw.decode("utf-8", "replace")
        self._log.close()
        if code != 0:
            last = (err.strip().splitlines() or ["?"])[-1]
            if "received signal" in last:
                raise AudioError("the MP3 encoder was stopped by a signal", None, "run the build again")
            raise AudioError(f"the MP3 encoder failed ({last[:160]})", None, "check disk space and rebuild")
        integrated, peak = parse_ebur128(err)
        return integrated, peak, parse_momentary(raw)

    def abort(self) -> None:
        self._broken = True
        for proc in (self.proc, self.low):
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.wait()
        for q in self._queues:
            try:
                q.put_nowait(None)
            except queue.Full:
                pass
        self._log.close()


def _opus_args(kbps: int) -> list[str]:
    # mono speech, Opus in Ogg; complexity 0 of 10: encoded from the MP3 the default (10) took 17%
    # of a bundled build, 1 took 9%, 0 about 7%; fed from the mix alongside the MP3 encoder, 5.6%
    return ["-map_metadata", "-1", "-ac", "1", "-c:a", "libopus", "-b:a", f"{kbps}k", "-application", "voip",
            "-compression_level", "0", "-f", "ogg"]
