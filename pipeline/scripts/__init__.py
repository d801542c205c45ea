"""scripts/: one narration script per episode, regenerated without losing a producer's edits.

Each script's header stamps the hash of what readcast generated. On the next run, a script whose
body no longer matches that hash was edited by hand: it is kept as it is, and if its article
changed underneath it, the producer is warned (their edit may now be out of date).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from ..config import Show
from ..episodes import Episode
from ..errors import ScriptError
from ..files import digest
from .generate import generate, generator_inputs
from .model import Script, body_hash, parse_script

if TYPE_CHECKING:
    from ..index import BuildIndex

__all__ = ["Script", "ScriptResult", "script_path", "load_script", "load_script_file", "plan_script"]

log = logging.getLogger(__name__)


@dataclass
class ScriptResult:
    script: Script
    path: Path
    state: str  # "current", "written", "edited", "edited-stale"
    text: str = ""


def script_path(show: Show, ep: Episode) -> Path:
    return show.scripts_dir / f"{ep.slug}.txt"


def load_script_file(show: Show, ep: Episode) -> ScriptResult:
    """The script as it is on disk (the audio stage run on its own uses it as the producer left it)."""
    path = script_path(show, ep)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScriptError("does not exist", path, "run 'readcast script' (or 'readcast build') first") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScriptError(f"cannot be read ({exc})", path, "save it as UTF-8 text, or delete it to regenerate") from None
    return ScriptResult(parse_script(text, ep.slug, path)[0], path, "current", text)


def load_script(show: Show, ep: Episode) -> Script:
    return load_script_file(show, ep).script


def plan_script(show: Show, ep: Episode, make: Callable[[], Script] | None = None, inputs: str | None = None,
                source: str | None = None, index: BuildIndex | None = None) -> ScriptResult:
    """What the script stage would do for this episode, without writing anything. `make`, `inputs`
    and `source` stand in for the article's generator (a digest is made from other scripts). With
    an index, a script file unchanged since the last build, for an unchanged article, is not
    parsed again."""
    path = script_path(show, ep)
    inputs = inputs or digest(generator_inputs(ep, show))
    if index is not None:
        return index.memo("script", ep.slug, (inputs, ep.source_hash, source),
                          lambda: _plan_script(show, ep, path, inputs, make, source), files=(path,))
    return _plan_script(show, ep, path, inputs, make, source)


def _plan_script(show: Show, ep: Episode, path: Path, inputs: str, make: Callable[[], Script] | None,
                 source: str | None) -> ScriptResult:
    existing = None
    try:
        existing = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        pass
    except (OSError, UnicodeDecodeError) as exc:
        raise ScriptError(f"cannot be read ({exc})", path, "save it as UTF-8 text, or delete it to regenerate") from None
    if existing is not None:
        script, body = parse_script(existing, ep.slug, path)
        edited = script.stamp.get("generated") != body_hash(body)
        if edited:
            # only the article changing matters to a hand-edited script, not a readcast upgrade
            stale = script.stamp.get("source") != ep.source_hash[:16]
            return ScriptResult(script, path, "edited-stale" if stale else "edited", existing)
        if script.stamp.get("inputs") == inputs:
            return ScriptResult(script, path, "current", existing)
    script = make() if make is not None else generate(ep, show)
    body = script.body_text()
    script.stamp = {"inputs": inputs, "source": ep.source_hash[:16], "generated": body_hash(body)}
    rel = source or f"{ep.source.parent.name}/{ep.source.name}"
    return ScriptResult(script, path, "written", script.render(rel))


