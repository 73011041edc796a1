"""Shared fixtures: a small valid catalog and a way to apply a broken-catalog case over it."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import settings

# CI runs the same examples every time (a red CI must be reproducible); locally they vary and find more.
settings.register_profile("ci", derandomize=True, print_blob=True)
settings.register_profile("explore", max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "default"))

# Browser fixtures (site, browser, page) live in browser.py.
pytest_plugins = ["browser"]

HERE = Path(__file__).parent
VALID = HERE / "catalogs" / "valid"
BROKEN = HERE / "catalogs" / "broken"
REAL = HERE.parent / "catalog"


def assemble(case: Path, target: Path) -> Path:
    """Copy the valid catalog to `target/catalog`, then lay the case's files over it.

    A case folder holds replacement or extra files, an optional DELETE file listing paths to remove,
    and expected.txt with the exact problem lines `fieldguide check` must print.
    """
    catalog = target / "catalog"
    shutil.copytree(VALID, catalog)
    for path in case.rglob("*"):
        rel = path.relative_to(case)
        if path.is_dir() or rel.name in ("expected.txt", "DELETE"):
            continue
        (catalog / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, catalog / rel)
    delete = case / "DELETE"
    if delete.exists():
        for line in delete.read_text().split():
            (catalog / line).unlink()
    return catalog


@pytest.fixture
def valid_catalog(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the valid catalog, with the working directory set beside it."""
    shutil.copytree(VALID, tmp_path / "catalog")
    monkeypatch.chdir(tmp_path)
    return tmp_path / "catalog"
