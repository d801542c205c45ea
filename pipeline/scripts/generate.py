"""Episode -> Script: the written words of a spoken show (intro, body, outro).

The intro and outro are written as a presenter would say them; the normaliser later turns the
written form ("Part 20", "October 21, 2015") into the spoken one.
"""

from __future__ import annotations

import re

from ..config import Show
from ..episodes import Episode
from ..files import code_digest
from ..text.abbreviations import MONTH_NAMES
from ..text.sentences import split_sentences
from .model import Script, ScriptSection

GENERATOR_VERSION = "2"


def written_date(ep: Episode) -> str:
    d = ep.published
    return f"{MONTH_NAMES[d.month]} {d.day}, {d.year}"


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    return text if re.search(r"[.!?][\"'\u201d)]*$", text) else text + "."


def _fill(template: str, ep: Episode, show: Show) -> str:
    values = {
        "author": ep.author, "organization": ep.organization, "series": ep.series,
        "title": ep.title, "number": ep.number if ep.number is not None else "",
        "show": show.title, "date": written_date(ep),
    }
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError):
        return template


def intro_lines(ep: Episode, show: Show) -> list[str]:
    lines = []
    if ep.organization and ep.organization not in ep.series:
        lines.append(_sentence(f"{ep.series}, from {ep.organization}"))
    else:
        lines.append(_sentence(ep.series))
    if ep.number is not None:
        lines.append(_sentence(f"Part {ep.number}: {ep.title}"))
    else:
        lines.append(_sentence(ep.title))
    if ep.author and ep.author != ep.organization:
        lines.append(_sentence(f"Written by {ep.author}, and published {written_date(ep)}"))
    else:
        lines.append(_sentence(f"Published {written_date(ep)}"))
    return lines


def outro_lines(ep: Episode, show: Show) -> list[str]:
    lines = []
    if ep.teaser:
        lines.append(_sentence(ep.teaser))
    part = f", part {ep.number}" if ep.number is not None else ""
    lines.append(_sentence(f"This has been {ep.series}{part}"))
    template = show.credit or "Written by {author} of {organization}."
    credit = _fill(template, ep, show)
    if ep.author == ep.organization:
        credit = credit.replace(f"{ep.author} of {ep.organization}", ep.organization)
    lines.extend(split_sentences(_sentence(credit)))
    return lines


def generate(ep: Episode, show: Show) -> Script:
    sections = [ScriptSection("intro", "Intro", [intro_lines(ep, show)])]
    for n, section in enumerate(ep.sections):
        paragraphs = [split_sentences(p) for p in section.paragraphs]
        paragraphs = [p for p in paragraphs if p]
        if n == 0 and ep.dateline:
            paragraphs.insert(0, [_sentence(ep.dateline)])
        title = section.title or (ep.title if n == 0 else f"Part {n + 1}")
        sections.append(ScriptSection("body", title, paragraphs))
    sections.append(ScriptSection("outro", "Outro", [outro_lines(ep, show)]))
    return Script(slug=ep.slug, sections=sections)


def generator_inputs(ep: Episode, show: Show) -> dict:
    """Everything the generated script depends on; when it changes, the script is stale."""
    return {
        "source": ep.source_hash,
        "generator": GENERATOR_VERSION,
        "code": code_digest("scripts/generate", "scripts/model", "text", "episodes"),
        "show": [show.title, show.author, show.credit, show.timezone],
    }
