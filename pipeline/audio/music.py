"""The show's intro and outro music, decoded and loudness-matched once, kept prepared in the cache."""

from __future__ import annotations

import io
import logging

import numpy as np

from ..config import Show
from ..errors import AudioError
from ..files import code_digest, digest, write_bytes
from .mix import Music

log = logging.getLogger(__name__)


class MusicLoader:
    """Decodes and loudness-matches the intro/outro assets once, kept prepared in the cache.

    Preparing a jingle (decode, trim, measure) costs ~0.1 s each; a one-sentence edit rebuild
    should not pay it again for files that did not change.
    """

    def __init__(self, show: Show, hashes=None):
        self.show = show
        self.hashes = hashes
        self._cache: dict[str, np.ndarray] = {}

    def get(self, name: str):
        """A fresh Music (its envelope is per episode) over the shared decoded samples."""
        if not name:
            return None
        if name not in self._cache:
            self._cache[name] = self._prepared(name)
        return Music(samples=self._cache[name])

    def _prepared(self, name: str) -> np.ndarray:
        from ..files import HashCache
        from .ffmpeg import decode
        from .loudness import before_encoder, edge_fades, gain_to, integrated, trim_silence

        a = self.show.audio
        path = self.show.path(name)
        hashes = self.hashes or HashCache(self.show.state_dir)
        try:
            key = digest("music", hashes.sha256(path), a.sample_rate, a.channels, before_encoder(a.target_lufs),
                         code_digest("audio"))
        except OSError:
            key = None  # decode() below reports the unreadable file
        stored = self.show.cache_dir / "music" / f"{key}.npy"
        if key is not None and stored.is_file():
            try:
                return np.load(stored, allow_pickle=False)
            except (OSError, ValueError):
                pass  # damaged: prepare it again
        samples = decode(path, a.sample_rate, a.channels)
        samples = trim_silence(samples, a.sample_rate, threshold_db=-50, lead=0.0, tail=0.2)
        if len(samples) == 0:
            raise AudioError("is silent", path, "use an audio file with sound in it, or set it to \"\"")
        samples = edge_fades(samples, a.sample_rate, 0.01)
        samples = (samples * gain_to(before_encoder(a.target_lufs), integrated(samples, a.sample_rate))).astype(np.float32)
        if key is not None:
            buffer = io.BytesIO()
            np.save(buffer, samples, allow_pickle=False)
            try:
                write_bytes(stored, buffer.getvalue())
            except OSError as exc:  # a read-only cache only costs time
                log.debug("could not keep prepared music: %s", exc)
        return samples
