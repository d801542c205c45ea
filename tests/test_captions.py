"""Captions a viewer can read: short lines, short cues, timed to each cue's first word.

Checked on the bundled episode (the real voice and its own alignments) and on every real page of
the corpus (the fake engine, which knows exactly where its words are), plus the cutter's rules on
sentences written to test them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from pipeline.feed import captions
from tests.conftest import ROOT, make_show, run_cli

CORPUS = ROOT / "tests" / "data" / "corpus" / "articles"


def _cue(text: str, start: float = 10.0, per_word: float = 0.3, gap: float = 0.05) -> dict:
    words, t = [], start
    for w in text.split():
        words.append((w, round(t, 3), round(t + per_word, 3)))
        t += per_word + gap + (0.25 if w[-1] in ",.;:" else 0)
    return {"start": start, "end": round(t, 3), "text": text, "section": 1, "kind": "body", "paragraph": 0,
            "words": words, "timing": "aligned"}


def _check(caps: list[captions.Caption], cues: list[dict], where: str) -> list[str]:
    """The rules every caption file keeps; returns the cues over 7 s (each must be one phrase)."""
    long = []
    for c in caps:
        assert 1 <= len(c.lines) <= captions.MAX_LINES, (where, c)
        for line in c.lines:
            assert 0 < len(line) <= captions.MAX_LINE, (where, line)
        assert c.end > c.start
        if c.end - c.start > captions.MAX_CUE:
            long.append(c.text)
    # no cue spans two sentences, and each starts at its first word
    for cue in cues:
        inside = [c for c in caps if cue["start"] - 0.001 <= c.start < cue["end"]]
        assert inside and all(c.end <= cue["end"] + 0.001 for c in inside), (where, cue["text"][:50])
        said = " ".join(c.text for c in inside)
        if max(len(w) for w in cue["text"].split()) <= captions.MAX_LINE:
            assert said == " ".join(cue["text"].split())
        else:  # a token longer than a line may run on into the next cue
            assert said.replace(" ", "") == cue["text"].replace(" ", "")
        starts = {round(w[1], 3) for w in cue["words"]}
        whole = {w[0] for w in cue["words"]}
        for c in inside:  # (the rest of a token too long for a line starts where its share of it does)
            if c.text.split()[0] in whole:
                assert round(c.start, 3) in starts or c.start == cue["start"], (where, c.text)
    return long


def test_breaks_fall_where_a_reader_pauses_never_inside_a_name_a_number_or_a_noun_phrase():
    text = ("Senior Master Sgt. John Smith, the 91st Missile Wing's superintendent, said the base spent "
            "$4.5 million on 30 percent of the new launch facilities before the winter storms arrived in the area.")
    caps = captions.cut([_cue(text)])
    _check(caps, [_cue(text)], "sentence")
    ends = [line.split()[-1] for c in caps for line in c.lines][:-1]
    assert not any(e.lower() in ("the", "a", "an") for e in ends), ends
    assert "Sgt." not in ends and "$4.5" not in ends and "30" not in ends, ends
    assert len(caps) >= 3


def test_a_long_web_address_is_cut_into_lines_that_fit():
    text = "Read it at https://www.example.mil/News/Article-View/Article/123456789/a-very-long-story-name-indeed/ today."
    caps = captions.cut([_cue(text)])
    _check(caps, [_cue(text)], "address")


def test_a_word_longer_than_many_lines_never_gives_overlapping_captions():
    # found by the front-matter fuzz test: a 32,760-character author name, its line-long pieces
    # under a millisecond each, rounded to milliseconds, gave two captions the same start
    cue = _cue("Written by " + "x" * 5000 + ".")
    cue.update(start=1.0, end=1.4, words=[("Written", 1.0, 1.2), ("by", 1.2, 1.3), ("x" * 5000 + ".", 1.3, 1.35)])
    caps = captions.cut([cue])
    assert len(caps) > 100
    for before, after in zip(caps, caps[1:]):
        assert after.start >= before.end and after.end > after.start, (before, after)


def test_json_transcript_segments_cover_the_speech_in_order():
    cues = [_cue("The first sentence is here, and it runs on for a while before it stops."),
            _cue("A second one follows.", start=30.0)]
    data = json.loads(captions.transcript_json(cues))
    segs = data["segments"]
    assert {s["speaker"] for s in segs} == {"Narrator"}
    for a, b in zip(segs, segs[1:]):
        assert a["endTime"] <= b["startTime"]
    for cue in cues:
        inside = [s for s in segs if cue["start"] <= s["startTime"] < cue["end"]]
        assert inside[0]["startTime"] == cue["words"][0][1] and inside[-1]["endTime"] == cue["end"]
        assert all(x["endTime"] == y["startTime"] for x, y in zip(inside, inside[1:]))  # no hole inside a sentence


def test_without_word_timings_cues_are_estimated_and_the_file_says_so():
    cue = _cue("An engine with no alignments still gets captions that fit on two short lines, timed by syllables.")
    del cue["words"], cue["timing"]
    text = captions.vtt([cue])
    assert "NOTE The voice gave no word timings" in text
    assert max(len(line) for line in text.splitlines() if "-->" not in line and not line.startswith(("NOTE", "each"))) <= 42


# --- every real page ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def corpus_show(tmp_path_factory) -> Path:
    show = make_show(tmp_path_factory.mktemp("corpus") / "show", music=False)
    assert run_cli("add", *map(str, sorted(CORPUS.iterdir())), show=show).exit_code == 0
    assert run_cli("build", "-q", show=show).exit_code == 0
    return show


@pytest.mark.slow
def test_every_corpus_article_gets_readable_captions(corpus_show):
    metas = sorted((corpus_show / "audio" / "episodes").glob("*.json"))
    assert len(metas) == len(list(CORPUS.iterdir()))
    long: list[str] = []
    for path in metas:
        meta = json.loads(path.read_text())
        assert all(c["timing"] == "aligned" for c in meta["cues"])
        long += _check(captions.cut(meta["cues"]), meta["cues"], path.stem)
    assert len(long) <= 3, long  # only where no break is allowed: the closing note lists them


@pytest.mark.slow
def test_every_corpus_feed_file_passes_check(corpus_show):
    r = run_cli("check", show=corpus_show)
    assert r.exit_code == 0, r.output
    for path in (corpus_show / "feed" / "media").glob("*-transcript.json"):
        segs = json.loads(path.read_text())["segments"]
        assert all(a["endTime"] <= b["startTime"] for a, b in zip(segs, segs[1:])), path.name


# --- the real voice -------------------------------------------------------------------------

def test_bundled_captions_start_within_50_ms_of_their_first_words_audio(bundled):
    """Each cue's first word, cut from its clip at the voice's own alignment, is found in the MP3
    by cross-correlation within 50 ms of the cue's start."""
    from pipeline.audio import read_meta
    from pipeline.audio.cache import ClipCache
    from pipeline.audio.loudness import resample
    from pipeline.config import load_show
    from tests.audiotools import decode

    rate = 16000
    show = load_show(bundled)
    meta = read_meta(show, "020-khrushchev")
    assert meta is not None and all(c["timing"] == "aligned" for c in meta["cues"])
    caps = captions.cut(meta["cues"])
    assert not _check(caps, meta["cues"], "bundled")
    audio = decode(next((bundled / "audio" / "episodes").glob("*.mp3")), rate, 1)[:, 0]
    cache = ClipCache(show.cache_dir)
    from pipeline.audio import make_lines
    from pipeline.audio.engines import create_engine
    from pipeline.audio.plan import clip_identity
    from pipeline.episodes import read_all
    from pipeline.scripts import load_script
    from pipeline.scripts.spoken import narrator_for

    ep = read_all(show)[0][0]
    engine = create_engine(show.voice)
    narrator = narrator_for(show)
    lines = make_lines(load_script(show, ep), narrator, clip_identity(show, engine, narrator), engine.supports_phonemes)
    checked = 0
    for line, cue in zip(lines, meta["cues"]):
        info = cache.info(line.key)
        clip = resample(cache.load(line.key), info.rate, rate)
        for c in caps:
            if not cue["start"] <= c.start < cue["end"] or c.start == cue["start"]:
                continue
            offset = c.start - cue["start"]  # where the first word is, in the clip
            piece = clip[int(offset * rate): int((offset + 0.6) * rate)]
            lo = int((c.start - 0.25) * rate)
            window = audio[lo: lo + len(piece) + int(0.5 * rate)]
            corr = np.correlate(window, piece, mode="valid")
            found = (np.argmax(corr) + lo) / rate
            assert abs(found - c.start) <= 0.05, f"{c.text[:40]!r} starts {(found - c.start) * 1000:.0f} ms off"
            checked += 1
    assert checked >= 15  # the cues that start inside a sentence, not only the sentence starts


def test_bundled_word_timings_fall_on_speech(bundled):
    """The voice's alignments put a word after a comma's pause where its sound begins: quieter
    just before the word than during it."""
    from pipeline.audio import read_meta
    from pipeline.config import load_show
    from tests.audiotools import decode

    rate = 16000
    meta = read_meta(load_show(bundled), "020-khrushchev")
    audio = decode(next((bundled / "audio" / "episodes").glob("*.mp3")), rate, 1)[:, 0]

    def rms(a: float, b: float) -> float:
        seg = audio[int(a * rate): int(b * rate)]
        return float(np.sqrt(np.mean(seg ** 2)) + 1e-9)

    after_pause = [(w2[1]) for c in meta["cues"] for w1, w2 in zip(c["words"], c["words"][1:])
                   if re.search(r"[,;]$", w1[0]) and w2[1] - w1[2] > 0.15]
    assert len(after_pause) >= 10
    louder = sum(rms(t, t + 0.1) > 3 * rms(t - 0.1, t - 0.02) for t in after_pause)
    assert louder >= 0.9 * len(after_pause), f"{louder} of {len(after_pause)}"
