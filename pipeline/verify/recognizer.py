"""Speech recognisers behind one small interface: sentence clips in, heard text out.

`whisper` is faster-whisper (CTranslate2) with the model from `model.resolve_model`; `fake` hears
exactly what the voice was given (respellings read as words, phonemes as nothing), for tests of
everything around recognition. Both are chosen by `[verify] recognizer` in show.toml.

Whisper always encodes 30 seconds of audio, however short the input: one sentence per call
would spend most of the time encoding silence. Clips are packed, in order and never split,
into windows of up to 29 s with a short gap between them, all windows are encoded in batches
and decoded greedily without timestamps, and each window's text is shared back over its clips
by aligning it with their references (`compare.split_heard`).
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import EngineError
from .compare import split_heard, words
from .model import INSTALL_HINT, resolve_model

RATE = 16000
WINDOW = 29.0      # seconds of clips per window (Whisper's input is 30 s)
GAP = 0.4          # seconds of silence between clips in a window
BATCH = 8          # windows encoded and decoded together (decoding gains most from batching)


@dataclass(frozen=True)
class ClipAudio:
    key: str
    samples: np.ndarray   # mono float32
    rate: int
    spoken: str           # what the voice was given
    reference: str        # what it should be heard as (see compare)


class Recognizer(ABC):
    name = ""

    @abstractmethod
    def identity(self) -> dict:
        """Everything that changes what is heard: part of each cached result's key."""

    @abstractmethod
    def recognize(self, clips: list[ClipAudio], separate: bool = False) -> list[str]:
        """The text heard in each clip, in order; `separate` hears each clip on its own (slower,
        but nothing depends on sharing a window's text out)."""


class FakeRecognizer(Recognizer):
    """Hears what the voice was given: a respelling's syllables as words, phonemes as nothing."""

    name = "fake"

    def identity(self) -> dict:
        return {"recognizer": "fake", "version": 1}

    def recognize(self, clips: list[ClipAudio], separate: bool = False) -> list[str]:
        out = []
        for clip in clips:
            text = re.sub(r"\[\[.*?\]\]", " ", clip.spoken)
            out.append(" ".join(re.sub(r"(?<=[A-Za-z])-(?=[A-Za-z])", " ", text).split()))
        return out


def windows(clips: list[ClipAudio]) -> list[list[int]]:
    """Clip indices packed in order into windows of at most WINDOW seconds (a longer clip alone)."""
    out: list[list[int]] = []
    length = 0.0
    for i, clip in enumerate(clips):
        seconds = len(clip.samples) / clip.rate
        if out and length + seconds <= WINDOW:
            out[-1].append(i)
            length += seconds + GAP
        else:
            out.append([i])
            length = seconds + GAP
    return out


class WhisperRecognizer(Recognizer):
    name = "whisper"

    def __init__(self, model: str, cache: Path, threads: int):
        try:
            import faster_whisper  # noqa: F401
        except ImportError:
            raise EngineError("the speech recogniser (faster-whisper) is not installed", None, INSTALL_HINT) from None
        self.model_name = model
        self.path, self.local = resolve_model(model, cache)
        self.threads = threads
        self.workers = 2 if threads >= 2 else 1
        self._model = None

    def identity(self) -> dict:
        import importlib.metadata

        where = Path(self.path)
        size = (where / "model.bin").stat().st_size if self.local else self.path
        return {"recognizer": "whisper", "model": [self.model_name, size], "window": WINDOW, "gap": GAP,
                "faster-whisper": importlib.metadata.version("faster-whisper"), "version": 3}

    def _load(self):
        if self._model is None:
            from faster_whisper import WhisperModel

            try:
                # two workers of half the threads each, fed from two threads: 20 % faster on two
                # cores than one worker using both (decoding parallelises poorly inside one call)
                self._model = WhisperModel(self.path, device="cpu", compute_type="int8",
                                           cpu_threads=max(1, self.threads // self.workers), num_workers=self.workers,
                                           local_files_only=self.local)
            except Exception as exc:
                raise EngineError(f"the recogniser model {self.model_name!r} could not be loaded "
                                  f"({exc.__class__.__name__}: {str(exc)[:120]})", None,
                                  'fix verify.model in show.toml (a local model folder, or "base")') from None
        return self._model

    def recognize(self, clips: list[ClipAudio], separate: bool = False) -> list[str]:
        from ..audio.loudness import resample

        if not clips:
            return []
        audio = [resample(np.asarray(c.samples, dtype=np.float32), c.rate, RATE) for c in clips]
        gap = np.zeros(int(GAP * RATE), dtype=np.float32)
        packed = [[i] for i in range(len(clips))] if separate else windows(clips)
        texts = self._decode([np.concatenate([x for i in members for x in (audio[i], gap)]) for members in packed])
        heard: list[str] = [""] * len(clips)
        for members, text in zip(packed, texts):
            expected = sum(len(words(clips[i].reference)) for i in members)
            if _runaway(text, expected):
                # greedy decoding fell into a loop ("secretary of state us secretary of state..."):
                # hear each clip alone, with a beam and repeats discouraged
                again = self._decode([audio[i] for i in members], beam_size=4, repetition_penalty=1.2,
                                     no_repeat_ngram_size=4)
                for i, text_i in zip(members, again):
                    heard[i] = "" if _runaway(text_i, len(words(clips[i].reference))) else " ".join(words(text_i))
                continue
            shares = split_heard([clips[i].reference for i in members], text)
            for i, share in zip(members, shares):
                heard[i] = share
        return heard

    def _decode(self, audios: list[np.ndarray], beam_size: int = 1, **options) -> list[str]:
        """The text of each (at most 30 s) stretch of 16 kHz audio, BATCH at a time."""
        from concurrent.futures import ThreadPoolExecutor

        from faster_whisper.tokenizer import Tokenizer
        from faster_whisper.transcribe import get_ctranslate2_storage

        model = self._load()
        tokenizer = Tokenizer(model.hf_tokenizer, True, task="transcribe", language="en")
        prompt = [tokenizer.sot, tokenizer.language, tokenizer.transcribe, tokenizer.no_timestamps]

        def batch(part: list[np.ndarray]) -> list[str]:
            features = []
            for audio in part:
                audio = np.pad(audio[: 30 * RATE], (0, max(0, 30 * RATE - len(audio))))
                features.append(model.feature_extractor(audio)[..., :3000])
            encoded = model.model.encode(get_ctranslate2_storage(np.stack(features).astype(np.float32)), to_cpu=False)
            results = model.model.generate(encoded, [prompt] * len(features), beam_size=beam_size, max_length=448,
                                           **options)
            return [tokenizer.decode([t for t in r.sequences_ids[0] if t < tokenizer.eot]) for r in results]

        # as many batches as workers (each at most BATCH windows), decoded side by side, in order
        size = max(1, min(BATCH, -(-len(audios) // self.workers)))
        parts = [audios[i:i + size] for i in range(0, len(audios), size)]
        with ThreadPoolExecutor(max_workers=self.workers) as pool:
            return [text for texts in pool.map(batch, parts) for text in texts]


def _runaway(text: str, expected_words: int) -> bool:
    """Whisper's own failure test (text that compresses too well is a loop), plus far more words
    than were spoken."""
    import zlib

    raw = text.strip().encode()
    if not raw:
        return False
    ratio = len(raw) / len(zlib.compress(raw))
    return ratio > 2.4 or len(text.split()) > 2 * expected_words + 8


RECOGNIZERS = ("whisper", "fake")


def create_recognizer(name: str, model: str, cache: Path, threads: int) -> Recognizer:
    if name == "fake":
        return FakeRecognizer()
    if name == "whisper":
        return WhisperRecognizer(model, cache, threads)
    raise EngineError(f"unknown recogniser {name!r}", None, f"use one of {', '.join(RECOGNIZERS)} for verify.recognizer")
