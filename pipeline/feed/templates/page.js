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
