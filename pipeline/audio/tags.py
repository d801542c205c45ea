"""ID3v2.4 tags and chapters (CHAP/CTOC) with mutagen, so apps show the episode and its parts."""

from __future__ import annotations

from pathlib import Path

from ..config import Show
from ..episodes import Episode


def write_tags(path: Path, ep: Episode, show: Show, chapters: list[tuple[float, float, str]],
               cover_jpeg: bytes | None) -> None:
    from mutagen.id3 import (
        APIC,
        CHAP,
        COMM,
        CTOC,
        ID3,
        TALB,
        TCON,
        TDRC,
        TIT2,
        TLAN,
        TPE1,
        TPE2,
        TPUB,
        TRCK,
        WOAS,
        CTOCFlags,
    )

    tags = ID3()
    tags.add(TIT2(encoding=3, text=ep.title))
    tags.add(TALB(encoding=3, text=show.title))
    tags.add(TPE1(encoding=3, text=ep.author or ep.organization or show.author))
    tags.add(TPE2(encoding=3, text=show.author))
    if ep.organization:
        tags.add(TPUB(encoding=3, text=ep.organization))
    if ep.number is not None:
        tags.add(TRCK(encoding=3, text=str(ep.number)))
    tags.add(TDRC(encoding=3, text=ep.published.strftime("%Y-%m-%d")))
    tags.add(TCON(encoding=3, text="Podcast"))
    tags.add(TLAN(encoding=3, text=show.language.split("-")[0]))
    tags.add(COMM(encoding=3, lang="eng", desc="", text=ep.summary or ep.title))
    if ep.source_url:
        tags.add(WOAS(url=ep.source_url))
    if cover_jpeg:
        tags.add(APIC(encoding=3, mime="image/jpeg", type=3, desc="Cover", data=cover_jpeg))
    ids = []
    for i, (start, end, title) in enumerate(chapters):
        cid = f"chp{i}"
        ids.append(cid)
        tags.add(CHAP(element_id=cid, start_time=int(round(start * 1000)), end_time=int(round(end * 1000)),
                      start_offset=0xFFFFFFFF, end_offset=0xFFFFFFFF,
                      sub_frames=[TIT2(encoding=3, text=title)]))
    if ids:
        tags.add(CTOC(element_id="toc", flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
                      child_element_ids=ids, sub_frames=[TIT2(encoding=3, text="Chapters")]))
    tags.save(str(path), v2_version=4)
