"""The build index: what planning learnt from each file, remembered by the file's stat.

A 1,000-episode show must not parse 1,000 articles, regenerate 1,000 scripts and normalise
10,000 sentences to find out that nothing changed. Each of those steps is a pure function of a
file's bytes and a little context (show settings, lexicon, code), so its result is kept here by
the file's size, modification time, inode and change time plus a digest of that context, and
reused while they match. It is a cache: deleting `.readcast/index.pickle` only costs the next
build its planning time, and a readcast upgrade starts it afresh (the whole package's code is in
its version).

A file changed twice within one clock tick keeps its mtime. As git does for its index, results
for a file modified in the last two seconds are used but not kept ("racy"), so the next build
reads that file again instead of trusting a stat that cannot tell the two versions apart.
Articles (small files, costly to parse) are kept all the same, with a hash of their bytes that
the next build compares instead of parsing them again.
"""

from __future__ import annotations

import logging
import os
import pickle
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator, TypeVar

from .files import atomic_path, code_digest, sha256_file

log = logging.getLogger(__name__)
T = TypeVar("T")
RACY_NS = 2_000_000_000
FORMAT = 2  # entries: (stamp and signatures, value, bytes' hashes when kept while racy)
_SENTINEL = object()


def signature(path: Path) -> tuple | None:
    """What tells a file's contents changed without reading it; None when it does not exist."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns)


def _contents(files: tuple[Path, ...]) -> tuple[str | None, ...]:
    out: list[str | None] = []
    for f in files:
        try:
            out.append(sha256_file(f))
        except OSError:
            out.append(None)
    return tuple(out)


def _racy(sig: tuple | None, now_ns: int) -> bool:
    return sig is not None and now_ns - sig[1] < RACY_NS


class BuildIndex:
    """Memoised per-file results, saved to `.readcast/index.pickle` when anything new was learnt."""

    def __init__(self, state_dir: Path):
        self.path = Path(state_dir) / "index.pickle"
        # the show's own place too: remembered results hold absolute paths (an article's error
        # names its file), which a show folder moved elsewhere must not keep
        self.version = (FORMAT, code_digest("."), str(Path(state_dir).resolve()))
        self._entries: dict[tuple[str, str], tuple[Any, Any]] | None = None
        self._dirty = False
        self._touched: set[tuple[str, str]] = set()

    def _load(self) -> dict:
        if self._entries is None:
            self._entries = {}
            try:
                with open(self.path, "rb") as fh:
                    version, entries = pickle.load(fh)
                if version == self.version and isinstance(entries, dict):
                    self._entries = entries
            except FileNotFoundError:
                pass
            except Exception as exc:  # a cache: anything unreadable is simply rebuilt
                log.debug("%s: ignored (%s)", self.path, exc)
        return self._entries

    def memo(self, kind: str, name: str, stamp: Any, compute: Callable[[], T], files: tuple[Path, ...] = (),
             racy_by_content: bool = False) -> T:
        """`compute()`, or what it returned last time `stamp` was the same. The signatures of
        `files` are part of the stamp, and a result from a file modified within the last two
        seconds is not kept; with `racy_by_content` (small files, a costly `compute`) it is kept
        with a hash of the files' bytes, and used again only while the bytes hash the same.

        (A show's articles are usually built right after they are added or copied in: without
        this, the first edit after that build parsed every new article again.)"""
        sigs = tuple(signature(f) for f in files)
        full = (stamp, sigs)
        entries = self._load()
        self._touched.add((kind, name))
        hit = entries.get((kind, name))
        if hit is not None and hit[0] == full:
            if hit[2] is None:
                return hit[1]
            if hit[2] == _contents(files):  # kept while racy: the bytes say whether it still holds
                if not any(_racy(s, time.time_ns()) for s in sigs):
                    entries[(kind, name)] = (full, hit[1], None)
                    self._dirty = True
                return hit[1]
        value = compute()
        now = time.time_ns()
        racy = any(_racy(s, now) for s in sigs)
        if not racy:
            entries[(kind, name)] = (full, value, None)
            self._dirty = True
        elif racy_by_content:
            entries[(kind, name)] = (full, value, _contents(files))
            self._dirty = True
        elif hit is not None:
            del entries[(kind, name)]
            self._dirty = True
        return value

    def prune(self) -> None:
        """Forget what this run did not ask about: articles deleted or renamed since. Only after a
        run that asked about everything (a whole build), or entries still valid would be lost."""
        entries = self._load()
        stale = [k for k in entries if k not in self._touched]
        for k in stale:
            del entries[k]
        if stale:
            self._dirty = True

    def save(self) -> None:
        if not self._dirty or self._entries is None:
            return
        try:
            with atomic_path(self.path) as tmp:
                with open(tmp, "wb") as fh:
                    pickle.dump((self.version, self._entries), fh, protocol=pickle.HIGHEST_PROTOCOL)
            self._dirty = False
        except OSError as exc:  # a read-only show still builds; it just plans from scratch
            log.debug("%s: not saved (%s)", self.path, exc)


class _Recorder(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[tuple[str, int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append((record.name, record.levelno, record.getMessage()))


@contextmanager
def recording(logger: str = "pipeline") -> Iterator[list[tuple[str, int, str]]]:
    """Every warning logged inside, whatever the verbosity, kept instead of shown, so that a
    result and its warnings are remembered together; `replay` then says them (or not, when
    quiet) the same way whether the result was just computed or remembered."""
    handler = _Recorder()
    target = logging.getLogger(logger)
    saved = target.handlers[:], target.level, target.propagate
    target.handlers, target.propagate = [handler], False
    target.setLevel(logging.WARNING)
    try:
        yield handler.records
    finally:
        target.handlers, target.propagate = saved[0], saved[2]
        target.setLevel(saved[1])  # setLevel, not .level: it clears the loggers' cached levels


def replay(records: list[tuple[str, int, str]]) -> None:
    for name, level, message in records:
        logging.getLogger(name).log(level, "%s", message)
