"""Transcripts from the real clip timings: WebVTT, SRT and JSON captions, plain text, JSON chapters.

Caption text is the written form (what the article says), cut into cues a viewer can read, as
caption practice has it (DCMP, BBC, Netflix): at most two lines of at most 42 characters, on
screen for 1 to 7 seconds, broken where a reader pauses (after a full stop, then a comma, then
before a conjunction or preposition), never between an article and its noun, a title and a
name, a number and its unit. Each cue starts at its first word's audio (the engine's own
alignments, or an estimate by syllables) and none spans the gap between two sentences. The
plain-text and HTML transcripts keep whole sentences.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..audio.meta import Chapter, Cue

MAX_LINE = 42
MAX_LINES = 2
MIN_CUE = 1.0
MAX_CUE = 7.0
MAX_WORDS = 28     # no cue of two 42-character lines holds more

_ARTICLES = {"a", "an", "the", "this", "that", "these", "those", "his", "her", "its", "their", "our", "my", "your"}
_JOINERS = {"and", "but", "or", "nor", "so", "yet", "because", "while", "when", "where", "which", "who", "that",
            "after", "before", "although", "though", "if", "as", "since", "until", "unless"}
_PREPOSITIONS = {"in", "on", "at", "to", "for", "from", "with", "by", "about", "into", "over", "under",
                 "during", "through", "between", "against", "without", "within", "across", "along"}
# words that lean on the next one: a line that ends with one reads as broken off
_LEANING = _PREPOSITIONS | _JOINERS | {"of", "than", "just", "not", "very", "more", "most", "less", "too", "only",
                                       "even", "no", "each", "every", "all", "some", "any", "own", "such"}
_TITLE = re.compile(r"^(?:Mr|Mrs|Ms|Dr|Gen|Col|Lt|Capt|Maj|Sgt|Cpl|Pvt|Spc|Adm|Cmdr|Brig|Tech|Staff|Master|"
                    r"Senior|Chief|Airman|Rev|Sen|Rep|Gov|Pres|Prof|St|Mt|Ft|No)\.?$")
_UNIT_WORDS = re.compile(r"^(?:percent|%|miles?|feet|foot|meters?|kilometers?|km|mph|pounds?|lbs?\.?|tons?|"
                         r"degrees?|°[FC]?|hours?|minutes?|seconds?|days?|weeks?|months?|years?|acres?|gallons?|"
                         r"million|billion|thousand|trillion|inches|inch|knots?|mm|cm|kg)[,.;:]?$", re.I)


_GLUE = "\x00"  # marks the second and later pieces of a token cut to fit a line: no space before


@dataclass(frozen=True)
class Caption:
    start: float
    end: float
    lines: tuple[str, ...]
    text: str            # the words of the cue as written, on one line


def _join(tokens: list[str]) -> str:
    return "".join(t[1:] if t.startswith(_GLUE) else (" " if i else "") + t for i, t in enumerate(tokens))


def _ts(seconds: float, comma: bool = False) -> str:
    ms = int(round(max(0.0, seconds) * 1000))
    h, rem = divmod(ms, 3_600_000)
    m, rem = divmod(rem, 60_000)
    s, ms = divmod(rem, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{',' if comma else '.'}{ms:03d}"


def _vtt_text(text: str) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return " ".join(text.replace("-->", "\u2192").split())


def _break_cost(tokens: list[str], k: int) -> float:
    """How bad a cue or line break is between tokens[k-1] and tokens[k] (0: where a reader
    pauses anyway; 1000: never)."""
    before, after = tokens[k - 1], tokens[k]
    bare, next_bare = before.lower().strip("\"'\u201c\u201d()[]"), after.lower().strip("\"'\u201c\u201d()[]")
    if bare in _ARTICLES or _TITLE.match(before.strip("\"'(")) or re.fullmatch(r"[A-Z]\.", before):
        return 1000.0  # "the | Air Force", "Sgt. | Smith", "John Q. | Public"
    if re.search(r"\d", before) and _UNIT_WORDS.match(after.strip("\"')")):
        return 1000.0  # "30 | percent", "$4.5 | million"
    if re.search(r"[.!?;:][\"'\u201d)\]]*$", before):
        return 0.0
    if bare in _LEANING and not re.search(r"[,\u2014\u2013]$", before):
        return 40.0  # "one of | the bloodiest", "the first manned space flight just | as"
    if re.search(r"[,\u2014\u2013][\"'\u201d)\]]*$", before) or after.startswith(("(", "\u2014", "\u2013")):
        return 1.0
    if next_bare in _JOINERS:
        return 3.0
    if next_bare in _PREPOSITIONS:
        return 4.0
    if next_bare == "of":
        return 20.0  # "one | of", "most | of": bound to the word before
    if before[:1].isupper() and after[:1].isupper():
        return 25.0  # inside a name: "Minot | Air Force Base"
    return 10.0


def _layout(i: int, j: int, letters: list[int], spaces: list[int], breaks: list[float]) -> tuple[int, float] | None:
    """The best way to set tokens[i:j] on at most two lines of MAX_LINE characters: (k, cost),
    the second line starting at token k (k == j: one line), or None. `letters` and `spaces` are
    the sentence's running counts (see `cut`), `breaks[k]` the cost of a break before token k."""
    def width(a: int, b: int) -> int:
        return letters[b] - letters[a] + max(0, spaces[b] - spaces[a + 1]) if b > a else 0

    if width(i, j) <= MAX_LINE:
        return j, 0.0
    best: tuple[int, float] | None = None
    for k in range(i + 1, j):
        top, bottom = width(i, k), width(k, j)
        if top > MAX_LINE or bottom > MAX_LINE:
            continue
        cost = breaks[k] + abs(top - bottom) / 10
        if best is None or cost < best[1]:
            best = (k, cost)
    return best


def _set(tokens: list[str], i: int, k: int, j: int) -> tuple[str, ...]:
    """tokens[i:j] as lines, the second (if any) starting at token k."""
    if k == j:
        return (_join(tokens[i:j]),)
    return (_join(tokens[i:k]), _join([tokens[k].lstrip(_GLUE), *tokens[k + 1:j]]))


def _pieces(word: str) -> list[str]:
    """A token longer than a line (a web address) is cut into line-long pieces."""
    if len(word) <= MAX_LINE:
        return [word]
    return [("" if i == 0 else _GLUE) + word[i:i + MAX_LINE] for i in range(0, len(word), MAX_LINE)]


def _words(cue: Cue) -> list[tuple[str, float, float]]:
    words = cue.get("words")
    if not words:
        from ..scripts.spoken.align import estimate

        times = estimate(cue["text"], cue["end"] - cue["start"])
        words = [(w, cue["start"] + a, cue["start"] + b) for w, (a, b) in zip(cue["text"].split(), times)]
    out = []
    for w, a, b in words:
        parts = _pieces(w)
        for i, p in enumerate(parts):  # a long token's pieces share its time in proportion
            out.append((p, a + (b - a) * i / len(parts), a + (b - a) * (i + 1) / len(parts)))
    return out


def cut(cues: list[Cue]) -> list[Caption]:
    """Readable captions: each sentence cut by dynamic programming into cues that fit two lines,
    last 1-7 s, and break at the best places; never across two sentences."""
    out: list[Caption] = []
    for cue in cues:
        words = _words(cue)
        if not words:
            continue
        tokens = [w for w, _, _ in words]
        n = len(tokens)
        starts = [a for _, a, _ in words]
        # width of tokens[a:b] on one line: their letters, plus a space before each but the first
        # (none before a glued piece of a long token); and what a break before each token costs
        letters, spaces = [0], [0]
        for t in tokens:
            glued = t.startswith(_GLUE)
            letters.append(letters[-1] + len(t) - glued)
            spaces.append(spaces[-1] + (not glued))
        breaks = [0.0] + [_break_cost(tokens, k) for k in range(1, n)] + [0.0]
        # best[j]: (cost, previous cut, where its second line starts) for the first j tokens
        best: list[tuple[float, int, int] | None] = [None] * (n + 1)
        best[0] = (0.0, 0, 0)
        # characters of tokens[i:j] set on one line is at most prefix[j] - prefix[i] + (j - i - 1)
        prefix = [0]
        for t in tokens:
            prefix.append(prefix[-1] + len(t))
        for j in range(1, n + 1):
            for i in range(j - 1, max(0, j - MAX_WORDS) - 1, -1):  # longer and longer cues ending at j
                if i < j - 1 and prefix[j] - prefix[i] + (j - i - 2) > MAX_LINES * MAX_LINE:
                    break  # cannot fit two lines, nor can any longer one
                prev = best[i]
                if prev is None:
                    continue
                laid = _layout(i, j, letters, spaces, breaks)
                if laid is None:
                    continue
                k, cost = laid
                end = cue["end"] if j == n else starts[j]
                seconds = end - starts[i]
                cost += 5.0  # each cue: fewer, fuller cues read better than many short ones
                if seconds > MAX_CUE:
                    cost += 100.0 * (seconds - MAX_CUE)
                if seconds < MIN_CUE and not (i == 0 and j == n):
                    cost += 60.0 * (MIN_CUE - seconds)
                if j < n:
                    cost += breaks[j]
                total = prev[0] + cost
                if best[j] is None or total < best[j][0]:  # type: ignore[index]
                    best[j] = (total, i, k)
        pieces: list[tuple[int, int, int]] = []
        j = n
        while j > 0:
            entry = best[j]
            assert entry is not None  # a single token always fits a cue
            pieces.append((entry[1], j, entry[2]))
            j = entry[1]
        for i, j, k in reversed(pieces):
            # never before the caption before it ends: pieces of a very long word can be under a
            # millisecond each, and rounded to milliseconds two of them would overlap
            start = round(max(starts[i], cue["start"], out[-1].end if out else 0.0), 3)
            end = cue["end"] if j == n else starts[j]
            out.append(Caption(start, round(max(end, start + 0.001), 3), _set(tokens, i, k, j),
                               _join([tokens[i].lstrip(_GLUE), *tokens[i + 1:j]])))
    return out


def _estimated(cues: list[Cue]) -> bool:
    return any(c.get("timing") != "aligned" for c in cues)


def vtt(cues: list[Cue], title: str = "", captions: list[Caption] | None = None) -> str:
    out = ["WEBVTT" + (f" - {_vtt_text(title)}" if title else ""), ""]
    if _estimated(cues):
        out += ["NOTE The voice gave no word timings for some sentences: their cues are timed by spreading",
                "each sentence's time over its syllables, so a cue may start a little early or late.", ""]
    for i, c in enumerate(cut(cues) if captions is None else captions, 1):
        out += [f"c{i}", f"{_ts(c.start)} --> {_ts(c.end)}", *(_vtt_text(line) for line in c.lines), ""]
    return "\n".join(out)


def srt(cues: list[Cue], captions: list[Caption] | None = None) -> str:
    out = []
    for i, c in enumerate(cut(cues) if captions is None else captions, 1):
        lines = [" ".join(line.replace("-->", "\u2192").split()) for line in c.lines]
        out += [str(i), f"{_ts(c.start, True)} --> {_ts(c.end, True)}", *lines, ""]
    return "\n".join(out)


def transcript_json(cues: list[Cue], captions: list[Caption] | None = None) -> str:
    """The Podcasting 2.0 JSON transcript: one segment per caption, spoken by the Narrator."""
    segments = [{"speaker": "Narrator", "startTime": c.start, "endTime": c.end, "body": c.text}
                for c in (cut(cues) if captions is None else captions)]
    return json.dumps({"version": "1.0.0", "segments": segments}, indent=1, ensure_ascii=False) + "\n"


def plain(cues: list[Cue], heading: str) -> str:
    """Paragraphs as the listener hears them, one blank line between paragraphs."""
    out = [heading, ""]
    prev = None
    para: list[str] = []
    for c in cues:
        key = (c.get("section"), c.get("paragraph"))
        if prev is not None and key != prev and para:
            out += [" ".join(para), ""]
            para = []
        para.append(c["text"])
        prev = key
    if para:
        out.append(" ".join(para))
    return "\n".join(out).rstrip() + "\n"


def chapters_json(chapters: list[Chapter], source_url: str = "", image: str = "") -> str:
    """The podcast namespace's JSON chapters format (version 1.2.0): the story's chapters link
    back to the article they read (`url`), and every chapter shows the show's artwork (`img`)."""
    out = []
    for c in chapters:
        entry: dict = {"startTime": round(c["start"], 3), "endTime": round(c["end"], 3), "title": c["title"]}
        if image:
            entry["img"] = image
        if c.get("url"):
            entry["url"] = c["url"]
        elif source_url and c.get("kind", "body") == "body":
            entry["url"] = source_url
        out.append(entry)
    return json.dumps({"version": "1.2.0", "chapters": out}, indent=2, ensure_ascii=False) + "\n"


def whole_seconds(seconds: float) -> int:
    """The one rounding rule for every duration a listener reads (feed, page, tags): half up,
    so the page never says 0:49 where the feed says 50 s."""
    return int(max(0.0, seconds) + 0.5)


def timestamp(seconds: float) -> str:
    s = whole_seconds(seconds)
    h, rem = divmod(s, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"
