"""Sentence splitting for narration: one script line per sentence, one audio clip per line.

A split costs the listener a pause, so a wrong split ("Lyndon B. | Johnson") is audible. The rules:
never after a title, rank, month or initial; after a state or "U.S." only when a new sentence
plainly starts; never inside a quotation; never inside a number ("3.5").
"""

from __future__ import annotations

import re

from .abbreviations import SENTENCE_FINAL_ABBREVIATIONS, sentence_safe_abbreviations

_SAFE = sentence_safe_abbreviations()
_FINAL = SENTENCE_FINAL_ABBREVIATIONS
_OPEN_QUOTES = "\u201c\u2018"
_CLOSE_QUOTES = "\u201d\u2019"
_CLOSERS = "\"')]}" + _CLOSE_QUOTES
# words that start sentences often enough to trust a split after "U.S." or "N.D."
_STARTERS = {
    "The", "A", "An", "He", "She", "It", "They", "We", "I", "In", "On", "At", "After", "Before",
    "But", "And", "This", "That", "These", "Those", "His", "Her", "Their", "Its", "There", "When",
    "While", "As", "During", "Now", "Then", "However", "Today", "Since", "Although", "For", "With",
    "Next", "Our", "Your", "You", "If", "By", "From", "Many", "Some", "Most", "All", "One", "To",
}
MAX_QUOTED = 600  # characters a quotation may keep together before sentences split inside it
_TIME_FOLLOWERS = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "ET", "EST",
                   "EDT", "CT", "CST", "CDT", "MT", "MST", "MDT", "PT", "PST", "PDT", "Zulu", "UTC", "GMT",
                   "January", "February", "March", "April", "May", "June", "July", "August", "September",
                   "October", "November", "December", "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sept",
                   "Oct", "Nov", "Dec", "Mon", "Tue", "Tues", "Wed", "Thu", "Thurs", "Fri", "Sat", "Sun"}
_TOKEN_END = re.compile(r"[.!?]+[" + re.escape(_CLOSERS) + r"]*(?=\s)")


def _word_before(text: str, end: int) -> str:
    start = end
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    return text[start:end]


def _quote_depth_changes(chunk: str, depth: int) -> int:
    """Track whether we are inside a quotation; straight quotes toggle, curly ones nest."""
    for i, ch in enumerate(chunk):
        if ch in _OPEN_QUOTES and ch != "\u2018":
            depth += 1
        elif ch in _CLOSE_QUOTES and ch != "\u2019":
            depth = max(0, depth - 1)
        elif ch == '"':
            before = chunk[i - 1] if i else " "
            # an opening quote follows a space or opening punctuation
            depth = depth + 1 if (before.isspace() or before in "([{,:;—–-") and depth == 0 else max(0, depth - 1)
    return depth


def split_sentences(paragraph: str) -> list[str]:
    """Split one paragraph of written text into sentences, keeping every character."""
    text = " ".join(paragraph.split())
    if not text:
        return []
    out: list[str] = []
    start = 0
    depth = 0
    scanned = 0
    for m in _TOKEN_END.finditer(text):
        end = m.end()
        depth = _quote_depth_changes(text[scanned:end], depth)
        scanned = end
        if depth > 0 and end - start < MAX_QUOTED:
            continue
        if depth > 0:
            depth = 0  # an unclosed quotation must not swallow the rest of the paragraph
        nxt = text[end:].lstrip()
        if not nxt:
            continue
        first = nxt[0]
        if not (first.isupper() or first.isdigit() or first in "\"'(" + _OPEN_QUOTES):
            continue
        punct = m.group(0)
        if punct.startswith(".") and not punct.startswith("..."):
            word = _word_before(text, m.start() + 1).lstrip("(\"'" + _OPEN_QUOTES)
            if word in _SAFE:
                continue
            next_word = re.match(r"[\w']+", nxt.lstrip("\"'(" + _OPEN_QUOTES))
            starts = next_word is not None and next_word.group(0) in _STARTERS
            # a lone initial ("Lyndon B. Johnson") or a state/"U.S." ends a sentence only when
            # a sentence plainly starts after it ("World War I. After the war...")
            if re.fullmatch(r"[A-Z]\.", word) and not starts:
                continue
            if word.lower() in ("a.m.", "p.m.") and next_word and next_word.group(0) not in _TIME_FOLLOWERS:
                pass  # "at 7 a.m. Bring ID": a time ends the sentence unless a day or zone follows
            elif (word in _FINAL or re.fullmatch(r"(?:[A-Za-z]\.){2,}", word)) and not starts:
                continue
        out.append(text[start:end].strip())
        start = end
    tail = text[start:].strip()
    if tail:
        out.append(tail)
    return out
