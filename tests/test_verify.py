"""Listen-back (`readcast verify`): comparison rules, packing, suggestions, lexicon acceptance,
and the whole command on built shows. The fake recogniser hears what the voice was given, so
these tests are about everything around recognition; the real recogniser is in the e2e test at
the end (Whisper base from the readcast[verify] wheels, piper with its noise set to zero)."""

from __future__ import annotations

import json
import tomllib

import numpy as np
import pytest

from pipeline.errors import EngineError
from pipeline.verify import compare as cmp
from pipeline.verify.recognizer import GAP, WINDOW, ClipAudio, windows
from pipeline.verify.suggest import respellings, syllables
from tests.conftest import article, make_show, run_cli

FAKE = '\n[verify]\nrecognizer = "fake"\n'


def _ctx(written: str, lexicon=()) -> cmp.Context:
    return cmp.Context(written, frozenset(lexicon))


# --- comparison -----------------------------------------------------------------------------

def test_recogniser_noise_is_not_flagged():
    written = "He became a metalworker in 1894, and Khrushchev fought in World War II at Minot."
    heard = "he became a metal worker in eighteen ninety-four and krushchev fought in world war 2 at minnow"
    result = cmp.compare(written, heard, _ctx(written), accepted={"minot"})
    assert result.flags == [], result.differences
    rules = {d.noise for d in result.differences}
    assert {"split or joined differently", "sounds alike", "same number written differently",
            "accepted word"} <= rules


def test_what_is_written_heard_as_written_is_not_flagged():
    """Regression (corpus): readcast reads "179th" as "one hundred seventy-ninth", which Whisper's
    normaliser turns into "170 ninth"; the recogniser writes "179th". And "R. Smith" heard as
    "arsmith", "BSO" heard as "bso": the letters were said."""
    written = "Master Sgt. Mike R. Smith of the 179th Airlift Wing ran the BSO course."
    reference = "Master Sergeant Mike R Smith of the one hundred seventy-ninth Airlift Wing ran the B-S-O course."
    heard = "master sergeant mike arsmith of the 179th airlift wing ran the bso course"
    result = cmp.compare(reference, heard, cmp.Context(written, spoken=reference))
    assert result.flags == [], result.flags
    assert {"heard as written", "letters heard as a word"} <= {d.noise for d in result.differences}


def test_a_different_word_is_flagged_with_its_cause():
    written = "The tower at Kalinovka was built in 1954 by the USSR."
    heard = "the flower at kalena was built in 1964 by the u s s r"
    result = cmp.compare(written, heard, _ctx(written, {"tower"}))
    causes = {d.expected: d.cause for d in result.flags}
    assert causes == {"tower": "lexicon entry", "kalinovka": "name or place", "1954": "number or date"}


def test_an_ordinary_word_misheard_is_the_recogniser_but_a_dropped_phrase_is_not():
    written = "The crew was effective and credible, and they checked every silo before dawn."
    spoken = written
    heard = "the crew was effective incredible and they checked silo"
    result = cmp.compare(written, heard, cmp.Context(written, spoken=spoken))
    assert [d.noise for d in result.differences if d.expected == "and credible"] == ["ordinary word misheard"]
    assert [d.expected for d in result.flags] == ["before dawn"]  # two words the voice never said


def test_a_greedy_loop_is_recognised_as_a_failure():
    from pipeline.verify.recognizer import _runaway

    loop = "secretary of state us " * 12
    assert _runaway(loop, 12)
    assert not _runaway("secretary esper visits us stratcom offutt air force base to engage with warfighters", 14)


def test_split_heard_shares_a_window_out_by_alignment():
    refs = ["The missile was launched.", "It flew for ten minutes.", "Then it fell."]
    heard = "the missile was lunched it flew for 10 minutes then it fell"
    assert cmp.split_heard(refs, heard) == ["the missile was lunched", "it flew for 10 minutes", "then it fell"]


def test_windows_pack_whole_clips_in_order_within_whisper_input():
    rate = 1000
    clips = [ClipAudio(str(i), np.zeros(int(s * rate), np.float32), rate, "x", "x")
             for i, s in enumerate([12, 10, 9, 31, 2, 28])]
    packed = windows(clips)
    assert [i for w in packed for i in w] == list(range(len(clips)))
    for w in packed:
        seconds = sum(len(clips[i].samples) / rate for i in w) + GAP * (len(w) - 1)
        assert len(w) == 1 or seconds <= WINDOW
    assert [3] in packed  # a clip longer than a window is heard alone


def test_respellings_stress_each_syllable():
    assert syllables("Kalinovka") == ["ka", "li", "nov", "ka"]
    assert syllables("Khrushchev") == ["khru", "shchev"]
    assert respellings("Kalinovka")[1] == "kah-LEE-nov-kah"
    assert respellings("Base") == []


# --- the model comes from the wheels, checked --------------------------------------------

def test_a_damaged_model_part_is_refused(tmp_path, monkeypatch):
    from pipeline.verify import model

    for name, part in (("a", "model.bin.part1"), ("b", "model.bin.part2")):
        d = tmp_path / name
        d.mkdir()
        (d / part).write_bytes(b"not a model")
        for f in model.BASE_FILES:
            (d / f).write_text("{}")
    monkeypatch.setattr(model, "_data_dir", lambda m: tmp_path / ("a" if m.endswith("1") else "b"))
    with pytest.raises(EngineError, match="not the recorded"):
        model.packaged_base(tmp_path / "cache")
    assert not any((tmp_path / "cache").glob("whisper-base-*")), "a bad join must not be kept"


# --- the command, on a built show ----------------------------------------------------------

BODY = ("The morning patrol left the base at dawn. The crew checked each missile silo on the range. "
        "By evening the morning report was filed.")


def _show(tmp_path, lexicon: str = ""):
    show = make_show(tmp_path / "show", {"001-patrol.txt": article(1, "Patrol", BODY)}, music=False, extra=FAKE)
    (show / "lexicon.toml").write_text(f"[words]\n{lexicon}\n[acronyms]\n", encoding="utf-8")
    assert run_cli("build", "-q", show=show).exit_code == 0
    return show


def _results(show):
    return json.loads((show / "audio" / "episodes" / "001-patrol.verify.json").read_text())


def test_a_wrong_lexicon_entry_is_flagged_at_each_of_its_sentences_and_clears_when_removed(tmp_path):
    show = _show(tmp_path, 'morning = "warning"\n')
    r = run_cli("verify", show=show)
    assert r.exit_code == 0, r.output
    data = _results(show)
    flagged = [s for s in data["results"] if s["flagged"]]
    with_word = [s for s in data["results"] if "morning" in s["written"].lower()]
    assert len(with_word) == 2 and flagged == with_word
    for s in flagged:
        assert [d["cause"] for d in s["differences"] if not d["noise"]] == ["lexicon entry"]
        assert any('entry for "morning"' in tip for tip in s["suggestions"])
    assert "2 flagged" in r.output and "heard:   " in r.output

    (show / "lexicon.toml").write_text("[words]\n[acronyms]\n", encoding="utf-8")
    assert run_cli("build", "-q", show=show).exit_code == 0
    r = run_cli("verify", show=show)
    assert "0 flagged" in r.output and not any(s["flagged"] for s in _results(show)["results"])


def test_reverify_recognises_only_the_edited_sentence(tmp_path):
    show = _show(tmp_path)
    first = run_cli("verify", show=show).output
    n = len(_results(show)["results"])
    assert f"({n} recognised, 0 from cache)" in first
    assert f"(0 recognised, {n} from cache)" in run_cli("verify", show=show).output
    script = show / "scripts" / "001-patrol.txt"
    script.write_text(script.read_text().replace("at dawn", "at first light"))
    assert run_cli("build", "-q", show=show).exit_code == 0
    assert f"(1 recognised, {n - 1} from cache)" in run_cli("verify", show=show).output


def test_accepting_a_word_keeps_the_lexicon_file_and_stops_the_flags(tmp_path):
    show = _show(tmp_path, '# a note the producer wrote\nmorning = "warning"\n')
    assert "2 flagged" in run_cli("verify", show=show).output
    r = run_cli("verify", "--accept", "morning", show=show)
    assert r.exit_code == 0 and "0 flagged" in r.output
    text = (show / "lexicon.toml").read_text()
    assert "# a note the producer wrote" in text
    assert tomllib.loads(text)["accepted"] == ["morning"]
    assert tomllib.loads(text)["words"] == {"morning": "warning"}


def test_try_hears_candidates_without_changing_the_lexicon(tmp_path):
    show = _show(tmp_path)
    before = (show / "lexicon.toml").read_text()
    r = run_cli("verify", "--try", "silo=SIGH-low", "--try", "silo=pillow", show=show)
    assert r.exit_code == 0, r.output
    lines = r.output.strip().splitlines()
    assert lines[0].startswith("silo = 'SIGH-low': heard right")
    assert lines[1].startswith("silo = 'pillow': heard wrong")
    assert (show / "lexicon.toml").read_text() == before
    assert "WORD=RESPELLING" in run_cli("verify", "--try", "silo", show=show).output


def test_build_verify_keeps_a_flagged_episode_out_of_the_feed_when_asked(tmp_path):
    show = _show(tmp_path)
    feed = (show / "feed" / "feed.xml").read_bytes()
    (show / "show.toml").write_text((show / "show.toml").read_text() + "fail = true\n")
    (show / "lexicon.toml").write_text('[words]\nmorning = "warning"\n[acronyms]\n', encoding="utf-8")
    r = run_cli("build", "--verify", show=show)
    assert r.exit_code == 1
    assert "flagged by verify" in r.output and "001-patrol.verify.json" in r.output
    assert (show / "feed" / "feed.xml").read_bytes() == feed, "the published episode must stay as it was"


def test_verify_before_build_says_to_build(tmp_path):
    show = make_show(tmp_path / "show", {"001-patrol.txt": article(1, "Patrol", BODY)}, music=False, extra=FAKE)
    r = run_cli("verify", show=show)
    assert r.exit_code == 1 and "001-patrol" in r.output and "readcast build" in r.output


# --- the real recogniser ---------------------------------------------------------------------

@pytest.mark.e2e
@pytest.mark.voice
def test_real_recogniser_flags_a_wrong_entry_and_clears_without_it(tmp_path):
    """piper (noise zero: the same audio every run) read by Whisper base from the wheels."""
    body = ("The morning was cold and clear over the northern plains. "
            "Every morning the crew drove out to the launch facility. "
            "The missile field covers thousands of square miles.")
    show = make_show(tmp_path / "show", {"001-field.txt": article(1, "Field", body)}, music=False, engine="piper")
    (show / "lexicon.toml").write_text('[words]\nmorning = "warning"\n[acronyms]\n', encoding="utf-8")
    assert run_cli("build", "-q", show=show).exit_code == 0
    r = run_cli("verify", show=show)
    assert r.exit_code == 0, r.output
    data = json.loads((show / "audio" / "episodes" / "001-field.verify.json").read_text())
    with_word = [s for s in data["results"] if "morning" in s["written"].lower()]
    assert len(with_word) == 2
    for s in with_word:
        assert s["flagged"], s
        assert any(d["cause"] == "lexicon entry" and not d["noise"] for d in s["differences"]), s
        assert s["suggestions"]
    (show / "lexicon.toml").write_text("[words]\n[acronyms]\n", encoding="utf-8")
    assert run_cli("build", "-q", show=show).exit_code == 0
    run_cli("verify", show=show)
    data = json.loads((show / "audio" / "episodes" / "001-field.verify.json").read_text())
    assert not any(s["flagged"] for s in data["results"] if "morning" in s["written"].lower()), data


def test_without_the_extra_verify_says_how_to_install_it(tmp_path, monkeypatch):
    import sys

    show = make_show(tmp_path / "show", {"001-patrol.txt": article(1, "Patrol", BODY)}, music=False)
    assert run_cli("build", "-q", show=show).exit_code == 0
    monkeypatch.setitem(sys.modules, "faster_whisper", None)  # as if not installed
    r = run_cli("verify", show=show)
    assert r.exit_code == 1
    assert r.output.count("\n") == 1 and "pip install 'readcast[verify]'" in r.output
    monkeypatch.setitem(sys.modules, "jiwer", None)
    r = run_cli("build", "--verify", show=show)
    assert r.exit_code == 1 and "readcast[verify]" in r.output


def test_a_clip_misheard_only_in_a_shared_window_is_heard_again_alone_before_it_is_flagged(tmp_path):
    """Regression: 'In 1964 Khrushchev' was flagged as 'in 1966 if or khrushchev' because words of
    the neighbouring clip leaked in when a packed window's text was shared out; alone it reads right."""
    from pipeline.build import make_plan
    from pipeline.config import load_show
    from pipeline.verify import verify_plan
    from pipeline.verify.recognizer import FakeRecognizer

    class LeakyWindows(FakeRecognizer):
        """Hears right alone; in a shared window, each clip gains a word from its neighbour."""

        def recognize(self, clips, separate=False):
            heard = super().recognize(clips)
            return heard if separate else [h + " leaked from next door" for h in heard]

    show = _show(tmp_path)
    plan = make_plan(load_show(show), ("audio",))
    [check], problems = verify_plan(plan, LeakyWindows())
    assert problems == [] and check.flagged == []
    assert all("leaked" not in s.heard for s in check.sentences)  # every one differed, so every one was heard again
