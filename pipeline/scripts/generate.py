"""Episode -> Script: the written words of a spoken show (intro, body, outro).

The intro and outro are written as a presenter would say them; the normaliser later turns the
written form ("Part 20", "October 21, 2015") into the spoken one.
"""

from __future__ import annotations

import re

from ..config import Show
from ..episodes import Episode
from ..files import code_digest
from ..text.abbreviations import MONTH_NAMES, POSTAL_STATES
from ..text.sentences import split_sentences
from .model import Script, ScriptSection

GENERATOR_VERSION = "3"


def written_date(ep: Episode) -> str:
    d = ep.published
    return f"{MONTH_NAMES[d.month]} {d.day}, {d.year}"


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    return text if re.search(r"[.!?][\"'\u201d)]*$", text) else text + "."


def _fill(template: str, ep: Episode, show: Show) -> str:
    values = {
        "author": ep.author or ep.organization, "organization": ep.organization or ep.author,
        "who": _credit_name(ep), "series": ep.series,
        "title": ep.title, "number": ep.number if ep.number is not None else "",
        "show": show.title, "date": written_date(ep),
    }
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError):
        return template


_KEEP_UPPER = {"AFB", "JBSA", "JB", "USA", "US", "U.S.", "DC", "D.C.", "NATO", "RAF", "USS", "NAS", "MCAS", "UK", "U.K.",
               "ARB", "ANGB", "AB", "JRB", "NAVSTA", "MCB", "MCRD", "USAG", "CVN", "II", "III", "IV"}
_SMALL = {"Of": "of", "The": "the", "And": "and", "De": "de", "La": "la", "Del": "del"}


def spoken_dateline(dateline: str) -> str:
    """'MINOT AIR FORCE BASE, N.D. (AFNS)' -> 'Minot Air Force Base, N.D.': an upper-case place is read
    as words, not letters; its abbreviations keep their case ('ST. LOUIS' is 'St. Louis')."""
    dateline = re.sub(r"\s*\([A-Z]{2,}\)$", "", dateline.strip())
    parts = [p.strip() for p in dateline.split(",")]
    out = []
    for i, part in enumerate(parts):
        words = []
        for n, w in enumerate(part.split()):
            if w not in _KEEP_UPPER and w not in POSTAL_STATES and w.isupper() and not re.fullmatch(r"(?:[A-Z]\.)+", w) and \
                    not (i and len(w) <= 3 and "." not in w):
                w = "-".join(p[:1].upper() + p[1:].lower() for p in w.split("-"))
                w = _SMALL.get(w, w) if n else w
            words.append(w)
        out.append(" ".join(words))
    return ", ".join(out)


def _credit_name(ep: Episode) -> str:
    """Who wrote it, as the intro and outro say it: never 'X of X', never an empty name."""
    if ep.author and ep.organization and ep.organization not in ep.author:
        return f"{ep.author} of {ep.organization}"
    return ep.author or ep.organization


def intro_lines(ep: Episode, show: Show) -> list[str]:
    lines = []
    if ep.organization and ep.organization not in ep.series:
        lines.append(_sentence(f"{ep.series}, from {ep.organization}"))
    else:
        lines.append(_sentence(ep.series))
    if ep.number is not None and not re.search(rf"\b(?:Part|Episode|Ep\.?|Pt\.?)\s*{ep.number}\b", ep.title):
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
    template = (show.credit or "Written by {author} of {organization}.").replace("{author} of {organization}", "{who}")
    who = _credit_name(ep)
    needs_name = any(k in template for k in ("{who}", "{author}", "{organization}"))
    credit = "" if needs_name and not who else _fill(template, ep, show)
    if credit:
        lines.extend(split_sentences(_sentence(credit)))
    return lines


def generate(ep: Episode, show: Show) -> Script:
    sections = [ScriptSection("intro", "Intro", [intro_lines(ep, show)])]
    for n, section in enumerate(ep.sections):
        paragraphs = [split_sentences(p) for p in section.paragraphs]
        paragraphs = [p for p in paragraphs if p]
        if n == 0 and ep.dateline:
            paragraphs.insert(0, [_sentence(spoken_dateline(ep.dateline))])
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
