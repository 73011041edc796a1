"""`mkdocs build --strict` on the real catalog: the hook serves a page for every entity."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REAL
from fieldguide import load

ROOT = REAL.parent


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
                          cwd=ROOT, capture_output=True, text=True, env=env, check=False)
    assert proc.returncode == 0, proc.stderr
    return out


def test_every_entity_has_its_page(built_site: Path) -> None:
    cat = load.load(REAL)
    for stage in cat.stages:
        assert (built_site / "stages" / stage.id / "index.html").is_file()
    for folder, pool in (("challenges", cat.challenges), ("case-studies", cat.case_studies),
                         ("mitigations", cat.mitigations)):
        for entity_id in pool:
            assert (built_site / folder / entity_id / "index.html").is_file(), f"{folder}/{entity_id}"
    bibliography = (built_site / "references" / "index.html").read_text(encoding="utf-8")
    for rid in cat.references:
        assert f'id="{rid}"' in bibliography, rid


def test_nothing_generated_is_written_into_content() -> None:
    generated = {"challenges", "case-studies", "mitigations", "stages", "references.md"}
    assert not generated & {p.name for p in (ROOT / "content").iterdir()}


def test_challenge_page_shows_checklist_and_backlinks(built_site: Path) -> None:
    html = (built_site / "challenges" / "business-driven-metrics" / "index.html").read_text(encoding="utf-8")
    assert "Booking.com" in html, "the case study that illustrates it is linked from its page"
    assert 'type="checkbox"' in html
