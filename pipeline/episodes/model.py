"""What an article becomes once read: an Episode, the unit every later stage works on."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path


@dataclass(frozen=True)
class Section:
    """A part of the article body; a titled section becomes a chapter."""

    title: str
    paragraphs: tuple[str, ...]


@dataclass
class Article:
    """What a reader found in a source file; any field may be missing until `finish`."""

    title: str = ""
    headline: str = ""       # the headline as the page prints it, before series and part are split off
    series: str = ""
    number: int | None = None
    season: int | None = None
    published: date | datetime | None = None
    author: str = ""
    organization: str = ""
    dateline: str = ""
    sections: list[Section] = field(default_factory=list)
    teaser: str = ""
    source_url: str = ""
    guid: str = ""
    episode_type: str = "full"
    summary: str = ""
    image: str = ""
    lead: str = ""           # the literal start of the body (a caption, when the page opens with one)
    draft: bool = False      # built and previewable, never published
    publish_at: datetime | None = None  # published once this time has passed
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Episode:
    slug: str
    source: Path
    source_hash: str
    title: str
    published: datetime
    author: str
    organization: str
    series: str
    number: int | None
    season: int | None
    dateline: str
    sections: tuple[Section, ...]
    teaser: str
    source_url: str
    guid: str
    episode_type: str
    summary: str
    # a digest's chapters: the source article address of each story, in order
    chapter_urls: tuple[str, ...] = ()
    draft: bool = False
    publish_at: datetime | None = None

    def held_back(self, now: datetime | None = None) -> str:
        """Why the episode is not in the published feed yet ("" when it is ready)."""
        from datetime import timezone

        if self.draft:
            return "draft"
        if self.publish_at is not None and self.publish_at > (now or datetime.now(timezone.utc)):
            return f"scheduled for {self.publish_at.isoformat(timespec='minutes')}"
        return ""

    @property
    def paragraphs(self) -> tuple[str, ...]:
        return tuple(p for s in self.sections for p in s.paragraphs)

    @property
    def word_count(self) -> int:
        return sum(len(p.split()) for p in self.paragraphs)

    def metadata(self) -> dict:
        """What `readcast list --json` prints: plain JSON types only."""
        return {
            "slug": self.slug,
            "number": self.number,
            "season": self.season,
            "title": self.title,
            "series": self.series,
            "published": self.published.isoformat(),
            "author": self.author,
            "organization": self.organization,
            "dateline": self.dateline,
            "teaser": self.teaser,
            "source": f"{self.source.parent.name}/{self.source.name}",
            "source_url": self.source_url or None,
            "guid": self.guid,
            "words": self.word_count,
        }
