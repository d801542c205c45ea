"""`readcast watch`: build, then build again each time the show's inputs change.

A producer fixing a mispronounced name saves the script or the lexicon and hears the result a
second later: the process stays up, so Python's start-up and imports are paid once, and the
voice stays loaded (synth.keep_engine), so an edit's sentence is synthesised at once, then
spliced into the last render (audio/render.py).

Changes are noticed through the operating system's file events (watchfiles: inotify on Linux).
An event (or a second without one) only wakes the watcher: it builds when the files it reads differ from what they were when
the last build began, so the build's own writes (a regenerated script) cost one quick no-op at
most, and a file saved during a build is built right after it.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Callable

# the folders a build reads from (besides the show folder's own files: show.toml, the lexicon,
# artwork); audio/ holds the music, and the rendered episodes under it, which are not read
FOLDERS = ("episodes", "scripts", "audio")


def _folders(root: Path) -> list[Path]:
    return [root] + [root / name for name in FOLDERS if (root / name).is_dir()]


def _wanted(name: str) -> bool:
    return not name.startswith(".") and not name.endswith(".tmp")


def inputs(root: Path) -> dict[str, tuple[int, int]]:
    """(mtime, size) of every file a build may read: the show folder's own files (show.toml, the
    lexicon, artwork), articles, scripts and music; not hidden or temp files, and not the rendered
    audio or the feed."""
    out: dict[str, tuple[int, int]] = {}
    for folder in _folders(root):
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            if not _wanted(entry.name):
                continue
            try:
                if entry.is_file():
                    st = entry.stat()
                    out[entry.path] = (st.st_mtime_ns, st.st_size)
            except OSError:  # gone between the listing and the stat
                continue
    return out


def _relevant(_change: object, path: str) -> bool:
    return _wanted(os.path.basename(path))


def watch(root: Path, build: Callable[[], None], ready: Callable[[], None],
          stop: threading.Event | None = None) -> None:
    """Build, call `ready`, then build on every change of the inputs until `stop` is set."""
    import watchfiles

    root = root.resolve()
    seen = inputs(root)
    build()
    ready()
    # each folder itself, not what is under it: the bundled show's folder is also readcast's
    # checkout, with a virtualenv of thousands of folders in it. Every second without events the
    # files are compared anyway: a change made before the watcher started, or an event the
    # system dropped, is built within a second.
    for _changes in watchfiles.watch(*_folders(root), watch_filter=_relevant, stop_event=stop, step=30,
                                     debounce=400, recursive=False, raise_interrupt=False,
                                     rust_timeout=1000, yield_on_timeout=True):
        now = inputs(root)
        if now == seen:
            continue
        seen = now
        build()
        if stop is not None and stop.is_set():
            break
