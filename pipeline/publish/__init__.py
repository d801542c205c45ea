"""`readcast publish`: copy the built site to where listeners fetch it, safely.

The rules are the same for every target and live here, above them:

- `check` must pass first, or nothing is sent;
- only files whose content changed are sent (the target says what it holds and by which hash);
- order: media and captions first, then pages, `feed.xml` last, so no app ever reads a feed that
  names something missing; files no longer in the site are deleted after `feed.xml` is replaced
  (the site itself keeps superseded media for the grace period, so they are still there then);
- every file carries its Content-Type and Cache-Control: media names hold a hash, so they are
  immutable; `feed.xml` and pages change, so they live a few minutes in caches;
- an interrupted publish (a dropped connection, kill -9) leaves the remote site as it was or as
  it will be: a file is replaced whole (temp name and rename, or one S3 PUT), and `feed.xml` only
  once everything it names is there; running it again finishes the job.

Targets (`targets.py`): a folder (an nginx root, a network share), S3-compatible storage (boto3),
SSH/SFTP (paramiko). Credentials come from the environment or each tool's usual files, never
from show.toml.
"""

from __future__ import annotations

import hashlib
import logging
import mimetypes
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..config import Show
from ..errors import ReadcastError

log = logging.getLogger(__name__)

IMMUTABLE = "public, max-age=31536000, immutable"
SHORT = "public, max-age=300"
TYPES = {".mp3": "audio/mpeg", ".opus": "audio/ogg; codecs=opus", ".vtt": "text/vtt; charset=utf-8",
         ".srt": "application/x-subrip; charset=utf-8", ".txt": "text/plain; charset=utf-8",
         ".html": "text/html; charset=utf-8", ".json": "application/json", ".xml": "application/rss+xml; charset=utf-8",
         ".xsl": "application/xslt+xml", ".jpg": "image/jpeg", ".png": "image/png", ".css": "text/css"}


class PublishError(ReadcastError):
    """The site could not be sent (the target is unreachable, refuses, or check failed)."""


@dataclass(frozen=True)
class LocalFile:
    name: str                # relative to feed/, with forward slashes
    path: Path
    size: int
    md5: str
    sha256: str

    @property
    def content_type(self) -> str:
        if self.name.endswith("-chapters.json"):
            return "application/json+chapters"
        return TYPES.get(Path(self.name).suffix.lower()) or mimetypes.guess_type(self.name)[0] or "application/octet-stream"

    @property
    def cache_control(self) -> str:
        return IMMUTABLE if self.name.startswith("media/") else SHORT

    @property
    def stage(self) -> int:
        """Upload order: media first, pages next, feed.xml last."""
        return 2 if self.name == "feed.xml" else 0 if self.name.startswith("media/") else 1


def local_site(feed_dir: Path) -> dict[str, LocalFile]:
    out: dict[str, LocalFile] = {}
    for path in sorted(feed_dir.rglob("*")):
        if not path.is_file() or any(part.startswith(".") for part in path.relative_to(feed_dir).parts):
            continue
        md5, sha = hashlib.md5(), hashlib.sha256()
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):  # noqa: B023 - fh is this loop's file
                md5.update(block)
                sha.update(block)
        name = path.relative_to(feed_dir).as_posix()
        out[name] = LocalFile(name, path, path.stat().st_size, md5.hexdigest(), sha.hexdigest())
    return out


@dataclass
class PublishPlan:
    send: list[LocalFile] = field(default_factory=list)
    delete: list[str] = field(default_factory=list)
    same: int = 0

    @property
    def nothing(self) -> bool:
        return not self.send and not self.delete

    def describe(self) -> list[str]:
        out = [f"send {f.name} ({f.size:,} bytes)" for f in self.send]
        out += [f"delete {name}" for name in self.delete]
        return out or ["nothing to send: the remote site is current"]


def plan_publish(local: dict[str, LocalFile], remote: dict[str, str], matches: Callable[[LocalFile, str], bool]) -> PublishPlan:
    plan = PublishPlan()
    for f in sorted(local.values(), key=lambda f: (f.stage, f.name)):
        if f.name in remote and matches(f, remote[f.name]):
            plan.same += 1
        else:
            plan.send.append(f)
    plan.delete = sorted(name for name in remote if name not in local)
    return plan


@dataclass
class PublishReport:
    sent: list[str]
    deleted: list[str]
    unchanged: int
    bytes: int


def publish(show: Show, target_url: str | None = None, dry_run: bool = False,
            on_sent: Callable[[str], None] | None = None) -> tuple[PublishPlan, PublishReport | None]:
    """Send feed/ to the target; returns the plan and, unless a dry run, what was done."""
    from ..check import check_site
    from .targets import open_target

    url = target_url or show.publish.target
    if not url:
        raise PublishError("no publish target", show.root / "show.toml",
                           'set [publish] target = "s3://bucket/prefix", "sftp://user@host/path" or a folder, or pass --to')
    if not (show.feed_dir / "feed.xml").is_file():
        raise PublishError("feed/ has no feed.xml", show.feed_dir, "run 'readcast build' first")
    errors = [p for p in check_site(show) if p.severity == "error"]
    if errors:
        raise PublishError(f"check found {len(errors)} problem(s), the first: {errors[0]}", show.feed_dir,
                           "fix them (readcast check) and publish again; nothing was sent")
    target = open_target(url, show)
    try:
        local = local_site(show.feed_dir)
        plan = plan_publish(local, target.listing(), target.matches)
        if dry_run or plan.nothing:
            return plan, None if dry_run else PublishReport([], [], plan.same, 0)
        sent, total = [], 0
        for f in plan.send:  # already in order: media, pages, feed.xml
            target.put(f)
            sent.append(f.name)
            total += f.size
            if on_sent is not None:
                on_sent(f.name)
        for name in plan.delete:
            target.delete(name)
        target.done(local)
        return plan, PublishReport(sent, list(plan.delete), plan.same, total)
    finally:
        target.close()
