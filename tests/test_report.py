"""The producer's build report: real data from the render, drawn with matplotlib, checked in a browser."""

from __future__ import annotations

import json
import re

import pytest

from pipeline.feed.captions import timestamp
from tests.conftest import article, make_show, need, run_cli

BODY = ("The crew checked the first silo at dawn. The second silo was quiet. "
        "By noon the team had finished the route. They drove back to the base.")


@pytest.fixture
def edited_show(tmp_path, monkeypatch):
    """Built once, then one word of the article changed and built again."""
    show = make_show(tmp_path / "show", {"001-route.txt": article(1, "Route", BODY)})
    assert run_cli("build", "-q", show=show).exit_code == 0
    src = show / "episodes" / "001-route.txt"
    src.write_text(src.read_text().replace("The second silo was quiet.", "The second silo was silent."))
    monkeypatch.setenv("READCAST_REPORT", "inline")
    r = run_cli("build", show=show)
    assert r.exit_code == 0, r.output
    assert f"Report: {show / '.readcast' / 'report' / 'index.html'}" in r.output  # the build points at it
    return show


def test_after_a_one_word_edit_the_report_marks_that_sentence_and_the_renamed_media(edited_show):
    html = (edited_show / ".readcast" / "report" / "index.html").read_text()
    states = re.findall(r'class="s-(\w+)" data-n="\d+"', html)
    assert states.count("synthesised") == 1 and set(states) == {"reused", "synthesised"}
    block = re.search(r'class="s-synthesised"[^>]*title="\d+: ([^"]+)"', html)
    assert block and block.group(1) == "The second silo was silent."
    resynth = re.search(r'<ul class="resynthesised">(.*?)</ul>', html, re.S).group(1)
    assert re.findall(r"<li>(.*?)</li>", resynth) == ["The second silo was silent."]
    renamed = re.findall(r"<code>(media/[^<]+)</code> &rarr; <code>(media/[^<]+)</code>", html)
    published = {p.name for p in (edited_show / "feed" / "media").glob("001-route-*.mp3")}
    assert len(renamed) == 2 and renamed[0][0] != renamed[0][1]  # the MP3 and its Opus copy
    assert {renamed[0][0].split("/")[1], renamed[0][1].split("/")[1]} == published  # old (in its grace period) and new


def test_a_hand_edit_in_the_script_is_marked(edited_show):
    script = edited_show / "scripts" / "001-route.txt"
    script.write_text(script.read_text().replace("They drove back to the base.", "They drove home."))
    assert run_cli("build", "-q", show=edited_show).exit_code == 0
    r = run_cli("report", show=edited_show)
    html = (edited_show / ".readcast" / "report" / "index.html").read_text()
    assert r.output.strip() == str(edited_show / ".readcast" / "report" / "index.html")
    assert 'title="' in html and "They drove home. (edited by hand)" in html


def test_report_renders_in_chromium_plots_carry_the_duration_and_a_sentence_plays_from_its_start(bundled):
    chromium = need("chromium")
    from playwright.sync_api import sync_playwright

    r = run_cli("report", show=bundled)
    assert r.exit_code == 0, r.output
    path = bundled / ".readcast" / "report" / "index.html"
    meta = json.loads((bundled / "audio" / "episodes" / "020-khrushchev.json").read_text())
    html = path.read_text()
    assert "<script src=" not in html and "https://" not in re.sub(r'xmlns[:\w]*="[^"]+"|<!DOCTYPE[^>]+>', "", html)
    pw = sync_playwright().start()
    browser = pw.chromium.launch(executable_path=chromium, args=[
        "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--autoplay-policy=no-user-gesture-required"])
    try:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(path.as_uri())
        page.wait_for_function("document.querySelector('audio').readyState >= 1", timeout=15000)
        shot = page.screenshot(full_page=True)
        assert len(shot) > 20000
        for plot in ("waveform", "loudness"):
            svg = page.locator(f"[id='020-khrushchev'] .{plot} svg")
            assert svg.count() == 1 and svg.bounding_box()["height"] > 100
            labels = svg.locator("text").all_text_contents()
            assert timestamp(meta["duration"]) in labels, (plot, labels[-8:])  # the time axis ends at the duration
        blocks = page.locator("[id='020-khrushchev'] .timeline button")
        assert blocks.count() == len(meta["cues"])
        for n in (7, 19):
            blocks.nth(n).click()
            page.wait_for_function("document.querySelector('audio').dataset.seekedAt !== undefined", timeout=5000)
            landed = float(page.evaluate("document.querySelector('audio').dataset.seekedAt"))
            assert abs(landed - meta["cues"][n]["start"]) <= 0.05
            detail = page.locator("[id='020-khrushchev'] .detail").inner_text()
            assert meta["cues"][n]["text"] in detail and "Spoken: " + meta["cues"][n]["spoken"] in detail
            page.evaluate("delete document.querySelector('audio').dataset.seekedAt")
        assert errors == []
    finally:
        browser.close()
        pw.stop()
