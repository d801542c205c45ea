"""Content-addressed cache of synthesised sentence clips.

A clip's key hashes everything that changes its sound (engine, voice and its settings, the exact
spoken text), so editing one sentence or one lexicon entry re-synthesises only the sentences
whose spoken text changed. Each entry is a WAV plus a small JSON written after it: an entry
without its JSON is incomplete (a killed build) and is simply made again.
"""

from __future__ import annotations

import json
import os
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..files import atomic_path, digest


@dataclass(frozen=True)
class ClipInfo:
    key: str
    rate: int
    frames: int
    lufs: float
    # (start, end) seconds of each spoken unit in the stored clip, when the engine said where
    words: tuple[tuple[float, float], ...] | None = None

    @property
    def seconds(self) -> float:
        return self.frames / self.rate


class ClipCache:
    def __init__(self, root: Path):
        self.root = Path(root) / "clips"

    @staticmethod
    def key(identity: dict, spoken: str) -> str:
        return digest(identity, spoken)

    def _paths(self, key: str) -> tuple[Path, Path]:
        folder = self.root / key[:2]
        return folder / f"{key}.wav", folder / f"{key}.json"

    def info(self, key: str) -> ClipInfo | None:
        wav, meta = self._paths(key)
        try:
            data = json.loads(meta.read_text())
            if not wav.is_file():
                return None
            words = data.get("words")
            return ClipInfo(key, int(data["rate"]), int(data["frames"]), float(data["lufs"]),
                            tuple((float(a), float(b)) for a, b in words) if isinstance(words, list) else None)
        except (OSError, ValueError, KeyError):
            return None

    def has(self, key: str) -> bool:
        return self.info(key) is not None

    def load(self, key: str) -> np.ndarray:
        wav, _ = self._paths(key)
        with wave.open(str(wav), "rb") as fh:
            frames = fh.readframes(fh.getnframes())
        # mark as used, for least-recently-used pruning
        try:
            os.utime(wav)
        except OSError:
            pass
        return np.frombuffer(frames, dtype=np.int16).astype(np.float32) / 32767.0

    @staticmethod
    def to_pcm(samples: np.ndarray) -> np.ndarray:
        return np.clip(samples * 32767.0, -32767, 32767).astype(np.int16)

    @staticmethod
    def write_wav(target, pcm: bytes | np.ndarray, rate: int) -> None:
        with wave.open(target if not isinstance(target, Path) else str(target), "wb") as fh:
            fh.setnchannels(1)
            fh.setsampwidth(2)
            fh.setframerate(rate)
            fh.writeframes(pcm if isinstance(pcm, bytes) else pcm.tobytes())

    @staticmethod
    def entry(rate: int, frames: int, lufs: float, words) -> dict:
        out: dict = {"rate": rate, "frames": int(frames), "lufs": lufs}
        if words is not None:
            out["words"] = [[round(a, 4), round(b, 4)] for a, b in words]
        return out

    def paths(self, key: str) -> tuple[Path, Path]:
        return self._paths(key)

    def resampled(self, source: str, key: str, rate: int) -> ClipInfo | None:
        """Clip `source` at another sample rate, stored as `key` (None when `source` is gone).
        Its loudness and word times do not change with the rate."""
        from .loudness import resample

        info = self.info(source)
        if info is None:
            return None
        try:
            samples = self.load(source)
        except (OSError, EOFError, wave.Error):
            return None
        return self.put(key, resample(samples, info.rate, rate), rate, info.lufs,
                        list(info.words) if info.words is not None else None)

    def put(self, key: str, samples: np.ndarray, rate: int, lufs: float,
            words: list[tuple[float, float]] | None = None) -> ClipInfo:
        return self.put_pcm(key, self.to_pcm(samples), rate, lufs, words)

    def put_pcm(self, key: str, pcm: np.ndarray, rate: int, lufs: float,
                words: list[tuple[float, float]] | None = None) -> ClipInfo:
        wav, meta = self._paths(key)
        with atomic_path(wav) as tmp:
            self.write_wav(tmp, pcm, rate)
        with atomic_path(meta) as tmp:
            tmp.write_text(json.dumps(self.entry(rate, len(pcm), lufs, words)))
        return ClipInfo(key, rate, int(len(pcm)), lufs, tuple(words) if words is not None else None)

    def put_wav_bytes(self, key: str, data: bytes, entry: dict) -> ClipInfo | None:
        """A clip whose WAV and entry came from elsewhere (a shared cache)."""
        wav, meta = self._paths(key)
        with atomic_path(wav) as tmp:
            tmp.write_bytes(data)
        with atomic_path(meta) as tmp:
            tmp.write_text(json.dumps(entry))
        return self.info(key)

    def size(self) -> int:
        return sum(p.stat().st_size for p in self.root.rglob("*") if p.is_file()) if self.root.is_dir() else 0

    def prune(self, limit_bytes: int, keep: set[str] | None = None) -> tuple[int, int]:
        """Delete least-recently-used clips until the cache fits; never the ones in `keep`."""
        keep = keep or set()
        if not self.root.is_dir():
            return 0, 0
        entries = []
        for wav in self.root.rglob("*.wav"):
            meta = wav.with_suffix(".json")
            st = wav.stat()
            size = st.st_size + (meta.stat().st_size if meta.exists() else 0)
            entries.append((st.st_mtime, wav.stem, wav, meta, size))
        for tmp in self.root.rglob(".*.tmp"):
            tmp.unlink(missing_ok=True)
        total = sum(e[4] for e in entries)
        removed = freed = 0
        for _mtime, key, wav, meta, size in sorted(entries):
            if total <= limit_bytes:
                break
            if key in keep:
                continue
            meta.unlink(missing_ok=True)
            wav.unlink(missing_ok=True)
            total -= size
            removed += 1
            freed += size
        return removed, freed

