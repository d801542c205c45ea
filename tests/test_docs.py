"""The README is for someone who has only the repository: its quick start is true and complete,
it points at nothing outside the repository, and every command it lists has help."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import run_cli

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _quick_start() -> tuple[list[str], str]:
    m = re.search(r"^## Quick start\n(.*?)^## ", README, re.M | re.S)
    assert m, "README has a Quick start section"
    block = re.search(r"^```\n(.*?)^```", m.group(1), re.M | re.S).group(1)
    return [line.split(" #")[0].strip() for line in block.splitlines() if line.strip()], m.group(1)


def test_quick_start_is_two_commands_and_says_what_the_e2e_tests_need():
    commands, section = _quick_start()
    assert commands == ["make demo", "make test"]
    assert "make system-deps" in section and "skipped" in section
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_docs_point_only_inside_the_repository():
    """Regression: the README sent readers to a design document 'in the shared folder'."""
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        text = path.read_text(encoding="utf-8")
        assert "../shared" not in text and "shared folder" not in text, path.name
        for link in re.findall(r"\]\(([^)#]+)\)", text):
            if not link.startswith(("http://", "https://", "mailto:")):
                assert (path.parent / link).exists(), f"{path.name} links to {link}, which is not in the repository"


@pytest.mark.parametrize("command", sorted(set(re.findall(r"^\| `readcast (\w+)", README, re.M))))
def test_every_listed_command_has_help(command):
    result = run_cli(command, "--help")
    assert result.exit_code == 0 and len(result.output.splitlines()) > 3
