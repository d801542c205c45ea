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


def main() -> None:
    GOLDEN.mkdir(exist_ok=True)
    for path in articles():
        script, spoken = render(path)
        (GOLDEN / f"{path.stem}.script.txt").write_text(script, encoding="utf-8")
        (GOLDEN / f"{path.stem}.spoken.txt").write_text(spoken, encoding="utf-8")
        print(f"wrote tests/golden/{path.stem}.script.txt and .spoken.txt", file=sys.stderr)


if __name__ == "__main__":
    main()
