"""Shows of hundreds of episodes: the build index, the paged site, the per-episode files reused.

Speed is measured in bench/ (`bench.py scale`); these tests check what makes it fast is also
right: nothing unchanged is parsed again, and anything changed always is.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from lxml import html

from tests.conftest import article, make_show, run_cli


def _age(root: Path, seconds: float = 60) -> None:
    """The producer's files made older, as they are minutes after a build (the index does not
    keep what it learnt from a file changed within the last two seconds). Rendered audio keeps
    its time: its JSON records it."""
    then = time.time() - seconds
    for p in [*root.glob("*.toml"), *(root / "episodes").iterdir(), *(root / "scripts").iterdir()]:
        if p.is_file():
            os.utime(p, (then, then))


def _show(tmp_path: Path, n: int, extra: str = "") -> Path:
    arts = {f"{i:03d}-ep.txt": article(i, f"Episode {i}", f"Episode {i} opens here. It ends here.", day=(i % 27) + 1)
            for i in range(1, n + 1)}
    return make_show(tmp_path / "s", arts, music=False, extra=extra)


@pytest.fixture
def counted(monkeypatch):
    """How many articles were parsed and how many sentences normalised during a call."""
    import pipeline.audio.plan as plan
    import pipeline.episodes as episodes

    calls = {"parse": 0, "lines": 0}
    real_parse, real_lines = episodes.parse_article, plan.make_lines

    def parse(*a, **k):
        calls["parse"] += 1
        return real_parse(*a, **k)

    def lines(*a, **k):
        calls["lines"] += 1
        return real_lines(*a, **k)

    monkeypatch.setattr(episodes, "parse_article", parse)
    monkeypatch.setattr(plan, "make_lines", lines)
    return calls


def test_an_unchanged_show_is_planned_from_the_index_and_an_edit_is_seen(tmp_path, counted):
    show = _show(tmp_path, 4)
    assert run_cli("build", show=show).exit_code == 0
    _age(show)
    assert run_cli("build", show=show).exit_code == 0  # learns the now-settled files
    counted.update(parse=0, lines=0)
    result = run_cli("build", show=show)
    assert result.exit_code == 0 and "Nothing to do: 4 episode(s)" in result.output
    assert counted == {"parse": 0, "lines": 0}

    # an edit within the same second, of the same size: the stat alone cannot tell, the racy
    # rule makes sure it is read
    src = show / "episodes" / "002-ep.txt"
    src.write_text(src.read_text().replace("opens here", "starts here"))
    result = run_cli("build", show=show)
    assert result.exit_code == 0 and "1 episode(s) rendered" in result.output, result.output
    assert counted["parse"] == 1
    assert "Episode 2 starts here." in (show / "scripts" / "002-ep.txt").read_text()


def test_an_article_built_right_after_it_was_written_is_not_parsed_again_by_the_next_build(tmp_path, counted):
    """The first build usually comes right after the articles are added (racy stats): their bytes,
    not their stat, then tell the next build they are unchanged. It used to parse them all again."""
    show = _show(tmp_path, 3)
    assert run_cli("build", show=show).exit_code == 0
    assert counted["parse"] == 3
    counted.update(parse=0, lines=0)
    script = show / "scripts" / "001-ep.txt"
    script.write_text(script.read_text().replace("It ends here.", "It ends right here."))
    result = run_cli("build", show=show)
    assert result.exit_code == 0 and "1 episode(s) rendered" in result.output, result.output
    assert counted["parse"] == 0
    # and an article whose bytes did change is read again, racy or not
    src = show / "episodes" / "002-ep.txt"
    src.write_text(src.read_text().replace("opens here", "starts here"))
    result = run_cli("build", show=show)
    assert result.exit_code == 0 and "1 episode(s) rendered" in result.output, result.output
    assert counted["parse"] == 1


def test_a_changed_lexicon_or_script_is_never_answered_from_the_index(tmp_path, counted):
    show = _show(tmp_path, 2)
    assert run_cli("build", show=show).exit_code == 0
    _age(show)
    assert run_cli("build", show=show).exit_code == 0
    (show / "lexicon.toml").write_text('[words]\nEpisode = "Ep-ih-sode"\n')
    counted.update(parse=0, lines=0)
    result = run_cli("build", show=show)
    assert result.exit_code == 0 and "2 episode(s) rendered" in result.output, result.output
    assert counted == {"parse": 0, "lines": 2}  # articles unchanged; every script spoken again
    _age(show)
    script = show / "scripts" / "001-ep.txt"
    script.write_text(script.read_text().replace("It ends here.", "It ends right here."))
    result = run_cli("build", show=show)
    assert "1 episode(s) rendered" in result.output, result.output
    meta = (show / "audio" / "episodes" / "001-ep.json").read_text()
    assert "It ends right here." in meta


def test_warnings_are_said_again_when_an_article_comes_from_the_index(tmp_path):
    show = make_show(tmp_path / "s", {"001-undated.md": "---\ntitle: No date here\n---\n\nA body. Two sentences.\n"},
                     music=False)
    assert run_cli("build", show=show).exit_code == 0
    _age(show)
    # a quiet build remembers the article (and its warning) without showing it; later ones say it
    result = run_cli("build", "-q", show=show)
    assert result.exit_code == 0 and "no date in the text" not in result.output
    for _ in range(2):
        result = run_cli("build", show=show)
        assert result.exit_code == 0
        assert "no date in the text" in result.output, result.output
        result = run_cli("list", show=show)
        assert "no date in the text" in result.output, result.output


def test_a_damaged_index_is_rebuilt_not_trusted(tmp_path):
    show = _show(tmp_path, 2)
    assert run_cli("build", show=show).exit_code == 0
    _age(show)
    assert run_cli("build", show=show).exit_code == 0
    index = show / ".readcast" / "index.pickle"
    assert index.stat().st_size > 0
    index.write_bytes(b"\x80\x05not a pickle")
    result = run_cli("build", show=show)
    assert result.exit_code == 0 and "Nothing to do: 2 episode(s)" in result.output
    result = run_cli("list", show=show)
    assert result.exit_code == 0 and "Episode 2" in result.output


def test_the_site_index_is_paged_with_an_archive_of_every_episode(tmp_path):
    show = _show(tmp_path, 7, extra="\n[site]\nper_page = 3\n")
    assert run_cli("build", show=show).exit_code == 0
    feed = show / "feed"
    pages = ["index.html", "page-2.html", "page-3.html"]
    assert sorted(p.name for p in feed.glob("*.html")) == sorted([*pages, "archive.html"])
    seen: list[str] = []
    for n, name in enumerate(pages, 1):
        doc = html.fromstring((feed / name).read_bytes())
        titles = [t.text_content() for t in doc.xpath("//article/h2/a")]
        seen += titles
        assert len(titles) == (3 if n < 3 else 1)
        nav = doc.xpath("//nav[@aria-label='Episode pages']")[0]
        assert nav.xpath(".//li[@aria-current='page']")[0].text_content() == f"Page {n} of 3"
        older = nav.xpath(".//a[@rel='next']/@href")
        assert older == ([pages[n]] if n < 3 else [])
    assert seen == [f"Part {i}: Episode {i}" for i in range(7, 0, -1)]  # newest first, each once
    archive = html.fromstring((feed / "archive.html").read_bytes())
    links = archive.xpath("//ul[@class='archive']/li/a/@href")
    assert sorted(links) == sorted(f"episodes/{i:03d}-ep/" for i in range(1, 8))
    assert all((feed / link / "index.html").is_file() for link in links)
    assert run_cli("check", show=show).exit_code == 0

    # fewer episodes: the pages no longer needed go
    for i in (5, 6, 7):
        (show / "episodes" / f"{i:03d}-ep.txt").unlink()
    assert run_cli("build", show=show).exit_code == 0
    assert sorted(p.name for p in feed.glob("*.html")) == ["archive.html", "index.html", "page-2.html"]


def test_publishing_one_new_episode_rewrites_only_its_own_files(tmp_path):
    show = _show(tmp_path, 3)
    assert run_cli("build", show=show).exit_code == 0
    media = show / "feed" / "media"
    before = {p.name: p.stat().st_mtime_ns for p in media.iterdir()}
    page = show / "feed" / "episodes" / "001-ep" / "index.html"
    page_before = page.stat().st_mtime_ns
    (show / "episodes" / "004-ep.txt").write_text(article(4, "Episode 4", "A new one. It is short.", day=9))
    assert run_cli("build", show=show).exit_code == 0
    after = {p.name: p.stat().st_mtime_ns for p in media.iterdir()}
    assert {n for n in after if n not in before and n.startswith("004-ep-")}  # the new episode's files
    assert all(after[n] == t for n, t in before.items())  # the others untouched
    assert page.stat().st_mtime_ns == page_before
    # a published episode's page deleted by hand is written again, though its record is unchanged
    page.unlink()
    (show / "episodes" / "005-ep.txt").write_text(article(5, "Episode 5", "Another. Short too.", day=10))
    assert run_cli("build", show=show).exit_code == 0
    assert page.is_file()
    assert run_cli("check", show=show).exit_code == 0


def test_a_moved_show_names_its_files_where_they_are_now(tmp_path):
    """Was: the index, keyed by inode, survived `mv` of the show folder and kept the old paths in
    what it remembered (an article's error named a file in a folder that no longer existed)."""
    show = _show(tmp_path, 2)
    (show / "episodes" / "003-bad.txt").write_text("")
    assert run_cli("build", show=show).exit_code == 1
    _age(show)
    assert run_cli("build", show=show).exit_code == 1
    moved = tmp_path / "moved"
    show.rename(moved)
    result = run_cli("build", show=moved)
    assert result.exit_code == 1
    assert f"{moved / 'episodes' / '003-bad.txt'}:" in result.output, result.output
    assert str(show) + "/" not in result.output


def test_the_index_forgets_deleted_articles_but_not_after_building_one_episode(tmp_path):
    import pickle

    def names() -> set[str]:
        with open(show / ".readcast" / "index.pickle", "rb") as fh:
            return {name for kind, name in pickle.load(fh)[1] if kind == "episode"}

    show = _show(tmp_path, 3)
    assert run_cli("build", show=show).exit_code == 0
    _age(show)
    assert run_cli("build", show=show).exit_code == 0
    assert names() == {"001-ep.txt", "002-ep.txt", "003-ep.txt"}
    assert run_cli("build", "001-ep", show=show).exit_code == 0
    assert names() == {"001-ep.txt", "002-ep.txt", "003-ep.txt"}  # one episode built: nothing forgotten
    (show / "episodes" / "003-ep.txt").unlink()
    assert run_cli("build", show=show).exit_code == 0
    assert names() == {"001-ep.txt", "002-ep.txt"}
