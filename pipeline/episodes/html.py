"""HTML article pages: the article's text and metadata, without the page around it.

trafilatura (a well-kept extraction library) finds the body and drops navigation, share
widgets, "related" lists, scripts and styles. Metadata comes from the page's own markup where it
has it (Open Graph, article:published_time, <time>, rel=author) and otherwise from the visible
header lines news sites print ("Published Oct. 28, 2015", "By Senior Airman ...", the unit),
read with the same landmarks as scraped text.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import EpisodeError
from ..text.dates import parse_date, parse_datetime
from .byline import UNIT_WORDS as _UNIT_WORDS
from .byline import split_byline
from .model import Article
from .page import PUBLISHED as _PUBLISHED
from .scraped import finish_body
from .titles import parse_headline

_BLOCKS = {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "section", "article", "ul", "ol",
           "blockquote", "header", "footer", "figure", "figcaption", "dd", "dt", "table", "main", "time", "span"}
_DROP = ("//script", "//style", "//noscript", "//template", "//iframe", "//svg", "//form", "//nav",
         "//footer", "//aside", "//button", "//select", "//*[@aria-hidden='true']",
         "//*[contains(concat(' ', normalize-space(@class), ' '), ' share ')]",
         "//*[contains(@class, 'breadcrumb')]", "//*[contains(@class, 'related')]")
_SITE_SUFFIX = re.compile(r"\s+(?:>|\||::|\u2013|-)\s+[^>|]*(?:\s+>\s+.*)?$")


def _lines(element) -> list[str]:
    """Visible text, one line per block element."""
    for el in element.iter():
        if not isinstance(el.tag, str):
            continue
        if el.tag == "br":
            el.tail = "\n" + (el.tail or "")
        elif el.tag in _BLOCKS:
            el.tail = "\n" + (el.tail or "")
            el.text = ("\n" if el.tag != "span" else "") + (el.text or "")
    text = element.text_content()
    return [" ".join(line.split()) for line in text.split("\n") if line.strip()]


def _meta(doc) -> dict[str, str]:
    out: dict[str, str] = {}
    for m in doc.iter("meta"):
        key = (m.get("property") or m.get("name") or m.get("itemprop") or "").strip().lower()
        if key and m.get("content") and key not in out:
            out[key] = m.get("content").strip()
    return out


def parse_html(text: str, path: Path | str) -> Article:
    import lxml.html
    from lxml import etree

    try:
        doc = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError):
        raise EpisodeError("is not an HTML page that can be read", path, "save the article page as HTML, or paste its text into a .txt") from None
    meta = _meta(doc)
    canonical = doc.xpath("//link[@rel='canonical']/@href")
    article = Article()
    article.source_url = meta.get("og:url") or (canonical[0] if canonical else "")

    h1 = doc.xpath("//h1")
    h1_text = " ".join(h1[0].text_content().split()) if h1 else ""
    page_title = " ".join((doc.findtext(".//title") or "").split())
    title = meta.get("og:title") or h1_text or _SITE_SUFFIX.sub("", page_title)

    for xp in _DROP:
        for bad in doc.xpath(xp):
            if bad.getparent() is not None:
                bad.drop_tree()
    container = next(iter(doc.xpath("//article") or doc.xpath("//main") or doc.xpath("//*[@itemprop='articleBody']")
                          or doc.xpath("//body") or [doc]))
    lines = _lines(container)

    # date: the page's own markup first, then the printed "Published ..." line
    for key in ("article:published_time", "datepublished", "date", "dc.date", "dcterms.date", "pubdate",
                "publishdate", "og:published_time"):
        if meta.get(key):
            article.published = parse_datetime(meta[key]) or parse_date(meta[key])
            if article.published:
                break
    if article.published is None:
        for t in doc.xpath("//time/@datetime"):
            article.published = parse_datetime(t) or parse_date(t)
            if article.published:
                break
    header_lines: set[str] = set()
    for i, line in enumerate(lines[:40]):
        m = _PUBLISHED.search(line)
        if m and article.published is None:
            article.published = parse_date(m.group("date"))
        if m:
            header_lines.add(line)
        by = re.match(r"(?i)^by\s*:?\s+(.+)$", line)
        if by and not article.author:
            article.author, article.organization = split_byline(by.group(1))
            header_lines.add(line)
            if not article.organization and i + 1 < len(lines) and _UNIT_WORDS.search(lines[i + 1]) \
                    and len(lines[i + 1]) < 90 and not lines[i + 1].endswith("."):
                article.organization = lines[i + 1]
                header_lines.add(lines[i + 1])
    if not article.author:
        author = meta.get("author") or meta.get("article:author") or ""
        rel = doc.xpath("//*[@rel='author']")
        author = author or (" ".join(rel[0].text_content().split()) if rel else "")
        if author and not author.startswith("http"):
            article.author, article.organization = split_byline(author)

    head = parse_headline(title)
    article.headline = " ".join(title.split())
    article.title, article.series, article.number = head.title, head.series, head.number
    article.summary = meta.get("og:description") or meta.get("description") or ""

    paragraphs = _body(text, lines, header_lines, {title, h1_text, page_title})
    finish_body(article, paragraphs)  # spacing, debris and captions are mended there
    return article


def _body(html: str, lines: list[str], header: set[str], titles: set[str]) -> list[str]:
    import trafilatura

    extracted = trafilatura.extract(html, favor_precision=True, include_comments=False, include_tables=False,
                                    include_images=False, include_links=False, output_format="txt",
                                    deduplicate=False) or ""
    paragraphs = [" ".join(p.split()) for p in extracted.split("\n") if p.strip()]
    if not paragraphs:  # extraction found nothing: fall back to the article's visible lines
        paragraphs = [line for line in lines if len(line) > 40]
    skip = {t for t in titles if t} | header
    out = [p for p in paragraphs if p not in skip and not _PUBLISHED.match(p) and not re.match(r"(?i)^by\s+\S", p)]
    return out
