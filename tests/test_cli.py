"""Every CLI command on the small valid catalog: what a user sees and what they can pipe onward."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from pybtex.database import parse_string

from conftest import cli
from fieldguide import graph, load, release, render


def run(*args: str, code: int = 0):
    return cli(*args, code=code)


def test_export_json_has_the_documented_shape(valid_catalog: Path) -> None:
    result = run("export", "--format", "json")
    data = json.loads(result.output)
    assert data["version"] == "1.0"
    for key in ("stages", "steps", "challenges", "case_studies", "references", "mitigations"):
        assert isinstance(data[key], list) and data[key], key
        assert all({"id", "title"} <= set(item) for item in data[key]), key
    step = next(s for s in data["steps"] if s["id"] == "data-collection")
    assert step["stage"] == "data-management"
    challenge = next(c for c in data["challenges"] if c["id"] == "data-discovery")
    assert challenge["step"] == "data-collection"
    assert challenge["checklist"][0] == {"id": "data-discovery-source-owners",
                                         "text": "Every data source has a named owner.",
                                         "covers": [{"item": "example-rubric:owners", "meets": ["named-owner"],
                                                     "partial": None}]}
    assert challenge["beyond_survey"] is False
    profiling = next(c for c in data["challenges"] if c["id"] == "data-profiling")
    # `partial` is derived: what the check leaves out of the item (the asks it does not meet)
    assert profiling["checklist"][0]["covers"] == [{"item": "example-rubric:schema", "meets": ["data-described"],
                                                    "partial": "Inputs are checked against written expectations."}]
    # frameworks carry their items with their asks and, derived from the mappings, the checks covering
    # each one: what each check meets and leaves out, and what no check meets
    (framework,) = data["frameworks"]
    assert framework["id"] == "example-rubric" and framework["short_title"] == "Example rubric"
    items = {i["id"]: i for section in framework["sections"] for i in section["items"]}
    assert items["example-rubric:holdout"]["coverage"] == "full"
    assert items["example-rubric:holdout"]["covered_by"] == [
        {"check": "feedback-loops-holdout", "challenge": "feedback-loops", "meets": ["holdout-kept"], "left_out": [],
         "partial": None}]
    schema = items["example-rubric:schema"]
    assert (schema["coverage"], schema["missing"]) == ("partial", ["expectations-checked"])
    assert schema["covered_by"][0]["partial"] == "Inputs are checked against written expectations."
    assert schema["other_versions"] == [{"version": "0", "label": "D3", "title": "Expectations are written down"}]
    assert items["example-rubric:invariants"] == {
        "id": "example-rubric:invariants", "label": "M2", "title": "Data invariants hold for inputs",
        "coverage": "none", "asks": [{"id": "expectations-checked", "met_by": [],
                                      "text": "Inputs are checked against written expectations."}],
        "missing": ["expectations-checked"], "covered_by": []}
    # reverse links, derived from the graph
    assert challenge["case_studies"] == ["twitter-data-discovery"]
    assert challenge["mitigations"] == ["data-catalog-practice"]
    assert challenge["references"] == ["paleyes2020challenges", "lin2013scaling"]
    case = data["case_studies"][0]
    assert {"industry", "summary", "challenges", "references"} <= set(case)
    assert case["challenges"] == ["data-discovery", "data-profiling"]
    ref = next(r for r in data["references"] if r["id"] == "lin2013scaling")
    assert ref["authors"] == ["Jimmy Lin", "Dmitriy Ryaboy"] and ref["year"] == 2013 and ref["survey_ref"] == 16
    survey = next(r for r in data["references"] if r["id"] == "paleyes2020challenges")
    assert survey["survey_ref"] is None
    mitigation = data["mitigations"][0]
    assert {"kind", "url", "challenges", "references"} <= set(mitigation)


def test_export_bibtex_parses_and_keeps_keys(valid_catalog: Path, tmp_path: Path) -> None:
    out = tmp_path / "refs.bib"
    run("export", "--format", "bibtex", "--out", str(out))
    bib = parse_string(out.read_text(encoding="utf-8"), "bibtex")
    assert set(bib.entries) == {"paleyes2020challenges", "lin2013scaling", "sculley2015hidden", "wiggers2019idc"}
    entry = bib.entries["lin2013scaling"]
    assert entry.type == "article" and entry.fields["pages"] == "6--19", "BibTeX ranges use --"
    assert str(entry.persons["author"][0]) == "Lin, Jimmy"
    assert "{Twitter}" in entry.fields["title"], "proper nouns are protected from lower-casing"
    assert [str(p) for p in bib.entries["sculley2015hidden"].persons["author"]][-1] == "others"


def test_export_csv_has_one_row_per_entity(valid_catalog: Path) -> None:
    result = run("export", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert [r["id"] for r in rows if r["type"] == "challenge"] == ["data-discovery", "data-profiling", "feedback-loops"]
    items = {r["id"]: r for r in rows if r["type"] == "framework_item"}
    assert (items["example-rubric:schema"]["summary"], items["example-rubric:schema"]["links"]) == (
        "partial", "data-profiling-report"), "a framework item's row gives its coverage and the checks behind it"
    discovery = next(r for r in rows if r["id"] == "data-discovery")
    assert discovery["stage"] == "data-management" and discovery["links"].split() == [
        "twitter-data-discovery", "data-catalog-practice"]


def test_export_refuses_a_broken_catalog(valid_catalog: Path) -> None:
    (valid_catalog / "challenges" / "data-discovery.yaml").write_text("id: [unclosed\n")
    result = run("export", "--format", "json", code=1)
    assert result.stdout == ""
    assert "catalog/challenges/data-discovery.yaml:" in result.stderr


def test_schema_prints_json_schema_and_writes_files(tmp_path: Path) -> None:
    result = run("schema")
    schemas = json.loads(result.output)
    assert "checklist" in schemas["challenges/<id>.yaml"]["properties"]
    result = run("schema", "--out", str(tmp_path / "s"))
    assert sorted(p.name for p in (tmp_path / "s").iterdir()) == [
        "case-studies.schema.json", "challenges.schema.json", "deployments.schema.json", "facets.schema.json",
        "findings.schema.json",
        "frameworks.schema.json", "mitigations.schema.json", "references.schema.json", "retired.schema.json",
        "stages.schema.json",
        "vocabulary.schema.json"]


def test_related_lists_reasons(valid_catalog: Path) -> None:
    result = run("related", "data-discovery")
    first = result.output.splitlines()[0]
    assert first.split()[:2] == ["10", "data-profiling:"]
    assert "Shared case study: Twitter" in first


def test_related_unknown_id_suggests_a_match(valid_catalog: Path) -> None:
    result = run("related", "data-discovry", code=1)
    assert "unknown challenge 'data-discovry'; did you mean data-discovery?" in result.stderr


def test_show_prints_links_both_ways(valid_catalog: Path) -> None:
    result = run("show", "data-discovery")
    out = result.output
    assert out.startswith("challenge data-discovery: Data discovery  (catalog/challenges/data-discovery.yaml:1)")
    assert "in_step -> data-collection" in out
    assert "illustrates <- twitter-data-discovery" in out
    assert "evidence: limited (1 case study, 1 industry)" in out


def test_render_out_writes_exactly_what_the_generator_returns(valid_catalog: Path, tmp_path: Path) -> None:
    out = tmp_path / "pages"
    run("render", "--out", str(out))
    cat = load.load(valid_catalog)
    changes = release.changelog(valid_catalog.parent, valid_catalog)
    pages = render.render(cat, graph.build(cat), changelog=changes)
    written = {p.relative_to(out).as_posix(): p.read_text(encoding="utf-8") for p in out.rglob("*") if p.is_file()}
    assert written == pages
    assert "challenges/data-discovery.md" in written and "references.md" in written
    assert "downloads/catalog.json" in written and "downloads/references.bib" in written


def test_catalog_option_points_elsewhere(valid_catalog: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path.parent)
    assert run("check", "--catalog", str(valid_catalog)).stdout.startswith("catalog OK: 2 stages")
    missing = run("check", "--catalog", str(tmp_path / "nope"), code=1)  # a clean exit 1, not a crash
    assert missing.stderr.splitlines() == [f"{tmp_path.name}/nope:0: -: -: catalog folder not found",
                                           "1 problem(s) in 1 file(s)"]
