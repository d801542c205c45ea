"""The readcast command line: thin. Each command parses options, loads the show, calls one
library function, and turns library errors into one `Error:` line and exit code 1.

Imports of the heavy stages happen inside the commands, so `readcast --help` stays instant.
"""

from __future__ import annotations

import functools
import json
import logging
import sys
import threading
import time
from pathlib import Path

import click

from . import __version__


class EngineChoice(click.ParamType):
    """An engine name from the registry, read only when the option is used or its help shown (the
    registry lives in the audio package, which every command's start-up should not import)."""

    name = "engine"

    def _names(self) -> list[str]:
        from .audio.engines import engine_names

        return engine_names(include_hidden=False)

    def get_metavar(self, param, *args, **kwargs) -> str:  # click 8.2 added ctx
        return "[" + "|".join(self._names()) + "]"

    def convert(self, value, param, ctx):
        from .audio.engines import engine_names

        if value in engine_names():
            return value
        self.fail(f"{value!r} is not one of {', '.join(self._names())}", param, ctx)


ENGINE_CHOICES = EngineChoice()

log = logging.getLogger("pipeline")


# --- output -------------------------------------------------------------------------------
class _Handler(logging.Handler):
    """Library log records as plain lines on stderr: 'Warning: ...' for warnings."""

    def emit(self, record: logging.LogRecord) -> None:
        msg = record.getMessage()
        if record.levelno >= logging.ERROR:
            text = f"Error: {msg}"
        elif record.levelno >= logging.WARNING:
            text = f"Warning: {msg}"
        else:
            text = msg
        click.echo(text, err=True)


def _setup_logging(verbose: bool, quiet: bool) -> None:
    root = logging.getLogger("pipeline")
    root.handlers[:] = [_Handler()]
    root.setLevel(logging.DEBUG if verbose else logging.ERROR if quiet else logging.WARNING)
    root.propagate = False


class Bar:
    """A progress bar with time left on a terminal; a plain line per 10% elsewhere (CI, pipes)."""

    def __init__(self, quiet: bool = False):
        self.quiet = quiet
        self.tty = sys.stderr.isatty()
        self.lock = threading.Lock()
        self.done = self.total = 0
        self.label = ""
        self.t0 = 0.0
        self._last_decile = -1

    def start(self, label: str, total: int) -> None:
        self.label, self.total, self.done, self.t0 = label, total, 0, time.monotonic()
        self._last_decile = -1
        if total and not self.quiet and not self.tty:
            click.echo(f"{label}: {total} to do", err=True)
        self._draw()

    def advance(self, n: int = 1) -> None:
        with self.lock:
            self.done += n
            self._draw()

    def _draw(self) -> None:
        if self.quiet or not self.total:
            return
        frac = self.done / self.total
        elapsed = time.monotonic() - self.t0
        left = elapsed / self.done * (self.total - self.done) if self.done else 0
        if self.tty:
            width = 28
            fill = int(frac * width)
            eta = f"{int(left // 60)}:{int(left % 60):02d} left" if self.done else "starting"
            click.echo(f"\r{self.label} [{'#' * fill}{'.' * (width - fill)}] {self.done}/{self.total} {eta}  ",
                       err=True, nl=False)
        else:
            decile = int(frac * 10)
            if decile != self._last_decile and self.done:
                self._last_decile = decile
                click.echo(f"{self.label}: {self.done}/{self.total} ({frac:.0%}, {left:.0f} s left)", err=True)

    def finish(self) -> None:
        if self.tty and self.total and not self.quiet:
            click.echo("", err=True)
        self.total = 0


def _fail(exc: Exception) -> "click.ClickException":
    return click.ClickException(str(exc))


def handle_errors(fn):
    """Expected failures become `Error: <one line>` and exit 1; Ctrl-C says what is safe."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        from .errors import ReadcastError

        try:
            return fn(*args, **kwargs)
        except ReadcastError as exc:
            from .errors import ConfigErrors

            problems = exc.problems if isinstance(exc, ConfigErrors) else [exc]
            for earlier in problems[:-1]:  # every problem in show.toml at once, one line each
                click.echo(f"Error: {earlier}", err=True)
            raise _fail(problems[-1]) from None
        except KeyboardInterrupt:
            click.echo("\nInterrupted. Published files are intact; run the command again to resume.", err=True)
            sys.exit(130)

    return wrapper


def _load(show_dir: str | None, **overrides):
    from .config import load_show

    show = load_show(Path(show_dir or "."))
    return show.with_overrides(**overrides)


show_option = click.option("--show", "show_dir", metavar="DIR", default=None,
                           help="The show folder (default: the current folder).")
verbosity = [click.option("-q", "--quiet", is_flag=True, help="Only errors."),
             click.option("-v", "--verbose", is_flag=True, help="Say what each step does.")]


def with_verbosity(fn):
    for opt in reversed(verbosity):
        fn = opt(fn)
    return fn


def entry() -> None:
    """The `readcast` command (its console script and `python -m pipeline`)."""
    import atexit
    import gc

    # At exit the interpreter's last garbage collections walk every object the command made:
    # 0.04-0.05 s of a 0.7 s one-sentence edit. Nothing readcast needs happens in them (every file
    # it writes is closed and renamed into place before the command returns; atexit handlers,
    # threads, workers and objects freed by reference counting are untouched), so the collector
    # is told to leave what exists then alone. Only here: not when main() runs inside a test.
    atexit.register(gc.freeze)
    main(prog_name="readcast")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="readcast")
def main() -> None:
    """readcast: turn a series of written articles into a narrated podcast.

    A show is a folder: episodes/ (articles) -> scripts/ (narration) -> audio/ (MP3s) -> feed/
    (the podcast site). Run `readcast build` in it, or pass --show DIR.
    """


def _fail_with(problems: list, exit_now: bool = True) -> None:
    """One `Error:` line per problem on stderr, then exit 1 when there were any."""
    for p in problems:
        click.echo(f"Error: {p}", err=True)
    if problems and exit_now:
        sys.exit(1)


def _run_stages(show_dir, stages, slugs, jobs, dry_run, quiet, verbose, listen=False, say_idle=True,
                **overrides) -> None:
    from .build import make_plan, run

    _setup_logging(verbose, quiet)
    show = _load(show_dir, **overrides)
    if listen:
        from .verify import require_extra

        require_extra()
    t0 = time.monotonic()
    plan = make_plan(show, stages, list(slugs) or None)
    if dry_run:
        for line in plan.describe():
            click.echo(line)
        if plan.problems:
            sys.exit(1)
        return
    if plan.nothing_to_do and not plan.problems:
        if not quiet and say_idle:
            click.echo(f"Nothing to do: {len(plan.work)} episode(s) up to date.")
        if listen and _listen(plan, quiet):
            sys.exit(1)  # [verify] fail = true and something is flagged (what was published stays)
        return
    hook = None
    if listen:
        def hook(plan) -> set[str]:
            return _listen(plan, quiet)

    report = run(plan, jobs=jobs, progress=Bar(quiet), verify=hook)
    if "feed" in stages and report.feed_published and not report.problems:
        from .check import check_site

        for problem in check_site(show):
            if problem.severity == "error" or not quiet:
                click.echo(str(problem), err=True)
            if problem.severity == "error":
                report.problems.append(problem)  # type: ignore[arg-type]
    if not quiet:
        parts = []
        if "script" in stages:
            parts.append(f"{report.scripts_written} script(s) written")
        if "audio" in stages:
            parts.append(f"{report.episodes_rendered} episode(s) rendered ({report.clips_synthesized} sentences synthesised)")
        if "feed" in stages:
            parts.append("feed published to feed/" if report.feed_published else "feed current")
        click.echo(f"{'; '.join(parts)}. {time.monotonic() - t0:.1f} s.")
    changed = report.scripts_written or report.episodes_rendered or report.feed_published
    if changed and "audio" in stages and "feed" in stages and not quiet:
        _report_after_build(show)
    if verbose:
        import resource

        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        click.echo(f"peak memory: readcast {own:.0f} MB, largest helper process {kids:.0f} MB", err=True)
    if report.problems:
        _fail_with(report.problems, exit_now=False)
        n = len(report.problems)
        click.echo(f"{n} problem{'s' if n != 1 else ''}; everything else was built and feed/ keeps the last good "
                   "version of what failed.", err=True)
        sys.exit(1)


def _report_after_build(show) -> None:
    """Point at the build report. It is written in a background process (READCAST_REPORT=
    background, the default), so the build returns at once; `inline` writes it before returning,
    `off` skips it."""
    import os
    import subprocess

    how = os.environ.get("READCAST_REPORT", "background")
    if how == "off":
        return
    path = show.state_dir / "report" / "index.html"
    if how == "inline":
        from .report import write_report

        write_report(show)
    else:
        subprocess.Popen([sys.executable, "-m", "pipeline", "report", "--show", str(show.root)],
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         start_new_session=True)
    click.echo(f"Report: {path}")


def _stage_command(name: str, stages: tuple[str, ...], doc: str):
    @main.command(name, help=doc)
    @show_option
    @click.argument("slugs", nargs=-1)
    @click.option("--engine", type=ENGINE_CHOICES, default=None, help="Override voice.engine.")
    @click.option("--base-url", default=None, metavar="URL", help="Override base_url (where feed/ is served).")
    @click.option("-j", "--jobs", type=click.IntRange(1, 64), default=None, help="Synthesis processes (default: cores).")
    @click.option("-n", "--dry-run", is_flag=True, help="Print what would be done, and do nothing.")
    @click.option("--verify", "listen", is_flag=True, hidden="audio" not in stages,
                  help="Listen back to every episode before publishing it (see `readcast verify`).")
    @click.option("--executor", default=None, metavar="WHERE", hidden="audio" not in stages,
                  help='Where sentences are synthesised: "local" or "dask://HOST:PORT" (overrides [build] executor).')
    @with_verbosity
    @handle_errors
    def command(show_dir, slugs, engine, base_url, jobs, dry_run, quiet, verbose, listen, executor):
        if executor is not None and executor != "local" and not executor.startswith(("dask://", "tcp://")):
            from .errors import ReadcastError

            raise ReadcastError(f"--executor {executor!r} is not \"local\" or \"dask://HOST:PORT\"", None,
                                "give the Dask scheduler's address, e.g. --executor dask://10.0.0.5:8786")
        _run_stages(show_dir, stages, slugs, jobs, dry_run, quiet, verbose, listen=listen and "audio" in stages,
                    **{"voice.engine": engine, "base_url": base_url, "build.executor": executor})

    return command


build = _stage_command("build", ("script", "audio", "feed"),
                       "Run every stage: articles -> scripts -> audio -> feed/ (only what changed).")
audio = _stage_command("audio", ("audio",), "Render audio/episodes/*.mp3 from the scripts in scripts/.")
feed = _stage_command("feed", ("feed",), "Publish feed/ (feed.xml, pages, transcripts) from rendered audio.")


def _print_checks(checks, quiet: bool) -> None:
    for c in checks:
        flagged = c.flagged
        click.echo(f"{c.slug}: {len(c.sentences)} sentences, word error vs written {c.wer:.1%}, "
                   f"{len(flagged)} flagged ({c.recognized} recognised, {len(c.sentences) - c.recognized} from cache)")
        if quiet:
            continue
        for s in flagged:
            causes = ", ".join(dict.fromkeys(d.cause for d in s.comparison.flags))
            click.echo(f"  #{s.number} [{causes}]")
            click.echo(f"      written: {s.written}")
            if s.spoken != s.written:
                click.echo(f"      given:   {s.spoken}")
            click.echo(f"      heard:   {s.heard}")
            for d in s.comparison.flags:
                click.echo(f"      - expected \"{d.expected}\", heard \"{d.heard}\" ({d.cause})")
            for tip in s.suggestions:
                click.echo(f"      > {tip}")


def _listen(plan, quiet: bool) -> set[str]:
    """build --verify: check the built episodes; flagged ones fail when [verify] fail = true."""
    from .verify import verify_plan

    checks, problems = verify_plan(plan, progress=Bar(quiet))
    _print_checks(checks, quiet)
    for p in problems:
        click.echo(f"Warning: {p}", err=True)
    if not plan.show.verify.fail:
        return set()
    return {c.slug for c in checks if c.flagged}


@main.command("verify")
@show_option
@click.argument("slugs", nargs=-1)
@click.option("--try", "tries", multiple=True, metavar="WORD=RESPELLING",
              help="Synthesise the sentences using WORD with this respelling and say what is heard (repeatable).")
@click.option("--accept", "accepts", multiple=True, metavar="WORD",
              help="Mark WORD as right by ear (lexicon.toml `accepted`): never flagged again.")
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
@with_verbosity
@handle_errors
def verify_cmd(show_dir, slugs, tries, accepts, as_json, quiet, verbose):
    """Listen back: a speech recogniser checks every sentence of the built episodes against the article.

    Flags the sentences a listener would hear wrong, with a likely cause and a fix to try, and
    writes audio/episodes/SLUG.verify.json. Needs the listen-back extra: pip install 'readcast[verify]'.
    """
    import json as _json

    from .build import make_plan
    from .errors import ReadcastError
    from .verify import accept_words, require_extra, try_respellings, verify_plan

    _setup_logging(verbose, quiet)
    show = _load(show_dir)
    if accepts:
        path = accept_words(show, list(accepts))
        click.echo(f"{path}: accepted {', '.join(accepts)}")
        show = _load(show_dir)  # and verify again: the heard text is cached, so this is quick
    require_extra()
    plan = make_plan(show, ("audio",), list(slugs) or None)
    _fail_with(plan.problems)
    if tries:
        by_word: dict[str, list[str]] = {}
        for item in tries:
            word, sep, respelling = item.partition("=")
            if not sep or not word.strip() or not respelling.strip():
                raise ReadcastError(f"--try {item!r} is not WORD=RESPELLING", None,
                                    "write it as --try Kalinovka=kah-LEE-nov-kah")
            by_word.setdefault(word.strip(), []).append(respelling.strip())
        for word, candidates in by_word.items():
            for t in try_respellings(plan, word, candidates):
                verdict = "heard right" if t.word_heard_right else "heard wrong"
                click.echo(f"{word} = {t.respelling!r}: {verdict}: \"{t.heard}\"")
        return
    checks, problems = verify_plan(plan, progress=Bar(quiet or as_json))
    if as_json:
        click.echo(_json.dumps([c.as_json() for c in checks], indent=2, ensure_ascii=False))
    else:
        _print_checks(checks, quiet)
    _fail_with(problems, exit_now=False)
    if problems or (show.verify.fail and any(c.flagged for c in checks)):
        sys.exit(1)


@main.command("publish")
@show_option
@click.option("--to", "target", default=None, metavar="URL",
              help="Send here instead of [publish] target: s3://bucket/prefix, sftp://user@host/path or a folder.")
@click.option("-n", "--dry-run", is_flag=True, help="Print what would be sent and deleted, with sizes; send nothing.")
@with_verbosity
@handle_errors
def publish_cmd(show_dir, target, dry_run, quiet, verbose):
    """Send feed/ to where listeners fetch it: check first, only what changed, media first and
    feed.xml last, deletions after; an interrupted publish is finished by running it again."""
    from .publish import publish

    _setup_logging(verbose, quiet)
    show = _load(show_dir)
    plan, done = publish(show, target, dry_run=dry_run)
    if dry_run:
        for line in plan.describe():
            click.echo(line)
        return
    assert done is not None
    if not quiet:
        if plan.nothing:
            click.echo(f"Nothing to send: {plan.same} file(s) already published.")
        else:
            click.echo(f"Published: {len(done.sent)} file(s) sent ({done.bytes / 1e6:.1f} MB), "
                       f"{len(done.deleted)} deleted, {done.unchanged} unchanged; feed.xml last.")


@main.command("update")
@show_option
@click.option("--to", "target", default=None, metavar="URL", help="Publish here instead of [publish] target.")
@handle_errors
def update_cmd(show_dir, target):
    """For cron: import what [sources] hold that is new, build, check, publish. Prints one line;
    exits 0 when it published, 3 when there was nothing new, 1 when something failed."""
    from .update import update

    _setup_logging(False, True)
    show = _load(show_dir)
    result = update(show, target)
    for p in result.problems:
        click.echo(f"Error: {p}", err=True)
    click.echo(result.summary)
    sys.exit(result.status)


@main.command("report")
@show_option
@click.argument("slugs", nargs=-1)
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Write the report here (default: .readcast/report/index.html).")
@click.option("--open", "open_it", is_flag=True, help="Open it in the default browser.")
@handle_errors
def report_cmd(show_dir, slugs, output, open_it):
    """Write the producer's build report: waveform, loudness, every sentence on a time line
    (reused, synthesised, edited, flagged; click to play), what changed, and check's findings."""
    from .report import write_report

    show = _load(show_dir)
    path = write_report(show, list(slugs) or None, Path(output).resolve() if output else None)
    click.echo(str(path))
    if open_it:
        import webbrowser

        webbrowser.open(path.as_uri())


@main.command("script")
@show_option
@click.argument("slugs", nargs=-1)
@click.option("--spoken", is_flag=True, help="Print the exact text the engine receives, line by line; write nothing.")
@click.option("-n", "--dry-run", is_flag=True, help="Print what would be done, and do nothing.")
@with_verbosity
@handle_errors
def script_cmd(show_dir, slugs, spoken, dry_run, quiet, verbose):
    """Write narration scripts to scripts/ (keeping producers' edits)."""
    if not spoken:
        _run_stages(show_dir, ("script",), slugs, None, dry_run, quiet, verbose)
        return
    from .build import make_plan
    from .scripts.spoken import narrator_for

    _setup_logging(verbose, quiet)
    show = _load(show_dir)
    plan = make_plan(show, ("script",), list(slugs) or None)
    _fail_with(plan.problems)
    narrator = narrator_for(show)
    from .audio.engines import create_engine

    phonemes = create_engine(show.voice).supports_phonemes
    for w in plan.work:
        if w.script is None:
            continue
        for section in w.script.script.sections:
            click.echo(f"[{section.kind}: {section.title}]")
            for paragraph in section.paragraphs:
                for sentence in paragraph:
                    click.echo(narrator.speak(sentence, phonemes=phonemes))
                click.echo("")


@main.command("list")
@show_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON (one array) instead of a table.")
@handle_errors
def list_cmd(show_dir, as_json):
    """List every episode's metadata (duration once rendered)."""
    from .audio import read_meta
    from .episodes import read_all
    from .index import BuildIndex

    _setup_logging(False, False)
    show = _load(show_dir)
    index = BuildIndex(show.state_dir)  # what the last build learnt: nothing unchanged is parsed
    episodes, problems = read_all(show, index=index)
    rows = []
    for ep in episodes:
        row = ep.metadata()
        meta = read_meta(show, ep.slug, index)
        row["duration"] = meta["duration"] if meta else None
        rows.append(row)
    index.save()
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
    else:
        table = [(r["slug"], f"#{r['number']}" if r["number"] is not None else "-", r["published"][:10], r["title"],
                  f"{r['duration'] / 60:.1f} min" if r["duration"] else "not rendered") for r in rows]
        if table:
            import shutil

            width = shutil.get_terminal_size((100, 24)).columns
            widths = [max(len(row[i]) for row in table) for i in range(5)]
            # the title gets what the terminal has left; the other columns are never cut
            room = width - sum(widths) + widths[3] - 8
            widths[3] = max(12, min(widths[3], room))
            for slug, num, day, title, dur in table:
                title = title if len(title) <= widths[3] else title[: widths[3] - 1] + "\u2026"
                click.echo(f"{slug:<{widths[0]}}  {num:>{widths[1]}}  {day}  {title:<{widths[3]}}  {dur}")
    _fail_with(problems)


@main.command("init")
@click.argument("directory", type=click.Path(file_okay=False))
@click.option("--title", default=None, help="The show's title.")
@click.option("--owner-email", default=None,
              help="The owner's email for podcast directories (Apple requires one); asked when interactive.")
@handle_errors
def init_cmd(directory, title, owner_email):
    """Make a new, empty show in DIRECTORY with a commented show.toml."""
    from .init import init_show

    if owner_email is None and sys.stdin.isatty():
        owner_email = click.prompt("Owner email for podcast directories (Enter to add it later)", default="",
                                   show_default=False)
    path = init_show(Path(directory), title=title, owner_email=(owner_email or "").strip())
    click.echo(f"Made a new show in {path}. Put articles in {path / 'episodes'} and run: readcast build --show {path}")


@main.command("say")
@show_option
@click.argument("text")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None, help="Write a WAV file here.")
@click.option("--print", "print_only", is_flag=True, help="Print what the engine would receive; do not synthesise.")
@click.option("--engine", type=ENGINE_CHOICES, default=None, help="Override voice.engine.")
@handle_errors
def say_cmd(show_dir, text, output, print_only, engine):
    """Speak TEXT through the show's normaliser, lexicon and voice (check a fix in seconds)."""
    from .say import say

    _setup_logging(False, False)
    show = _load(show_dir, **{"voice.engine": engine})
    spoken, path = say(show, text, None if print_only else Path(output or "say.wav"))
    click.echo(spoken)
    if path is not None:
        click.echo(f"Wrote {path}", err=True)


@main.command("voices")
@handle_errors
def voices_cmd():
    """List engines and voices, and which work offline."""
    from .audio.engines import list_voices

    for v in list_voices():
        where = "offline" if v.offline else "online"
        state = "usable" if v.usable else "not usable"
        click.echo(f"{v.engine:<6} {v.voice:<20} {v.language:<24} {where:<8} {state}  {v.note}")


@main.command("check")
@show_option
@click.option("--deep", is_flag=True, help="Also decode every MP3 and measure its loudness.")
@handle_errors
def check_cmd(show_dir, deep):
    """Validate feed/ the way podcast directories do; one line per problem, exit 1 on errors."""
    from .check import check_site

    show = _load(show_dir)
    problems = check_site(show, deep=deep)
    for p in problems:
        click.echo(str(p))
    errors = [p for p in problems if p.severity == "error"]
    if not problems:
        click.echo("feed/ passes every check.")
    if errors:
        sys.exit(1)


@main.command("watch")
@show_option
@click.option("-j", "--jobs", type=click.IntRange(1, 64), default=None, help="Synthesis processes (default: cores).")
@with_verbosity
@handle_errors
def watch_cmd(show_dir, jobs, quiet, verbose):
    """Build, then build again whenever an article, a script, the lexicon, show.toml or the music
    changes, until Ctrl-C. The voice stays loaded between builds: a one-word fix is heard about a
    second after it is saved."""
    from .audio.synth import keep_engine
    from .errors import ReadcastError
    from .watch import watch

    root = Path(show_dir or ".")

    def build() -> None:
        try:
            _run_stages(show_dir, ("script", "audio", "feed"), (), jobs, False, quiet, verbose, say_idle=False)
        except ReadcastError as exc:  # a bad show.toml: said, and watched until it is fixed
            problems = getattr(exc, "problems", None) or [exc]
            _fail_with(problems, exit_now=False)
        except SystemExit:  # the build said what failed; what was published stays
            pass

    def ready() -> None:
        from .config import load_show

        try:
            keep_engine(load_show(root).voice)
        except ReadcastError:
            pass  # the show cannot be read yet: the engine is loaded by the first build that can
        if not quiet:
            click.echo(f"Watching {root.resolve()} for changes (Ctrl-C stops).")

    import signal

    def stop(_signum, _frame) -> None:  # `kill` or a service manager stops it as Ctrl-C does
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        watch(root, build, ready)
    except KeyboardInterrupt:
        pass  # a build it interrupts leaves what was published as it was, as `build` does
    if not quiet:
        click.echo("Stopped watching.")


@main.command("serve")
@show_option
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="0 picks a free port.")
@click.option("--bind", default="127.0.0.1", show_default=True, help="Address to listen on (others only when asked).")
@click.option("--preview", is_flag=True, help="Serve the preview site: the published episodes plus drafts and scheduled ones.")
@handle_errors
def serve_cmd(show_dir, port, bind, preview):
    """Serve feed/ locally, with the feed's URLs pointing at this server."""
    import dataclasses

    from .serve import serve

    show = _load(show_dir)
    if preview:
        show = dataclasses.replace(show, root=show.state_dir / "preview")
    serve(show, bind, port, announce=lambda url: click.echo(f"Serving {show.feed_dir} at {url} (subscribe: {url}feed.xml). Ctrl-C stops.", err=True))


@main.command("clean")
@show_option
@click.option("--all", "everything", is_flag=True, help="Empty the clip cache completely.")
@handle_errors
def clean_cmd(show_dir, everything):
    """Prune the clip cache to its size limit (or empty it with --all)."""
    from .clean import clean

    show = _load(show_dir)
    click.echo(str(clean(show, everything)))


@main.command("add")
@show_option
@click.argument("sources", nargs=-1, required=True)
@click.option("--title", default=None)
@click.option("--number", type=int, default=None)
@click.option("--published", default=None, metavar="YYYY-MM-DD")
@click.option("--author", default=None)
@click.option("--series", default=None)
@handle_errors
def add_cmd(show_dir, sources, title, number, published, author, series):
    """Import articles (text, Markdown, HTML, URLs, RSS/Atom feeds) into episodes/."""
    from .add import add_sources

    _setup_logging(False, False)
    show = _load(show_dir)
    overrides = {"title": title, "number": number, "published": published, "author": author, "series": series}
    report = add_sources(show, list(sources), {k: v for k, v in overrides.items() if v is not None})
    for line in report.lines:
        click.echo(line)
    _fail_with(report.problems)
