"""`readcast watch`: it builds, then builds again on every change of the show's inputs, with the
voice kept loaded; a bad show.toml is said and watched until fixed; Ctrl-C stops it cleanly."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
from pathlib import Path

from pipeline.watch import inputs
from tests.conftest import article, make_show

READCAST = str(Path(sys.executable).parent / "readcast")
SLUG = "001-story"


class Watcher:
    """`readcast watch -v` in a subprocess; its output lines in a queue."""

    def __init__(self, show: Path):
        env = dict(os.environ, PYTHONUNBUFFERED="1", READCAST_REPORT="off")
        self.proc = subprocess.Popen([READCAST, "watch", "-v", "--show", str(show)], stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True, env=env)
        self.lines: queue.Queue[str] = queue.Queue()
        self.said: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))

    def until(self, *words: str) -> list[str]:
        """The lines up to and including one that holds all of `words` (a hang guard, not a speed
        limit: a build here takes about a second)."""
        got = []
        while True:
            try:
                line = self.lines.get(timeout=float(os.environ.get("WATCH_WAIT", "120")))
            except queue.Empty:
                raise AssertionError(f"no line with {words} after: {self.said[-8:]}") from None
            got.append(line)
            self.said.append(line)
            if all(w in line for w in words):
                return got


def _meta(show: Path) -> dict:
    return json.loads((show / "audio" / "episodes" / f"{SLUG}.json").read_text())


def test_watch_rebuilds_on_each_change_and_stops_on_ctrl_c(tmp_path):
    sentences = " ".join(f"Sentence {w} of the story is read aloud." for w in ("one", "two", "three", "four", "five"))
    show = make_show(tmp_path / "s", {f"{SLUG}.txt": article(1, "The Story", sentences)})
    w = Watcher(show)
    try:
        w.until("Watching")
        assert (show / "feed" / "feed.xml").is_file()  # the first build happened before it watched

        # a script edit: spliced into the last render
        script = next((show / "scripts").glob("*.txt"))
        script.write_text(script.read_text().replace("Sentence two of", "Sentence number two of"))
        lines = w.until("episode(s) rendered")
        assert any("spliced the edit in between" in line for line in lines), lines
        assert any("number two" in c["text"] for c in _meta(show)["cues"])

        # a lexicon entry: the sentences it changes are made again
        (show / "lexicon.toml").write_text('[words]\nstory = "storee"\n')
        w.until("episode(s) rendered")
        assert all("storee" in c["spoken"] for c in _meta(show)["cues"] if "story" in c["text"])

        # a broken show.toml is one error line, and the watcher waits for the fix
        toml = show / "show.toml"
        good = toml.read_text()
        toml.write_text(good.replace('title = "Test Series"', 'title = "Test Series'))
        assert any(line.startswith("Error:") and "show.toml" in line for line in w.until("Error:"))
        assert w.proc.poll() is None
        toml.write_text(good.replace('title = "Test Series"', 'title = "Test Series, Renamed"'))
        w.until("feed published")
        assert "Test Series, Renamed" in (show / "feed" / "feed.xml").read_text()
    finally:
        w.proc.send_signal(signal.SIGINT)
        code = w.proc.wait(timeout=60)
    assert code == 0
    assert w.until("Stopped watching")


def test_a_watcher_stopped_by_sigterm_exits_cleanly(tmp_path):
    show = make_show(tmp_path / "s", {f"{SLUG}.txt": article(1, "The Story", "One sentence here.")})
    w = Watcher(show)
    w.until("Watching")
    w.proc.send_signal(signal.SIGTERM)
    assert w.proc.wait(timeout=60) == 0
    w.until("Stopped watching")


def test_inputs_are_what_a_build_reads_not_what_it_writes(tmp_path):
    show = make_show(tmp_path / "s", {f"{SLUG}.txt": article(1, "The Story", "One sentence here.")})
    for rel in ("audio/episodes/001-story.mp3", "feed/feed.xml", ".readcast/index.pickle", "episodes/.draft.swp",
                "scripts/.001-story.txt.1234.tmp"):
        (show / rel).parent.mkdir(parents=True, exist_ok=True)
        (show / rel).write_text("x")
    (show / "scripts" / "001-story.txt").write_text("a script")
    seen = {str(Path(p).relative_to(show)) for p in inputs(show)}
    assert seen == {"show.toml", "episodes/001-story.txt", "scripts/001-story.txt", "audio/intro.mp3", "audio/outro.mp3"}
    before = inputs(show)
    (show / "feed" / "feed.xml").write_text("changed by a build")
    assert inputs(show) == before
    (show / "episodes" / "001-story.txt").write_text("edited by a producer")
    assert inputs(show) != before


def test_a_kept_engine_serves_every_small_build_and_is_not_closed(tmp_path, monkeypatch):
    """What makes a watched edit quick: the engine stays loaded between builds, and a build of a
    few sentences uses it in this process (no worker started, no voice loaded)."""
    import dataclasses

    from pipeline.audio import engines, synth
    from pipeline.audio.cache import ClipCache
    from pipeline.config import Voice

    # the fake voice, as CPU-bound as piper (whose engine is kept; gTTS's threads are not)
    monkeypatch.setitem(engines.REGISTRY, "fake", dataclasses.replace(engines.REGISTRY["fake"], cpu_bound=True))
    monkeypatch.setattr(synth, "_KEPT", {})
    monkeypatch.setattr(synth, "_KEEPING", False)
    monkeypatch.setattr(synth, "_ENGINE", None)
    closed = []
    voice = Voice(engine="fake")
    cache = ClipCache(tmp_path / "cache")
    synth.keep_engine(voice)
    engines = []
    for n in range(2):
        with synth.Synthesizer(voice, cache, jobs=2, expected=1, rate=48000) as s:
            s.submit(synth.ClipJob(f"key{n}", f"Sentence {n}.")).result()
            assert s.jobs == 1 and isinstance(s._executor, synth.ThreadPoolExecutor)
            engines.append(synth._ENGINE)
            monkeypatch.setattr(synth._ENGINE, "close", lambda: closed.append(1))
        assert cache.info(f"key{n}") is not None
    assert engines[0] is engines[1] and not closed
    # a bigger build still spreads over processes
    bigger = synth.Synthesizer(voice, cache, jobs=2, expected=synth.KEPT_UP_TO + 1)
    assert bigger.jobs == 2 and bigger._pool_anyway
    # another voice replaces the kept engine (closed), rather than keeping one per voice
    synth._init(Voice(engine="fake", length_scale=1.5), synth.cores(), str(cache.root.parent))
    assert closed and synth._ENGINE is not engines[0]


def test_a_change_saved_before_the_watcher_started_is_built(tmp_path):
    """Was: a file saved between the first build and the file watcher starting sent no event, and
    was never built (found as a flaky hang of the test above). The inputs are compared every second
    as well, so it is built within one."""
    from pipeline.watch import watch

    show = make_show(tmp_path / "s", {f"{SLUG}.txt": article(1, "The Story", "One sentence here.")})
    builds: list[int] = []
    stop = threading.Event()

    def build() -> None:
        builds.append(1)
        if len(builds) == 2:
            stop.set()

    def ready() -> None:  # after the first build, before the watcher exists
        (show / "episodes" / f"{SLUG}.txt").write_text(article(1, "The Story", "One sentence, changed."))

    guard = threading.Timer(30, stop.set)  # a hang guard, not a speed limit
    guard.start()
    try:
        watch(show, build, ready, stop)
    finally:
        guard.cancel()
    assert len(builds) == 2
