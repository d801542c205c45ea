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
    assert ep.dateline == "MINOT AIR FORCE BASE, N.D."  # as printed; the script reads it as words
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
    assert a.dateline == "F.E. WARREN AIR FORCE BASE, Wyo."
    assert a.teaser == "Next week: Richard Nixon"
    text = " ".join(a.sections[0].paragraphs)
    assert text.startswith("Lyndon B. Johnson became president on Nov. 22, 1963,")
    assert text.endswith("escalation of the Vietnam War.")


def test_article_without_teaser_or_unit():
    a = parse_scraped("Base holds change of command Published Jan. 5, 2016 By Jane Smith "
                      "WASHINGTON -- The ceremony was held Tuesday. It was brief.")
    assert (a.title, a.series, a.number) == ("Base holds change of command", "", None)
    assert a.author == "Jane Smith" and a.organization == ""
    assert a.dateline == "WASHINGTON"
    assert a.teaser == ""
    assert a.published == date(2016, 1, 5)


def test_undated_article_gets_the_day_first_read_and_keeps_it(tmp_path, caplog):
    """Regression (issue 11): an article without a date was refused; now it is dated once, for good."""
    import json

    show_dir = make_show(tmp_path / "s", {"undated.txt": "Base news By Jane Smith WASHINGTON -- A body."})
    show = load_show(show_dir)
    ep = read_episode(show_dir / "episodes" / "undated.txt", show)
    assert ep.published.date() == date.today()
    assert "no date in the text; dated" in caplog.text and "undated.txt" in caplog.text
    # the date is recorded, so a later build (another day) gives the same one
    record = show.state_dir / "first-seen.json"
    json_data = json.loads(record.read_text())
    json_data["undated.txt"] = "2001-02-03"
    record.write_text(json.dumps(json_data))
    assert read_episode(show_dir / "episodes" / "undated.txt", show).published.date() == date(2001, 2, 3)


def test_spoken_dateline_reads_upper_case_places_as_words():
    from pipeline.scripts.generate import spoken_dateline

    assert spoken_dateline("MINOT AIR FORCE BASE, N.D. (AFNS)") == "Minot Air Force Base, N.D."
    assert spoken_dateline("ST. LOUIS, Mo.") == "St. Louis, Mo."
    assert spoken_dateline("JOINT BASE SAN ANTONIO-RANDOLPH, Texas") == "Joint Base San Antonio-Randolph, Texas"
    assert spoken_dateline("MINOT AIR FORCE BASE, ND, UNITED STATES") == "Minot Air Force Base, ND, United States"
    assert spoken_dateline("Barksdale Air Force Base, LA") == "Barksdale Air Force Base, LA"
    assert spoken_dateline("TX, UNITED STATES") == "TX, United States"


def test_readable_name_from_a_file_or_address():
    from pipeline.episodes import readable_name

    assert readable_name("103-315aw-2015-in-photos.txt") == "315aw 2015 in photos"
    assert readable_name("https://www.example.mil/News/Article/639890/2015-in-photos") == "2015 in photos"
    assert readable_name("https://www.example.mil/news/base-holds-picnic/index.html") == "Base holds picnic"


def test_duplicate_part_number_keeps_the_first(tmp_path):
    from tests.conftest import article

    show_dir = make_show(tmp_path / "s", {"a.txt": article(3, "One", "Body one."),
                                           "b.txt": article(3, "Two", "Body two.")})
    episodes, problems = read_all(load_show(show_dir))
    assert [e.slug for e in episodes] == ["a"]
    assert len(problems) == 1 and "b.txt: is part 3, like a.txt" in str(problems[0])
