"""Plain-text articles as scraped from .mil and similar news sites.

`page.read_page` finds the parts of the page by their shape (see there); this module turns what
it found into an `Article`: the headline split into series, part and title, the story as the
first section, photo captions (credits removed) as a "Photo captions" section after it, and the
closing teaser ("Next time: ...") as the outro.
"""

from __future__ import annotations

import re

from ..text.sentences import split_sentences
from .model import Article, Section
from .page import Page, clean_paragraphs, read_page, split_dateline
from .titles import parse_headline

CAPTIONS_TITLE = "Photo captions"
_TEASER = re.compile(r"(?i)^(?:Next (?:time|week|month|issue|up|in (?:the|this) series)|Coming (?:up )?next|Up next)\b")


def article_from_page(page: Page) -> Article:
    article = Article()
    head = parse_headline(page.headline) if page.headline else None
    if head:
        article.headline = " ".join(page.headline.split())
        article.title, article.series, article.number = head.title, head.series, head.number
    article.published = page.published
    article.author, article.organization, article.dateline = page.author, page.organization, page.dateline
    article.summary = page.deck
    article.lead = page.lead
    _set_sections(article, page.story, page.captions)
    return article


def parse_scraped(text: str) -> Article:
    """Find the news landmarks in scraped text; missing ones are left empty for `finish`."""
    return article_from_page(read_page(text))


def finish_body(article: Article, paragraphs: list[str]) -> None:
    """Paragraphs from another reader (HTML): the same debris removal, captions and teaser."""
    paragraphs = [p for p in paragraphs if p]
    if paragraphs and not article.dateline:
        place, when, rest = split_dateline(paragraphs[0])
        if place:
            article.dateline = place
            article.published = article.published or when
            paragraphs[0] = rest
    paragraphs = [p for p in paragraphs if p]
    if paragraphs and not article.lead:
        article.lead = paragraphs[0]
    story, captions, _, _ = clean_paragraphs(paragraphs)
    _set_sections(article, story, captions)


def _set_sections(article: Article, story: list[str], captions: list[str]) -> None:
    story = [p for p in story if p]
    # the closing teaser ("Next time: Lyndon B. Johnson") becomes the outro
    if story:
        # only the end matters: splitting a whole very long paragraph would cost seconds
        tail = story[-1][-1500:]
        sentences = split_sentences(tail)
        if sentences and _TEASER.match(sentences[-1]):
            article.teaser = sentences[-1]
            remaining = story[-1][: story[-1].rfind(sentences[-1])].strip()
            if remaining:
                story[-1] = remaining
            else:
                story.pop()
    sections = [Section(title="", paragraphs=tuple(story))] if story else []
    if captions:
        # read after the story, so a listener hears what the photos show without losing the thread
        sections.append(Section(title=CAPTIONS_TITLE, paragraphs=tuple(captions)))
    article.sections = sections
