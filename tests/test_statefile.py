"""The checklist state file: one corpus, the same verdicts from the CLI, the page's reader (run by Node)
and ajv; the merge rules, from one set of golden cases, in Python and in the page's JavaScript;
`fieldguide checklist merge`."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import HERE, cli
from fieldguide import DEFAULT_SITE_URL, render, schema, statefile
from fieldguide.cli import main
from fieldguide.schema import ItemState
from state_corpus import BEYOND_SCHEMA, corpus

RUNNER = HERE / "js" / "statefile_runner.js"
MERGE_CASES = sorted((HERE / "golden" / "merge").glob("*.json"))


def node(*args: str) -> list[dict]:
    proc = subprocess.run(["node", str(RUNNER), *args], capture_output=True, text=True, check=False, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, str, Path]]:
    return corpus(tmp_path_factory.mktemp("state-corpus"))


@pytest.fixture(scope="module")
def published_schema(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("schema") / "checklist-state.schema.json"
    path.write_text(json.dumps(schema.state_json_schema(DEFAULT_SITE_URL)), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def page_verdicts(files, published_schema: Path) -> dict[str, dict]:
    return {Path(r["file"]).stem: r for r in node("read", str(published_schema), *(str(p) for _, _, p in files))}


def test_the_corpus_covers_what_the_issue_lists(files) -> None:
    names = {name for name, _, _ in files}
    for needed in ("unknown-top-level-key", "over-1-mib", "lone-surrogate-in-note", "owner-is-a-number",
                   "date-february-30", "url-javascript", "control-escape-sequence-in-owner", "repeated-item-key",
                   "item-id-listed-twice", "v1-site-export", "na-with-empty-reason"):
        assert needed in names
    assert sum(v == "accept" for _, v, _ in files) >= 15 and sum(v == "refuse" for _, v, _ in files) >= 80


def test_cli_and_page_give_the_same_verdict_on_every_file(files, page_verdicts, valid_catalog: Path) -> None:
    wrong = []
    for name, expected, path in files:
        result = CliRunner().invoke(main, ["checklist", "--format", "json", "--state", str(path)])
        assert result.exception is None or isinstance(result.exception, SystemExit), (name, result.exception)
        cli = "accept" if result.exit_code == 0 else "refuse"
        page = "accept" if page_verdicts[name]["accepted"] else "refuse"
        if not cli == page == expected:
            wrong.append(f"{name}: expected {expected}, CLI {cli}, page {page}: {result.stderr.strip()[:200]} "
                         f"{page_verdicts[name]['errors'][:1]}")
        if cli == "refuse":  # one clear `path:line: checklist: field: message` line, then the count
            lines = result.stderr.strip().splitlines()
            assert len(lines) == 2 and re.match(rf".*{re.escape(path.name)}:\d+: checklist: \S+: \S", lines[0]), lines
    assert wrong == []


def test_cli_and_page_read_the_same_items(files, page_verdicts) -> None:
    for name, expected, path in files:
        if expected != "accept":
            continue
        parsed, problems = statefile.read(path)
        assert problems == []
        assert [i.model_dump() for i in parsed.items] == page_verdicts[name]["items"], name


def test_ajv_agrees_with_the_schema_part_of_every_verdict(files, published_schema: Path) -> None:
    """ajv, the reference validator, applies the published schema alone: it must accept exactly the
    files refused for reasons beyond a schema, and agree on every other file it can parse."""
    verdicts = {Path(r["file"]).stem: r["accepted"] for r in node("ajv", str(published_schema),
                                                                   *(str(p) for _, _, p in files))}
    for name, expected, _ in files:
        if verdicts[name] is None:  # not JSON: the schema never sees it
            assert expected == "refuse", name
        elif name in BEYOND_SCHEMA:
            assert verdicts[name] is True, name
        else:
            assert verdicts[name] == (expected == "accept"), name


def test_version_1_files_are_converted(files) -> None:
    state, problems = statefile.read(HERE / "states" / "corpus" / "accept" / "v1-na-without-reason.json")
    assert problems == [] and state.version == 1
    assert state.items[0].status == "na" and state.items[0].reason == schema.V1_NA_REASON
    assert state.items[0].updated is None, "a version 1 item carries no time: the merge treats it as oldest"


def test_the_published_schema_is_the_generated_one_with_draft_and_id() -> None:
    from conftest import VALID
    from fieldguide import graph, load

    cat = load.load(VALID)
    files = render.render(cat, graph.build(cat), site_url="https://guide.example.org/")
    published = json.loads(files["downloads/schema/checklist-state.schema.json"])
    assert published == schema.state_json_schema("https://guide.example.org/")
    assert published["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert published["$id"] == "https://guide.example.org/downloads/schema/checklist-state.schema.json"


def test_cli_reports_the_line_of_the_problem(tmp_path: Path, valid_catalog: Path) -> None:
    path = tmp_path / "team.json"
    path.write_text('{\n  "format": "fieldguide-checklist",\n  "version": 2,\n  "items": [\n'
                    '    {"id": "data-discovery-source-owners", "status": "done"},\n'
                    '    {"id": "data-discovery-catalogue", "status": "na",\n     "reason": ""}\n  ]\n}\n')
    result = cli("checklist", "--state", path, code=1)
    assert "team.json:7: checklist: items[1].reason: a reason is required when the status is na" in result.stderr


# ---------------------------------------------------------------- merge: one rule table, two implementations


def _items(raw: list[dict]) -> list[ItemState]:
    return [ItemState.model_validate(i) for i in raw]


def _canonical(raw: list[dict]) -> list[dict]:
    return [i.model_dump() for i in _items(raw)]


@pytest.mark.parametrize("case", MERGE_CASES, ids=lambda p: p.stem)
def test_python_merge_matches_the_golden_case(case: Path) -> None:
    golden = json.loads(case.read_text(encoding="utf-8"))
    result = statefile.merge(_items(golden["local"]), _items(golden["incoming"]))
    expected = golden["expected"]
    assert [i.model_dump() for i in result.items] == _canonical(expected["items"])
    assert result.report() == {k: expected[k] for k in ("new", "changed", "unchanged", "conflicts")}


def test_page_merge_matches_every_golden_case() -> None:
    results = {Path(r["file"]).stem: r for r in node("merge", *(str(p) for p in MERGE_CASES))}
    assert len(results) == len(MERGE_CASES) >= 12
    for case in MERGE_CASES:
        expected = json.loads(case.read_text(encoding="utf-8"))["expected"]
        got = results[case.stem]
        assert got["items"] == _canonical(expected["items"]), case.stem
        assert {k: got[k] for k in ("new", "changed", "unchanged", "conflicts")} == \
            {k: expected[k] for k in ("new", "changed", "unchanged", "conflicts")}, case.stem


def test_every_rule_of_the_table_has_a_golden_case() -> None:
    used = set()
    for case in MERGE_CASES:
        golden = json.loads(case.read_text(encoding="utf-8"))
        local = {i.id: i for i in _items(golden["local"])}
        for item in _items(golden["incoming"]):
            if item.id in local:
                used.add(statefile.decide(local[item.id], item)[1])
    assert used == set(statefile.RULES)


def _state_file(path: Path, items: list[dict]) -> Path:
    path.write_text(json.dumps({"format": "fieldguide-checklist", "version": 2, "items": items}), encoding="utf-8")
    return path


@pytest.mark.parametrize("case", MERGE_CASES, ids=lambda p: p.stem)
def test_cli_merge_applies_the_same_rules(case: Path, tmp_path: Path) -> None:
    golden = json.loads(case.read_text(encoding="utf-8"))
    mine = _state_file(tmp_path / "mine.json", golden["local"])
    theirs = _state_file(tmp_path / "theirs.json", golden["incoming"])
    out = tmp_path / "merged.json"
    result = cli("checklist", "merge", mine, theirs, "--out", out)
    merged, problems = statefile.read(out)
    assert problems == [], "the merged file is itself a valid state file"
    assert [i.model_dump() for i in merged.items] == _canonical(golden["expected"]["items"])
    conflicts = [line.split(":")[1].strip() for line in result.stderr.splitlines() if line.startswith("conflict:")]
    assert conflicts == golden["expected"]["conflicts"]


def test_cli_merge_of_three_files_lists_conflicts_by_id_and_exits_0(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    t = "2026-11-29T10:00:00Z"
    a = _state_file(tmp_path / "ana.json", [{"id": "x-one", "status": "done", "updated": t, "by": "Ana"}])
    b = _state_file(tmp_path / "raj.json", [{"id": "x-one", "status": "na", "reason": "n/a here", "updated": t}])
    c = _state_file(tmp_path / "kim.json", [{"id": "x-two", "status": "in-progress", "updated": t}])
    result = cli("checklist", "merge", a, b, c)
    assert "conflict: x-one: kept done (updated 2026-11-29T10:00:00Z by Ana); raj.json has na" in result.stderr
    items = {i["id"]: i for i in json.loads(result.stdout)["items"]}
    assert items["x-one"]["status"] == "done" and items["x-two"]["status"] == "in-progress"


def test_cli_merge_refuses_an_invalid_file_and_writes_nothing(tmp_path: Path) -> None:
    good = _state_file(tmp_path / "good.json", [{"id": "x-one", "status": "done"}])
    bad = _state_file(tmp_path / "bad.json", [{"id": "x-one", "status": "na"}])
    out = tmp_path / "merged.json"
    result = cli("checklist", "merge", good, bad, "--out", out, code=1)
    assert "bad.json:1: checklist: items[0].reason:" in result.stderr
    assert not out.exists()
