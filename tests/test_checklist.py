"""Checklist exports (golden files per format), import round-trip, orphans and malformed files."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from conftest import HERE, VALID, cli
from fieldguide import checklist, graph, load

STATES = HERE / "states"
GOLDEN = HERE / "golden" / "checklist"
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
SITE = "https://guide.example.org/"


def exports() -> dict[str, str]:
    cat = load.load(VALID)
    g = graph.build(cat)
    state, problems = checklist.read_state(STATES / "progress.json", cat)
    assert problems == []
    rows = checklist.rows(cat)
    return {
        "progress.md": checklist.to_markdown(cat, g, rows, state, SITE, "Deployment checklist: all stages"),
        "progress.csv": checklist.to_csv(cat, g, rows, state),
        "progress.json": checklist.to_json(cat, rows, state, now=NOW),
    }


@pytest.mark.parametrize("name", ["progress.md", "progress.csv", "progress.json"])
def test_export_matches_golden_file(name: str) -> None:
    text = exports()[name]
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.mkdir(parents=True, exist_ok=True)
        (GOLDEN / name).write_text(text, encoding="utf-8")
    assert text == (GOLDEN / name).read_text(encoding="utf-8")


def test_markdown_is_a_task_list_with_links_and_readiness() -> None:
    text = exports()["progress.md"]
    assert "Readiness: **0%**" in text, "the lowest stage: model deployment has 0 of 1 done"
    assert "## Data management — 50% (1/2 done)" in text, "one item done, one of the other two not applicable"
    assert "- [x] Every data source has a named owner. — owner: Ana — note: See the data map in the wiki" in text
    assert "[Data discovery](https://guide.example.org/challenges/data-discovery/)" in text
    assert "&lt;b>source&lt;/b>" in text, "user text cannot inject HTML into a rendered Markdown file"


def test_import_round_trip_restores_the_exact_state(tmp_path: Path) -> None:
    cat = load.load(VALID)
    exported = tmp_path / "exported.json"
    exported.write_text(exports()["progress.json"], encoding="utf-8")
    state, problems = checklist.read_state(exported, cat)
    assert problems == []
    again = checklist.to_json(cat, checklist.rows(cat), state, now=NOW)
    assert again == exports()["progress.json"]


def test_orphaned_items_are_kept_and_listed() -> None:
    cat = load.load(VALID)
    state, _ = checklist.read_state(STATES / "progress.json", cat)
    assert [o.id for o in state.orphans] == ["retired-check-from-an-old-catalog"]
    body = json.loads(exports()["progress.json"])
    assert {"id": "retired-check-from-an-old-catalog", "status": "done", "reason": "", "owner": "",
            "note": "kept, not dropped"} in body["items"]
    assert "## Items no longer in the catalog" in exports()["progress.md"]
    assert exports()["progress.csv"].splitlines()[-1].startswith(",,,retired-check-from-an-old-catalog,")


def test_cli_checklist_with_state_reports_orphans(valid_catalog: Path) -> None:
    result = cli("checklist", "--format", "json", "--state", STATES / "progress.json")
    assert "1 item(s) in" in result.stderr and "retired-check-from-an-old-catalog" in result.stderr
    assert json.loads(result.stdout)["readiness"]["stages"]["data-management"] == {
        "done": 1, "applicable": 2, "score": 0.5}


@pytest.mark.parametrize(("name", "expected"), [
    ("malformed.json", "malformed.json:6: checklist: items[1].status: must be one of 'open', 'done' or 'na'"),
    ("truncated.json", "truncated.json:3: truncated: -: YAML does not parse"),
])
def test_cli_refuses_a_malformed_state_and_writes_nothing(valid_catalog: Path, tmp_path: Path, name: str,
                                                          expected: str) -> None:
    out = tmp_path / "out.md"
    result = cli("checklist", "--state", STATES / name, "--out", out, code=1)
    assert expected in result.stderr
    assert not out.exists()


def test_cli_checklist_limits_to_a_stage(valid_catalog: Path) -> None:
    result = cli("checklist", "--stage", "model-deployment", "--format", "csv")
    rows = result.stdout.splitlines()
    assert rows[0] == "stage,step,challenge,item_id,text,status,reason,owner,note"
    assert [r.split(",")[3] for r in rows[1:]] == ["feedback-loops-holdout"]
    result = cli("checklist", "--stage", "deploy", code=1)
    assert "unknown stage 'deploy'" in result.stderr


def test_brief_has_checklists_precedents_mitigations_and_bibliography(valid_catalog: Path, tmp_path: Path) -> None:
    out = tmp_path / "brief.md"
    cli("brief", "--challenge", "data-discovery", "--out", out, "--site-url", SITE)
    text = out.read_text(encoding="utf-8")
    assert "## [Data discovery](https://guide.example.org/challenges/data-discovery/)" in text
    assert "- [ ] Every data source has a named owner. `data-discovery-source-owners`" in text
    assert "(Twitter, reported 2013)" in text and "    - 1 entity: the same user, stored by many services" in text
    assert "[Data catalogue](https://guide.example.org/mitigations/data-catalog-practice/)" in text
    assert "- Lin and Ryaboy, 2013. Jimmy Lin and Dmitriy Ryaboy" in text
    bib = (tmp_path / "brief.bib").read_text(encoding="utf-8")
    assert "@article{lin2013scaling," in bib and "@misc{paleyes2020challenges," in bib
