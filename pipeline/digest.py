"""Digest episodes: every N days (weekly by default), one episode of all that period's articles.

Each story is one chapter, linking back to its article. The story's sentences are the ones its
own script holds (a producer's edits included), so their clips are already in the cache: a digest
costs only its own intro, outro and joins. Periods are whole days aligned to a fixed Monday
(1970-01-05), so a weekly digest runs Monday to Sunday and never moves; only periods that are
over are published (a digest never changes after listeners have it), the latest `keep` of them.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from .config import Show
from .episodes import Episode
from .files import digest
from .scripts.generate import written_date
from .scripts.model import Script, ScriptSection

DIGEST_VERSION = "1"
_EPOCH = date(1970, 1, 5)  # a Monday


@dataclass
class Period:
    start: date
    end: date                 # the last day in it
    members: list[tuple[Episode, Script]]


def periods(show: Show, stories: list[tuple[Episode, Script]], today: date | None = None) -> list[Period]:
    days = show.digest.days
    if days <= 0:
        return []
    tz = ZoneInfo(show.timezone)
    today = today or datetime.now(tz).date()
    found: dict[int, Period] = {}
    for ep, script in sorted(stories, key=lambda s: (s[0].published, s[0].number or 0, s[0].slug)):
        if ep.episode_type != "full":
            continue  # trailers and bonus episodes are not news of the week
        day = ep.published.astimezone(tz).date()
        k = (day - _EPOCH).days // days
        start = _EPOCH + timedelta(days=k * days)
        found.setdefault(k, Period(start, start + timedelta(days=days - 1), [])).members.append((ep, script))
    over = [p for k, p in sorted(found.items()) if p.end < today]
    return over[-show.digest.keep:]


def _day(d: date) -> str:
    from .text.abbreviations import MONTH_NAMES

    return f"{MONTH_NAMES[d.month]} {d.day}, {d.year}"


def _span(show: Show) -> str:
    return "weekly" if show.digest.days == 7 else "daily" if show.digest.days == 1 else f"{show.digest.days}-day"


def digest_episode(show: Show, period: Period) -> Episode:
    from .episodes import guid_for

    slug = f"digest-{period.end.isoformat()}"
    n = len(period.members)
    title = f"{show.title}: {_span(show).capitalize()} digest, {_day(period.start)} to {_day(period.end)}"
    published = datetime.combine(period.end, time(12, 0), ZoneInfo(show.timezone))
    titles = "; ".join(ep.title for ep, _ in period.members)
    return Episode(
        slug=slug, source=show.root / "show.toml",
        source_hash=digest(DIGEST_VERSION, [(ep.slug, ep.source_hash, s.body_text()) for ep, s in period.members]),
        title=title, published=published, author="", organization=show.author, series=show.title,
        number=None, season=None, dateline="", sections=(), teaser="", source_url="",
        guid=guid_for(show, slug), episode_type="bonus",
        summary=f"{n} {'story' if n == 1 else 'stories'} from {_day(period.start)} to {_day(period.end)}: {titles}.",
        chapter_urls=tuple(ep.source_url for ep, _ in period.members),
    )


def digest_script(show: Show, ep: Episode, period: Period) -> Script:
    """Intro, one body section per story (its written title, then its own sentences), outro."""
    n = len(period.members)
    intro = ScriptSection("intro", "Intro", [[
        f"This is the {_span(show)} digest of {show.title}, for {_day(period.start)} to {_day(period.end)}.",
        "One story, as it was published." if n == 1 else f"{n} stories, each as it was published.",
    ]])
    sections = [intro]
    for story, script in period.members:
        paragraphs = [[f"{story.title.rstrip('.')}, published {written_date(story)}."]]
        for section in script.sections:
            if section.kind == "body":
                paragraphs.extend([list(p) for p in section.paragraphs])
        sections.append(ScriptSection("body", story.title, paragraphs))
    sections.append(ScriptSection("outro", "Outro", [[
        f"That was the {_span(show)} digest of {show.title}.",
        "Each story's chapter links to its original article.",
    ]]))
    return Script(slug=ep.slug, sections=sections)


def add_digests(plan) -> None:
    """The digest episodes of a plan's articles, planned like any episode (their scripts are
    written to scripts/, where a producer may edit them like any other)."""
    from .build import EpisodeWork
    from .errors import ReadcastError
    from .scripts import load_script_file, plan_script

    show = plan.show
    stories = []
    for w in plan.work:
        try:
            script = w.script.script if w.script is not None else load_script_file(show, w.ep).script
        except ReadcastError:
            continue  # an article without a script yet: it joins a digest once it has one
        stories.append((w.ep, script))
    for period in periods(show, stories):
        ep = digest_episode(show, period)
        w = EpisodeWork(ep)
        try:
            if "script" in plan.stages:
                w.script = plan_script(show, ep, make=functools.partial(digest_script, show, ep, period),
                                       inputs=digest(DIGEST_VERSION, ep.source_hash, show.title, show.digest.days),
                                       source=f"the {_span(show)} digest of {_day(period.start)} to {_day(period.end)}")
            elif "audio" in plan.stages:
                w.script = load_script_file(show, ep)
        except ReadcastError as exc:
            plan.problems.append(exc)
            plan.failed.add(ep.slug)
            continue
        plan.work.append(w)

