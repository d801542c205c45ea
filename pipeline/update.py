"""`readcast update`: the whole routine in one command, for cron or a systemd timer.

Import what the show's `[sources]` hold that is not imported yet, build what changed, check,
publish. Safe to run every ten minutes: one run at a time (a lock), and when nothing is new it
writes nothing anywhere (the publish step reads the remote listing, finds nothing to send, and
sends nothing). Articles that fail to import are reported and tried again next run; they never
stop the others. The exit status says what happened: 0 published, 3 nothing new, 1 failed.
"""

from __future__ import annotations

import fcntl
from dataclasses import dataclass, field

from .config import Show
from .errors import ReadcastError

PUBLISHED, NOTHING_NEW, FAILED = 0, 3, 1
ARTICLE_SUFFIXES = {".txt", ".md", ".markdown", ".html", ".htm"}


@dataclass
class UpdateResult:
    status: int
    summary: str
    problems: list[ReadcastError] = field(default_factory=list)


def _sources(show: Show) -> list[str]:
    out = list(show.sources.feeds)
    for folder in show.sources.folders:
        path = show.path(folder)
        if path.is_dir():
            out += [str(p) for p in sorted(path.iterdir()) if p.is_file() and p.suffix.lower() in ARTICLE_SUFFIXES]
    return out


def update(show: Show, publish_to: str | None = None) -> UpdateResult:
    from .add import add_sources
    from .build import make_plan, run
    from .publish import publish

    show.state_dir.mkdir(parents=True, exist_ok=True)
    with open(show.state_dir / "update.lock", "w") as lock:
        try:
            fcntl.lockf(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return UpdateResult(FAILED, "another readcast update is running on this show; this run did nothing")
        sources = _sources(show)
        added = add_sources(show, sources) if sources else None
        problems: list[ReadcastError] = list(added.problems) if added else []
        plan = make_plan(show)
        problems += plan.problems
        report = None
        if not plan.nothing_to_do:
            report = run(plan)
            problems += [p for p in report.problems if p not in problems]
        if not (publish_to or show.publish.target):
            built = bool(report and (report.episodes_rendered or report.feed_published))
            return UpdateResult(FAILED if problems else PUBLISHED if built else NOTHING_NEW,
                                f"{len(added.added) if added else 0} imported; "
                                f"{'built' if built else 'nothing to build'}; no [publish] target", problems)
        try:
            pplan, done = publish(show, publish_to)
        except ReadcastError as exc:
            return UpdateResult(FAILED, f"publish failed: {exc}", problems + [exc])
        sent = len(done.sent) if done else 0
        imported = len(added.added) if added else 0
        summary = (f"{imported} article(s) imported, {report.episodes_rendered if report else 0} episode(s) rendered, "
                   f"{sent} file(s) published" + (f", {len(problems)} problem(s)" if problems else ""))
        if problems and not sent:
            return UpdateResult(FAILED, summary, problems)
        return UpdateResult(PUBLISHED if sent else NOTHING_NEW, summary if sent else f"nothing new ({summary})", problems)

