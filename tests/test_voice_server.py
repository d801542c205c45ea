"""The voice server (pipeline/audio/server.py): after a build, an edit's few sentences are made by
a background process that keeps the voice loaded. Its clips are the ones a build's own worker
makes; a server that dies or stops answering leaves the sentences to the build's workers; it exits
when idle; a connection without this user's key is refused.

Each test has a user cache of its own (so its server is never a developer's), sharing the real
cache's optimised voice model, and real servers: `python -m pipeline.audio.server` processes."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from multiprocessing import AuthenticationError
from multiprocessing.connection import Client
from pathlib import Path

import pytest

from pipeline.audio import server
from pipeline.audio.cache import ClipCache
from pipeline.audio.engines import cores, user_cache_dir
from pipeline.audio.synth import ClipJob, Synthesizer, _Served
from pipeline.config import Voice, load_show
from tests.conftest import article, make_show

pytestmark = pytest.mark.voice
READCAST = str(Path(sys.executable).parent / "readcast")
VOICE = Voice(noise_scale=0.0, noise_w=0.0)
WAIT = 120.0  # seconds: a hang guard, not a speed limit (a server is up in about half a second)


def _servers_under(cache: Path) -> list[int]:
    """The voice servers started with this user cache (by the test or by a build it ran)."""
    pids = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes()
            environ = (proc / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"pipeline.audio.server" in cmdline and f"XDG_CACHE_HOME={cache}".encode() in environ:
            pids.append(int(proc.name))
    return pids


@pytest.fixture
def user_cache(tmp_path, monkeypatch):
    real = user_cache_dir() / "models"
    real.mkdir(parents=True, exist_ok=True)
    cache = tmp_path / "xdg"
    (cache / "readcast").mkdir(parents=True)
    (cache / "readcast" / "models").symlink_to(real)
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    monkeypatch.setenv(server.ENV, "on")
    yield cache
    for pid in _servers_under(cache):
        os.kill(pid, signal.SIGKILL)


def _up(voice: Voice = VOICE):
    """A connection to the server for `voice`, once it has loaded the voice."""
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        conn = server.connect(voice, cores())
        if conn is not None:
            return conn
        time.sleep(0.1)
    raise AssertionError("the voice server never came up")


def _reap(pid: int) -> int:
    """The server's exit status (it is this process's child when the test started it)."""
    got: list[int] = []
    waiter = threading.Thread(target=lambda: got.append(os.waitpid(pid, 0)[1]), daemon=True)
    waiter.start()
    waiter.join(WAIT)
    assert got, "the voice server did not exit"
    return got[0]


def test_an_edit_after_a_build_is_made_by_the_voice_server_and_sounds_the_same(user_cache, tmp_path):
    body = "The first sentence is read aloud. The second one follows it. The third sentence ends the story."
    show = make_show(tmp_path / "s", {"001-story.txt": article(1, "The Story", body)}, engine="piper")
    env = dict(os.environ)
    subprocess.run([READCAST, "build", "-q", "--show", str(show)], check=True, env=env)
    made = len(list((show / ".readcast" / "cache" / "clips").rglob("*.wav")))
    # the build left the voice loaded behind it
    _up(load_show(show).voice).close()
    twin = tmp_path / "twin"
    shutil.copytree(show, twin)
    for root in (show, twin):
        script = root / "scripts" / "001-story.txt"
        script.write_text(script.read_text().replace("The second one follows it.", "The second one comes next."))

    served = subprocess.run([READCAST, "build", "-v", "--show", str(show)], capture_output=True, text=True, env=env)
    assert served.returncode == 0, served.stderr
    assert "1 sentence(s) made by the voice server" in served.stdout + served.stderr
    alone = subprocess.run([READCAST, "build", "-v", "--show", str(twin)], capture_output=True, text=True,
                           env=dict(env, **{server.ENV: "off"}))
    assert alone.returncode == 0, alone.stderr
    assert "voice server" not in alone.stdout + alone.stderr

    # the server's clip is the one the build's own worker made, and so is the episode
    clips = {p.relative_to(show): p.read_bytes() for p in (show / ".readcast" / "cache" / "clips").rglob("*.wav")}
    twins = {p.relative_to(twin): p.read_bytes() for p in (twin / ".readcast" / "cache" / "clips").rglob("*.wav")}
    assert clips == twins and len(clips) == made + 1
    episode = Path("audio") / "episodes" / "001-story.mp3"
    assert (show / episode).read_bytes() == (twin / episode).read_bytes()


@pytest.mark.parametrize("failure", ["killed", "silent"])
def test_a_server_that_dies_or_stops_answering_leaves_the_sentence_to_the_builds_worker(
        user_cache, tmp_path, monkeypatch, failure):
    monkeypatch.setattr(server, "ANSWER_TIMEOUT", 2.0)
    pid = server.start(VOICE, cores(), idle=600)
    assert pid is not None
    _up().close()
    cache = ClipCache(tmp_path / "cache")
    synth = Synthesizer(VOICE, cache, expected=1, rate=48000, server_idle=600)
    synth._start()
    assert isinstance(synth._executor, _Served)  # connected to it
    if failure == "killed":
        os.kill(pid, signal.SIGKILL)
    else:
        os.kill(pid, signal.SIGSTOP)  # alive, holding the connection, never answering
    try:
        info = synth.submit(ClipJob("ab" * 32, "A sentence the server never makes.")).result(timeout=WAIT)
        synth.close()
    finally:
        os.kill(pid, signal.SIGKILL)
        _reap(pid)
    assert synth.served == 0 and synth.made_here
    assert cache.has("ab" * 32) and info.seconds > 1.0


def test_an_idle_server_exits_by_itself(user_cache):
    pid = server.start(VOICE, cores(), idle=1)
    assert pid is not None
    _up().close()
    assert _reap(pid) == 0
    assert server.connect(VOICE, cores()) is None


def test_a_client_that_connects_and_says_nothing_does_not_keep_the_server_up(user_cache):
    """A build stopped (or hung) with its connection open held the server, and its 250 MB, for
    ever: it never counted as idle. A connection now gets the idle time to ask."""
    pid = server.start(VOICE, cores(), idle=1)
    assert pid is not None
    silent = _up()
    try:
        assert _reap(pid) == 0
    finally:
        silent.close()


def test_a_connection_without_this_users_key_is_refused_and_the_server_goes_on(user_cache):
    pid = server.start(VOICE, cores(), idle=600)
    assert pid is not None
    _up().close()
    # and, as a daemon, it holds no folder open (a build run from a drive to be unmounted)
    assert os.readlink(f"/proc/{pid}/cwd") == "/"
    with pytest.raises(AuthenticationError):
        Client(server.address(VOICE, cores()), family="AF_UNIX", authkey=b"another user's guess")
    assert server.stop(VOICE, cores())  # still answers this user
    assert _reap(pid) == 0


def test_one_server_per_voice_and_none_when_turned_off(user_cache, monkeypatch):
    assert server.address(VOICE, 2) != server.address(Voice(noise_scale=0.0, noise_w=0.0, length_scale=1.1), 2)
    assert server.address(VOICE, 2) != server.address(VOICE, 1)
    assert server.available(600) and not server.available(0)
    monkeypatch.setenv(server.ENV, "off")
    assert not server.available(600) and server.start(VOICE, cores(), 600) is None


def test_sentences_dispatched_from_many_threads_start_one_pool(tmp_path, monkeypatch):
    """With a shared clip cache, lookup threads dispatch sentences: each saw no pool yet and made
    one (a pool leaked per thread; with the voice server, a connection too). Starting is locked.
    The engine's start is slowed to hold the race open, not to time anything."""
    from pipeline.audio import synth

    started = []
    real = synth._init

    def slow_init(*args, **kwargs):
        started.append(1)
        time.sleep(0.3)
        return real(*args, **kwargs)

    monkeypatch.setattr(synth, "_init", slow_init)
    s = Synthesizer(Voice(engine="fake"), ClipCache(tmp_path / "cache"), jobs=2, expected=8, rate=48000)
    threads = [threading.Thread(target=s._start) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    s.close()
    assert len(started) == 1
