"""What podcast apps read beyond the enclosure: a low-bandwidth copy, an honest label for the
synthetic voice, chapters that link back to the article, and a page per episode."""

from __future__ import annotations

import json

import feedparser
import podcastparser
import pytest
from lxml import etree

from pipeline.audio.ffmpeg import decode
from tests.conftest import article, make_show, run_cli

PC = {"podcast": "https://podcastindex.org/namespace/1.0", "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd"}
SOURCE = "https://www.example.mil/News/Article/123/crews-train/"
BODY = ("Crews trained at dawn on the flight line. The exercise ran for three days. "
        "Photo captions and all, the story ends here.")


def _show(tmp_path, extra: str = "", audio_extra: str = ""):
    text = "---\ntitle: Crews Train\npublished: 2015-10-21\nauthor: Senior Airman Jane Q. Doe\n" \
           f"source: {SOURCE}\nseason: 2\nnumber: 3\ntype: bonus\n---\n\n{BODY}\n"
    show = make_show(tmp_path / "show", {"001-crews.md": text}, music=False, extra=extra, audio_extra=audio_extra)
    r = run_cli("build", show=show)
    assert r.exit_code == 0, r.output
    return show


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return _show(tmp_path_factory.mktemp("listeners"))


def _item(show):
    root = etree.fromstring((show / "feed" / "feed.xml").read_bytes())
    return root, root.find("channel/item")


def test_low_bandwidth_copy_is_listed_decodes_and_lasts_as_long(built):
    _, item = _item(built)
    alts = item.findall("podcast:alternateEnclosure", PC)
    assert [a.get("type") for a in alts] == ["audio/mpeg", "audio/ogg; codecs=opus"]
    assert [a.get("default") for a in alts] == ["true", None]
    mp3_url = item.find("enclosure").get("url")
    assert alts[0].find("podcast:source", PC).get("uri") == mp3_url
    assert alts[0].get("length") == item.find("enclosure").get("length")
    opus = built / "feed" / alts[1].find("podcast:source", PC).get("uri").split("/podcast/", 1)[1]
    assert int(alts[1].get("length")) == opus.stat().st_size
    assert int(alts[1].get("bitrate")) == 24000
    mp3 = built / "feed" / mp3_url.split("/podcast/", 1)[1]
    assert opus.stat().st_size < mp3.stat().st_size / 2
    low, full = decode(opus, 16000, 1), decode(mp3, 16000, 1)
    assert abs(len(low) - len(full)) / 16000 <= 0.1
    # feedparser reads the tag (the last of them) and the page offers the file
    entry = feedparser.parse(str(built / "feed" / "feed.xml")).entries[0]
    assert entry["podcast_alternateenclosure"]["type"] == "audio/ogg; codecs=opus"
    page = (built / "feed" / "episodes" / "001-crews" / "index.html").read_text()
    assert "Low-bandwidth download (Opus)" in page and opus.name in page


def test_the_synthetic_voice_is_said_and_people_are_credited(built):
    root, item = _item(built)
    [txt] = root.findall("channel/podcast:txt", PC)
    assert txt.get("purpose") == "ai-content" and "synthetic" in txt.text and "piper" not in txt.text  # fake engine
    assert "fake" in txt.text
    persons = {(p.get("role"), p.text) for p in item.findall("podcast:person", PC)}
    assert ("author", "Senior Airman Jane Q. Doe") in persons
    assert any(role == "narrator" and "fake" in name for role, name in persons)
    assert "Narrated by a synthetic voice" in item.findtext("description")
    assert feedparser.parse(str(built / "feed" / "feed.xml")).feed["podcast_txt"] == {"purpose": "ai-content"}


def test_season_episode_and_type_come_from_front_matter(built):
    _, item = _item(built)
    assert item.findtext("itunes:season", namespaces=PC) == "2" and item.findtext("podcast:season", namespaces=PC) == "2"
    assert item.findtext("itunes:episode", namespaces=PC) == "3" and item.findtext("podcast:episode", namespaces=PC) == "3"
    assert item.findtext("itunes:episodeType", namespaces=PC) == "bonus"
    with open(built / "feed" / "feed.xml", "rb") as fh:
        ep = podcastparser.parse("http://example.test/podcast/feed.xml", fh)["episodes"][0]
    assert ep["number"] == 3 and ep["type"] == "bonus"


def test_chapters_link_the_story_to_its_article_and_carry_the_artwork(built):
    _, item = _item(built)
    url = item.find("podcast:chapters", PC).get("url")
    data = json.loads((built / "feed" / url.split("/podcast/", 1)[1]).read_text())
    by_title = {c["title"]: c for c in data["chapters"]}
    assert by_title["Crews Train"]["url"] == SOURCE
    assert "url" not in by_title["Intro"] and "url" not in by_title["Outro"]
    assert all(c["img"].startswith("http://example.test/podcast/cover.") for c in data["chapters"])


def test_each_episode_has_its_own_page_linked_from_the_feed_and_the_index(built):
    _, item = _item(built)
    assert item.findtext("link") == "http://example.test/podcast/episodes/001-crews/"
    page = (built / "feed" / "episodes" / "001-crews" / "index.html").read_text()
    meta = json.loads((built / "audio" / "episodes" / "001-crews.json").read_text())
    for cue in meta["cues"]:  # the whole reading: intro (title, byline, date), story, outro
        assert f">{cue['text']}</button>" in page.replace("&#39;", "'")
    assert 'src="../../media/' in page and 'href="../../feed.xml"' in page
    index = (built / "feed" / "index.html").read_text()
    assert 'href="episodes/001-crews/"' in index
    assert run_cli("check", show=built).exit_code == 0


def test_turning_the_low_bandwidth_copy_off_removes_it(tmp_path):
    show = _show(tmp_path, audio_extra="low_bandwidth = false")
    _, item = _item(show)
    assert item.findall("podcast:alternateEnclosure", PC) == []
    assert not list((show / "feed" / "media").glob("*.opus"))
    assert not list((show / "audio" / "episodes").glob("*.opus"))


def test_a_removed_episode_loses_its_page(tmp_path):
    show = _show(tmp_path)
    (show / "episodes" / "001-crews.md").unlink()
    (show / "episodes" / "002-next.txt").write_text(article(2, "Next", "Another story. It is short."))
    assert run_cli("build", show=show).exit_code == 0
    assert not (show / "feed" / "episodes" / "001-crews").exists()
    assert (show / "feed" / "episodes" / "002-next" / "index.html").is_file()
