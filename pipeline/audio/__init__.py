"""audio/: each script becomes an MP3 (plus a JSON of its real timings) in audio/episodes/.

plan   -> which sentences need synthesis (clip cache misses) and whether the episode is stale
render -> synthesise the misses across cores, mix as clips arrive, tag, write atomically
meta   -> the JSON beside each MP3 (RenderMeta): what later stages need without decoding audio
music  -> the intro and outro, prepared once
"""

from __future__ import annotations

from .meta import Chapter, Cue, RenderMeta, read_meta, rendered_paths
from .music import MusicLoader
from .plan import AUDIO_VERSION, AudioPlan, asset_key, clip_identity, make_lines, plan_audio
from .render import render

__all__ = ["AUDIO_VERSION", "AudioPlan", "Chapter", "Cue", "MusicLoader", "RenderMeta", "asset_key", "clip_identity",
           "make_lines", "plan_audio", "read_meta", "render", "rendered_paths"]
