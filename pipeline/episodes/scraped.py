"""Plain-text articles as scraped from .mil and similar news sites.

Layouts seen in the wild, all handled by finding the same landmarks (headline, "Published"
date, "By" line, unit, dateline, "--") rather than by line position:

* one line: ``TITLE Published MON. D, YYYY By BYLINE UNIT DATELINE -- BODY``
* today's multi-line page text: optional site banner lines, the headline, a bulleted
  "Published / By / unit" block, then ``DATELINE -- body`` paragraphs;
* the older AFNS layout: headline, ``by RANK NAME``, ``UNIT``, ``M/D/YYYY - DATELINE (AFNS) -- body``;
* any of these hard-wrapped at a fixed width.
"""

from __future__ import annotations

import re
from datetime import date

from ..text.dates import MONTH_WORD, parse_date
from ..text.sentences import split_sentences
from .byline import split_byline
from .model import Article, Section
from .titles import parse_headline

_DATE = rf"(?:{MONTH_WORD}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}|\d{{1,2}}\s+{MONTH_WORD}\s+\d{{4}}|\d{{1,2}}/\d{{1,2}}/\d{{2,4}}|\d{{4}}-\d{{2}}-\d{{2}})"
_BULLET = re.compile(r"^\s*(?:[\u2022\u00b7\u25aa\u25cf*>]|-(?=\s))\s*")
# the dash that ends a dateline: "--", an em dash, or a spaced en dash
_DATELINE_SEP = re.compile(r"\s*(?:--|\u2014|\s\u2013\s)\s*")
# an upper-case place, optional ", State" and optional "(AFNS)"-style agency tag
_DATELINE = re.compile(
    r"(?P<dateline>(?:[A-Z][A-Z0-9.'\u2019&/\-]*\s+)*[A-Z][A-Z0-9.'\u2019&/\-]+"
    r"(?:,\s+(?:[A-Z][A-Za-z.]*\.?)(?:\s+[A-Z][A-Za-z.]*)*)?(?:\s+\([A-Z]{2,}\))?)\s*$"
)
_PUBLISHED = re.compile(rf"(?i)\b(?:Published|Posted|Updated)\s*:?\s*(?P<date>{_DATE})", re.I)
_BY = re.compile(r"(?i)(?:^|\s)By\s*:?\s+")
_TEASER = re.compile(r"(?i)^(?:Next (?:time|week|month|issue|up|in (?:the|this) series)|Coming (?:up )?next|Up next)\b")
_BANNER = re.compile(r"(?i)^(?:home|news|commentaries|features|articles|search|menu|skip to|share|print|e-?mail)\b|>|\|")
_TRAILERS = re.compile(
    r"(?i)^(?:related (?:links|articles|stories)|share this|tags?:|comments?|back to top|print|"
    r"e-?mail|facebook|twitter|x\.com|linkedin|more (?:news|stories)|follow us|read more|"
    r"photo by|\(u\.s\. air force photo|disclaimer)"
)


def looks_scraped(text: str) -> bool:
    """Whether the text carries a news header this reader understands."""
    head = text[:3000]
    return bool(_PUBLISHED.search(head) or re.search(r"(?im)^\s*by\s+\S", head) or _DATELINE_SEP.search(head))


_END = re.compile(r"[.!?:][\"'\u201d\u2019)]*$")


def _paragraphs(body: str) -> list[str]:
    """Paragraphs from blank lines; hard-wrapped lines inside a paragraph are joined.

    Without blank lines, a block is either one paragraph a line (most scrapes) or text wrapped
    at a fixed width: a line that does not end a sentence, or is followed by one starting in
    lower case, was wrapped; a sentence end well short of the width ends a paragraph.
    """
    blocks = [b for b in re.split(r"\n\s*\n", body.strip()) if b.strip()]
    out: list[str] = []
    for block in blocks:
        lines = [line.strip() for line in block.split("\n") if line.strip()]
        if len(lines) == 1:
            out.append(lines[0])
            continue
        wrapped = any(not _END.search(a) or b[:1].islower() for a, b in zip(lines, lines[1:]))
        if not wrapped:
            if len(blocks) == 1:
                out.extend(lines)  # one paragraph a line
            else:
                out.append(" ".join(lines))
            continue
        width = sorted(len(line) for line in lines)[int(len(lines) * 0.9) - 1 if len(lines) > 1 else 0]
        cur: list[str] = []
        for i, line in enumerate(lines):
            cur.append(line)
            nxt = lines[i + 1] if i + 1 < len(lines) else ""
            if _END.search(line) and not nxt[:1].islower() and len(line) < 0.8 * width:
                out.append(" ".join(cur))
                cur = []
        if cur:
            out.append(" ".join(cur))
    return out


def _fix_spacing(text: str) -> str:
    # scrapers drop the space between a comma and an opening quote: saying,"I've done
    text = re.sub(r'([,:;])(["\u201c])(?=\w)', r"\1 \2", text)
    text = re.sub(r"\s+([,;:.!?])(?=\s|$)", r"\1", text)
    return " ".join(text.split())


_KEEP_UPPER = {"AFB", "JBSA", "JB", "USA", "US", "U.S.", "DC", "D.C.", "NATO", "RAF", "USS", "NAS", "MCAS", "UK", "U.K."}
_SMALL = {"Of": "of", "The": "the", "And": "and", "De": "de", "La": "la"}


def _title_case_dateline(dateline: str) -> str:
    """'MINOT AIR FORCE BASE, N.D. (AFNS)' -> 'Minot Air Force Base, N.D.' (read as words, not letters)."""
    dateline = re.sub(r"\s*\([A-Z]{2,}\)$", "", dateline)
    place, sep, state = dateline.partition(",")
    words = []
    for n, w in enumerate(place.split()):
        if w not in _KEEP_UPPER and w.isupper() and "." not in w:  # "F.E." stays initials
            w = "-".join(p.capitalize() for p in w.split("-"))
            w = _SMALL.get(w, w) if n else w
        words.append(w)
    return " ".join(words) + sep + state


def parse_scraped(text: str) -> Article:
    """Find the news landmarks in scraped text; missing ones are left empty for `finish`."""
    article = Article()
    text = text.strip()
    # 1. body starts after the first dateline dash that has an upper-case place before it
    header, body = "", text
    for m in _DATELINE_SEP.finditer(text[:4000]):
        before = text[: m.start()]
        d = _DATELINE.search(before)
        if d and len(d.group("dateline")) >= 3:
            header, body = before, text[m.end():]
            article.dateline = " ".join(d.group("dateline").split())
            header = before[: d.start()]
            break
    if not header:
        # no dateline: the header ends at the first blank line after the By line
        m = re.search(r"(?is)^(.*?\n\s*by\s+[^\n]+(?:\n[^\n]+)?)\n\s*\n(.*)$", text)
        if m:
            header, body = m.group(1), m.group(2)
        else:
            m = _PUBLISHED.search(text[:3000])
            if m and "\n" in text:
                first_blank = text.find("\n\n", m.end())
                if first_blank > 0:
                    header, body = text[:first_blank], text[first_blank:]

    # 2. older layout puts the date before the dateline: "10/21/2009 - MINOT ..."
    lines = [_BULLET.sub("", line).strip() for line in header.split("\n")]
    lines = [line for line in lines if line]
    if lines:
        tail = re.match(rf"^(?P<pre>.*?)(?P<date>{_DATE})\s*[-\u2013\u2014]?\s*$", lines[-1], re.I)
        if tail and parse_date(tail.group("date")):
            article.published = parse_date(tail.group("date"))
            lines[-1] = tail.group("pre").strip()
            lines = [line for line in lines if line]

    if len(lines) == 1:
        # one-line layout: cut the header at "Published" and "By"
        one = lines[0]
        pub = _PUBLISHED.search(one)
        pre = one[: pub.start()] if pub else one
        rest = one[pub.end():] if pub else ""
        if pub:
            article.published = parse_date(pub.group("date"))
        by = _BY.search(rest) or (None if pub else _BY.search(pre))
        if by and rest:
            article.author, article.organization = split_byline(rest[by.end():])
        elif by:
            article.author, article.organization = split_byline(pre[by.end():])
            pre = pre[: by.start()]
        title_text = pre
    else:
        title_text = ""
        by_index = None
        for i, line in enumerate(lines):
            pub = _PUBLISHED.search(line)
            if pub and article.published is None:
                article.published = parse_date(pub.group("date"))
                before = line[: pub.start()].strip()
                if before and not title_text:
                    title_text = before
                continue
            m = re.match(r"(?i)^by\s*:?\s+(.+)$", line)
            if m and by_index is None:
                by_index = i
                author, org = split_byline(m.group(1))
                article.author = author
                article.organization = org
                continue
            if by_index is not None and i == by_index + 1 and not article.organization:
                article.organization = line
        if not title_text:
            # the headline is the last line before the Published/By block that is not a banner
            stop = next((i for i, line in enumerate(lines) if _PUBLISHED.search(line) or re.match(r"(?i)^by\s", line)), len(lines))
            candidates = [line for line in lines[:stop] if not _BANNER.search(line)]
            title_text = candidates[-1] if candidates else (lines[0] if lines else "")

    head = parse_headline(title_text)
    article.title, article.series, article.number = head.title, head.series, head.number
    if article.published is None:
        article.published = parse_date(header) if header else None

    # 3. body: paragraphs, minus share widgets and "related" lists at the end
    finish_body(article, [_fix_spacing(p) for p in _paragraphs(body)])
    return article


def split_dateline(paragraph: str) -> tuple[str, str]:
    """('MINOT AIR FORCE BASE, N.D.', 'The rest') when a paragraph opens with a dateline."""
    for m in _DATELINE_SEP.finditer(paragraph[:200]):
        before = paragraph[: m.start()]
        d = _DATELINE.fullmatch(before.strip() + " ") or _DATELINE.search(before)
        if d and d.start() == 0 and len(d.group("dateline")) >= 3:
            return " ".join(d.group("dateline").split()), paragraph[m.end():].strip()
    return "", paragraph


def finish_body(article: Article, paragraphs: list[str]) -> None:
    """Trailing widgets dropped, the closing teaser taken out, the dateline read, sections set."""
    paragraphs = [p for p in paragraphs if p]
    while paragraphs and _TRAILERS.match(paragraphs[-1]):
        paragraphs.pop()
    if paragraphs and not article.dateline:
        dateline, rest = split_dateline(paragraphs[0])
        if dateline:
            article.dateline = dateline
            paragraphs[0] = rest
            paragraphs = [p for p in paragraphs if p]
    # the closing teaser ("Next time: Lyndon B. Johnson") becomes the outro
    if paragraphs:
        sentences = split_sentences(paragraphs[-1])
        if sentences and _TEASER.match(sentences[-1]):
            article.teaser = sentences[-1]
            remaining = " ".join(sentences[:-1]).strip()
            if remaining:
                paragraphs[-1] = remaining
            else:
                paragraphs.pop()
    if article.dateline:
        article.dateline = _title_case_dateline(article.dateline)
    article.sections = [Section(title="", paragraphs=tuple(paragraphs))] if paragraphs else []
