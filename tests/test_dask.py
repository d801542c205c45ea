"""Synthesis on a Dask distributed cluster, and a clip cache shared by URL: real clusters on
loopback, never mocks. A `distributed.LocalCluster` (worker processes) for the unit-level checks,
started once for the module; the end-to-end tests start `dask scheduler` and two `dask worker`
processes, as a producer would on real machines.

Without readcast[dask] installed these are skipped, and nothing else needs Dask.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from lxml import etree

from tests.conftest import BUCKET, article, copy_bundled_sources, free_port, make_show, run_cli, wait_port

distributed = pytest.importorskip("distributed")

CORPUS = Path(__file__).parent / "data" / "corpus" / "articles"


@pytest.fixture(scope="module")
def cluster(s3):
    """Two single-threaded worker processes, as the local pool has two processes on two cores.
    Started after the S3 server, so the workers have its credentials in their environment, as
    real workers would have theirs."""
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=":0") as c:
        yield "dask://" + c.scheduler_address.split("://", 1)[1]


def _arts(n: int = 3) -> dict[str, str]:
    return {f"00{i}-ep.txt": article(i, f"Episode {i}", f"Episode {i} opens in {1940 + i}. It has a middle. It ends.", day=i)
            for i in range(1, n + 1)}


def _digests(show: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted((show / "audio" / "episodes").glob("*.mp3"))}


def _keys(show: Path) -> dict[str, list[str]]:
    return {p.stem: [c["key"] for c in json.loads(p.read_text())["cues"]]
            for p in sorted((show / "audio" / "episodes").glob("*.json")) if not p.name.endswith(".verify.json")}


def _items(show: Path) -> list[tuple]:
    root = etree.parse(str(show / "feed" / "feed.xml")).getroot()
    return [(i.findtext("guid"), i.findtext("title"), i.find("enclosure").get("url").rsplit("/", 1)[-1],
             i.find("enclosure").get("length")) for i in root.iter("item")]


def _synthesised(output: str) -> int:
    return int(re.search(r"\((\d+) sentences synthesised\)", output).group(1))


def _built(tmp_path: Path, name: str, extra: str = "", *args: str, arts: dict | None = None) -> tuple[Path, str]:
    show = make_show(tmp_path / name, arts or _arts(), music=False, extra=extra)
    r = run_cli("build", *args, show=show)
    assert r.exit_code == 0, r.output
    return show, r.output


def test_a_show_built_on_a_cluster_is_the_show_built_here(cluster, tmp_path):
    local, here = _built(tmp_path, "local")
    remote, out = _built(tmp_path, "remote", "", "--executor", cluster)
    assert "3 episode(s) rendered" in out and _synthesised(out) == _synthesised(here) > 10, out
    assert _keys(remote) == _keys(local)
    assert _digests(remote) == _digests(local)  # the fake voice is deterministic: same bytes
    for script in (local / "scripts").glob("*.txt"):
        assert (remote / "scripts" / script.name).read_text() == script.read_text()
    assert _items(remote) == _items(local)
    # and the clips landed in this show's own cache, as if made here
    assert run_cli("build", show=remote).output.startswith("Nothing to do")


def test_show_toml_chooses_the_cluster(cluster, tmp_path):
    show, out = _built(tmp_path, "s", f'\n[build]\nexecutor = "{cluster}"\n')
    assert "sentences synthesised" in out and _digests(show)


def test_a_shared_folder_cache_means_another_machine_synthesises_nothing(cluster, tmp_path):
    shared = tmp_path / "shared"
    setting = f'\n[build]\nshared_cache = "{shared.as_uri()}"\n'
    first, out = _built(tmp_path, "first", setting, "--executor", cluster)
    made = _synthesised(out)
    assert made > 10 and len(list(shared.glob("clips/*/*.json"))) == made
    # another show on "another machine": its own empty local cache, the same shared folder, local synthesis
    second, out = _built(tmp_path, "second", setting)
    assert "(0 sentences synthesised)" in out, out
    assert _digests(second) == _digests(first)
    # and what a local build makes is shared too
    (second / "episodes" / "004-ep.txt").write_text(article(4, "Episode 4", "A new one. Short.", day=9))
    out = run_cli("build", show=second).output
    assert 0 < _synthesised(out) < made, out
    assert len(list(shared.glob("clips/*/*.json"))) == made + _synthesised(out)


def test_an_s3_shared_cache(cluster, s3, tmp_path):
    endpoint, client = s3
    setting = (f'\n[build]\nshared_cache = "s3://{BUCKET}/clip-cache"\n'
               f'[publish]\nendpoint_url = "{endpoint}"\n')
    first, out = _built(tmp_path, "first", setting, "--executor", cluster)
    made = _synthesised(out)
    names = [o["Key"] for o in client.list_objects_v2(Bucket=BUCKET, Prefix="clip-cache/clips/")["Contents"]]
    assert made > 10 and len([n for n in names if n.endswith(".wav")]) == len([n for n in names if n.endswith(".json")]) == made
    second, out = _built(tmp_path, "second", setting)
    assert "(0 sentences synthesised)" in out, out
    assert _digests(second) == _digests(first)


def test_storage_without_credentials_is_one_clear_line(s3, tmp_path, monkeypatch):
    endpoint, _ = s3
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    show = make_show(tmp_path / "s", _arts(1), music=False, extra=(
        f'\n[build]\nshared_cache = "s3://{BUCKET}/nocreds"\n[publish]\nendpoint_url = "{endpoint}"\n'))
    r = run_cli("build", show=show)
    assert r.exit_code == 1 and "Traceback" not in r.output
    assert f"shared clip cache s3://{BUCKET}/nocreds cannot be read (NoCredentialsError" in r.output, r.output
    assert "AWS_ACCESS_KEY_ID" in r.output


def _published_then_edited(tmp_path: Path, task_timeout: int) -> tuple[Path, bytes]:
    """A built show, its feed.xml, and then an edited article for the next build to fail on."""
    show, _ = _built(tmp_path, "s")
    feed = (show / "feed" / "feed.xml").read_bytes()
    (show / "episodes" / "002-ep.txt").write_text(article(2, "Episode 2", "Changed now. It is new.", day=2))
    with open(show / "show.toml", "a") as fh:
        fh.write(f"\n[build]\ntask_timeout = {task_timeout}\n")
    return show, feed


def test_no_scheduler_is_one_clear_line_and_the_published_show_stays(tmp_path):
    show, feed = _published_then_edited(tmp_path, 4)
    port = free_port()
    r = run_cli("build", "--executor", f"dask://127.0.0.1:{port}", show=show)
    assert r.exit_code == 1
    assert f"no Dask scheduler answers at dask://127.0.0.1:{port}" in r.output, r.output
    assert "Traceback" not in r.output
    assert (show / "feed" / "feed.xml").read_bytes() == feed


def test_no_scheduler_with_a_shared_cache_fails_at_once_too(tmp_path):
    """Was: with a shared cache, the scheduler's refusal was raised in a lookup thread and lost;
    the build waited out task_timeout for clips that would never come."""
    port = free_port()
    show = make_show(tmp_path / "s", _arts(1), music=False, extra=(
        f'\n[build]\nshared_cache = "{(tmp_path / "shared").as_uri()}"\ntask_timeout = 4\n'))
    r = run_cli("build", "--executor", f"dask://127.0.0.1:{port}", show=show)
    # the scheduler's own message, not the clip timeout's ("no clip from ... after 4 s")
    assert r.exit_code == 1 and f"no Dask scheduler answers at dask://127.0.0.1:{port}" in r.output, r.output
    assert "no clip from" not in r.output


def test_a_cluster_with_no_workers_times_out_naming_it(tmp_path):
    from distributed import LocalCluster

    show, feed = _published_then_edited(tmp_path, 2)
    with LocalCluster(n_workers=0, processes=False, protocol="tcp", host="127.0.0.1", dashboard_address=":0") as empty:
        where = "dask://" + empty.scheduler_address.split("://", 1)[1]
        r = run_cli("build", "--executor", where, show=show)
    assert r.exit_code == 1
    assert f"no clip from {where} after 2 s" in r.output, r.output
    assert (show / "feed" / "feed.xml").read_bytes() == feed  # episode 2's last published version stays
    assert len(_items(show)) == 3


def test_a_bad_executor_is_refused_by_name(tmp_path):
    show = make_show(tmp_path / "s", _arts(1), music=False, extra='\n[build]\nexecutor = "spark://x"\n')
    r = run_cli("build", show=show)
    assert r.exit_code != 0 and "build.executor 'spark://x'" in r.output and "dask://HOST:8786" in r.output
    r = run_cli("build", "--executor", "ssh://x", show=make_show(tmp_path / "t", _arts(1), music=False))
    assert r.exit_code != 0 and "--executor 'ssh://x'" in r.output


# --- end to end: `dask scheduler` and two `dask worker` processes ---------------------------------

@pytest.fixture(scope="module")
def real_cluster(tmp_path_factory):
    dask = str(Path(sys.executable).parent / "dask")
    port = free_port()
    logs = tmp_path_factory.mktemp("dask")
    env = dict(os.environ, DASK_DISTRIBUTED__WORKER__DAEMON="False")
    procs = [subprocess.Popen([dask, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
                              stdout=subprocess.DEVNULL, stderr=open(logs / "scheduler.log", "w"), env=env)]
    wait_port(port, procs[0], "dask scheduler")
    address = f"tcp://127.0.0.1:{port}"
    for n in range(2):
        # no nanny: killing the worker's process loses the worker, as a machine going down would
        procs.append(subprocess.Popen([dask, "worker", address, "--nthreads", "1", "--no-nanny", "--no-dashboard",
                                       "--host", "127.0.0.1", "--name", f"w{n}"],
                                      stdout=subprocess.DEVNULL, stderr=open(logs / f"worker{n}.log", "w"), env=env))
    from distributed import Client

    with Client(address, timeout=30) as client:
        client.wait_for_workers(2, timeout=60)
    yield f"dask://127.0.0.1:{port}", procs[1:]
    for p in reversed(procs):
        p.terminate()
    for p in procs:
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()


@pytest.mark.e2e
def test_the_bundled_show_and_the_corpus_on_a_real_cluster_match_local_builds(real_cluster, bundled, tmp_path):
    address, _ = real_cluster
    # the bundled show, with the real voice: same sentences, scripts, captions and feed
    show = copy_bundled_sources(tmp_path / "bundled")
    r = run_cli("build", "--executor", address, show=show)
    assert r.exit_code == 0, r.output
    assert _keys(show) == _keys(bundled)
    for script in (bundled / "scripts").glob("*.txt"):
        assert (show / "scripts" / script.name).read_text() == script.read_text()
    for meta in (bundled / "audio" / "episodes").glob("*.json"):
        if meta.name.endswith(".verify.json"):
            continue
        here, there = json.loads((show / "audio" / "episodes" / meta.name).read_text()), json.loads(meta.read_text())
        assert [c["text"] for c in here["cues"]] == [c["text"] for c in there["cues"]]
        assert [[w[0] for w in c["words"]] for c in here["cues"]] == [[w[0] for w in c["words"]] for c in there["cues"]]
        assert abs(here["duration"] - there["duration"]) < 2.0  # piper's noise differs run to run
    assert [i[:2] for i in _items(show)] == [i[:2] for i in _items(bundled)]
    assert run_cli("check", show=show).exit_code == 0

    # the 30 real corpus pages, with the deterministic test voice: byte for byte what a local build makes
    local = make_show(tmp_path / "corpus-local", music=False)
    remote = make_show(tmp_path / "corpus-remote", music=False)
    for s in (local, remote):
        assert run_cli("add", *map(str, sorted(CORPUS.iterdir())), show=s).exit_code == 0
    assert run_cli("build", "-q", show=local).exit_code == 0
    r = run_cli("build", "--executor", address, show=remote)
    assert r.exit_code == 0, r.output
    assert len(_digests(remote)) == 30
    assert _keys(remote) == _keys(local)
    assert _digests(remote) == _digests(local)
    assert _items(remote) == _items(local)


@pytest.mark.e2e
def test_a_worker_killed_mid_build_and_the_build_still_completes(real_cluster, tmp_path):
    """Runs last in this module: it leaves the cluster one worker short."""
    address, workers = real_cluster
    show = copy_bundled_sources(tmp_path / "bundled")
    clips = show / ".readcast" / "cache" / "clips"
    proc = subprocess.Popen([str(Path(sys.executable).parent / "readcast"), "build", "-q", "--executor", address,
                             "--show", str(show)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 300
    while len(list(clips.glob("*/*.json"))) < 4:
        assert proc.poll() is None, proc.communicate()[0]
        assert time.monotonic() < deadline, "no clips arrived"
        time.sleep(0.05)
    os.kill(workers[0].pid, signal.SIGKILL)
    out, _ = proc.communicate(timeout=600)
    assert proc.returncode == 0, out
    meta = json.loads((show / "audio" / "episodes" / "020-khrushchev.json").read_text())
    assert len(meta["cues"]) == len(list(clips.glob("*/*.json")))  # every sentence, none lost
    assert workers[0].poll() is not None
    assert run_cli("check", show=show).exit_code == 0


def test_without_dask_installed_the_executor_says_how_to_get_it(tmp_path, monkeypatch):
    """readcast[dask] is optional: without it a local build is as before, and asking for a
    cluster is one line naming the extra."""
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed -> ImportError
    show, out = _built(tmp_path, "s")
    assert "3 episode(s) rendered" in out
    (show / "episodes" / "002-ep.txt").write_text(article(2, "Episode 2", "Changed now. It is new.", day=2))
    r = run_cli("build", "--executor", "dask://127.0.0.1:8786", show=show)
    assert r.exit_code == 1 and "Traceback" not in r.output
    assert "needs Dask" in r.output and "pip install 'readcast[dask]'" in r.output, r.output


FAULTS = """
import resource, sys
import numpy as np
if sys.argv[1] == "tuned":
    from pipeline.audio.synth import keep_freed_memory
    keep_freed_memory()
def faults():
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt
np.ones(1_000_000, dtype=np.float32)
before = faults()
for _ in range(50):  # a sentence's audio, made and freed, 50 times
    a = np.ones(1_000_000, dtype=np.float32)
    del a
print(faults() - before)
"""


def test_a_workers_allocator_keeps_what_a_sentence_freed_for_the_next(tmp_path):
    """Dask's nanny starts workers with MALLOC_TRIM_THRESHOLD_ set, which turns off glibc's
    adaptive mmap threshold: every 4 MB buffer was mapped, faulted in page by page and unmapped
    again, for every sentence (2.4x a local worker's page faults, 7% more CPU on the corpus).
    A worker's first engine tunes the allocator back."""
    import dask

    trim = dask.config.get("distributed.nanny.pre-spawn-environ")["MALLOC_TRIM_THRESHOLD_"]
    env = dict(os.environ, MALLOC_TRIM_THRESHOLD_=str(trim))
    script = tmp_path / "faults.py"
    script.write_text(FAULTS)
    plain, tuned = (int(subprocess.run([sys.executable, str(script), how], env=env, capture_output=True, text=True,
                                       check=True, cwd=Path(__file__).parent.parent).stdout) for how in ("plain", "tuned"))
    assert plain > 50 * 900  # each 4 MB buffer faulted in again (1,000 pages)
    assert tuned < 1_000
