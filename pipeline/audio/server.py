"""The voice server: the show's voice kept loaded between builds, so an edit does not reload it.

A one-sentence edit spent about half of a `readcast build` (0.45 of 0.95 s on the bundled show)
starting a worker, importing onnxruntime and loading the voice, for 0.2 s of synthesis. So a build
that synthesised with a local CPU voice starts this small process behind it; it loads the voice
once and waits. A later build with at most `synth.KEPT_UP_TO` sentences to make sends them here
instead of starting a worker. Larger builds use their own workers as before (one process per
core is faster for many sentences), and so does every build when the server is not there.

Its lifetime is bounded: it exits after `[build] voice_server_idle` seconds without a request
(600 by default; 0 never starts it; READCAST_VOICE_SERVER=off in the environment does the same),
and after `RECYCLE` sentences (onnxruntime's memory only grows). It is keyed by everything its
clips depend on: the voice settings, its threads, the source of readcast's audio code, the
Python running it and the user cache (where the key below lives). A changed voice or an upgraded
readcast therefore uses a new server, and the old one idles out.

It listens on a Linux abstract Unix socket: there is no file to go stale, and the name is gone when
the process is. Other local users can reach the name but cannot use it: each connection must
answer an HMAC challenge with a key only this user can read (multiprocessing.connection does the
challenge). Elsewhere (not Linux) there is no server and builds work as before.

Nothing that goes wrong with it is an error for a build: not running, refusing, killed mid-sentence
or silent for `ANSWER_TIMEOUT` seconds, the build makes the sentences with its own worker as it
would have without it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any

from ..config import Voice

log = logging.getLogger(__name__)

ENV = "READCAST_VOICE_SERVER"  # "off": never start or use one
CONNECT_TIMEOUT = 10.0  # seconds to connect (a server still loading its voice answers after it)
ANSWER_TIMEOUT = 60.0   # seconds for one sentence before the build makes it itself
RECYCLE = 150           # sentences a server makes before it exits (the next build starts a new one)
WARM_UP = "The voice is loaded and ready to read the next sentences of the show aloud, one after another."


def available(idle: float) -> bool:
    return sys.platform.startswith("linux") and idle > 0 and os.environ.get(ENV, "on").lower() != "off"


def _key_file() -> Path:
    from .engines import user_cache_dir

    return user_cache_dir() / "voice-server.key"


def _authkey(create: bool) -> bytes | None:
    """This user's secret for the challenge (made once, readable only by this user)."""
    path = _key_file()
    try:
        return path.read_bytes()
    except FileNotFoundError:
        if not create:
            return None
    path.parent.mkdir(parents=True, exist_ok=True)
    # written whole under a temporary name, then linked into place: a build reading it meanwhile
    # sees no key or the whole key, never a part
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(os.urandom(32))
    try:
        os.link(tmp, path)
    except FileExistsError:  # another build made it meanwhile: theirs is the key
        pass
    finally:
        tmp.unlink(missing_ok=True)
    return path.read_bytes()


def address(voice: Voice, threads: int) -> str:
    """The abstract socket name of the server for this voice, these threads and this readcast."""
    from ..files import code_digest

    ident = json.dumps([dataclasses.asdict(voice), threads, code_digest("audio"), sys.executable,
                        str(_key_file()), os.getuid()], sort_keys=True)
    return f"\0readcast-voice-{hashlib.sha256(ident.encode()).hexdigest()[:24]}"


def connect(voice: Voice, threads: int, timeout: float = CONNECT_TIMEOUT) -> Any:
    """A connection to the running server for this voice, or None (none running, or it does not
    answer in time). A server still loading its voice accepts once it has."""
    from multiprocessing.connection import Client

    key = _authkey(create=False)
    if key is None:
        return None
    got: list = []

    def attempt() -> None:
        try:
            got.append(Client(address(voice, threads), family="AF_UNIX", authkey=key))
        except Exception as exc:  # noqa: BLE001 - no server, a stale one, another user's: none
            log.debug("no voice server: %s", exc)

    # a server that accepts but never answers the challenge must not hold the build: the attempt
    # runs in a thread that is left behind (a daemon: it does not delay the exit)
    thread = threading.Thread(target=attempt, name="voice-server-connect", daemon=True)
    thread.start()
    thread.join(timeout)
    return got[0] if got else None


def stop(voice: Voice, threads: int) -> bool:
    """Stop the running server for this voice (True), if there is one."""
    conn = connect(voice, threads)
    if conn is None:
        return False
    with conn:
        try:
            conn.send(("stop",))
            conn.recv()
        except (EOFError, OSError):
            pass
    return True


def start(voice: Voice, threads: int, idle: float) -> int | None:
    """Start a server for this voice in the background, detached from this build (its own
    session, no terminal, no inherited files): it loads the voice and waits for the next build.
    If one is already running, the new one sees its name taken and exits at once. Its process id,
    or None when there is no server (turned off, not Linux, or it could not be started)."""
    if not available(idle):
        return None
    _authkey(create=True)
    package_root = str(Path(__file__).resolve().parents[2])
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")])))
    args = json.dumps({"voice": dataclasses.asdict(voice), "threads": threads, "idle": idle})
    devnull = os.devnull
    try:
        quiet = [(os.POSIX_SPAWN_OPEN, fd, devnull, os.O_RDONLY if fd == 0 else os.O_WRONLY, 0) for fd in (0, 1, 2)]
        return os.posix_spawn(sys.executable, [sys.executable, "-m", "pipeline.audio.server", args], env,
                              file_actions=quiet, setsid=True)
    except OSError as exc:  # it only saves time; a build never fails for it
        log.debug("could not start the voice server: %s", exc)
        return None


def serve(voice: Voice, threads: int, idle: float) -> None:
    """The server's life: take the name (or exit: one is running), load the voice, answer
    requests one connection at a time, exit when idle for `idle` seconds or after RECYCLE clips."""
    from multiprocessing.connection import Listener
    from pathlib import Path

    from ..errors import ReadcastError
    from .cache import ClipCache
    from .engines import create_engine
    from .synth import keep_freed_memory, render_clip

    key = _authkey(create=False)
    if key is None:
        return
    try:
        listener = Listener(address(voice, threads), family="AF_UNIX", backlog=8, authkey=key)
    except OSError:  # the name is taken: a server for this voice is already up
        return
    keep_freed_memory()
    engine = create_engine(voice, threads=threads)
    # onnxruntime's first runs are slow ones (its memory grows to the length of the sentence): a
    # sentence of an article's length, so that the first an edit asks for is made at full speed
    engine.synthesize_timed(WARM_UP)
    last = [time.monotonic()]
    busy = threading.Event()

    def watchdog() -> None:
        while True:
            time.sleep(min(1.0, idle / 4))
            if not busy.is_set() and time.monotonic() - last[0] > idle:
                os._exit(0)

    threading.Thread(target=watchdog, name="idle", daemon=True).start()
    made = 0
    while made < RECYCLE:
        try:
            conn = listener.accept()
        except Exception:  # noqa: BLE001 - a failed challenge (not this user), a client gone
            continue
        busy.set()
        try:
            while made < RECYCLE:
                # a client that connects and then says nothing (stopped, hung) must not hold the
                # server, and so its memory, past its idle time
                if not conn.poll(idle):
                    break
                try:
                    request = conn.recv()
                except (EOFError, OSError):
                    break
                if request[0] == "stop":  # `stop()`: asked by this user, so done at once
                    conn.send(("ok", None))
                    os._exit(0)
                _kind, cache_root, rate, clip_key, spoken = request
                try:
                    info = render_clip(engine, ClipCache(Path(cache_root)), clip_key, spoken, rate)
                    reply: tuple = ("ok", info)
                except (ReadcastError, Exception) as exc:  # noqa: BLE001 - the build makes it itself
                    reply = ("error", f"{exc.__class__.__name__}: {exc}")
                made += 1
                conn.send(reply)
        except Exception:  # noqa: BLE001 - a client gone mid-answer, or not speaking this protocol
            pass
        finally:
            conn.close()
            last[0] = time.monotonic()
            busy.clear()
    os._exit(0)


def main(argv: list[str]) -> None:
    # as a daemon does: hold no folder open (the build may have run from a drive to be unmounted)
    os.chdir("/")
    args = json.loads(argv[0])
    serve(Voice(**args["voice"]), int(args["threads"]), float(args["idle"]))


if __name__ == "__main__":
    main(sys.argv[1:])
