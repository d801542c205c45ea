"""The command line: help everywhere, and one clear `Error:` line with exit 1 for bad input."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import main
from tests.conftest import article, make_show, run_cli

COMMANDS = sorted(main.commands)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command):
    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0
    assert "Usage: main " + command in result.output or f"Usage: readcast {command}" in result.output
    assert len(main.commands[command].help or "") > 20


def test_missing_required_field_in_show_toml(tmp_path):
    show = make_show(tmp_path / "s")
    toml = show / "show.toml"
    toml.write_text(toml.read_text().replace('title = "Test Series"\n', ""))
    result = run_cli("build", show=show)
    assert result.exit_code == 1
    assert result.output == f"Error: {toml}: missing required field 'title'; add title = \"...\" at the top\n"


def test_no_show_here(tmp_path):
    result = run_cli("build", show=tmp_path)
    assert result.exit_code == 1
    assert result.output == (f"Error: {tmp_path / 'show.toml'}: no show.toml here; run 'readcast init DIR' to make "
                             "a show, or pass --show DIR pointing at one\n")


def test_missing_episode_file_fails_alone(tmp_path):
    show = make_show(tmp_path / "s", {"001-good.txt": article(1, "Good", "A sentence.")}, music=False)
    os.symlink(show / "episodes" / "nowhere.txt", show / "episodes" / "002-gone.txt")
    result = run_cli("build", show=show)
    assert result.exit_code == 1
    gone = show / "episodes" / "002-gone.txt"
    assert f"Error: {gone}: does not exist; check the file name, or remove it from the build\n" in result.output
    assert "Traceback" not in result.output
    # the good episode was still built and published
    assert len(list((show / "feed" / "media").glob("001-good-*.mp3"))) == 1


def test_unreadable_episode_file(tmp_path):
    show = make_show(tmp_path / "s", {"001-good.txt": article(1, "Good", "A sentence.")}, music=False)
    (show / "episodes" / "002-binary.txt").write_bytes(b"\x00\x01\x02PNG\x00" * 50)
    result = run_cli("build", "--dry-run", show=show)
    assert result.exit_code == 1
    assert (f"Error: {show / 'episodes' / '002-binary.txt'}: is a binary file, not an article; give a .txt, .md "
            "or .html article, or remove the file from episodes/") in result.output


def test_permission_denied_episode(tmp_path, monkeypatch):
    """The read itself is made to fail (root reads files whatever their mode, and CI runs as root)."""
    show = make_show(tmp_path / "s", {"001-a.txt": article(1, "A", "A sentence.")}, music=False)
    path = show / "episodes" / "001-a.txt"
    real = Path.read_bytes

    def denied(self):
        if self == path:
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", denied)
    result = run_cli("build", "--dry-run", show=show)
    assert result.exit_code == 1
    assert f"Error: {path}: cannot be read (permission denied); run: chmod a+r '{path}'" in result.output


@pytest.mark.voice
def test_init_makes_a_show_that_builds(tmp_path):
    target = tmp_path / "new-show"
    result = run_cli("init", str(target))
    assert result.exit_code == 0, result.output
    for folder in ("episodes", "scripts", "audio", "feed"):
        assert (target / folder).is_dir()
    assert (target / "audio" / "intro.mp3").stat().st_size > 10_000
    text = (target / "show.toml").read_text()
    assert 'title = "New Show"' in text and text.count("#") > 20
    again = run_cli("init", str(target))
    assert again.exit_code == 1 and "already holds a show" in again.output
    dry = run_cli("build", "--dry-run", show=target)
    assert dry.exit_code == 0, dry.output


def test_stages_run_one_at_a_time(tmp_path):
    show = make_show(tmp_path / "s", {"001-a.txt": article(1, "Stages", "One sentence. Two sentences.")}, music=False)
    assert run_cli("audio", show=show).exit_code == 1  # no script yet: says so
    assert "scripts/001-a.txt: does not exist; run 'readcast script'" in run_cli("audio", show=show).output
    result = run_cli("script", show=show)
    assert result.exit_code == 0 and "1 script(s) written" in result.output
    assert not (show / "audio" / "episodes").exists()
    result = run_cli("audio", show=show)
    assert result.exit_code == 0 and "1 episode(s) rendered" in result.output
    assert not (show / "feed" / "feed.xml").exists()
    result = run_cli("feed", show=show)
    assert result.exit_code == 0 and (show / "feed" / "feed.xml").is_file()
    assert run_cli("build", show=show).output.startswith("Nothing to do")


@pytest.mark.parametrize("how", ["script", "module"])
def test_the_readcast_command_keeps_its_output_and_exit_status(tmp_path, how):
    """The console script and `python -m pipeline` (cli.entry, which skips the interpreter's last
    garbage collections): a build's files, its summary line and exit 0; a bad show's one line and
    exit 1."""
    import subprocess
    import sys

    command = [str(Path(sys.executable).parent / "readcast")] if how == "script" else [sys.executable, "-m", "pipeline"]
    show = make_show(tmp_path / "s", {"001-one.txt": article(1, "One", "A first story. It ends here.")}, music=False)
    done = subprocess.run(command + ["build", "--show", str(show)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "1 episode(s) rendered" in done.stdout
    assert (show / "feed" / "feed.xml").read_text().rstrip().endswith("</rss>")
    bad = subprocess.run(command + ["build", "--show", str(tmp_path / "none")], capture_output=True, text=True)
    assert bad.returncode == 1 and bad.stderr.startswith("Error: ") and "show.toml" in bad.stderr
