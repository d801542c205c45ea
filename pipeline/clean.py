"""`readcast clean`: prune the clip cache (least recently used first) to its size limit, drop
prepared intro/outro music (rebuilt from the show's files in a fraction of a second), and delete
superseded media whose grace period is over."""

from __future__ import annotations

from dataclasses import dataclass

from .config import Show


@dataclass
class CleanReport:
    clips: int = 0
    clip_bytes: int = 0
    music: int = 0
    music_bytes: int = 0
    media: int = 0
    media_bytes: int = 0
    kept_media: int = 0
    cache_bytes: int = 0

    @property
    def freed(self) -> int:
        return self.clip_bytes + self.music_bytes + self.media_bytes

    def __str__(self) -> str:
        mb = lambda n: f"{n / 1e6:.1f} MB"  # noqa: E731
        parts = [f"{self.clips} cached clip{'s' * (self.clips != 1)} ({mb(self.clip_bytes)})",
                 f"{self.music} prepared music file{'s' * (self.music != 1)} ({mb(self.music_bytes)})",
                 f"{self.media} superseded media file{'s' * (self.media != 1)} ({mb(self.media_bytes)})"]
        line = f"Removed {', '.join(parts)}: {mb(self.freed)} freed. The clip cache now holds {mb(self.cache_bytes)}."
        if self.kept_media:
            line += f" {self.kept_media} superseded media file{'s' * (self.kept_media != 1)} stay until their grace period ends."
        return line


def clean(show: Show, everything: bool = False) -> CleanReport:
    """Superseded media past their grace period go too; never younger ones, even with everything:
    listeners holding the previous feed may still be fetching them."""
    from .audio.cache import ClipCache
    from .feed import prune_superseded, superseded

    report = CleanReport()
    cache = ClipCache(show.cache_dir)
    limit = 0 if everything else show.build.cache_limit_mb * 1_000_000
    report.clips, report.clip_bytes = cache.prune(limit)
    music = show.cache_dir / "music"
    if music.is_dir():
        for p in music.iterdir():
            if p.suffix in (".npy", ".tmp") and p.is_file():
                report.music += 1
                report.music_bytes += p.stat().st_size
                p.unlink(missing_ok=True)
    report.media, report.media_bytes = prune_superseded(show)
    report.kept_media = len(superseded(show))
    if cache.root.is_dir():
        report.cache_bytes = sum(p.stat().st_size for p in cache.root.rglob("*") if p.is_file())
    return report
