"""Dates as news sites write them, parsed to `datetime.date` (no guessing beyond the text)."""

from __future__ import annotations

import re
from datetime import date, datetime

from .abbreviations import MONTH_ABBREVIATIONS, MONTHS

_MONTH_WORD = r"(?:Jan(?:uary|\.)?|Feb(?:ruary|\.)?|Mar(?:ch|\.)?|Apr(?:il|\.)?|May|June?\.?|July?\.?|Aug(?:ust|\.)?|Sept?(?:ember|\.)?|Oct(?:ober|\.)?|Nov(?:ember|\.)?|Dec(?:ember|\.)?)"
MONTH_WORD = _MONTH_WORD
# "Oct. 21, 2015", "October 21 2015", "OCT 21, 2015"
_MDY = re.compile(rf"(?i)\b({_MONTH_WORD})\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b")
# "21 October 2015"
_DMY = re.compile(rf"(?i)\b(\d{{1,2}})\s+({_MONTH_WORD})\s+(\d{{4}})\b")
# "10/21/2015", "10-21-2015", "10/21/15"
_NUMERIC = re.compile(r"\b(\d{1,2})[/-](\d{1,2})[/-](\d{4}|\d{2})\b")
# "11.01.2016" (DVIDS): month first, four-digit year only, so "3.5.1" is never a date
_DOTTED = re.compile(r"(?<![\d.])(\d{1,2})\.(\d{1,2})\.(\d{4})(?![\d.]\d)")
# ISO 8601 with a time: "2015-11-09T08:00:00-05:00" (HTML article:published_time)
_ISO_TIME = re.compile(r"\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?")
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


def month_number(word: str) -> int | None:
    w = word.strip().rstrip(".").lower()
    for name, number in MONTHS.items():
        if name == w or (len(w) >= 3 and name.startswith(w)):
            return number
    full = MONTH_ABBREVIATIONS.get(word.strip())
    return MONTHS[full.lower()] if full else None


def _make(y: int, m: int | None, d: int) -> date | None:
    if m is None:
        return None
    try:
        return date(y, m, d)
    except ValueError:
        return None


def parse_date(text: str) -> date | None:
    """The first date in `text` in any common news style, or None."""
    candidates: list[tuple[int, date]] = []
    for rx, order in ((_ISO, "ymd"), (_MDY, "mdy"), (_DMY, "dmy"), (_NUMERIC, "num"), (_DOTTED, "num")):
        for m in rx.finditer(text):
            if order == "ymd":
                d = _make(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            elif order == "mdy":
                d = _make(int(m.group(3)), month_number(m.group(1)), int(m.group(2)))
            elif order == "dmy":
                d = _make(int(m.group(3)), month_number(m.group(2)), int(m.group(1)))
            else:
                y = int(m.group(3))
                y = y + (2000 if y < 70 else 1900) if y < 100 else y
                d = _make(y, int(m.group(1)), int(m.group(2)))  # US order: month first
            if d:
                candidates.append((m.start(), d))
                break
    if not candidates:
        return None
    return min(candidates)[1]


def parse_datetime(text: str) -> datetime | None:
    """An ISO 8601 date with a time of day, as pages put in their markup; None without a time."""
    m = _ISO_TIME.search(text)
    if not m:
        return None
    value = m.group(0).replace(" ", "T").replace("Z", "+00:00")
    value = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", value)
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None
