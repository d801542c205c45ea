"""Written English -> what a professional narrator says.

An ordered list of rewrite rules, each a regular expression and a function. Order matters and is
the design: protect what the producer chose (lexicon, inline overrides), then read the things
that carry digits in the order a reader resolves them (phone numbers and times before dates,
dates before money, money before plain numbers), then abbreviations, Roman numerals, acronyms,
and finally punctuation the voice would otherwise read or stumble on.

The model is NVIDIA NeMo's text normalisation grammars (nemo_text_processing), whose categories
this follows; it needs pynini/OpenFst, which does not install from PyPI wheels here, so the rules
are regular expressions over num2words' number words instead.
"""

from __future__ import annotations

import re
from typing import Callable

from ...text.abbreviations import (
    AP_STATES,
    OTHER,
    PLACE_PREFIXES,
    POSTAL_STATES,
    RANKS,
    RANKS_BEFORE_NAME,
    STREET_SUFFIXES,
    TITLES,
    UNITS,
    WEEKDAY_ABBREVIATIONS,
)
from ...text.dates import month_number
from ...text.numbers import ROMAN_RE, roman_to_int
from .acronyms import EMPHASIS, WORDS, say_acronym
from .numbers import cardinal, decade, decimal, digits, fraction, money, ordinal, plural_of_tens, year

Rule = tuple[re.Pattern, Callable[[re.Match], str]]

_MONTHS_FULL = "January|February|March|April|May|June|July|August|September|October|November|December"
_MONTH_ABBR = "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec"
MONTH = rf"(?:(?:{_MONTHS_FULL})|(?:{_MONTH_ABBR})\.?)"
_AMPM = r"(?P<ampm>[ap]\.\s?m\.|[AP]\.\s?M\.|[ap]m\b|[AP]M\b)"
_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+"
_MONTH_NAMES = {
    1: "January", 2: "February", 3: "March", 4: "April", 5: "May", 6: "June", 7: "July",
    8: "August", 9: "September", 10: "October", 11: "November", 12: "December",
}
_SCALE = r"(?P<scale>(?i:thousand|million|billion|trillion)\b|[MBK]n?\b|bn\b|mn\b)"
_SCALE_WORDS = {"k": "thousand", "m": "million", "mn": "million", "b": "billion", "bn": "billion"}

# Roman numerals read as ordinals after a name ("George VI" -> "George the sixth"), as cardinals
# after these words ("World War II" -> "World War two").
_CARDINAL_BEFORE_ROMAN = {
    "war", "part", "chapter", "volume", "vol.", "book", "act", "scene", "phase", "title",
    "article", "section", "type", "level", "stage", "category", "mark", "mk.", "block", "series",
    "bowl", "vatican", "apollo", "gemini", "saturn", "class", "grade", "tier", "annex", "appendix",
    "plan", "operation", "episode", "step", "round", "schedule", "amendment", "unit", "division",
    # missiles, rockets and spacecraft are numbered, not reigning
    "minuteman", "titan", "trident", "polaris", "poseidon", "atlas", "pershing", "peacekeeper",
    "voyager", "pioneer", "mercury", "explorer", "soyuz", "vostok", "luna", "sputnik", "skylab",
    "mariner", "viking", "jupiter", "thor", "nike", "hawk", "patriot", "tomahawk",
}
_REGNAL = {
    "King", "Queen", "Pope", "Emperor", "Tsar", "Czar", "Prince", "Kaiser", "Henry", "George", "Edward",
    "Charles", "Richard", "William", "James", "Louis", "Pius", "Leo", "Gregory", "Benedict", "Clement",
    "Innocent", "Boniface", "Urban", "Paul", "John", "Nicholas", "Alexander", "Peter", "Frederick",
    "Philip", "Ferdinand", "Elizabeth", "Mary", "Victoria", "Ivan", "Constantine", "Otto", "Rama",
}
_NOT_NAMES = {
    "The", "A", "An", "In", "On", "At", "Of", "For", "And", "But", "Or", "To", "By", "From", "With",
    "As", "Is", "Was", "I", "He", "She", "It", "We", "They", "This", "That", "Type", "Plan",
}


def _month_name(word: str) -> str:
    n = month_number(word)
    return _MONTH_NAMES[n] if n else word


def _num_words(text: str) -> str:
    text = text.replace(",", "")
    if "." in text:
        return decimal(text)
    return cardinal(int(text))


def _time(m: re.Match) -> str:
    h, mins = int(m.group("h")), m.group("m")
    ampm = m.group("ampm")
    words = cardinal(h)
    if mins and mins != "00":
        mm = int(mins)
        words += f" oh {cardinal(mm)}" if mm < 10 else f" {cardinal(mm)}"
    elif mins == "00" and not ampm:
        words += " o'clock"
    if ampm:
        words += " P-M" if ampm.lower().startswith("p") else " A-M"
    return words


def _military_time(m: re.Match) -> str:
    return _clock(m.group(1))


def _clock(hhmm: str) -> str:
    """'0630' -> 'zero six thirty hours', '1400' -> 'fourteen hundred hours'."""
    hh, mm = hhmm[:2], hhmm[2:]
    head = ("zero " + cardinal(int(hh[1]))) if hh[0] == "0" else cardinal(int(hh))
    if hh == "00":
        head = "zero"
    tail = "hundred" if mm == "00" else (f"oh {cardinal(int(mm))}" if mm[0] == "0" else cardinal(int(mm)))
    return f"{head} {tail} hours"


def _date_mdy(m: re.Match) -> str:
    out = ""
    if m.group("wd"):
        out = WEEKDAY_ABBREVIATIONS.get(m.group("wd"), m.group("wd")) + ", "
    out += f"{_month_name(m.group('mon'))} {ordinal(int(m.group('d')))}"
    if m.group("y"):
        out += f", {year(int(m.group('y')))}"
    return out


def _date_dmy(m: re.Match) -> str:
    the = "" if m.string[: m.start()].lower().endswith("the ") else "the "
    out = f"{the}{ordinal(int(m.group('d')))} of {_month_name(m.group('mon'))}"
    if m.group("y"):
        out += f", {year(int(m.group('y')))}"
    return out


def _date_numeric(m: re.Match) -> str:
    mo, d, y = int(m.group("mo")), int(m.group("d")), m.group("y")
    if not (1 <= mo <= 12 and 1 <= d <= 31):
        return m.group(0)
    yy = int(y)
    if len(y) == 2:
        yy += 2000 if yy < 50 else 1900
    return f"{_MONTH_NAMES[mo]} {ordinal(d)}, {year(yy)}"


def _date_iso(m: re.Match) -> str:
    y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
    if not (1 <= mo <= 12 and 1 <= d <= 31):
        return m.group(0)
    return f"{_MONTH_NAMES[mo]} {ordinal(d)}, {year(y)}"


def _month_year(m: re.Match) -> str:
    return f"{_month_name(m.group('mon'))} {year(int(m.group('y')))}"


def _money(m: re.Match) -> str:
    scale = m.group("scale") or ""
    scale = _SCALE_WORDS.get(scale.lower(), scale.lower()) if scale else ""
    return money(m.group("amt"), scale, m.group("cur"))


def _percent(m: re.Match) -> str:
    return f"{_num_words(m.group(1))} percent"


def _decade(m: re.Match) -> str:
    return decade(int(m.group(1)))


def _short_decade(m: re.Match) -> str:
    return plural_of_tens(int(m.group(1)))


def _ordinal(m: re.Match) -> str:
    return ordinal(int(m.group(1)))


def _range(m: re.Match) -> str:
    a, b = m.group(1), m.group(2)
    if len(a) == 4 and 1000 <= int(a) <= 2099:
        if len(b) == 2:
            return f"{year(int(a))} to {cardinal(int(b)) if int(b) >= 10 else 'oh ' + cardinal(int(b))}"
        if len(b) == 4:
            return f"{year(int(a))} to {year(int(b))}"
    return f"{_num_words(a)} to {_num_words(b)}"


def _phone(m: re.Match) -> str:
    parts = [p for p in (m.group("cc"), m.group("area"), m.group("ex"), m.group("line")) if p]
    # toll-free "800" is said as a number; everything else digit by digit
    return ", ".join("eight hundred" if p == "800" else digits(p) for p in parts)


def _zip(m: re.Match) -> str:
    return f"{POSTAL_STATES[m.group(1)]} {digits(m.group(2))}" + (f" {digits(m.group(3))}" if m.group(3) else "")


# Words that may follow an amount without it modifying them ("40 mph gusts" is a compound
# modifier; "5 km away", "$5 each", "10 ft. tall", "200 gal of fuel" are not).
_NOT_A_NOUN = frozenset("""
of in on at to for from by with into over under per than as and or but nor so if when while after before since
until during a an the this that these those it he she they we you his her their its our my your who which where
is was were are be been being has have had will would can could may might must shall should do does did not
also only just still already again instead then now today tonight yesterday tomorrow daily weekly monthly
yearly annually each apiece total overall altogether more less away long tall high wide deep old thick thin
across ahead behind later earlier apart above below off out up down north south east west northeast northwest
southeast southwest short shy closer farther further beyond inside outside overhead underground round
overnight ago apart aloft nightly between among against toward towards through throughout without within
along around near past via despite beside besides underneath
""".split())
_DETERMINER = r"(?:(?<=\b[Aa] )|(?<=\b[Aa]n )|(?<=\b[Tt]he )|(?<=\b[Tt]his )|(?<=\b[Tt]hat )|(?<=\b[Ii]ts )|(?<=\b[Tt]heir )|(?<=\b[Ee]ach ))"
_NEXT_WORD = r"(?=\s+(?P<next>[a-z][a-z\-]*)\b)"


def _modifier(words: str) -> str:
    """'forty million dollars' before a noun is 'forty-million-dollar': one hyphenated, singular
    modifier, as a narrator reads 'a $40 million hangar'."""
    parts = words.split()
    singular = {"dollars": "dollar", "pounds": "pound", "euros": "euro", "miles": "mile", "feet": "foot",
                "kilometers": "kilometer", "meters": "meter", "kilograms": "kilogram", "gallons": "gallon",
                "inches": "inch", "yards": "yard", "hours": "hour", "degrees": "degree", "liters": "liter",
                "tons": "ton", "knots": "knot", "seconds": "second", "minutes": "minute"}
    return "-".join(singular.get(w, w) for w in parts)


def _before_a_noun(read: Callable[[re.Match], str]) -> Callable[[re.Match], str]:
    """An amount read by `read`, as a compound modifier when the word after it is a noun."""
    def rule(m: re.Match) -> str:
        return read(m) if m.group("next") in _NOT_A_NOUN else _modifier(read(m))
    return rule


def _unit(m: re.Match) -> str:
    num, unit = m.group("n"), m.group("u")
    singular, plural = UNITS[unit]
    value = num.replace(",", "")
    one = value in ("1", "1.0")
    return f"{_num_words(num)} {singular if one else plural}"


def _fraction(m: re.Match) -> str:
    a, b = int(m.group("n")), int(m.group("d"))
    whole = m.group("w")
    if b > 10 and b not in (12, 16, 32, 64, 100) and not whole:
        return f"{cardinal(a)} {cardinal(b)}"  # "9/11" is a day, not nine elevenths
    words = fraction(a, b)
    if whole and (a, b) == (1, 2):
        return f"{cardinal(int(whole))} and a half"  # "one and a half hours", as it is said
    return f"{cardinal(int(whole))} and {words}" if whole else words


def _designator(m: re.Match) -> str:
    """'B-52' -> 'B fifty-two'; 'C-130' -> 'C one thirty'; 'MQ-9' -> 'M-Q nine'."""
    letters, num = m.group(1), m.group(2)
    said = "-".join(letters) if len(letters) > 1 else letters
    if len(num) == 3 and num[1] != "0":
        n = f"{cardinal(int(num[0]))} {cardinal(int(num[1:]))}"
    elif len(num) == 3:
        n = f"{cardinal(int(num[0]))} oh {cardinal(int(num[2]))}" if num[2] != "0" else cardinal(int(num))
    else:
        n = cardinal(int(num))
    suffix = m.group(3) or ""
    if suffix and suffix != "s":
        suffix = " " + suffix.rstrip("s") + ("'s" if suffix.endswith("s") else "")
    return f"{said} {n}{suffix}"


def _model_number(num: str) -> str:
    """How a number inside a name is said: 'M249' is 'two forty-nine', 'C-130' 'one thirty'."""
    if len(num) == 3 and num[1] != "0":
        return f"{cardinal(int(num[0]))} {cardinal(int(num[1:]))}"
    if len(num) == 3:
        return f"{cardinal(int(num[0]))} oh {cardinal(int(num[2]))}" if num[2] != "0" else cardinal(int(num))
    if len(num) == 4 and 1000 <= int(num) <= 2099:
        return year(int(num))  # "FY2024", "M1911": said like a year
    return cardinal(int(num))


def _letters_and_digits(m: re.Match) -> str:
    """'M249' -> 'M two forty-nine', '179AW' -> 'one seventy-nine A-W', 'C2F' -> 'C two F': a
    name made of letters and digits, read a part at a time."""
    parts = re.findall(r"[A-Za-z]+|\d+", m.group(0))
    return " ".join(_model_number(p) if p.isdigit() else "-".join(p.upper()) for p in parts)


def _web_address(m: re.Match) -> str:
    host = " dot ".join(m.group("host").lower().split("."))
    path = [p for p in re.split(r"[/?#=&]+", (m.group("path") or "").strip("/")) if p and not re.fullmatch(r"\d{4,}", p)]
    # a long path is not read out: the site is what a listener can remember
    return host + ("".join(f" slash {p}" for p in path[:2]) if len(path) <= 2 else "")


def _roman(m: re.Match) -> str:
    before, numeral = m.group("before"), m.group("num")
    value = roman_to_int(numeral)
    if value is None:
        return m.group(0)
    word = before.split()[-1]
    after = m.string[m.end():m.end() + 3]
    # a plural is never a monarch: "the Minutemen III", "Titans II" are models, read as numbers
    singular = re.sub(r"(?:men|s)$", lambda x: "man" if x.group(0) == "men" else "", word.lower())
    if word.lower() in _CARDINAL_BEFORE_ROMAN or singular in _CARDINAL_BEFORE_ROMAN:
        return f"{before} {cardinal(value)}"
    if word in _NOT_NAMES:
        return m.group(0)
    if len(numeral) == 1:
        # "Sean D. Smith", "Type C": a single letter is an initial unless a monarch or pope
        # plainly precedes it ("Henry V", "Pope Pius X") and no surname follows
        if word not in _REGNAL or re.match(r"\.\s+[A-Z]", after):
            return m.group(0)
    return f"{before} the {ordinal(value)}"


def _military_span(m: re.Match) -> str:
    a, b = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
    return f"{_clock(a).replace(' hours', '')} to {_clock(b).replace(' hours', '')}"


def _party(m: re.Match) -> str:
    """"(R-N.D.)": a lawmaker's party and state, as a newsreader says them."""
    party = {"R": "Republican", "D": "Democrat", "I": "Independent"}[m.group(1)]
    return f"({party}, {m.group(2)})"


def _cardinal_plural(n: int, plural: bool) -> str:
    word = cardinal(n)
    return word + ("es" if word.endswith("x") else "s") if plural else word


def _roman_possessive(m: re.Match) -> str:
    """"Louis XIV's court": the numeral read as it would be alone, the possessive kept."""
    read = _roman(m)
    return read if read == m.group(0) else read + "'s"


def _after_acronym(m: re.Match) -> str:
    """"START II", "SALT I": a treaty's or programme's number is a cardinal."""
    return f"{m.group('word')} {cardinal(roman_to_int(m.group('num')) or 0)}"


def _fiscal_year(m: re.Match) -> str:
    digits = m.group(1)
    if len(digits) == 4:
        return f"fiscal year {year(int(digits))}"
    return f"fiscal year {'oh ' + cardinal(int(digits)) if digits.startswith('0') else cardinal(int(digits))}"


def _number(m: re.Match) -> str:
    text = m.group(0)
    plain = text.replace(",", "")
    if re.fullmatch(r"\d{4}", plain) and 1000 <= int(plain) <= 2099 and "," not in text:
        return year(int(plain))
    return _num_words(text)


def _letters_with_periods(m: re.Match) -> str:
    letters = re.sub(r"[^A-Za-z]", "", m.group(0))
    return "-".join(letters.upper())


class Normalizer:
    """Compiled once per show (the lexicon's acronyms feed the rules)."""

    def __init__(self, acronyms: dict[str, str] | None = None):
        self.acronyms = acronyms or {}
        self.rules = self._compile()

    def _compile(self) -> list[Rule]:
        rank_keys = sorted(RANKS, key=len, reverse=True)
        ranks_rx = "|".join(re.escape(k) for k in rank_keys if "." in k or any(c.isdigit() for c in k) or k in ("SrA", "A1C", "SSgt", "TSgt", "MSgt", "SMSgt", "CMSgt", "CMSAF", "PFC", "CW2", "CW3", "CW4", "CW5"))
        bare_rx = "|".join(re.escape(k) for k in sorted(RANKS_BEFORE_NAME, key=len, reverse=True))
        titles_rx = "|".join(re.escape(k) for k in sorted(TITLES, key=len, reverse=True) if k.endswith("."))
        states_rx = "|".join(re.escape(k) for k in sorted(AP_STATES, key=len, reverse=True))
        postal_rx = "|".join(sorted(POSTAL_STATES))
        other_rx = "|".join(re.escape(k) for k in sorted(OTHER, key=len, reverse=True))
        units_rx = "|".join(re.escape(k) for k in sorted(UNITS, key=len, reverse=True))
        weekday_rx = "|".join(re.escape(k) for k in WEEKDAY_ABBREVIATIONS)
        rules: list[Rule] = [
            # an email address: "pa dot office at us dot af dot mil"
            (re.compile(r"(?<![\w.])(?P<local>[A-Za-z0-9][\w.+-]*)@(?P<host>[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)"),
             lambda m: f"{' dot '.join(m.group('local').split('.'))} at {' dot '.join(m.group('host').lower().split('.'))}"),
            # web addresses as a narrator reads them: "af dot mil slash News", ".mil" as "dot mil"
            (re.compile(r"(?<![\w@])(?:https?://)?(?:www\.)?(?P<host>[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\."
                        r"(?:mil|gov|com|org|net|edu|us|int|io|info))\b(?P<path>/[\w\-./%?=&#]*)?", re.I), _web_address),
            (re.compile(r"(?<![\w.])\.(?P<tld>mil|gov|com|org|net|edu)\b"), lambda m: f"dot {m.group('tld')}"),
            # a headline in capitals is words, not a string of acronyms
            (re.compile(r"\b[A-Z][A-Z'\-]+(?:,? [A-Z][A-Z'\-]+){2,}\b"), self._shouted),
            # "(R-N.D.)", "(D-Calif.)": party and state
            (re.compile(r"\(([RDI])-([A-Z][A-Za-z.]*(?: [A-Z][A-Za-z.]*)?)\)"), _party),
            # ranks and titles first: "Airman 1st Class" is a rank before it is an ordinal
            (re.compile(rf"(?<![\w.])({ranks_rx})(?=\s|$)"), lambda m: RANKS[m.group(1)]),
            (re.compile(rf"(?<![\w.])({titles_rx})(?=[\s,;:)]|$)"), lambda m: TITLES[m.group(1)]),
            (re.compile(rf"(?<![\w.])({bare_rx})(?=\s+[A-Z])"), lambda m: RANKS_BEFORE_NAME[m.group(1)]),
            # --- things with digits, most specific first -------------------------------
            # "WWII", "WW2": the war's name
            (re.compile(r"\bWW ?(II|I|2|1)\b"), lambda m: "World War " + ("Two" if m.group(1) in ("II", "2") else "One")),
            # "FY24", "FY 2025": a fiscal year
            (re.compile(r"\bFY ?(\d{4}|\d{2})\b"), _fiscal_year),
            # a Defense Switched Network or local number: "DSN 453-1110" is read digit by digit
            (re.compile(r"\b(?P<pre>DSN:?|[Cc]all|[Pp]hone:?|[Tt]el\.?:?|[Ee]xt\.?) ?(?P<a>\d{3})[-.\s](?P<b>\d{4})\b"),
             lambda m: f"{m.group('pre').rstrip(':').rstrip('.')} {digits(m.group('a'))}, {digits(m.group('b'))}"),
            # a minus sign: "-20°F", "to -35 degrees" (never a range: a digit or word comes before those)
            (re.compile(r"(?:(?<=[\s(])|^)[-\u2212](?=\d)"), lambda m: "minus "),
            (re.compile(r"(?<![\w/])(?:(?P<cc>\+?1)[\s.\-])?\(?(?P<area>\d{3})\)?[\s.\-](?P<ex>\d{3})[\s.\-](?P<line>\d{4})(?![\w/])"), _phone),
            (re.compile(rf"(?<=[a-z], )({postal_rx})\s+(\d{{5}})(?:-(\d{{4}}))?\b"), _zip),
            # "1-2 p.m.": a range of hours, before either hour is read as a time
            (re.compile(rf"\b(1[0-2]|0?[1-9])\s?[-\u2013]\s?(1[0-2]|0?[1-9])(?=\s*{_AMPM})"),
             lambda m: f"{cardinal(int(m.group(1)))} to {cardinal(int(m.group(2)))}"),
            (re.compile(rf"\b(?P<h>[01]?\d|2[0-3]):(?P<m>[0-5]\d)(?:\s*{_AMPM})?"), _time),
            (re.compile(rf"\b(?P<h>1[0-2]|0?[1-9])(?P<m>)\s*{_AMPM}"), _time),
            # "0800-1600": a span of military times (a leading zero, or "hours" after it, says so)
            (re.compile(r"\b(0\d[0-5]\d|[01]\d[0-5]\d|2[0-3][0-5]\d)\s?[-\u2013]\s?([01]\d[0-5]\d|2[0-3][0-5]\d)"
                        r"(?=\s+hours\b)|\b(0\d[0-5]\d)\s?[-\u2013]\s?([01]\d[0-5]\d|2[0-3][0-5]\d)\b"),
             lambda m: _military_span(m)),
            (re.compile(r"\b([01]\d[0-5]\d|2[0-3][0-5]\d)(?=\s+hours\b)\s+hours\b"), _military_time),
            # a time written with a leading zero ("at 0700", "0800 Zulu") is military time
            (re.compile(r"(?<![\d.,:/-])\b(0\d[0-5]\d)\b(?![\d.,:/-]\d)"), lambda m: _military_time(m).replace(" hours", "")),
            # "Jan. 1-3": a range of days
            (re.compile(rf"\b(?P<mon>{MONTH})\s+(?P<a>[0-3]?\d)\s?[-\u2013]\s?(?P<b>[0-3]?\d)\b(?:,?\s+(?P<y>\d{{4}})\b)?"),
             lambda m: f"{_month_name(m.group('mon'))} {ordinal(int(m.group('a')))} to {ordinal(int(m.group('b')))}"
                       + (f", {year(int(m.group('y')))}" if m.group("y") else "")),
            (re.compile(rf"\b(?:(?P<wd>{weekday_rx}|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday),?\s+)?(?P<mon>{MONTH})\s+(?P<d>[0-3]?\d)(?:st|nd|rd|th)?\b(?:,?\s+(?P<y>\d{{4}})\b)?(?!:)"), _date_mdy),
            (re.compile(rf"\b(?P<d>[0-3]?\d)(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<mon>{MONTH})(?:,?\s+(?P<y>\d{{4}}))?\b"), _date_dmy),
            (re.compile(r"\b(?P<mo>[01]?\d)/(?P<d>[0-3]?\d)/(?P<y>\d{4}|\d{2})\b"), _date_numeric),
            (re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b"), _date_iso),
            (re.compile(rf"\b(?P<mon>{MONTH})\s+(?P<y>1[0-9]\d\d|20\d\d)\b"), _month_year),
            (re.compile(rf"{_DETERMINER}(?P<cur>[$\u00a3\u20ac\u00a5])\s?(?P<amt>{_NUM})(?:\s*{_SCALE})?{_NEXT_WORD}"),
             _before_a_noun(_money)),
            (re.compile(rf"(?P<cur>[$\u00a3\u20ac\u00a5])\s?(?P<amt>{_NUM})(?:\s*{_SCALE})?"), _money),
            (re.compile(rf"({_NUM})\s?(?:%|percent\b|per cent\b)"), _percent),
            (re.compile(r"\b(1[0-9]\d0|20\d0)'?s\b"), _decade),
            (re.compile(r"(?<!\w)['\u2019](\d0)s\b"), _short_decade),
            # "in the upper 80's", "in their 20s": tens of degrees or years
            (re.compile(r"(?<![\w.$'\u2019-])([1-9]0)['\u2019]?s\b"), lambda m: plural_of_tens(int(m.group(1)))),
            # "T-6A Texan II", "C-17 Globemaster III": the numeral after a designated aircraft's
            # name is its model number
            (re.compile(r"\b([A-Z]{1,3})-(\d{1,3})([A-Z]?s?)\b(?P<name>(?: [A-Z][a-z]+){1,2}) (?P<rn>II|III|IV|V|VI)(?P<pl>s)?\b"),
             lambda m: f"{_designator(m)}{m.group('name')} {_cardinal_plural(roman_to_int(m.group('rn')) or 0, bool(m.group('pl')))}"),
            (re.compile(r"\b([A-Z]{1,3})-(\d{1,3})([A-Z]?s?)\b"), _designator),
            (re.compile(r"\b(\d{1,3}(?:,\d{3})+|\d+)(?:st|nd|rd|th)\b|\b(\d*[23])d\b"),
             lambda m: ordinal(int((m.group(1) or m.group(2)).replace(",", "")))),
            # a gun's caliber: ".50-caliber" is "fifty-caliber"
            (re.compile(r"(?<![\w.])\.(\d{2,3})(?=[- ]caliber\b)"), lambda m: cardinal(int(m.group(1)))),
            (re.compile(r"\b(\d{4})\s?[-\u2013]\s?(\d{4}|\d{2})\b"), _range),
            (re.compile(rf"\b({_NUM})\s?(?:to|[-\u2013])\s?({_NUM})(?=\s+(?:percent|years?|days?|weeks?|months?|hours?|minutes?|miles?|people|times|members|feet|meters|pounds|degrees)\b)"), _range),
            (re.compile(rf"\b(?P<n>{_NUM})[\s\-]?(?P<u>{units_rx})(?![\w]){_NEXT_WORD}"), _before_a_noun(_unit)),
            (re.compile(rf"\b(?P<n>{_NUM})[\s\-]?(?P<u>{units_rx})(?![\w])"), _unit),
            (re.compile(r"\b24/7\b"), lambda m: "twenty-four seven"),
            (re.compile(r"(?:\b(?P<w>\d+)\s+)?\b(?P<n>\d{1,2})/(?P<d>\d{1,2})\b(?!/)"), _fraction),
            (re.compile(rf"\b({_NUM})-({_NUM})\b"), _range),
            (re.compile(r"(?:#|\bNo\.\s?|\bNos\.\s?)(?=\d)"), lambda m: "number "),
            # what is left of letters run into digits: weapons, units, models ("M249", "179AW")
            (re.compile(r"\b(?=[A-Za-z]*\d)(?=\d*[A-Za-z])[A-Za-z]{0,4}\d{1,4}[A-Za-z]{0,4}\b"), _letters_and_digits),
            (re.compile(rf"(?<![\w.])-?(?:{_NUM})(?![\w])"), _number),
            # --- abbreviations -------------------------------------------------------
            (re.compile(r"\b(St|Mt|Ft|Pt|ST|MT|FT|PT)\.\s+(?=[A-Z])"), lambda m: PLACE_PREFIXES[m.group(1).title() + "."] + " "),
            (re.compile(r"(?<=[a-z] )(St|Ave|Blvd|Rd|Ln|Ct|Hwy|Pkwy|Dr)\.(?=[\s,;:)\x22\x27]|$)"), lambda m: STREET_SUFFIXES[m.group(1) + "."]),
            (re.compile(rf"(?<![\w.])({other_rx})(?=[\s,;:)\x22\x27]|$)"), lambda m: OTHER[m.group(1)]),
            (re.compile(rf"(?<=, )({states_rx})(?=[\s,;:)\x22\x27]|$)"), lambda m: AP_STATES[m.group(1)]),
            (re.compile(rf"(?<![\w.])({states_rx})(?=[\s,;:)\x22\x27]|$)"), lambda m: AP_STATES[m.group(1)]),
            (re.compile(rf"(?<=[a-z], )({postal_rx})\b(?=\s+\d{{5}}|[,.;]|$)"), lambda m: POSTAL_STATES[m.group(1)]),
            (re.compile(rf"\b({_MONTH_ABBR})\.(?=[\s,;:)\x22\x27]|$)"), lambda m: _month_name(m.group(1))),
            (re.compile(rf"(?<![\w.])({weekday_rx})(?=[\s,;:)\x22\x27]|$)"), lambda m: WEEKDAY_ABBREVIATIONS[m.group(1)]),
            # --- Roman numerals where they are numerals -------------------------------
            (re.compile(r"(?P<word>\b(?:START|SALT|[A-Z]{3,})) (?P<num>II|III|IV|V|VI|VII|VIII|IX|X)(?![\w'\u2019])|(?P<word2>\b(?:START|SALT)) (?P<num2>I)(?![\w'\u2019])"),
             lambda m: _after_acronym(m) if m.group("word") else f"{m.group('word2')} {cardinal(1)}"),
            (re.compile(rf"(?P<before>\b[A-Z][a-z]+\.?(?: [A-Z][a-z]+)?) (?P<num>{ROMAN_RE})['\u2019]s\b"), _roman_possessive),
            (re.compile(rf"(?P<before>\b[A-Z][a-z]+\.?(?: [A-Z][a-z]+)?) (?P<num>{ROMAN_RE})(?![\w'\u2019])"), _roman),
            (re.compile(r"(?P<before>\b(?:[Ww]ar|[Pp]art|[Cc]hapter|[Vv]olume|[Tt]ype|[Pp]hase|[Aa]ct|[Bb]ook|[Ss]tage|[Ll]evel)) (?P<num>I)(?![\w'\u2019])"), _roman),
            # --- letters --------------------------------------------------------------
            (re.compile(r"\b(?:[A-Za-z]\.){2,}(?=[\s,;:)\"']|$)"), _letters_with_periods),
            (re.compile(r"\b[A-Z][A-Za-z]*[A-Z][A-Za-z]*s?\b"), self._acronym),
            (re.compile(r"\b([A-Z])\.(?=\s+[A-Z\-])"), lambda m: m.group(1)),
            # --- symbols and punctuation ----------------------------------------------
            (re.compile(r"\s*&\s*"), lambda m: " and "),
            (re.compile(r"(?<=\w)@(?=\w)"), lambda m: " at "),
            (re.compile(r"\s\+\s|(?<=\d)\+(?=\d)"), lambda m: " plus "),
            (re.compile(r"\s=\s"), lambda m: " equals "),
            (re.compile(r"(?<=\w)/(?=\w)"), lambda m: " "),
            (re.compile(r"\s*\u00b0\s*"), lambda m: " degrees "),
            (re.compile(r"~\s*"), lambda m: "about "),
        ]
        return rules

    def _shouted(self, m: re.Match) -> str:
        from .acronyms import LETTERS

        return " ".join(w if w.strip(",") in LETTERS or w.strip(",") in WORDS or w.strip(",") in self.acronyms
                        else w.capitalize()
                        for w in m.group(0).split(" "))

    def _acronym(self, m: re.Match) -> str:
        word = m.group(0)
        letters = re.sub(r"[^A-Za-z]", "", word)
        upper = sum(c.isupper() for c in letters)
        if word in self.acronyms or (word.endswith("s") and word[:-1] in self.acronyms):
            return say_acronym(word, self.acronyms)
        if word in WORDS:  # mixed-case ones too ("SecAF")
            return say_acronym(word, self.acronyms)
        if word in EMPHASIS:
            return word.lower()
        # McDonald, DeWitt, iPhone-like mixed case words are names, not acronyms
        if upper < len(letters) - (1 if word.endswith("s") else 0) and not word.startswith(("Ph",)):
            return word
        if len(letters) < 2:
            return word
        return say_acronym(word, self.acronyms)

    def __call__(self, text: str) -> str:
        ends = re.search(r"([.!?])[\"')\]]*\s*$", text)
        text = _prepare(text)
        for rx, fn in self.rules:
            text = rx.sub(fn, text)
        text = _finish(text)
        # an abbreviation that ended the sentence took its period with it: put one back
        if ends and text and not re.search(r"[.!?][\"')\]]*$", text):
            closing = re.search(r"[\"')\]]*$", text).group(0)  # type: ignore[union-attr]  # always matches
            text = text[: len(text) - len(closing)] + ends.group(1) + closing
        return text


def _prepare(text: str) -> str:
    text = (text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"')
            .replace("\u201d", '"').replace("\u2026", "...").replace("\u00a0", " "))
    # an ellipsis: nothing where a quotation opens with one, a pause anywhere inside ("an iconic
    # example...of how" is "an iconic example, of how"); only at the very end a full stop
    text = re.sub(r"(^|[\"'(\[]\s?)\.{3,}\s*", r"\1", text)
    text = re.sub(r"\s*\.{3,}\s*(?=[\w\"'(\[])", ", ", text)
    # a dateline's dash ends it: "MINOT AIR FORCE BASE, N.D. -- The wing flew." is two sentences
    text = re.sub(r"^((?:[A-Z][\w.'\-]*,?\s+){0,8}[A-Z][\w.'\-]*\.?)\s*(?:--+|\u2014|\s\u2013)\s*(?=[A-Z\"'])",
                  lambda m: m.group(1) + (" . " if m.group(1).endswith(".") else ". "), text)
    # other dashes are pauses, never words: "--" and em dashes become commas
    text = re.sub(r"\s*(?:--+|\u2014)\s*", ", ", text)
    text = re.sub(r"(?<=\d)\s?\u2013\s?(?=\d)", "-", text)  # en dash in a range
    text = re.sub(r"(?i)(?<=[ap]\.m\.)\s?[-\u2013]\s?(?=\d)", " to ", text)  # "7 a.m.-3 p.m."
    text = re.sub(r"\s+\u2013\s+", ", ", text)
    # a space lost after a comma: before a word or an opening quote ('saying,"I...'), never before
    # a closing one ('puzzle," said')
    text = re.sub(r"(?<=\w),(?=[A-Za-z]|[\"'](?=\w))", ", ", text)
    return " ".join(text.split())


def _finish(text: str) -> str:
    text = re.sub(r"\s+([,;:.!?])", r"\1", text)
    text = re.sub(r",\s*,", ",", text)
    text = re.sub(r"^\s*,\s*", "", text)
    text = re.sub(r"\.(?=\s*[.])", "", text)
    return " ".join(text.split())
