"""The online engine through the real gTTS code path, with only Google's HTTP answers faked."""

from __future__ import annotations

import base64
import json
import re
import subprocess

import pytest
import responses

from pipeline.audio.ffmpeg import ffmpeg_exe
from tests.audiotools import decode
from tests.conftest import article, make_show, run_cli

URL = re.compile(r"https://translate\.google\.com/_/TranslateWebserverUi/data/batchexecute.*")


@pytest.fixture(scope="module")
def mp3_bytes() -> bytes:
    """Real MP3 audio, as Google returns it (24 kHz mono)."""
    return subprocess.run([ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i", "sine=frequency=300:duration=1.2:sample_rate=24000",
                           "-c:a", "libmp3lame", "-b:a", "32k", "-f", "mp3", "-"], capture_output=True, check=True).stdout


def google_body(mp3: bytes) -> str:
    """The batchexecute answer: the audio, base64, inside a JSON string inside JSON."""
    payload = json.dumps([base64.b64encode(mp3).decode()])  # ["..."]
    return ")]}'\n\n" + json.dumps([["wrb.fr", "jQ1olc", payload, None, None, None, "generic"]], separators=(",", ":")) + "\n"


def gtts_show(tmp_path):
    return make_show(tmp_path / "s", {"001-a.txt": article(1, "Online", "A short sentence. Another one.")},
                     music=False, extra="", engine="gtts")


def _engine_gtts(show):
    toml = show / "show.toml"
    toml.write_text(toml.read_text().replace("[voice]\n", '[voice]\nvoice = "en"\nretry_backoff = 0.01\n'))


@responses.activate
def test_gtts_success(tmp_path, mp3_bytes):
    responses.add(responses.POST, URL, body=google_body(mp3_bytes), status=200)
    show = gtts_show(tmp_path)
    _engine_gtts(show)
    result = run_cli("build", show=show)
    assert result.exit_code == 0, result.output
    mp3 = next((show / "feed" / "media").glob("*.mp3"))
    assert len(decode(mp3, 48000, 1)) > 48000 * 5  # intro, body and outro lines, each 1.2 s of tone
    assert len(responses.calls) >= 5


@responses.activate
def test_gtts_retries_after_429(tmp_path, mp3_bytes):
    responses.add(responses.POST, URL, status=429, body="rate limited")
    responses.add(responses.POST, URL, status=503, body="unavailable")
    responses.add(responses.POST, URL, body=google_body(mp3_bytes), status=200)
    show = gtts_show(tmp_path)
    _engine_gtts(show)
    result = run_cli("build", show=show)
    assert result.exit_code == 0, result.output
    assert "gTTS: HTTP 429; retrying" in result.output
    assert [c.response.status_code for c in responses.calls][:3] == [429, 503, 200]


@responses.activate
def test_gtts_permanent_failure_names_episode_and_sentence(tmp_path, mp3_bytes):
    responses.add(responses.POST, URL, status=403, body="forbidden")
    show = gtts_show(tmp_path)
    _engine_gtts(show)
    result = run_cli("build", "--jobs", "1", show=show)
    assert result.exit_code == 1
    errors = [ln for ln in result.output.splitlines() if ln.startswith("Error:")]
    assert errors and "001-a, sentence 1 ('Test Series, from 5th Bomb Wing Public Affairs.')" in errors[0]
    assert "gTTS failed after 1 attempt(s): HTTP 403" in errors[0]
    assert not list(show.rglob("audio/episodes/*.mp3"))  # no episode was made of a failed synthesis
    assert not any(p.name.endswith(".tmp") for p in show.rglob("*"))


def test_voices_lists_engines_and_offline_use():
    result = run_cli("voices")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert any(ln.startswith("piper") and "en_US-joe-medium" in ln and "offline" in ln and " usable" in ln for ln in lines)
    assert any(ln.startswith("gtts") and "online" in ln for ln in lines)
