"""Listen back: recognise every sentence clip of the rendered episodes and point at the ones a
listener would hear wrong.

The clips are the clip cache's own (sentence boundaries exact), and what was heard in each is
cached by the clip's key and the recogniser's identity, so a re-verify after a one-word fix
recognises one clip. Comparison is cheap and always redone: accepting a word or changing the
threshold needs no recognition.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..config import Show
from ..errors import ReadcastError
from ..files import digest, read_json, write_json
from .compare import Comparison, Context, normalize
from .compare import compare as compare_words

if TYPE_CHECKING:
    from ..audio import AudioPlan
    from ..audio.mix import Line
    from ..build import Plan
    from .recognizer import ClipAudio, Recognizer

log = logging.getLogger(__name__)


@dataclass
class Sentence:
    number: int            # 1-based, as the build's messages count them
    kind: str              # intro | body | outro
    written: str
    spoken: str
    reference: str
    heard: str
    key: str
    comparison: Comparison
    suggestions: list[str] = field(default_factory=list)

    def flagged(self, threshold: float) -> bool:
        return bool(self.comparison.flags) and self.comparison.significant_rate > threshold


@dataclass
class EpisodeCheck:
    slug: str
    sentences: list[Sentence]
    threshold: float
    recognized: int = 0    # clips recognised this run (the rest came from the cache)

    @property
    def flagged(self) -> list[Sentence]:
        return [s for s in self.sentences if s.flagged(self.threshold)]

    @property
    def wer(self) -> float:
        """Word error rate of everything heard against the written text (normalised)."""
        import jiwer

        ref = " ".join(normalize(s.written) for s in self.sentences).split()
        hyp = " ".join(normalize(s.heard) for s in self.sentences).split()
        if not ref:
            return 0.0 if not hyp else 1.0
        return float(jiwer.wer(" ".join(ref), " ".join(hyp) or "_"))

    def as_json(self) -> dict:
        return {
            "slug": self.slug,
            "wer_vs_written": round(self.wer, 4),
            "sentences": len(self.sentences),
            "flagged": len(self.flagged),
            "threshold": self.threshold,
            "results": [
                {"sentence": s.number, "section": s.kind, "written": s.written, "spoken": s.spoken,
                 "reference": normalize(s.reference), "heard": s.heard, "clip": s.key,
                 "flagged": s.flagged(self.threshold),
                 "differences": [dataclasses.asdict(d) for d in s.comparison.differences],
                 "suggestions": s.suggestions}
                for s in self.sentences],
        }


class HeardCache:
    """What a recogniser heard in each clip: `.readcast/verify/<recogniser>/<key>.json`."""

    def __init__(self, show: Show, recognizer: Recognizer):
        self.root = show.state_dir / "verify" / digest(recognizer.identity())[:16]

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.json"

    def get(self, key: str) -> str | None:
        data = read_json(self._path(key))
        return data.get("heard") if isinstance(data, dict) and isinstance(data.get("heard"), str) else None

    def put(self, key: str, heard: str) -> None:
        write_json(self._path(key), {"heard": heard})


def reference_narrator(show: Show):
    """readcast's reading with every lexicon word left as written: the words a listener should hear."""
    from ..scripts.spoken import Narrator, narrator_for
    from ..scripts.spoken.lexicon import Entry, Lexicon

    lexicon = narrator_for(show).lexicon
    plain = Lexicon(entries={k: Entry(k, say=k) for k in lexicon.entries}, acronyms=dict(lexicon.acronyms))
    return Narrator(plain), lexicon


def recognizer_for(show: Show) -> Recognizer:
    from ..audio.engines import cores, user_cache_dir
    from .recognizer import create_recognizer

    return create_recognizer(show.verify.recognizer, show.verify.model, user_cache_dir() / "models", cores())


def _clip(cache, line: Line, reference: str) -> ClipAudio:
    from .recognizer import ClipAudio

    info = cache.info(line.key)
    return ClipAudio(line.key, cache.load(line.key), info.rate, line.spoken, reference)


def verify_plan(plan: Plan, recognizer: Recognizer | None = None, progress=None) -> tuple[list[EpisodeCheck], list[ReadcastError]]:
    """Check every planned episode whose audio is rendered; write SLUG.verify.json beside its MP3."""
    from ..audio import read_meta
    from .suggest import suggestions

    show = plan.show
    problems: list[ReadcastError] = []
    todo: list[tuple[str, AudioPlan]] = []
    cache = plan.cache
    for w in plan.work:
        if w.audio is None or w.ep.slug in plan.failed:
            continue
        meta = read_meta(show, w.ep.slug)  # read now: a build may have rendered it since the plan
        if (meta is None or meta.get("inputs") != w.audio.inputs or cache is None
                or not all(cache.has(ln.key) for ln in w.audio.lines)):
            problems.append(ReadcastError("is not built with its current script", w.audio.mp3,
                                          f"run 'readcast build {w.ep.slug}' first"))
            continue
        todo.append((w.ep.slug, w.audio))
    if not todo:
        return [], problems
    recognizer = recognizer or recognizer_for(show)
    heard_cache = HeardCache(show, recognizer)
    narrator, lexicon = reference_narrator(show)
    accepted = {normalize(w) for w in lexicon.accepted} - {""}
    lexicon_words = frozenset(normalize(k) for k in lexicon.entries) - {""}
    assert cache is not None

    references = {ln.key: narrator.speak(ln.written, phonemes=False) for _, audio in todo for ln in audio.lines}
    missing: dict[str, Line] = {}
    for _, audio in todo:
        for ln in audio.lines:
            if ln.key not in missing and heard_cache.get(ln.key) is None:
                missing[ln.key] = ln
    if missing:
        if progress is not None:
            progress.start("Listening", len(missing))

        def hear(lines: list[Line], separate: bool = False) -> None:
            step = 64  # a batch at a time, so an interrupted verify keeps what it heard
            for i in range(0, len(lines), step):
                part = lines[i:i + step]
                said = recognizer.recognize([_clip(cache, ln, references[ln.key]) for ln in part], separate=separate)
                for ln, text in zip(part, said):
                    heard_cache.put(ln.key, text)
                if progress is not None and not separate:
                    progress.advance(len(part))

        lines = list(missing.values())
        hear(lines)
        # a clip heard in a window with others can lose or gain a word at its edges when the
        # window's text is shared out; one that differs is heard again on its own before it is
        # flagged (a few clips, so little time)
        hear([ln for ln in lines if compare_words(references[ln.key], heard_cache.get(ln.key) or "",
                                                  Context(ln.written, lexicon_words, ln.spoken), accepted).flags],
             separate=True)
        if progress is not None:
            progress.finish()

    checks = []
    for slug, audio in todo:
        sentences = []
        for n, ln in enumerate(audio.lines, 1):
            heard = heard_cache.get(ln.key) or ""
            ctx = Context(ln.written, lexicon_words, ln.spoken)
            result = compare_words(references[ln.key], heard, ctx, accepted)
            sentences.append(Sentence(n, ln.kind, ln.written, ln.spoken, references[ln.key], heard, ln.key, result))
        check = EpisodeCheck(slug, sentences, show.verify.threshold,
                             recognized=sum(1 for ln in audio.lines if ln.key in missing))
        for s in check.flagged:
            s.suggestions = suggestions(s, lexicon)
        write_json(show.rendered_dir / f"{slug}.verify.json", check.as_json())
        checks.append(check)
    return checks, problems


def require_extra() -> None:
    """A clear one-line error when readcast was installed without the listen-back extra."""
    from ..errors import EngineError
    from .model import INSTALL_HINT

    for module in ("whisper_normalizer", "jiwer", "jellyfish"):
        try:
            __import__(module)
        except ImportError:
            raise EngineError(f"listen-back needs the package {module}, which is not installed", None,
                              INSTALL_HINT) from None


@dataclass
class Trial:
    respelling: str
    written: str
    spoken: str
    heard: str
    comparison: Comparison
    word_heard_right: bool


def try_respellings(plan: Plan, word: str, candidates: list[str], recognizer: Recognizer | None = None,
                    limit: int = 2) -> list[Trial]:
    """Synthesise the first sentences that use `word` with each candidate respelling, and hear them.

    Nothing is written to lexicon.toml or the clip cache: these are auditions."""
    import re

    from ..audio.engines import create_engine
    from ..audio.loudness import trim_silence
    from ..scripts.spoken import Narrator
    from ..scripts.spoken.lexicon import Entry, Lexicon
    from .recognizer import ClipAudio

    show = plan.show
    pattern = re.compile(rf"(?<![\w-]){re.escape(word)}(?![\w])", re.I)
    written = [ln.written for w in plan.work if w.audio for ln in w.audio.lines if pattern.search(ln.written)]
    written = list(dict.fromkeys(written))[:limit] or [f"{word}."]
    recognizer = recognizer or recognizer_for(show)
    reference, lexicon = reference_narrator(show)
    accepted = {normalize(w) for w in lexicon.accepted} - {normalize(word)}
    engine = create_engine(show.voice)
    target = normalize(word)
    trials = []
    for candidate in candidates:
        entries = dict(lexicon.entries)
        entries[word] = Entry(word, say=candidate)
        narrator = Narrator(Lexicon(entries=entries, acronyms=dict(lexicon.acronyms)))
        clips = []
        for text in written:
            spoken = narrator.speak(text, phonemes=False)
            samples = trim_silence(engine.synthesize(spoken), engine.sample_rate)
            clips.append(ClipAudio(f"try-{candidate}", samples, engine.sample_rate, spoken,
                                   reference.speak(text, phonemes=False)))
        heard = recognizer.recognize(clips, separate=True)
        for clip, text, got in zip(clips, written, heard):
            result = compare_words(clip.reference, got, Context(text, spoken=clip.spoken), accepted)
            right = not any(target in d.expected.split() for d in result.flags)
            trials.append(Trial(candidate, text, clip.spoken, got, result, right))
    engine.close()
    return trials


def accept_words(show: Show, words: list[str]) -> Path:
    """Add words to lexicon.toml's `accepted` list, keeping the file's comments and layout."""
    import tomlkit

    from ..errors import ConfigError

    path = show.path(show.lexicon)
    try:
        doc = tomlkit.parse(path.read_text(encoding="utf-8")) if path.is_file() else tomlkit.document()
    except Exception as exc:
        raise ConfigError(f"is not valid TOML ({exc})", path, "fix the syntax at that line") from None
    if doc.get("accepted") is None:
        doc = _insert_before_tables(doc, "accepted", tomlkit.array())
    current = doc["accepted"]
    for w in words:
        if w not in current:
            current.append(w)
    from ..files import write_text

    write_text(path, tomlkit.dumps(doc))
    return path


def _insert_before_tables(doc, key: str, value):
    import tomlkit

    text = tomlkit.dumps(doc)
    head = tomlkit.document()
    head.add(tomlkit.comment("heard wrong by the recogniser, right by ear: `readcast verify` never flags these"))
    head[key] = value
    # the new key goes just before the first table header, after the file's opening comments
    lines = text.splitlines(keepends=True)
    for i, line in enumerate(lines):
        if line.lstrip().startswith("["):
            return tomlkit.parse("".join(lines[:i]) + tomlkit.dumps(head) + "\n" + "".join(lines[i:]))
    return tomlkit.parse(text + tomlkit.dumps(head))
