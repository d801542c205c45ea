"""Golden files for the text stages: article -> script (written) -> what the voice receives.

    python -m tests.golden      (or: make golden)   rewrites tests/golden/ from the current code

Review the diff before committing it: it is exactly how narration changed.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
GOLDEN = HERE / "golden"


def articles() -> list[Path]:
    return sorted((ROOT / "episodes").glob("*.txt")) + sorted((HERE / "data" / "articles").glob("*.txt"))


def render(path: Path) -> tuple[str, str]:
    """(the script body, the spoken lines) for one article, read with the bundled show's settings."""
    from pipeline.config import load_show
    from pipeline.episodes import read_episode
    from pipeline.scripts.generate import generate
    from pipeline.scripts.spoken import narrator_for

    show = load_show(ROOT)
    ep = read_episode(path, show)
    script = generate(ep, show)
    narrator = narrator_for(show)
    spoken = []
    for section in script.sections:
        spoken.append(f"[{section.kind}: {section.title}]")
        for paragraph in section.paragraphs:
            spoken.extend(narrator.speak(s) for s in paragraph)
            spoken.append("")
    return script.body_text(), "\n".join(spoken).rstrip() + "\n"


SITE = GOLDEN / "bundled-site.txt"
_HASH = __import__("re").compile(r"(?<=-)[0-9a-f]{10,}(?=[.-])")


def site_snapshot(show: Path) -> str:
    """What a built show publishes, minus what the voice's randomness moves (timings, byte
    counts, the audio hash in media names): captions' text, chapters, and every feed field."""
    import re

    from lxml import etree

    out: list[str] = []
    feed = etree.parse(str(show / "feed" / "feed.xml")).getroot()
    for el in feed.iter():
        if not isinstance(el.tag, str) or el.tag in ("lastBuildDate", "pubDate") and el.getparent().tag == "channel":
            continue
        tag = re.sub(r"\{[^}]*\}", lambda m: {"http://www.itunes.com/dtds/podcast-1.0.dtd": "itunes:",
                                                 "http://www.w3.org/2005/Atom": "atom:"}.get(m.group(0)[1:-1], "ns:"), el.tag)
        attrs = {k: _HASH.sub("<hash>", v) for k, v in sorted(el.attrib.items()) if k not in ("length",)}
        text = (el.text or "").strip()
        if tag == "itunes:duration":
            text = "<t>"
        if tag == "description" and el.getparent().tag == "item":
            text = re.sub(r"\b\d+:\d\d\b", "<t>", text)
        if tag == "ns:encoded":
            text = re.sub(r"\b\d+:\d\d\b", "<t>", text)
        out.append(f"{tag} {attrs if attrs else ''} {_HASH.sub('<hash>', text)}".rstrip())
    for vtt in sorted((show / "feed" / "media").glob("*.vtt")):
        # the words, in order: where the cues break depends on word timings, which the caption
        # tests hold to their rules
        cues = [line for line in vtt.read_text(encoding="utf-8").splitlines()
                if line and "-->" not in line and not re.fullmatch(r"[sc]\d+", line)]
        out.append("captions: " + " ".join(cues))
    for chapters in sorted((show / "feed" / "media").glob("*-chapters.json")):
        import json

        out.append("chapters: " + " | ".join(c["title"] for c in json.loads(chapters.read_text())["chapters"]))
    return "\n".join(out) + "\n"


def build_bundled(dest: Path) -> Path:
    from click.testing import CliRunner

    from pipeline.cli import main as cli
    from tests.conftest import copy_bundled_sources

    copy_bundled_sources(dest)
    result = CliRunner().invoke(cli, ["build", "--show", str(dest)])
    assert result.exit_code == 0, result.output
    return dest


def main() -> None:
    GOLDEN.mkdir(exist_ok=True)
    if "--site" in sys.argv:
        import tempfile

        with tempfile.TemporaryDirectory() as d:
            SITE.write_text(site_snapshot(build_bundled(Path(d))), encoding="utf-8")
        print(f"wrote {SITE.relative_to(ROOT)}", file=sys.stderr)
        return
    for path in articles():
        script, spoken = render(path)
        (GOLDEN / f"{path.stem}.script.txt").write_text(script, encoding="utf-8")
        (GOLDEN / f"{path.stem}.spoken.txt").write_text(spoken, encoding="utf-8")
        print(f"wrote tests/golden/{path.stem}.script.txt and .spoken.txt", file=sys.stderr)


if __name__ == "__main__":
    main()
