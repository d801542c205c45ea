"""Broadcast-grade audio, checked on real MP3s with independent measurements."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from mutagen.id3 import ID3

from pipeline.audio.cache import ClipCache
from pipeline.audio.loudness import resample
from pipeline.config import load_show
from tests.audiotools import decode, ebur128_segment, make_tone, measure_file, rms_db
from tests.conftest import article, make_show, run_cli

RATE = 44100


def _mp3(show):
    return next((show / "feed" / "media").glob("*.mp3"))


def _meta(show):
    return json.loads(next((show / "audio" / "episodes").glob("*.json")).read_text())


def test_bundled_episode_loudness_by_ffmpeg_meter(bundled):
    integrated, true_peak = measure_file(_mp3(bundled))
    assert integrated == pytest.approx(-19.0, abs=1.0)  # mono: -19 LUFS
    assert true_peak <= -1.0


# ffmpeg's sine is at -18 dBFS: these make an intro near -42 LUFS and one near -4 LUFS
@pytest.mark.parametrize("level", [-20.0, 17.0], ids=["quiet-intro", "loud-intro"])
def test_intro_asset_of_any_level_is_matched(tmp_path, level):
    show = make_show(tmp_path / "s", {"001-a.txt": article(1, "Levels", "One sentence is spoken here. "
                                                                        "Another sentence follows it.")})
    make_tone(show / "audio" / "intro.mp3", seconds=8, gain_db=level)
    before = measure_file(show / "audio" / "intro.mp3")[0]
    assert before < -38 or before > -8
    result = run_cli("build", show=show)
    assert result.exit_code == 0, result.output
    mp3 = _mp3(show)
    integrated, true_peak = measure_file(mp3)
    assert integrated == pytest.approx(-19.0, abs=1.0)
    assert true_peak <= -1.0
    # the music alone, before the voice starts, sits at the speech's level
    assert ebur128_segment(mp3, 0.3, 2.2) == pytest.approx(-19.0, abs=2.5)


def test_stereo_show_targets_minus_16(tmp_path):
    show = make_show(tmp_path / "s", {"001-a.txt": article(1, "Stereo", "A sentence in stereo. And a second one.")},
                     audio_extra="channels = 2")
    assert run_cli("build", show=show).exit_code == 0
    integrated, true_peak = measure_file(_mp3(show))
    assert integrated == pytest.approx(-16.0, abs=1.0)
    assert true_peak <= -1.0
    assert decode(_mp3(show), RATE, 2).shape[1] == 2


def test_music_ducks_under_the_spoken_intro(bundled):
    audio = decode(_mp3(bundled), RATE, 1)[:, 0]
    cues = [c for c in _meta(bundled)["cues"] if c["kind"] == "intro"]
    assert len(cues) >= 2
    seg = lambda a, b: audio[int(a * RATE):int(b * RATE)]  # noqa: E731
    voice = np.mean([rms_db(seg(c["start"] + 0.1, c["end"] - 0.1)) for c in cues])
    gaps = [rms_db(seg(a["end"] + 0.08, b["start"] - 0.08)) for a, b in zip(cues, cues[1:])]
    bed_alone = rms_db(seg(0.5, cues[0]["start"] - 0.7))  # music before the voice, undipped
    for gap in gaps:
        assert voice - gap >= 12.0, f"music only {voice - gap:.1f} dB under the voice"
        assert gap > -75.0, "the music should continue under the voice, not stop"
    assert bed_alone - max(gaps) >= 12.0


def test_cues_match_where_each_sentence_really_is(bundled):
    """Find each cached clip in the decoded MP3 by cross-correlation: within 50 ms of its cue."""
    show = load_show(bundled)
    cache = ClipCache(show.cache_dir)
    audio = decode(_mp3(bundled), RATE, 1)[:, 0]
    meta = _meta(bundled)
    from pipeline.audio import make_lines
    from pipeline.audio.engines import create_engine
    from pipeline.scripts import load_script
    from pipeline.episodes import read_all
    from pipeline.scripts.spoken import narrator_for

    ep = read_all(show)[0][0]
    engine = create_engine(show.voice)
    narrator = narrator_for(show)
    from pipeline.audio import clip_identity

    identity = clip_identity(show, engine, narrator)
    lines = make_lines(load_script(show, ep), narrator, identity, engine.supports_phonemes)
    assert [ln.written for ln in lines] == [c["text"] for c in meta["cues"]]
    for line, cue in zip(lines, meta["cues"]):
        info = cache.info(line.key)
        clip = resample(cache.load(line.key), info.rate, RATE)[: int(1.5 * RATE)]
        lo = int((cue["start"] - 0.25) * RATE)
        window = audio[lo: lo + len(clip) + int(0.5 * RATE)]
        corr = np.correlate(window, clip, mode="valid")
        offset = (np.argmax(corr) + lo) / RATE - cue["start"]
        assert abs(offset) <= 0.05, f"{cue['text'][:40]!r} is {offset * 1000:.0f} ms from its cue"


def test_vtt_has_every_sentence_and_chapters_are_in_the_id3(bundled):
    meta = _meta(bundled)
    vtt = next((bundled / "feed" / "media").glob("*.vtt")).read_text()
    srt = next((bundled / "feed" / "media").glob("*.srt")).read_text()
    script = (bundled / "scripts" / "020-khrushchev.txt").read_text()
    sentences = [ln for ln in script.splitlines() if ln and not ln.startswith(("#", "["))]
    def said(text: str) -> str:  # the cues' text, in order, whatever the line breaks
        blocks = [b.splitlines() for b in text.strip().split("\n\n")]
        return " ".join(line for b in blocks for line in b[2:]
                        if b and "-->" in " ".join(b[:2]))

    assert said(vtt) == " ".join(s.replace("&", "&amp;") for s in sentences)
    assert said(srt) == " ".join(sentences)
    assert len(sentences) == len(meta["cues"]) < vtt.count(" --> ") == srt.count(" --> ")
    tags = ID3(_mp3(bundled))
    chaps = sorted(tags.getall("CHAP"), key=lambda c: c.start_time)
    assert [str(c.sub_frames["TIT2"]) for c in chaps] == ["Intro", "Khrushchev", "Outro"]
    for chap, ch in zip(chaps, meta["chapters"]):
        assert chap.start_time == round(ch["start"] * 1000)
        assert chap.end_time == round(ch["end"] * 1000)
    # chapters bracket their sentences
    cues = meta["cues"]
    body = [c for c in cues if c["kind"] == "body"]
    assert chaps[1].start_time / 1000 <= body[0]["start"] and chaps[1].end_time / 1000 >= body[-1]["end"]
    [toc] = tags.getall("CTOC")
    assert list(toc.child_element_ids) == [c.element_id for c in chaps]
    assert str(tags["TCON"]) == "Podcast" and tags.getall("APIC") and tags.getall("COMM")
    assert tags.version[:2] == (2, 4)


def test_producer_jingles_in_any_format_rate_and_layout(tmp_path):
    show = make_show(tmp_path / "s", {"001-a.txt": article(1, "Jingles", "The voice starts after the music. "
                                                                         "Then it ends.")},
                     audio_extra="")
    toml = show / "show.toml"
    toml.write_text(toml.read_text().replace('intro = "audio/intro.mp3"', 'intro = "audio/jingle.wav"')
                    .replace('outro = "audio/outro.mp3"', 'outro = "audio/sting.ogg"'))
    make_tone(show / "audio" / "jingle.wav", seconds=5, rate=48000, channels=2, lead_silence=1.5, tail_silence=1.0)
    make_tone(show / "audio" / "sting.ogg", seconds=4, rate=32000, channels=1, freq=330)
    result = run_cli("build", show=show)
    assert result.exit_code == 0, result.output
    audio = decode(_mp3(show), RATE, 1)[:, 0]
    first_sound = np.flatnonzero(np.abs(audio) > 0.01)[0] / RATE
    assert first_sound < 0.1  # the jingle's 1.5 s of leading silence was trimmed
    assert _meta(show)["cues"][0]["start"] == pytest.approx(3.0, abs=0.05)
    toml.write_text(toml.read_text().replace('outro = "audio/sting.ogg"', 'outro = "audio/sting.m4a"'))
    make_tone(show / "audio" / "sting.m4a", seconds=4, rate=22050, channels=2, freq=330)
    result = run_cli("build", show=show)
    assert result.exit_code == 0, result.output


def test_pauses_follow_the_show_settings(tmp_path):
    body = "First sentence here. Second sentence here.\n\nA new paragraph starts."
    text = ("Test Series: Part 1 - Pacing\nPublished Oct. 21, 2015\nBy Jane Doe\nTest Wing Public Affairs\n\n"
            "MINOT AIR FORCE BASE, N.D. -- " + body)
    show = make_show(tmp_path / "s", {"001-a.txt": text}, music=False,
                     audio_extra="sentence_pause = 0.3\nparagraph_pause = 1.2\nsection_pause = 2.0")
    assert run_cli("build", show=show).exit_code == 0
    cues = _meta(show)["cues"]
    by_text = {c["text"]: c for c in cues}
    gap = lambda a, b: by_text[b]["start"] - by_text[a]["end"]  # noqa: E731
    # each line after the first starts on the grid where both encoders begin a frame (120 ms at
    # 48 kHz, so an edit can keep the frames after it), the nearest point to its pause's end
    grid = 0.12
    assert all(round(c["start"] * 1000) % round(grid * 1000) == 0 for c in cues[1:])
    assert gap("First sentence here.", "Second sentence here.") == pytest.approx(0.3, abs=grid / 2 + 0.001)
    assert gap("Second sentence here.", "A new paragraph starts.") == pytest.approx(1.2, abs=grid / 2 + 0.001)
    kinds = [c["kind"] for c in cues]
    i = kinds.index("body")
    assert cues[i]["start"] - cues[i - 1]["end"] == pytest.approx(2.0, abs=grid / 2 + 0.001)


def test_missing_music_file_is_one_clear_error(tmp_path):
    show = make_show(tmp_path / "s", {"001-a.txt": article(1, "A", "A sentence.")})
    (show / "audio" / "intro.mp3").unlink()
    result = run_cli("build", show=show)
    assert result.exit_code == 1
    assert result.output.strip().endswith(f"Error: {show / 'audio' / 'intro.mp3'}: cannot be read; fix the path in "
                                          "show.toml [audio], or set it to \"\" for no music")


def test_long_stretches_are_synthesized_in_pieces_cut_at_the_best_boundary():
    from pipeline.audio.engines.piper_engine import CHUNK_PAUSE, CLAUSE_PAUSE, pieces

    quote = ('He said, "I have done the main thing. Could anyone have dreamed of telling Stalin that he did not '
             'suit us anymore? Not even a wet spot would have remained. Now everything is different."')
    parts = pieces(quote, limit=80)
    assert " ".join(p for p, _ in parts) == quote  # nothing lost or reordered
    assert all(len(p) <= 80 for p, _ in parts)
    assert all(p.endswith((".", "?", '."')) for p, _ in parts)  # cut at sentence ends, not mid-clause
    assert [a for _, a in parts] == [CHUNK_PAUSE] * (len(parts) - 1) + [0.0]

    clause = ("The years began in nineteen fifty-three, when the leadership, after long quarrels about who "
              "would rule, agreed that [[ kɹuːʃtʃɛf ]] would be first secretary and that others would share power")
    parts = pieces(clause, limit=100)
    assert " ".join(p for p, _ in parts) == clause and all(len(p) <= 100 for p, _ in parts)
    assert parts[0][0].endswith(",") and parts[0][1] == CLAUSE_PAUSE
    assert any("[[ kɹuːʃtʃɛf ]]" in p for p, _ in parts)  # phonemes are never cut
    assert pieces("short one.") == [("short one.", 0.0)]
    # nowhere to cut: cut at the limit all the same (a 100,000-character "word" took 24 GB whole)
    assert pieces("x" * 300, limit=100) == [("x" * 100, 0.0)] * 3
    assert pieces("[[ " + "a" * 200 + " ]]", limit=100) != []


@pytest.mark.voice
def test_a_long_sentence_sounds_whole(tmp_path):
    """Cut into pieces, a long sentence still comes out as one clip with natural, short joins."""
    from pipeline.audio.engines import create_engine
    from pipeline.audio.engines.piper_engine import MAX_PIECE

    engine = create_engine(load_show(make_show(tmp_path / "s", {}, engine="piper")).voice, threads=1)
    text = ("Khrushchev was born in a small village near the border with Ukraine, worked as a miner and a "
            "metal fitter before the revolution, rose through the party in Moscow during the thirties, and "
            "in nineteen fifty-three outmanoeuvred his rivals to become first secretary of the party")
    assert len(text) > MAX_PIECE
    audio = engine.synthesize(text)
    rate = engine.sample_rate
    words = len(text.split())
    assert 0.25 < len(audio) / rate / words < 0.6  # a normal speaking rate, no long holes
    loud = np.abs(audio) > 10 ** (-45 / 20)
    longest, run = 0, 0
    for v in loud:
        run = 0 if v else run + 1
        longest = max(longest, run)
    assert longest / rate < 0.5  # no join longer than piper's own longest pause in it (0.4 s)


def test_prepared_music_is_reused_until_the_file_changes(tmp_path, monkeypatch):
    import pipeline.audio.ffmpeg as ffmpeg

    show = make_show(tmp_path / "s", {"001-a.txt": article(1, "Music", "A first sentence. A second one.")})
    decoded = []
    real = ffmpeg.decode
    monkeypatch.setattr(ffmpeg, "decode", lambda path, *a, **k: decoded.append(Path(path).name) or real(path, *a, **k))
    assert run_cli("build", show=show).exit_code == 0
    assert sorted(decoded) == ["intro.mp3", "outro.mp3"]
    first = _meta(show)["duration"]

    decoded.clear()  # an edit: the jingles are not decoded and measured again, and sound the same
    (show / "episodes" / "001-a.txt").write_text(article(1, "Music", "A first sentence. A second one!"))
    assert run_cli("build", show=show).exit_code == 0
    assert decoded == [] and _meta(show)["duration"] == pytest.approx(first, abs=0.05)

    make_tone(show / "audio" / "intro.mp3", seconds=9, rate=44100, channels=1)  # a new, longer jingle
    assert run_cli("build", show=show).exit_code == 0
    assert decoded == ["intro.mp3"]
    assert run_cli("clean", show=show).exit_code == 0
    assert not list((show / ".readcast" / "cache" / "music").glob("*.npy"))


@pytest.mark.voice
def test_optimized_voice_model_is_cached_once_and_a_damaged_copy_is_survived(tmp_path):
    from pipeline.audio.engines.piper_engine import PiperEngine

    voice = load_show(make_show(tmp_path / "s", {})).voice
    models = tmp_path / "models"
    models.mkdir()
    stem = PiperEngine(voice, threads=1).model_path.stem
    (models / f"{stem}-1-2-ort0.onnx").write_bytes(b"an earlier install's copy")
    first = PiperEngine(voice, threads=1, model_cache=models)
    assert len(first.synthesize("Hello there.")) > 0
    kept = list(models.glob("*.onnx"))
    assert len(kept) == 1 and kept[0].name != f"{stem}-1-2-ort0.onnx"  # the stale copy was removed
    kept[0].write_bytes(b"damaged")
    again = PiperEngine(voice, threads=1, model_cache=models)
    assert len(again.synthesize("Hello there.")) > 0


def test_a_new_sample_rate_resamples_the_cached_clips_instead_of_synthesising_them_again(tmp_path):
    """48 kHz became the default (edits spliced on both sides need it): a show built at 44.1 kHz
    that takes the new default re-renders, but makes its clips from the cached ones, not the voice."""
    body = "The first sentence is here. A second sentence follows it. And a third one ends it."
    show = make_show(tmp_path / "s", {"001-a.txt": article(1, "Rates", body)}, audio_extra="sample_rate = 44100")
    assert run_cli("build", show=show).exit_code == 0
    before = _meta(show)
    toml = show / "show.toml"
    toml.write_text(toml.read_text().replace("sample_rate = 44100", ""))
    result = run_cli("build", show=show)
    assert result.exit_code == 0, result.output
    assert "(0 sentences synthesised)" in result.output
    after = _meta(show)
    assert (before["sample_rate"], after["sample_rate"]) == (44100, 48000)
    # the same sentences, each as long as it was (to the sample at either rate)
    for a, b in zip(before["cues"], after["cues"]):
        assert b["end"] - b["start"] == pytest.approx(a["end"] - a["start"], abs=0.002)
    mp3 = show / "audio" / "episodes" / "001-a.mp3"
    assert len(decode(mp3, 48000, 1)) == pytest.approx(after["duration"] * 48000, abs=48000 * 0.06)


def test_the_ffmpeg_binary_is_checked_once_then_remembered_until_it_changes(tmp_path, monkeypatch):
    """imageio-ffmpeg runs `ffmpeg -version` to check its binary in every process that asks
    (0.04 s of every build); the binary found is remembered with its size and time."""
    import imageio_ffmpeg

    from pipeline.audio import ffmpeg

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("IMAGEIO_FFMPEG_EXE", raising=False)
    asked = []
    real = imageio_ffmpeg.get_ffmpeg_exe
    monkeypatch.setattr(imageio_ffmpeg, "get_ffmpeg_exe", lambda: asked.append(1) or real())
    ffmpeg.ffmpeg_exe.cache_clear()
    try:
        first = ffmpeg.ffmpeg_exe()
        ffmpeg.ffmpeg_exe.cache_clear()  # as a new process would start
        assert ffmpeg.ffmpeg_exe() == first and len(asked) == 1
        # the binary is not the one remembered (an upgrade): checked again
        remembered = tmp_path / "readcast" / "ffmpeg.json"
        known = json.loads(remembered.read_text())
        remembered.write_text(json.dumps(dict(known, stat=[1, 2])))
        ffmpeg.ffmpeg_exe.cache_clear()
        assert ffmpeg.ffmpeg_exe() == first and len(asked) == 2
    finally:
        ffmpeg.ffmpeg_exe.cache_clear()
