"""Bylines, dates, datelines, series numbers and text hygiene as real pages print them.

Every text here is written for the test (no corpus words), each in one of the arrangements the
real pages use, so a regression in the structural reading shows up by name.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest

from pipeline.episodes.decode import decode_bytes
from pipeline.episodes.scraped import parse_scraped
from tests.conftest import make_show, run_cli

BODY = "The squadron trained for three days in the cold. Crews loaded every aircraft twice.\n\n" \
       "\u201cWe were ready,\u201d said the commander. The exercise ended on time."


def read(text: str):
    return parse_scraped(decode_bytes(text.encode("utf-8"), "t.txt"))


# --- point 3: bylines ---------------------------------------------------------------------------

@pytest.mark.parametrize("header,author,organization", [
    ("Winter drill\n\n  \u2022 Published\n  \u2022 By Story by Staff Sgt. Ana Ruiz\n  \u2022 12th Flying Training Wing\n",
     "Staff Sgt. Ana Ruiz", "12th Flying Training Wing"),
    ("Winter drill\n\nStory by Kim Lopez\nPhotos by Senior Airman Dee Ray, 4th Combat Camera Squadron\n",
     "Kim Lopez", ""),
    ("Winter drill\n\n02 May 2019\n\nFrom Petty Officer 2nd Class Lee Park, Naval Station Rota Public Affairs\n",
     "Petty Officer 2nd Class Lee Park", "Naval Station Rota Public Affairs"),
    ("Winter drill\n\nBy Maj. Dana Cole | | June 3, 2019\n", "Maj. Dana Cole", ""),
    ("Winter drill\n\n12 Mar 2018 | Cpl. Evan Hart 1st Marine Logistics Group\n",
     "Cpl. Evan Hart", "1st Marine Logistics Group"),
    ("Winter drill\n\nBy Air Mobility Command Public Affairs\n", "Air Mobility Command Public Affairs", ""),
    ("Winter drill\n\nBy 5th Bomb Wing Public Affairs\n", "5th Bomb Wing Public Affairs", ""),
    ("Site News\nRelease | April 2, 2020\n\nWinter drill\n\n6th Air Refueling Wing Public Affairs\n\n",
     "6th Air Refueling Wing Public Affairs", ""),
    ("Winter drill\n\nCourtesy Story\n\nJoint Base Example Public Affairs\n", "Joint Base Example Public Affairs", ""),
    ("Winter drill\n\nBy Jo Lane, Airman Magazine\n", "Jo Lane", "Airman Magazine"),
    ("Winter drill\n\nBy Army Sgt. 1st Class Rae Moss\n3rd Infantry Division\n", "Army Sgt. 1st Class Rae Moss",
     "3rd Infantry Division"),
])
def test_bylines_as_they_come(header, author, organization):
    a = read(header + "\n" + BODY)
    assert (a.author, a.organization) == (author, organization)
    assert a.headline == "Winter drill"
    assert " ".join(a.sections[0].paragraphs).startswith("The squadron trained")


def test_signature_block_is_one_closing_line_and_no_author_is_invented():
    a = read(BODY + "\n\nThe Honorable Jan Example\nSecretary of the Example\n\nGen. Sam Sample\nChief of Sample Staff\n")
    assert a.author == "" and a.organization == ""
    assert a.sections[0].paragraphs[-1] == ("The Honorable Jan Example, Secretary of the Example. "
                                            "Gen. Sam Sample, Chief of Sample Staff.")


def test_no_author_is_never_credited_to_the_show_and_no_credit_says_x_of_x(tmp_path):
    show = make_show(tmp_path / "s", {
        "a.txt": "Winter drill\n\nBy Air Mobility Command Public Affairs\n\n" + BODY,
        "b.txt": "Winter drill two\n\nPublished Jan. 2, 2020\n\n" + BODY,
    }, music=False)
    toml = show / "show.toml"
    toml.write_text('credit = "Written by {author} of {organization}."\n' + toml.read_text())
    assert run_cli("script", show=show).exit_code == 0
    a = (show / "scripts" / "a.txt").read_text()
    b = (show / "scripts" / "b.txt").read_text()
    assert "Written by Air Mobility Command Public Affairs." in a
    assert "Public Affairs of Air Mobility" not in a and " of Air Mobility Command Public Affairs of" not in a
    assert "Test Wing Public Affairs" not in a + b  # the show's owner wrote neither
    assert "Written by" not in b


# --- point 4: dates and datelines ---------------------------------------------------------------

@pytest.mark.parametrize("header,published", [
    ("Winter drill Published Oct. 21, 2015 By Jane Roe ", date(2015, 10, 21)),
    ("Site\n\nNews | Feb. 20, 2020\n\nWinter drill\n\nBy Jane Roe\n\n", date(2020, 2, 20)),
    ("Press Release | March 26, 2021\n\nWinter drill\n\n", date(2021, 3, 26)),
    ("Winter drill\n\nEXAMPLE, N.D., UNITED STATES\n\n11.01.2016\n\nStory by Jane Roe\n\n", date(2016, 11, 1)),
    ("Winter drill\n\n01 July 2016\n\nBy Jane Roe\n\n", date(2016, 7, 1)),
    ("Winter drill\n\n5 Feb 2014 | Jane Roe\n\n", date(2014, 2, 5)),
    (" date 2024-05-06 ", date(2024, 5, 6)),
])
def test_dates_as_they_come(header, published):
    a = read(header + "EXAMPLE AIR BASE, Va. -- " + BODY)
    assert a.published == published


def test_date_inside_the_dateline_and_iso_time_in_html():
    a = read("Winter drill\n\nBy Jane Roe\n\nEXAMPLE BASE, Md., Sept. 2, 2010 \u2013 " + BODY)
    assert (a.dateline, a.published) == ("EXAMPLE BASE, Md.", date(2010, 9, 2))
    from pipeline.episodes.html import parse_html

    html = ('<html><head><meta property="article:published_time" content="2015-11-09T08:00:00-05:00">'
            '<title>Winter drill</title></head><body><article><h1>Winter drill</h1>'
            + "".join(f"<p>{p}</p>" for p in BODY.split("\n\n")) + "</article></body></html>")
    h = parse_html(html, "t.html")
    assert isinstance(h.published, datetime) and h.published.isoformat() == "2015-11-09T08:00:00-05:00"


@pytest.mark.parametrize("opening,dateline", [
    ("EXAMPLE AIR BASE, Va. -- ", "EXAMPLE AIR BASE, Va."),
    ("EXAMPLE AIR BASE, Va. \u2013 ", "EXAMPLE AIR BASE, Va."),
    ("EXAMPLE AIR BASE, Va. \u2014 ", "EXAMPLE AIR BASE, Va."),
    ("EXAMPLE AIR BASE, Va. (AFNS) -- ", "EXAMPLE AIR BASE, Va."),
    ("EXAMPLE AIR BASE, Va.--", "EXAMPLE AIR BASE, Va."),
    ("EXAMPLE AIR BASE, Va.  \u2013  \n\n", "EXAMPLE AIR BASE, Va."),
    ("Example Air Base, VA -- ", "Example Air Base, VA"),
])
def test_datelines_as_they_come(opening, dateline):
    a = read("Winter drill\n\nBy Jane Roe\n\n" + opening + BODY)
    assert a.dateline == dateline
    assert a.sections[0].paragraphs[0].startswith("The squadron trained")


def test_all_caps_place_keeps_its_abbreviations_when_spoken(tmp_path):
    show = make_show(tmp_path / "s", {"a.txt": "Winter drill\n\nBy Jane Roe\n\nST. LOUIS, Mo. -- " + BODY},
                     music=False)
    result = run_cli("script", "--spoken", "a", show=show)
    assert result.exit_code == 0, result.output
    assert "Saint Louis, Missouri." in result.output


# --- point 5: series and episode numbers --------------------------------------------------------

@pytest.mark.parametrize("headline,number,title", [
    ("Fixing jets; Part 2 of a 4 part series on maintainers", 2, "Fixing jets; Part 2 of a 4 part series on maintainers"),
    ("Base Talk - Ep 12 - Meet the chiefs", 12, "Meet the chiefs"),
    ("Base Talk Episode 7: The dining facility", 7, "The dining facility"),
    ("Heritage Series, Part XIV: The first jets", 14, "The first jets"),
    ("Part 1: Where it began", 1, "Where it began"),
    ("The Example War: Part 20 \u2013 Winter", 20, "Winter"),
])
def test_series_numbers_in_any_position(headline, number, title):
    a = read(headline + "\n\nBy Jane Roe\n\n" + BODY)
    assert (a.number, a.title, a.headline) == (number, title, headline)


# --- point 6: text hygiene ----------------------------------------------------------------------

def test_unicode_spaces_run_together_paragraphs_and_inner_bullets():
    text = ("Winter drill\n\nBy\u00a0Jane Roe\n\nEXAMPLE AIR BASE,\u202fVa.\u00a0-- The crews flew.\u00a0 "
            "Then they rested.\u2003It snowed.\n\nThey drove the rental cars.Airmen then ate.\n\n"
            "\u2022 Trucks cleared the\u200b runway.")
    a = read(text)
    body = a.sections[0].paragraphs
    assert a.author == "Jane Roe" and a.dateline == "EXAMPLE AIR BASE, Va."
    assert body[0] == "The crews flew. Then they rested. It snowed."
    assert body[1] == "They drove the rental cars. Airmen then ate."
    assert body[2] == "Trucks cleared the runway."


def test_markdown_summary_is_kept_and_own_keys_do_not_warn(tmp_path, caplog):
    src = tmp_path / "a.md"
    src.write_text("---\ntitle: Winter drill\npublished: 2020-01-02\nsummary: Crews train in the cold.\n---\n\n" + BODY)
    show = make_show(tmp_path / "s", music=False)
    result = run_cli("add", str(src), show=show)
    assert result.exit_code == 0, result.output
    stored = next((show / "episodes").glob("*.md")).read_text()
    assert "summary: Crews train in the cold." in stored and "source_id:" in stored
    caplog.clear()
    listed = run_cli("list", "--json", show=show)
    assert listed.exit_code == 0
    assert "is not used" not in caplog.text + listed.output


def test_rss_author_email_is_never_spoken(tmp_path):
    rss = tmp_path / "f.rss"
    rss.write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>http://e.test/</link>'
        '<description>d</description><item><title>Winter drill</title><link>http://e.test/a</link>'
        '<guid>http://e.test/a</guid><pubDate>Tue, 02 Jun 2020 10:00:00 GMT</pubDate>'
        '<author>jane.roe@example.mil (Jane Roe)</author><description><![CDATA['
        + "".join(f"<p>{p} {p} {p}</p>" for p in BODY.split("\n\n")) + ']]></description></item></channel></rss>')
    show = make_show(tmp_path / "s", music=False)
    result = run_cli("add", str(rss), show=show)
    assert result.exit_code == 0, result.output
    stored = next((show / "episodes").glob("*.md")).read_text()
    assert "author: Jane Roe" in stored and "@" not in stored.split("source_url")[0]


def test_a_run_of_characters_without_spaces_never_reaches_the_voice():
    """Regression: a 100,000-character 'headline' that is no headline was read as story, and piper,
    which needs memory by the character, was handed it whole (the machine ran out of memory)."""
    a = read("x" * 100_000 + " Published Oct. 21, 2015 By Jane Doe WASHINGTON -- Short body.")
    words = [w for s in a.sections for p in s.paragraphs for w in p.split()]
    assert words and max(len(w) for w in words) < 200


# whole headers in other sites' arrangements --------------------------------------------------------

@pytest.mark.parametrize("page,expect", [
    ("Skip to main content (Press Enter).\nToggle navigation\n\nRadios tested in the field\n\n"
     "By Sgt. Mia Lopez, 4th Infantry Division Public Affairs\nMarch 3, 2021\n\nShare on Facebook\nShare on Twitter\n\n"
     "EXAMPLE POST, Colo. \u2014 ",
     ("Radios tested in the field", date(2021, 3, 3), "Sgt. Mia Lopez", "4th Infantry Division Public Affairs",
      "EXAMPLE POST, Colo.")),
    ("Story by Cpl. Ana Diaz | 2nd Example Aircraft Wing | Jan. 4, 2023\n\nNight refuel drill\n\n"
     "EXAMPLE AIR STATION, N.C. -- ",
     ("Night refuel drill", date(2023, 1, 4), "Cpl. Ana Diaz", "2nd Example Aircraft Wing", "EXAMPLE AIR STATION, N.C.")),
    ("Beach cleanup draws crowd\nBy Mass Communication Specialist 2nd Class Kim Park, USS Example Public Affairs\n"
     "Posted: June 12, 2019\n\nAPRA HARBOR, Guam (NNS) -- ",
     ("Beach cleanup draws crowd", date(2019, 6, 12), "Mass Communication Specialist 2nd Class Kim Park",
      "USS Example Public Affairs", "APRA HARBOR, Guam")),
    ("Base hosts community day\n\nFORT EXAMPLE, TX, UNITED STATES\n\n05.06.2022\n\nCourtesy Story\n\n"
     "Fort Example Public Affairs Office\n\n",
     ("Base hosts community day", date(2022, 5, 6), "Fort Example Public Affairs Office", "",
      "FORT EXAMPLE, TX, UNITED STATES")),
    ("Guardians mark anniversary\nPublished Dec. 20, 2022\nBy Staff Sgt. Lee Kim\nSpace Base Delta 1 Public Affairs\n\n"
     "EXAMPLE SPACE FORCE BASE, Colo. --\n",
     ("Guardians mark anniversary", date(2022, 12, 20), "Staff Sgt. Lee Kim", "Space Base Delta 1 Public Affairs",
      "EXAMPLE SPACE FORCE BASE, Colo.")),
    ("WINTER DRILL IN THE NORTH\n\nBy Staff Sgt. Jo Lee\n\nEXAMPLE AIR FORCE BASE, N.D. -- ",
     ("WINTER DRILL IN THE NORTH", None, "Staff Sgt. Jo Lee", "", "EXAMPLE AIR FORCE BASE, N.D.")),
    ("Jan. 5, 2023 | By Jim Example, DOD News\n\nSecretary meets allies\n\nWASHINGTON -- ",
     ("Secretary meets allies", date(2023, 1, 5), "Jim Example", "DOD News", "WASHINGTON")),
])
def test_other_sites_headers(page, expect):
    a = read(page + BODY)
    assert (a.headline, a.published, a.author, a.organization, a.dateline) == expect
    assert a.sections[0].paragraphs[0].startswith("The squadron trained")


# page furniture and metadata blocks other sites print --------------------------------------------

@pytest.mark.parametrize("page,expect", [
    ("Beach cleanup draws crowd\n\nStory Number: NNS190612-05 Release Date: 6/12/2019 8:45:00 AM\n\n"
     "From USS Example Public Affairs\n\nAPRA HARBOR, Guam (NNS) -- ",
     ("Beach cleanup draws crowd", date(2019, 6, 12), "USS Example Public Affairs", "", "APRA HARBOR, Guam", 0)),
    ("Radios tested\n\nBy Sgt. Mia Lopez\n\nMarch 3, 2021\n\nPhoto Credit: Sgt. Mia Lopez\n\nEXAMPLE POST, Colo. -- ",
     ("Radios tested", date(2021, 3, 3), "Sgt. Mia Lopez", "", "EXAMPLE POST, Colo.", 0)),
    ("Airmen train in cold\n\n  \u2022 Published Jan. 5, 2021\n  \u2022 By Senior Airman Jo Lee\n"
     "  \u2022 5th Bomb Wing Public Affairs\n\nAirmen load a bomb onto a B-52H at the base, Jan. 4, 2021. The "
     "loading exercise tests readiness. (U.S. Air Force photo by Senior Airman Jo Lee)\n\n"
     "Photo Details / Download Hi-Res\n\nEXAMPLE AIR FORCE BASE, N.D. -- ",
     ("Airmen train in cold", date(2021, 1, 5), "Senior Airman Jo Lee", "5th Bomb Wing Public Affairs",
      "EXAMPLE AIR FORCE BASE, N.D.", 1)),
    ("Drill day\n\nTuesday, January 5, 2021\n\nBy Staff Sgt. Jo Lee\n\n",
     ("Drill day", date(2021, 1, 5), "Staff Sgt. Jo Lee", "", "", 0)),
])
def test_metadata_blocks_and_furniture(page, expect):
    a = read(page + BODY + "\n\nTags: training, winter\n\nRelated Links\n\nShare this\n\nFacebook\nTwitter\nEmail")
    got = (a.headline, a.published, a.author, a.organization, a.dateline,
           sum(len(s.paragraphs) for s in a.sections if s.title == "Photo captions"))
    assert got == expect
    story = a.sections[0].paragraphs
    assert story[0].startswith("The squadron trained") and story[-1].endswith("The exercise ended on time.")


def test_a_sentence_starting_with_by_is_story_not_a_byline():
    """Regression: 'By the end of the day, ...' after the story began was taken for a sidebar's
    byline and the rest of the story was cut; 'By noon, ...' in a one-line story became a header."""
    a = read("Winter drill\n\nBy Staff Sgt. Jo Lee\n\nEXAMPLE AIR BASE, Va. -- The crews trained. They flew.\n\n"
             "By the end of the day, crews had loaded every aircraft twice.\n\nThe exercise ended on time.")
    assert a.author == "Staff Sgt. Jo Lee"
    assert a.sections[0].paragraphs[1:] == ("By the end of the day, crews had loaded every aircraft twice.",
                                            "The exercise ended on time.")
    one = ("Airmen gathered at the hangar before dawn on Tuesday. By noon, the crews had loaded every aircraft "
           "and the commander declared the exercise a success for the whole base.")
    b = read(one)
    assert b.headline == "" and b.author == "" and b.sections[0].paragraphs == (one,)


def test_question_headline_and_an_aside_after_an_acronym():
    """A headline may end with '?'; 'NATO - the alliance - met' is an aside, not a dateline."""
    a = read("Ready for winter?\n\nBy Staff Sgt. Jo Lee\n\nNATO - the alliance - met in Brussels on Monday. It agreed.")
    assert (a.headline, a.author, a.dateline) == ("Ready for winter?", "Staff Sgt. Jo Lee", "")
    assert a.sections[0].paragraphs[0].startswith("NATO - the alliance - met")


@pytest.mark.parametrize("last", ["Comments from the crowd were warm.", "Printing the programs took a week.",
                                  "Email traffic doubled during the exercise."])
def test_a_last_paragraph_that_starts_like_a_share_widget_is_kept(last):
    """Regression: trailing 'widgets' were matched by prefix, so a story's last paragraph starting
    'Comments', 'Print' or 'Email' was dropped; page furniture is now recognised by its shape only."""
    a = read("Winter drill\n\nBy Staff Sgt. Jo Lee\n\nEXAMPLE AIR BASE, Va. -- " + BODY + "\n\n" + last
             + "\n\nShare this\n\nEmail")
    assert a.sections[0].paragraphs[-1] == last
