"""Digest episodes: a period's articles in one episode, one chapter each, from clips already made."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from lxml import etree

from pipeline.config import load_show
from pipeline.digest import periods
from pipeline.episodes import read_all
from pipeline.scripts import load_script
from tests.conftest import make_show, run_cli

PC = {"podcast": "https://podcastindex.org/namespace/1.0", "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd"}


def _story(n: int, title: str, day: int, body: str) -> str:
    return (f"---\ntitle: {title}\npublished: 2015-10-{day:02d}\nauthor: Airman Pat Lee\nnumber: {n}\n"
            f"source: https://www.example.mil/news/{n}/\n---\n\n{body}\n")


def _show(root: Path, extra: str = "") -> Path:
    return make_show(root, {
        "001-a.md": _story(1, "Crews Train", 19, "Crews trained at dawn. The exercise ran for a day."),
        "002-b.md": _story(2, "Wing Marks Anniversary", 21, "The wing marked its anniversary. Veterans spoke."),
        "003-c.md": _story(3, "Snow Arrives", 28, "Snow arrived early this year. Crews cleared the runway."),
    }, music=False, extra=extra)


def test_a_weekly_digest_reads_the_stories_from_their_clips_one_chapter_each(tmp_path):
    show = _show(tmp_path / "s")
    assert run_cli("build", "-q", show=show).exit_code == 0
    (show / "show.toml").write_text((show / "show.toml").read_text() + "\n[digest]\ndays = 7\n")
    r = run_cli("build", show=show)
    assert r.exit_code == 0, r.output
    # only the digests' own lines are new: 2 intro lines and a heading per story, the outro once
    digests = sorted((show / "scripts").glob("digest-*.txt"))
    assert [p.stem for p in digests] == ["digest-2015-10-25", "digest-2015-11-01"]  # Monday to Sunday
    s = load_show(show)
    stories = {line for e in read_all(s)[0] for line in load_script(s, e).sentences}
    own = {line for p in digests for line in load_script(s, _ep(show, p.stem)).sentences} - stories
    assert len(own) == 9  # two intros of 2 lines, 3 headings, the outro's 2 lines (both digests share it)
    assert f"({len(own)} sentences synthesised)" in r.output, (own, r.output)
    root = etree.fromstring((show / "feed" / "feed.xml").read_bytes())
    items = {i.findtext("guid"): i for i in root.findall("channel/item")}
    [week] = [i for i in items.values() if "October 19, 2015 to October 25, 2015" in i.findtext("title")]
    assert week.findtext("itunes:episodeType", namespaces=PC) == "bonus"
    url = week.find("podcast:chapters", PC).get("url")
    chapters = json.loads((show / "feed" / url.split("/podcast/", 1)[1]).read_text())["chapters"]
    stories = [c for c in chapters if c.get("url")]
    assert [(c["title"], c["url"]) for c in stories] == [
        ("Crews Train", "https://www.example.mil/news/1/"), ("Wing Marks Anniversary", "https://www.example.mil/news/2/")]
    assert run_cli("check", show=show).exit_code == 0


def _ep(show: Path, slug: str):
    from pipeline.digest import digest_episode

    s = load_show(show)
    eps = read_all(s)[0]
    for p in periods(s, [(e, load_script(s, e)) for e in eps]):
        ep = digest_episode(s, p)
        if ep.slug == slug:
            return ep
    raise AssertionError(slug)


def test_only_periods_that_are_over_and_the_latest_few_are_published(tmp_path):
    show = load_show(_show(tmp_path / "s", "\n[digest]\ndays = 7\nkeep = 1\n"))
    assert run_cli("script", "-q", show=show.root).exit_code == 0
    stories = [(e, load_script(show, e)) for e in read_all(show)[0]]
    assert [p.end for p in periods(show, stories, today=date(2016, 1, 1))] == [date(2015, 11, 1)]
    # on the period's last day it is not over yet: the week before is the latest
    assert [p.end for p in periods(show, stories, today=date(2015, 11, 1))] == [date(2015, 10, 25)]
    assert [p.end for p in periods(show, stories, today=date(2015, 10, 26))] == [date(2015, 10, 25)]


def test_building_one_episode_keeps_the_digests_in_the_feed(tmp_path):
    show = _show(tmp_path / "s", "\n[digest]\ndays = 7\n")
    assert run_cli("build", "-q", show=show).exit_code == 0
    before = (show / "feed" / "feed.xml").read_text().count("<item>")
    assert before == 5
    assert run_cli("build", "-q", "001-a", show=show).exit_code == 0
    assert (show / "feed" / "feed.xml").read_text().count("<item>") == before
