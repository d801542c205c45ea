"""Reading articles: the seed's one-line scraped layout, parsed by landmarks, not by position."""

from __future__ import annotations

from datetime import date

import pytest

from pipeline.config import load_show
from pipeline.episodes import read_all, read_episode
from pipeline.episodes.scraped import parse_scraped
from pipeline.errors import EpisodeError
from tests.conftest import ROOT, make_show


def test_seed_article_metadata():
    show = load_show(ROOT)
    ep = read_episode(ROOT / "episodes" / "020-khrushchev.txt", show)
    assert ep.series == "Let's Learn about the Cold War"
    assert ep.number == 20
    assert ep.title == "Khrushchev"
    assert ep.published.date() == date(2015, 10, 21)
    assert ep.published.tzinfo is not None
    assert ep.author == "Senior Airman Sean D. Smith"
    assert ep.organization == "Minot Air Force Base Public Affairs"
    assert ep.dateline == "Minot Air Force Base, N.D."
    assert ep.teaser == "Next time: Lyndon B. Johnson"
    body = " ".join(ep.paragraphs)
    assert body.startswith("President John F. Kennedy's handling of the Cuban Missile Crisis")
    assert body.endswith("there was a new American president.")
    assert "Next time" not in body and "Published" not in body
    # the scraper's missing space before the quotation is repaired
    assert 'saying, "I\'ve done the main thing.' in body


SECOND = (
    "Let\u2019s Learn about the Cold War: Part 21 \u2013 Lyndon B. Johnson Published Nov. 4, 2015 "
    "By Airman 1st Class Maria L. Ortiz 91st Missile Wing Public Affairs "
    "F.E. WARREN AIR FORCE BASE, Wyo. -- Lyndon B. Johnson became president on Nov. 22, 1963, "
    "aboard Air Force One in Dallas. He had served in the U.S. Navy during World War II. "
    "His presidency saw the escalation of the Vietnam War. Next week: Richard Nixon"
)


def test_second_article_same_layout_is_parsed_not_matched():
    a = parse_scraped(SECOND)
    assert (a.series, a.number, a.title) == ("Let's Learn about the Cold War", 21, "Lyndon B. Johnson")
    assert a.published == date(2015, 11, 4)
    assert a.author == "Airman 1st Class Maria L. Ortiz"
    assert a.organization == "91st Missile Wing Public Affairs"
    assert a.dateline == "F.E. Warren Air Force Base, Wyo."
    assert a.teaser == "Next week: Richard Nixon"
    text = " ".join(a.sections[0].paragraphs)
    assert text.startswith("Lyndon B. Johnson became president on Nov. 22, 1963,")
    assert text.endswith("escalation of the Vietnam War.")


def test_article_without_teaser_or_unit():
    a = parse_scraped("Base holds change of command Published Jan. 5, 2016 By Jane Smith "
                      "WASHINGTON -- The ceremony was held Tuesday. It was brief.")
    assert (a.title, a.series, a.number) == ("Base holds change of command", "", None)
    assert a.author == "Jane Smith" and a.organization == ""
    assert a.dateline == "Washington"
    assert a.teaser == ""
    assert a.published == date(2016, 1, 5)


def test_missing_date_is_an_error_naming_the_file(tmp_path):
    show_dir = make_show(tmp_path / "s", {"bad.txt": "Base news By Jane Smith WASHINGTON -- A body."})
    show = load_show(show_dir)
    with pytest.raises(EpisodeError) as err:
        read_episode(show_dir / "episodes" / "bad.txt", show)
    assert str(err.value) == (f"{show_dir / 'episodes' / 'bad.txt'}: has no publication date; add a "
                              "'Published Oct. 21, 2015' line or 'published: 2015-10-21' front matter")


def test_duplicate_part_number_keeps_the_first(tmp_path):
    from tests.conftest import article

    show_dir = make_show(tmp_path / "s", {"a.txt": article(3, "One", "Body one."),
                                           "b.txt": article(3, "Two", "Body two.")})
    episodes, problems = read_all(load_show(show_dir))
    assert [e.slug for e in episodes] == ["a"]
    assert len(problems) == 1 and "b.txt: is part 3, like a.txt" in str(problems[0])
