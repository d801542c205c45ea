"""`readcast check` catches each rule in a table of deliberately broken feeds."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess

import pytest
from PIL import Image

from pipeline.audio.ffmpeg import ffmpeg_exe
from pipeline.check import check_site
from pipeline.config import load_show
from tests.conftest import run_cli


@pytest.fixture
def site(bundled, tmp_path):
    dest = tmp_path / "show"
    shutil.copytree(bundled, dest, ignore=shutil.ignore_patterns("cache"))
    return dest


def _feed(site):
    return site / "feed" / "feed.xml"


def _edit(site, fn):
    path = _feed(site)
    path.write_text(fn(path.read_text(encoding="utf-8")), encoding="utf-8")


def _item(text):
    return re.search(r"<item>.*?</item>", text, re.S).group(0)


def _mp3(site):
    return next((site / "feed" / "media").glob("*.mp3"))


def _vtt(site):
    return next((site / "feed" / "media").glob("*.vtt"))


def dup_guid(site):
    _edit(site, lambda t: t.replace("</item>", "</item>\n" + _item(t).replace("<title>Khrushchev", "<title>Copy"), 1))


def dup_enclosure(site):
    _edit(site, lambda t: t.replace("</item>", "</item>\n" + re.sub(r"<guid[^>]*>[^<]+</guid>",
                                                                     '<guid isPermaLink="false">other-guid</guid>', _item(t)), 1))


def wrong_length(site):
    _edit(site, lambda t: re.sub(r'length="\d+"', 'length="12345"', t))


def naive_date(site):
    _edit(site, lambda t: re.sub(r"(<item>.*?<pubDate>[^<]*?) [-+]\d{4}</pubDate>", r"\1</pubDate>", t, flags=re.S))


def bad_date(site):
    _edit(site, lambda t: re.sub(r"(<item>.*?<pubDate>)[^<]*(</pubDate>)", r"\g<1>2015-10-21\2", t, flags=re.S))


def no_explicit(site):
    _edit(site, lambda t: t.replace("<itunes:explicit>false</itunes:explicit>", ""))


def small_artwork(site):
    cover = site / "feed" / "cover.jpg"
    out = io.BytesIO()
    Image.new("RGB", (500, 500), (10, 20, 30)).save(out, "JPEG")
    cover.write_bytes(out.getvalue())


def cmyk_artwork(site):
    out = io.BytesIO()
    Image.new("CMYK", (1400, 1400)).save(out, "JPEG")
    (site / "feed" / "cover.jpg").write_bytes(out.getvalue())


def control_chars(site):
    _edit(site, lambda t: t.replace("<title>Khrushchev</title>", "<title>Khrush\x07chev</title>"))


def not_xml(site):
    _edit(site, lambda t: t.replace("</channel>", ""))


def bad_category(site):
    _edit(site, lambda t: t.replace('<itunes:category text="History"/>', '<itunes:category text="Cold War Stuff"/>'))


def long_description(site):
    _edit(site, lambda t: re.sub(r"(<channel>.*?<description>)([^<]*)", lambda m: m.group(1) + "x" * 4100, t, count=1, flags=re.S))


def number_in_title(site):
    _edit(site, lambda t: t.replace("<title>Khrushchev</title>", "<title>Part 20: Khrushchev</title>"))


def permalink_guid(site):
    _edit(site, lambda t: t.replace('<guid isPermaLink="false">', "<guid>"))


def no_image(site):
    _edit(site, lambda t: re.sub(r"<itunes:image[^>]*/>", "", t))


def no_self_link(site):
    _edit(site, lambda t: re.sub(r'<atom:link[^>]*rel="self"[^>]*/>', "", t))


def missing_mp3(site):
    _mp3(site).unlink()


def vtt_backwards(site):
    p = _vtt(site)  # the first cue now ends before it starts
    p.write_text(re.sub(r"^[\d:.]+ --> ", "00:09:00.000 --> ", p.read_text(), count=1, flags=re.M))


def vtt_bad_timestamp(site):
    p = _vtt(site)
    p.write_text(re.sub(r"^[\d:.]+ --> ", "0:3.0 --> ", p.read_text(), count=1, flags=re.M))


def vtt_no_header(site):
    p = _vtt(site)
    p.write_text(p.read_text().replace("WEBVTT", "", 1))


def vtt_past_end(site):
    p = _vtt(site)
    p.write_text(p.read_text().rstrip() + "\n\nlast\n01:00:00.000 --> 01:00:05.000\nToo late.\n")


def off_loudness_record(site):
    state = site / ".readcast" / "published.json"
    data = json.loads(state.read_text())
    for r in data["records"].values():
        r["audio"]["loudness"]["integrated"] = -25.3
    state.write_text(json.dumps(data))


def alternate_wrong_length(site):
    _edit(site, lambda t: re.sub(r'(alternateEnclosure type="audio/ogg; codecs=opus" length=")\d+', r"\g<1>12", t))


def alternate_no_source(site):
    _edit(site, lambda t: re.sub(r"<podcast:source uri=\"[^\"]+\.opus\"/>", "", t))


def txt_too_long(site):
    _edit(site, lambda t: re.sub(r'(<podcast:txt purpose=")ai-content', lambda m: m.group(1) + "x" * 200, t))


def chapters_not_json(site):
    next((site / "feed" / "media").glob("*-chapters.json")).write_text("{not json")


def chapters_relative_url(site):
    p = next((site / "feed" / "media").glob("*-chapters.json"))
    data = json.loads(p.read_text())
    data["chapters"][0]["url"] = "articles/khrushchev.html"
    p.write_text(json.dumps(data))


def page_missing(site):
    shutil.rmtree(site / "feed" / "episodes")


def transcript_json_overlaps(site):
    p = next((site / "feed" / "media").glob("*-transcript.json"))
    data = json.loads(p.read_text())
    data["segments"][1]["startTime"] = data["segments"][0]["startTime"]
    p.write_text(json.dumps(data))


CASES = [
    (alternate_wrong_length, "alternate-length"), (alternate_no_source, "alternate-enclosure"),
    (txt_too_long, "podcast-txt"), (chapters_not_json, "chapters-json"), (chapters_relative_url, "chapters-json"),
    (page_missing, "item-link"), (transcript_json_overlaps, "json-transcript"),
    (dup_guid, "guid-duplicate"), (dup_enclosure, "enclosure-duplicate"), (wrong_length, "enclosure-length"),
    (naive_date, "pubdate-timezone"), (bad_date, "pubdate"), (no_explicit, "itunes-explicit"),
    (small_artwork, "artwork"), (cmyk_artwork, "artwork"), (control_chars, "xml-chars"), (not_xml, "xml"),
    (bad_category, "itunes-category"), (long_description, "description-length"), (permalink_guid, "guid-permalink"),
    (no_image, "artwork"), (no_self_link, "atom-self"), (missing_mp3, "enclosure-missing"),
    (vtt_backwards, "vtt-order"), (vtt_bad_timestamp, "vtt-timestamp"), (vtt_no_header, "vtt-header"),
    (vtt_past_end, "vtt-range"), (off_loudness_record, "loudness"),
]


def test_the_built_feed_passes(site):
    assert [p for p in check_site(load_show(site)) if p.severity == "error"] == []
    result = run_cli("check", show=site)
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("breaker,rule", CASES, ids=[c[0].__name__ for c in CASES])
def test_check_catches(site, breaker, rule):
    breaker(site)
    problems = check_site(load_show(site))
    assert rule in {p.rule for p in problems if p.severity == "error"}, problems
    result = run_cli("check", show=site)
    assert result.exit_code == 1
    assert any(line.startswith("Error: ") and f"[{rule}]" in line for line in result.output.splitlines())


def test_number_in_title_is_a_warning(site):
    number_in_title(site)
    problems = check_site(load_show(site))
    assert [p.rule for p in problems] == ["title-number"]
    assert run_cli("check", show=site).exit_code == 0


def test_deep_check_measures_the_mp3(site):
    mp3 = _mp3(site)
    quiet = mp3.with_suffix(".quiet.mp3")
    subprocess.run([ffmpeg_exe(), "-v", "error", "-i", str(mp3), "-af", "volume=-8dB", "-c:a", "libmp3lame",
                    "-b:a", "96k", str(quiet)], check=True)
    quiet.replace(mp3)
    # the MP3's length where the feed gives it (the enclosure, and the default alternateEnclosure)
    _edit(site, lambda t: re.sub(r'(url="[^"]+\.mp3" length="|type="audio/mpeg" length=")\d+"',
                                 lambda m: f'{m.group(1)}{mp3.stat().st_size}"', t))
    assert check_site(load_show(site)) == []  # the recorded figures are fine...
    rules = {p.rule for p in check_site(load_show(site), deep=True)}
    assert "loudness" in rules  # ...but the file itself is 8 dB too quiet


@pytest.mark.parametrize("uri,warned", [
    ("https://podcastindex.org/namespace/1.0", False),
    ("https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/1.0.md", False),
    ("https://podcastindex.org/namespace/1.0/", True),
    ("http://podcastindex.org/namespace/1.0", True),
    ("https://example.com/podcast", True),
])
def test_check_warns_about_a_podcast_namespace_apps_do_not_know(site, uri, warned):
    """Issue 20: a hand-edited or imported feed with a misspelt podcast: URI is said to be ignored;
    either accepted URI still has its transcripts checked."""
    feed = site / "feed" / "feed.xml"
    feed.write_text(feed.read_text().replace('xmlns:podcast="https://podcastindex.org/namespace/1.0"',
                                             f'xmlns:podcast="{uri}"'))
    problems = check_site(load_show(site))
    assert ("podcast-namespace" in {p.rule for p in problems}) is warned, problems
    vtt = next((site / "feed" / "media").glob("*.vtt"))
    vtt.write_text("not a caption file")
    rules = {p.rule for p in check_site(load_show(site)) if p.severity == "error"}
    assert ("vtt-header" in rules) is not warned  # a transcript under an unknown URI is not one
