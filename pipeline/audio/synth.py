"""Sentence synthesis across cores, straight into the clip cache.

`--jobs N` worker processes each run one engine with cores/N onnxruntime threads, so processes x
threads never exceed the cores. One job runs in a thread of this process instead (no start-up
cost, and a faked HTTP layer in tests still applies). Results are keyed by content, so the order
work finishes in never changes the output.
"""

from __future__ import annotations

import functools
import logging
import multiprocessing
import os
import queue
import sys
import threading
import time
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable

import numpy as np

from ..config import Voice
from ..errors import EngineError, ReadcastError
from .cache import ClipCache, ClipInfo
from .engines import Engine, cores, create_engine, spec_for
from .loudness import integrated, resample, speech_bounds

if TYPE_CHECKING:
    from .remote import DaskSynth, SharedClips

log = logging.getLogger(__name__)

RECYCLE = 150  # sentences each worker synthesises before long builds replace it with a fresh one
_ENGINE: Engine | None = None
_CACHE: ClipCache | None = None
_RATE: int | None = None
# `readcast watch` keeps one loaded engine in its process between builds: an edit's few sentences
# are then made here at once, without starting a worker and loading the voice (~0.45 s) each time
_KEEPING = False
_KEPT: dict[tuple[Voice, int], Engine] = {}
KEPT_UP_TO = 4  # a build with at most this many sentences to make uses the kept engine


@dataclass(frozen=True)
class ClipJob:
    key: str
    spoken: str


def _die_with_parent() -> None:
    """A worker must not outlive the build, however the build dies (SIGKILL included, which no
    handler sees). A watcher thread notices the worker has been reparented (its parent, the build
    or the build's fork server, is gone) and exits within a quarter second. Linux's parent-death
    signal is not used: it fires when the *thread* that forked the worker ends, not the process."""
    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(0.25)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


# glibc's mallopt parameters
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
_TUNED = False


def keep_freed_memory() -> None:
    """Let a synthesis process's allocator keep what a sentence frees for the next one.

    glibc maps each buffer above its mmap threshold (a sentence's audio, the voice's tensors)
    straight from the system, unmaps it when freed, and the next sentence faults it in again page
    by page. Its adaptive threshold only partly prevents that, and a Dask nanny turns it off
    (it starts workers with MALLOC_TRIM_THRESHOLD_=65536). On three corpus articles and the
    bundled episode, a local worker took 360,000 page faults and a Dask worker 720,000 (7% more
    CPU than a local one); with this, 95,000 and 120,000. Buffers of up to 32 MB now come from the heap, and up to 64 MB of freed
    heap is kept (a worker's voice holds about 450 MB). Once a process; on glibc only."""
    global _TUNED
    if _TUNED:
        return
    _TUNED = True
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(_M_MMAP_THRESHOLD, 32 * 1024 * 1024)
        libc.mallopt(_M_TRIM_THRESHOLD, 64 * 1024 * 1024)
    except (OSError, AttributeError):  # not glibc
        pass


def _init(voice: Voice, threads: int, cache_root: str, rate: int | None = None, worker: bool = False) -> None:
    global _ENGINE, _CACHE, _RATE
    if worker:
        _die_with_parent()
        keep_freed_memory()
    _ENGINE = _kept(voice, threads) if _KEEPING and not worker else create_engine(voice, threads=threads)
    _CACHE = ClipCache(Path(cache_root))
    _RATE = rate


def _kept(voice: Voice, threads: int) -> Engine:
    key = (voice, threads)
    engine = _KEPT.get(key)
    if engine is None:
        for old in _KEPT.values():  # the show's voice changed: one engine is kept, not one per voice
            old.close()
        _KEPT.clear()
        engine = _KEPT[key] = create_engine(voice, threads=threads)
    return engine


def keep_engine(voice: Voice) -> None:
    """From now on, keep this process's engine loaded between builds (readcast watch), and load
    it now, with a first sentence (onnxruntime's first run is the slow one)."""
    global _KEEPING
    _KEEPING = True
    if spec_for(voice.engine).cpu_bound:
        _kept(voice, cores()).synthesize_timed("Ready.")


def make_clip(engine: Engine, spoken: str, rate: int | None = None) -> tuple[np.ndarray, int, float, list | None]:
    """Synthesise, trim, resample to the mix's rate (once, here, not at every mix): the samples,
    their rate, their loudness and each spoken unit's (start, end) in seconds when known."""
    samples, spans = engine.synthesize_timed(spoken)
    samples = np.asarray(samples, dtype=np.float32)
    start, end = speech_bounds(samples, engine.sample_rate)
    samples = samples[start:end]
    words = None
    if spans is not None and len(samples):
        # unit times in the kept clip, in seconds (so the stored rate does not matter)
        length = len(samples) / engine.sample_rate
        words = [(min(max((a - start) / engine.sample_rate, 0.0), length),
                  min(max((b - start) / engine.sample_rate, 0.0), length)) for a, b in spans]
    if len(samples) == 0:
        samples = np.zeros(int(0.2 * engine.sample_rate), dtype=np.float32)
    rate = rate or engine.sample_rate
    samples = resample(samples, engine.sample_rate, rate)
    peak = float(np.max(np.abs(samples))) or 1.0
    samples = samples / peak * 0.9  # headroom; loudness is set in the mix
    return samples, rate, integrated(samples, rate), words


def render_clip(engine: Engine, cache: ClipCache, key: str, spoken: str, rate: int | None = None) -> ClipInfo:
    samples, rate, lufs, words = make_clip(engine, spoken, rate)
    return cache.put(key, samples, rate, lufs, words)


def _work(key: str, spoken: str) -> ClipInfo:
    assert _ENGINE is not None and _CACHE is not None
    try:
        return render_clip(_ENGINE, _CACHE, key, spoken, _RATE)
    except ReadcastError:
        raise
    except Exception as exc:  # an engine's own failure, made one line (the caller names the sentence)
        raise EngineError(f"synthesis failed ({exc.__class__.__name__}: {exc})", None,
                          "rebuild; if it repeats, reword or override the sentence") from None


class _Queued(Executor):
    """An executor whose tasks wait in a queue for one thread of its own (`_dispatch`), which
    hands them on: the base of _Waves and _Served."""

    def __init__(self, name: str):
        self._queue: queue.Queue = queue.Queue()
        self._pool: Executor | None = None
        self._stop = False
        self._thread = threading.Thread(target=self._dispatch, name=name, daemon=True)
        self._thread.start()

    def submit(self, fn, /, *args, **kwargs) -> Future:
        outer: Future = Future()
        self._queue.put((outer, fn, args, kwargs))
        return outer

    def _dispatch(self) -> None:
        raise NotImplementedError

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        if cancel_futures:
            self._stop = True
            while True:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is not None:
                    item[0].cancel()
        self._queue.put(None)
        if wait:
            self._thread.join()


class _Waves(_Queued):
    """Runs tasks on a succession of process pools, `size` tasks each, one pool at a time.

    onnxruntime's memory arena grows with every new sentence shape and never shrinks; over an
    hour of speech that took a worker from 450 to 800 MB. Starting fresh workers every few
    hundred sentences costs one voice load (~0.3 s) and keeps memory flat. Results are the same
    futures, in the same order, as with one pool.

    Why not ProcessPoolExecutor(max_tasks_per_child=...)? It deadlocks when a worker retires while
    tasks are still queued (CPython gh-115634), so whole pools are replaced between waves instead.
    """

    def __init__(self, make_pool: Callable[[], Executor], size: int):
        self.make_pool = make_pool
        self.size = size
        super().__init__("synth-waves")

    def _dispatch(self) -> None:
        pending: list[Future] = []
        while True:
            item = self._queue.get()
            if item is None or self._stop:
                break
            outer, fn, args, kwargs = item
            if not outer.set_running_or_notify_cancel():
                continue
            if self._pool is None:
                self._pool = self.make_pool()
            inner = self._pool.submit(fn, *args, **kwargs)
            inner.add_done_callback(functools.partial(_relay, outer=outer))
            pending.append(inner)
            if len(pending) >= self.size:
                wait(pending)
                self._pool.shutdown(wait=True)
                self._pool, pending = None, []
        if self._pool is not None:
            self._pool.shutdown(wait=not self._stop, cancel_futures=self._stop)


class _Served(_Queued):
    """Sends sentences to the voice server (audio/server.py), one after another, in a thread.

    If the server fails in any way (gone, killed mid-sentence, an error, no answer in time), that
    sentence and every later one go to `fallback()`, this build's own workers, as if there had
    been no server: it only ever saves time."""

    def __init__(self, conn, cache_root: str, rate: int | None, fallback: Callable[[], Executor],
                 owner: Synthesizer):
        self.conn = conn
        self.cache_root = os.path.abspath(cache_root)  # the server runs elsewhere (in "/")
        self.rate = rate
        self.fallback = fallback
        self.owner = owner
        super().__init__("voice-server")

    def _ask(self, key: str, spoken: str) -> ClipInfo | None:
        from .server import ANSWER_TIMEOUT

        if self.conn is None:
            return None
        try:
            self.conn.send(("clip", self.cache_root, self.rate, key, spoken))
            if self.conn.poll(ANSWER_TIMEOUT):
                status, value = self.conn.recv()
                if status == "ok":
                    return value
                log.debug("the voice server could not make a sentence (%s): making it here", value)
            else:
                log.debug("the voice server did not answer in %.0f s: making the sentences here", ANSWER_TIMEOUT)
        except Exception as exc:  # noqa: BLE001 - gone or broken: this build's own workers take over
            log.debug("the voice server failed (%s): making the sentences here", exc)
        self.conn.close()
        self.conn = None
        return None

    def _dispatch(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                break
            outer, fn, args, _kwargs = item
            if not outer.set_running_or_notify_cancel():
                continue
            info = self._ask(*args)
            if info is not None:
                self.owner.served += 1
                outer.set_result(info)
                continue
            try:
                if self._pool is None:
                    self._pool = self.fallback()
                inner = self._pool.submit(fn, *args)
            except BaseException as exc:  # noqa: BLE001 - said by whoever waits on the clip
                outer.set_exception(exc)
                continue
            inner.add_done_callback(functools.partial(_relay, outer=outer))
        if self.conn is not None:
            self.conn.close()
        if self._pool is not None:
            self._pool.shutdown(wait=True)


def _relay(inner: Future, outer: Future) -> None:
    if inner.cancelled():
        outer.cancel()
    elif inner.exception() is not None:
        outer.set_exception(inner.exception())
    else:
        outer.set_result(inner.result())


class Synthesizer:
    """A pool that turns ClipJobs into cached clips; use it as a context manager.

    `executor` is "local" (processes on this machine's cores) or "dask://HOST:PORT" (a Dask
    cluster's workers). With a `shared` clip cache, a clip another machine made is fetched
    instead of synthesised, and every clip made here is shared.
    """

    def __init__(self, voice: Voice, cache: ClipCache, jobs: int | None = None, expected: int | None = None,
                 rate: int | None = None, executor: str = "local", shared: SharedClips | None = None,
                 timeout: float | None = None, server_idle: float = 0.0):
        self.voice = voice
        self.server_idle = server_idle
        self.served = 0  # clips the voice server made (audio/server.py)
        self.made_here = False  # whether this build's own workers loaded the voice
        self.rate = rate
        self.cache = cache
        self.executor = executor
        self.shared = shared
        self.remote = executor != "local"
        # how long one sentence may take on a cluster before the build gives up (never locally)
        self.timeout = timeout if self.remote else None
        n = cores()
        self.spec = spec_for(voice.engine)
        self.jobs = max(1, min(jobs or n, 32))
        self.expected = expected
        if _KEEPING and self.spec.cpu_bound and not self.remote and expected is not None and expected <= KEPT_UP_TO:
            self.jobs, self._pool_anyway = 1, False  # the engine kept loaded in this process
        elif expected is not None and self.spec.cpu_bound and self.jobs > 1:
            # fewer sentences than processes: fewer processes, each with more threads
            self.jobs = max(1, min(self.jobs, expected))
            self._pool_anyway = True
        else:
            self._pool_anyway = False
        self._executor: Executor | None = None
        self._dask: DaskSynth | None = None
        self._dask_error: ReadcastError | None = None
        self._lookups: ThreadPoolExecutor | None = None
        self._futures: dict[str, Future] = {}
        self.fetched = 0  # clips taken from the shared cache instead of synthesised
        self._lock = threading.Lock()

    def _start(self) -> Executor:
        with self._lock:  # the shared cache's lookup threads dispatch too
            return self._start_locked()

    def _start_locked(self) -> Executor:
        if self._executor is None:
            n = cores()
            if (self.jobs == 1 and not self._pool_anyway) or not self.spec.cpu_bound:
                # online engines wait on the network, not the CPU: threads are enough
                workers = 1 if self.spec.cpu_bound else min(self.jobs, 4)
                _init(self.voice, n, str(self.cache.root.parent), self.rate)
                self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="synth")
            else:
                conn = self._server()
                if conn is not None:
                    self._executor = _Served(conn, str(self.cache.root.parent), self.rate, self._pool, self)
                else:
                    self._executor = self._pool()
        return self._executor

    def _server(self):
        """A connection to the voice server when it can take this build's few sentences."""
        if not (self.expected is not None and 0 < self.expected <= KEPT_UP_TO and self._pool_anyway):
            return None
        from . import server

        if not server.available(self.server_idle):
            return None
        return server.connect(self.voice, cores())

    def _pool(self) -> Executor:
        """This build's own worker processes."""
        self.made_here = True
        threads = max(1, cores() // self.jobs)
        # onnxruntime's arena only grows: long builds get fresh workers every wave
        long_build = self.expected is not None and self.expected > RECYCLE * self.jobs
        # fork is the cheapest start, but forking a process whose onnxruntime already runs
        # threads (an engine used in-process before, as in tests), or forking from a
        # thread (as waves and the voice server's fallback do), can deadlock the child: a fork
        # server is safe from both
        ctx: multiprocessing.context.BaseContext
        if (long_build or any(m in sys.modules for m in self.spec.preload)
                or threading.current_thread() is not threading.main_thread()):
            server = multiprocessing.get_context("forkserver")
            server.set_forkserver_preload(["pipeline.audio.synth", *self.spec.preload])
            ctx = server
        else:
            ctx = multiprocessing.get_context("fork")

        def pool() -> ProcessPoolExecutor:
            return ProcessPoolExecutor(
                max_workers=self.jobs, mp_context=ctx, initializer=_init,
                initargs=(self.voice, threads, str(self.cache.root.parent), self.rate, True))

        return _Waves(pool, RECYCLE * self.jobs) if long_build else pool()

    def start_server(self) -> None:
        """After the build: keep the voice loaded in a server for the next edit, when this build
        loaded it in its own workers (a server it used is already up)."""
        if self.made_here and not self.remote and self.spec.cpu_bound and not _KEEPING:
            from . import server

            server.start(self.voice, cores(), self.server_idle)

    def _dispatch(self, job: ClipJob) -> Future:
        if self.remote:
            with self._lock:  # the shared cache's lookup threads dispatch too
                if self._dask_error is not None:  # the cluster refused once: not again per sentence
                    raise self._dask_error
                if self._dask is None:
                    from .remote import DaskSynth, EngineFactory

                    try:
                        # connecting gets half the wait a sentence gets, so a refusal is what is said
                        self._dask = DaskSynth(self.executor, EngineFactory(self.voice), self.cache, self.rate,
                                               self.shared, connect_timeout=min(15.0, (self.timeout or 30.0) / 2))
                    except ReadcastError as exc:
                        self._dask_error = exc
                        raise
            return self._dask.submit(job.key, job.spoken)
        return self._start().submit(_work, job.key, job.spoken)

    def _via_shared(self, job: ClipJob, outer: Future) -> None:
        """Fetch the clip from the shared cache, or make it and share it."""
        assert self.shared is not None
        try:
            info = self.shared.fetch(job.key, self.cache)
        except BaseException as exc:  # noqa: BLE001 - handed to whoever waits on the clip
            outer.set_exception(exc)
            return
        if info is not None:
            self.fetched += 1
            outer.set_result(info)
            return

        def done(inner: Future) -> None:
            try:
                made = inner.result()
                if not self.remote:  # a cluster's workers share what they make themselves
                    assert self.shared is not None
                    self.shared.push(job.key, self.cache)
                outer.set_result(made)
            except BaseException as exc:  # noqa: BLE001
                outer.set_exception(exc)

        try:
            inner = self._dispatch(job)
        except BaseException as exc:  # noqa: BLE001 - e.g. no scheduler: said by whoever waits, at once
            outer.set_exception(exc)
            return
        inner.add_done_callback(done)

    def submit(self, job: ClipJob) -> Future:
        fut = self._futures.get(job.key)
        if fut is None:
            if self.shared is not None:
                if self._lookups is None:
                    self._lookups = ThreadPoolExecutor(max_workers=8, thread_name_prefix="shared-cache")
                fut = Future()
                fut.set_running_or_notify_cancel()
                self._lookups.submit(self._via_shared, job, fut)
            else:
                fut = self._dispatch(job)
            self._futures[job.key] = fut
        return fut

    def close(self, cancel: bool = False) -> None:
        if self._lookups is not None:
            self._lookups.shutdown(wait=not cancel, cancel_futures=cancel)
            self._lookups = None
        if self._dask is not None:
            self._dask.shutdown(cancel_futures=cancel)
            self._dask = None
        if self._executor is not None:
            # when every clip is in, the workers exit while the build goes on (the interpreter
            # waits for them at its own exit)
            done = all(f.done() for f in self._futures.values())
            self._executor.shutdown(wait=not (cancel or done), cancel_futures=cancel)
            self._executor = None
        global _ENGINE
        if _ENGINE is not None:
            if not any(_ENGINE is kept for kept in _KEPT.values()):
                _ENGINE.close()
            _ENGINE = None

    def __enter__(self) -> "Synthesizer":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.close(cancel=exc_type is not None)
