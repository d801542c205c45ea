"""The show's cover: the producer's image, checked, or a clean generated default.

Apple asks for a square RGB JPEG or PNG of 1400 to 3000 pixels. A generated cover is a 3000 px
JPEG made deterministically from the show title and author, and cached under .readcast/.
"""

from __future__ import annotations

import io
import textwrap
from dataclasses import dataclass
from pathlib import Path

from .config import Show
from .errors import ConfigError
from .files import digest, write_bytes

SIZE = 3000
THUMB = 600
GENERATOR_VERSION = "1"


@dataclass(frozen=True)
class Cover:
    data: bytes
    mime: str
    ext: str
    width: int
    height: int
    generated: bool


def check_image(data: bytes, where: Path) -> tuple[str, int, int, list[str]]:
    """(mime, width, height, problems) against Apple's artwork rules."""
    from PIL import Image, UnidentifiedImageError

    try:
        img = Image.open(io.BytesIO(data))  # reads the header only: size, mode, format
    except (UnidentifiedImageError, OSError):
        raise ConfigError("artwork is not an image", where, "use a square JPEG or PNG, 1400-3000 px") from None
    problems = []
    fmt = (img.format or "").upper()
    if fmt not in ("JPEG", "PNG"):
        problems.append(f"artwork is {fmt or 'an unknown format'}, not JPEG or PNG")
    w, h = img.size
    if w != h:
        problems.append(f"artwork is {w}x{h}, not square")
    if not 1400 <= w <= 3000 or not 1400 <= h <= 3000:
        problems.append(f"artwork is {w}x{h} px; it must be 1400-3000 px")
    if img.mode not in ("RGB", "P", "L") or (img.mode == "P" and "transparency" in img.info):
        problems.append(f"artwork colour mode is {img.mode}; it must be RGB without transparency")
    mime = "image/png" if fmt == "PNG" else "image/jpeg"
    return mime, w, h, problems


def _font(size: int):
    from PIL import ImageFont

    for name in ("DejaVuSans-Bold.ttf", "LiberationSans-Bold.ttf", "Arial Bold.ttf"):
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default(size=size)


def generate_cover(title: str, subtitle: str) -> bytes:
    """A 3000 px JPEG: the title set large on a deep blue field, with a thin rule and the owner."""
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (SIZE, SIZE), (16, 36, 64))
    draw = ImageDraw.Draw(img)
    for i in range(0, SIZE, 6):  # a soft vertical gradient
        shade = int(16 + 30 * i / SIZE)
        draw.line([(0, i), (SIZE, i)], fill=(shade, 36 + shade // 2, 64 + shade), width=6)
    margin = 260
    size = 300
    lines = textwrap.wrap(title, width=14) or ["Podcast"]
    while size > 120:
        font = _font(size)
        widest = max(draw.textlength(line, font=font) for line in lines)
        if widest <= SIZE - 2 * margin and len(lines) * size * 1.15 < SIZE * 0.55:
            break
        size -= 20
        lines = textwrap.wrap(title, width=max(8, int(14 * 300 / size))) or ["Podcast"]
    font = _font(size)
    y = int(SIZE * 0.22)
    for line in lines:
        draw.text((margin, y), line, font=font, fill=(245, 240, 225))
        y += int(size * 1.15)
    draw.rectangle([margin, y + 60, margin + 600, y + 84], fill=(214, 168, 76))
    small = _font(110)
    for line in textwrap.wrap(subtitle, width=38)[:3]:
        draw.text((margin, y + 160), line, font=small, fill=(200, 210, 225))
        y += 140
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=92)
    return out.getvalue()


def cover_key(show: Show, hashes=None) -> str:
    """Identifies the cover without making it: the file's hash, or what the generator uses."""
    if show.artwork:
        from .files import HashCache

        path = show.path(show.artwork)
        try:
            return (hashes or HashCache(show.state_dir)).sha256(path)
        except OSError:
            raise ConfigError(f"artwork {show.artwork!r} cannot be read", show.root / "show.toml",
                              "fix the artwork path, or remove it to use a generated cover") from None
    return digest(GENERATOR_VERSION, show.title, show.author)


def cover(show: Show) -> Cover:
    if show.artwork:
        path = show.path(show.artwork)
        try:
            data = path.read_bytes()
        except OSError:
            raise ConfigError(f"artwork {show.artwork!r} cannot be read", show.root / "show.toml",
                              "fix the artwork path, or remove it to use a generated cover") from None
        mime, w, h, _problems = check_image(data, path)
        return Cover(data, mime, "png" if mime == "image/png" else "jpg", w, h, generated=False)
    cached = show.state_dir / f"cover-{cover_key(show)[:16]}.jpg"
    try:
        data = cached.read_bytes()
    except OSError:
        data = generate_cover(show.title, show.author)
        write_bytes(cached, data)
    return Cover(data, "image/jpeg", "jpg", SIZE, SIZE, generated=True)


def thumbnail(show: Show, size: int = THUMB) -> bytes:
    """A small JPEG for the MP3's embedded art (apps show it; 3000 px would bloat every file).

    Cached under .readcast/ by the cover's key: decoding a 3000 px image costs 0.2 s."""
    cached = show.state_dir / f"thumb-{digest(cover_key(show), size)[:16]}.jpg"
    try:
        return cached.read_bytes()
    except OSError:
        pass
    from PIL import Image

    img = Image.open(io.BytesIO(cover(show).data)).convert("RGB")
    img.thumbnail((size, size))
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=88)
    write_bytes(cached, out.getvalue())
    return out.getvalue()
