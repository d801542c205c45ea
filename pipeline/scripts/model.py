"""The narration script: what the voice will say, in written form, section by section.

A script is a text file a producer can open and edit: one sentence per line, a blank line for a
paragraph pause, and a bracketed marker for each section (each becomes a chapter):

    [intro]
    [body: Chapter title]
    [outro]

`{written|spoken}` makes the voice say `spoken` while the transcript shows `written`;
`{written|/phonemes/}` gives the voice IPA phonemes (engines without phonemes say `written`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ScriptError
from ..files import sha256_text

KINDS = ("intro", "body", "outro")
DEFAULT_TITLES = {"intro": "Intro", "outro": "Outro"}
_MARKER = re.compile(r"^\[(?P<kind>intro|body|outro)(?::\s*(?P<title>[^\]]*))?\]\s*$", re.I)
STAMP = "# readcast:"

HEADER = """\
# readcast narration script for {source}
# Edit freely: readcast keeps your edits when it regenerates (delete this file to start over).
# One sentence per line; a blank line is a paragraph pause. [intro], [body: Title] and [outro]
# start sections, each a chapter. {{written|spoken}} says "spoken" but shows "written" in the
# transcript; {{written|/phonemes/}} gives the voice IPA phonemes. Lines starting with # are notes.
"""


@dataclass
class ScriptSection:
    kind: str
    title: str
    paragraphs: list[list[str]] = field(default_factory=list)

    @property
    def sentences(self) -> list[str]:
        return [s for p in self.paragraphs for s in p]


@dataclass
class Script:
    slug: str
    sections: list[ScriptSection]
    stamp: dict[str, str] = field(default_factory=dict)

    def body_text(self) -> str:
        """The part under the header: what edit detection hashes."""
        out: list[str] = []
        for section in self.sections:
            marker = section.kind if section.title in ("", DEFAULT_TITLES.get(section.kind)) else f"{section.kind}: {section.title}"
            out.append(f"[{marker}]")
            for i, paragraph in enumerate(section.paragraphs):
                if i:
                    out.append("")
                out.extend(paragraph)
            out.append("")
        return "\n".join(out).rstrip("\n") + "\n"

    def render(self, source: str) -> str:
        stamp = " ".join(f"{k}={v}" for k, v in sorted(self.stamp.items()))
        return HEADER.format(source=source) + f"{STAMP} {stamp}\n\n" + self.body_text()

    @property
    def sentences(self) -> list[str]:
        return [s for sec in self.sections for s in sec.sentences]


def body_hash(body: str) -> str:
    lines = [line.rstrip() for line in body.strip("\n").split("\n")]
    return sha256_text("\n".join(lines))


def parse_script(text: str, slug: str, path: Path | None = None) -> tuple[Script, str]:
    """(script, body text); the body is what follows the comment header."""
    stamp: dict[str, str] = {}
    body_lines: list[str] = []
    for line in text.replace("\r\n", "\n").split("\n"):
        if line.startswith(STAMP):
            for part in line[len(STAMP):].split():
                k, _, v = part.partition("=")
                stamp[k] = v
            continue
        if line.startswith("#"):
            continue
        body_lines.append(line)
    body = "\n".join(body_lines).strip("\n") + "\n"

    sections: list[ScriptSection] = []
    paragraph: list[str] = []

    def close_paragraph() -> None:
        nonlocal paragraph
        if paragraph:
            if not sections:
                sections.append(ScriptSection("body", ""))
            sections[-1].paragraphs.append(paragraph)
            paragraph = []

    for n, raw in enumerate(body_lines, 1):
        line = raw.strip()
        m = _MARKER.match(line)
        if m:
            close_paragraph()
            kind = m.group("kind").lower()
            sections.append(ScriptSection(kind, (m.group("title") or DEFAULT_TITLES.get(kind, "")).strip()))
            continue
        if line.startswith("[") and line.endswith("]"):
            raise ScriptError(f"line {n}: unknown section marker {line}", path,
                              "use [intro], [body: Title] or [outro]")
        if not line:
            close_paragraph()
            continue
        if line.count("{") != line.count("}"):
            raise ScriptError(f"line {n}: unbalanced {{ }} in {line[:60]!r}", path,
                              "write overrides as {written|spoken}")
        paragraph.append(line)
    close_paragraph()
    sections = [s for s in sections if s.paragraphs]
    if not sections:
        raise ScriptError("has no sentences", path, "delete the file to regenerate it from the article")
    return Script(slug=slug, sections=sections, stamp=stamp), body
