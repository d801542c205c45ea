"""One exception root, so the CLI can turn every expected failure into one line."""

from __future__ import annotations

from pathlib import Path


class ReadcastError(Exception):
    """An expected failure: the message names the file and says how to fix it."""

    def __init__(self, message: str, path: Path | str | None = None, hint: str | None = None):
        # a URL is named as it is (Path() would fold its "//")
        self.path = Path(path) if path is not None and "://" not in str(path) else None
        self.where = str(path) if path is not None else None
        self.hint = hint
        text = message
        if self.where is not None:
            text = f"{self.where}: {text}"
        if hint:
            text = f"{text}; {hint}"
        # one line, whatever the input held
        super().__init__(" ".join(text.split()))


class ConfigError(ReadcastError):
    """show.toml is missing, unreadable or holds a bad value."""


class ConfigErrors(ConfigError):
    """Several problems in show.toml, reported together; the message is the first of them."""

    def __init__(self, problems: list[ConfigError]):
        self.problems = problems
        first = problems[0]
        super().__init__(str(first))
        self.path, self.where, self.hint = first.path, first.where, first.hint


class EpisodeError(ReadcastError):
    """An article cannot be read or lacks what an episode needs."""


class ScriptError(ReadcastError):
    """A narration script cannot be parsed."""


class EngineError(ReadcastError):
    """A speech engine is missing, offline, or failed."""


class AudioError(ReadcastError):
    """An audio asset cannot be decoded or the mix cannot be encoded."""


class FeedError(ReadcastError):
    """The feed or site cannot be published."""


