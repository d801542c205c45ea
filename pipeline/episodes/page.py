"""Scraped page text -> header fields, story paragraphs and photo captions.

A scraped news page is a run of lines: site chrome (a government banner, logos, breadcrumbs,
log-in forms), a header block (headline, date, byline, unit, dateline) in one of a dozen
arrangements, then the story, often with photo captions between its paragraphs, sometimes a
sidebar of other stories after it and a metadata block at the end. Each line is classified by
its shape (how long it is, how it ends, what kind of words it holds), never by matching the text
of known pages, so a new site's arrangement of the same parts reads too.

Shared by every reader: `clean_paragraphs` removes the same debris from HTML bodies.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from ..text.abbreviations import AP_STATES, POSTAL_STATES
from ..text.dates import MONTH_WORD, parse_date, parse_datetime
from ..text.sentences import split_sentences
from .byline import RANK_PREFIX, UNIT_WORDS, split_byline

# --- line shapes ---------------------------------------------------------------------------------

_BULLET = re.compile(r"^\s*(?:[\u2022\u00b7\u25aa\u25cf\u2023\u2043*>]|-(?=\s))\s*")
# the dash that ends a dateline: "--", an em dash, or a spaced en dash or hyphen
SEP = r"(?:\s*--\s*|\s*\u2014\s*|\s+\u2013\s*|\s*\u2013\s+|\s+-\s+)"
_SEP_RX = re.compile(SEP)
_DATE = (rf"(?:{MONTH_WORD}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}|\d{{1,2}}\s+{MONTH_WORD}\s+\d{{4}}"
         r"|\d{1,2}[/.]\d{1,2}[/.]\d{4}|\d{1,2}/\d{1,2}/\d{2}|\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?"
         r"(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?)?)")
DATE_RX = re.compile(_DATE, re.I)
PUBLISHED = re.compile(rf"(?i)\b(?:Published|Posted|Updated)\s*:?\s*(?P<date>{_DATE})")
_TIME = re.compile(r"\b\d{1,2}:\d{2}(?::\d{2})?(?:\s*[ap]\.?m\.?)?\b", re.I)
_LABEL_WORDS = {"published", "posted", "updated", "date", "dated", "released", "release", "press", "news",
                "taken", "on", "last", "modified", "story", "article", "commentary", "feature", "features",
                "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
                "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun"}
_BYLINE = re.compile(
    r"(?i)^(?:(?:story|audio|video|text|words|commentary|article|report|written|posted|compiled)\s+)?by\s*:?\s+(?P<who>.+)$")
_SECOND_BYLINE = re.compile(r"(?i)^(?:photos?|photography|images?|graphics?|illustrations?|video|design)\s+by\b")
_FROM = re.compile(r"^From\s+(?P<who>.+)$")
_COURTESY = re.compile(r"(?i)^courtesy\s+(?:story|article|photo|release)\b\s*(?P<who>.*)$")
_END_PUNCT = re.compile(r"[.!?:;,][\"'\u201d\u2019)\]]*$")
_TERMINAL = re.compile(r"[.!?][\"'\u201d\u2019)\]]*$")
# words that make up site navigation, share widgets and photo tools
_NAV = {
    "home", "news", "search", "features", "feature", "display", "article", "articles", "view", "commentaries",
    "commentary", "press", "releases", "release", "share", "bookmark", "and", "print", "email", "e", "mail",
    "menu", "photos", "photo", "videos", "video", "gallery", "galleries", "info", "information", "about",
    "contact", "skip", "to", "content", "main", "more", "stories", "top", "back", "sign", "in", "log", "login",
    "subscribe", "follow", "related", "links", "link", "tags", "tag", "category", "categories", "audio",
    "podcasts", "listen", "download", "hi", "res", "resolution", "details", "click", "image", "images",
    "screen", "for", "available", "high", "low", "full", "size", "the", "this", "page", "site", "map",
    "sitemap", "rss", "feeds", "feed", "us", "facebook", "twitter", "linkedin", "instagram", "youtube",
    "flickr", "x", "comments", "comment", "previous", "next", "up", "of", "a", "an", "index", "list",
    "archive", "archives", "library", "units", "leadership", "biographies", "fact", "sheets", "cs", "dig",
    "here", "latest", "read", "show", "hide", "caption", "captions", "enlarge", "zoom",
    "toggle", "navigation", "nav", "open", "close", "expand", "collapse", "on", "via", "enter", "go",
}
_SOCIAL = {"facebook", "twitter", "email", "mail", "print", "share", "linkedin", "instagram", "youtube", "reddit",
           "pinterest", "whatsapp", "comments", "tags", "flickr", "tumblr", "rss", "subscribe", "bookmark"}
_SECTION_END = {"news", "articles", "stories", "releases", "features", "commentaries", "photos", "videos",
                "headlines", "updates", "galleries"}
_CHROME_CUES = re.compile(
    r"(?i)\b(?:logo|icon|could not be (?:loaded|displayed)|javascript|cookies?|password|username|"
    r"sign (?:in|up)|log (?:in|out)|maintenance window|e\.g\.\s+\S+@|browser|skip to (?:main )?content)\b")
_BANNER = re.compile(
    r"(?i)(?:official websites? of the united states government|here['\u2019]s how you know|"
    r"\.mil\b.{0,40}\bwebsites?\b|\bwebsites?\b.{0,40}\.mil\b|\bhttps://\s*means\b|\block\s*\(|"
    r"share sensitive information only|\.gov\b.{0,40}\bwebsites?\b)")
_NOTICE = re.compile(r"(?i)\b(?:this|our) (?:web ?)?site\b.{0,80}\b(?:reviewed|removed|privacy|policy|cookies|"
                     r"endorse|disclaimer|links?)\b")
_CALL_TO_ACTION = re.compile(r"\b[A-Z]{2,}(?:\s+[A-Z]{2,}){1,3}[.!]?\s*$")
_ZIP = re.compile(r"\b\d{5}(?:-\d{4})?$")
# a photo credit: "(U.S. Air Force photo by ...)", "(U.S. Army photo/Sgt. ...)", "Photo by ...",
# "... Air National Guard illustration"
_CREDIT_WORD = r"(?:photo(?:graph)?s?|illustration|graphic|image|video|courtesy photo)"
_CREDIT_PAREN = re.compile(rf"\((?=[^()]*\b{_CREDIT_WORD}\b)(?=[^()]*(?:\bby\b|/|\bcourtesy\b|\breleased\b))[^()]{{3,160}}\)",
                           re.I)
_CREDIT_TAIL = re.compile(
    rf"(?:^|(?<=[.!?\"\u201d]\s))(?:(?:U\.S\.|[A-Z][\w.'\u2019-]*)\s+){{0,6}}{_CREDIT_WORD}"
    rf"(?:\s+(?:by|courtesy of)\s+[^()]{{2,80}}?|/[^()]{{2,80}}?)?\.?\s*$", re.I)
_CREDIT_LINE = re.compile(rf"(?i)^\(?\s*(?:(?:[\w.'\u2019-]+\s+){{0,6}}{_CREDIT_WORD}\s*(?:by|/|courtesy of|credits?\s*:)\s*.{{2,80}}|courtesy\s+{_CREDIT_WORD}\)?\.?)$")
_LINK_LABEL = re.compile(r"(?:(?<=[.!?\"\u201d])\s+|^)(?:Learn more|Read more|Read the full story|More information|"
                         r"Click here(?: for more(?: information)?)?|Full story)\s*[.!:]?\s*$")
_META_LINE = re.compile(r"^[A-Z][\w .'/-]{1,24}:\s*\S.{0,60}$")
_UNSPEAKABLE = re.compile(r"\S{200,}")
# a run of "Label: value" fields, as pages print their metadata
_FIELDS = re.compile(r"(?:[A-Z][A-Za-z]*(?: [A-Z]?[a-z]+){0,2}:\s*\S+(?:\s+(?![A-Z][A-Za-z]*(?: [A-Z]?[a-z]+){0,2}:)\S+){0,4}\s*)+")
_SCRAPER_PREFIX = re.compile(r"^\s*date\s+(?P<date>\d{4}-\d{2}-\d{2})\s+")


def _words(text: str) -> list[str]:
    return re.findall(r"[A-Za-z0-9'\u2019]+", text)


def _nav_tokens(text: str) -> list[str]:
    split = re.sub(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", " ", text)
    return [w.lower() for w in re.findall(r"[A-Za-z]+", split)]


def is_banner(line: str) -> bool:
    """The government-site banner and site notices, in any of their wordings."""
    return bool(_BANNER.search(line) or (_NOTICE.search(line) and len(line) < 400)
                or (_CALL_TO_ACTION.search(line) and re.search(r"(?i)\bhere\b", line[-30:])))


def is_chrome(line: str) -> bool:
    """Navigation, share widgets, logos, log-in forms, breadcrumbs: page furniture, never story."""
    text = line.strip()
    if not text:
        return True
    if len(text) > 600:
        return False  # a paragraph, whatever words it holds
    if is_banner(text):
        return True
    words = _words(text)
    if len(words) > 40:
        return False
    tokens = _nav_tokens(text)
    if len(tokens) == 1 and tokens[0] in _SOCIAL:
        return True
    if 2 <= len(tokens) <= 10:
        nav = sum(t in _NAV for t in tokens)
        if nav == len(tokens) or (nav >= 2 and nav >= 0.7 * len(tokens) and not _TERMINAL.search(text)):
            return True
    if len(words) <= 4 and words and words[-1].lower() in _SECTION_END and not _END_PUNCT.search(text):
        return True
    if len(words) <= 25 and _CHROME_CUES.search(text):
        return True
    crumbs = re.findall(r"\s[>\u00bb\u203a/]\s", text)
    if crumbs and len(words) <= 12 and not _TERMINAL.search(text) and (
            len(crumbs) >= 2 or (tokens and tokens[0] == "home")):
        return True  # Home > News > Features
    half = len(text) // 2
    if len(words) <= 20 and len(text) > 10 and text[:half].strip() == text[half:].strip():
        return True  # a header printed twice on one line
    if _ZIP.search(text) and len(words) <= 12 and re.match(r"^\d", text):
        return True  # a street address
    if _CREDIT_LINE.match(text) and len(words) <= 14:
        return True  # a photo credit on its own
    if is_keyword_list(text):
        return True
    return False


def is_keyword_list(text: str) -> bool:
    items = [i.strip() for i in text.split(",")]
    return (len(items) >= 3 and all(0 < len(i.split()) <= 3 for i in items) and not _END_PUNCT.search(text)
            and sum(i[:1].islower() for i in items) >= 1)


def date_in(line: str) -> tuple[date | datetime | None, str]:
    """(the date, the rest of the line) when a line holds a date."""
    m = DATE_RX.search(line)
    if not m:
        return None, line
    value = parse_datetime(m.group(0)) or parse_date(m.group(0))
    return value, (line[: m.start()] + " " + line[m.end():]).strip()


def is_date_line(line: str) -> bool:
    """'Published Oct. 21, 2015', 'News | Feb. 20, 2020', '11.01.2016', or a bare 'Published'."""
    if len(line) > 200:
        return False  # a date line is short; a paragraph with a date in it is not one
    if _FIELDS.fullmatch(line) and DATE_RX.search(line):
        return True  # "Story Number: NNS190612-05 Release Date: 6/12/2019 8:45:00 AM"
    value, rest = date_in(line)
    rest_words = [w.lower() for w in _words(_TIME.sub("", rest))]
    if value is None:
        return bool(rest_words) and len(rest_words) <= 2 and all(w in _LABEL_WORDS for w in rest_words) \
            and rest_words[0] in ("published", "posted", "updated")
    return len(rest_words) <= 3 and all(w in _LABEL_WORDS or len(w) <= 2 for w in rest_words)


def _starts_with_rank(text: str) -> bool:
    return bool(RANK_PREFIX.match(text))


def _is_byline(line: str) -> bool:
    """'By RANK NAME', 'Story by ...', 'Photos by ...', 'Courtesy Story', 'From RANK NAME, UNIT';
    not a sentence that happens to start with 'By' ('By the end of the day, crews had ...')."""
    if _from_byline(line) or _COURTESY.match(line):
        return True
    if not (_BYLINE.match(line) or _SECOND_BYLINE.match(line)):
        return False
    who = line.split("|")[0]
    return len(who.split()) <= 16 and not _ends_sentence(who.strip().rstrip(","))


def _from_byline(line: str) -> bool:
    """'From RANK NAME, UNIT' (Navy style); not a sentence that starts with 'From'."""
    m = _FROM.match(line)
    if not m or len(line.split()) > 16 or _ends_sentence(line):
        return False
    who = m.group("who")
    return _starts_with_rank(who) or ("," in who and is_org(who.rsplit(",", 1)[1])) or is_org(who)


def is_org(line: str) -> bool:
    """A unit or office: capitalised words with a unit word, no verbs ('179th Airlift Wing')."""
    text = line.strip().rstrip(",")
    words = text.split()
    if not 1 <= len(words) <= 12:
        return False
    if _TERMINAL.search(text) and not re.search(r"\b[A-Z][a-z]{0,3}\.$", text):
        return False  # a sentence, unless the full stop is an abbreviation's ("Quantico, Va.")
    if not UNIT_WORDS.search(text):
        return False
    small = {"of", "and", "the", "for", "de", "la", "&"}
    return all(w[:1].isupper() or w[:1].isdigit() or w in small or w[:1] in "(&" for w in words)


# a place: upper-case words, optional ", State" and ", COUNTRY"
_UPPER_PLACE = r"[A-Z][A-Z0-9.'\u2019&/\-]*(?:\s+[A-Z][A-Z0-9.'\u2019&/\-]*)*"
_STATE = r"[A-Z][A-Za-z.]*\.?(?:\s+[A-Z][A-Za-z.]*\.?){0,2}"
_PLACE = re.compile(rf"^(?P<place>{_UPPER_PLACE}(?:,\s*{_STATE}){{0,2}}(?:\s+\([A-Z]{{2,}}\))?)\s*$")
_MIXED_PLACE = re.compile(
    rf"^(?P<place>[A-Z][\w.'\u2019\-]*(?:\s+[A-Z][\w.'\u2019\-]*){{0,6}},\s*{_STATE}(?:,\s*{_STATE})?)\s*$")


_COUNTRIES = {
    "Afghanistan", "Australia", "Bahrain", "Belgium", "Bulgaria", "Canada", "Colombia", "Djibouti", "Egypt",
    "England", "Estonia", "Finland", "France", "Germany", "Greece", "Greenland", "Guam", "Honduras", "Hungary",
    "Iceland", "India", "Iraq", "Israel", "Italy", "Japan", "Jordan", "Kenya", "Korea", "South Korea",
    "Republic of Korea", "Kosovo", "Kuwait", "Latvia", "Lithuania", "Netherlands", "Niger", "Norway", "Okinawa",
    "Oman", "Philippines", "Poland", "Portugal", "Puerto Rico", "Qatar", "Romania", "Saudi Arabia", "Scotland",
    "Singapore", "Slovakia", "Spain", "Syria", "Thailand", "Turkey", "Türkiye", "Ukraine", "United Kingdom",
    "U.K.", "United Arab Emirates", "Wales", "Antarctica", "Diego Garcia", "Cuba", "Mexico", "Panama",
    "Chile", "Brazil", "Peru", "Indonesia", "Vietnam", "Taiwan", "Mongolia", "Georgia", "Armenia", "Czech Republic",
}


def _is_region(text: str) -> bool:
    """A state or country as datelines write it after the comma."""
    text = text.strip()
    return (text in AP_STATES or text in POSTAL_STATES or text in POSTAL_STATES.values() or text in _COUNTRIES
            or text == "D.C." or (text.upper() == text and any(c.isalpha() for c in text)))


def place_of(text: str, mixed: bool = False) -> str:
    """The text as a dateline place, or '' ('MINOT AIR FORCE BASE, N.D.', 'FORT HOOD, Texas');
    a wire service's tag after it ('(AFNS)') is not part of the place."""
    return re.sub(r"\s*\([A-Z]{2,}\)$", "", _place_of(text, mixed))


def _place_of(text: str, mixed: bool = False) -> str:
    text = " ".join(text.split()).strip(" ,")
    if len(text) < 2 or len(text) > 90:
        return ""
    m = _PLACE.match(text)
    if m:
        first = text.split(",")[0]
        if sum(c.isupper() for c in first) >= 2 and first.upper() == first:
            return m.group("place")
    if mixed or "," in text:
        m = _MIXED_PLACE.match(text)
        if m and "," in text and all(_is_region(part) for part in text.split(",")[1:]):
            return m.group("place")
    return ""


def split_dateline(paragraph: str) -> tuple[str, date | None, str]:
    """(place, date in the dateline, rest) when a paragraph opens with a dateline, else ('', None, p).

    'JOINT BASE ANDREWS, Md., Sept. 2, 2010 – Citizen...' gives the place, the date and the story;
    '1/15/2009 - MINOT AIR FORCE BASE, N.D. (AFNS) -- ...' the same with the date first.
    """
    head = paragraph[:200]
    for m in _SEP_RX.finditer(head):
        before = paragraph[: m.start()].strip()
        rest = paragraph[m.end():].strip()
        when = None
        lead = re.match(rf"^(?P<d>{_DATE})\s*[-\u2013\u2014]?\s+", before)
        if lead:
            when = parse_date(lead.group("d"))
            before = before[lead.end():]
        tail = re.search(rf",?\s*(?P<d>{_DATE})$", before)
        if tail:
            when = parse_date(tail.group("d"))
            before = before[: tail.start()]
        place = place_of(before, mixed=True)
        # a spaced hyphen ends a dateline only after "PLACE, State" ("FORT HOOD, Texas - "): after
        # one upper-case word it is more likely an aside ("NATO - the alliance - met")
        if place and m.group(0).strip() == "-" and "," not in place:
            return "", None, paragraph
        if place and (place.split(",")[0].isupper() or "," in place):
            return place, when, rest
        if before and not place:
            # the first dash with a non-place before it: no dateline in this paragraph
            if len(before) > 3:
                return "", None, paragraph
    return "", None, paragraph


# --- the page ------------------------------------------------------------------------------------

@dataclass
class Page:
    """What a careful reader sees in a scraped page."""

    headline: str = ""
    deck: str = ""
    published: date | datetime | None = None
    author: str = ""
    organization: str = ""
    dateline: str = ""
    lead: str = ""                       # the literal start of the body, captions included
    story: list[str] = field(default_factory=list)
    captions: list[str] = field(default_factory=list)
    gallery: bool = False                # the page is nothing but captions
    dropped: list[str] = field(default_factory=list)


_KIND_CHROME, _KIND_DATE, _KIND_BY, _KIND_ORG, _KIND_PLACE, _KIND_HEAD, _KIND_PROSE = (
    "chrome", "date", "byline", "org", "place", "head", "prose")


def _kind(line: str) -> str:
    if is_chrome(line):
        return _KIND_CHROME
    if is_date_line(line) or ("|" in line and any(is_date_line(f) for f in line.split("|") if f.strip())):
        return _KIND_DATE
    if _is_byline(line):
        return _KIND_BY
    # a place alone on a line: 'MINOT AIR FORCE BASE, ND, UNITED STATES' or 'SOUTH BURLINGTON, Vt. --';
    # without a comma or a dash it is an upper-case headline, not a place
    sep = _SEP_RX.search(line + " ")
    if ("," in line or sep) and place_of(re.sub(rf"{SEP}$", "", line + " ").strip()) and (
            line.split(",")[0].isupper() or sep):
        if not sep or sep.end() >= len(line):
            return _KIND_PLACE
    if is_org(line):
        return _KIND_ORG
    words = line.split()
    if len(words) <= 30 and not _ends_sentence(line):
        return _KIND_HEAD
    if len(words) <= 15 and line.rstrip("\"'\u2019\u201d").endswith(("?", "!")):
        return _KIND_HEAD  # "Ready for winter?" is a headline too
    return _KIND_PROSE


def _ends_sentence(line: str) -> bool:
    if not _END_PUNCT.search(line):
        return False
    last = line.split()[-1]
    # "Vermont Soldiers depart for U.S." would be odd, but "... Jr." or "U.S." ends a headline too
    return not re.fullmatch(r"(?:[A-Z]\.){2,}|[A-Z][a-z]{0,2}\.", last) or len(line.split()) > 12


def _lines(text: str) -> list[tuple[str, bool]]:
    """(line, blank line before it); bullets and indentation removed."""
    out: list[tuple[str, bool]] = []
    blank = True
    for raw in text.split("\n"):
        line = " ".join(_BULLET.sub("", raw).split())
        if not line:
            blank = True
            continue
        out.append((line, blank))
        blank = False
    return out


_ONE_LINE_PUB = re.compile(rf"\s(?:Published|Posted|Updated)\s*:?\s*(?:(?P<date>{_DATE}))?(?=\s*By\s|\s*$|\s+[A-Z])")
_ONE_LINE_BY = re.compile(r"(?:^|\s)By\s*:?\s+")


def _unflatten(text: str) -> str:
    """A page scraped onto one line: 'TITLE Published DATE By BYLINE UNIT DATELINE -- BODY' is
    put back on separate lines at its landmarks, so the line reader below sees the usual header."""
    first = text.split("\n", 1)[0]
    head = first[:600]
    pub = _ONE_LINE_PUB.search(head)
    by = _ONE_LINE_BY.search(head, pub.end() if pub else 0)
    if by and (by.start() > (pub.end() + 5 if pub else 250) or by.start() == 0):
        by = None
    if by and not pub:
        # without a "Published" landmark, "By" must follow a headline and lead to a name:
        # "By noon, the crews had ..." inside a story is neither
        after = first[by.end():by.end() + 80]
        if _ends_sentence(first[:by.start()].strip()) or not (
                _starts_with_rank(after) or re.match(r"[A-Z][a-z'\-]+ (?:[A-Z]\. )?[A-Z][a-z'\-]+", after)):
            by = None
    if not pub and not by:
        return text
    if len(first) < 100 and not (pub and pub.group("date") and by):
        return text  # a headline, not a page
    anchor = pub or by
    assert anchor is not None
    title_end = anchor.start()
    if pub and by:
        lines = [first[:title_end], first[pub.start():by.start()].strip()]
    else:
        lines = [first[:title_end]] + ([first[pub.start():pub.end()].strip()] if pub else [])
    rest = first[by.start():].strip() if by else first[anchor.end():].strip()
    # the byline runs to the dateline's dash: split off the place before it
    for m in _SEP_RX.finditer(rest[:400]):
        before, after = rest[: m.start()], rest[m.end():]
        byline, place = _peel_place(before)
        if place:
            lines += [byline, place + " --", after]
            break
    else:
        lines.append(rest)
    return "\n\n".join(line for line in lines if line.strip()) + text[len(first):]


def _peel_place(text: str) -> tuple[str, str]:
    """('By NAME UNIT', 'PLACE, ST') from the byline and dateline run together."""
    m = re.search(rf"(?:^|\s)(?P<p>{_UPPER_PLACE}(?:,\s*{_STATE}){{0,2}}(?:\s+\([A-Z]{{2,}}\))?)\s*$", text)
    if m:
        place = m.group("p")
        words = place.split(",")[0].split()
        # the unit may end in an upper-case word of its own ("...Public Affairs MINOT AIR FORCE BASE")
        while words and not (len(words[0]) > 1 and words[0].isupper()):
            words.pop(0)
        letters = sum(c.isalpha() for c in " ".join(words))
        if words and letters >= 4 and place_of(place):
            start = text.rfind(" ".join(words), 0, m.end())
            return text[:start].strip(), text[start:].strip()
    # mixed case: 'By NAME 2d Bomb Wing Barksdale Air Force Base, LA' splits after a unit word
    comma = text.rfind(",")
    if comma < 0:
        return text, ""
    tokens = text[:comma].split()
    state = text[comma:]
    for k in range(1, len(tokens)):
        org_last, place_first = tokens[k - 1], tokens[k]
        if UNIT_WORDS.fullmatch(org_last.rstrip(",")) and place_first[:1].isupper() and \
                not UNIT_WORDS.fullmatch(place_first) and place_first not in ("Public", "Affairs") and \
                all(t[:1].isupper() for t in tokens[k:]):
            place = " ".join(tokens[k:]) + state
            if place_of(place, mixed=True):
                return " ".join(tokens[:k]), place
    return text, ""


def read_page(text: str) -> Page:
    page = Page()
    text = text.strip("\n")
    m = _SCRAPER_PREFIX.match(text)
    if m:
        page.published = parse_date(m.group("date"))
        text = text[m.end():]
    text = _unflatten(text.strip())
    lines = _lines(text)
    kinds = [_kind(line) for line, _ in lines]
    body_start = _body_start(lines, kinds)
    _read_header(page, [line for line, _ in lines[:body_start]], kinds[:body_start])
    _read_body(page, lines[body_start:])
    return page


def _body_start(lines: list[tuple[str, bool]], kinds: list[str]) -> int:
    """Where the story starts: after the last header landmark, or at a dateline, or at the first
    run of prose; a landmark after the story has begun belongs to a sidebar, not the header."""
    last_marker = -1
    prose_run = 0
    limit = min(len(lines), 40)
    for i in range(limit):
        line, kind = lines[i][0], kinds[i]
        if kind in (_KIND_DATE, _KIND_BY, _KIND_PLACE):
            last_marker = i
            prose_run = 0
            continue
        if kind == _KIND_PROSE:
            if last_marker >= 0:
                break  # prose after the date or byline: the story has begun
            if split_dateline(line)[0] and prose_run == 0:
                return i
            prose_run += 1
            if prose_run >= 2:
                break
        elif kind != _KIND_CHROME:
            prose_run = 0
    if last_marker >= 0:
        # a date line may come first, with the headline (and an office as byline) under it
        last_chrome = max((j for j in range(last_marker) if kinds[j] == _KIND_CHROME), default=-1)
        titled = any(kinds[j] in (_KIND_HEAD, _KIND_ORG) for j in range(last_chrome + 1, last_marker))
        for i in range(last_marker + 1, len(lines)):
            if i == last_marker + 1 and kinds[last_marker] == _KIND_BY and _unit_line(lines[i][0]):
                continue  # the writer's unit under the byline
            if not titled and kinds[i] in (_KIND_HEAD, _KIND_ORG):
                titled = kinds[i] == _KIND_HEAD or titled
                continue
            if kinds[i] in (_KIND_PROSE, _KIND_HEAD):
                return i
        return len(lines)
    # no landmarks: the story starts at the first prose line (a headline before it is the title)
    for i, kind in enumerate(kinds):
        if kind == _KIND_PROSE:
            return i
    return 0


def _read_header(page: Page, lines: list[str], kinds: list[str]) -> None:
    # the headline follows the page furniture; a photographer's credit after the byline does not count
    first_by = next((i for i, k in enumerate(kinds) if k == _KIND_BY), len(kinds))
    last_chrome = max((i for i, k in enumerate(kinds) if k == _KIND_CHROME and i < first_by), default=-1)
    by_index = None
    heads: list[int] = []
    for i, (line, kind) in enumerate(zip(lines, kinds)):
        if kind == _KIND_DATE:
            names = []
            for part in line.split("|"):
                part = part.strip()
                if not part:
                    continue
                value, _ = date_in(part)
                if value is not None:
                    page.published = page.published or value
                elif not is_date_line(part) and not _label_only(part):
                    names.append(part)
            if names and not page.author:
                _take_byline(page, " | ".join(names))  # "DATE | NAME UNIT", "NAME | UNIT | DATE"
                by_index = i
        elif kind == _KIND_BY:
            if _SECOND_BYLINE.match(line):
                continue  # "Photos by ...": the photographer, not the writer
            if by_index is None:
                _take_byline(page, line)
                by_index = i
        elif kind == _KIND_PLACE:
            if not page.dateline:
                page.dateline = place_of(re.sub(rf"{SEP}$", "", line + " ").strip())
        elif by_index is not None and i == by_index + 1 and not page.organization and _unit_line(line):
            if page.author:
                page.organization = line.rstrip(",")
            else:
                page.author = line.rstrip(",")  # "Courtesy Story" over the unit: the unit wrote it
        elif kind in (_KIND_HEAD, _KIND_ORG) and i > last_chrome:
            heads.append(i)
    title_at = next((i for i in heads if kinds[i] == _KIND_HEAD), heads[0] if heads else None)
    if title_at is not None and (by_index is None or title_at < by_index or not page.headline):
        page.headline = lines[title_at]
        rest = [i for i in heads if i > title_at]
        for i in rest:
            if kinds[i] == _KIND_ORG and not page.author and by_index is None:
                page.author = lines[i].rstrip(",")  # an office in the byline's place
            elif kinds[i] == _KIND_HEAD and not page.deck and (by_index is None or i < by_index):
                page.deck = lines[i]


def _unit_line(line: str) -> bool:
    if _SECOND_BYLINE.match(line) or _BYLINE.match(line) or is_chrome(line):
        return False
    return bool(UNIT_WORDS.search(line)) and len(line.split()) <= 12 and not _ends_sentence(line)


def _label_only(part: str) -> bool:
    words = [w.lower() for w in _words(part)]
    return bool(words) and all(w in _LABEL_WORDS for w in words)


def _take_byline(page: Page, line: str) -> None:
    who = line
    for _ in range(3):  # "By Story by ...", "Story by ..."
        m = _BYLINE.match(who)
        if not m:
            break
        who = m.group("who")
    m = _FROM.match(who)
    if m:
        who = m.group("who")
    m = _COURTESY.match(who)
    if m:
        who = m.group("who")
    fields = [f.strip() for f in who.split("|") if f.strip()]
    people = []
    for f in fields:
        value, rest = date_in(f)
        if value is not None:
            page.published = page.published or value
            if rest.strip():
                people.append(rest)
        else:
            people.append(f)
    if not people:
        return
    author, org = split_byline(people[0])
    # "Story by NAME | UNIT | DATE": the unit in a field of its own
    if not org and len(people) > 1 and UNIT_WORDS.search(people[1]) and not _ends_sentence(people[1]):
        org = people[1]
    page.author, page.organization = author, org or page.organization


# --- the body ------------------------------------------------------------------------------------

def _read_body(page: Page, lines: list[tuple[str, bool]]) -> None:
    paragraphs = _paragraphs(lines)
    # a dateline alone on a line, or opening the first paragraph (after any photo caption and
    # photo tools the page puts above the story)
    if paragraphs:
        at = next((i for i, p in enumerate(paragraphs[:4]) if split_dateline(p)[0]
                   and all(strip_credit(q)[1] or is_chrome(q) for q in paragraphs[:i])), 0)
        place, when, rest = split_dateline(paragraphs[at])
        if place and at:  # the dateline is taken off its own paragraph, the caption above stays first
            paragraphs = paragraphs[:at] + [rest] + paragraphs[at + 1:]
            rest = paragraphs[0]
        if place:
            if not page.dateline:
                page.dateline = place
            if when and page.published is None:
                page.published = when
            paragraphs[0] = rest
            paragraphs = [p for p in paragraphs if p]
            # every caption of a gallery may repeat the same dateline
            prefix = re.compile(rf"^{re.escape(place)}{SEP}")
            paragraphs = [prefix.sub("", p, count=1) for p in paragraphs]
    paragraphs = [p for p in paragraphs if not is_chrome(p)]
    if paragraphs:
        page.lead = paragraphs[0]
    story, captions, gallery, dropped = clean_paragraphs(paragraphs)
    page.story, page.captions, page.gallery = story, captions, gallery
    page.dropped.extend(dropped)


def _hard_wrapped(lines: list[str]) -> bool:
    """Text wrapped at a fixed width: lines of like length, well short of a paragraph."""
    if len(lines) < 2:
        return False
    longest = max(len(line) for line in lines)
    if longest > 110 or longest < 50:
        return False  # paragraphs a line each, or short lines (a signature, an address) kept apart
    full = [line for line in lines[:-1] if len(line) >= 0.6 * longest]
    return len(full) >= 0.6 * (len(lines) - 1)


def _paragraphs(lines: list[tuple[str, bool]]) -> list[str]:
    """Paragraphs: a line each, unless a block is hard-wrapped; then its lines are joined and a
    sentence end well short of the width ends a paragraph."""
    blocks: list[list[str]] = []
    for line, blank in lines:
        if blank or not blocks:
            blocks.append([])
        blocks[-1].append(line)
    out: list[str] = []
    for block in blocks:
        if not _hard_wrapped(block):
            out.extend(block)
            continue
        width = max(len(line) for line in block)
        cur: list[str] = []
        for i, line in enumerate(block):
            cur.append(line)
            nxt = block[i + 1] if i + 1 < len(block) else ""
            if _TERMINAL.search(line) and not nxt[:1].islower() and len(line) < 0.8 * width:
                out.append(" ".join(cur))
                cur = []
        if cur:
            out.append(" ".join(cur))
    return out


def _fingerprint(text: str) -> str:
    return " ".join(w.lower() for w in _words(text))


def _two_versions(a: str, b: str) -> bool:
    """A short and a long version of one caption: most of the shorter's words are in the longer."""
    wa, wb = set(_fingerprint(strip_credit(a)[0]).split()), set(_fingerprint(strip_credit(b)[0]).split())
    if len(wa) < 6 or len(wb) < 6:
        return False
    small = min(wa, wb, key=len)
    return len(wa & wb) / len(wa | wb) >= 0.5 and len(wa & wb) / len(small) >= 0.75


def strip_credit(text: str) -> tuple[str, bool]:
    """A caption without its photo credit, and whether it had one."""
    out, n = _CREDIT_PAREN.subn("", text)
    out = out.strip()
    tail = _CREDIT_TAIL.sub("", out) if not n else out
    had = bool(n) or tail != out
    out = re.sub(r"\s*\((?:RELEASED|Released)\)", "", tail)
    # a credit cut off by the end of the page: "... scrubbed clean. (U.S. Air Force"
    cut = re.search(rf"(?<=[.!?\"\u201d])\s*\((?:U\.S\.|[^()]*\b{_CREDIT_WORD}\b)[^()]*$", out, re.I)
    if cut:
        out, had = out[: cut.start()], True
    return " ".join(out.split()).strip(), had


def _split_at_credit(paragraph: str, first: bool) -> list[tuple[str, str]]:
    """A one-line scrape runs a caption into the story: '... (U.S. Air Force photo by X) Photo
    Details / Download Hi-Res Secretary ...' becomes a caption and the story after it."""
    m = _CREDIT_PAREN.search(paragraph)
    if not m:
        return [("?", paragraph)]
    after = paragraph[m.end():].strip()
    # page tools after the credit ("Photo Details / Download Hi-Res")
    tokens = after.split()
    k = 0
    while k < len(tokens) and (all(t in _NAV for t in _nav_tokens(tokens[k])) or tokens[k] in "/|-"):
        k += 1
    after = " ".join(tokens[k:])
    if not after or len(_words(after)) < 8:
        return [("?", paragraph)]
    before = paragraph[: m.end()]
    if first or len(before) <= 1000:
        caption, rest_before = before, ""
    else:
        sentences = split_sentences(before)
        caption = " ".join(sentences[-3:])
        rest_before = " ".join(sentences[:-3])
    out = []
    if rest_before:
        out.append(("story", rest_before))
    out.append(("caption", caption))
    out.extend(_split_at_credit(after, False) if _CREDIT_PAREN.search(after) else [("?", after)])
    return out


def _is_meta_line(line: str) -> bool:
    """'Date Taken: 07.07.2021', 'Category: Newscasts', 'Length: 00:16:31': a page's data table."""
    m = _META_LINE.match(line)
    if not m:
        return False
    label, _, value = line.partition(":")
    return bool(re.search(r"\d", value)) or label.strip().lower() in {
        "category", "categories", "tags", "keywords", "location", "credit", "source", "type", "genre",
        "subject", "topic", "topics", "unit", "units", "author", "language", "license", "rights"}


def _signature(paragraphs: list[str]) -> list[str]:
    """A closing signature block ('The Honorable Pete Geren' / 'Secretary of the Army' / ...) read as
    one closing line, not as fragments."""
    n = len(paragraphs)
    k = n
    while k > 0 and len(paragraphs[k - 1].split()) <= 8 and not _ends_sentence(paragraphs[k - 1]) \
            and not is_date_line(paragraphs[k - 1]):
        k -= 1
    tail = paragraphs[k:]
    if len(tail) < 2 or k == 0 or not any(re.search(r"\b(?:Secretary|Chief|Commander|Director|Honorable|"
                                                      r"President|Chairman|Gen\.|Adm\.)", t) for t in tail):
        return paragraphs
    pairs = [", ".join(tail[i:i + 2]) for i in range(0, len(tail), 2)]
    return paragraphs[:k] + [". ".join(p.rstrip(".") for p in pairs) + "."]


def clean_paragraphs(paragraphs: list[str]) -> tuple[list[str], list[str], bool, list[str]]:
    """(story, captions, whether the page is a gallery, what was dropped).

    Debris goes (banners, page tools, trailing metadata, dead link labels, repeated paragraphs,
    a sidebar of other stories); photo captions are kept apart from the story, without credits.
    """
    dropped: list[str] = []
    # a run of hundreds of characters without a space is no word (an embedded image, a mangled URL)
    paragraphs = [_UNSPEAKABLE.sub(" ", p) for p in paragraphs]
    paragraphs = [_BULLET.sub("", p).strip() for p in paragraphs]
    paragraphs = [p for p in paragraphs if p]
    paragraphs = _cut_sidebar(paragraphs, dropped)
    # trailing "Key: value" metadata (Date Taken, Category, Length) and share widgets
    while paragraphs and (_is_meta_line(paragraphs[-1]) or is_chrome(paragraphs[-1])):
        dropped.append(paragraphs.pop())
    kept: list[str] = []
    seen: set[str] = set()
    for p in paragraphs:
        if is_chrome(p):
            dropped.append(p)
            continue
        p = _LINK_LABEL.sub("", p).strip()
        key = _fingerprint(p)
        if not key or key in seen:
            dropped.append(p)
            continue
        seen.add(key)
        kept.append(p)
    kept = _signature(kept)
    # captions: a credit in the paragraph, or a short and a long version of the same caption
    tagged: list[list[str]] = []
    for i, p in enumerate(kept):
        for kind, text in _split_at_credit(p, i == 0):
            if kind == "?":
                kind = "caption" if strip_credit(text)[1] else "story"
            tagged.append([kind, text])
    for i in range(len(tagged) - 1):
        a, b = tagged[i], tagged[i + 1]
        if a[0] != "dup" and _two_versions(a[1], b[1]):
            a[0] = b[0] = "caption"
            # the two versions of one caption: keep the fuller one
            short = a if len(a[1]) < len(b[1]) else b
            short[0] = "dup"
            dropped.append(short[1])
    story = [t for k, t in tagged if k == "story"]
    captions = [strip_credit(t)[0] for k, t in tagged if k == "caption"]
    captions = [c for c in captions if c]
    story_words = sum(len(t.split()) for t in story)
    # a gallery: captions and (nearly) nothing else; one long caption over a short story is not one
    gallery = bool(captions) and (not story or len(captions) >= 2 and story_words <= sum(len(c.split()) for c in captions))
    if gallery:
        story = [strip_credit(t)[0] if k == "caption" else t for k, t in tagged if k in ("story", "caption")]
        story = [s for s in story if s]
        captions = []
    return [_fix_spacing(s) for s in story], [_fix_spacing(c) for c in captions], gallery, dropped


def _cut_sidebar(paragraphs: list[str], dropped: list[str]) -> list[str]:
    """Another story's byline or dateline after this one's has begun: the sidebar starts at the
    run of headlines, captions and section headers above it."""
    prose_seen = 0
    for i, p in enumerate(paragraphs):
        kind = _kind(p)
        if kind == _KIND_PROSE and not split_dateline(p)[0]:
            prose_seen += 1
            continue
        if prose_seen >= 1 and i > 0 and (kind in (_KIND_BY, _KIND_DATE) or
                                          (kind == _KIND_PROSE and split_dateline(p)[0])):
            start = i
            while start > 0 and (_kind(paragraphs[start - 1]) != _KIND_PROSE or strip_credit(paragraphs[start - 1])[1]):
                start -= 1
            if start == 0:
                return paragraphs
            dropped.extend(paragraphs[start:])
            return paragraphs[:start]
    return paragraphs


def _fix_spacing(text: str) -> str:
    # scrapers drop the space between a comma and an opening quote: saying,"I've done
    text = re.sub(r'([,:;])(["\u201c])(?=\w)', r"\1 \2", text)
    # and between two sentences: "rental cars.Marines"
    text = re.sub(r"(?<=[a-z]{2}[.!?])(?=[A-Z][a-z])", " ", text)
    text = re.sub(r"(?<=[a-z]{2}[.!?][\"\u201d])(?=[A-Z][a-z])", " ", text)
    text = re.sub(r"\s+([,;:.!?])(?=\s|$)", r"\1", text)
    # an apostrophe lost to a wrong encoding: "aircraft?s", "don?t"
    text = re.sub(r"(?<=[a-z])\?(?=(?:s|t|ll|re|ve|d|m)\b)", "\u2019", text)
    return " ".join(text.split())
