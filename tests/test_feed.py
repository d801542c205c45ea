"""Feed identity and artwork: GUIDs never change; URLs change exactly when the audio does."""

from __future__ import annotations

import io
import re
import shutil

import podcastparser
from PIL import Image

from pipeline.feed.podcast2 import podcast_guid
from tests.conftest import article, make_show, run_cli


def _parse(show, url="http://example.test/podcast/feed.xml"):
    with open(show / "feed" / "feed.xml", "rb") as fh:
        return podcastparser.parse(url, fh)


def _episode(show):
    [ep] = _parse(show)["episodes"]
    return ep["guid"], ep["enclosures"][0]["url"]


def test_guid_survives_title_base_url_and_audio_changes(tmp_path):
    src = article(1, "First Title", "A sentence about bombers. Another about missiles.")
    show = make_show(tmp_path / "s", {"001-ep.txt": src}, music=False)
    assert run_cli("build", show=show).exit_code == 0
    guid, url1 = _episode(show)

    # a new title is spoken in the intro, so the audio (and its URL) changes; the GUID does not
    (show / "episodes" / "001-ep.txt").write_text(src.replace("First Title", "Better Title"))
    assert run_cli("build", show=show).exit_code == 0
    guid2, url2 = _episode(show)
    assert guid2 == guid and url2 != url1
    assert [e["title"] for e in _parse(show)["episodes"]] == ["Better Title"]

    # a new base URL moves every URL but changes no file and no GUID
    toml = show / "show.toml"
    toml.write_text(toml.read_text().replace("http://example.test/podcast/", "https://cdn.example.mil/pod/"))
    result = run_cli("build", show=show)
    assert result.exit_code == 0 and "0 episode(s) rendered" in result.output
    guid3, url3 = _episode(show)
    assert guid3 == guid
    assert url3 == url2.replace("http://example.test/podcast/", "https://cdn.example.mil/pod/")

    # the superseded audio stays for the grace period (an app holding the old feed.xml still gets
    # it: regression, it was deleted at once), and `clean` deletes it once the period is over
    names = sorted(p.name for p in (show / "feed" / "media").glob("*.mp3"))
    assert names == sorted([url1.rsplit("/", 1)[1], url3.rsplit("/", 1)[1]])
    assert run_cli("check", show=show).exit_code == 0
    toml.write_text(toml.read_text() + "\n[publish]\ngrace_days = 0\n")
    result = run_cli("clean", show=show)
    assert "8 superseded media files (" in result.output, result.output  # the MP3, its Opus copy, captions, transcripts
    names = sorted(p.name for p in (show / "feed" / "media").glob("*.mp3"))
    assert names == [url3.rsplit("/", 1)[1]]

    # the same show on another machine (a fresh copy, no caches) publishes the same GUID
    other = tmp_path / "elsewhere"
    shutil.copytree(show, other, ignore=shutil.ignore_patterns(".readcast", "feed", "audio"))
    (other / "audio").mkdir()
    assert run_cli("build", show=other).exit_code == 0
    assert _episode(other)[0] == guid


def test_podcast_guid_follows_the_spec():
    # the example in the podcast namespace's documentation
    assert podcast_guid("https://mp3s.nashownotes.com/pc20rss.xml") == "917393e3-1b1e-5cef-ace4-edaa54e1f810"


def test_generated_cover_is_apple_sized(tmp_path):
    show = make_show(tmp_path / "s", {"001-a.txt": article(1, "Art", "A sentence.")}, music=False)
    assert run_cli("build", show=show).exit_code == 0
    img = Image.open(show / "feed" / "cover.jpg")
    assert (img.format, img.mode, img.size) == ("JPEG", "RGB", (3000, 3000))
    xml = (show / "feed" / "feed.xml").read_text()
    assert '<itunes:image href="http://example.test/podcast/cover.jpg"/>' in xml


def _image(path, size, mode="RGB", fmt="PNG"):
    out = io.BytesIO()
    Image.new(mode, (size, size), (200, 50, 40) if mode == "RGB" else None).save(out, fmt)
    path.write_bytes(out.getvalue())


def test_producer_artwork_is_used_and_checked(tmp_path):
    show = make_show(tmp_path / "s", {"001-a.txt": article(1, "Art", "A sentence.")}, music=False,
                     extra="")
    toml = show / "show.toml"
    toml.write_text(toml.read_text().replace('timezone = "America/Chicago"', 'timezone = "America/Chicago"\nartwork = "art.png"'))
    _image(show / "art.png", 1400)
    result = run_cli("build", show=show)
    assert result.exit_code == 0, result.output
    assert (show / "feed" / "cover.png").read_bytes() == (show / "art.png").read_bytes()
    assert not (show / "feed" / "cover.jpg").exists()
    _image(show / "art.png", 800)
    result = run_cli("build", show=show)
    assert result.exit_code == 1
    assert "Error: cover.png: artwork is 800x800 px; it must be 1400-3000 px [artwork]" in result.output


def test_show_notes_name_author_and_source_and_list_chapters(bundled):
    [ep] = _parse(bundled, "http://127.0.0.1:8000/feed.xml")["episodes"]
    html = ep["description_html"]
    assert "Written by Senior Airman Sean D. Smith, Minot Air Force Base Public Affairs." in html
    assert re.search(r"Chapters:<br>0:00 Intro<br>0:\d\d Khrushchev<br>\d:\d\d Outro", html)
    assert "Next time: Lyndon B. Johnson" in html


def test_one_rounding_rule_for_every_duration_shown():
    """Regression: the page truncated (0:49) where the feed rounded half to even (50 s, or 48 for 48.5)."""
    from pipeline.feed.captions import timestamp, whole_seconds

    assert [whole_seconds(x) for x in (49.4, 49.5, 49.6, 48.5, 0.2)] == [49, 50, 50, 49, 0]
    assert [timestamp(x) for x in (49.6, 48.5, 3599.5)] == ["0:50", "0:49", "1:00:00"]
