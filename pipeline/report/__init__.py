"""The producer's build report: one HTML page to look at before an episode goes out.

Per episode, from the render's own data (nothing is synthesised again): the waveform with its
sections and the speech drawn apart from the music around it, the momentary and short-term
loudness (EBU R128) against the show's target, every sentence as a block at its real place,
coloured by what happened to it (reused, synthesised this build, edited by hand in the script,
flagged by `verify`) and playable from its start, what changed since the previous render, and
`check`'s findings. A summary for the show heads the page.

Plots are matplotlib, drawn to SVG inside the page; the page has no other resource but the MP3s
it plays (by relative path), so it opens offline. It is written to `.readcast/report/` (never
published with the site). The waveform and loudness of an MP3 are cached by its hash, so a
report after a one-sentence edit analyses one episode.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..config import Show
from ..files import read_json, sha256_file, write_text

RATE = 8000   # enough for a picture of speech and its loudness; half the work of 16 kHz
BINS = 1600


@dataclass
class EpisodeView:
    slug: str
    title: str
    duration: float
    audio: str                   # the MP3, relative to the report
    waveform_svg: str
    loudness_svg: str
    integrated: float | None
    true_peak: float | None
    target: float
    chapters: list[dict]
    blocks: list[dict]
    changes: dict[str, Any]
    problems: list[str]
    counts: dict[str, int] = field(default_factory=dict)


def _analysis(show: Show, mp3: Path) -> dict[str, np.ndarray]:
    """Envelope and loudness curves of one MP3, cached by its content hash."""
    from ..audio.ffmpeg import decode
    from ..audio.loudness import k_power, loudness_curve

    cache = show.state_dir / "report" / "analysis"
    key = sha256_file(mp3)[:20]
    path = cache / f"{key}.npz"
    try:
        with np.load(path) as data:
            return {k: data[k] for k in data.files}
    except (OSError, ValueError):
        pass
    audio = decode(mp3, RATE, 1)[:, 0]
    n = max(1, len(audio) // BINS)
    frames = audio[: n * BINS].reshape(BINS, n) if len(audio) >= BINS else audio.reshape(-1, 1)
    power = k_power(audio, RATE)
    t_m, momentary = loudness_curve(power, RATE, 0.4)
    t_s, short = loudness_curve(power, RATE, 3.0)
    out = {"lo": frames.min(axis=1), "hi": frames.max(axis=1), "bin": np.array([n / RATE]),
           "t_m": t_m, "momentary": momentary, "t_s": t_s, "short": short, "duration": np.array([len(audio) / RATE])}
    cache.mkdir(parents=True, exist_ok=True)
    tmp = cache / f".{key}.{os.getpid()}.tmp.npz"
    np.savez_compressed(tmp, **out)
    os.replace(tmp, path)
    for old in sorted(cache.glob("*.npz"), key=lambda p: p.stat().st_mtime)[:-200]:
        old.unlink(missing_ok=True)  # a bounded cache
    return out


def _svg(fig) -> str:
    import io

    buf = io.StringIO()
    # no creator, date or links in the SVG: the report is the same for the same episode, and offline
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Creator": None, "Date": None, "Format": None, "Type": None})
    text = buf.getvalue()
    return text[text.index("<svg"):]


def _time_axis(ax, duration: float) -> None:
    """m:ss ticks, the last one at the episode's end, so the axis reads its duration."""
    from ..feed.captions import timestamp

    step = next(s for s in (5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600) if duration / s <= 10)
    ticks = [t for t in np.arange(0, duration, step) if duration - t > step * 0.4] + [duration]
    ax.set_xticks(ticks, [timestamp(t) for t in ticks])
    ax.set_xlim(0, duration)
    ax.set_xlabel("time (m:ss)")


def _plots(data: dict[str, np.ndarray], meta: dict, target: float) -> tuple[str, str]:
    import matplotlib

    matplotlib.use("svg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({"svg.fonttype": "none", "font.size": 9, "axes.spines.top": False, "axes.spines.right": False})
    duration = float(meta["duration"])
    t = (np.arange(len(data["lo"])) + 0.5) * float(data["bin"][0])
    speech = np.zeros(len(t), dtype=bool)
    for c in meta["cues"]:
        speech |= (t >= c["start"]) & (t <= c["end"])

    fig, ax = plt.subplots(figsize=(10, 2.2))
    # the music bed (where no sentence is placed) and the voice, drawn apart
    ax.fill_between(t, np.where(speech, 0, data["lo"]), np.where(speech, 0, data["hi"]), color="#c98a1b",
                    linewidth=0, label="music and pauses", step="mid")
    ax.fill_between(t, np.where(speech, data["lo"], 0), np.where(speech, data["hi"], 0), color="#1f5fa8",
                    linewidth=0, label="voice", step="mid")
    for ch in meta.get("chapters", []):
        ax.axvline(ch["start"], color="#555", linewidth=0.8, linestyle="--")
        ax.text(ch["start"] + duration * 0.003, 0.97, ch["title"], fontsize=8, va="top",
                transform=ax.get_xaxis_transform())
    _time_axis(ax, duration)
    ax.set_ylim(-1, 1)
    ax.set_yticks([])
    ax.legend(loc="lower right", fontsize=7, frameon=False, ncols=2)
    ax.set_title("Waveform", loc="left", fontsize=10)
    wave = _svg(fig)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(10, 2.2))
    ax.plot(data["t_m"], data["momentary"], color="#9bb7d4", linewidth=0.7, label="momentary (0.4 s)")
    ax.plot(data["t_s"], data["short"], color="#1f5fa8", linewidth=1.4, label="short-term (3 s)")
    ax.axhline(target, color="#b3261e", linewidth=1, linestyle="--", label=f"target {target:g} LUFS")
    _time_axis(ax, duration)
    ax.set_ylim(max(-60, target - 30), min(0, target + 15))
    ax.set_ylabel("LUFS")
    ax.legend(loc="lower right", fontsize=7, frameon=False, ncols=3)
    ax.set_title("Loudness (EBU R128)", loc="left", fontsize=10)
    loud = _svg(fig)
    plt.close(fig)
    return wave, loud


def _edited_sentences(show: Show, slug: str) -> set[str]:
    """Sentences in the script that readcast would not have written (the producer's edits)."""
    from ..episodes import read_all
    from ..scripts import load_script, script_path
    from ..scripts.generate import generate
    from ..scripts.spoken import written_form

    eps = [e for e in read_all(show, only=[slug])[0] if e.slug == slug]
    if not eps or not script_path(show, eps[0]).is_file():
        return set()
    try:
        on_disk = load_script(show, eps[0]).sentences
        made = set(generate(eps[0], show).sentences)
    except Exception:  # a digest, or a script that no longer parses: nothing to compare
        return set()
    return {written_form(s) for s in on_disk if s not in made}


def _changes(show: Show, slug: str, meta: dict) -> dict[str, Any]:
    prev = read_json(show.state_dir / "report" / "previous" / f"{slug}.json")
    out: dict[str, Any] = {"previous": bool(prev), "added": [], "removed": [], "resynthesised": [], "media": []}
    if not prev:
        return out
    before = {c.get("key") or c["text"]: c["text"] for c in prev.get("cues", [])}
    now = {c.get("key") or c["text"]: c["text"] for c in meta["cues"]}
    old_texts, new_texts = set(before.values()), set(now.values())
    out["added"] = [t for k, t in now.items() if k not in before and t not in old_texts]
    out["removed"] = [t for k, t in before.items() if k not in now and t not in new_texts]
    synthesised = set(meta.get("synthesised", []))
    out["resynthesised"] = [c["text"] for c in meta["cues"] if c.get("key") in synthesised]
    if prev.get("sha256") != meta.get("sha256"):
        for ext in ("mp3", "opus"):
            if ext == "opus" and "alternate" not in meta:
                continue
            out["media"].append((f"media/{slug}-{prev['sha256'][:10]}.{ext}", f"media/{slug}-{meta['sha256'][:10]}.{ext}"))
    return out


def episode_view(show: Show, slug: str, out_dir: Path, problems: list[str]) -> EpisodeView | None:
    from ..audio import read_meta, rendered_paths

    meta = read_meta(show, slug)
    if meta is None:
        return None
    mp3, _ = rendered_paths(show, slug)
    data = _analysis(show, mp3)
    wave, loud = _plots(data, dict(meta), meta["loudness"]["target"])
    verify = read_json(show.rendered_dir / f"{slug}.verify.json") or {}
    flagged = {r["clip"] for r in verify.get("results", []) if r.get("flagged")}
    edited = _edited_sentences(show, slug)
    synthesised = set(meta.get("synthesised", []))
    blocks = []
    counts = {"reused": 0, "synthesised": 0, "edited": 0, "flagged": 0}
    for n, c in enumerate(meta["cues"], 1):
        key = c.get("key", "")
        by_hand = c["text"] in edited
        state = ("flagged" if key in flagged else "synthesised" if key in synthesised
                 else "edited" if by_hand else "reused")
        counts[state] += 1
        spoken = c.get("spoken") or next((r["spoken"] for r in verify.get("results", []) if r.get("clip") == key), "")
        blocks.append({"n": n, "start": c["start"], "end": c["end"], "text": c["text"], "state": state,
                       "edited": by_hand,
                       "spoken": spoken, "left": 100 * c["start"] / meta["duration"],
                       "width": max(0.15, 100 * (c["end"] - c["start"]) / meta["duration"])})
    return EpisodeView(
        slug=slug, title=next((c["title"] for c in meta["chapters"] if c.get("kind") == "body"), slug),
        duration=meta["duration"], audio=os.path.relpath(mp3, out_dir), waveform_svg=wave, loudness_svg=loud,
        integrated=meta["loudness"]["integrated"], true_peak=meta["loudness"]["true_peak"],
        target=meta["loudness"]["target"], chapters=[dict(c) for c in meta["chapters"]], blocks=blocks,
        changes=_changes(show, slug, dict(meta)), problems=problems, counts=counts)


def write_report(show: Show, slugs: list[str] | None = None, out: Path | None = None) -> Path:
    """Write the report (all rendered episodes, or `slugs`) and return its path."""
    import jinja2

    from ..check import check_site
    from ..feed.captions import timestamp

    out = out or show.state_dir / "report" / "index.html"
    out_dir = out.parent
    found = sorted(p.stem for p in show.rendered_dir.glob("*.mp3")) if show.rendered_dir.is_dir() else []
    wanted = [s for s in found if not slugs or s in slugs]
    findings = check_site(show) if (show.feed_dir / "feed.xml").exists() else []
    views = []
    for slug in wanted:
        view = episode_view(show, slug, out_dir, [])
        if view is not None:
            view.problems = [str(p) for p in findings if f"({view.title[:40]}" in str(p) or slug in str(p)]
            views.append(view)
    last = read_json(show.state_dir / "last-build.json") or {}
    env = jinja2.Environment(loader=jinja2.PackageLoader("pipeline.report", "templates"),
                             autoescape=jinja2.select_autoescape(["html"]))
    env.filters["ts"] = timestamp
    html = env.get_template("report.html").render(
        show=show, episodes=views, last=last, total=sum(v.duration for v in views),
        site_problems=[str(p) for p in findings], blocks_json=json.dumps({v.slug: v.blocks for v in views}))
    write_text(out, html)
    return out
