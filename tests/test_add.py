"""`readcast add`: every common form of a news article, written by us in each layout."""

from __future__ import annotations

import http.server
import threading
from datetime import date
from pathlib import Path

import pytest

from pipeline.config import load_show
from pipeline.episodes import read_all
from tests.conftest import make_show, run_cli

DATA = Path(__file__).parent / "data" / "layouts"


def _show(tmp_path, extra=""):
    return make_show(tmp_path / "show", music=False, extra=extra)


def _episodes(show):
    episodes, problems = read_all(load_show(show))
    assert problems == []
    return {e.slug: e for e in episodes}


@pytest.mark.parametrize("name,expect", [
    ("one-line.txt", dict(number=20, title="Khrushchev", series="Let's Learn about the Cold War", published=date(2015, 10, 21),
                          author="Senior Airman Sean D. Smith", organization="Minot Air Force Base Public Affairs",
                          dateline="MINOT AIR FORCE BASE, N.D.", teaser="Next time: Lyndon B. Johnson",
                          first="President John F. Kennedy")),
    ("bulleted.txt", dict(number=22, title="Richard Nixon", series="Let's Learn about the Cold War", published=date(2015, 11, 4),
                          author="Senior Airman Sean D. Smith", organization="Minot Air Force Base Public Affairs",
                          dateline="MINOT AIR FORCE BASE, N.D.", teaser="Next time: Gerald Ford", first="Richard Nixon was elected")),
    ("afns-old.txt", dict(number=None, title="Airmen train for winter operations", series="Test Series", published=date(2009, 1, 15),
                          author="Staff Sgt. John Doe", organization="5th Bomb Wing Public Affairs",
                          dateline="MINOT AIR FORCE BASE, N.D.", teaser="", first="Airmen of the 5th Bomb Wing trained")),
    ("hard-wrapped.txt", dict(number=23, title="Gerald Ford", series="Let's Learn about the Cold War", published=date(2015, 11, 11),
                              author="Tech. Sgt. Maria L. Ortiz", organization="91st Missile Wing Public Affairs",
                              dateline="MINOT AIR FORCE BASE, N.D.", teaser="Next time: Jimmy Carter",
                              first="Gerald Ford became president in August 1974, after Richard Nixon resigned.")),
    ("front-matter.md", dict(number=3, title="The Berlin Airlift", series="Cold War Logistics", published=date(1948, 6, 26),
                             author="Master Sgt. Ann Lee", organization="Air Mobility Command Public Affairs",
                             dateline="", teaser="", first="When the Soviets cut the roads")),
    ("article.html", dict(number=21, title="Lyndon B. Johnson", series="Let's Learn about the Cold War", published=date(2015, 10, 28),
                          author="Senior Airman Sean D. Smith", organization="Minot Air Force Base Public Affairs",
                          dateline="MINOT AIR FORCE BASE, N.D.", teaser="Next time: Richard Nixon",
                          first="Lyndon B. Johnson became the 36th president")),
    ("roman-title.txt", dict(number=4, title="Sputnik", series="The Space Race", published=date(2016, 2, 3),
                             author="Airman 1st Class Bo Tran", organization="21st Space Wing Public Affairs",
                             dateline="PETERSON AIR FORCE BASE, Colo.", teaser="", first="On Oct. 4, 1957")),
])
def test_add_reads_each_layout(tmp_path, name, expect):
    show = _show(tmp_path)
    result = run_cli("add", str(DATA / name), show=show)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("added episodes/")
    [ep] = _episodes(show).values()
    for key in ("number", "title", "series", "author", "organization", "dateline", "teaser"):
        assert getattr(ep, key) == expect[key], key
    assert ep.published.date() == expect["published"]
    assert ep.paragraphs[0].startswith(expect["first"])
    body = " ".join(ep.paragraphs)
    for junk in ("Share on Facebook", "Related Articles", "injected", "alert(", "Home >", "Privacy", "Published"):
        assert junk not in body
    # the stored file reads back to the same episode, and adding it again adds nothing
    again = run_cli("add", str(DATA / name), show=show)
    assert "already imported" in again.output and len(list((show / "episodes").iterdir())) == 1


def test_add_rss_file_imports_each_item_once(tmp_path):
    show = _show(tmp_path)
    first = run_cli("add", str(DATA / "articles.rss"), show=show)
    assert first.exit_code == 0, first.output
    eps = _episodes(show)
    assert sorted((e.number, e.title) for e in eps.values()) == [(24, "Jimmy Carter"), (25, "Ronald Reagan"),
                                                                  (26, "George H.W. Bush")]
    assert all(e.source_url.startswith("https://www.example.mil/News/") for e in eps.values())
    assert eps["025-ronald-reagan"].published.date() == date(2015, 12, 2)
    second = run_cli("add", str(DATA / "articles.rss"), show=show)
    assert second.exit_code == 0
    assert second.output.count("skipped") == 3 and "added" not in second.output
    assert len(list((show / "episodes").iterdir())) == 3


class _Site(http.server.SimpleHTTPRequestHandler):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, directory=str(DATA), **kwargs)

    def log_message(self, *args):
        pass

    def do_GET(self):  # noqa: N802
        if self.path == "/loop":
            self.send_response(302)
            self.send_header("Location", "/loop")
            self.end_headers()
            return
        if self.path == "/big":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(b"<html><body>" + b"x" * 2_100_000)
            return
        return super().do_GET()


@pytest.fixture
def site():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Site)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


def test_add_url_refuses_local_addresses_unless_allowed(tmp_path, site):
    show = _show(tmp_path)
    result = run_cli("add", site + "article.html", show=show)
    assert result.exit_code == 1
    assert "points at a private or local address (127.0.0.1)" in result.output
    assert "set allow_private = true under [fetch]" in result.output
    allowed = _show(tmp_path / "b", extra="\n[fetch]\nallow_private = true\nmax_bytes = 2000000\n")
    result = run_cli("add", site + "article.html", show=allowed)
    assert result.exit_code == 0, result.output
    [ep] = _episodes(allowed).values()
    assert ep.title == "Lyndon B. Johnson" and ep.source_url == site + "article.html"
    # a feed by URL: its items link to pages that are fetched too
    result = run_cli("add", site + "articles.rss", show=allowed)
    assert result.exit_code == 0, result.output
    assert result.output.count("added") == 3
    # redirect loops and oversized answers are refused, one line each
    result = run_cli("add", site + "loop", site + "big", show=allowed)
    assert result.exit_code == 1
    assert "redirected more than 5 times" in result.output and "over the 2 MB limit" in result.output


@pytest.mark.parametrize("url,message", [
    ("file:///etc/passwd", "only http and https URLs can be fetched, not file://"),
    ("ftp://example.mil/a.txt", "only http and https URLs can be fetched, not ftp://"),
    ("http://10.1.2.3/article", "points at a private or local address (10.1.2.3)"),
    ("http://[::1]/article", "points at a private or local address (::1)"),
    ("http://169.254.169.254/latest/meta-data", "points at a private or local address (169.254.169.254)"),
])
def test_add_refuses_unsafe_urls(tmp_path, url, message):
    result = run_cli("add", url, show=_show(tmp_path))
    assert result.exit_code == 1 and message in result.output and "Traceback" not in result.output


def test_missing_metadata_is_defaulted_said_and_flags_override_it(tmp_path):
    """Regression (issue 11): a page without a headline or date was refused; now it is added, named
    after its file and dated today, and the one line says so and how to change it."""
    show = _show(tmp_path)
    plain = tmp_path / "change-of-command.txt"
    plain.write_text("The wing held a change of command ceremony. Col. Jane Roe took command.")
    result = run_cli("add", str(plain), show=show)
    assert result.exit_code == 0, result.output
    today = date.today().isoformat()
    assert result.output == (f"added episodes/change-of-command.md (Change of command); no headline found, so titled "
                             f"from its file name; no date in the text, so dated {today} (today): edit its front "
                             "matter to change it\n")
    [ep] = _episodes(show).values()
    assert (ep.title, ep.published.date().isoformat(), ep.author, ep.organization) == (
        "Change of command", today, "", "")
    stored = (show / "episodes" / "change-of-command.md").read_text()
    assert f"published: {today}" in stored
    other = _show(tmp_path / "b")
    result = run_cli("add", str(plain), "--title", "Change of command", "--published", "2016-07-01", "--number", "7",
                     show=other)
    assert result.exit_code == 0, result.output
    [ep] = _episodes(other).values()
    assert (ep.title, ep.number, ep.published.date()) == ("Change of command", 7, date(2016, 7, 1))
