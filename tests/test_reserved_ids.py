"""Ids that would overwrite a generated page are refused, and the set is the generator's own."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from conftest import REAL
from fieldguide import graph, load, pages, render
from test_htmlcheck import _build, _project


def test_render_writes_exactly_the_planned_pages() -> None:
    """`check` finds reserved ids through `pages.planned_pages`: it must list what `render` writes."""
    cat = load.load(REAL)
    written = {path for path in render.render(cat, graph.build(cat)) if path.endswith(".md")}
    planned = pages.planned_pages({"stage": [s.id for s in cat.stages], "challenge": list(cat.challenges),
                                   "case_study": list(cat.case_studies), "mitigation": list(cat.mitigations),
                                   "framework": list(cat.frameworks)})
    assert written == {path for path, _ in planned}
    assert pages.collisions({"stage": [s.id for s in cat.stages], "challenge": list(cat.challenges),
                             "case_study": list(cat.case_studies), "mitigation": list(cat.mitigations)}) == []


def test_index_is_reserved_in_every_folder_of_generated_pages() -> None:
    for kind, listing in (("challenge", "challenges/index.md"), ("case_study", "case-studies/index.md"),
                          ("mitigation", "mitigations/index.md"), ("stage", "checklists/index.md")):
        assert pages.collisions({kind: ["index"]}) == [("index", listing, pages.LISTING_PAGES[listing])]
        assert pages.reserved_ids(kind) == ["index"]


def test_two_entities_with_one_page_are_reported_once() -> None:
    assert pages.collisions({"stage": ["data"], "challenge": ["ok"]}) == []
    assert pages.collisions({"challenge": ["a", "a"]}) == [("a", "challenges/a.md", "the page of 'a'")]


def test_a_hand_written_page_is_never_silently_replaced(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """The hook refuses to put a generated page where content/ already has one."""
    project = _project(tmp_path, "A description.")
    (project / "content" / "challenges").mkdir()
    (project / "content" / "challenges" / "index.md").write_text("# Hand-written\n", encoding="utf-8")
    with caplog.at_level(logging.ERROR), pytest.raises(Exception):  # noqa: B017 - mkdocs aborts with its own type
        _build(project, tmp_path / "site")
    assert "generated page challenges/index.md would replace content/challenges/index.md" in caplog.text
