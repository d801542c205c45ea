"""Series name and part number from a headline, in the forms news sites use.

"Let's Learn about the Cold War: Part 20 – Khrushchev", "Series Part 1: Title",
"Series, Part XX: Title", "Series (Part 3): Title", "Series: Title, Part 3", "Part 4: Title".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..text.numbers import ROMAN_RE, parse_number

_NUM = rf"(?:\d{{1,4}}|{ROMAN_RE}|(?:twenty|thirty|forty|fifty)(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen)"
_KEY = r"(?:Part|Pt\.?|Episode|Ep\.?|Chapter|Ch\.|No\.|Number|Installment|#)"
_SEP = r"\s*(?:[:;\u2013\u2014|]|\s-\s|,|\s--\s)\s*"
# "Part 3 of a 3 part behind the scenes series", "Ep 53": a part number anywhere, the headline kept whole
_ANYWHERE = re.compile(rf"(?<![\w-])(?:Part|Pt\.?|Episode|Ep\.?|Chapter|Installment|No\.)\s*(?P<num>\d{{1,4}}|{ROMAN_RE})(?![\w-])")
_PATTERNS = [
    # Series: Part 20 - Title  /  Series, Part 20: Title  /  Series Part 20: Title  /  Series (Part 2): Title
    re.compile(rf"^(?P<series>.+?)(?:{_SEP}|\s+|\s*\()\s*{_KEY}\s*(?P<num>{_NUM})\)?(?:\s+of\s+\d+)?{_SEP}(?P<title>.+)$", re.I),
    # Series: Title, Part 3  /  Series: Title (Part 3)
    re.compile(rf"^(?P<series>.+?){_SEP}(?P<title>.+?)(?:,\s*|\s*\(\s*|\s+){_KEY}\s*(?P<num>{_NUM})\)?$", re.I),
    # Part 4: Title  (no series in the headline)
    re.compile(rf"^{_KEY}\s*(?P<num>{_NUM})(?:\s+of\s+\d+)?{_SEP}(?P<title>.+)$", re.I),
    # Title, Part 3 / Title (Part 3)
    re.compile(rf"^(?P<title>.+?)(?:,\s*|\s*\(\s*|\s+-\s+){_KEY}\s*(?P<num>{_NUM})\)?$", re.I),
]


@dataclass(frozen=True)
class Headline:
    title: str
    series: str = ""
    number: int | None = None


def _tidy(text: str) -> str:
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    return " ".join(text.split()).strip(" -:|,\u2013\u2014")


def parse_headline(headline: str) -> Headline:
    """Split a headline; when no part number is present the whole headline is the title."""
    text = _tidy(headline)
    for rx in _PATTERNS:
        m = rx.match(text)
        if not m:
            continue
        number = parse_number(m.group("num"))
        title = _tidy(m.group("title"))
        series = _tidy(m.groupdict().get("series") or "")
        if number is None or not title:
            continue
        return Headline(title=title, series=series, number=number)
    m = _ANYWHERE.search(text)
    if m and parse_number(m.group("num")) is not None:
        return Headline(title=text, number=parse_number(m.group("num")))
    return Headline(title=text)
