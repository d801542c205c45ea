"""The default intro and outro music, made from pydub's tone generators.

A short rising motif (outro: falling) of bell-like notes over a soft sustained chord, long
enough to sit under the spoken intro. Producers replace them with any file named in show.toml.
"""

from __future__ import annotations

from pathlib import Path

from .ffmpeg import use_pydub

RATE = 44100
# C major: C4 E4 G4 C5 / the outro falls back down
INTRO_NOTES = [261.63, 329.63, 392.00, 523.25]
OUTRO_NOTES = [523.25, 392.00, 329.63, 261.63]
PAD = [130.81, 196.00, 329.63]  # C3 G3 E4


def _tone(freq: float, ms: int, volume: float):
    pydub = use_pydub()
    from pydub.generators import Sine

    tone = Sine(freq, sample_rate=RATE).to_audio_segment(duration=ms, volume=volume)
    # two quiet harmonics make the sine sound like a mallet rather than a test tone
    tone = tone.overlay(Sine(freq * 2, sample_rate=RATE).to_audio_segment(duration=ms, volume=volume - 14))
    tone = tone.overlay(Sine(freq * 3, sample_rate=RATE).to_audio_segment(duration=ms, volume=volume - 22))
    del pydub
    return tone


def make_sting(kind: str, seconds: float | None = None):
    """An AudioSegment: 'intro' (16 s, rising) or 'outro' (9 s, falling)."""
    pydub = use_pydub()
    AudioSegment = pydub.AudioSegment
    total = int((seconds or (16.0 if kind == "intro" else 9.0)) * 1000)
    notes = INTRO_NOTES if kind == "intro" else OUTRO_NOTES
    out = AudioSegment.silent(duration=total, frame_rate=RATE)
    pad = AudioSegment.silent(duration=total, frame_rate=RATE)
    for f in PAD:
        pad = pad.overlay(_tone(f, total, -26))
    pad = pad.fade_in(1800).fade_out(min(4000, total // 2))
    out = out.overlay(pad)
    step = 380
    for i, f in enumerate(notes + [notes[-1] * (2 if kind == "intro" else 0.5)]):
        length = 2600 if i == len(notes) else 1500
        note = _tone(f, length, -12 if i < len(notes) else -10).fade_in(8).fade_out(length - 60)
        out = out.overlay(note, position=300 + i * step)
    if kind == "intro":
        # the motif comes back once, softer, while the voice talks over it
        for i, f in enumerate(notes):
            note = _tone(f, 1600, -20).fade_in(8).fade_out(1540)
            out = out.overlay(note, position=7000 + i * 520)
    return out.set_channels(1).fade_in(20).fade_out(1500)


def write_sting(kind: str, path: Path) -> Path:
    from ..files import atomic_path

    seg = make_sting(kind)
    with atomic_path(path) as tmp:
        seg.export(str(tmp), format="mp3", bitrate="96k", tags={"title": f"readcast default {kind}"})
    return path
