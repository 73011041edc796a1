"""Ids that would overwrite a generated page are refused, and the set is the generator's own."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from conftest import REAL
from fieldguide import graph, load, pages, render
from test_htmlcheck import _build, _project


def test_render_writes_exactly_the_planned_pages() -> None:
    """`check` finds reserved ids through `pages.planned_pages`: it must list what `render` writes."""
    cat = load.load(REAL)
    written = {path for path in render.render(cat, graph.build(cat), changelog=[]) if path.endswith(".md")}
    planned = pages.planned_pages({"stage": [s.id for s in cat.stages], "challenge": list(cat.challenges),
                                   "case_study": list(cat.case_studies), "mitigation": list(cat.mitigations),
                                   "framework": list(cat.frameworks),
                                   "reference": [*cat.references, *(r.id for r in cat.retired.values()
                                                                    if r.kind == "reference")]})
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


# Ids the templates and scripts build from a variable, by their fixed beginning, and why each one
# that is not in pages.RESERVED_ID_PREFIXES cannot clash with a catalog id on its page.
NOT_RESERVED = {
    "": "a bare catalog id (`{ #{{ step.id }} }`): one namespace, unique by `check`",
    "section-": "framework section anchors: items may not start so (pages.FRAMEWORK_SECTION_PREFIX)",
    "kind-": "the mitigations index's kinds, a fixed list; no catalog id is an anchor on that page",
    "v": "the changelog's release anchors; no catalog id is an anchor on that page",
}
_TEMPLATE_ID = re.compile(r'id="([a-z-]*)\{\{|\{ #([a-z-]*)\{\{')
# In scripts: `id: `...${`, `someId = `...${`, and Mermaid's `render(`fg-diagram-${...}`)` (the SVG's id).
_SCRIPT_ID = re.compile(r"(?:\bid\s*[:=]\s*|Id\s*=\s*|\brender\()`([a-z][a-z-]*-)\$\{")


def test_every_id_the_pages_build_from_catalog_ids_is_reserved_or_cannot_clash() -> None:
    """The page code's own ids are derived from the templates and scripts themselves, so a new
    widget id (`fg-...`, `done-<item>`) cannot be forgotten in pages.RESERVED_ID_PREFIXES."""
    root = REAL.parent
    found = set()
    for path in (root / "scripts" / "fieldguide" / "templates").glob("*.j2"):
        found |= {a or b for a, b in _TEMPLATE_ID.findall(path.read_text(encoding="utf-8"))}
    for path in (root / "content" / "assets" / "javascripts").rglob("*.js"):
        found |= set(_SCRIPT_ID.findall(path.read_text(encoding="utf-8")))
    assert {"done-", "fg-trait-", "fg-brief-", "fg-search-group-", "fg-diagram-", ""} <= found, "the scan works"
    uncovered = {p for p in found if not p.startswith(pages.RESERVED_ID_PREFIXES) and p not in NOT_RESERVED}
    assert uncovered == set()


@pytest.mark.parametrize("step_id", ["fg-name", "done-x", "evidence-links"])
def test_an_id_that_is_one_of_the_pages_own_element_ids_is_refused_by_check(tmp_path: Path, step_id: str) -> None:
    """It used to pass `check` and then fail the build on a duplicate id."""
    import shutil

    from conftest import VALID

    shutil.copytree(VALID, tmp_path / "catalog")
    for path in (tmp_path / "catalog").rglob("*.yaml"):
        path.write_text(path.read_text(encoding="utf-8").replace("data-analysis", step_id), encoding="utf-8")
    _, problems = load.load_with_problems(tmp_path / "catalog")
    assert [p.message for p in problems] == [
        f"ids beginning with '{step_id.split('-')[0]}-' are reserved for the pages' own elements: choose another id"]
