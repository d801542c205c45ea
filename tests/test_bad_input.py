"""Bad input: one clear line naming the file and the fix, the rest still built, nothing lost."""

from __future__ import annotations

import io
import re
import string

import podcastparser
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from lxml import etree, html

from pipeline.config import load_show
from pipeline.episodes import read_all
from tests.conftest import article, make_show, run_cli

DETERMINISTIC = "\n[build]\ncache_dir = \"{cache}\"\n"


def _feed_items(show):
    with open(show / "feed" / "feed.xml", "rb") as fh:
        return podcastparser.parse("http://example.test/podcast/feed.xml", fh)["episodes"]


def test_one_bad_article_of_five_keeps_its_published_version(tmp_path):
    arts = {f"00{n}-ep.txt": article(n, f"Episode {n}", f"Episode {n} has one sentence.", day=n) for n in range(1, 6)}
    show = make_show(tmp_path / "s", arts, music=False)
    assert run_cli("build", show=show).exit_code == 0
    before = {e["guid"]: e for e in _feed_items(show)}
    assert len(before) == 5
    bad = show / "episodes" / "003-ep.txt"
    good = show / "episodes" / "004-ep.txt"
    bad.write_text(bad.read_text().split(" -- ")[0] + " -- ")  # the story is gone
    good.write_text(good.read_text().replace("has one sentence", "has one sentence, now longer"))
    result = run_cli("build", show=show)
    assert result.exit_code == 1
    assert f"Error: {bad}: has no article text after the header; paste the body below the dateline" in result.output
    assert "1 problem; everything else was built" in result.output
    after = {e["guid"]: e for e in _feed_items(show)}
    assert set(after) == set(before)
    bad_guid = next(g for g, e in before.items() if e["title"] == "Episode 3")
    assert after[bad_guid]["enclosures"] == before[bad_guid]["enclosures"]  # the last good version, untouched
    media = show / "feed" / "media" / before[bad_guid]["enclosures"][0]["url"].rsplit("/", 1)[1]
    assert media.is_file() and media.stat().st_size == before[bad_guid]["enclosures"][0]["file_size"]
    changed = next(g for g, e in before.items() if e["title"] == "Episode 4")
    assert after[changed]["enclosures"] != before[changed]["enclosures"]  # the others were still built


@pytest.mark.parametrize("name,data,message", [
    ("empty.txt", b"", "is empty; paste the article text into it, or delete it"),
    ("blank.txt", b"  \n\n\t ", "is empty; paste the article text into it, or delete it"),
    ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)),
     "is a binary file, not an article; give a .txt, .md or .html article, or remove the file from episodes/"),
    ("badyaml.md", b"---\ntitle: [unclosed\n---\nBody.", "front matter is not valid YAML at line 2"),
    ("chrome.txt", b"An official website of the United States government\nHere's how you know\n\nHome > News\n\n"
                   b"Share this\nPrint\nE-mail\n", "has no article text after the header"),
    ("nobody.txt", b"Base news Published Oct. 21, 2015 By Jane Smith WASHINGTON -- ", "has no article text after the header"),
])
def test_each_bad_file_is_one_line_and_the_rest_builds(tmp_path, name, data, message):
    show = make_show(tmp_path / "s", {"001-good.txt": article(1, "Good", "A good sentence.")}, music=False)
    (show / "episodes" / name).write_bytes(data)
    result = run_cli("build", show=show)
    assert result.exit_code == 1
    errors = [ln for ln in result.output.splitlines() if ln.startswith("Error:")]
    assert len(errors) == 1 and errors[0].startswith(f"Error: {show / 'episodes' / name}: {message}")
    assert "Traceback" not in result.output
    assert [e["title"] for e in _feed_items(show)] == ["Good"]


def test_encodings_are_detected_and_mojibake_repaired(tmp_path):
    text = ("Let\u2019s Learn: Part 7 \u2013 Caf\u00e9 diplomacy Published Oct. 21, 2015 By Jos\u00e9 M\u00fcller "
            "WASHINGTON -- The \u201cdiplomats\u201d met at a caf\u00e9. Na\u00efve hopes faded.")
    show = make_show(tmp_path / "s", music=False)
    (show / "episodes" / "001-cp1252.txt").write_bytes(text.encode("cp1252"))
    (show / "episodes" / "002-latin1.txt").write_bytes(text.replace("Part 7", "Part 8").replace("\u2019", "'")
                                                      .replace("\u2013", "-").replace("\u201c", '"').replace("\u201d", '"')
                                                      .encode("latin-1"))
    # UTF-8 read as Windows-1252 and saved again as UTF-8 (undefined bytes kept, as Windows does)
    raw = text.replace("Part 7", "Part 9").encode("utf-8")
    mojibake = "".join(bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in raw).encode("utf-8")
    (show / "episodes" / "003-mojibake.txt").write_bytes(mojibake)
    mixed = (text.replace("Part 7", "Part 10").split(" WASHINGTON")[0].encode("utf-8") + b"\n"
             + " WASHINGTON -- The diplomats met at a caf\u00e9.".encode("cp1252"))
    (show / "episodes" / "004-mixed.txt").write_bytes(mixed)
    episodes, problems = read_all(load_show(show))
    assert problems == []
    for ep in episodes:
        assert ep.title == "Caf\u00e9 diplomacy" and ep.author == "Jos\u00e9 M\u00fcller", ep.slug
        assert "caf\u00e9" in " ".join(ep.paragraphs)
        assert "\u00c3" not in ep.title + " ".join(ep.paragraphs)


def test_control_characters_never_reach_the_feed(tmp_path):
    body = "Alarm\x07 bells\x1b[31m rang.\x0b The \ufffe end\x00 came."
    show = make_show(tmp_path / "s", {"001-a.txt": article(1, "Bell\x08s and \x0cwhistles", body)}, music=False)
    result = run_cli("build", show=show)
    assert result.exit_code == 0, result.output
    data = (show / "feed" / "feed.xml").read_bytes()
    etree.fromstring(data)  # XML 1.0 accepts it
    assert not re.search(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]", data)
    assert _feed_items(show)[0]["title"] == "Bell s and whistles"


def test_markup_in_articles_is_text_everywhere(tmp_path):
    title = '<script>alert("t")</script> & <b>Bold</b> "quoted" \u2018x\u2019'
    body = 'He typed <img src=x onerror=alert(1)> and </p><script>alert(2)</script> -- then ]]> and &amp; too.'
    show = make_show(tmp_path / "s", {"001-a.txt": article(1, title, body)}, music=False)
    assert run_cli("build", show=show).exit_code == 0
    feed = (show / "feed" / "feed.xml").read_bytes()
    root = etree.fromstring(feed)
    # (headlines get straight quotes: readcast normalises them)
    assert root.find("channel/item/title").text == '<script>alert("t")</script> & <b>Bold</b> "quoted" \'x\''
    for name in ("index.html", *[p.relative_to(show / "feed").as_posix() for p in (show / "feed" / "media").glob("*.html")]):
        doc = html.fromstring((show / "feed" / name).read_bytes())
        scripts = [s.text_content() for s in doc.iter("script")]
        assert all("alert" not in s for s in scripts), name
        assert not doc.xpath("//img[@src='x']") and not doc.xpath("//*[@onerror]") and not doc.xpath("//b"), name
        assert '<script>alert("t")</script>' in doc.text_content()
    notes = root.find("channel/item/description").text
    assert "<script>" not in notes and "&lt;script&gt;" in notes


def test_slugs_are_safe_and_nothing_is_written_outside_the_show(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    show = make_show(tmp_path / "show", music=False)
    src = tmp_path / "evil.txt"
    src.write_text(article(1, "../../outside/evil; rm -rf ~ && $(reboot) `id`", "A sentence."))
    result = run_cli("add", str(src), show=show)
    assert result.exit_code == 0, result.output
    [path] = list((show / "episodes").iterdir())
    assert re.fullmatch(r"001-[a-z0-9-]+\.md", path.name)
    assert run_cli("build", show=show).exit_code == 0
    assert list(outside.iterdir()) == []
    for p in show.rglob("*"):
        assert p.resolve().is_relative_to(show.resolve())
        assert not any(ch in p.name for ch in ";$`&") or p.name.startswith(".")


def test_two_files_with_the_same_slug(tmp_path):
    show = make_show(tmp_path / "s", {"a b.txt": article(1, "One", "A."), "a-b.txt": article(2, "Two", "B.")},
                     music=False)
    result = run_cli("build", "--dry-run", show=show)
    assert result.exit_code == 1
    assert f"Error: {show / 'episodes' / 'a-b.txt'}: would have the same slug 'a-b' as a b.txt; rename one of the two files" in result.output


def test_huge_article_fails_and_long_one_warns(tmp_path):
    """Behaviour only: how fast it fails is measured in bench/, not here (a busy machine took 27.9 s
    against a 20 s limit here before)."""
    huge = article(1, "Huge", "Words and more words. " * 120_000)  # 480,000 words, 2.6 MB
    long = article(2, "Long", "Words and more words here. " * 6_000)  # 30,000 words: about 3.3 hours
    show = make_show(tmp_path / "s", {"001-huge.txt": huge, "002-long.txt": long}, music=False)
    result = run_cli("build", "--dry-run", show=show)
    assert result.exit_code == 1
    assert f"Error: {show / 'episodes' / '001-huge.txt'}: has 480,000 words (about 53 hours of speech); split it into several episodes" in result.output
    assert f"Warning: {show / 'episodes' / '002-long.txt'}: 30,000 words make an episode of about 3.3 hours" in result.output


OUTCOMES: list[int] = []
printable = st.characters(blacklist_categories=("Cs",))
nasty = st.one_of(printable, st.sampled_from(list("\x00\x07\x0b\x1b\r\n\ufffe\uffff\u2028\u202e<>&\"'-]")))


@pytest.mark.slow
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=st.text(nasty, min_size=0, max_size=60), body=st.text(nasty, min_size=0, max_size=200))
@example(title="x" * 100_000, body="Short body.")
@example(title="Fine", body="y " * 1_000_000)
@example(title="]]><!--", body="<![CDATA[ & ]]> -- \u202e mirrored")
def test_any_text_builds_a_valid_feed_or_fails_with_one_error_line(tmp_path_factory, title, body):
    root = tmp_path_factory.mktemp("prop")
    cache = tmp_path_factory.getbasetemp() / "shared-cache"
    show = make_show(root / "s", music=False, extra=DETERMINISTIC.format(cache=cache))
    (show / "episodes" / "001-any.txt").write_text(
        f"{title} Published Oct. 21, 2015 By Jane Doe WASHINGTON -- {body}", encoding="utf-8", errors="surrogatepass")
    from click.testing import CliRunner

    from pipeline.cli import main

    result = CliRunner().invoke(main, ["build", "--jobs", "1", "--show", str(show)])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    OUTCOMES.append(result.exit_code)
    if result.exit_code == 0:
        data = (show / "feed" / "feed.xml").read_bytes()
        etree.fromstring(data)
        parsed = podcastparser.parse("http://example.test/podcast/feed.xml", io.BytesIO(data))
        assert len(parsed["episodes"]) <= 1
    else:
        assert result.exit_code == 1
        assert any(ln.startswith(("Error: ", "error: ")) for ln in result.output.splitlines()), result.output


def test_nothing_printable_is_lost_in_a_round_trip_through_add(tmp_path):
    show = make_show(tmp_path / "s", music=False)
    weird = "Quotes \"x\" and *stars* _under_ [brackets] <angle> \\ back # hash 1. list"
    src = tmp_path / "w.txt"
    src.write_text(article(3, "Odd " + string.punctuation, weird))
    assert run_cli("add", str(src), show=show).exit_code == 0
    [ep] = read_all(load_show(show))[0]
    assert ep.paragraphs[0] == weird and ep.title == "Odd " + string.punctuation


def test_property_examples_included_successful_builds():
    """The property test above must have built real feeds, not only rejected input."""
    if not OUTCOMES:
        pytest.skip("run together with the property test")
    assert OUTCOMES.count(0) >= 3, OUTCOMES
