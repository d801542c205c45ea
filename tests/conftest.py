"""Shared fixtures: real shows in temporary folders, built with the real pipeline.

The bundled show is built once per session (about 12 s of synthesis) and shared by the tests
that only read its outputs; tests that change things build small shows of their own, with the
voice's randomness off (noise 0) so that two builds of the same text are identical.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
E2E_REQUIRED = os.environ.get("READCAST_E2E") == "require"
# builds in tests do not leave a report writer running behind them (tests of the report set it)
os.environ["READCAST_REPORT"] = "off"
# nor a voice server kept loaded behind them (tests/test_voice_server.py starts its own)
os.environ["READCAST_VOICE_SERVER"] = "off"

SHOW_TOML = """\
id = "2b1c6a3e-6f0e-4d7a-9a53-3f1d2a4c5b6e"
title = "Test Series"
description = "A show made by the tests."
author = "Test Wing Public Affairs"
base_url = "http://example.test/podcast/"
language = "en-us"
category = "History"
timezone = "America/Chicago"

[owner]
name = "Test Owner"
email = "owner@example.test"

[voice]
engine = "{engine}"
noise_scale = 0.0
noise_w = 0.0

[audio]
intro = "{intro}"
outro = "{outro}"
{audio_extra}
"""

ARTICLE = ("Test Series: Part {n} - {title} Published Oct. {day}, 2015 By Senior Airman Jane Q. Doe "
           "5th Bomb Wing Public Affairs MINOT AIR FORCE BASE, N.D. -- {body}")


@pytest.fixture(autouse=True)
def _pipeline_logging():
    """A CLI command run in-process sets the "pipeline" logger up for a terminal (its level, its
    own handler, no propagation); the next test must see it as it was (caplog reads propagated
    records)."""
    import logging

    logger = logging.getLogger("pipeline")
    saved = (logger.level, list(logger.handlers), logger.propagate)
    yield
    logger.setLevel(saved[0])
    logger.handlers[:] = saved[1]
    logger.propagate = saved[2]


def make_show(root: Path, articles: dict[str, str] | None = None, music: bool = True, audio_extra: str = "",
              extra: str = "", engine: str = "fake") -> Path:
    """A show in `root`. Its voice is the fake engine (a tone shaped like speech, instant) unless
    the test is about the real voice: then engine="piper"."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "episodes").mkdir(exist_ok=True)
    (root / "audio").mkdir(exist_ok=True)
    if music:
        shutil.copy(ROOT / "audio" / "intro.mp3", root / "audio" / "intro.mp3")
        shutil.copy(ROOT / "audio" / "outro.mp3", root / "audio" / "outro.mp3")
    text = SHOW_TOML.format(intro="audio/intro.mp3" if music else "", outro="audio/outro.mp3" if music else "",
                            audio_extra=audio_extra, engine=engine)
    (root / "show.toml").write_text(text + extra, encoding="utf-8")
    for name, body in (articles or {}).items():
        (root / "episodes" / name).write_text(body, encoding="utf-8")
    return root


def article(n: int, title: str, body: str, day: int = 21) -> str:
    return ARTICLE.format(n=n, title=title, body=body, day=day)


def run_cli(*args: str, show: Path | None = None):
    from pipeline.cli import main

    argv = list(args)
    if show is not None:
        argv += ["--show", str(show)]
    return CliRunner().invoke(main, argv, catch_exceptions=False)


def copy_bundled_sources(dest: Path) -> Path:
    """The repository's own show as a producer has it (settings, articles, music), unbuilt."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in ("show.toml", "lexicon.toml"):
        if (ROOT / name).exists():
            shutil.copy(ROOT / name, dest / name)
    shutil.copytree(ROOT / "episodes", dest / "episodes")
    (dest / "audio").mkdir()
    for name in ("intro.mp3", "outro.mp3"):
        shutil.copy(ROOT / "audio" / name, dest / "audio" / name)
    return dest


@pytest.fixture(scope="session")
def bundled(tmp_path_factory) -> Path:
    """The repository's own show, copied and built once."""
    dest = copy_bundled_sources(tmp_path_factory.mktemp("bundled"))
    result = run_cli("build", show=dest)
    assert result.exit_code == 0, result.output
    return dest


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a network connection fails the test."""
    attempts: list[object] = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    return attempts


def need(tool: str) -> str:
    """The path of an external client; skipped when missing, except in CI where it must exist."""
    path = shutil.which(tool)
    if path is None:
        if E2E_REQUIRED:
            pytest.fail(f"{tool} is not installed; run `make system-deps`")
        pytest.skip(f"{tool} is not installed (make system-deps)")
    return path


def pytest_terminal_summary(terminalreporter):
    """The share of real-page fields read right, printed at the end of every run that scored them."""
    import sys

    corpus = sys.modules.get("tests.test_corpus")
    text = corpus.corpus_summary() if corpus else ""
    if text:
        terminalreporter.write_line(text)


def pytest_collection_modifyitems(items):
    """Tests of the real neural voice are marked `voice` (make test-fast leaves them out): the ones
    on the bundled show, and those marked by hand where the voice itself is the point."""
    for item in items:
        if "bundled" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.voice)


BUCKET = "podcasts"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, proc: subprocess.Popen, what: str) -> None:
    for _ in range(200):
        if proc.poll() is not None:
            pytest.fail(f"{what} exited: {proc.stderr.read() if proc.stderr else ''}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    pytest.fail(f"{what} did not listen on {port}")


@pytest.fixture(scope="session")
def s3():
    """moto's S3 server, a real HTTP server speaking the S3 API, on a loopback port: started once
    for every module that publishes to or caches in S3."""
    port = free_port()
    env = dict(os.environ, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test", AWS_DEFAULT_REGION="us-east-1")
    proc = subprocess.Popen([str(Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
    wait_port(port, proc, "moto_server")
    os.environ.update(AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test", AWS_DEFAULT_REGION="us-east-1")
    import boto3

    endpoint = f"http://127.0.0.1:{port}"
    client = boto3.client("s3", endpoint_url=endpoint)
    client.create_bucket(Bucket=BUCKET)
    # listeners read the bucket without credentials, as from a public website bucket
    import json

    client.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{BUCKET}/*"}]}))
    yield endpoint, client
    proc.terminate()
    proc.wait(timeout=10)
