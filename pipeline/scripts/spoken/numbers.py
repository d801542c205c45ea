"""Numbers in words, US broadcast style ("one thousand two hundred thirty-four", no "and").

num2words does the cardinals and ordinals (its British "and" and commas are dropped); years,
decimals, money and phone numbers follow the conventions US newsreaders use, which no library
covers (1905 is "nineteen oh five"). inflect would do too, but takes 1.8 s to import.
"""

from __future__ import annotations

import functools
import re


def _american(words: str) -> str:
    return " ".join(words.replace(",", "").replace(" and ", " ").split())


@functools.lru_cache(maxsize=4096)
def cardinal(n: int) -> str:
    from num2words import num2words

    if n < 0:
        return "minus " + cardinal(-n)
    return _american(num2words(n, lang="en"))


@functools.lru_cache(maxsize=4096)
def ordinal(n: int) -> str:
    from num2words import num2words

    return _american(num2words(n, lang="en", to="ordinal"))


def year(n: int) -> str:
    """1894 -> eighteen ninety-four; 1905 -> nineteen oh five; 2009 -> two thousand nine."""
    if n < 1000 or n > 9999:
        return cardinal(n)
    hi, lo = divmod(n, 100)
    if 2000 <= n <= 2009:
        return cardinal(n)
    if lo == 0:
        return cardinal(n) if n % 1000 == 0 else f"{cardinal(hi)} hundred"
    if lo < 10:
        return f"{cardinal(hi)} oh {cardinal(lo)}"
    return f"{cardinal(hi)} {cardinal(lo)}"


def decade(n: int) -> str:
    """1960 (as in the 1960s) -> nineteen sixties; 2000 -> two thousands; 1900 -> nineteen hundreds."""
    if n % 100 == 0:
        return "two thousands" if n == 2000 else f"{cardinal(n // 100)} hundreds"
    return f"{cardinal(n // 100)} {plural_of_tens(n % 100)}"


def plural_of_tens(n: int) -> str:
    """60 -> sixties; 10 -> tens."""
    word = cardinal(n)
    return word[:-1] + "ies" if word.endswith("y") else word + "s"


def digits(text: str) -> str:
    """Digit by digit, with "oh" for zero, as people read phone and serial numbers."""
    return " ".join("oh" if d == "0" else cardinal(int(d)) for d in text if d.isdigit())


def decimal(text: str) -> str:
    """'3.14' -> three point one four; '1,000' -> one thousand; '.5' -> point five."""
    text = text.replace(",", "")
    negative = text.startswith("-")
    text = text.lstrip("-+")
    whole, _, frac = text.partition(".")
    out = cardinal(int(whole)) if whole else ""
    if frac:
        out = f"{out} point {' '.join(cardinal(int(d)) for d in frac)}".strip()
    return ("minus " + out) if negative else out


_SCALES = {"thousand", "million", "billion", "trillion"}


def money(amount: str, scale: str = "", currency: str = "$") -> str:
    """'$5.2', 'million' -> five point two million dollars; '$1.50' -> one dollar and fifty cents."""
    names = {"$": ("dollar", "dollars", "cent", "cents"), "\u00a3": ("pound", "pounds", "penny", "pence"),
             "\u20ac": ("euro", "euros", "cent", "cents"), "\u00a5": ("yen", "yen", "sen", "sen")}
    one, many, sub_one, sub_many = names.get(currency, names["$"])
    amount = amount.replace(",", "")
    if scale:
        return f"{decimal(amount)} {scale.lower()} {many}"
    whole, _, frac = amount.partition(".")
    w = int(whole or 0)
    parts = []
    if w or not frac:
        parts.append(f"{cardinal(w)} {one if w == 1 else many}")
    if frac:
        c = int((frac + "0")[:2])
        if c:
            parts.append(f"{cardinal(c)} {sub_one if c == 1 else sub_many}")
    return " and ".join(parts)


def fraction(num: int, den: int) -> str:
    special = {(1, 2): "one half", (1, 4): "one quarter", (3, 4): "three quarters"}
    if (num, den) in special:
        return special[(num, den)]
    if den == 2:
        return f"{cardinal(num)} halves"
    word = ordinal(den)
    return f"{cardinal(num)} {word}{'s' if num != 1 else ''}"


ORDINAL_RE = re.compile(r"\b(\d+)(st|nd|rd|th|d)\b", re.I)
