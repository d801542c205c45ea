"""The walking skeleton's acceptance: one command turns the bundled article into a podcast."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import podcastparser
import pytest
from mutagen.id3 import ID3

from pipeline.audio.ffmpeg import decode
from pipeline.config import load_show
from tests.conftest import article, make_show, run_cli


def _mp3s(show: Path) -> list[Path]:
    return sorted((show / "feed" / "media").glob("*.mp3"))


def test_build_leaves_a_feed_and_one_mp3(bundled):
    assert (bundled / "feed" / "feed.xml").is_file()
    assert len(_mp3s(bundled)) == 1
    assert (bundled / "scripts" / "020-khrushchev.txt").is_file()


def test_podcastparser_reads_the_episode(bundled):
    feed_path = bundled / "feed" / "feed.xml"
    with open(feed_path, "rb") as fh:
        parsed = podcastparser.parse("http://127.0.0.1:8000/feed.xml", fh)
    assert parsed["title"] == "Let's Learn about the Cold War"
    [episode] = parsed["episodes"]
    assert episode["title"] == "Khrushchev"
    assert episode["guid"] == "48b58213-bdd7-546b-9a04-b129c605ab84"
    published = datetime.fromtimestamp(episode["published"], tz=timezone.utc)
    assert published.date().isoformat() == "2015-10-21"
    assert episode["total_time"] > 120
    [enclosure] = episode["enclosures"]
    mp3 = _mp3s(bundled)[0]
    assert enclosure["file_size"] == mp3.stat().st_size
    assert enclosure["mime_type"] == "audio/mpeg"
    assert enclosure["url"].endswith(mp3.name)


def test_mp3_duration_matches_the_timeline_and_tags_name_the_episode(bundled):
    mp3 = _mp3s(bundled)[0]
    show = load_show(bundled)
    samples = decode(mp3, 48000, 1)
    duration = len(samples) / 48000
    meta = json.loads((bundled / "audio" / "episodes" / "020-khrushchev.json").read_text())
    # intro music lead + every sentence clip (measured from the cache) + the pauses + outro tail
    from pipeline.audio.cache import ClipCache

    cache = ClipCache(show.cache_dir)
    wavs = list(cache.root.rglob("*.wav"))
    assert len(wavs) == len(meta["cues"])
    speech = sum(cache.info(w.stem).seconds for w in wavs)
    cues = meta["cues"]
    a = show.audio
    # the pauses the show's settings ask for, from the structure alone (not from the mix's timings)
    pauses = sum(a.sentence_pause if (x["section"], x["paragraph"]) == (y["section"], y["paragraph"])
                 else a.paragraph_pause if x["section"] == y["section"] else a.section_pause
                 for x, y in zip(cues, cues[1:]))
    # the music leads in for intro_lead, and rings out after the last word for outro_tail, plus at
    # most one crossfade while it fades
    before_tail = a.intro_lead + speech + pauses
    assert cues[0]["start"] == pytest.approx(a.intro_lead, abs=0.05)
    # each later line starts on the nearest point of the 120 ms grid both encoders' frames share
    slack = (len(cues) - 1) * 0.06
    assert before_tail + a.outro_tail - 0.1 - slack <= duration <= before_tail + a.outro_tail + a.crossfade + 0.1 + slack
    assert duration == pytest.approx(meta["duration"], abs=0.1)
    tags = ID3(mp3)
    assert str(tags["TIT2"]) == "Khrushchev"
    assert str(tags["TALB"]) == "Let's Learn about the Cold War"
    assert str(tags["TPE1"]) == "Senior Airman Sean D. Smith"
    assert str(tags["TRCK"]) == "20"
    assert str(tags["TDRC"]) == "2015-10-21"
    # mono, 48 kHz, 96 kbps constant bit rate
    from mutagen.mp3 import MP3, BitrateMode

    info = MP3(mp3).info
    assert (info.channels, info.sample_rate, info.bitrate) == (1, 48000, 96000)
    assert info.bitrate_mode in (BitrateMode.CBR, BitrateMode.UNKNOWN)
    assert np.abs(samples).max() > 0.1


def test_rebuild_keeps_guid_and_does_not_rerender(bundled):
    mp3 = bundled / "audio" / "episodes" / "020-khrushchev.mp3"
    before = (mp3.stat().st_mtime_ns, (bundled / "feed" / "feed.xml").read_bytes())
    result = run_cli("build", show=bundled)
    assert result.exit_code == 0, result.output
    assert "Nothing to do" in result.output
    assert mp3.stat().st_mtime_ns == before[0]
    assert (bundled / "feed" / "feed.xml").read_bytes() == before[1]


def test_list_json_prints_metadata(bundled):
    result = run_cli("list", "--json", show=bundled)
    assert result.exit_code == 0
    [row] = json.loads(result.output)
    assert row["slug"] == "020-khrushchev"
    assert row["number"] == 20 and row["title"] == "Khrushchev"
    assert row["published"].startswith("2015-10-21")
    assert row["author"] == "Senior Airman Sean D. Smith"
    assert row["organization"] == "Minot Air Force Base Public Affairs"
    assert 120 < row["duration"] < 400


def test_default_build_never_touches_the_network(tmp_path, no_network):
    show = make_show(tmp_path / "s", {"001-a.txt": article(1, "Quiet", "One short sentence. And another one.")},
                     music=False)
    result = run_cli("build", "--jobs", "1", show=show)
    assert result.exit_code == 0, result.output
    assert not no_network
    assert len(_mp3s(show)) == 1


def test_base_url_flag_sets_absolute_urls(tmp_path):
    show = make_show(tmp_path / "s", {"001-a.txt": article(1, "Urls", "A sentence.")}, music=False)
    result = run_cli("build", "--base-url", "https://cdn.example.mil/cast", show=show)
    assert result.exit_code == 0, result.output
    with open(show / "feed" / "feed.xml", "rb") as fh:
        parsed = podcastparser.parse("https://cdn.example.mil/cast/feed.xml", fh)
    assert parsed["episodes"][0]["enclosures"][0]["url"].startswith("https://cdn.example.mil/cast/media/")
