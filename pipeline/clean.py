"""`readcast clean`: prune the clip cache (least recently used first) to its size limit."""

from __future__ import annotations

from .config import Show


def clean(show: Show, everything: bool = False) -> tuple[int, int]:
    from .audio.cache import ClipCache

    cache = ClipCache(show.cache_dir)
    limit = 0 if everything else show.build.cache_limit_mb * 1_000_000
    return cache.prune(limit)
