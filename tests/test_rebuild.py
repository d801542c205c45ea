"""Fast, safe rebuilds: no-op builds touch nothing, kills lose nothing, output is deterministic."""

from __future__ import annotations

import builtins
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import article, make_show, run_cli


def _snapshot(root: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in root.rglob("*") if p.is_file()}


def _show(tmp_path, name="s", music=True, n=3, extra="", engine="fake"):
    arts = {f"00{i}-ep.txt": article(i, f"Episode {i}", f"Episode {i} opens here. It has a middle. It ends here.", day=i)
            for i in range(1, n + 1)}
    return make_show(tmp_path / name, arts, music=music, extra=extra, engine=engine)


def test_noop_rebuild_reads_no_audio_and_writes_nothing(tmp_path, monkeypatch):
    show = _show(tmp_path, n=2)
    assert run_cli("build", show=show).exit_code == 0
    before = _snapshot(show)
    opened: list[str] = []
    real_open, real_io_open = builtins.open, io.open

    def spy(file, *args, **kwargs):
        opened.append(str(file))
        return real_open(file, *args, **kwargs)

    def io_spy(file, *args, **kwargs):
        opened.append(str(file))
        return real_io_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", spy)
    monkeypatch.setattr(io, "open", io_spy)
    result = run_cli("build", show=show)
    monkeypatch.undo()
    assert result.exit_code == 0 and "Nothing to do: 2 episode(s) up to date." in result.output
    audio = [p for p in opened if p.endswith((".mp3", ".wav", ".ogg", ".m4a"))]
    assert audio == []
    after = _snapshot(show)
    # the build index may learn what the build before could not yet trust (files younger than
    # two seconds); nothing else is written, and a second no-op writes nothing at all
    assert {k: v for k, v in after.items() if k != ".readcast/index.pickle"} == \
        {k: v for k, v in before.items() if k != ".readcast/index.pickle"}
    assert run_cli("build", show=show).exit_code == 0
    assert _snapshot(show) == after


def test_dry_run_prints_the_plan(tmp_path):
    show = _show(tmp_path, n=2)
    result = run_cli("build", "--dry-run", show=show)
    assert result.exit_code == 0
    assert result.output.splitlines() == [
        "001-ep: write script, render audio (9 of 9 sentences to synthesise)",
        "002-ep: write script, render audio (9 of 9 sentences to synthesise)",
        "feed: publish feed/",
    ]
    assert not (show / "scripts" / "001-ep.txt").exists() and not (show / "feed" / "feed.xml").exists()
    assert run_cli("build", show=show).exit_code == 0
    script = show / "scripts" / "002-ep.txt"
    script.write_text(script.read_text().replace("It has a middle.", "It has a new middle."))
    result = run_cli("build", "--dry-run", show=show)
    assert result.output.splitlines() == [
        "001-ep: script current, audio current",
        "002-ep: script edited by hand (kept), render audio (1 of 9 sentences to synthesise)",
        "feed: publish feed/",
    ]


def test_progress_lines_when_not_a_terminal(tmp_path):
    show = _show(tmp_path, n=1, music=False)
    result = run_cli("build", show=show)
    lines = result.output.splitlines()
    assert "Synthesising sentences: 9 to do" in lines
    assert any(ln.startswith("Synthesising sentences: 9/9 (100%") for ln in lines)
    (show / "episodes" / "001-ep.txt").write_text(article(1, "Episode 1", "Changed words. And more."))
    quiet = run_cli("build", "--quiet", show=show)
    assert quiet.exit_code == 0 and quiet.output == ""
    (show / "episodes" / "001-ep.txt").write_text(article(1, "Episode 1", "Changed again."))
    verbose = run_cli("build", "--verbose", show=show)
    assert "peak memory: readcast" in verbose.output


def _durations(show: Path) -> dict:
    out = {}
    for meta in sorted((show / "audio" / "episodes").glob("*.json")):
        data = json.loads(meta.read_text())
        out[data["slug"]] = (data["duration"], [(c["start"], c["end"], c["text"]) for c in data["cues"]])
    return out


def _assert_same_episodes(a: Path, b: Path) -> None:
    """Two builds of the same articles: same episodes, durations and cue texts, times within 2 ms."""
    da, db = _durations(a), _durations(b)
    assert da.keys() == db.keys()
    for slug in da:
        assert da[slug][0] == pytest.approx(db[slug][0], abs=0.002)
        assert [c[2] for c in da[slug][1]] == [c[2] for c in db[slug][1]]
        for (s1, e1, _), (s2, e2, _) in zip(da[slug][1], db[slug][1]):
            assert abs(s1 - s2) < 0.002 and abs(e1 - e2) < 0.002


@pytest.mark.voice
def test_one_job_and_two_jobs_give_the_same_episode(tmp_path):
    a, b = _show(tmp_path, "a", n=2), _show(tmp_path, "b", n=2)
    assert run_cli("build", "--jobs", "1", show=a).exit_code == 0
    assert run_cli("build", "--jobs", "2", show=b).exit_code == 0
    _assert_same_episodes(a, b)


@pytest.mark.voice
def test_long_builds_recycle_workers_and_give_the_same_episode(tmp_path, monkeypatch):
    """Long builds replace their workers every RECYCLE sentences; the episode must not change."""
    import pipeline.audio.synth as synth

    pools = []

    class Counting(synth.ProcessPoolExecutor):
        def __init__(self, *args, **kwargs):
            pools.append(self)
            super().__init__(*args, **kwargs)

    a, b = _show(tmp_path, "a", n=1, engine="piper"), _show(tmp_path, "b", n=1, engine="piper")  # piper workers
    assert run_cli("build", "--jobs", "1", show=a).exit_code == 0
    monkeypatch.setattr(synth, "RECYCLE", 2)
    monkeypatch.setattr(synth, "ProcessPoolExecutor", Counting)
    assert run_cli("build", "--jobs", "2", show=b).exit_code == 0
    assert len(pools) >= 2  # more sentences than one wave of 2 x 2: fresh workers were started
    _assert_same_episodes(a, b)


def _clips(show: Path) -> int:
    return len(list((show / ".readcast" / "cache" / "clips").rglob("*.json")))


def _start_build(show: Path) -> subprocess.Popen:
    # a test run started in the background of a script inherits SIGINT ignored: give the build
    # the default, as a terminal would
    return subprocess.Popen([sys.executable, "-m", "pipeline", "build", "--show", str(show)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def _feed_files(show: Path) -> dict[str, bytes]:
    return {str(p.relative_to(show / "feed")): p.read_bytes() for p in (show / "feed").rglob("*")
            if p.is_file() and not p.name.startswith(".")}


@pytest.mark.parametrize("moment", ["mid-synthesis", "after-first-mix"])
def test_sigkill_keeps_the_published_site_and_the_next_build_resumes(tmp_path, moment):
    show = _show(tmp_path, n=3)
    assert run_cli("build", show=show).exit_code == 0
    published = _feed_files(show)
    for i in range(1, 4):  # change every episode, so every episode must be synthesised and mixed again
        path = show / "episodes" / f"00{i}-ep.txt"
        path.write_text(path.read_text().replace("It has a middle.", f"It has a longer middle now, part {i} of it."))
    # the same changed show, built without interruption, for comparison (its edits are spliced
    # into the same last render, as the resumed build's are)
    twin = tmp_path / "twin"
    shutil.copytree(show, twin)

    clips_before = _clips(show)
    proc = _start_build(show)
    deadline = time.time() + 120
    while time.time() < deadline:
        if moment == "mid-synthesis" and _clips(show) >= clips_before + 2:
            break
        if moment == "after-first-mix" and any(json.loads(p.read_text()).get("duration")
                                               and "longer middle" in p.read_text()
                                               for p in (show / "audio" / "episodes").glob("*.json")):
            break
        time.sleep(0.02)
    else:
        pytest.fail("the build never reached the moment to kill it")
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    time.sleep(0.2)
    made_before_the_kill = _clips(show) - clips_before  # complete cache entries only

    # every published file is still the previous valid version
    assert _feed_files(show) == published
    leftovers = [p.name for p in (show / "feed").rglob("*") if p.is_file() and p.name.startswith(".")]
    assert all(name.endswith(".tmp") or name == ".gitkeep" for name in leftovers)

    resumed = run_cli("build", show=show)
    assert resumed.exit_code == 0, resumed.output
    new_sentences = 3  # one changed sentence in each of the three episodes
    synthesised = int(resumed.output.split(" sentences synthesised")[0].rsplit("(", 1)[1])
    # exactly what the kill left undone: every clip finished before it is reused
    assert synthesised == new_sentences - made_before_the_kill
    assert not [p for p in show.rglob("*.tmp")]
    assert run_cli("build", show=twin).exit_code == 0
    assert _durations(show) == _durations(twin)
    with open(show / "feed" / "feed.xml", "rb") as a, open(twin / "feed" / "feed.xml", "rb") as b:
        import podcastparser

        items_a = [(e["guid"], e["title"], e["total_time"], e["enclosures"][0]["file_size"])
                   for e in podcastparser.parse("http://x/feed.xml", a)["episodes"]]
        items_b = [(e["guid"], e["title"], e["total_time"], e["enclosures"][0]["file_size"])
                   for e in podcastparser.parse("http://x/feed.xml", b)["episodes"]]
    assert items_a == items_b


@pytest.mark.voice
def test_ctrl_c_says_what_is_safe(tmp_path):
    show = _show(tmp_path, n=2, engine="piper")  # a build slow enough to interrupt
    assert run_cli("build", show=show).exit_code == 0
    published = _feed_files(show)
    body = " ".join(f"Sentence number {k} is entirely new." for k in range(1, 13))
    (show / "episodes" / "001-ep.txt").write_text(article(1, "Episode 1", body))
    before = _clips(show)
    proc = _start_build(show)
    deadline = time.monotonic() + 120
    while _clips(show) < before + 2:
        assert time.monotonic() < deadline and proc.poll() is None, "the build never got to synthesis"
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGINT)
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 130, out
    assert "Interrupted. Published files are intact; run the command again to resume." in out
    assert "Traceback" not in out
    assert _feed_files(show) == published


def test_clean_prunes_the_cache(tmp_path):
    show = _show(tmp_path, n=1, music=False)
    assert run_cli("build", show=show).exit_code == 0
    n = _clips(show)
    assert n == 9
    result = run_cli("clean", "--all", show=show)
    assert result.exit_code == 0 and result.output.startswith(f"Removed {n} cached clips (")
    # the size freed is named for what it was (regression: "Removed 0 cached clip(s), 4.4 MB.")
    assert "MB freed. The clip cache now holds 0.0 MB." in result.output
    assert _clips(show) == 0
    (show / "episodes" / "001-ep.txt").write_text(article(1, "Episode 1", "Now different. Still short."))
    result = run_cli("build", show=show)
    assert "(8 sentences synthesised)" in result.output


def test_building_one_episode_keeps_the_others_in_the_feed(tmp_path):
    show = _show(tmp_path, n=2, music=False)
    assert run_cli("build", show=show).exit_code == 0
    (show / "episodes" / "002-ep.txt").write_text("not an article any more")  # broken, but not asked for
    one = show / "episodes" / "001-ep.txt"
    one.write_text(one.read_text().replace("It ends here.", "It ends somewhere else."))
    result = run_cli("build", "001-ep", show=show)
    assert result.exit_code == 0, result.output
    import podcastparser

    with open(show / "feed" / "feed.xml", "rb") as fh:
        titles = sorted(e["title"] for e in podcastparser.parse("http://x/feed.xml", fh)["episodes"])
    assert titles == ["Episode 1", "Episode 2"]
    assert run_cli("build", "nope", show=show).exit_code == 1
