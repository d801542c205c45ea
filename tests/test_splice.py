"""A one-sentence edit is spliced into the last render (audio/splice.py): the frames before the
edit and after it are kept, only the edited sentence is encoded again, and the result is what a
whole render gives."""

from __future__ import annotations

import json
import shutil
import struct
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from pipeline.audio import splice
from pipeline.audio.ffmpeg import ffmpeg_exe
from tests.audiotools import measure_file
from tests.conftest import article, make_show, need, run_cli

SENTENCES = [f"Sentence {word} of the story is read aloud here." for word in
             ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve")]
SLUG = "001-story"


def _show(root: Path, sentences: list[str], extra: str = "") -> Path:
    return make_show(root, {f"{SLUG}.txt": article(1, "The Story", " ".join(sentences))}, audio_extra=extra)


def _edit(show: Path, old: str, new: str) -> None:
    path = show / "episodes" / f"{SLUG}.txt"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def _build(show: Path) -> str:
    """Build verbosely; what it said."""
    result = run_cli("build", "-v", show=show)
    assert result.exit_code == 0, result.output
    return result.output


def _whole(show: Path, dest: Path) -> Path:
    """The same show rendered from nothing (its clips come from the copied cache)."""
    shutil.copytree(show, dest)
    shutil.rmtree(dest / "audio" / "episodes")
    assert run_cli("build", show=dest).exit_code == 0
    return dest


def _decode(path: Path, rate: int) -> np.ndarray:
    proc = subprocess.run([ffmpeg_exe(), "-nostdin", "-v", "error", "-xerror", "-i", str(path), "-f", "f32le",
                           "-ac", "1", "-ar", str(rate), "-"], capture_output=True, check=False)
    assert proc.returncode == 0 and not proc.stderr, proc.stderr.decode()[-300:]
    return np.frombuffer(proc.stdout, dtype=np.float32)


def _lag(a: np.ndarray, b: np.ndarray, at: int, width: int) -> int:
    """The shift of `a` against `b` (in samples, within +-8) that lines them up best at `at`."""
    w = a[at:at + width]
    return max(range(-8, 9), key=lambda k: float(np.dot(w, b[at + k:at + k + width])))


def _assert_matches_whole(spliced: Path, whole: Path) -> None:
    meta_s = json.loads(spliced.with_suffix(".json").read_text())
    meta_w = json.loads(whole.with_suffix(".json").read_text())
    assert [(c["start"], c["end"], c["text"]) for c in meta_s["cues"]] == \
        [(c["start"], c["end"], c["text"]) for c in meta_w["cues"]]
    assert meta_s["chapters"] == meta_w["chapters"] and meta_s["duration"] == meta_w["duration"]
    # (Opus at 24 kbps is not waveform-exact: two encoders' phases differ by a sample or two
    # over a short window, so its lag is taken over two seconds)
    for ext, rate, window in ((".mp3", meta_w["sample_rate"], 0.3), (".opus", 48000, 2.0)):
        if ext == ".opus" and not whole.with_suffix(ext).exists():
            assert not spliced.with_suffix(ext).exists()
            continue
        a, b = _decode(spliced.with_suffix(ext), rate), _decode(whole.with_suffix(ext), rate)
        assert len(a) == len(b), ext
        # every caption cue is where the whole render has it, to the sample
        for cue in meta_w["cues"]:
            at = int(round(cue["start"] * rate))
            assert abs(_lag(a, b, at, int(window * rate))) <= 1, (ext, cue["text"])
        loud_s, loud_w = measure_file(spliced.with_suffix(ext))[0], measure_file(whole.with_suffix(ext))[0]
        assert abs(loud_s - loud_w) <= 0.5, (ext, loud_s, loud_w)


def test_an_edit_is_spliced_and_matches_a_whole_render(tmp_path):
    show = _show(tmp_path / "s", SENTENCES)
    _build(show)
    mp3 = show / "audio" / "episodes" / f"{SLUG}.mp3"
    before, opus_before = mp3.read_bytes(), mp3.with_suffix(".opus").read_bytes()
    _edit(show, "Sentence seven of the story", "Sentence number seven, much longer now, of the story")
    log = _build(show)
    assert "spliced the edit in" in log
    # the frames before the join are the old file's, byte for byte
    old, new = splice.parse_mp3(before), splice.parse_mp3(mp3.read_bytes())
    kept = next(i for i in range(len(new.frames) - 1)
                if new.data[new.frames[i]:new.frames[i + 1]] != old.data[old.frames[i]:old.frames[i + 1]])
    assert new.data[new.frames[0]:new.frames[kept]] == old.data[old.frames[0]:old.frames[kept]]
    # ... and the join is in the pause before the edited sentence
    cues = json.loads(mp3.with_suffix(".json").read_text())["cues"]
    edited = next(n for n, c in enumerate(cues) if "number seven" in c["text"])
    assert cues[edited - 1]["end"] < kept * splice.MP3_FRAME / 48000 < cues[edited]["start"]
    # ... and the old frames after the edited sentence are kept too, byte for byte (moved by the
    # frames it grew by), from the pause after it on
    assert "spliced the edit in between" in log
    same = 0
    while new.data[new.frames[-2 - same]:new.frames[-1 - same]] == old.data[old.frames[-2 - same]:old.frames[-1 - same]]:
        same += 1
    resumed = (len(new.frames) - 1 - same) * splice.MP3_FRAME / 48000
    assert cues[edited]["end"] < resumed < cues[edited + 1]["start"]
    old_opus = splice.parse_ogg(opus_before)
    new_opus = splice.parse_ogg(mp3.with_suffix(".opus").read_bytes())
    assert [p for page in new_opus[-3:] for p in page.packets] == [p for page in old_opus[-3:] for p in page.packets]
    _assert_matches_whole(mp3, _whole(show, tmp_path / "w1") / "audio" / "episodes" / f"{SLUG}.mp3")
    assert run_cli("check", show=show).exit_code == 0

    # a second edit splices into the spliced file, and still matches
    _edit(show, "Sentence ten of the story", "Sentence ten")
    log = _build(show)
    assert "spliced the edit in" in log
    _assert_matches_whole(mp3, _whole(show, tmp_path / "w2") / "audio" / "episodes" / f"{SLUG}.mp3")
    assert run_cli("check", show=show).exit_code == 0


def test_an_edit_just_before_the_outro_music_encodes_the_rest_again(tmp_path):
    """The outro music plays under the pause after the last body sentence: no second join there,
    so the edit is joined on one side only and what follows it is encoded again."""
    show = _show(tmp_path / "s", SENTENCES[:5])
    _build(show)
    _edit(show, "Sentence five of the story", "Sentence five, the last, of the story")
    log = _build(show)
    assert "spliced the edit in at" in log and "between" not in log
    mp3 = show / "audio" / "episodes" / f"{SLUG}.mp3"
    _assert_matches_whole(mp3, _whole(show, tmp_path / "w") / "audio" / "episodes" / f"{SLUG}.mp3")


def test_a_stereo_show_without_the_low_bandwidth_copy_is_spliced_too(tmp_path):
    show = _show(tmp_path / "s", SENTENCES[:8], extra="channels = 2\nlow_bandwidth = false\n")
    _build(show)
    _edit(show, "Sentence five of", "Sentence five, changed, of")
    assert "spliced the edit in" in _build(show)
    mp3 = show / "audio" / "episodes" / f"{SLUG}.mp3"
    _assert_matches_whole(mp3, _whole(show, tmp_path / "w") / "audio" / "episodes" / f"{SLUG}.mp3")
    assert run_cli("check", show=show).exit_code == 0


def test_a_new_cover_rewrites_the_tags_and_keeps_the_audio(tmp_path):
    from PIL import Image

    show = _show(tmp_path / "s", SENTENCES[:4])
    _build(show)
    mp3 = show / "audio" / "episodes" / f"{SLUG}.mp3"
    before = splice.parse_mp3(mp3.read_bytes())
    opus = (show / "audio" / "episodes" / f"{SLUG}.opus").read_bytes()
    toml = show / "show.toml"
    toml.write_text(toml.read_text().replace('timezone = "America/Chicago"', 'timezone = "America/Chicago"\nartwork = "art.png"'))
    Image.new("RGB", (1400, 1400), (20, 60, 200)).save(show / "art.png")
    assert "the audio is unchanged; its tags are written again" in _build(show)
    after = splice.parse_mp3(mp3.read_bytes())
    assert after.data[after.frames[0] - len(after.xing):] == before.data[before.frames[0] - len(before.xing):]
    assert after.data[:after.frames[0] - len(after.xing)] != before.data[:before.frames[0] - len(before.xing)]
    assert (show / "audio" / "episodes" / f"{SLUG}.opus").read_bytes() == opus
    # the file is the one a whole render makes, tags and all
    whole = _whole(show, tmp_path / "w") / "audio" / "episodes" / f"{SLUG}.mp3"
    assert mp3.read_bytes() == whole.read_bytes()
    assert json.loads(mp3.with_suffix(".json").read_text())["chapters"] == \
        json.loads(whole.with_suffix(".json").read_text())["chapters"]
    assert run_cli("check", show=show).exit_code == 0


def test_an_edit_under_the_intro_music_is_rendered_whole(tmp_path):
    show = _show(tmp_path / "s", SENTENCES[:4])
    _build(show)
    _edit(show, "The Story", "The Whole Story")  # the title is read over the intro music
    log = _build(show)
    assert "spliced" not in log and "rendering whole (music plays under" in log
    whole = _whole(show, tmp_path / "w") / "audio" / "episodes" / f"{SLUG}.mp3"
    assert (show / "audio" / "episodes" / f"{SLUG}.mp3").read_bytes() == whole.read_bytes()


def test_a_changed_setting_or_a_replaced_file_is_rendered_whole(tmp_path):
    show = _show(tmp_path / "s", SENTENCES[:6])
    _build(show)
    toml = show / "show.toml"
    assert "[audio]\n" in toml.read_text()
    toml.write_text(toml.read_text().replace("[audio]\n", "[audio]\nsentence_pause = 0.5\n"))
    _edit(show, "Sentence four of", "Sentence four, changed, of")
    assert "rendering whole (the [audio] settings, the music or readcast changed" in _build(show)
    # a file replaced by hand is not what the last render describes: it is not spliced into
    mp3 = show / "audio" / "episodes" / f"{SLUG}.mp3"
    mp3.write_bytes(mp3.read_bytes()[:-313])
    _edit(show, "Sentence five of", "Sentence five, changed, of")
    assert "rendering whole (the audio files are not as the last build left them)" in _build(show)
    assert run_cli("check", show=show).exit_code == 0
    # ... nor is one deleted by hand
    mp3.unlink()
    _edit(show, "Sentence six of", "Sentence six, changed, of")
    assert "rendering whole (the last render's MP3 is gone)" in _build(show)
    assert run_cli("check", show=show).exit_code == 0


CORPUS = Path(__file__).parent / "data" / "corpus" / "articles"


@pytest.mark.slow
def test_the_real_corpus_pages_edited_are_spliced_and_match_whole_renders(tmp_path):
    """The 30 real pages as `add` reads them, with music: one body sentence in the middle of
    each script is changed (as a producer fixes one), and each episode, spliced or rendered
    whole for the reason it gives, is what a whole render of the edited script makes."""
    show = make_show(tmp_path / "s")
    assert run_cli("add", *map(str, sorted(CORPUS.iterdir())), show=show).exit_code == 0
    _build(show)
    for script in sorted((show / "scripts").glob("*.txt")):
        lines = script.read_text().split("\n")
        first_body = next(n for n, line in enumerate(lines) if line.startswith("[body"))
        body = [n for n in range(first_body + 1, lines.index("[outro]"))
                if lines[n].endswith(".") and not lines[n].startswith("#")]
        n = body[len(body) // 2]
        lines[n] = lines[n][:-1] + ", as the page says."
        script.write_text("\n".join(lines))
    log = _build(show)
    spliced = log.count("spliced the edit in")
    whole_reasons = [line for line in log.splitlines() if "rendering whole (" in line]
    assert spliced + len(whole_reasons) == 30, log
    assert spliced == 30, whole_reasons  # each edit is in the body, after a pause
    # ... and before another sentence, so each keeps the frames after it too
    assert log.count("spliced the edit in between") == 30, log
    assert run_cli("check", show=show).exit_code == 0
    whole = _whole(show, tmp_path / "w")
    spliced_files = sorted((show / "audio" / "episodes").glob("*.mp3"))
    assert len(spliced_files) == 30
    for mp3 in spliced_files:  # every episode: cues, chapters, length and loudness as rendered
        a, b = (json.loads(p.with_suffix(".json").read_text()) for p in (mp3, whole / "audio" / "episodes" / mp3.name))
        assert [(c["start"], c["end"], c["text"]) for c in a["cues"]] == [(c["start"], c["end"], c["text"]) for c in b["cues"]]
        assert (a["chapters"], a["duration"]) == (b["chapters"], b["duration"])
        assert abs(a["loudness"]["integrated"] - b["loudness"]["integrated"]) <= 0.5
    # every fifth, decoded: the same samples long, every cue at the same sample, measured loudness
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(lambda mp3: _assert_matches_whole(mp3, whole / "audio" / "episodes" / mp3.name),
                      spliced_files[::5]))


# --- the containers, on real encoder output ---------------------------------------------------------

def _encode(folder: Path, channels: int = 1) -> tuple[bytes, bytes]:
    """Four seconds of a speech-like signal encoded by ffmpeg as the pipeline does."""
    rng = np.random.default_rng(7)
    t = np.arange(4 * 44100) / 44100
    pcm = (0.3 * np.sin(2 * np.pi * 180 * t) * (1 + np.sin(2 * np.pi * 3 * t)) + 0.02 * rng.standard_normal(len(t)))
    (folder / "in.f32").write_bytes(np.repeat(pcm.astype(np.float32), channels).tobytes())
    common = [ffmpeg_exe(), "-v", "error", "-y", "-f", "f32le", "-ar", "44100", "-ac", str(channels),
              "-i", str(folder / "in.f32")]
    subprocess.run([*common, "-c:a", "libmp3lame", "-b:a", "96k", "-id3v2_version", "0", "-write_xing", "1",
                    "-f", "mp3", str(folder / "a.mp3")], check=True)
    subprocess.run([*common, "-c:a", "libopus", "-b:a", "24k", "-application", "voip", "-f", "ogg",
                    str(folder / "a.opus")], check=True)
    return (folder / "a.mp3").read_bytes(), (folder / "a.opus").read_bytes()


@pytest.fixture(scope="module")
def encoded(tmp_path_factory) -> tuple[bytes, bytes]:
    return _encode(tmp_path_factory.mktemp("enc"))


@pytest.mark.parametrize("channels", [1, 2])
def test_the_info_frame_is_made_as_ffmpeg_makes_it(tmp_path, channels):
    data = _encode(tmp_path, channels)[0]
    parts = splice.parse_mp3(data)
    sizes = [b - a for a, b in zip(parts.frames[:-1], parts.frames[1:])]
    _delay, padding = splice.lame_padding(parts.xing, parts.xing_at)
    assert padding == len(sizes) * splice.MP3_FRAME - splice.LAME_DELAY - 4 * 44100
    music_crc = splice.crc16_arc(data[parts.frames[0]:])
    assert splice.info_frame(parts.xing, parts.xing_at, sizes, padding, music_crc) == parts.xing


def test_crcs():
    assert splice.crc16_arc(b"123456789") == 0xBB3D  # CRC-16/ARC's check value
    data = np.random.default_rng(1).integers(0, 256, 300_001, dtype=np.uint8).tobytes()
    assert splice.crc16_arc(data) == splice._crc16_py(data)


def test_ogg_pages_and_packets(encoded):
    data = encoded[1]
    pages = splice.parse_ogg(data)
    audio = [p for page in pages[2:] for p in page.packets]
    # the last page's granule is the pre-skip plus the samples, at most the packets' total
    pre_skip = struct.unpack_from("<H", pages[0].packets[0], 10)[0]
    assert pages[-1].position - pre_skip == 4 * 48000
    assert sum(map(splice.opus_samples, audio)) >= pages[-1].position
    # joining a stream to itself at its start pages it again exactly as ffmpeg did: the same
    # granules, flags, sequence numbers and CRCs, byte for byte
    assert splice.splice_opus(data, data, 0, 0, 0) == data
    # ... and so does a second join that takes the old packets back at once, from a page's start
    # (whole pages copied, granule and sequence rewritten with their CRC) or from inside one
    assert splice.splice_opus(data, data, 0, 0, 0, resume=(1, 1, 0)) == data
    assert splice.splice_opus(data, data, 70, 70, 0, resume=(1, 71, 0)) == data
    # moved: every later page's granule moves with it, and each page's CRC still checks (mutagen
    # re-reads and re-writes each page and gets the same bytes)
    moved = splice.splice_opus(data, data, 70, 70, 0, resume=(10, 70, 9600))
    pages = splice.parse_ogg(moved)
    assert pages[-1].position == splice.parse_ogg(data)[-1].position + 9600
    assert all(page.write() == moved[page.offset:page.offset + page.size] for page in pages)
    assert [page.sequence for page in pages] == list(range(len(pages)))
    with pytest.raises(splice.CannotSplice):
        splice.parse_ogg(data[:-7])


def test_the_stored_block_loudnesses_give_the_meters_integrated_loudness(tmp_path):
    """What a splice computes its loudness from agrees with ffmpeg's own meter on the render."""
    from pipeline.audio.loudness import CODEC_LOSS

    show = _show(tmp_path / "s", SENTENCES[:6])
    _build(show)
    meta = json.loads((show / "audio" / "episodes" / f"{SLUG}.json").read_text())
    blocks = splice.unpack_momentary(meta["momentary"])
    assert len(blocks) == pytest.approx(meta["duration"] * 10, abs=2)  # one every 100 ms
    assert splice.gated_loudness(blocks) == pytest.approx(meta["loudness"]["integrated"] + CODEC_LOSS, abs=0.06)


def test_a_pause_too_short_to_join_in_is_refused():
    with pytest.raises(splice.CannotSplice):
        splice.find_join(100_000, 104_000, 44100, opus=True)
    join = splice.find_join(100_000, 120_000, 44100, opus=True)
    assert join.mp3_start >= 100_000 and join.opus_start >= 100_000
    assert (join.mp3_keep + 2) * splice.MP3_FRAME <= 120_000 and join.opus_keep * 882 + 2 * 882 <= 120_000


def _lending_case(tmp_path: Path) -> tuple[bytes, bytes, bytes, int]:
    """An old file whose frame `at` takes its data from the reservoir before it (a loud onset right
    after a silence), and new frames encoded without the reservoir, silent before the join."""
    rate, frame, at = 48000, splice.MP3_FRAME, 60
    rng = np.random.default_rng(5)
    old = np.zeros(at * frame + 2 * rate, dtype=np.float32)
    old[:rate] = 0.3 * rng.standard_normal(rate)
    old[at * frame:at * frame + rate] = 0.5 * rng.standard_normal(rate)  # from frame `at`
    new = np.zeros((at + 4) * frame, dtype=np.float32)
    new[:rate // 2] = 0.2 * rng.standard_normal(rate // 2)  # other audio before the join
    common = [ffmpeg_exe(), "-v", "error", "-y", "-f", "f32le", "-ar", str(rate), "-ac", "1", "-i", "pipe:0",
              "-c:a", "libmp3lame", "-b:a", "96k", "-id3v2_version", "0", "-f", "mp3"]
    subprocess.run([*common, "-write_xing", "1", str(tmp_path / "o.mp3")], input=old.tobytes(), check=True)
    subprocess.run([*common, "-reservoir", "0", "-write_xing", "0", str(tmp_path / "n.mp3")], input=new.tobytes(),
                   check=True)
    old_mp3, new_mp3 = (tmp_path / "o.mp3").read_bytes(), (tmp_path / "n.mp3").read_bytes()
    parts = splice.parse_mp3(old_mp3)
    assert splice.main_data(old_mp3[parts.frames[at]:parts.frames[at + 1]])[0] > 0  # it leans on the reservoir
    spliced = splice.splice_mp3(old_mp3, new_mp3, 0, 0, len(new), resume=(at, at))
    return spliced, old_mp3, new_mp3, at * frame - splice.LAME_DELAY - splice.DECODER_DELAY


def test_a_second_join_lends_the_kept_frames_the_reservoir_bytes_they_lean_on(tmp_path):
    """After the second join the old frames are kept as they are; the first of them may take its
    data from up to 511 bytes back (LAME's bit reservoir), in frames that are now new ones. Those
    bytes are copied into the end of the new (silent) frames, so the old frames decode exactly as
    they did: here a loud onset right after the join, whose frames lean on the reservoir most."""
    spliced, _old, _new, seam = _lending_case(tmp_path)
    (tmp_path / "s.mp3").write_bytes(spliced)
    a, b = _decode(tmp_path / "s.mp3", 48000), _decode(tmp_path / "o.mp3", 48000)
    assert len(a) == len(b)
    assert np.array_equal(a[seam:], b[seam:])
    assert np.abs(a[:24000]).max() > 0.1  # and the new frames are there before it


def test_a_second_join_with_no_new_frames_before_it_is_refused(tmp_path):
    spliced, old_mp3, new_mp3, _seam = _lending_case(tmp_path)
    with pytest.raises(splice.CannotSplice):
        splice.splice_mp3(old_mp3, new_mp3, 0, 0, 1000, resume=(0, 60))
    opus = _encode(tmp_path)[1]
    with pytest.raises(splice.CannotSplice):
        splice.splice_opus(opus, opus, 70, 70, 0, resume=(0, 70, 0))


@pytest.mark.e2e
def test_a_second_join_decodes_the_same_in_mpg123(tmp_path):
    """The same splice through a second, independent decoder (mpg123, whose bit reservoir is
    kept differently from ffmpeg's): the kept frames decode to the old samples exactly."""
    mpg123 = need("mpg123")
    spliced, _old, _new, seam = _lending_case(tmp_path)
    (tmp_path / "s.mp3").write_bytes(spliced)

    def decode(path: Path) -> np.ndarray:
        proc = subprocess.run([mpg123, "-q", "-s", "-e", "f32", str(path)], capture_output=True, check=True)
        assert not proc.stderr, proc.stderr.decode()[-300:]
        return np.frombuffer(proc.stdout, dtype=np.float32)

    a, b = decode(tmp_path / "s.mp3"), decode(tmp_path / "o.mp3")
    assert len(a) == len(b) == len(_decode(tmp_path / "o.mp3", 48000))  # gapless, as ffmpeg
    assert np.array_equal(a[seam:], b[seam:])
