"""The show's pronunciation lexicon (lexicon.toml) and the script's inline overrides.

Entries map a written word or phrase to what the voice says: a respelling every engine can read,
and optionally IPA phonemes for engines that take them (piper). Applied before normalisation so
a producer's choice always wins, and identically for every engine.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from ...errors import ConfigError
from ...files import digest

# {written|spoken} or {written|/phonemes/}
OVERRIDE = re.compile(r"\{([^{}|]+)\|([^{}]*)\}")


@dataclass(frozen=True)
class Entry:
    written: str
    say: str = ""
    phonemes: str = ""

    def spoken(self, phonemes: bool, possessive: str = "") -> str:
        if phonemes and self.phonemes:
            return f"[[ {self.phonemes}{_possessive_phoneme(self.phonemes) if possessive else ''} ]]"
        base = self.say or self.written
        return base + possessive


def _possessive_phoneme(ipa: str) -> str:
    last = ipa.rstrip("ˈˌː ")[-1:]
    if last in {"s", "z", "ʃ", "ʒ"} or ipa.endswith(("tʃ", "dʒ")):
        return "ɪz"
    return "s" if last in {"p", "t", "k", "f", "θ"} else "z"


@dataclass
class Lexicon:
    entries: dict[str, Entry] = field(default_factory=dict)
    acronyms: dict[str, str] = field(default_factory=dict)
    path: Path | None = None
    # words the producer confirmed by ear: `verify` never flags them (not part of the key: they
    # change no sound)
    accepted: tuple[str, ...] = ()
    _rx: re.Pattern | None = None

    @property
    def key(self) -> str:
        return digest(sorted((k, e.say, e.phonemes) for k, e in self.entries.items()), sorted(self.acronyms.items()))

    def pattern(self) -> re.Pattern | None:
        if self._rx is None and self.entries:
            keys = sorted(self.entries, key=len, reverse=True)
            alts = "|".join(re.escape(k) for k in keys)
            # whole words only; an optional possessive is carried over to the spoken form
            self._rx = re.compile(rf"(?<![\w\-])({alts})('s|\u2019s|s')?(?![\w])", re.I)
        return self._rx

    def lookup(self, found: str) -> Entry | None:
        if found in self.entries:
            return self.entries[found]
        low = found.lower()
        entry = self.entries.get(low)
        # a lower-case key matches any capitalisation; a capitalised key only itself
        if entry is not None and entry.written == low:
            return entry
        for k, e in self.entries.items():
            # a capitalised key also matches its shouted form ("MINOT AIR FORCE BASE")
            if k.lower() == low and (k == found or k.islower() or found.isupper()):
                return e
        return None


def _entry(word: str, value, where: Path) -> Entry:
    if isinstance(value, str):
        v = value.strip()
        if v.startswith("/") and v.endswith("/") and len(v) > 2:
            return Entry(word, phonemes=v.strip("/"))
        return Entry(word, say=v)
    if isinstance(value, dict):
        unknown = set(value) - {"say", "phonemes"}
        if unknown:
            raise ConfigError(f"entry {word!r} has unknown keys {sorted(unknown)}", where,
                              'use { say = "respelling", phonemes = "IPA" }')
        return Entry(word, say=str(value.get("say", "")).strip(), phonemes=str(value.get("phonemes", "")).strip().strip("/"))
    raise ConfigError(f"entry {word!r} should be a string or a table", where,
                      f'write {word} = "respelling" or {word} = {{ say = "...", phonemes = "..." }}')


def load_lexicon(path: Path | None) -> Lexicon:
    if path is None or not path.is_file():
        return Lexicon(path=path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"is not valid TOML ({exc})", path, "fix the syntax at that line") from None
    words = raw.get("words", {})
    acronyms = raw.get("acronyms", {})
    if not isinstance(words, dict) or not isinstance(acronyms, dict):
        raise ConfigError("needs [words] and [acronyms] tables", path, "see the comments at the top of the file")
    entries = {str(k): _entry(str(k), v, path) for k, v in words.items()}
    for k, v in acronyms.items():
        if not isinstance(v, str):
            raise ConfigError(f"acronym {k!r} should be \"letters\", \"word\" or a respelling", path,
                              f'write {k} = "letters"')
    accepted = raw.get("accepted", [])
    if not isinstance(accepted, list) or not all(isinstance(w, str) for w in accepted):
        raise ConfigError("'accepted' should be a list of words", path, 'write accepted = ["Minot"] at the top')
    return Lexicon(entries=entries, acronyms={str(k): str(v) for k, v in acronyms.items()}, path=path,
                   accepted=tuple(accepted))


def written_form(line: str) -> str:
    """What the transcript shows: overrides keep their written half."""
    return OVERRIDE.sub(lambda m: m.group(1), line)
