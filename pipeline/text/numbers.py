"""Small number words and Roman numerals, for part numbers in titles."""

from __future__ import annotations

import re

_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50,
}
_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
ROMAN_RE = r"(?=[MDCLXVI])M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})"


def roman_to_int(text: str) -> int | None:
    if not text or not re.fullmatch(ROMAN_RE, text):
        return None
    total = 0
    for a, b in zip(text, text[1:] + " "):
        v = _ROMAN[a]
        total += -v if b != " " and _ROMAN[b] > v else v
    return total


def word_to_int(text: str) -> int | None:
    parts = re.split(r"[-\s]+", text.strip().lower())
    if not parts or any(p not in _WORDS for p in parts):
        return None
    return sum(_WORDS[p] for p in parts)


def parse_number(text: str) -> int | None:
    """'20', 'XX', 'twenty' -> 20."""
    text = text.strip().rstrip(".")
    if text.isdigit():
        return int(text)
    return roman_to_int(text) or word_to_int(text)
