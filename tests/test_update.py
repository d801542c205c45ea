"""`readcast update` for cron: import, build, check, publish; nothing written when nothing is new;
drafts never published, scheduled episodes once their time has passed."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from tests.conftest import make_show, run_cli

PARAGRAPH = ("Airmen from the wing spent the week on the missile field, checking every launch facility "
             "along the route and clearing the access roads after the first heavy snow of the season. ")


def _rss(items: list[tuple[str, str]]) -> str:
    body = "".join(
        f"<item><title>{title}</title><link>https://www.example.mil/news/{n}/</link>"
        f"<guid>https://www.example.mil/news/{n}/</guid><pubDate>{day}</pubDate>"
        f"<description><![CDATA[<p>{PARAGRAPH * 3}</p><p>Story {n} ends here.</p>]]></description></item>"
        for n, (title, day) in enumerate(items, 1))
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Base news</title>'
            f"<link>https://www.example.mil/</link><description>News</description>{body}</channel></rss>")


ITEMS = [("Crews Clear Roads", "Mon, 19 Oct 2015 12:00:00 GMT"), ("Field Checks Finish", "Wed, 21 Oct 2015 12:00:00 GMT")]


def _show(tmp_path: Path) -> tuple[Path, Path, Path]:
    source = tmp_path / "news.rss"
    source.write_text(_rss(ITEMS))
    www = tmp_path / "www"
    show = make_show(tmp_path / "show", music=False,
                     extra=f'\n[publish]\ntarget = "{www}"\n\n[sources]\nfeeds = ["{source}"]\n')
    return show, source, www


def _remote(www: Path) -> dict[str, int]:
    return {str(p.relative_to(www)): p.stat().st_mtime_ns for p in www.rglob("*") if p.is_file()}


def _titles(www: Path) -> list[str]:
    return [i.findtext("title") for i in etree.parse(str(www / "feed.xml")).getroot().iter("item")]


def test_update_publishes_then_does_nothing_then_exactly_one_new_item(tmp_path):
    show, source, www = _show(tmp_path)
    r = run_cli("update", show=show)
    assert r.exit_code == 0, r.output
    assert "2 article(s) imported" in r.output and r.output.count("\n") == 1
    assert sorted(_titles(www)) == ["Crews Clear Roads", "Field Checks Finish"]
    before = _remote(www)
    r = run_cli("update", show=show)
    assert r.exit_code == 3 and r.output.startswith("nothing new"), r.output
    assert _remote(www) == before  # no remote write at all
    source.write_text(_rss(ITEMS + [("Snow Arrives Early", "Wed, 28 Oct 2015 12:00:00 GMT")]))
    r = run_cli("update", show=show)
    assert r.exit_code == 0 and "1 article(s) imported, 1 episode(s) rendered" in r.output, r.output
    assert len(_titles(www)) == 3 and "Snow Arrives Early" in _titles(www)
    new_mp3 = [n for n in _remote(www) if n.endswith(".mp3") and n not in before]
    assert len(new_mp3) == 1 and "snow-arrives-early" in new_mp3[0]


def test_a_source_that_fails_is_reported_and_the_rest_still_publish(tmp_path):
    show, source, www = _show(tmp_path)
    text = (show / "show.toml").read_text().replace(f'feeds = ["{source}"]', f'feeds = ["{source}", "{tmp_path}/gone.rss"]')
    (show / "show.toml").write_text(text)
    r = run_cli("update", show=show)
    assert "gone.rss" in r.output and "does not exist" in r.output
    assert sorted(_titles(www)) == ["Crews Clear Roads", "Field Checks Finish"]


def test_a_draft_never_reaches_the_remote_and_a_scheduled_episode_appears_after_its_time(tmp_path):
    show, _, www = _show(tmp_path)
    (show / "episodes" / "090-draft.md").write_text(
        "---\ntitle: Not Ready Yet\npublished: 2015-10-23\ndraft: true\n---\n\nThis story is still a draft. It waits.\n")
    later = show / "episodes" / "091-later.md"
    later.write_text("---\ntitle: Embargoed Story\npublished: 2015-10-24\npublish_at: 2100-01-01 09:00\n---\n\n"
                     "This story is embargoed. It waits for its time.\n")
    assert run_cli("update", show=show).exit_code == 0
    assert "Not Ready Yet" not in _titles(www) and "Embargoed Story" not in _titles(www)
    assert not any("draft" in n or "later" in n for n in _remote(www))
    # built all the same, and previewable: the preview site has them, the published one does not
    preview = show / ".readcast" / "preview" / "feed"
    titles = [i.findtext("title") for i in etree.parse(str(preview / "feed.xml")).getroot().iter("item")]
    assert "Not Ready Yet" in titles and "Embargoed Story" in titles
    assert not any("draft" in str(p.relative_to(show / "feed")) for p in (show / "feed").rglob("*"))
    # the embargo's time passes (here: the producer moves it into the past)
    later.write_text(later.read_text().replace("publish_at: 2100-01-01 09:00", "publish_at: 2001-01-01 09:00"))
    r = run_cli("update", show=show)
    assert r.exit_code == 0, r.output
    assert "Embargoed Story" in _titles(www) and "Not Ready Yet" not in _titles(www)
