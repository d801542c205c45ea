"""Markdown articles with YAML front matter: the form `readcast add` stores every import in."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from ..errors import EpisodeError
from ..text.dates import parse_date, parse_datetime
from .model import Article, Section
from .titles import parse_headline

_FRONT = re.compile(r"\A---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
_KEYS = {
    "title": "title", "series": "series", "number": "number", "part": "number", "episode": "number",
    "season": "season", "published": "published", "date": "published", "author": "author",
    "byline": "author", "organization": "organization", "organisation": "organization",
    "unit": "organization", "dateline": "dateline", "source_url": "source_url", "url": "source_url",
    "source": "source_url", "guid": "guid", "teaser": "teaser", "type": "episode_type",
    "episode_type": "episode_type", "summary": "summary", "description": "summary", "image": "image",
    "headline": "headline", "draft": "draft", "publish_at": "publish_at", "scheduled": "publish_at",
}
# keys readcast writes itself and reads elsewhere (`add` uses source_id to skip what it imported)
_OWN_KEYS = {"source_id"}


class _Loader(yaml.SafeLoader):
    """YAML's safe loader, minus its timestamp guess: '2015-13-45' is text, not a crash, and
    dates are read by the same rules as everywhere else."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

MAX_FRONT_MATTER = 64 * 1024  # characters: a page of metadata is a few hundred


def _refuse_expansions(source: str, path: Path) -> None:
    """Anchors and aliases let 400 bytes expand to gigabytes (the 'billion laughs'); front matter
    needs neither. Look at the parser's events, which are read without expanding anything."""
    if len(source) > MAX_FRONT_MATTER:
        raise EpisodeError(f"front matter is {len(source):,} characters, over the {MAX_FRONT_MATTER:,} limit", path,
                           "keep only 'key: value' metadata between the --- markers")
    try:
        for event in yaml.parse(source, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                line = event.start_mark.line + 2 if event.start_mark else 0
                raise EpisodeError(f"front matter uses a YAML anchor or alias (line {line})", path,
                                   "write each value out in full; '&name' and '*name' are not allowed")
    except yaml.YAMLError:
        return  # reported with its line by the loader below


def split_front_matter(text: str, path: Path) -> tuple[dict[str, Any], str]:
    m = _FRONT.match(text)
    if not m:
        return {}, text
    _refuse_expansions(m.group(1), path)
    try:
        data = yaml.load(m.group(1), Loader=_Loader) or {}
    except (yaml.YAMLError, ValueError, TypeError) as exc:  # a constructor's own refusal too (!!binary)
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 2}" if mark else ""
        raise EpisodeError(f"front matter is not valid YAML{where}", path,
                           "fix the 'key: value' lines between the --- markers") from None
    if not isinstance(data, dict):
        raise EpisodeError("front matter is not a set of 'key: value' lines", path,
                           "write one 'key: value' per line between the --- markers")
    return data, text[m.end():]


_INLINE = [
    (re.compile(r"!\[[^\]]*\]\([^)]*\)"), ""),              # images
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),          # links keep their text
    (re.compile(r"\[([^\]]+)\]\[[^\]]*\]"), r"\1"),
    (re.compile(r"`([^`]+)`"), r"\1"),
    (re.compile(r"(\*\*|__)(.+?)\1"), r"\2"),
    (re.compile(r"(?<![\w*])([*_])(?!\s)(.+?)(?<!\s)\1(?![\w*])"), r"\2"),
    (re.compile(r"<[^>]+>"), ""),                           # inline HTML tags
]


_ESCAPED = re.compile(r"\\([\\`*_{}\[\]()#+\-.!<>|~])")
_SPECIAL = re.compile(r"([\\`*_\[\]<>])")


def strip_inline(text: str) -> str:
    """Markdown inline markup removed; backslash-escaped characters kept as themselves."""
    held: list[str] = []

    # placeholders NUL n NUL: clean text never holds NUL, so nothing in it can be mistaken for
    # one (private-use characters, used before, can be in an article: "\ue000" crashed this)
    def hold(m: re.Match) -> str:
        held.append(m.group(1))
        return f"\x00{len(held) - 1}\x00"

    text = _ESCAPED.sub(hold, text.replace("\x00", ""))
    for rx, repl in _INLINE:
        text = rx.sub(repl, text)
    text = re.sub("\x00(\\d+)\x00", lambda m: held[int(m.group(1))], text)
    return " ".join(text.split())


def escape(text: str) -> str:
    """Plain text made safe to store as a Markdown paragraph (read back by `strip_inline`)."""
    text = _SPECIAL.sub(r"\\\1", text)
    text = re.sub(r"^(\d+)([.)])(?=\s)", r"\1\\\2", text)  # "1. " would start a list
    if re.match(r"^(?:#|>|[-+]\s|---|===)", text):
        text = "\\" + text
    return text


def _scalar(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    return "" if value is None else str(value).strip()


def parse_markdown(text: str, path: Path) -> Article:
    meta, body = split_front_matter(text, path)
    article = Article()
    for key, value in meta.items():
        field = _KEYS.get(str(key).lower())
        if not field and str(key).lower() in _OWN_KEYS:
            continue
        if not field:
            article.warnings.append(f"front matter key '{key}' is not used")
            continue
        if field == "draft" and isinstance(value, bool):
            setattr(article, field, value)
            continue
        value = _scalar(value)
        if field == "draft" and value.lower() in ("true", "false", "yes", "no", ""):
            setattr(article, field, value.lower() in ("true", "yes"))
            continue
        if field in ("number", "season"):
            try:
                value = int(value) if value != "" else None
            except (TypeError, ValueError):
                raise EpisodeError(f"{key}: {value!r} is not a whole number", path,
                                   f"write {key}: 20") from None
        elif field == "draft":
            if not isinstance(value, bool):
                raise EpisodeError(f"draft: {value!r} is not true or false", path, "write draft: true") from None
        elif field == "publish_at":
            parsed_at = parse_datetime(str(value)) if value != "" else None
            if parsed_at is None and value != "":
                try:
                    parsed_at = datetime.fromisoformat(str(value))
                except ValueError:
                    raise EpisodeError(f"publish_at: {value!r} is not a date and time", path,
                                       "write publish_at: 2026-12-01 09:00") from None
            value = parsed_at
        elif field == "published":
            if isinstance(value, str):
                parsed = parse_datetime(value) or parse_date(value)
                if parsed is None and value:
                    try:
                        parsed = datetime.fromisoformat(value)
                    except ValueError:
                        raise EpisodeError(f"published: {value!r} is not a date", path,
                                           "write published: 2015-10-21") from None
                value = parsed
            elif isinstance(value, (int, float)) and not isinstance(value, bool):
                raise EpisodeError(f"published: {value!r} is not a date", path,
                                   "write published: 2015-10-21") from None
        elif not isinstance(value, str):
            # YAML reads "title: 12" as a number and "series: 2015-10-21" as a date: text fields
            # take them as written
            value = value.isoformat() if isinstance(value, (date, datetime)) else str(value)
        setattr(article, field, value)

    sections: list[Section] = []
    title, paragraphs = "", []  # type: str, list[str]
    headline = ""
    for block in re.split(r"\n\s*\n", body.strip()):
        block = block.strip()
        if not block:
            continue
        m = re.match(r"^(#{1,6})\s+(.+?)\s*#*\s*$", block.split("\n")[0])
        if m:
            level, heading = len(m.group(1)), strip_inline(m.group(2))
            rest = "\n".join(block.split("\n")[1:]).strip()
            if level == 1 and not headline and not sections and not paragraphs:
                headline = heading
            else:
                if paragraphs or title:
                    sections.append(Section(title=title, paragraphs=tuple(paragraphs)))
                title, paragraphs = heading, []
            if not rest:
                continue
            block = rest
        if re.match(r"^(?:[-*_]\s*){3,}$", block):
            continue  # horizontal rule
        lines = [re.sub(r"^\s*(?:[-*+]|\d+[.)]|>)\s+", "", line) for line in block.split("\n")]
        text_block = strip_inline(" ".join(lines))
        if text_block:
            paragraphs.append(text_block)
    if paragraphs or title:
        sections.append(Section(title=title, paragraphs=tuple(paragraphs)))
    article.sections = [s for s in sections if s.paragraphs]
    if headline and not article.title:
        head = parse_headline(headline)
        article.title = head.title
        article.series = article.series or head.series
        article.number = article.number if article.number is not None else head.number
    elif article.title and (article.number is None or not article.series):
        head = parse_headline(article.title)
        if head.number is not None:
            article.title = head.title
            article.series = article.series or head.series
            article.number = article.number if article.number is not None else head.number
    return article
