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
UNIT_WORDS = re.compile(
    r"\b(Public Affairs|Wing|Squadron|Group|Command|Base|Office|News|Service|Division|Brigade|"
    r"Battalion|Regiment|Fleet|Center|Centre|Agency|Department|Headquarters|Force|Forces|Army|"
    r"Navy|Marine|Corps|Guard|Reserve|Affairs|Association|University|School|Institute|Museum|"
    r"Staff|Press|Media|Communications|Services|Detachment|Garrison|Installation|District|Magazine|Journal|"
    r"Times|Gazette|Herald|Bulletin|Bureau|Station|Element|Activity|Unit|Team|Battery|Company|Flight)\b"
)
_UNIT_WORDS = UNIT_WORDS
# a service named before the rank: "Air Force Master Sgt. Mike R. Smith"
_SERVICE = r"(?:U\.S\.\s+)?(?:Air Force|Space Force|Army|Navy|Marine Corps|Coast Guard|Air National Guard|Army National Guard|National Guard)\s+"
RANK_PREFIX = re.compile(rf"^(?:{_SERVICE})?(?:{'|'.join(re.escape(r) for r in _RANKS + _HONORIFICS)})(?=\s|$)")
# words that start the name of an office, never of a person
_ORG_STARTERS = {"United", "U.S.", "US", "Department", "Office", "National", "Joint", "Air", "Army", "Navy",
                 "Marine", "Marines", "Coast", "Space", "Defense", "Headquarters", "HQ", "The", "Naval", "Fleet",
                 "Combined", "Multinational", "Public", "Secretary"}
_NAME_TOKEN = re.compile(r"^[A-Z][a-zA-Z'\u2019\-]+$")
_INITIAL = re.compile(r"^(?:[A-Z]\.)+$")


def _strip_rank(tokens: list[str]) -> tuple[list[str], list[str]]:
    joined = " ".join(tokens)
    service = re.match(_SERVICE, joined)
    if service and RANK_PREFIX.match(joined):
        n = len(service.group(0).split())
        rank, rest = _strip_rank(tokens[n:])
        if rank:
            return tokens[:n] + rank, rest
    for title in _RANKS + _HONORIFICS:
        if joined == title or joined.startswith(title + " "):
            n = len(title.split())
            return tokens[:n], tokens[n:]
    return [], tokens


def split_byline(byline: str) -> tuple[str, str]:
    """(author, organisation); the organisation is '' when none is recognisable."""
    text = byline.replace("\u2019", "'")
    # "jane@example.mil (Jane Doe)" or "Jane Doe <jane@example.mil>": the name, never the address
    m = re.fullmatch(r"\s*\S+@\S+\s*\((.+)\)\s*", text)
    text = m.group(1) if m else re.sub(r"<?\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b>?|\(\s*\)", " ", text)
    text = " ".join(text.split()).strip(" ,;")
    text = re.sub(r"^(?i:by)\s*:?\s+", "", text)
    if not text:
        return "", ""
    if "," in text:
        head, _, tail = text.partition(",")
        tail = tail.strip()
        # "NAME, PUBLICATION" or "NAME, UNIT"; never a suffix ("Vernon Young Jr.", "Jr.", "Ph.D.")
        if tail and tail.split()[0].rstrip(".,") not in {s.rstrip(".") for s in _SUFFIXES} and \
                (UNIT_WORDS.search(tail) or tail.isupper() or (tail[:1].isupper() and len(head.split()) >= 2)):
            return head.strip(), tail
    if " | " in text:
        head, _, tail = text.partition(" | ")
        return head.strip(), tail.strip()
    tokens = text.split()
    rank, rest = _strip_rank(tokens)
    if not rank and tokens[0] in _ORG_STARTERS and UNIT_WORDS.search(text):
        return text, ""  # an office as the byline: "United States Strategic Command Public Affairs"
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
    if not rank and not name:
        return text, ""  # "5th Bomb Wing Public Affairs" wrote it: the office is the byline
    if not rank and org and any(len(t) > 1 and t.isupper() for t in name) and UNIT_WORDS.search(text):
        return text, ""  # "USS Example Public Affairs": an office, not a person
    # "Jo Ann Lee 91st Missile Wing": a unit that starts with a number owns none of the names
    while len(org) > 1 and _NAME_TOKEN.match(org[0]) and not re.search(r"\d", org[0]) and any(
        re.match(r"\d", t) for t in org[1:2]
    ):
        name.append(org.pop(0))
    org_text = " ".join(org)
    if org and not UNIT_WORDS.search(org_text):
        # nothing unit-like: a longer name ("Mary Ann Smith") rather than an organisation
        return text, ""
    return " ".join(rank + name), org_text
