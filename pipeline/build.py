"""Plan the whole series, then do only the work whose inputs changed, then publish.

Like pelican's read-everything-then-write: every article is read and validated first, so one bad
article costs only itself. Each stage knows from hashes whether its outputs are current; a no-op
rebuild reads no audio and writes nothing.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Protocol

from .config import Show
from .episodes import Episode, read_all
from .errors import ReadcastError
from .scripts import ScriptResult, load_script_file, plan_script
from .text.slug import slug_for_stem

if TYPE_CHECKING:
    from ..feed.record import EpisodeRecord  # the audio package is imported only when a plan has audio work
    from .audio import AudioPlan
    from .audio.cache import ClipCache
    from .files import HashCache
    from .index import BuildIndex

log = logging.getLogger(__name__)
STAGES = ("script", "audio", "feed")


class Progress(Protocol):
    def start(self, label: str, total: int) -> None: ...
    def advance(self, n: int = 1) -> None: ...
    def finish(self) -> None: ...


class _Quiet:
    def start(self, label: str, total: int) -> None:
        pass

    def advance(self, n: int = 1) -> None:
        pass

    def finish(self) -> None:
        pass


@dataclass
class EpisodeWork:
    ep: Episode
    script: ScriptResult | None = None
    audio: AudioPlan | None = None


@dataclass
class Plan:
    show: Show
    stages: tuple[str, ...]
    work: list[EpisodeWork]
    problems: list[ReadcastError]
    failed: set[str] = field(default_factory=set)
    feed_current: bool | None = None
    records: list[EpisodeRecord] = field(default_factory=list)
    cover_key: str = ""
    hashes: HashCache | None = None
    unselected: set[str] = field(default_factory=set)
    cache: ClipCache | None = None
    index: BuildIndex | None = None

    @property
    def scripts_to_write(self) -> list[EpisodeWork]:
        return [w for w in self.work if w.script and w.script.state == "written"]

    @property
    def audio_to_render(self) -> list[EpisodeWork]:
        return [w for w in self.work if w.audio is not None and not w.audio.current]

    @property
    def nothing_to_do(self) -> bool:
        return not self.scripts_to_write and not self.audio_to_render and self.feed_current is not False

    def describe(self) -> list[str]:
        out = []
        for w in self.work:
            parts = []
            if w.script is not None:
                parts.append({"written": "write script", "current": "script current", "edited": "script edited by hand (kept)",
                              "edited-stale": "script edited by hand, article changed since (kept; check it)"}[w.script.state])
            if w.audio is not None:
                if w.audio.current:
                    parts.append("audio current")
                else:
                    parts.append(f"render audio ({len(w.audio.missing)} of {len(w.audio.lines)} sentences to synthesise)")
            out.append(f"{w.ep.slug}: " + ", ".join(parts))
        for p in self.problems:
            out.append(f"Error: {p}")
        if "feed" in self.stages:
            out.append("feed: " + ("current" if self.feed_current else "publish feed/"))
        return out


def _failed_slug(problem: ReadcastError) -> str | None:
    if problem.path is None:
        return None
    return slug_for_stem(problem.path.stem)


def make_plan(show: Show, stages: tuple[str, ...] = STAGES, only: list[str] | None = None) -> Plan:
    from .index import BuildIndex

    index = BuildIndex(show.state_dir)
    episodes, problems = read_all(show, only=only, index=index)
    if only:
        known = {e.slug for e in episodes} | {s for s in map(_failed_slug, problems) if s}
        for slug in only:
            if slug not in known:
                problems.append(ReadcastError(f"no episode with slug '{slug}'", show.episodes_dir,
                                              "see 'readcast list' for the slugs"))
    plan = Plan(show, stages, [EpisodeWork(ep) for ep in episodes], problems, index=index)
    plan.failed = {s for s in map(_failed_slug, problems) if s}
    if only:
        # building some episodes must not take the others out of the feed
        from .episodes import discover

        plan.unselected = {slug_for_stem(p.stem) for p in discover(show)} - set(only)

    keep: list[EpisodeWork] = []
    for w in plan.work:
        try:
            if "script" in stages:
                w.script = plan_script(show, w.ep, index=index)
            elif "audio" in stages:
                w.script = load_script_file(show, w.ep)
        except ReadcastError as exc:
            plan.problems.append(exc)
            plan.failed.add(w.ep.slug)
            continue
        keep.append(w)
    plan.work = keep
    if show.digest.days and not only:
        from .digest import add_digests

        add_digests(plan)
    elif only:
        from .feed import load_published

        # building some episodes keeps the published digests, as it keeps the other episodes
        plan.unselected |= {slug for slug in load_published(show) if slug.startswith("digest-")}

    from .files import HashCache

    hashes = HashCache(show.state_dir)
    if "audio" in stages or "feed" in stages:
        from .artwork import cover_key

        plan.cover_key = cover_key(show, hashes)
    if "audio" in stages and plan.work:
        from .audio import asset_key, clip_identity, plan_audio
        from .audio.cache import ClipCache
        from .audio.engines import create_engine
        from .scripts.spoken import narrator_for

        engine = create_engine(show.voice)
        narrator = narrator_for(show)
        identity = clip_identity(show, engine, narrator)
        plan.cache = ClipCache(show.cache_dir)
        assets = asset_key(show, hashes)
        for w in plan.work:
            assert w.script is not None  # the audio stage always plans after the script stage
            w.audio = plan_audio(show, w.ep, w.script.script, narrator, identity, engine.supports_phonemes,
                                 plan.cache, assets, plan.cover_key, index, w.script.text)
    plan.hashes = hashes
    if "feed" in stages:
        plan.records = _records(plan, assume_rendered=True)
        from .feed import feed_current

        pending = any(w.audio is not None and not w.audio.current for w in plan.work)
        plan.feed_current = False if pending else feed_current(show, plan.records, plan.cover_key)
    if not only and stages == STAGES:  # every file was asked about: what was not is gone
        index.prune()
    index.save()
    return plan


def _records(plan: Plan, assume_rendered: bool = False) -> list[EpisodeRecord]:
    """Feed records: fresh ones for episodes with current audio, the last published for failures."""
    from .audio import read_meta
    from .feed import load_published, make_record

    show = plan.show
    loaded: list[dict[str, EpisodeRecord]] = []

    def published() -> dict[str, EpisodeRecord]:
        """The last published records: read only when an episode needs its old one (it is the
        largest file in the show's state)."""
        if not loaded:
            loaded.append(load_published(show))
        return loaded[0]

    records: list[EpisodeRecord] = []
    for w in plan.work:
        if w.ep.slug in plan.failed or w.ep.held_back():
            continue  # a draft, or scheduled for later: built, never in the published feed
        meta = read_meta(show, w.ep.slug, plan.index)
        if meta is None or (w.audio is not None and meta.get("inputs") != w.audio.inputs and not assume_rendered):
            if w.ep.slug in published():
                records.append(published()[w.ep.slug])
            continue
        records.append(make_record(w.ep, meta))
    if plan.failed | plan.unselected:
        have = {r["slug"] for r in records}
        for slug in sorted(plan.failed | plan.unselected):
            if slug in published() and slug not in have:
                records.append(published()[slug])
    return records


@dataclass
class Report:
    scripts_written: int = 0
    episodes_rendered: int = 0
    clips_synthesized: int = 0
    feed_published: bool = False
    problems: list[ReadcastError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def run(plan: Plan, jobs: int | None = None, progress: Progress | None = None,
        verify: Callable[[Plan], set[str]] | None = None) -> Report:
    """`verify`, when given, listens to the rendered audio before the feed is published and
    returns the episodes that must not be published (their last good version stays)."""
    with build_lock(plan.show):
        return _run(plan, jobs, progress, verify)


@contextlib.contextmanager
def build_lock(show: Show):
    """One build at a time per show: a second one would clobber the first one's temp files."""
    import fcntl

    show.state_dir.mkdir(parents=True, exist_ok=True)
    with open(show.state_dir / "build.lock", "w") as fh:
        try:
            # a POSIX record lock, not flock: worker processes forked from this one must not
            # inherit it (they would hold it after a killed build)
            fcntl.lockf(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise ReadcastError("another readcast build is running on this show", show.root,
                                "wait for it to finish") from None
        # a build killed earlier may have left half-written temp files: they are never used
        from .files import clean_stale_temps

        for folder in (show.scripts_dir, show.rendered_dir, show.state_dir, show.feed_dir, show.feed_dir / "media"):
            clean_stale_temps(folder)
        yield


def _run(plan: Plan, jobs: int | None, progress: Progress | None,
         verify: Callable[[Plan], set[str]] | None = None) -> Report:
    import time

    show = plan.show
    clock = {"started": time.monotonic()}
    progress = progress or _Quiet()
    report = Report(problems=list(plan.problems))

    if plan.hashes is not None:
        plan.hashes.save()  # only when a file really had to be hashed again

    # 1. scripts
    from .files import write_text

    for w in plan.work:
        if w.script is None:
            continue
        if w.script.state == "written":
            write_text(w.script.path, w.script.text)
            report.scripts_written += 1
        elif w.script.state == "edited-stale":
            msg = (f"{w.script.path}: kept your edits, but {w.ep.source.name} changed since; "
                   "check the script still matches (delete it to regenerate)")
            log.warning(msg)
            report.warnings.append(msg)

    clock["script"] = time.monotonic()
    # 2. audio: synthesise every missing clip of every stale episode, mixing each as it completes
    todo = plan.audio_to_render
    after: list[Callable[[], None]] = []
    prepared: threading.Thread | None = None
    if todo:
        from .artwork import thumbnail
        from .audio import MusicLoader, render
        from .audio.synth import ClipJob, Synthesizer

        cache = plan.cache
        assert cache is not None
        audio = [(w, w.audio) for w in todo if w.audio is not None]
        # clips cached at another sample rate are resampled, not synthesised again
        for _w, a in audio:
            for key, other in a.adopt.items():
                if not cache.has(key) and cache.resampled(other, key, show.audio.sample_rate) is None:
                    a.missing.append(key)
        # a sentence two episodes share is synthesised once: count it once, as the summary does
        total = len({key for _, a in audio for key in a.missing})
        progress.start("Synthesising sentences", total)
        shared = None
        if show.build.shared_cache:
            from .audio.remote import SharedClips

            shared = SharedClips(show.build.shared_cache, show.publish.endpoint_url, show.publish.region)
        with Synthesizer(show.voice, cache, jobs, expected=total, rate=show.audio.sample_rate,
                         executor=show.build.executor, shared=shared, timeout=show.build.task_timeout,
                         server_idle=show.build.voice_server_idle) as synth:
            futures = {}
            for _w, a in audio:
                for line in a.lines:
                    if line.key in a.missing and line.key not in futures:
                        fut = synth.submit(ClipJob(line.key, line.spoken))
                        fut.add_done_callback(lambda _f: progress.advance())
                        futures[line.key] = fut
            # while the voice starts
            if futures and "feed" in plan.stages:
                prepared = threading.Thread(target=_prepare_publishing, name="prepare", daemon=True)
                prepared.start()
            jpeg = thumbnail(show)
            music = MusicLoader(show, plan.hashes)
            for w, a in audio:
                try:
                    render(show, a, cache, futures, music, jpeg, timeout=synth.timeout, where=show.build.executor)
                    report.episodes_rendered += 1
                except ReadcastError as exc:
                    report.problems.append(exc)
                    plan.failed.add(w.ep.slug)
            # a clip fetched from the shared cache was not synthesised by this build
            report.clips_synthesized = sum(1 for f in futures.values() if f.done() and not f.exception()) - synth.fetched
            if synth.served:
                log.info("%d sentence(s) made by the voice server (the voice kept loaded since an earlier build)",
                         synth.served)
            after.append(synth.start_server)
        progress.finish()
        if cache is not None:
            keep = {ln.key for w in plan.work if w.audio for ln in w.audio.lines}
            cache.prune(show.build.cache_limit_mb * 1_000_000, keep)

    if prepared is not None:
        prepared.join()
    clock["audio"] = time.monotonic()
    # 3. listen back, before anything is published
    if verify is not None:
        for slug in sorted(verify(plan)):
            plan.failed.add(slug)
            report.problems.append(ReadcastError("flagged by verify (see above); its last published version stays",
                                                 plan.show.rendered_dir / f"{slug}.verify.json",
                                                 "fix the script or lexicon, or set [verify] fail = false"))

    clock["listen"] = time.monotonic()
    # 4. feed
    if "feed" in plan.stages:
        records = _records(plan)
        from .feed import feed_current, publish

        if not feed_current(show, records, plan.cover_key):
            from .artwork import cover
            from .audio import rendered_paths

            rendered = {r["slug"]: rendered_paths(show, r["slug"])[0] for r in records}
            publish(show, records, cover(show), plan.cover_key, rendered)
            report.feed_published = True
        _preview(plan, records)
    clock["feed"] = time.monotonic()
    _record_build(plan, report, clock)
    for job in after:  # what may run behind the finished build (the voice server)
        job()
    return report


def _prepare_publishing() -> None:
    """What publishing will need, loaded while this process only waits for the voice: the feed's
    modules and the page templates (0.05 s of a one-sentence edit's 0.7 s). Whatever fails here
    fails again where publishing does it, and is said there."""
    try:
        from . import check  # noqa: F401 - imported for the build's check after publishing
        from .feed import pages, rss  # noqa: F401

        pages.prepare()
    except Exception as exc:  # noqa: BLE001
        log.debug("could not prepare publishing ahead: %s", exc)


def _preview(plan: Plan, records: list[EpisodeRecord]) -> None:
    """Drafts and scheduled episodes, with everything published, in a preview site of their own
    (.readcast/preview/feed, served by `readcast serve --preview`); never in feed/."""
    import dataclasses
    import shutil

    from .audio import read_meta, rendered_paths
    from .feed import make_record, publish

    show = plan.show
    root = show.state_dir / "preview"
    held = []
    for w in plan.work:
        if w.ep.held_back() and w.ep.slug not in plan.failed:
            meta = read_meta(show, w.ep.slug)
            if meta is not None:
                held.append(make_record(w.ep, meta))
    if not held:
        shutil.rmtree(root, ignore_errors=True)
        return
    from .artwork import cover

    preview = dataclasses.replace(show, root=root)
    everything = records + held
    rendered = {r["slug"]: rendered_paths(show, r["slug"])[0] for r in everything}
    publish(preview, everything, cover(show), plan.cover_key, rendered)


def _record_build(plan: Plan, report: Report, clock: dict[str, float]) -> None:
    """What the build report's summary shows: time per stage and cache reuse."""
    from datetime import datetime, timezone

    from .files import write_json

    stages = {}
    prev = clock["started"]
    for name in ("script", "audio", "listen", "feed"):
        stages[name] = round(clock[name] - prev, 3)
        prev = clock[name]
    write_json(plan.show.state_dir / "last-build.json", {
        "finished": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "seconds": stages,
        "episodes_rendered": [w.ep.slug for w in plan.audio_to_render],
        "clips_synthesised": report.clips_synthesized,
        "clips_in_episodes": sum(len(w.audio.lines) for w in plan.work if w.audio is not None),
    })
