"""Speech engines behind one small interface: text in, float samples out.

piper is the default and runs offline from a voice shipped inside a Python wheel; gTTS is the
online engine. An engine whose package or network is missing says so in one line.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

import numpy as np

from ...config import Voice
from ...errors import EngineError


class Engine(ABC):
    name: str = ""
    offline: bool = True
    supports_phonemes: bool = False
    sample_rate: int = 22050

    @abstractmethod
    def identity(self) -> dict:
        """Everything that changes the sound for the same text: part of every clip's cache key."""

    @abstractmethod
    def synthesize(self, text: str) -> np.ndarray:
        """Mono float32 samples in [-1, 1] at `sample_rate` for one line of spoken text."""

    def close(self) -> None:  # noqa: B027 - optional hook
        pass


@dataclass(frozen=True)
class VoiceInfo:
    engine: str
    voice: str
    language: str
    offline: bool
    usable: bool
    note: str = ""


def user_cache_dir() -> "Path":
    """Per-user cache for things shared by every show (~/.cache/readcast, or $XDG_CACHE_HOME)."""
    import os
    from pathlib import Path

    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "readcast"


def create_engine(voice: Voice, threads: int | None = None, optimise: bool = True) -> Engine:
    """An engine for the show's voice. piper keeps its optimised model in the user cache."""
    if voice.engine == "piper":
        from .piper_engine import PiperEngine

        return PiperEngine(voice, threads=threads, model_cache=user_cache_dir() / "models" if optimise else None)
    if voice.engine == "gtts":
        from .gtts_engine import GttsEngine

        return GttsEngine(voice)
    raise EngineError(f"unknown engine {voice.engine!r}", None, "use engine = \"piper\" or \"gtts\" in show.toml")


def list_voices() -> list[VoiceInfo]:
    from .gtts_engine import gtts_voices
    from .piper_engine import piper_voices

    return piper_voices() + gtts_voices()
