"""The pages' data files (fieldguide.pagedata): the planner's and the basket's data split into a small
core and content-hashed chunks, read back by the page's one reader (engine/parts.js, under Node) into
exactly the object Python wrote, fetching only the chunks that hold what is asked for."""

from __future__ import annotations

import json
import subprocess
from functools import cache
from pathlib import Path

import pytest

from conftest import HERE, REAL
from fieldguide import graph, load, pagedata, render

RUNNER = HERE / "js" / "parts_runner.js"
SITE = "https://guide.example.org/"


@cache
def real_files() -> dict[str, str]:
    cat = load.load(REAL)
    return render.render(cat, graph.build(cat), site_url=SITE)


def site(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        if pagedata.is_part(name):
            (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def read(root: Path, core: str, wanted: dict | None = None, basket: list[str] | None = None) -> dict:
    payload = {"root": str(root), "core": core, "wanted": wanted, "basket": basket}
    proc = subprocess.run(["node", str(RUNNER)], input=json.dumps(payload), capture_output=True, text=True,
                          check=False, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


@pytest.mark.parametrize("folder", sorted(pagedata.TABLES))
def test_the_page_reads_back_exactly_what_python_wrote(tmp_path: Path, folder: str) -> None:
    """Every table asked for in full: the same object as the one logical data Python computed, each
    table's records in their order (the page lists in it)."""
    cat = load.load(REAL)
    g = graph.build(cat)
    files = real_files()
    core = json.loads(files[f"{folder}/data.json"])
    out = read(site(tmp_path, files), f"{folder}/data.json", {t: None for t in pagedata.TABLES[folder]})
    data = out["data"]
    assert data.pop("parts") == core["parts"]
    if folder == "planner":
        whole = render.planner_data(cat, g, SITE, render.cite.prepare(cat))
    else:  # the basket's data needs every page's address, known only inside render: merge the chunks here
        whole = {k: v for k, v in core.items() if k != "parts"}
        for table in pagedata.TABLES[folder]:
            whole[table] = {k: v for f in core["parts"][table]["files"] for k, v in json.loads(files[f]).items()}
        citable = [*cat.challenges, *cat.case_studies, *cat.mitigations]
        assert set(whole["pages"]) == {f"fieldguide-{i}" for i in citable}
        assert set(whole["references"]) == set(cat.references)
    assert data == whole
    for table in pagedata.TABLES[folder]:  # each table's records in the order written (the page lists in it)
        *path, key = table.split(".")
        mine, theirs = data, whole
        for name in path:
            mine, theirs = mine[name], theirs[name]
        assert list(mine[key]) == list(theirs[key]), table
    assert sorted(out["loaded"][1:]) == sorted(f for t in pagedata.TABLES[folder] for f in core["parts"][t]["files"])


def test_the_first_file_is_small_and_every_chunk_within_its_size(tmp_path: Path) -> None:
    files = real_files()
    for folder, tables in pagedata.TABLES.items():
        core = json.loads(files[f"{folder}/data.json"])
        assert set(core["parts"]) == set(tables)
        for table, limit in tables.items():
            for name in core["parts"][table]["files"]:
                text = files[name]
                assert len(text.encode()) <= limit or len(json.loads(text)) == 1, name
        # what the page fetches first is a fraction of the whole
        whole = sum(len(t.encode()) for n, t in files.items() if n.startswith(folder + "/"))
        assert len(files[f"{folder}/data.json"].encode()) < whole / 5, folder


def test_only_the_chunks_holding_what_is_asked_for_are_fetched(tmp_path: Path) -> None:
    files = real_files()
    root = site(tmp_path, files)
    core = json.loads(files["planner/data.json"])
    sections = core["parts"]["brief.sections"]
    assert len(sections["files"]) > 1, "the real catalog's brief sections fill several chunks"
    first, last = next(iter(sections["at"])), list(sections["at"])[-1]
    out = read(root, "planner/data.json", {"brief.sections": [last, first, "constructor", "no-such-challenge"]})
    assert list(out["data"]["brief"]["sections"]) == [last, first], "in the order asked, unknown ids left out"
    assert out["loaded"][1:] == [sections["files"][sections["at"][last]], sections["files"][sections["at"][first]]]
    assert "challenges" not in out["data"], "a table not asked for stays out"


def test_the_basket_fetches_its_pages_and_their_sources(tmp_path: Path) -> None:
    cat = load.load(REAL)
    files = real_files()
    key = "fieldguide-data-discovery"
    out = read(site(tmp_path, files), "citations/data.json", basket=[key, "fieldguide-constructor"])
    data = out["data"]
    assert list(data["pages"]) == [key]
    refs = render.cite.expand(cat, list(cat.challenges["data-discovery"].references))
    preprints = [cat.references[r].id for r in cat.references if cat.references[r].published_version in refs]
    assert set(data["references"]) == set(refs) | set(preprints)
    parts = json.loads(files["citations/data.json"])["parts"]
    holding = {parts["references"]["files"][parts["references"]["at"][r]] for r in data["references"]}
    assert out["loaded"][:2] == ["citations/data.json", parts["pages"]["files"][parts["pages"]["at"][key]]]
    assert sorted(out["loaded"][2:]) == sorted(holding), "each chunk of its sources once, no other"


def test_chunk_names_follow_their_content_so_no_cache_mixes_two_builds() -> None:
    records = {f"r{i}": {"text": "x" * 300} for i in range(40)}
    before = pagedata.split("demo", {"version": 1, "t": records}, {"t": 2_000})
    after = pagedata.split("demo", {"version": 1, "t": {**records, "r39": {"text": "changed"}}}, {"t": 2_000})
    chunks = lambda files: {n for n in files if n != "demo/data.json"}  # noqa: E731
    assert len(chunks(before)) > 3
    assert len(chunks(before) - chunks(after)) == 1 and len(chunks(after) - chunks(before)) == 1
    assert json.loads(before["demo/data.json"])["parts"] != json.loads(after["demo/data.json"])["parts"]


def test_data_with_its_own_parts_key_is_refused() -> None:
    with pytest.raises(ValueError, match="own 'parts' key"):
        pagedata.split("demo", {"parts": 1, "t": {"a": 1}}, {"t": 100})
