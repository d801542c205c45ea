"""Synthesis beyond this process: on a Dask distributed cluster, and a clip cache shared by URL.

`[build] executor = "dask://HOST:PORT"` (or `--executor`) sends every sentence to the cluster's
workers through `distributed.Client`. A task carries the engine factory (the show's voice, which
each worker turns into an engine once per thread) and the sentence; it returns the clip's samples,
or, with `[build] shared_cache`, writes them to the shared cache, keyed exactly as the local cache
is, so any machine reuses any clip. Workers need readcast and the voice installed (readcast[dask]).

Dask reschedules the tasks of a worker that dies; a build waits at most `[build] task_timeout`
seconds for any one sentence, so a dead cluster is an error naming it, not a hang.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import uuid
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..config import Voice
from ..errors import EngineError, ReadcastError
from .cache import ClipCache, ClipInfo

log = logging.getLogger(__name__)

_LOCAL = threading.local()


@dataclass(frozen=True)
class EngineFactory:
    """What a worker needs to make the show's engine: picklable, and the same on every machine."""

    voice: Voice
    threads: int = 1

    def engine(self):
        """This thread's engine (a voice's phonemiser is not safe to share between threads)."""
        engines = getattr(_LOCAL, "engines", None)
        if engines is None:
            engines = _LOCAL.engines = {}
        if self not in engines:
            from .engines import create_engine
            from .synth import keep_freed_memory

            keep_freed_memory()
            engines[self] = create_engine(self.voice, threads=self.threads)
        return engines[self]


@dataclass(frozen=True)
class Clip:
    """A synthesised clip on its way back from a worker: 16-bit PCM, or None when the worker
    put it in the shared cache."""

    key: str
    rate: int
    frames: int
    lufs: float
    words: tuple[tuple[float, float], ...] | None
    pcm: bytes | None = None


class SharedClips:
    """The clip cache at an fsspec URL: a folder every machine mounts, or s3://bucket/prefix.
    Same layout as the local cache (clips/ab/abcd….wav plus its .json, written after it)."""

    def __init__(self, url: str, endpoint_url: str = "", region: str = ""):
        self.url = url
        self.endpoint_url = endpoint_url
        self.region = region
        self._fs: Any = None
        self._root = ""

    def __getstate__(self) -> dict:  # the filesystem object is made again where it is used
        return {"url": self.url, "endpoint_url": self.endpoint_url, "region": self.region}

    def __setstate__(self, state: dict) -> None:
        self.__init__(**state)  # type: ignore[misc]

    @property
    def fs(self) -> Any:
        if self._fs is None:
            try:
                import fsspec
            except ImportError:
                raise ReadcastError("a shared clip cache needs fsspec", None,
                                    "pip install 'readcast[dask]'") from None
            # a filesystem of our own: fsspec's shared instances would keep the credentials
            # (or their absence) of whoever made one first
            options: dict[str, Any] = {"skip_instance_cache": True}
            if self.url.startswith("s3://"):
                client: dict[str, str] = {}
                if self.endpoint_url:
                    client["endpoint_url"] = self.endpoint_url
                if self.region:
                    client["region_name"] = self.region
                options["client_kwargs"] = client
            try:
                self._fs, root = fsspec.url_to_fs(self.url, **options)
            except (ImportError, ValueError) as exc:
                raise ReadcastError(f"shared clip cache {self.url!r} cannot be opened ({exc})", None,
                                    "for s3:// install s3fs (readcast[dask] has it); check the URL") from None
            self._root = root.rstrip("/")
        return self._fs

    @property
    def local(self) -> bool:
        protocol = self.fs.protocol
        return "file" in (protocol if isinstance(protocol, (tuple, list)) else (protocol,))

    def _paths(self, key: str) -> tuple[str, str]:
        _ = self.fs
        folder = f"{self._root}/clips/{key[:2]}"
        return f"{folder}/{key}.wav", f"{folder}/{key}.json"

    def _failed(self, exc: Exception, doing: str) -> ReadcastError:
        return ReadcastError(f"shared clip cache {self.url} cannot be {doing} ({exc.__class__.__name__}: {exc})", None,
                             "check the URL, the mount or the storage credentials (AWS_ACCESS_KEY_ID...) "
                             "here and on every worker")

    def info(self, key: str) -> dict | None:
        _, meta = self._paths(key)
        try:
            return json.loads(self.fs.cat_file(meta))
        except (FileNotFoundError, ValueError):
            return None
        except Exception as exc:  # the storage's own errors (credentials, network): one line
            raise self._failed(exc, "read") from None

    def _write(self, path: str, data: bytes) -> None:
        try:
            if self.local:  # a mounted folder: whole files only, as the local cache writes them
                tmp = f"{path}.{uuid.uuid4().hex[:8]}.tmp"
                self.fs.makedirs(path.rsplit("/", 1)[0], exist_ok=True)
                self.fs.pipe_file(tmp, data)
                self.fs.mv(tmp, path)
            else:  # an object store's PUT is atomic
                self.fs.pipe_file(path, data)
        except Exception as exc:
            raise self._failed(exc, "written") from None

    def put_file(self, key: str, wav: Path, entry: dict) -> None:
        remote_wav, remote_meta = self._paths(key)
        self._write(remote_wav, wav.read_bytes())
        self._write(remote_meta, json.dumps(entry).encode())

    def put_clip(self, clip: Clip) -> None:
        assert clip.pcm is not None
        import io

        buf = io.BytesIO()
        ClipCache.write_wav(buf, clip.pcm, clip.rate)
        remote_wav, remote_meta = self._paths(clip.key)
        self._write(remote_wav, buf.getvalue())
        self._write(remote_meta, json.dumps(ClipCache.entry(clip.rate, clip.frames, clip.lufs, clip.words)).encode())

    def fetch(self, key: str, cache: ClipCache) -> ClipInfo | None:
        """Copy a shared clip into the local cache (the mix reads only local files)."""
        entry = self.info(key)
        if entry is None:
            return None
        remote_wav, _ = self._paths(key)
        try:
            data = self.fs.cat_file(remote_wav)
        except FileNotFoundError:
            return None
        except Exception as exc:
            raise self._failed(exc, "read") from None
        return cache.put_wav_bytes(key, data, entry)

    def push(self, key: str, cache: ClipCache) -> None:
        """Share a clip made here."""
        wav, meta = cache.paths(key)
        try:
            entry = json.loads(meta.read_text())
        except (OSError, ValueError):
            return
        if self.info(key) is None:
            self.put_file(key, wav, entry)


def synthesize_task(factory: EngineFactory, key: str, spoken: str, rate: int | None,
                    shared: SharedClips | None) -> Clip:
    """What runs on a worker: one sentence, through the worker's own engine."""
    if shared is not None:
        entry = shared.info(key)
        if entry is not None:  # another machine made it meanwhile
            return Clip(key, int(entry["rate"]), int(entry["frames"]), float(entry["lufs"]), None)
    from .synth import make_clip

    engine = factory.engine()
    try:
        samples, out_rate, lufs, words = make_clip(engine, spoken, rate)
    except ReadcastError:
        raise
    except Exception as exc:
        raise EngineError(f"synthesis failed on {_where()} ({exc.__class__.__name__}: {exc})", None,
                          "rebuild; if it repeats, reword or override the sentence") from None
    pcm = ClipCache.to_pcm(samples)
    clip = Clip(key, out_rate, len(pcm), lufs, tuple(words) if words is not None else None, pcm.tobytes())
    if shared is not None:
        shared.put_clip(clip)
        return Clip(key, clip.rate, clip.frames, clip.lufs, clip.words, None)
    return clip


def _where() -> str:
    try:
        from distributed import get_worker

        return f"worker {get_worker().address}"
    except (ImportError, ValueError):
        return f"host {os.uname().nodename}"


def scheduler_address(executor: str) -> str:
    """dask://HOST:PORT -> tcp://HOST:PORT (Dask's own scheme)."""
    return "tcp://" + executor.split("://", 1)[1] if executor.startswith("dask://") else executor


class DaskSynth:
    """Clips made on a Dask cluster, landed in the local cache: `submit` returns a plain
    concurrent.futures Future of the ClipInfo, as the local pool's does."""

    def __init__(self, executor: str, factory: EngineFactory, cache: ClipCache, rate: int | None,
                 shared: SharedClips | None, connect_timeout: float = 15.0):
        try:
            from distributed import Client
        except ImportError:
            raise ReadcastError(f"executor {executor!r} needs Dask", None, "pip install 'readcast[dask]'") from None
        self.address = scheduler_address(executor)
        self.factory = factory
        self.cache = cache
        self.rate = rate
        self.shared = shared
        try:
            self.client = Client(self.address, timeout=connect_timeout, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            raise ReadcastError(f"no Dask scheduler answers at {executor} ({exc.__class__.__name__})", None,
                                "start one ('dask scheduler', then 'dask worker ADDRESS' on each machine), "
                                "or set [build] executor = \"local\"") from None
        self._inner: list[Any] = []
        self._closing = False
        self._count = 0

    def submit(self, key: str, spoken: str) -> Future:
        outer: Future = Future()
        outer.set_running_or_notify_cancel()
        # in the order the episodes need them, as the local pool runs them, so each episode can be
        # mixed and encoded while later ones are still being synthesised
        self._count += 1
        inner = self.client.submit(synthesize_task, self.factory, key, spoken, self.rate, self.shared,
                                   key=f"readcast-clip-{key}", pure=False, retries=2, priority=-self._count)
        self._inner.append(inner)
        inner.add_done_callback(lambda f: self._land(f, outer, key))
        return outer

    def _land(self, inner: Any, outer: Future, key: str) -> None:
        # a task cancelled because the build is ending: asking its result would wait forever on
        # the client's closed connection
        if self._closing or inner.status == "cancelled":
            if not outer.done():
                outer.set_exception(EngineError("synthesis was cancelled", None, "rebuild"))
            return
        try:
            clip: Clip = inner.result()
            if clip.pcm is not None:
                info = self.cache.put_pcm(key, np.frombuffer(clip.pcm, dtype=np.int16), clip.rate, clip.lufs,
                                          list(clip.words) if clip.words is not None else None)
            else:
                assert self.shared is not None
                got = self.shared.fetch(key, self.cache)
                if got is None:
                    raise ReadcastError(f"clip {key[:12]} is missing from the shared cache {self.shared.url}", None,
                                        "check every worker can write there")
                info = got
            outer.set_result(info)
        except BaseException as exc:  # noqa: BLE001 - handed to whoever waits on the clip
            outer.set_exception(exc)

    def shutdown(self, wait: bool = True, cancel_futures: bool = False) -> None:
        self._closing = True
        if cancel_futures:
            for f in self._inner:
                f.cancel()
        self._inner = []
        self.client.close()
