"""The spoken form: what the engine receives for each written script line.

written line --inline overrides--> --lexicon--> --normaliser--> spoken text

Overrides and lexicon hits are swapped for private-use placeholder characters before the rules
run, so no rule can rewrite a producer's choice, then restored at the end.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from ...config import Show
from .lexicon import OVERRIDE, Entry, Lexicon, load_lexicon, written_form
from .normalize import Normalizer

__all__ = ["Narrator", "Lexicon", "load_lexicon", "written_form", "narrator_for"]

NORMALIZER_VERSION = "3"
_BASE = 0xE000


class Narrator:
    def __init__(self, lexicon: Lexicon | None = None):
        self.lexicon = lexicon or Lexicon()
        self.normalize = Normalizer(self.lexicon.acronyms)

    @property
    def key(self) -> str:
        """Changes whenever the same line could be spoken differently."""
        return f"{NORMALIZER_VERSION}:{self.lexicon.key}"

    def speak(self, line: str, phonemes: bool = True) -> str:
        """The exact text the engine receives for one written script line."""
        held: list[str] = []

        def hold(spoken: str) -> str:
            held.append(spoken)
            return f" {chr(_BASE + len(held) - 1)} "

        def override(m: re.Match) -> str:
            spoken = m.group(2).strip()
            if spoken.startswith("/") and spoken.endswith("/") and len(spoken) > 2:
                entry = Entry(m.group(1), phonemes=spoken.strip("/"))
                return hold(entry.spoken(phonemes))
            return hold(self.normalize(spoken) if spoken else "")

        # private-use characters mean nothing to a voice, and below they mark held spoken forms
        line = re.sub("[\ue000-\uf8ff]", " ", line)
        text = OVERRIDE.sub(override, line)
        rx = self.lexicon.pattern()
        if rx is not None:
            def lex(m: re.Match) -> str:
                entry = self.lexicon.lookup(m.group(1))
                if entry is None:
                    return m.group(0)
                poss = m.group(2) or ""
                return hold(entry.spoken(phonemes, "'s" if poss else ""))

            text = rx.sub(lex, text)
        text = self.normalize(text)
        if held:
            text = re.sub("[\ue000-\uf8ff]", lambda m: held[ord(m.group(0)) - _BASE], text)
            text = " ".join(text.split())
            text = re.sub(r"\s+([,;:.!?])", r"\1", text)
        return text


@functools.lru_cache(maxsize=8)
def _cached(path: str, mtime: float) -> Narrator:
    return Narrator(load_lexicon(Path(path)))


def narrator_for(show: Show) -> Narrator:
    path = show.path(show.lexicon)
    try:
        mtime = path.stat().st_mtime
    except OSError:
        return Narrator()
    return _cached(str(path), mtime)
