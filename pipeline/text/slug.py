"""Slugs: safe, stable file names made from any title."""

from __future__ import annotations

import re
import unicodedata

_RESERVED = {"con", "prn", "aux", "nul", "feed", "index", "media"}


def slugify(text: str, max_length: int = 60) -> str:
    """ASCII letters, digits and single hyphens only: safe on every file system and in a URL."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()
    text = text[:max_length].rstrip("-")
    if not text or text in _RESERVED:
        text = f"episode-{text}" if text else "episode"
    return text


def is_safe_slug(text: str) -> bool:
    return bool(re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", text)) and len(text) <= 80


def slug_for_stem(stem: str) -> str:
    """An episode's slug from its file name: the name itself when it is already a safe slug."""
    return stem if is_safe_slug(stem) else slugify(stem)
