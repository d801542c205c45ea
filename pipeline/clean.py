"""`readcast clean`: prune the clip cache (least recently used first) to its size limit, and drop
prepared intro/outro music (rebuilt from the show's files in a fraction of a second)."""

from __future__ import annotations

from .config import Show


def clean(show: Show, everything: bool = False) -> tuple[int, int]:
    from .audio.cache import ClipCache

    cache = ClipCache(show.cache_dir)
    limit = 0 if everything else show.build.cache_limit_mb * 1_000_000
    removed, freed = cache.prune(limit)
    music = show.cache_dir / "music"
    if music.is_dir():
        for p in music.iterdir():
            if p.suffix in (".npy", ".tmp") and p.is_file():
                freed += p.stat().st_size
                p.unlink(missing_ok=True)
    return removed, freed
