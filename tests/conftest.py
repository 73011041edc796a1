"""Shared fixtures: two small valid catalogs, a way to lay a broken-catalog case over one, the CLI runner."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import settings

from fieldguide.cli import main

# CI runs the same examples every time (a red CI must be reproducible); locally they vary and find more.
settings.register_profile("ci", derandomize=True, print_blob=True)
settings.register_profile("explore", max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "default"))

# Builds keep their caches outside the project (fieldguide.buildcache): in tests, in a folder of this
# session, never in the user's ~/.cache. Subprocess builds inherit it.
if not os.environ.get("FIELDGUIDE_CACHE_DIR"):
    import atexit
    import tempfile

    os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="fieldguide-test-cache-")
    atexit.register(shutil.rmtree, os.environ["XDG_CACHE_HOME"], ignore_errors=True)

# Browser fixtures (site, browser, page) live in browser.py.
pytest_plugins = ["browser"]

HERE = Path(__file__).parent
VALID = HERE / "catalogs" / "valid"
BROKEN = HERE / "catalogs" / "broken"
REAL = HERE.parent / "catalog"
RICH = HERE / "catalogs" / "rich"


def small_project(parent: Path, title: str) -> Path:
    """A project folder around a copy of the valid catalog (in `catalog/`, free to edit) that builds with the
    real configuration, code and assets, and a navigation that fits the small catalog."""
    root = HERE.parent
    for name in ("scripts", "node_modules"):
        (parent / name).symlink_to(root / name)
    (parent / "content").mkdir()
    (parent / "content" / "assets").symlink_to(root / "content" / "assets")
    (parent / "content" / "index.md").write_text(f"# {title}\n\n[All challenges](challenges/index.md)\n")
    (parent / "mkdocs.yml").write_text(f"INHERIT: {root / 'mkdocs.yml'}\nnav:\n  - index.md\n")
    shutil.copytree(VALID, parent / "catalog")
    return parent


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects anything
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test in a `test_browser_*.py` file is a browser test: `-m "not browser"` is the fast suite."""
    for item in items:
        if item.path.name.startswith("test_browser_"):
            item.add_marker(pytest.mark.browser)


def cli(*args: str, code: int = 0) -> Result:
    """Run `fieldguide ARGS` in-process and check how it ended: exit `code`, and no exception escaped.

    CliRunner never prints a traceback, so a crash shows only in `result.exception`: None after a
    success, SystemExit after a clean failure (`sys.exit(1)` with a message), anything else a crash.
    """
    result = CliRunner().invoke(main, [str(a) for a in args])
    if code == 0:
        assert result.exception is None, f"fieldguide {' '.join(map(str, args))} raised {result.exception!r}"
    else:
        assert isinstance(result.exception, SystemExit), f"crashed instead of exiting: {result.exception!r}"
    assert result.exit_code == code, f"exit {result.exit_code}, expected {code}:\n{result.output}"
    return result


def assemble(case: Path, target: Path, base: Path = VALID) -> Path:
    """Copy a valid catalog (`base`) to `target/catalog`, then lay the case's files over it.

    A case folder holds replacement or extra files, an optional DELETE file listing paths to remove,
    an optional BASE file naming the catalog under `catalogs/` to start from (default `valid`),
    and expected.txt with the exact problem lines `fieldguide check` must print.
    """
    catalog = target / "catalog"
    if (case / "BASE").exists():
        base = HERE / "catalogs" / (case / "BASE").read_text(encoding="utf-8").strip()
    shutil.copytree(base, catalog)
    for path in case.rglob("*"):
        rel = path.relative_to(case)
        if path.is_dir() or rel.name in ("expected.txt", "DELETE", "BASE"):
            continue
        (catalog / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, catalog / rel)
    delete = case / "DELETE"
    if delete.exists():
        for line in delete.read_text().split():
            (catalog / line).unlink()
    return catalog


@pytest.fixture
def rich_catalog(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the rich catalog (`catalogs/rich/README.md`), the working directory beside it."""
    shutil.copytree(RICH, tmp_path / "catalog")
    monkeypatch.chdir(tmp_path)
    return tmp_path / "catalog"


@pytest.fixture
def valid_catalog(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the valid catalog, with the working directory set beside it."""
    shutil.copytree(VALID, tmp_path / "catalog")
    monkeypatch.chdir(tmp_path)
    return tmp_path / "catalog"
