"""`readcast publish` against real servers on loopback: an S3 server (moto's standalone server),
OpenSSH's sshd, and a folder. Each fixture starts its server once for the module."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from lxml import etree

from pipeline.config import load_show
from pipeline.publish import local_site, publish
from tests.conftest import BUCKET, ROOT, article, free_port, make_show, need, run_cli, wait_port

@pytest.fixture(scope="module")
def sshd(tmp_path_factory):
    """OpenSSH's sshd on a loopback port, a throwaway host key and a user key for this user."""
    sshd_bin = need("sshd")
    d = tmp_path_factory.mktemp("sshd")
    for name in ("host", "user"):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(d / name)], check=True)
    (d / "authorized_keys").write_text((d / "user.pub").read_text())
    os.chmod(d / "authorized_keys", 0o600)
    port = free_port()
    (d / "sshd_config").write_text(
        f"Port {port}\nListenAddress 127.0.0.1\nHostKey {d / 'host'}\nAuthorizedKeysFile {d / 'authorized_keys'}\n"
        f"PidFile {d / 'sshd.pid'}\nPasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM no\n"
        "StrictModes no\nPermitRootLogin prohibit-password\nSubsystem sftp internal-sftp\n")
    Path("/run/sshd").mkdir(exist_ok=True)  # privilege separation needs it
    proc = subprocess.Popen([sshd_bin, "-D", "-e", "-f", str(d / "sshd_config")], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    wait_port(port, proc, "sshd")
    host_key = (d / "host.pub").read_text().split()
    (d / "known_hosts").write_text(f"[127.0.0.1]:{port} {host_key[0]} {host_key[1]}\n")
    os.environ["READCAST_SSH_KEY"] = str(d / "user")
    os.environ["READCAST_SSH_KNOWN_HOSTS"] = str(d / "known_hosts")
    import getpass

    yield f"sftp://{getpass.getuser()}@127.0.0.1:{port}", d
    proc.terminate()
    proc.wait(timeout=10)


BODY = ("The crew checked the first silo at dawn. The second silo was quiet. "
        "By noon the team had finished the route. They drove back to the base.")


def _show(root: Path, base_url: str = "http://example.test/podcast/") -> Path:
    show = make_show(root, {"001-route.txt": article(1, "Route", BODY),
                            "002-next.txt": article(2, "Next", "Another patrol went out. It came back.", day=22)},
                     music=False)
    text = (show / "show.toml").read_text().replace('base_url = "http://example.test/podcast/"', f'base_url = "{base_url}"')
    (show / "show.toml").write_text(text)
    assert run_cli("build", "-q", show=show).exit_code == 0
    return show


def _bundled_at(bundled: Path, dest: Path, base_url: str) -> Path:
    """The bundled show (built once per session), copied and its site rebuilt for another address."""
    shutil.copytree(bundled, dest)
    r = run_cli("build", "-q", "--base-url", base_url, show=dest)
    assert r.exit_code == 0, r.output
    return dest


def _edit_one_word(show: Path) -> set[str]:
    """Change one word of an article and rebuild; the site files whose content changed."""
    before = {n: f.sha256 for n, f in local_site(show / "feed").items()}
    src = show / "episodes" / "001-route.txt"
    src.write_text(src.read_text().replace("was quiet", "was silent"))
    assert run_cli("build", "-q", show=show).exit_code == 0
    after = {n: f.sha256 for n, f in local_site(show / "feed").items()}
    return {n for n, h in after.items() if before.get(n) != h}


def _names_in_feed(xml: bytes, base: str) -> set[str]:
    """Every file of ours that a feed names: enclosures, alternates, transcripts, chapters, pages."""
    root = etree.fromstring(xml)
    urls = set(root.xpath("//enclosure/@url | //*[local-name()='source']/@uri | //*[local-name()='transcript']/@url"
                          " | //*[local-name()='chapters']/@url | //item/link/text()"))
    out = set()
    for url in urls:
        if url.startswith(base):
            rel = url[len(base):]
            out.add(rel + "index.html" if rel.endswith("/") else rel)
    return out


# --- a folder ---------------------------------------------------------------------------------

def test_folder_publish_sends_only_what_changed_feed_last_then_nothing(tmp_path):
    show = _show(tmp_path / "show")
    dest = tmp_path / "www"
    sent: list[str] = []
    plan, done = publish(load_show(show), str(dest), on_sent=sent.append)
    assert done is not None and sent[-1] == "feed.xml" and len(sent) == len(local_site(show / "feed"))
    stages = [0 if n.startswith("media/") else 2 if n == "feed.xml" else 1 for n in sent]
    assert stages == sorted(stages)  # media, then pages, then the feed
    for name, f in local_site(show / "feed").items():
        assert hashlib.sha256((dest / name).read_bytes()).hexdigest() == f.sha256
    r = run_cli("publish", "--to", str(dest), show=show)
    assert r.exit_code == 0 and "Nothing to send" in r.output
    changed = _edit_one_word(show)
    sent.clear()
    publish(load_show(show), str(dest), on_sent=sent.append)
    assert set(sent) == changed and sent[-1] == "feed.xml"
    assert any(n.endswith(".mp3") for n in sent) and sum(n.endswith(".mp3") for n in sent) == 1


def test_dry_run_lists_with_sizes_and_a_failing_check_sends_nothing(tmp_path):
    show = _show(tmp_path / "show")
    dest = tmp_path / "www"
    r = run_cli("publish", "--to", str(dest), "--dry-run", show=show)
    assert r.exit_code == 0 and re.search(r"send media/001-route-\w+\.mp3 \([\d,]+ bytes\)", r.output)
    assert not dest.exists() or not any(dest.iterdir())
    next((show / "feed" / "media").glob("*.mp3")).unlink()  # the feed now names a missing file
    r = run_cli("publish", "--to", str(dest), show=show)
    assert r.exit_code == 1 and "nothing was sent" in r.output
    assert not (dest / "feed.xml").exists()


# --- S3 ---------------------------------------------------------------------------------------

def _s3_show(tmp_path: Path, endpoint: str, prefix: str) -> Path:
    show = _show(tmp_path / "show", f"{endpoint}/{BUCKET}/{prefix}/")
    with open(show / "show.toml", "a") as fh:
        fh.write(f'\n[publish]\ntarget = "s3://{BUCKET}/{prefix}"\nendpoint_url = "{endpoint}"\n')
    return show


def test_s3_types_caching_and_a_one_word_fix(s3, tmp_path):
    endpoint, client = s3
    show = _s3_show(tmp_path, endpoint, "fix")
    assert run_cli("publish", show=show).exit_code == 0
    head = client.head_object(Bucket=BUCKET, Key="fix/feed.xml")
    assert head["ContentType"].startswith("application/rss+xml") and "max-age=300" in head["CacheControl"]
    mp3 = next(k["Key"] for k in client.list_objects_v2(Bucket=BUCKET, Prefix="fix/media/")["Contents"]
               if k["Key"].endswith(".mp3"))
    head = client.head_object(Bucket=BUCKET, Key=mp3)
    assert head["ContentType"] == "audio/mpeg" and "immutable" in head["CacheControl"]
    assert run_cli("publish", show=show).output.startswith("Nothing to send")  # compared by ETag: no writes
    changed = _edit_one_word(show)
    sent: list[str] = []
    publish(load_show(show), on_sent=sent.append)
    assert set(sent) == changed and sent[-1] == "feed.xml"
    for name, f in local_site(show / "feed").items():
        assert client.head_object(Bucket=BUCKET, Key=f"fix/{name}")["ETag"].strip('"') == f.md5


_DIE = """
import os, signal, sys
sys.path.insert(0, {root!r})
from pipeline.config import load_show
from pipeline.publish import publish
n = 0
def sent(name):
    global n
    n += 1
    if n >= {after}:
        os.kill(os.getpid(), signal.SIGKILL)
publish(load_show({show!r}), on_sent=sent)
"""


def test_kill_9_during_a_publish_never_leaves_a_feed_naming_missing_files(s3, tmp_path):
    endpoint, client = s3
    show = _s3_show(tmp_path, endpoint, "kill")
    base = f"{endpoint}/{BUCKET}/kill/"
    assert run_cli("publish", show=show).exit_code == 0
    changed = _edit_one_word(show)
    env = dict(os.environ, READCAST_REPORT="off")
    kills = 0
    while True:  # killed after its 1st or 2nd upload, again and again: each run resumes the last
        after = 1 + kills % 2
        proc = subprocess.run([sys.executable, "-c", _DIE.format(root=str(ROOT), after=after, show=str(show))],
                              env=env, capture_output=True, text=True, timeout=120)
        if proc.returncode == 0:
            break  # fewer files left than the kill point: this run finished
        assert proc.returncode == -signal.SIGKILL, (proc.stdout, proc.stderr)
        kills += 1
        remote = {o["Key"][len("kill/"):] for o in client.list_objects_v2(Bucket=BUCKET, Prefix="kill/")["Contents"]}
        feed = client.get_object(Bucket=BUCKET, Key="kill/feed.xml")["Body"].read()
        assert _names_in_feed(feed, base) <= remote, _names_in_feed(feed, base) - remote
    assert kills >= min(4, len(changed) - 1)
    # the run that was not killed finished the job: nothing is left to send
    r = run_cli("publish", show=show)
    assert r.exit_code == 0 and r.output.startswith("Nothing to send"), r.output
    for name, f in local_site(show / "feed").items():
        assert client.head_object(Bucket=BUCKET, Key=f"kill/{name}")["ETag"].strip('"') == f.md5


@pytest.mark.e2e
def test_gpo_subscribes_to_the_bundled_show_published_to_s3_and_downloads_byte_identical(s3, bundled, tmp_path):
    gpo = need("gpo")
    endpoint, _ = s3
    show = _bundled_at(bundled, tmp_path / "show", f"{endpoint}/{BUCKET}/gpo/")
    with open(show / "show.toml", "a") as fh:
        fh.write(f'\n[publish]\ntarget = "s3://{BUCKET}/gpo"\nendpoint_url = "{endpoint}"\n')
    assert run_cli("publish", show=show).exit_code == 0
    env = dict(os.environ, GPODDER_HOME=str(tmp_path / "home"), GPODDER_DOWNLOAD_DIR=str(tmp_path / "dl"))
    run = lambda *a: subprocess.run([gpo, *a], env=env, capture_output=True, text=True, timeout=180)  # noqa: E731
    out = run("subscribe", f"{endpoint}/{BUCKET}/gpo/feed.xml")
    assert "Successfully added" in out.stdout + out.stderr, out
    assert "1 new episode" in run("update").stdout
    assert "1 episodes downloaded" in run("download").stdout
    [got] = [p for p in (tmp_path / "dl").rglob("*") if p.is_file()]
    [want] = list((show / "feed" / "media").glob("*.mp3"))
    assert hashlib.sha256(got.read_bytes()).digest() == hashlib.sha256(want.read_bytes()).digest()


# --- SSH --------------------------------------------------------------------------------------

def test_sftp_sends_only_what_changed_renamed_into_place(sshd, tmp_path):
    url, _ = sshd
    root = tmp_path / "docroot"
    show = _show(tmp_path / "show")
    target = f"{url}{root}"
    r = run_cli("publish", "--to", target, show=show)
    assert r.exit_code == 0, r.output
    for name, f in local_site(show / "feed").items():
        assert hashlib.sha256((root / name).read_bytes()).hexdigest() == f.sha256
    assert run_cli("publish", "--to", target, show=show).output.startswith("Nothing to send")
    changed = _edit_one_word(show)
    sent: list[str] = []
    publish(load_show(show), target, on_sent=sent.append)
    assert set(sent) == changed and sent[-1] == "feed.xml"
    assert not [p for p in root.rglob(".*.tmp")]  # every file renamed into place


@pytest.mark.e2e
def test_gpo_downloads_the_bundled_show_published_over_ssh_from_a_static_server(sshd, bundled, tmp_path):
    gpo = need("gpo")
    url, _ = sshd
    root = tmp_path / "docroot"
    root.mkdir()
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
                               "--directory", str(root)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_port(port, server, "http.server")
        show = _bundled_at(bundled, tmp_path / "show", f"http://127.0.0.1:{port}/")
        r = run_cli("publish", "--to", f"{url}{root}", show=show)
        assert r.exit_code == 0, r.output
        env = dict(os.environ, GPODDER_HOME=str(tmp_path / "home"), GPODDER_DOWNLOAD_DIR=str(tmp_path / "dl"))
        run = lambda *a: subprocess.run([gpo, *a], env=env, capture_output=True, text=True, timeout=180)  # noqa: E731
        out = run("subscribe", f"http://127.0.0.1:{port}/feed.xml")
        assert "Successfully added" in out.stdout + out.stderr, out
        run("update")
        assert "1 episodes downloaded" in run("download").stdout
        [got] = [p for p in (tmp_path / "dl").rglob("*") if p.is_file()]
        [want] = list((show / "feed" / "media").glob("*.mp3"))
        assert hashlib.sha256(got.read_bytes()).digest() == hashlib.sha256(want.read_bytes()).digest()
    finally:
        server.terminate()
        server.wait(timeout=10)
