"""Article -> script -> spoken text, compared with reviewed golden files (make golden rewrites them)."""

from __future__ import annotations

import pytest

from tests.golden import GOLDEN, articles, render


@pytest.mark.parametrize("path", articles(), ids=lambda p: p.stem)
def test_script_and_spoken_form_match_golden(path):
    script, spoken = render(path)
    assert script == (GOLDEN / f"{path.stem}.script.txt").read_text(encoding="utf-8"), "run `make golden` and review the diff"
    assert spoken == (GOLDEN / f"{path.stem}.spoken.txt").read_text(encoding="utf-8"), "run `make golden` and review the diff"
