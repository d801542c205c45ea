"""Bylines: 'Senior Airman Sean D. Smith Minot Air Force Base Public Affairs' -> author, unit.

Scrapers flatten the byline and the unit onto one line. A name is a rank (longest match from the
rank table), a first name, any initials, and one family name with an optional suffix; what
follows is the organisation when it looks like one.
"""

from __future__ import annotations

import re

from ..text.abbreviations import RANKS, TITLES

_RANKS = sorted(RANKS, key=len, reverse=True)
_HONORIFICS = sorted((t for t in TITLES if t not in ("Jr.", "Sr.", "Jr", "Sr")), key=len, reverse=True)
_SUFFIXES = {"Jr.", "Sr.", "Jr", "Sr", "II", "III", "IV", "Ph.D.", "M.D."}
_UNIT_WORDS = re.compile(
    r"\b(Public Affairs|Wing|Squadron|Group|Command|Base|Office|News|Service|Division|Brigade|"
    r"Battalion|Regiment|Fleet|Center|Centre|Agency|Department|Headquarters|Force|Forces|Army|"
    r"Navy|Marine|Corps|Guard|Reserve|Affairs|Association|University|School|Institute|Museum|"
    r"Staff|Press|Media|Communications|Services|Detachment|Garrison|Installation|District)\b"
)
_NAME_TOKEN = re.compile(r"^[A-Z][a-zA-Z'\u2019\-]+$")
_INITIAL = re.compile(r"^(?:[A-Z]\.)+$")


def _strip_rank(tokens: list[str]) -> tuple[list[str], list[str]]:
    joined = " ".join(tokens)
    for rank in _RANKS + _HONORIFICS:
        if joined == rank or joined.startswith(rank + " "):
            n = len(rank.split())
            return tokens[:n], tokens[n:]
    return [], tokens


def split_byline(byline: str) -> tuple[str, str]:
    """(author, organisation); the organisation is '' when none is recognisable."""
    text = " ".join(byline.replace("\u2019", "'").split()).strip(" ,;")
    text = re.sub(r"^(?i:by)\s*:?\s+", "", text)
    if not text:
        return "", ""
    if "," in text:
        head, _, tail = text.partition(",")
        tail = tail.strip()
        if tail and (_UNIT_WORDS.search(tail) or tail.isupper()):
            return head.strip(), tail
    if " | " in text:
        head, _, tail = text.partition(" | ")
        return head.strip(), tail.strip()
    tokens = text.split()
    rank, rest = _strip_rank(tokens)
    # name: first name, initials, family name, suffix
    i = 0
    if i < len(rest) and (_NAME_TOKEN.match(rest[i]) or _INITIAL.match(rest[i])):
        i += 1
        while i < len(rest) and _INITIAL.match(rest[i]):
            i += 1
        if i < len(rest) and _NAME_TOKEN.match(rest[i]) and i < len(rest):
            i += 1
        while i < len(rest) and rest[i] in _SUFFIXES:
            i += 1
    name, org = rest[:i], rest[i:]
    # "Jo Ann Lee 91st Missile Wing": a unit that starts with a number owns none of the names
    while len(org) > 1 and _NAME_TOKEN.match(org[0]) and not re.search(r"\d", org[0]) and any(
        re.match(r"\d", t) for t in org[1:2]
    ):
        name.append(org.pop(0))
    org_text = " ".join(org)
    if org and not _UNIT_WORDS.search(org_text):
        # nothing unit-like: a longer name ("Mary Ann Smith") rather than an organisation
        return text, ""
    return " ".join(rank + name), org_text
