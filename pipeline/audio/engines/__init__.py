"""Speech engines behind one small interface: text in, float samples out.

piper is the default and runs offline from a voice shipped inside a Python wheel; gTTS is the
online engine. An engine whose package or network is missing says so in one line.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ...errors import EngineError

if TYPE_CHECKING:  # numpy and the config are not needed to read the registry (the CLI's help does)
    from pathlib import Path

    import numpy as np

    from ...config import Voice


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

    def synthesize_timed(self, text: str) -> tuple[np.ndarray, list[tuple[int, int]] | None]:
        """The samples, and where each spoken unit (`scripts.spoken.align.units`) starts and ends
        in them, in samples; None when the engine cannot say (captions then estimate)."""
        return self.synthesize(text), None

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


def user_cache_dir() -> Path:
    """Per-user cache for things shared by every show (~/.cache/readcast, or $XDG_CACHE_HOME)."""
    import os
    from pathlib import Path

    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "readcast"


def cores() -> int:
    """The cores this process may use (its affinity, not the machine's count)."""
    import os

    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


@dataclass(frozen=True)
class EngineSpec:
    """What the rest of readcast needs to know about an engine, without importing it.

    The module is imported only when the engine is used (piper's import alone takes a second);
    it defines `create(voice, threads, model_cache) -> Engine` and `voices() -> list[VoiceInfo]`.
    """

    name: str
    module: str                     # e.g. "pipeline.audio.engines.piper_engine"
    offline: bool                   # works with no network
    cpu_bound: bool                 # True: a process per core; False: a few threads waiting on I/O
    preload: tuple[str, ...] = ()   # modules a fork server imports once for every worker
    summary: str = ""
    hidden: bool = False            # for tests: valid in show.toml, not offered in help


REGISTRY: dict[str, EngineSpec] = {}


def register(spec: EngineSpec) -> EngineSpec:
    REGISTRY[spec.name] = spec
    return spec


# one line per engine: adding an engine is its module plus a line here
register(EngineSpec("piper", "pipeline.audio.engines.piper_engine", offline=True, cpu_bound=True,
                    preload=("onnxruntime", "piper"), summary="offline neural voice (default)"))
register(EngineSpec("gtts", "pipeline.audio.engines.gtts_engine", offline=False, cpu_bound=False,
                    summary="Google's voice, online"))
register(EngineSpec("fake", "pipeline.audio.engines.fake_engine", offline=True, cpu_bound=False,
                    summary="a tone whose length follows the text, for tests", hidden=True))


def engine_names(include_hidden: bool = True) -> list[str]:
    return [name for name, spec in REGISTRY.items() if include_hidden or not spec.hidden]


def spec_for(name: str) -> EngineSpec:
    try:
        return REGISTRY[name]
    except KeyError:
        raise EngineError(f"unknown engine {name!r}", None,
                          f"use one of {', '.join(engine_names(False))} for engine in show.toml") from None


def create_engine(voice: Voice, threads: int | None = None, optimize: bool = True) -> Engine:
    """An engine for the show's voice (an engine that keeps files, as piper keeps its optimised
    model, keeps them in the user cache)."""
    import importlib

    module = importlib.import_module(spec_for(voice.engine).module)
    return module.create(voice, threads=threads, model_cache=user_cache_dir() / "models" if optimize else None)


def list_voices() -> list[VoiceInfo]:
    import importlib

    out: list[VoiceInfo] = []
    for spec in REGISTRY.values():
        if not spec.hidden:
            out.extend(importlib.import_module(spec.module).voices())
    return out
