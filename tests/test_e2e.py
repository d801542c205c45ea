"""End to end with real clients: gPodder's gpo, podcastparser, feedparser, headless Chromium.

The bundled show is built, served by `readcast serve` on a free loopback port, and used the way
listeners use it. Needs `make system-deps` (gpodder, chromium); CI installs them.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import feedparser
import podcastparser
import pytest

from tests.conftest import need

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def server(bundled):
    import selectors

    proc = subprocess.Popen([sys.executable, "-m", "pipeline", "serve", "--port", "0", "--show", str(bundled)],
                            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    # the first line names the address; a server that never says it fails here, not hangs
    sel = selectors.DefaultSelector()
    sel.register(proc.stderr, selectors.EVENT_READ)
    if not sel.select(timeout=60):
        proc.kill()
        pytest.fail("readcast serve printed nothing in 60 s")
    line = proc.stderr.readline()
    m = re.search(r"at (http://127\.0\.0\.1:\d+/)", line)
    assert m, line
    url = m.group(1)
    yield url
    proc.terminate()
    proc.wait(timeout=10)


def _get(url, headers=None, method="GET"):
    req = urllib.request.Request(url, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def _mp3(bundled) -> Path:
    return next((bundled / "feed" / "media").glob("*.mp3"))


def test_gpo_subscribes_updates_and_downloads_byte_identical(bundled, server, tmp_path):
    gpo = need("gpo")
    env = dict(os.environ, GPODDER_HOME=str(tmp_path / "home"), GPODDER_DOWNLOAD_DIR=str(tmp_path / "dl"))
    run = lambda *a: subprocess.run([gpo, *a], env=env, capture_output=True, text=True, timeout=180)  # noqa: E731
    out = run("subscribe", server + "feed.xml")
    assert "Successfully added" in out.stdout + out.stderr, out  # gpo exits 0 even when it fails
    out = run("update")
    assert "1 new episode" in out.stdout, out.stdout + out.stderr
    out = run("download")
    assert "1 episodes downloaded" in out.stdout, out.stdout + out.stderr
    [downloaded] = [p for p in (tmp_path / "dl").rglob("*") if p.is_file()]
    assert hashlib.sha256(downloaded.read_bytes()).digest() == hashlib.sha256(_mp3(bundled).read_bytes()).digest()


def test_served_feed_points_at_the_server_and_parsers_see_every_field(bundled, server):
    status, headers, body = _get(server + "feed.xml")
    assert status == 200 and headers["Content-Type"].startswith("application/xml")
    p = podcastparser.parse(server + "feed.xml", __import__("io").BytesIO(body))
    assert p["title"] == "Let's Learn about the Cold War" and p["language"] == "en-us"
    assert p["cover_url"] == server + "cover.jpg" and p["itunes_categories"] == [["History"]]
    assert p["itunes_owner"] == {"name": "Minot Air Force Base Public Affairs", "email": "5bw.pa@us.af.mil"}
    assert p["explicit"] is False and p["type"] == "serial"
    assert p["description"].startswith("A narrated history series")
    [ep] = p["episodes"]
    meta = json.loads((bundled / "audio" / "episodes" / "020-khrushchev.json").read_text())
    assert ep["title"] == "Khrushchev" and ep["guid"] == "48b58213-bdd7-546b-9a04-b129c605ab84"
    assert ep["number"] == 20 and ep["type"] == "full" and ep["explicit"] is False
    assert ep["total_time"] == int(meta["duration"] + 0.5)
    assert ep["link"] == server + "episodes/020-khrushchev/"  # the episode's own page
    assert ep["enclosures"][0]["url"].startswith(server + "media/")
    assert ep["enclosures"][0]["file_size"] == _mp3(bundled).stat().st_size
    assert "<p>" in ep["description_html"]
    # the podcast: tags, under the URI the spec names: podcastparser 0.6.11 reads only the old
    # GitHub URI, so they are read here with lxml (namespace-aware) and feedparser (by prefix)
    from lxml import etree

    pc = {"podcast": "https://podcastindex.org/namespace/1.0"}
    root = etree.fromstring(body)
    assert root.nsmap["podcast"] == pc["podcast"]
    assert root.xpath("string(channel/podcast:locked)", namespaces=pc) == "no"
    item = root.find("channel/item")
    types = [t.get("type") for t in item.findall("podcast:transcript", pc)]
    assert types == ["text/html", "application/json", "application/x-subrip", "text/vtt"]
    json_url = item.xpath("podcast:transcript[@type='application/json']/@url", namespaces=pc)[0]
    with urllib.request.urlopen(json_url) as r:  # served, and a Podcasting 2.0 JSON transcript
        segments = json.loads(r.read())["segments"]
    assert segments and all(s["speaker"] == "Narrator" for s in segments)
    chapters_url = item.find("podcast:chapters", pc).get("url")
    assert chapters_url.endswith("-chapters.json")
    persons = {(x.text, x.get("role")) for x in item.findall("podcast:person", pc)}
    assert ("Senior Airman Sean D. Smith", "author") in persons

    f = feedparser.parse(body)
    assert not f.bozo, f.bozo_exception
    assert f.feed.title == "Let's Learn about the Cold War" and f.feed.language == "en-us"
    assert f.feed.podcast_guid and f.feed.podcast_locked == {"owner": "5bw.pa@us.af.mil"}
    assert f.feed.itunes_type == "serial" and f.feed.author == "Minot Air Force Base Public Affairs"
    assert [t.term for t in f.feed.tags] == ["History"] and f.feed.image.href == server + "cover.jpg"
    [e] = f.entries
    assert e.id == ep["guid"] and e.guidislink is False and e.title == "Khrushchev"
    assert e.published_parsed[:3] == (2015, 10, 21)
    assert e.itunes_duration == str(round(meta["duration"])) and e.itunes_episode == "20"
    assert e.itunes_episodetype == "full"
    [enc] = e.enclosures
    assert enc.type == "audio/mpeg" and int(enc.length) == _mp3(bundled).stat().st_size
    assert e.podcast_chapters["type"] == "application/json+chapters" and e.podcast_episode == "20"
    assert e.podcast_transcript["type"] == "text/vtt" and e.podcast_transcript["rel"] == "captions"
    # every transcript and the chapters file is really there
    for tag in re.findall(r'<podcast:(?:transcript|chapters) url="([^"]+)"', body.decode()):
        assert _get(tag)[0] == 200
    chapters = json.loads(_get(chapters_url)[2])
    assert [c["title"] for c in chapters["chapters"]] == ["Intro", "Khrushchev", "Outro"]


def test_http_semantics(bundled, server):
    path = "media/" + _mp3(bundled).name
    size = _mp3(bundled).stat().st_size
    status, h, body = _get(server + path, method="HEAD")
    assert status == 200 and body == b"" and int(h["Content-Length"]) == size and h["Content-Type"] == "audio/mpeg"
    assert h["Accept-Ranges"] == "bytes" and h["ETag"] and h["Last-Modified"]
    status, h2, body = _get(server + path, {"Range": "bytes=100-199"})
    assert status == 206 and len(body) == 100 and h2["Content-Range"] == f"bytes 100-199/{size}"
    assert body == _mp3(bundled).read_bytes()[100:200]
    status, _, body = _get(server + path, {"Range": "bytes=-10"})
    assert status == 206 and body == _mp3(bundled).read_bytes()[-10:]
    assert _get(server + path, {"Range": f"bytes={size + 5}-"})[0] == 416
    assert _get(server + path, {"If-None-Match": h["ETag"]})[0] == 304
    # RFC 9110: a Range the server does not take is ignored (200, whole file), never 416
    # (regression: unknown units, bad syntax and several ranges got 416)
    for ignored in ("items=0-5", "bytes=abc", "bytes=5-2", "bytes=0-1,5-9", "bytes="):
        status, h3, body = _get(server + path, {"Range": ignored})
        assert (status, len(body)) == (200, size) and "Content-Range" not in h3, ignored
    assert _get(server + path, {"Range": "bytes=-0"})[0] == 416
    # weak and wildcard validators match (regression: W/"etag" and * got 200)
    assert _get(server + path, {"If-None-Match": "W/" + h["ETag"]})[0] == 304
    assert _get(server + path, {"If-None-Match": '"other", ' + h["ETag"]})[0] == 304
    assert _get(server + path, {"If-None-Match": "*"})[0] == 304
    assert _get(server + path, {"If-None-Match": '"other"'})[0] == 200
    assert _get(server + path, {"If-Modified-Since": h["Last-Modified"]})[0] == 304
    for name, ctype in (("feed.xsl", "text/xsl"), ("index.html", "text/html"), ("cover.jpg", "image/jpeg")):
        assert _get(server + name)[1]["Content-Type"].startswith(ctype)
    vtt = next((bundled / "feed" / "media").glob("*.vtt")).name
    assert _get(server + "media/" + vtt)[1]["Content-Type"].startswith("text/vtt")
    # nothing outside feed/ is reachable, however the path is spelled
    host, port = server[len("http://"):].rstrip("/").split(":")
    for raw in ("/../show.toml", "/%2e%2e/show.toml", "/media/../../show.toml", "//etc/passwd", "/.gitkeep",
                "/..%2f..%2fshow.toml"):
        conn = http.client.HTTPConnection(host, int(port), timeout=5)
        conn.putrequest("GET", raw, skip_accept_encoding=True)
        conn.endheaders()
        resp = conn.getresponse()
        assert resp.status == 404, raw
        assert b"Minot" not in resp.read()
        conn.close()


def _listening(port: int) -> list[str]:
    """The addresses bound by every socket listening on `port`, read from the kernel's table."""
    import ipaddress

    out = []
    for table, size in (("/proc/net/tcp", 4), ("/proc/net/tcp6", 16)):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            local, state = line.split()[1], line.split()[3]
            addr_hex, port_hex = local.split(":")
            if state != "0A" or int(port_hex, 16) != port:  # 0A: LISTEN
                continue
            raw = bytes.fromhex(addr_hex)
            # /proc prints each 32-bit word in host (little-endian) order
            raw = b"".join(raw[i:i + 4][::-1] for i in range(0, size, 4))
            out.append(str(ipaddress.ip_address(raw)))
    return out


def test_server_binds_loopback_only(bundled, server):
    """The listening socket itself is bound to loopback (not: which addresses the host name has)."""
    host = server.split("//")[1].split(":")[0]
    assert host == "127.0.0.1"
    port = int(server.rstrip("/").rsplit(":", 1)[1])
    bound = _listening(port)
    assert bound and all(ipaddress_is_loopback(a) for a in bound), bound


def ipaddress_is_loopback(addr: str) -> bool:
    import ipaddress

    return ipaddress.ip_address(addr).is_loopback


def _browser():
    chromium = need("chromium")
    from playwright.sync_api import sync_playwright

    pw = sync_playwright().start()
    browser = pw.chromium.launch(executable_path=chromium, args=[
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--autoplay-policy=no-user-gesture-required"])
    return pw, browser


@pytest.mark.parametrize("where", ["http", "file"])
def test_index_page_plays_seeks_and_is_accessible(bundled, server, where):
    from axe_playwright_python.sync_playwright import Axe

    pw, browser = _browser()
    try:
        page = browser.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        url = server + "index.html" if where == "http" else (bundled / "feed" / "index.html").as_uri()
        page.goto(url)
        page.wait_for_function("document.querySelector('audio').readyState >= 1", timeout=15000)
        meta = json.loads((bundled / "audio" / "episodes" / "020-khrushchev.json").read_text())
        duration = page.evaluate("document.querySelector('audio').duration")
        assert duration == pytest.approx(meta["duration"], abs=0.5)
        cue = page.locator(".cue").nth(6)
        start = float(cue.get_attribute("data-start"))
        assert start == pytest.approx(meta["cues"][6]["start"], abs=0.001)
        cue.click()
        page.wait_for_timeout(300)
        now = page.evaluate("document.querySelector('audio').currentTime")
        assert start - 0.05 <= now <= start + 2.0
        page.wait_for_function("document.querySelector('.cue[aria-current=true]') !== null", timeout=5000)
        # keyboard: tab to a sentence and press Enter
        page.locator(".cue").nth(10).focus()
        page.keyboard.press("Enter")
        page.wait_for_timeout(300)
        assert page.evaluate("document.querySelector('audio').currentTime") >= meta["cues"][10]["start"] - 0.05
        tracks = page.evaluate("Array.from(document.querySelector('audio').textTracks).map(t => [t.kind, t.cues ? t.cues.length : -1])")
        assert tracks and tracks[0][0] == "captions"
        assert page.locator("main").count() == 1 and page.locator("header").count() == 1
        results = Axe().run(page)
        serious = [(v["id"], v["impact"]) for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
        assert serious == []
        assert errors == []
    finally:
        browser.close()
        pw.stop()


def test_feed_opened_in_a_browser_is_a_readable_page(bundled, server):
    pw, browser = _browser()
    try:
        page = browser.new_page()
        page.goto(server + "feed.xml")
        page.wait_for_selector("h1", timeout=10000)
        assert page.locator("h1").inner_text() == "Let's Learn about the Cold War"
        assert page.locator("input#u").get_attribute("value") == server + "feed.xml"
        assert "Khrushchev" in page.locator("ol").inner_text()
    finally:
        browser.close()
        pw.stop()


@pytest.fixture(scope="module")
def two_episodes(tmp_path_factory):
    from tests.conftest import article, make_show, run_cli

    show = make_show(tmp_path_factory.mktemp("two") / "s", {
        "001-a.txt": article(1, "First", "The first episode is short. It has two sentences.", day=1),
        "002-b.txt": article(2, "Second", "The second episode is short too. It also has two sentences.", day=2),
    }, music=False)
    result = run_cli("build", show=show)
    assert result.exit_code == 0, result.output
    return show


def test_page_plays_one_episode_at_a_time_names_each_region_and_rounds_like_the_feed(two_episodes):
    """Regressions: two episodes played at once; axe's landmark-unique (every transcript region was
    named 'Transcript'); the page said 0:49 where the feed said 50 s."""
    from axe_playwright_python.sync_playwright import Axe

    pw, browser = _browser()
    try:
        page = browser.new_page()
        page.goto((two_episodes / "feed" / "index.html").as_uri())
        page.wait_for_function("Array.from(document.querySelectorAll('audio')).every(a => a.readyState >= 1)",
                               timeout=15000)
        page.evaluate("document.querySelectorAll('audio')[0].play()")
        page.wait_for_function("!document.querySelectorAll('audio')[0].paused", timeout=5000)
        page.evaluate("document.querySelectorAll('audio')[1].play()")
        page.wait_for_function("!document.querySelectorAll('audio')[1].paused", timeout=5000)
        page.wait_for_timeout(200)
        assert page.evaluate("Array.from(document.querySelectorAll('audio')).map(a => a.paused)") == [True, False]
        violations = [v["id"] for v in Axe().run(page).response["violations"]]
        assert "landmark-unique" not in violations, violations
        with open(two_episodes / "feed" / "feed.xml", "rb") as fh:
            feed = {e["title"]: e["total_time"] for e in podcastparser.parse("http://x/feed.xml", fh)["episodes"]}
        for title, seconds in feed.items():
            meta = page.locator(f"article.episode:has(h2 a:text-is('Part {1 if title == 'First' else 2}: {title}')) p.meta").first
            shown = meta.inner_text().rsplit("\u00b7", 1)[1].strip()
            m, s = shown.split(":")
            assert int(m) * 60 + int(s) == seconds, (title, shown, seconds)
    finally:
        browser.close()
        pw.stop()


@pytest.fixture(scope="module")
def browser():
    pw, chromium = _browser()
    yield chromium
    chromium.close()
    pw.stop()


_TARGETS = """() => Array.from(document.querySelectorAll('a[href], button, input, audio[controls], [tabindex]:not([tabindex="-1"])'))
  .filter(el => el.getClientRects().length && getComputedStyle(el).visibility !== 'hidden')
  .map(el => { const r = el.getBoundingClientRect(); const s = getComputedStyle(el);
    // WCAG 2.5.8's inline exception: a target inside a sentence of text
    const inline = s.display === 'inline' && el.parentElement && el.parentElement.textContent.trim() !== el.textContent.trim();
    return {tag: el.tagName, text: (el.textContent || el.getAttribute('aria-label') || '').trim().slice(0, 40),
            w: r.width, h: r.height, left: r.left, inline: inline, offscreen: r.right < 0 || r.left < -100}; })"""

_FOCUS = """() => { const el = document.activeElement; if (!el || el === document.body) return null;
  const r = el.getBoundingClientRect(); const x = r.left + Math.min(r.width / 2, 10), y = r.top + Math.min(r.height / 2, 10);
  const hit = document.elementFromPoint(x, y);
  return {tag: el.tagName, text: (el.textContent || '').trim().slice(0, 40), inView: r.bottom > 0 && r.top < innerHeight && r.right > 0 && r.left < innerWidth,
          covered: !(hit && (hit === el || el.contains(hit)))}; }"""


def test_episode_page_has_the_whole_reading_and_meets_wcag_22(bundled, server, browser):
    """The feed item's <link> is the episode's own page: its player (media two folders up), the
    complete transcript as read, axe finds nothing at any impact, every control is at least 24 px
    (WCAG 2.2 SC 2.5.8) and no focused control is hidden (SC 2.4.11)."""
    from axe_playwright_python.sync_playwright import Axe
    from lxml import etree

    pc = {"podcast": "https://podcastindex.org/namespace/1.0"}
    root = etree.fromstring(_get(server + "feed.xml")[2])
    link = root.findtext("channel/item/link")
    assert link == server + "episodes/020-khrushchev/"
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(link)
        page.wait_for_function("document.querySelector('audio').readyState >= 1", timeout=15000)
        meta = json.loads((bundled / "audio" / "episodes" / "020-khrushchev.json").read_text())
        assert page.evaluate("document.querySelector('audio').duration") == pytest.approx(meta["duration"], abs=0.5)
        assert page.locator(".cue").all_inner_texts() == [c["text"] for c in meta["cues"]]
        assert page.locator("h1").inner_text().startswith("Part 20: Khrushchev")
        page.locator("a", has_text="Low-bandwidth download").wait_for()
        opus = page.locator("a", has_text="Low-bandwidth download").get_attribute("href")
        assert _get(urllib.parse.urljoin(link, opus), method="HEAD")[0] == 200
        assert root.xpath("count(channel/item/podcast:alternateEnclosure)", namespaces=pc) == 2
        results = Axe().run(page)
        assert [(v["id"], v["impact"]) for v in results.response["violations"]] == []
        small = [t for t in page.evaluate(_TARGETS)
                 if not t["inline"] and not t["offscreen"] and (t["w"] < 24 or t["h"] < 24)]
        assert small == [], small
        # Tab through every control: each is in view and not covered when it has focus
        count = page.evaluate("document.querySelectorAll('a[href], button, input, audio[controls]').length")
        seen = []
        for _ in range(count + 2):
            page.keyboard.press("Tab")
            state = page.evaluate(_FOCUS)
            if state:
                assert state["inView"] and not state["covered"], state
                seen.append(state["tag"])
        assert seen.count("BUTTON") >= len(meta["cues"])
        assert errors == []
    finally:
        page.close()
