"""Each page's Markdown conversion is kept by content between builds (`pagecache`): an edit reconverts
only the pages it changed, the site is byte for byte the one a build without any cache makes,
`mkdocs serve` never shows a page from before an edit, a link whose target went away warns again, and
an entry from another machine or a torn one is ignored."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config

from conftest import small_project
from fieldguide import buildcache, pagecache

EDITED = "challenges/data-discovery.yaml"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "project").mkdir()
    return small_project(tmp_path / "project", "Conversions")


@pytest.fixture
def counts(monkeypatch: pytest.MonkeyPatch) -> Callable[[], tuple[int, int]]:
    """(hits, misses) of the latest build, `mkdocs build` or a `mkdocs serve` rebuild."""
    made: list[pagecache.Conversions] = []
    init = pagecache.Conversions.__init__

    def spy(self: pagecache.Conversions, *args: object) -> None:
        init(self, *args)  # type: ignore[arg-type]
        made.append(self)

    monkeypatch.setattr(pagecache.Conversions, "__init__", spy)
    return lambda: (made[-1].hits, made[-1].misses)


def _build(project: Path, out: Path, **options: object) -> None:
    build(load_config(str(project / "mkdocs.yml"), site_dir=str(out), **options))


def _edit(project: Path, old: str, new: str, path: str = EDITED) -> None:
    file = project / "catalog" / path
    text = file.read_text(encoding="utf-8")
    assert old in text
    file.write_text(text.replace(old, new, 1), encoding="utf-8")


def _tree(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def _page(site: Path, path: str) -> str:
    return (site / path / "index.html").read_text(encoding="utf-8")


def test_an_edit_reconverts_only_its_pages_and_the_site_is_what_a_build_without_cache_makes(
        project: Path, tmp_path: Path, counts: Callable[[], tuple[int, int]], monkeypatch: pytest.MonkeyPatch) -> None:
    _build(project, tmp_path / "first")
    hits, misses = counts()
    assert hits == 0 and misses > 20, "the first build converts every page"
    _build(project, tmp_path / "same")
    assert counts() == (misses, 0), "nothing changed: nothing converted"
    _edit(project, "Teams lose weeks looking for it.", "Teams lose weeks looking for it, edited.")
    _build(project, tmp_path / "edited")
    hits, again = counts()
    assert 1 <= again <= 4 and hits + again == misses, "only the pages the edit changed"
    assert "looking for it, edited." in _page(tmp_path / "edited", "challenges/data-discovery")
    monkeypatch.setenv("FIELDGUIDE_CACHE_DIR", str(tmp_path / "no-cache-yet"))
    _build(project, tmp_path / "uncached")
    assert counts()[0] == 0
    assert _tree(tmp_path / "edited") == _tree(tmp_path / "uncached")


def test_serve_never_shows_a_page_from_before_an_edit(project: Path, tmp_path: Path,
                                                     counts: Callable[[], tuple[int, int]]) -> None:
    """`mkdocs serve` rebuilds in one process; each rebuild reconverts only the pages an edit changed."""
    config = load_config(str(project / "mkdocs.yml"), site_dir=str(tmp_path / "served"))
    config.plugins.on_startup(command="serve", dirty=False)
    build(config)
    pages = counts()[1]
    assert "Teams lose weeks looking for it." in _page(tmp_path / "served", "challenges/data-discovery")
    _edit(project, "Teams lose weeks looking for it.", "Teams lose days looking for it.")
    _build(project, tmp_path / "served")
    page = _page(tmp_path / "served", "challenges/data-discovery")
    assert "Teams lose days looking for it." in page and "lose weeks" not in page
    assert 1 <= counts()[1] <= 4 and sum(counts()) == pages
    _edit(project, "Teams lose days looking for it.", "Teams lose weeks looking for it.")
    _build(project, tmp_path / "served")
    page = _page(tmp_path / "served", "challenges/data-discovery")
    assert "Teams lose weeks looking for it." in page and "lose days" not in page
    assert counts() == (pages, 0), "back as it was: every page as first converted"


def test_a_link_whose_target_went_away_warns_again(project: Path, tmp_path: Path,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    """The page with the link is unchanged, but what its link found is looked up again: no stale pass."""
    (project / "content" / "a.md").write_text("# A\n\nSee [the other page](b.md) and [a gap](gone.md).\n")
    (project / "content" / "b.md").write_text("# B\n\nHere.\n")
    with caplog.at_level(logging.WARNING):
        _build(project, tmp_path / "first", strict=False)
    first = [r.getMessage() for r in caplog.records if "a.md" in r.getMessage()]
    assert any("gone.md" in m for m in first) and not any("'b.md'" in m for m in first)
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        _build(project, tmp_path / "again", strict=False)
    assert [r.getMessage() for r in caplog.records if "a.md" in r.getMessage()] == first, "a kept page warns again"
    (project / "content" / "b.md").unlink()
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        _build(project, tmp_path / "third", strict=False)
    assert any("b.md" in r.getMessage() and "not found" in r.getMessage() for r in caplog.records)
    with pytest.raises(Exception):  # noqa: B017 - mkdocs aborts a strict build with its own type
        _build(project, tmp_path / "strict")


@pytest.mark.parametrize("damage", ["torn", "other machine"])
def test_a_torn_or_foreign_entry_is_ignored(project: Path, tmp_path: Path, damage: str) -> None:
    _build(project, tmp_path / "first")
    folder = buildcache.cache_dir(project) / pagecache.FOLDER
    entries = sorted(folder.glob("*.json"))
    assert entries
    for entry in entries:
        if damage == "torn":
            entry.write_text(entry.read_text(encoding="utf-8")[:100], encoding="utf-8")
        else:
            data = json.loads(entry.read_text(encoding="utf-8"))
            data["tag"] = "0" * 64
            data["value"]["content"] = "<p>Planted by the cache</p>"
            entry.write_text(json.dumps(data), encoding="utf-8")
    _build(project, tmp_path / "second")
    assert _tree(tmp_path / "first") == _tree(tmp_path / "second")
