"""The show's settings: one typed object loaded from show.toml.

Like mkdocs, every field has one place that says its type and default; CLI flags override a
field only when they are given (they default to None), so a flag never silently rewrites the file.
"""

from __future__ import annotations

import dataclasses
import tomllib
import types
import typing
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ConfigError, ConfigErrors

SHOW_FILE = "show.toml"


@dataclass(frozen=True)
class Owner:
    name: str = ""
    email: str = ""


@dataclass(frozen=True)
class Voice:
    engine: str = "piper"
    # piper: a voice package name; gtts: a language code
    voice: str = "en_US-joe-medium"
    # piper: >1 is slower; gtts: ignored (gTTS has only normal and slow)
    length_scale: float = 1.0
    # piper's randomness in intonation and timing; 0 makes synthesis exactly repeatable
    noise_scale: float = 0.667
    noise_w: float = 0.8
    # gtts only: the Google domain to use (com, co.uk, com.au...) and slow reading
    tld: str = "com"
    slow: bool = False
    # online engines: attempts after a transient failure (429, 5xx, timeout), first wait in seconds
    retries: int = 4
    retry_backoff: float = 1.0
    # online engines: seconds to wait for one answer
    timeout: float = 20.0


@dataclass(frozen=True)
class Audio:
    intro: str = "audio/intro.mp3"
    outro: str = "audio/outro.mp3"
    channels: int = 1
    sample_rate: int = 48000
    bitrate: int = 96
    # LAME's algorithm quality, 0 (best, slowest) to 9; 7 is transparent for speech at 96 kbps
    # and takes half the CPU of the default
    encoder_quality: int = 7
    # a mono Opus copy of every episode at this bitrate for slow connections (podcast:alternateEnclosure)
    low_bandwidth: bool = True
    low_bandwidth_kbps: int = 24
    # integrated loudness target in LUFS; None means the podcast norm for the layout
    loudness: float | None = None
    true_peak: float = -1.0
    sentence_pause: float = 0.45
    paragraph_pause: float = 0.9
    section_pause: float = 1.5
    # seconds of music before the spoken intro starts, and how far music ducks under speech
    intro_lead: float = 3.0
    outro_tail: float = 4.0
    duck_db: float = -20.0
    crossfade: float = 1.5

    @property
    def target_lufs(self) -> float:
        if self.loudness is not None:
            return float(self.loudness)
        return -19.0 if self.channels == 1 else -16.0


@dataclass(frozen=True)
class Build:
    jobs: int | None = None
    cache_dir: str = ".readcast/cache"
    cache_limit_mb: int = 2048
    # where sentences are synthesised: "local" (this machine's cores) or "dask://HOST:PORT" (a
    # Dask distributed scheduler; needs readcast[dask] here and on every worker)
    executor: str = "local"
    # a clip cache every worker and build shares, as an fsspec URL: a folder all machines mount,
    # or "s3://bucket/prefix" (S3-compatible storage; endpoint from [publish] endpoint_url)
    shared_cache: str = ""
    # seconds a build waits on a cluster before giving up (a dead cluster): for any one sentence,
    # and half of it (at most 15 s) to connect
    task_timeout: float = 600.0
    # seconds the voice stays loaded in a background process after a build, so that an edit's
    # few sentences start at once (0: never; READCAST_VOICE_SERVER=off does the same)
    voice_server_idle: float = 600.0


@dataclass(frozen=True)
class Site:
    # episodes on each page of the site's index (index.html, page-2.html, ...); every episode
    # also has its own page, and archive.html lists them all, by year
    per_page: int = 10


@dataclass(frozen=True)
class Fetch:
    timeout: float = 20.0
    max_bytes: int = 10_000_000
    max_redirects: int = 5
    allow_private: bool = False


@dataclass(frozen=True)
class Publish:
    # days a superseded MP3 (and its captions) stays in feed/ after a rebuild replaced it: apps and
    # directories holding the previous feed.xml still fetch it
    grace_days: float = 7.0
    # where `readcast publish` sends feed/: "s3://bucket/prefix", "sftp://user@host[:port]/path"
    # or a folder; credentials come from the environment, never from here
    target: str = ""
    endpoint_url: str = ""      # S3-compatible storage other than AWS (MinIO, SeaweedFS, R2...)
    region: str = ""


@dataclass(frozen=True)
class Sources:
    # what `readcast update` imports from: article feeds (RSS/Atom URLs or files) and folders
    feeds: list[str] = field(default_factory=list)
    folders: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Digest:
    # an extra episode every `days` days gathering that period's articles, one chapter each,
    # read from the clips already made (0: none; 7: weekly, Monday to Sunday)
    days: int = 0
    # how many of the latest periods that have articles are published
    keep: int = 4


@dataclass(frozen=True)
class Verify:
    # listen-back (`readcast verify`, `build --verify`): a speech recogniser checks every sentence
    recognizer: str = "whisper"
    # "base": Whisper base from the readcast[verify] wheels; or a local CTranslate2 model folder;
    # any other name is downloaded by faster-whisper (needs a network)
    model: str = "base"
    # share of a sentence's words heard wrong, beyond the recogniser's noise, before it is flagged
    threshold: float = 0.0
    # build --verify: a flagged episode fails (its published version stays) instead of warning
    fail: bool = False


@dataclass(frozen=True)
class Show:
    root: Path
    id: str
    title: str
    description: str
    author: str
    base_url: str
    language: str = "en"
    link: str = ""
    category: str = "News"
    subcategory: str = ""
    explicit: bool = False
    type: str = "serial"
    artwork: str = ""
    copyright: str = ""
    timezone: str = "UTC"
    locked: bool = False
    podcast_guid: str = ""
    lexicon: str = "lexicon.toml"
    credit: str = ""
    owner: Owner = field(default_factory=Owner)
    voice: Voice = field(default_factory=Voice)
    audio: Audio = field(default_factory=Audio)
    build: Build = field(default_factory=Build)
    fetch: Fetch = field(default_factory=Fetch)
    publish: Publish = field(default_factory=Publish)
    verify: Verify = field(default_factory=Verify)
    digest: Digest = field(default_factory=Digest)
    sources: Sources = field(default_factory=Sources)
    site: Site = field(default_factory=Site)

    # --- folders: a show is a folder, its stages are sub-folders -------------------------
    @property
    def episodes_dir(self) -> Path:
        return self.root / "episodes"

    @property
    def scripts_dir(self) -> Path:
        return self.root / "scripts"

    @property
    def rendered_dir(self) -> Path:
        return self.root / "audio" / "episodes"

    @property
    def feed_dir(self) -> Path:
        return self.root / "feed"

    @property
    def state_dir(self) -> Path:
        return self.root / ".readcast"

    @property
    def cache_dir(self) -> Path:
        p = Path(self.build.cache_dir)
        return p if p.is_absolute() else self.root / p

    def path(self, relative: str) -> Path:
        p = Path(relative)
        return p if p.is_absolute() else self.root / p

    def with_overrides(self, **changes: Any) -> "Show":
        """A copy with the given fields replaced; None values mean 'not given' and are skipped."""
        top: dict[str, Any] = {}
        nested: dict[str, dict[str, Any]] = {}
        for key, value in changes.items():
            if value is None:
                continue
            if "." in key:
                section, name = key.split(".", 1)
                nested.setdefault(section, {})[name] = value
            else:
                top[key] = value
        for section, values in nested.items():
            top[section] = dataclasses.replace(getattr(self, section), **values)
        if "base_url" in top:
            top["base_url"] = _normalize_base_url(top["base_url"], self.root / SHOW_FILE)
        return dataclasses.replace(self, **top)


REQUIRED = ("id", "title", "description", "author", "base_url")
_SECTIONS = {"owner": Owner, "voice": Voice, "audio": Audio, "build": Build, "fetch": Fetch, "publish": Publish,
             "verify": Verify, "digest": Digest, "sources": Sources, "site": Site}
# every numeric setting's valid range (inclusive): a value outside it is refused when show.toml is
# read, never turned into a silent episode or a hung build
RANGES: dict[str, tuple[float, float]] = {
    "voice.length_scale": (0.25, 4.0), "voice.noise_scale": (0.0, 2.0), "voice.noise_w": (0.0, 2.0),
    "voice.retries": (0, 20), "voice.retry_backoff": (0.0, 60.0), "voice.timeout": (1.0, 300.0),
    "audio.channels": (1, 2), "audio.sample_rate": (8000, 96000), "audio.bitrate": (16, 320),
    "audio.encoder_quality": (0, 9), "audio.low_bandwidth_kbps": (12, 64), "audio.loudness": (-40.0, -5.0), "audio.true_peak": (-12.0, 0.0),
    "audio.sentence_pause": (0.0, 10.0), "audio.paragraph_pause": (0.0, 10.0), "audio.section_pause": (0.0, 10.0),
    "audio.intro_lead": (0.0, 60.0), "audio.outro_tail": (0.0, 60.0), "audio.duck_db": (-60.0, 0.0),
    "audio.crossfade": (0.0, 10.0),
    "build.jobs": (1, 256), "build.cache_limit_mb": (0, 10_000_000), "build.task_timeout": (1.0, 86400.0),
    "build.voice_server_idle": (0.0, 86400.0),
    "site.per_page": (1, 1000),
    "fetch.timeout": (0.1, 600.0), "fetch.max_bytes": (1_000, 1_000_000_000), "fetch.max_redirects": (0, 20),
    "publish.grace_days": (0.0, 3650.0), "verify.threshold": (0.0, 1.0),
    "digest.days": (0, 366), "digest.keep": (1, 520),
}
_TYPE_NAMES = {bool: "true or false", int: "whole number", float: "number", str: 'text in quotes ("...")'}
SHOW_TYPES = ("serial", "episodic")


def _normalize_base_url(url: str, where: Path) -> str:
    url = str(url).strip()
    if not (url.startswith("http://") or url.startswith("https://")):
        raise ConfigError(
            f"base_url {url!r} is not an http(s) URL",
            where,
            'set base_url = "https://your.site/podcast/" (where feed/ will be served)',
        )
    return url if url.endswith("/") else url + "/"


def _types(hint: Any) -> tuple[type, ...]:
    """The Python types a TOML value may have for an annotation: `float | None` takes 1 or 1.5."""
    args = typing.get_args(hint) if typing.get_origin(hint) in (typing.Union, types.UnionType) else (hint,)
    out = tuple(a for a in args if a is not type(None))
    return (int, float) if float in out else out


def _coerce(section: str, cls: type, raw: dict[str, Any], where: Path, errors: list[ConfigError]) -> dict[str, Any]:
    """A dataclass's fields from a TOML table: every unknown key, wrong type and value out of
    range is added to `errors` (all of them, so a producer fixes show.toml in one go)."""
    hints = typing.get_type_hints(cls)
    known = {f.name for f in dataclasses.fields(cls)
             if f.init and f.name != "root" and (section or f.name not in _SECTIONS)}
    values: dict[str, Any] = {}
    value: Any
    for key, value in raw.items():
        dotted = f"{section}.{key}" if section else key
        if key in _SECTIONS and not section:
            continue
        if key not in known:
            errors.append(ConfigError(f"unknown setting '{dotted}'", where,
                                      f"remove it or check its spelling (known: {', '.join(sorted(known))})"))
            continue
        if typing.get_origin(hints[key]) is list:  # a list of text ("feeds = ["https://..."]")
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                errors.append(ConfigError(f"setting '{dotted}' should be a list of text, not {value!r}", where,
                                          f'write {key} = ["..."]'))
            else:
                values[key] = list(value)
            continue
        expected = _types(hints[key])
        if isinstance(value, bool) and bool not in expected or not isinstance(value, expected):
            kind = _TYPE_NAMES[expected[-1]] if len(expected) == 1 or float in expected else "value"
            errors.append(ConfigError(f"setting '{dotted}' should be a {kind}, not {value!r}", where, "fix its value"))
            continue
        number: Any = value  # an int or float by now (the isinstance check narrows it to object)
        if dotted in RANGES:
            low, high = RANGES[dotted]
            if not low <= number <= high:
                errors.append(ConfigError(f"setting '{dotted}' is {value!r}, outside its range {low:g} to {high:g}",
                                          where, f"set it between {low:g} and {high:g}"))
                continue
        values[key] = float(number) if float in expected and not isinstance(value, bool) else value
    return values


def load_show(root: Path | str = ".") -> Show:
    """Read and validate show.toml; every problem is a ConfigError naming the file and the fix,
    and all of them are reported together (ConfigErrors)."""
    root = Path(root).resolve()
    where = root / SHOW_FILE
    if not where.is_file():
        raise ConfigError(
            "no show.toml here",
            where,
            "run 'readcast init DIR' to make a show, or pass --show DIR pointing at one",
        )
    try:
        raw = tomllib.loads(where.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise ConfigError("is not UTF-8 text", where, "save it as UTF-8") from None
    except OSError as exc:
        raise ConfigError(f"cannot be read ({exc.strerror})", where, "check its permissions") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"is not valid TOML ({exc})", where, "fix the syntax at that line") from None

    errors: list[ConfigError] = []
    for name in REQUIRED:
        value = raw.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            example = {
                "id": f'id = "{uuid.uuid4()}"',
                "base_url": 'base_url = "https://your.site/podcast/"',
            }.get(name, f'{name} = "..."')
            errors.append(ConfigError(f"missing required field '{name}'", where, f"add {example} at the top"))

    top = _coerce("", Show, raw, where, errors)
    for section, cls in _SECTIONS.items():
        table = raw.get(section, {})
        if not isinstance(table, dict):
            errors.append(ConfigError(f"'{section}' should be a table", where, f"write it as [{section}]"))
            table = {}
        top[section] = cls(**_coerce(section, cls, table, where, errors))

    def check(ok: bool, message: str, hint: str) -> None:
        if not ok:
            errors.append(ConfigError(message, where, hint))

    if isinstance(top.get("id"), str) and top["id"].strip():
        try:
            uuid.UUID(top["id"])
        except ValueError:
            check(False, f"id {top['id']!r} is not a UUID", f'use a fresh one, e.g. id = "{uuid.uuid4()}", and never change it')
    if isinstance(top.get("base_url"), str) and top["base_url"].strip():
        try:
            top["base_url"] = _normalize_base_url(top["base_url"], where)
        except ConfigError as exc:
            errors.append(exc)
    check(top.get("type", "serial") in SHOW_TYPES, f"type {top.get('type')!r} is not one of {SHOW_TYPES}",
          'use "serial" or "episodic"')
    from .audio.engines import engine_names

    check(top["voice"].engine in engine_names(), f"voice.engine {top['voice'].engine!r} is unknown",
          f"use one of: {', '.join(engine_names(include_hidden=False))}")
    check(top["verify"].recognizer in ("whisper", "fake"), f"verify.recognizer {top['verify'].recognizer!r} is unknown",
          'use "whisper"')
    executor = top["build"].executor
    check(executor == "local" or executor.startswith("dask://") or executor.startswith("tcp://"),
          f"build.executor {executor!r} is not \"local\" or \"dask://HOST:PORT\"",
          'write executor = "local", or the scheduler\'s address as "dask://HOST:8786"')
    check(top["audio"].channels in (1, 2), "audio.channels must be 1 or 2", "set channels = 1 (mono) or 2")
    try:
        from zoneinfo import ZoneInfo

        ZoneInfo(top.get("timezone", "UTC"))
    except Exception:
        check(False, f"timezone {top.get('timezone')!r} is unknown", 'use an IANA name such as "America/Chicago"')
    if errors:
        raise errors[0] if len(errors) == 1 else ConfigErrors(errors)
    show = Show(root=root, **top)
    if not show.link:
        show = dataclasses.replace(show, link=show.base_url)
    return show
