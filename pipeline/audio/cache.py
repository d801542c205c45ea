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

    def put(self, key: str, samples: np.ndarray, rate: int, lufs: float,
            words: list[tuple[float, float]] | None = None) -> ClipInfo:
        wav, meta = self._paths(key)
        pcm = np.clip(samples * 32767.0, -32767, 32767).astype(np.int16)
        with atomic_path(wav) as tmp:
            with wave.open(str(tmp), "wb") as fh:
                fh.setnchannels(1)
                fh.setsampwidth(2)
                fh.setframerate(rate)
                fh.writeframes(pcm.tobytes())
        with atomic_path(meta) as tmp:
            entry: dict = {"rate": rate, "frames": int(len(pcm)), "lufs": lufs}
            if words is not None:
                entry["words"] = [[round(a, 4), round(b, 4)] for a, b in words]
            tmp.write_text(json.dumps(entry))
        return ClipInfo(key, rate, int(len(pcm)), lufs, tuple(words) if words is not None else None)

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

