"""What a producer can do about a flagged sentence: a lexicon entry to try, or a word to accept.

Respellings follow the convention of lexicon.toml's own examples ("kah-LEE-nuf-kah"): syllables
split at vowel groups, an open syllable's vowel spelt as it is said in most foreign names (a ->
ah, e -> eh, i -> ee, o -> oh, u -> oo), one candidate per stressed syllable. They are guesses to
hear, not answers: `readcast verify --try WORD=RESPELLING` synthesises and recognises each, and
nothing is written to lexicon.toml without the producer.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..scripts.spoken.lexicon import Lexicon
    from . import Sentence

_OPEN = {"a": "ah", "e": "eh", "i": "ee", "o": "oh", "u": "oo", "y": "ee"}
# a consonant sound spelt with two or more letters stays whole; "y" before a vowel is a consonant
_UNIT = re.compile(r"shch|sch|tch|[cstkzpgw]h|ck|[aeiou]+|y(?=[aeiou])|y|[^aeiouy]", re.I)


def syllables(word: str) -> list[str]:
    """A word split before the last consonant sound between vowel groups: "Kalinovka" -> ka li nov ka,
    "Khrushchev" -> khru shchev."""
    units = _UNIT.findall(word.lower())
    if "".join(units) != word.lower():
        return [word.lower()]
    vowel = [bool(re.fullmatch(r"[aeiou]+|y", u)) and not (u == "y" and i + 1 < len(units)
             and re.fullmatch(r"[aeiou]+", units[i + 1])) for i, u in enumerate(units)]
    if len(units) > 2 and units[-1] == "e" and not vowel[-2]:
        vowel[-1] = False  # a silent final e ("base")
    nuclei = [i for i, v in enumerate(vowel) if v]
    if len(nuclei) < 2:
        return [word.lower()]
    cuts = []
    for a, b in zip(nuclei, nuclei[1:]):
        cuts.append(b - 1 if b - a > 1 else b)  # the consonant before the next vowel starts its syllable
    parts, start = [], 0
    for cut in cuts:
        parts.append("".join(units[start:cut]))
        start = cut
    parts.append("".join(units[start:]))
    return parts


def respellings(word: str, limit: int = 3) -> list[str]:
    parts = syllables(word)
    if len(parts) < 2:
        return []
    spelt = [p[:-1] + _OPEN[p[-1]] if p[-1] in _OPEN else p for p in parts]
    out = []
    for stress in range(min(len(spelt), limit)):
        out.append("-".join(s.upper() if i == stress else s for i, s in enumerate(spelt)))
    return out


def _written_word(expected: str, written: str) -> str:
    """The written word behind a normalised one ("khrushchev" -> "Khrushchev")."""
    for token in re.findall(r"[\w'’\-]+", written):
        bare = re.sub(r"['’]s$", "", token)
        if bare.lower() == expected.lower():
            return bare
    return expected


def suggestions(sentence: Sentence, lexicon: Lexicon) -> list[str]:
    out: list[str] = []
    for d in sentence.comparison.flags:
        heard = f'heard "{d.heard}"' if d.heard else "not heard"
        if d.cause == "lexicon entry":
            for w in d.expected.split():
                word = _written_word(w, sentence.written)
                entry = lexicon.lookup(word) if lexicon.entries else None
                if entry is not None:
                    out.append(f'lexicon.toml: the entry for "{word}" ({entry.say or "/" + entry.phonemes + "/"}) '
                               f"is {heard}: fix or remove it")
                    break
        elif d.cause == "name or place":
            word = _written_word(d.expected.split()[0], sentence.written)
            tries = " ".join(f"--try {word}={r}" for r in respellings(word))
            if tries:
                out.append(f"{word} is {heard}: hear candidates with `readcast verify {tries}`, "
                           f"or `readcast verify --accept {word}` if it already sounds right")
            else:
                out.append(f"{word} is {heard}: `readcast verify --accept {word}` if it sounds right")
        elif d.cause in ("number or date", "abbreviation") and d.expected:
            out.append(f'"{d.expected}" is {heard}: check readcast\'s reading with '
                       f"`readcast say --print` on the sentence")
    return list(dict.fromkeys(out))
