"""Narration: producers' controls (lexicon, say, editable scripts) on real shows and real audio."""

from __future__ import annotations

import pytest

import json
import re
import wave

from tests.conftest import ROOT, article, make_show, run_cli


def test_say_print_gives_the_spoken_form():
    result = run_cli("say", "--print", "Khrushchev was born in 1894 in Kalinovka, Russia.", show=ROOT)
    assert result.exit_code == 0
    assert result.output == ("[[ kɹˈʊʃtʃɔf ]] was born in eighteen ninety-four in [[ kɐlˈiːnəfkə ]], Russia.\n")


@pytest.mark.voice
def test_say_writes_audio(tmp_path):
    out = tmp_path / "x.wav"
    result = run_cli("say", "-o", str(out), "Tech. Sgt. Jane Doe flew the B-52 on Oct. 21, 2015.", show=ROOT)
    assert result.exit_code == 0, result.output
    assert "Technical Sergeant Jane Doe flew the B fifty-two on October twenty-first, twenty fifteen." in result.output
    with wave.open(str(out)) as fh:
        seconds = fh.getnframes() / fh.getframerate()
        assert fh.getnchannels() == 1
    assert 3 < seconds < 12


def test_spoken_script_of_the_bundled_episode_is_fully_normalized():
    result = run_cli("script", "--spoken", show=ROOT)
    assert result.exit_code == 0
    lines = [ln for ln in result.output.splitlines() if ln and not re.match(r"\[(intro|body|outro)", ln)]
    text = "\n".join(ln for ln in lines)
    assert not re.search(r"\d", re.sub(r"\[\[.*?\]\]", "", text)), "a digit was left for the voice"
    # an abbreviation's period inside a sentence (a period at the end of a line ends the sentence)
    abbreviation = re.compile(r"(?<![\w-])(?:(?:[A-Z]\.){1,}|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec|Sgt|Lt|Col|Gen|"
                              r"Capt|Maj|Dr|Mr|Mrs|Ms|St|Mt|Ft|Jr|Sr|No|vs|etc|Calif|Va|Wyo|Tech)\.)(?=[ \t])")
    for line in lines:
        assert not abbreviation.search(line), f"an abbreviation kept its period: {line}"
    assert not re.search(r"\b(?:II|III|IV|VI|VII|VIII|IX|XI|XII)\b|War I\b", text), "a Roman numeral was left"
    # initials do not split sentences: each name sits whole on one line
    assert any("John F Kennedy" in ln for ln in lines)
    assert any(ln.startswith("Next time: Lyndon B Johnson") for ln in lines)
    assert "World War one" in text and "World War two" in text and "eighteen ninety-four" in text


def test_editing_a_sentence_survives_a_rebuild_and_is_spoken(tmp_path):
    body = "The first sentence stays. The second sentence will change. The third sentence stays too."
    show = make_show(tmp_path / "s", {"001-edit.txt": article(1, "Edits", body)}, music=False)
    assert run_cli("build", show=show).exit_code == 0
    script = show / "scripts" / "001-edit.txt"
    meta_path = show / "audio" / "episodes" / "001-edit.json"
    before = json.loads(meta_path.read_text())
    clips = lambda: {p.stem for p in (show / ".readcast" / "cache" / "clips").rglob("*.wav")}  # noqa: E731
    clips_before = clips()
    script.write_text(script.read_text().replace("The second sentence will change.",
                                                 "The second sentence now says 1,200 new words."))
    result = run_cli("build", show=show)
    assert result.exit_code == 0, result.output
    assert "1 sentences synthesised" in result.output
    assert "The second sentence now says 1,200 new words." in script.read_text()
    after = json.loads(meta_path.read_text())
    texts = [c["text"] for c in after["cues"]]
    assert "The second sentence now says 1,200 new words." in texts  # the transcript keeps the written form
    assert len(clips() - clips_before) == 1  # only the edited sentence was synthesised
    edited = next(c for c in after["cues"] if "1,200" in c["text"])
    old = next(c for c in before["cues"] if "will change" in c["text"])
    assert (edited["end"] - edited["start"]) > (old["end"] - old["start"])  # the voice says more words
    # the VTT the feed points at now (the superseded one stays for its grace period)
    current = re.search(r'<podcast:transcript url="[^"]*/(media/[^"/]+\.vtt)"', (show / "feed" / "feed.xml").read_text())
    vtt = (show / "feed" / current.group(1)).read_text()
    assert "The second sentence now says 1,200 new words." in " ".join(vtt.split())  # a cue may take two lines
    # the source article changes underneath the edited script: kept, with a warning
    src = show / "episodes" / "001-edit.txt"
    src.write_text(src.read_text().replace("The third sentence stays too.", "A new ending."))
    result = run_cli("build", show=show)
    assert result.exit_code == 0
    assert "kept your edits, but 001-edit.txt changed since" in result.output
    assert "1,200 new words" in script.read_text()


def test_transcripts_keep_written_form_while_voice_gets_spoken(bundled):
    vtt = next((bundled / "feed" / "media").glob("*.vtt")).read_text()
    assert "published October 21, 2015." in vtt
    assert "twenty fifteen" not in vtt
    meta = json.loads((bundled / "audio" / "episodes" / "020-khrushchev.json").read_text())
    assert any("1894" in c["text"] for c in meta["cues"])
