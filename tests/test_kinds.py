"""One table of entity kinds (`kinds.KINDS`), and every place that lists kinds follows it: a kind the
table gains fails here until each place has it. And what the table is for: `fieldguide diff` and the
changelog see a change in every kind of entity, frameworks included."""

from __future__ import annotations

import ast
import csv
import io
import json
import shutil
import subprocess
import typing
from pathlib import Path

import pydantic
import pytest
import yaml

from conftest import VALID, cli
from fieldguide import graph, load, pages, release, render, schema, search
from fieldguide.catalog import Catalog
from fieldguide.kinds import FILED, KIND, KINDS, RETIRABLE, SEARCHED

PACKAGE = Path(load.__file__).parent


def test_the_table_is_well_formed() -> None:
    assert len(KIND) == len(KINDS), "kind ids are unique"
    assert len({k.folder for k in FILED}) == len(FILED) and len({k.attribute for k in KINDS}) == len(KINDS)
    assert sorted(k.search_rank for k in SEARCHED) == list(range(1, len(SEARCHED) + 1))
    for kind in KINDS:
        assert kind.id.isidentifier() and kind.label == kind.id.replace("_", " ")
        assert kind.plural[0].isupper()


def test_each_kind_has_its_model_and_its_pool() -> None:
    fields = {f.name for f in Catalog.__dataclass_fields__.values()}
    for kind in KINDS:
        model = schema.MODELS[kind.id]
        assert issubclass(model, pydantic.BaseModel) and model.__name__ == kind.model
        assert "id" in model.model_fields, kind.id
        assert kind.attribute in fields or isinstance(getattr(Catalog, kind.attribute, None), property) or \
            hasattr(Catalog, kind.attribute), f"Catalog has no pool {kind.attribute!r} for {kind.id}"


def test_reading_fills_each_filed_kind_from_its_folder() -> None:
    cat = load.load(VALID, keep_files=True)
    assert list(schema.ENTITY_DIRS) == [k.folder for k in FILED]
    for kind in FILED:
        pool = cat.pool(kind.id)
        files = sorted(p.stem for p in (VALID / kind.folder).glob("*.yaml"))
        assert sorted(pool) == files, kind.id
        assert all(isinstance(e, schema.MODELS[kind.id]) for e in pool.values())
        assert all(f"{kind.folder}/{i}.yaml" in cat.files for i in pool), "the data diff and the changelog compare"


def test_every_list_of_kinds_derives_from_the_table() -> None:
    assert {k.folder: k.id for k in FILED} == release.FOLDERS
    assert typing.get_args(schema.RetiredKind) == RETIRABLE
    retired = schema.json_schema_files()["retired.schema.json"]["$defs"]["Retired"]["properties"]["kind"]
    assert tuple(retired["enum"]) == RETIRABLE
    assert tuple(k.search for k in SEARCHED) == search.TYPES
    assert set(search.LIMITS) == set(search.FIELDS) == set(search.TYPES)
    assert {k.search: k.plural for k in SEARCHED} == search.HEADINGS
    for kind in KINDS:
        if kind.page:
            example = "deon:b-1" if kind.id == "framework_item" else "x"
            assert pages.page_path(kind.id, example) == kind.page.format(id="x", initial="x", framework="deon",
                                                                         item="b-1")
        else:
            with pytest.raises(KeyError):
                pages.page_path(kind.id, "x")
    for kind in SEARCHED:  # as the page fills them in (engine/search.js `url`)
        assert "https://g.example/" + search.URLS[kind.search].replace("{initial}", "s").replace("{id}", "sx") == \
            pages.entity_url("https://g.example/", kind.id, "sx")
    # Ids that would take a listing page's address, for every kind with a page of its own.
    assert {k.id for k in KINDS if k.own_page and pages.reserved_ids(k.id)} == {k.id for k in KINDS if k.own_page}


def test_the_graph_csv_and_check_name_every_kind_as_the_table_does(valid_catalog: Path) -> None:
    cat = load.load(VALID)
    g = graph.build(cat)
    for kind in FILED:
        assert {g.nodes[i]["kind"] for i in cat.pool(kind.id)} == {kind.id}
    rows = list(csv.DictReader(io.StringIO(cli("export", "--format", "csv").stdout)))
    types = list(dict.fromkeys(r["type"] for r in rows))
    assert types == [k.id for k in FILED[:-1]] + ["framework", "framework_item"], "catalog order, items after"
    assert {r["id"] for r in rows if r["type"] == "finding"} == set(cat.findings)
    exported = json.loads(cli("export", "--format", "json").stdout)
    for kind in FILED:
        assert {e["id"] for e in exported[kind.attribute]} == set(cat.pool(kind.id)), f"catalog.json: {kind.id}"
    summary = cli("check").stdout.splitlines()[0]
    for kind in FILED:
        assert kind.plural.lower() in summary
    choices = cli("search", "--help").stdout
    assert all(t in choices for t in search.TYPES)


def test_one_spelling_of_each_kind_in_the_code() -> None:
    """`case-study` (the search index's type, a format the page reads) is written in kinds.py and the
    search engine only; everywhere else a kind is its id."""
    found = set()
    for path in PACKAGE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and node.value == "case-study":
                found.add(path.name)
    assert found <= {"kinds.py", "search.py"}


# ---------------------------------------------------------------- diff and the changelog see every kind


def _retitle_one_of_each_kind(folder: Path) -> dict[str, str]:
    """Retitle the first entity of every filed kind; (kind -> its id)."""
    changed = {}
    for kind in FILED:
        path = sorted((folder / kind.folder).glob("*.yaml"))[0]
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        text = path.read_text(encoding="utf-8")
        line = next(x for x in text.splitlines() if x.startswith("title:"))
        path.write_text(text.replace(line, "title: A new title", 1), encoding="utf-8")
        changed[kind.id] = data["id"]
    return changed


def test_diff_reports_a_changed_entity_of_every_kind(tmp_path: Path) -> None:
    old, new = tmp_path / "old", tmp_path / "new"
    shutil.copytree(VALID, old)
    shutil.copytree(VALID, new)
    expected = _retitle_one_of_each_kind(new)
    data = json.loads(cli("diff", str(old), str(new), "--format", "json").stdout)
    assert {c["kind"]: c["id"] for c in data["changed"]} == expected
    assert all(c["fields"] == ["title"] for c in data["changed"])
    text = cli("diff", str(old), str(new)).stdout
    assert "  framework   example-rubric: A new title [title]" in text


def test_the_changelog_reports_a_changed_entity_of_every_kind(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(VALID, repo / "catalog")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "-C", str(repo)]
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "old release"], check=True)
    commit = subprocess.run([*git, "rev-parse", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
    (repo / release.RELEASES_FILE).write_text(
        yaml.safe_dump({"releases": [{"version": "2026.01.01", "date": "2026-01-01", "commit": commit}]}),
        encoding="utf-8")
    expected = _retitle_one_of_each_kind(repo / "catalog")
    cat = load.load(repo / "catalog", keep_files=True)
    log = release.changelog(repo, cat)
    assert log == release.changelog(repo, repo / "catalog"), "the catalog read once gives what reading it again gives"
    changed = {c["kind"]: c["id"] for c in log[0]["diff"]["changed"]}
    assert changed == expected
    page = render.render(cat, graph.build(cat), changelog=log)["changelog.md"]
    assert "- framework [A new title](frameworks/example-rubric.md) (`example-rubric`): title" in page
    assert "**Changed**\n\n- case study [A new title]" in page, "the first change of a group is a list item too"
    assert "- finding *A new title* (`deployment-failure-rate`): title" in page, "a finding has no page to link"
