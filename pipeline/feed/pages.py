"""index.html: every episode with a player, show notes, chapters, download and a read-along
transcript; and feed.xsl, which turns feed.xml into a readable page in a browser.

No external resources, no fetches (so it works from file:// as well as over HTTP): the cue times
are in the page itself. Every sentence is a button: activating it seeks the audio there; the
sentence being spoken is highlighted and marked aria-current.
"""

from __future__ import annotations

import html
from datetime import datetime
from typing import TYPE_CHECKING

from ..config import Show
from .captions import timestamp

if TYPE_CHECKING:
    from .record import EpisodeRecord


def e(text: str, quote: bool = False) -> str:
    """Escape for HTML: text nodes need only <, > and &; attribute values also quotes."""
    return html.escape(str(text), quote=quote)


CSS = """
:root { color-scheme: light dark; --ink: #1b1f24; --paper: #fdfcf8; --accent: #0b4f8a; --mark: #fff1a8; --muted: #4a5360; }
@media (prefers-color-scheme: dark) { :root { --ink: #e8e6e1; --paper: #15181c; --accent: #8cc4ff; --mark: #4a3f00; --muted: #b4bcc6; } }
* { box-sizing: border-box; }
body { margin: 0; font: 1.0625rem/1.6 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); background: var(--paper); }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.skip { position: absolute; left: -999px; top: 0; background: var(--accent); color: var(--paper); padding: .5rem 1rem; }
.skip:focus { left: 0; z-index: 10; }
header, main, footer { max-width: 48rem; margin: 0 auto; padding: 1rem 1.25rem; }
header { display: flex; gap: 1.25rem; align-items: center; }
header img { width: 7rem; height: 7rem; border-radius: .5rem; flex: none; }
h1 { font-size: 1.75rem; line-height: 1.2; margin: 0 0 .25rem; }
h2 { font-size: 1.35rem; margin: 0 0 .25rem; }
h3 { font-size: 1.05rem; margin: 1.25rem 0 .25rem; }
a { color: var(--accent); }
article { border-top: 1px solid color-mix(in srgb, var(--ink) 20%, transparent); padding: 1.5rem 0; }
.meta { color: var(--muted); margin: 0 0 .75rem; }
audio { width: 100%; margin: .5rem 0; }
.chapters button, .cue { font: inherit; color: inherit; background: none; border: 0; padding: 0; cursor: pointer; text-align: left; }
.chapters button { color: var(--accent); text-decoration: underline; }
.cue { display: inline; border-radius: .2rem; }
.cue:hover { background: color-mix(in srgb, var(--accent) 12%, transparent); }
.cue[aria-current="true"] { background: var(--mark); }
button:focus-visible, a:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
.transcript p { margin: 0 0 .9rem; }
.subscribe input { width: 100%; font: inherit; padding: .4rem; }
footer { color: var(--muted); font-size: .9rem; }
"""

JS = """
(function () {
  function seek(audio, t) { audio.currentTime = t; var p = audio.play(); if (p && p.catch) { p.catch(function () {}); } }
  var web = location.protocol === 'http:' || location.protocol === 'https:';
  document.querySelectorAll('article.episode').forEach(function (art) {
    var audio = art.querySelector('audio');
    // captions: the WebVTT file over http(s); from file://, where browsers refuse to load it,
    // the same cues are built from the transcript in this page
    var track = audio.querySelector('track');
    if (track && web) { track.src = track.getAttribute('data-src'); }
    else if (track && window.VTTCue) {
      track.remove();
      var tt = audio.addTextTrack('captions', 'Captions', track.srclang);
      art.querySelectorAll('.cue').forEach(function (c) {
        tt.addCue(new VTTCue(parseFloat(c.dataset.start), parseFloat(c.dataset.end), c.textContent));
      });
      tt.mode = 'hidden';
    }
    // one episode plays at a time: starting this one pauses any other
    audio.addEventListener('play', function () {
      document.querySelectorAll('audio').forEach(function (other) { if (other !== audio && !other.paused) { other.pause(); } });
    });
    var cues = Array.prototype.slice.call(art.querySelectorAll('.cue'));
    var current = null;
    art.querySelectorAll('[data-start]').forEach(function (el) {
      el.addEventListener('click', function () { seek(audio, parseFloat(el.getAttribute('data-start'))); });
    });
    audio.addEventListener('timeupdate', function () {
      var t = audio.currentTime, found = null;
      for (var i = 0; i < cues.length; i++) {
        var c = cues[i];
        if (t >= parseFloat(c.dataset.start) && t < parseFloat(c.dataset.end)) { found = c; break; }
      }
      if (found !== current) {
        if (current) { current.removeAttribute('aria-current'); }
        if (found) { found.setAttribute('aria-current', 'true'); }
        current = found;
      }
    });
  });
})();
"""


def _episode(record: EpisodeRecord, show: Show) -> str:
    f = record["files"]
    published = datetime.fromisoformat(record["published"])
    date_text = f"{published.strftime('%B')} {published.day}, {published.year}"
    number = f"Part {record['number']}: " if record.get("number") is not None else ""
    hid = f"h-{record['slug']}"
    duration = record["audio"]["duration"]
    chapters = "".join(
        f'<li><button type="button" data-start="{c["start"]:.3f}">{e(timestamp(c["start"]))} {e(c["title"])}</button></li>'
        for c in record.get("chapters", []))
    paras: list[list[str]] = []
    prev = None
    for i, c in enumerate(record.get("cues", [])):
        key = (c.get("section"), c.get("paragraph"))
        if key != prev:
            paras.append([])
            prev = key
        paras[-1].append(f'<button type="button" class="cue" id="{e(record["slug"])}-s{i + 1}" '
                         f'data-start="{c["start"]:.3f}" data-end="{c["end"]:.3f}">{e(c["text"])}</button>')
    transcript = "\n".join(f"<p>{' '.join(p)}</p>" for p in paras)
    notes = f"<p>{e(record['summary'])}</p>" if record.get("summary") else ""
    source = (f'<p>Original article: <a href="{e(record["source_url"], quote=True)}">{e(record["source_url"])}</a></p>'
              if record.get("source_url") else "")
    return f"""
<article class="episode" id="{e(record['slug'])}" aria-labelledby="{hid}">
  <h2 id="{hid}">{e(number)}{e(record['title'])}</h2>
  <p class="meta">{e(record.get('author') or record.get('organization') or show.title)} &middot; <time datetime="{e(published.date().isoformat())}">{e(date_text)}</time> &middot; {e(timestamp(duration))}</p>
  <audio controls preload="metadata" src="{e(f['mp3'], quote=True)}" aria-label="Play {e(record['title'], quote=True)}">
    <track kind="captions" data-src="{e(f['vtt'], quote=True)}" srclang="{e(show.language.split('-')[0], quote=True)}" label="Captions" default>
    <a href="{e(f['mp3'], quote=True)}">Download the episode (MP3)</a>
  </audio>
  {notes}
  {source}
  <p><a href="{e(f['mp3'], quote=True)}" download>Download MP3</a> ({record['audio']['bytes'] / 1e6:.1f} MB) &middot;
     <a href="{e(f['html'], quote=True)}">Transcript</a> &middot; <a href="{e(f['vtt'], quote=True)}">Captions (WebVTT)</a></p>
  <h3 id="{hid}-ch">Chapters<span class="sr-only">: {e(record['title'])}</span></h3>
  <ol class="chapters" aria-labelledby="{hid}-ch">{chapters}</ol>
  <h3 id="{hid}-tr">Transcript<span class="sr-only">: {e(record['title'])}</span></h3>
  <p class="meta">Select a sentence to play from there. The sentence being read is highlighted.</p>
  <section class="transcript" aria-labelledby="{hid}-tr">
{transcript}
  </section>
</article>"""


def index_html(show: Show, records: list[EpisodeRecord], cover_file: str) -> str:
    ordered = sorted(records, key=lambda r: (r["published"], r.get("number") or 0), reverse=True)
    episodes = "\n".join(_episode(r, show) for r in ordered) or "<p>No episodes yet.</p>"
    return f"""<!doctype html>
<html lang="{e(show.language, quote=True)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(show.title)}</title>
<meta name="description" content="{e(show.description[:300], quote=True)}">
<link rel="icon" href="data:,">
<link rel="alternate" type="application/rss+xml" title="{e(show.title, quote=True)}" href="feed.xml">
<style>{CSS}</style>
</head>
<body>
<a class="skip" href="#episodes">Skip to episodes</a>
<header>
  <img src="{e(cover_file, quote=True)}" alt="">
  <div>
    <h1>{e(show.title)}</h1>
    <p class="meta">{e(show.author)}</p>
  </div>
</header>
<main id="episodes" tabindex="-1">
  <p>{e(show.description)}</p>
  <section class="subscribe" aria-labelledby="sub-h">
    <h2 id="sub-h">Subscribe</h2>
    <p>Copy this address into your podcast app (Apple Podcasts: Library, then "Follow a Show by URL"): <a href="feed.xml">feed.xml</a></p>
    <label for="feed-url">Feed address</label>
    <input id="feed-url" type="text" readonly value="{e(show.base_url + 'feed.xml', quote=True)}">
  </section>
  <h2 class="sr-only">Episodes</h2>
{episodes}
</main>
<footer><p>{e(show.copyright or show.author)}. Narrated with readcast.</p></footer>
<script>{JS}</script>
</body>
</html>
"""


XSL = """<?xml version="1.0" encoding="UTF-8"?>
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
  xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" xmlns:atom="http://www.w3.org/2005/Atom">
<xsl:output method="html" encoding="UTF-8" indent="yes"/>
<xsl:template match="/rss/channel">
<html lang="{language}">
<head><meta charset="utf-8"/><meta name="viewport" content="width=device-width, initial-scale=1"/>
<title><xsl:value-of select="title"/> (podcast feed)</title>
<style>body{font:1.05rem/1.6 system-ui,sans-serif;max-width:46rem;margin:0 auto;padding:1rem 1.25rem;color:#1b1f24;background:#fdfcf8}
a{color:#0b4f8a}.note{background:#eef4fb;padding:.75rem 1rem;border-radius:.4rem}input{width:100%;font:inherit;padding:.4rem}
li{margin:.75rem 0}</style></head>
<body><main>
<h1><xsl:value-of select="title"/></h1>
<p class="note">This is a podcast feed. To listen, copy its address into your podcast app.</p>
<label for="u">Feed address</label>
<input id="u" type="text" readonly="readonly" value="{atom:link[@rel='self']/@href}"/>
<p><xsl:value-of select="description"/></p>
<p><a href="index.html">Listen in the browser, with transcripts</a></p>
<h2>Episodes</h2>
<ol reversed="reversed">
<xsl:for-each select="item">
<li><a href="{link}"><xsl:value-of select="title"/></a> (<xsl:value-of select="pubDate"/>)
<xsl:text> </xsl:text><a href="{enclosure/@url}">MP3</a></li>
</xsl:for-each>
</ol>
</main></body></html>
</xsl:template>
</xsl:stylesheet>
"""


def _written_by(record: EpisodeRecord) -> str:
    who = record.get("author") or record.get("organization") or ""
    return f" Written by {e(who)}." if who else ""


def transcript_html(record: EpisodeRecord, show: Show) -> str:
    """A standalone, accessible transcript page (podcast:transcript type text/html)."""
    paras: list[list[str]] = []
    prev = None
    for c in record.get("cues", []):
        key = (c.get("section"), c.get("paragraph"))
        if key != prev:
            paras.append([])
            prev = key
        paras[-1].append(e(c["text"]))
    body = "\n".join(f"<p>{' '.join(p)}</p>" for p in paras)
    number = f"Part {record['number']}: " if record.get("number") is not None else ""
    return f"""<!doctype html>
<html lang="{e(show.language, quote=True)}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>Transcript: {e(number)}{e(record['title'])} ({e(show.title)})</title>
<style>body{{font:1.0625rem/1.6 system-ui,sans-serif;max-width:44rem;margin:0 auto;padding:1rem 1.25rem}}</style>
</head>
<body><main>
<h1>{e(number)}{e(record['title'])}</h1>
<p>{e(show.title)}.{_written_by(record)}</p>
{body}
</main></body></html>
"""
