"""Article -> script -> spoken text, compared with reviewed golden files (make golden rewrites them)."""

from __future__ import annotations

import pytest

from tests.golden import GOLDEN, articles, render


@pytest.mark.parametrize("path", articles(), ids=lambda p: p.stem)
def test_script_and_spoken_form_match_golden(path):
    script, spoken = render(path)
    assert script == (GOLDEN / f"{path.stem}.script.txt").read_text(encoding="utf-8"), "run `make golden` and review the diff"
    assert spoken == (GOLDEN / f"{path.stem}.spoken.txt").read_text(encoding="utf-8"), "run `make golden` and review the diff"


def test_the_bundled_site_publishes_what_it_did(bundled):
    """Captions' text, chapters and every feed field of the built bundled show, against a reviewed
    snapshot (`python -m tests.golden --site` rewrites it): a refactor must not move them."""
    from tests.golden import SITE, site_snapshot

    assert site_snapshot(bundled) == SITE.read_text(encoding="utf-8"), "run `python -m tests.golden --site` and review"
