"""Bytes to clean text: encodings detected, control characters and mojibake removed.

Whatever a CMS or inbox hands us, the text that reaches the voice, the feed (XML 1.0 forbids
most control characters) and the pages must be plain, valid Unicode.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from ..errors import EpisodeError

# XML 1.0 allows tab, newline, carriage return and everything from space up, minus surrogates
# and the two non-characters; C1 controls are legal but never wanted in prose.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")
_MOJIBAKE = re.compile("[\u00c2\u00c3\u00e2][\u0080-\u00bf\u201a-\u203a\u0152-\u0178\u02c6\u02dc\u2122]")
MAX_BYTES = 20_000_000
# no-break, thin, figure, ideographic and the other Unicode spaces: a plain space to every later stage
_SPACES = re.compile("[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
# zero-width characters and soft hyphens join or split words invisibly
_INVISIBLE = re.compile("[\u00ad\u200b-\u200d\u2060\u180e]")


def clean_text(text: str) -> str:
    """Valid, normalised Unicode: no control characters, one kind of line break."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "")
    text = _FORBIDDEN.sub(" ", text)
    text = unicodedata.normalize("NFC", text)
    text = _SPACES.sub(" ", text).replace("\u2028", "\n").replace("\u2029", "\n\n")
    return _INVISIBLE.sub("", text)


def _sloppy_cp1252(text: str) -> bytes:
    """Encode as Windows-1252, with the five bytes it leaves undefined taken as Latin-1 (the way
    browsers and Windows decode them), so that mojibake can be turned back into its bytes."""
    out = bytearray()
    for ch in text:
        try:
            out += ch.encode("cp1252")
        except UnicodeEncodeError:
            if ord(ch) > 255:
                raise
            out.append(ord(ch))
    return bytes(out)


def _fix_mojibake(text: str) -> str:
    """Undo UTF-8 that was decoded as Windows-1252 ('Letâ€™s' -> "Let’s"), a line at a time."""
    if not _MOJIBAKE.search(text):
        return text
    out = []
    for line in text.split("\n"):
        if _MOJIBAKE.search(line):
            try:
                line = _sloppy_cp1252(line).decode("utf-8")
            except (UnicodeEncodeError, UnicodeDecodeError):
                pass
        out.append(line)
    return "\n".join(out)


BINARY_HINT = "give a .txt, .md or .html article, or remove the file from episodes/"


def decode_bytes(data: bytes, path: Path | str, hint: str = BINARY_HINT) -> str:
    """Decode an article; UTF-8 first, then the legacy Windows and Latin encodings."""
    head = data[:4096]
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    if not data.startswith((b"\xff\xfe", b"\xfe\xff")) and (head.count(0) > 4 or controls > len(head) * 0.1):
        raise EpisodeError("is a binary file, not an article", path, hint)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16")
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = _decode_mixed(data)
    return clean_text(_fix_mojibake(text))


def _decode_mixed(data: bytes) -> str:
    """Text that is mostly UTF-8 with cp1252 pieces pasted in: decode each line on its own."""
    lines = []
    for raw in data.split(b"\n"):
        try:
            lines.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            lines.append("".join(b.to_bytes(1, "big").decode("cp1252", errors="ignore") or chr(b) for b in raw))
    return "\n".join(lines)


def read_text(path: Path, hint: str = BINARY_HINT) -> str:
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise EpisodeError(f"is {size // 1_000_000} MB, larger than the {MAX_BYTES // 1_000_000} MB limit",
                               path, "split it into several episodes")
        data = path.read_bytes()
    except FileNotFoundError:
        raise EpisodeError("does not exist", path, "check the file name, or remove it from the build") from None
    except IsADirectoryError:
        raise EpisodeError("is a folder, not an article", path, "move it out of episodes/") from None
    except PermissionError:
        raise EpisodeError("cannot be read (permission denied)", path, f"run: chmod a+r '{path}'") from None
    except OSError as exc:
        raise EpisodeError(f"cannot be read ({exc.strerror})", path, "check the file") from None
    if not data.strip():
        raise EpisodeError("is empty", path, "paste the article text into it, or delete it")
    return decode_bytes(data, path, hint)
