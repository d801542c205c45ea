"""Written -> spoken, table-driven from tests/data/normalisation.tsv (a file a producer can read)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.scripts.spoken import Narrator
from pipeline.scripts.spoken.lexicon import Entry, Lexicon
from pipeline.text.sentences import split_sentences

TABLE = Path(__file__).parent / "data" / "normalisation.tsv"


def cases() -> list[tuple[str, str, str]]:
    out = []
    for n, line in enumerate(TABLE.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        category, written, spoken = line.split("\t")
        out.append(pytest.param(category, written, spoken, id=f"{n}-{category}"))
    return out


NARRATOR = Narrator()


def test_table_is_large_and_covers_every_category():
    categories = {c.values[0] for c in cases()}
    assert len(cases()) >= 150
    assert {"year", "decade", "date", "time", "money", "percent", "ordinal", "number", "range", "phone",
            "unit", "month", "weekday", "state", "rank", "title", "roman", "acronym", "dash"} <= categories


@pytest.mark.parametrize("category,written,spoken", cases())
def test_written_to_spoken(category, written, spoken):
    assert NARRATOR.speak(written) == spoken


SPLITS = [
    # found by listening to the corpus: "82nd Abn. | Div. hosted" was two clips
    ("The 2nd Brigade Combat Team, 82nd Abn. Div. hosted the jump. It was cold.",
     ["The 2nd Brigade Combat Team, 82nd Abn. Div. hosted the jump.", "It was cold."]),
    ("Soldiers of the 82nd Abn. The team jumped.", ["Soldiers of the 82nd Abn.", "The team jumped."]),
    ("Lyndon B. Johnson spoke. He left.", ["Lyndon B. Johnson spoke.", "He left."]),
    ("Unemployment was 3.5 percent. It fell.", ["Unemployment was 3.5 percent.", "It fell."]),
    ('He said, "Go now. Do not wait." Then he left.', ['He said, "Go now. Do not wait."', "Then he left."]),
    ("The U.S. Army marched. The Navy sailed.", ["The U.S. Army marched.", "The Navy sailed."]),
    ("He moved to the U.S. The next year he left.", ["He moved to the U.S.", "The next year he left."]),
    ("Tech. Sgt. Jane Doe and Lt. Col. Sam Roe met Dr. Smith.", ["Tech. Sgt. Jane Doe and Lt. Col. Sam Roe met Dr. Smith."]),
    ("It was fought in World War I. After that, peace.", ["It was fought in World War I.", "After that, peace."]),
    ("The vote is Nov. 2. Polls open at 7 a.m. Bring ID.", ["The vote is Nov. 2.", "Polls open at 7 a.m.", "Bring ID."]),
    ("Is it over? Yes! It is.", ["Is it over?", "Yes!", "It is."]),
    ("She lives in Minot, N.D. She works at the base.", ["She lives in Minot, N.D.", "She works at the base."]),
    ("Sen. John McCain spoke... and then left.", ["Sen. John McCain spoke... and then left."]),
]


@pytest.mark.parametrize("text,expected", SPLITS)
def test_sentence_splitting(text, expected):
    assert split_sentences(text) == expected


def test_lexicon_and_inline_overrides_win_for_every_engine():
    lex = Lexicon(entries={"Khrushchev": Entry("Khrushchev", say="Kroosh-chof", phonemes="kɹˈʊʃtʃɔf"),
                           "oblast": Entry("oblast", say="ob-last")})
    n = Narrator(lex)
    assert n.speak("Khrushchev's oblast.", phonemes=True) == "[[ kɹˈʊʃtʃɔfs ]] ob-last."
    assert n.speak("Khrushchev's oblast.", phonemes=False) == "Kroosh-chof's ob-last."
    assert n.speak("The Oblast grew.", phonemes=False) == "The ob-last grew."  # lower-case key: any case
    assert n.speak("Say {1894|the year eighteen ninety-four} now.") == "Say the year eighteen ninety-four now."
    assert n.speak("Say {Kalinovka|/kɐlˈiːnəfkə/} now.") == "Say [[ kɐlˈiːnəfkə ]] now."
    assert n.speak("Say {Kalinovka|/kɐlˈiːnəfkə/} now.", phonemes=False) == "Say Kalinovka now."


def test_show_acronym_overrides():
    lex = Lexicon(acronyms={"USSR": "word", "AFGSC": "Af-gus", "NATO": "letters"})
    n = Narrator(lex)
    assert n.speak("USSR, AFGSC and NATO.") == "Ussr, Af-gus and N-A-T-O."
