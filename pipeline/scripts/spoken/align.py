"""Where each word is: spoken units, their times in a clip, and the written words they read.

The voice receives spoken text ("In eighteen ninety-four, [[ kɹˈʊʃtʃɔf ]] was born"); captions
show the written text ("In 1894, Khrushchev was born"). A *unit* is one whitespace-separated
token of the spoken text, a `[[ phonemes ]]` group counting as one (it stands for one written
word). An engine that knows where its words are (piper's phoneme alignments, the fake engine)
returns a time per unit; otherwise times are estimated by spoken syllables.

`written_times` carries unit times back to the written words by aligning the two token lists:
equal words map one to one, and a written token that the normaliser expanded ("1894", "Sgt.")
spans the units it became ("eighteen ninety-four", "Sergeant").
"""

from __future__ import annotations

import difflib
import re
from typing import Callable

_UNIT = re.compile(r"\[\[.*?\]\]|\S+")
_VOWELS = re.compile(r"[aeiouy]+", re.I)


def units(spoken: str) -> list[str]:
    return _UNIT.findall(spoken)


def syllables(unit: str) -> int:
    if unit.startswith("[["):
        # IPA: count vowel symbols, runs of them as one
        return max(1, len(re.findall(r"[aeiouæɑɐɒɔəɛɜɪʊʌɚɝ]+", unit)))
    letters = re.sub(r"[^A-Za-z]", "", unit)
    if letters.isupper() and 1 < len(letters) <= 5:
        return len(letters)  # spelled out: a syllable or so per letter
    return max(1, len(_VOWELS.findall(letters.rstrip("e") or letters)))


def estimate(spoken: str, duration: float, lead: float = 0.03, tail: float = 0.06) -> list[tuple[float, float]]:
    """Unit times spread over a clip by syllables, with a pause after punctuation (the fallback
    for engines that give no alignments)."""
    us = units(spoken)
    if not us:
        return []
    weights = [float(syllables(u)) for u in us]
    pauses = [0.8 if re.search(r"[,;:.!?]['\")\]]*$", u) else 0.15 for u in us[:-1]] + [0.0]
    total = sum(weights) + sum(pauses)
    speech = max(duration - lead - tail, 0.01)
    t = lead
    out = []
    for w, p in zip(weights, pauses):
        d = speech * w / total
        out.append((round(t, 3), round(t + d, 3)))
        t += d + speech * p / total
    return out


def _share(written: list[str], spoken: list[str], speak: Callable[[str], str] | None) -> list[tuple[int, int]]:
    """Which of `spoken` each of `written` became: [(first, end), ...] in order, covering all."""
    m = len(spoken)
    counts: list[int] | None = None
    if speak is not None:
        try:
            counts = [len(units(speak(t))) for t in written]
        except Exception:  # a token the narrator cannot read alone: share by syllables
            counts = None
        if counts is not None and sum(counts) != m:
            counts = None
    if counts is None:
        # by weight: a written token's syllables (digits as several)
        weights = [max(1, syllables(t) + 2 * len(re.findall(r"\d", t))) for t in written]
        total = sum(weights)
        edges = [0]
        acc = 0
        for w in weights:
            acc += w
            edges.append(round(acc * m / total))
        counts = [b - a for a, b in zip(edges, edges[1:])]
    out, k = [], 0
    for c in counts:
        out.append((min(k, m - 1), min(k + c, m)))
        k += c
    return out


def _key(token: str) -> str:
    return re.sub(r"[^\w]", "", token.lower().replace("\u2019", "'"))


def written_times(written: str, spoken: str, times: list[tuple[float, float]],
                  speak: Callable[[str], str] | None = None) -> list[tuple[str, float, float]]:
    """(written token, start, end) for every whitespace token of the written sentence.

    `speak` reads one written token as the narrator would; with it, a run of written tokens that
    became a run of units is shared out exactly ("1894," is two units, "Khrushchev" one)."""
    w_tokens = written.split()
    s_units = units(spoken)
    if not w_tokens:
        return []
    if len(times) != len(s_units) or not s_units:
        raise ValueError("unit times do not match the spoken text")
    matcher = difflib.SequenceMatcher(a=[_key(t) for t in w_tokens], b=[_key(u) for u in s_units], autojunk=False)
    out: list[tuple[str, float, float] | None] = [None] * len(w_tokens)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            for k in range(i2 - i1):
                out[i1 + k] = (w_tokens[i1 + k], *times[j1 + k])
        elif op == "replace":
            # n written tokens read as m spoken units: share the units out in order
            spans = _share(w_tokens[i1:i2], s_units[j1:j2], speak)
            for k, (a, b) in enumerate(spans):
                a, b = j1 + a, j1 + max(b, a + 1)
                out[i1 + k] = (w_tokens[i1 + k], times[a][0], times[b - 1][1])
        elif op == "insert" and i1 > 0 and out[i1 - 1] is not None:
            # units with no written token of their own ("dollars" after "$5"): the word before
            token, start, _ = out[i1 - 1]  # type: ignore[misc]
            out[i1 - 1] = (token, start, times[j2 - 1][1])
        # "delete": written tokens never spoken ("--"): timed from their neighbours below
    for k, item in enumerate(out):
        if item is None:
            before = next((out[j] for j in range(k - 1, -1, -1) if out[j] is not None), None)
            after = next((out[j] for j in range(k + 1, len(out)) if out[j] is not None), None)
            t = before[2] if before else after[1] if after else times[0][0]
            out[k] = (w_tokens[k], t, t)
    return [x for x in out if x is not None]
