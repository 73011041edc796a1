"""Framework coverage: the framework pages, the notes on checks, the checklist data and
`fieldguide coverage` all come from one computation and say the same thing."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import REAL, VALID
from fieldguide import coverage, graph, load, render
from fieldguide.cli import main

CAT = load.load(REAL)
G = graph.build(CAT)
PAGES = render.render(CAT, G, site_url="https://guide.example.org/")
LEVEL = {text: level for level, text in coverage.LEVEL_TEXT.items()}


def cli(*args: str):
    result = CliRunner().invoke(main, ["coverage", "--catalog", str(REAL), *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def page_items(pages: dict[str, str], framework: str) -> dict[str, dict[str, object]]:
    """What a reader of the framework page sees per item: its coverage, the checks meeting each ask,
    and each mapped check, full or partial with what it leaves out."""
    text = pages[f"frameworks/{framework}.md"]
    out: dict[str, dict[str, object]] = {}
    for block in re.split(r"^### ", text, flags=re.MULTILINE)[1:]:
        anchor = re.search(r"\{ #([\w-]+)", block.splitlines()[0]).group(1)
        level = LEVEL[re.search(r"^Coverage: \*\*(.+?)\*\*", block, re.MULTILINE).group(1)]
        ask_lines = re.finditer(r"^\d+\. .*?((?:Met by .*)|\*\*Met by no check\.\*\*)$", block, re.MULTILINE)
        asks = [re.findall(r"`([\w-]+)`", m.group(1)) for m in ask_lines]
        check_lines = re.finditer(r"^- (Fully|Partly): .*<small>`([\w-]+)`</small>(?:<br>\*Left out:\* (.+))?$",
                                  block, re.MULTILINE)
        checks = [(m.group(2), m.group(1) == "Fully", m.group(3)) for m in check_lines]
        out[f"{framework}:{anchor}"] = {"level": level, "asks": asks, "checks": checks}
    return out


@pytest.mark.parametrize("framework", ["ml-test-score", "deon"])
def test_framework_page_and_cli_give_the_same_coverage(framework: str) -> None:
    result = cli("--framework", framework, "--format", "json")
    assert result.exit_code == 0, result.output
    entries = json.loads(result.stdout)
    page = page_items(PAGES, framework)
    assert [e["id"] for e in entries] == list(page), "same items, in the framework's order"
    for entry in entries:
        assert page[entry["id"]] == {
            "level": entry["coverage"],
            "asks": [a["met_by"] for a in entry["asks"]],
            "checks": [(c["check"], c["partial"] is None, c["partial"]) for c in entry["covered_by"]]}, entry["id"]
    total = len(entries)
    full = sum(e["coverage"] == "full" for e in entries)
    partial = sum(e["coverage"] == "partial" for e in entries)
    page_text = PAGES[f"frameworks/{framework}.md"]
    assert f"**{full} of {total}** items are covered fully, {partial} only partly" in page_text
    index_row = next(line for line in PAGES["frameworks/index.md"].splitlines() if f"]({framework}.md)" in line)
    assert index_row.split(" | ")[2:5] == [str(total), str(full), str(partial)]


def test_an_item_is_full_only_when_its_checks_meet_every_ask_between_them() -> None:
    """The grading rule, item by item, from the data: the level is never written, always derived."""
    for fw in CAT.frameworks:
        for item in coverage.framework_coverage(CAT, G, fw):
            met = {ask for c in item.covered_by for ask in c.meets}
            expected = "none" if not item.covered_by else "full" if met >= {a.id for a in item.asks} else "partial"
            assert item.level == expected, item.id
            for c in item.covered_by:
                assert c.meets and {a.id for a in c.left_out} == {a.id for a in item.asks} - set(c.meets), c.check


def test_json_lists_every_item_with_its_asks_and_the_checks_meeting_them() -> None:
    entries = json.loads(cli("--framework", "ml-test-score", "--format", "json").stdout)
    assert len(entries) == 28
    skew = next(e for e in entries if e["id"] == "ml-test-score:monitor-3")
    assert skew["title"] == "Training and serving are not skewed" and skew["section"] == "Monitoring Tests for ML"
    assert [a["id"] for a in skew["asks"]] == ["serving-sample-logged", "skew-compared", "skew-counted"]
    assert skew["covered_by"][0] == {"check": "custom-design-tooling-skew-measured",
                                     "challenge": "custom-design-tooling",
                                     "meets": ["serving-sample-logged", "skew-compared", "skew-counted"],
                                     "left_out": [], "partial": None}
    staleness = next(e for e in entries if e["id"] == "ml-test-score:model-4")
    assert staleness["coverage"] == "partial"
    assert staleness["missing"] == ["staleness-cost-measured", "update-frequency-from-staleness"]
    (only,) = staleness["covered_by"]
    assert only["check"] == "concept-drift-delayed-label-tracking" and only["meets"] == ["quality-by-age-tracked"]
    assert only["partial"].startswith("A model trained on older data has been compared with one trained on recent")
    assert "done" not in skew, "no progress without a state"


def write_state(path: Path, statuses: dict[str, str]) -> Path:
    items = [{"id": i, "status": s} for i, s in statuses.items()]
    path.write_text(json.dumps({"format": "fieldguide-checklist", "version": 1, "items": items}), encoding="utf-8")
    return path


def test_a_teams_state_says_which_framework_items_their_plan_satisfies(tmp_path: Path) -> None:
    state = write_state(tmp_path / "checklist.json", {
        "custom-design-tooling-skew-measured": "done",  # meets every ask of Monitor 3
        "concept-drift-delayed-label-tracking": "done",  # meets one ask of Model 4 and one of Monitor 7
        "concept-drift-model-age-alert": "na",  # the only check mapped onto Monitor 4
        "operational-support-prediction-telemetry": "done",  # meets one of Infra 5's two asks
        "data-security-protection-plan": "done",  # Data 5: access, but not deletion ...
        "data-security-deletion-propagates": "done",  # ... which this check meets: together, all of it
        "aggravation-of-biases-subgroup-metrics": "open",
    })
    entries = {e["id"]: e for e in json.loads(cli("--framework", "ml-test-score", "--state", str(state),
                                                  "--format", "json").stdout)}
    assert [i for i, e in entries.items() if e["done"]] == ["ml-test-score:data-5", "ml-test-score:monitor-3"]
    assert entries["ml-test-score:model-4"]["progress"] == "partly done"
    assert entries["ml-test-score:monitor-7"]["progress"] == "partly done"
    assert entries["ml-test-score:infra-5"]["progress"] == "partly done", "one ask met is not the item done"
    assert entries["ml-test-score:monitor-4"]["progress"] == "not applicable"
    assert entries["ml-test-score:model-7"]["progress"] == "open"
    assert entries["ml-test-score:monitor-3"]["covered_by"][0]["status"] == "done"
    text = cli("--framework", "ml-test-score", "--state", str(state)).stdout
    assert text.rstrip().splitlines()[-1] == "ML Test Score: 2/28 done (3 partly done, 1 not applicable)"
    assert "  [x] Monitor 3  Training and serving are not skewed  [covered fully]" in text
    assert "  [~] Data 5     The data pipeline has appropriate privacy controls  [covered fully]" not in text
    assert "  [x] Data 5     The data pipeline has appropriate privacy controls  [covered fully]" in text


def test_text_output_lists_each_ask_with_the_checks_meeting_it() -> None:
    text = cli("--framework", "deon").stdout
    assert text.startswith("deon: Data Science Ethics Checklist (0.3.1")
    assert "  B.2  Right to be forgotten  [covered fully]" in text
    assert "         full     data-security-deletion-propagates" in text
    block = text[text.index("  C.4  Privacy in analysis"):text.index("  C.5  ")]
    assert "[covered partly]" in block.splitlines()[0]
    assert "              met by no check" in block
    assert ("         partial  country-level-regulations-identifiers-removed: "
            "leaves out pii-shown-only-if-needed") in block
    summary = coverage.summarize(coverage.framework_coverage(CAT, G, "deon"))
    assert text.rstrip().splitlines()[-1] == (
        f"deon: {summary.full} of 21 items covered fully, {summary.partial} partly, {summary.none} not covered")


def test_unknown_framework_is_a_clear_error() -> None:
    result = cli("--framework", "ml-test")
    assert result.exit_code == 1
    assert "unknown framework 'ml-test'; did you mean ml-test-score?" in result.stderr
    assert result.stdout == ""


def test_a_broken_state_file_is_refused_with_its_line(tmp_path: Path) -> None:
    state = tmp_path / "checklist.json"
    state.write_text('{"format": "fieldguide-checklist", "version": 1,\n "items": [{"id": "x", "status": "finished"}]}')
    result = cli("--framework", "deon", "--state", str(state))
    assert result.exit_code == 1 and result.stdout == ""
    assert "checklist.json:2: checklist: items[0].status: must be one of" in result.stderr


def test_each_check_page_notes_what_it_also_covers() -> None:
    """Challenge pages and checklist pages name the framework items a check covers, linked; a check
    that leaves out some of an item's asks says "partly"."""
    page = PAGES["challenges/concept-drift.md"]
    line = next(x for x in page.splitlines() if "`concept-drift-delayed-label-tracking`" in x)
    assert ("also covers: [ML Test Score Model 4](../frameworks/ml-test-score.md#model-4) (partly), "
            "[ML Test Score Monitor 7](../frameworks/ml-test-score.md#monitor-7) (partly)") in line
    line = next(x for x in PAGES["challenges/custom-design-tooling.md"].splitlines()
                if "`custom-design-tooling-skew-measured`" in x)
    assert line.endswith("also covers: [ML Test Score Monitor 3](../frameworks/ml-test-score.md#monitor-3)</small>")
    checklist = PAGES["checklists/model-deployment.md"]
    li = next(x for x in checklist.splitlines() if 'data-item="concept-drift-delayed-label-tracking"' in x)
    assert 'data-covers="ml-test-score:model-4 ml-test-score:monitor-7"' in li
    assert '<a href="../../frameworks/ml-test-score/#monitor-7">ML Test Score Monitor 7</a> (partly)' in checklist


def test_every_mapping_appears_once_on_its_framework_page_and_its_check() -> None:
    """Mappings are stored on the checks; each shows up in the reverse direction too."""
    written = {(check.id, cover.item) for c in CAT.challenges.values() for check in c.checklist
               for cover in check.covers}
    derived = {(cover.check, item.id) for fw in CAT.frameworks for item in coverage.framework_coverage(CAT, G, fw)
               for cover in item.covered_by}
    assert written == derived and len(written) > 49


def test_challenges_beyond_the_survey_are_marked_on_their_page_and_in_indexes() -> None:
    page = PAGES["challenges/data-security.md"]
    assert '!!! note "Added by this guide beyond the survey"' in page
    assert "Not one of the 38 challenges of the survey's Table 1." in page
    assert "Survey section" not in page
    assert "The survey's 38 challenges (its Table 1)" in PAGES["challenges/index.md"]
    assert "[Data security and privacy](data-security.md) *(added)*" in PAGES["challenges/index.md"]
    assert "*(added beyond the survey)*" in PAGES["stages/cross-cutting-aspects.md"]
    assert "*(added" not in PAGES["stages/data-management.md"], "Table 1's own challenges carry no mark"


ROOT = REAL.parent


def _words(text: str) -> str:
    return " ".join(text.split())


def test_the_grading_rule_is_written_once_and_shown_where_people_read_it() -> None:
    contributing = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    assert _words(coverage.GRADING_RULE) in _words(contributing)
    assert coverage.GRADING_RULE in PAGES["frameworks/index.md"]
    for fw in CAT.frameworks:
        assert coverage.GRADING_RULE in PAGES[f"frameworks/{fw}.md"], fw
    assert coverage.GRADING_RULE in cli("--framework", "deon", "--format", "md").stdout


def _and(labels: list[str]) -> str:
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]


def test_readme_states_the_totals_the_data_gives() -> None:
    readme = _words((ROOT / "README.md").read_text(encoding="utf-8"))
    for fw in CAT.frameworks:
        items = coverage.framework_coverage(CAT, G, fw)
        s = coverage.summarize(items)
        partly = [i.label for i in items if i.level == "partial"]
        name = CAT.frameworks[fw].short_title
        assert f"**{name} {s.full} of {s.total} fully** ({_and(partly)} partly)" in readme, fw
        assert s.none == 0 and "none uncovered" in readme


def _grading_rows(text: str, heading: str) -> list[list[str]]:
    block = text.split(f"### {heading}\n", 1)[1].split("\n### ", 1)[0]
    rows = [line.strip("|").split(" | ") for line in block.splitlines()
            if line.startswith("| ") and not line.startswith("| ---")]
    return [[c.strip() for c in row] for row in rows[1:]]  # without the header


def test_the_grading_table_agrees_with_the_data() -> None:
    """catalog/frameworks/GRADING.md is written by hand; its verdicts may not drift from the data."""
    text = (REAL / "frameworks" / "GRADING.md").read_text(encoding="utf-8")
    totals = {row[0]: row for row in _grading_rows(text.replace("## Totals\n", "### Totals\n"), "Totals")}
    for fw in CAT.frameworks:
        name = CAT.frameworks[fw].short_title
        items = coverage.framework_coverage(CAT, G, fw)
        rows = _grading_rows(text, name)
        assert [r[0] for r in rows] == [i.label for i in items], "every item once, in the framework's order"
        for row, item in zip(rows, items, strict=True):
            assert row[1] == item.level, item.id
            assert row[2] == (", ".join(f"`{a.id}`" for a in item.missing) or "-"), item.id
        s = coverage.summarize(items)
        partly = ", ".join(i.label for i in items if i.level == "partial")
        assert totals[name][-1] == f"{s.full} full, {s.partial} partly ({partly})"


def _run(catalog: Path, *args: str):
    result = CliRunner().invoke(main, [*args[:1], "--catalog", str(catalog), *args[1:]])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def _copy_real(tmp_path: Path, path: str, old: str, new: str) -> Path:
    catalog = tmp_path / "catalog"
    shutil.copytree(REAL, catalog)
    file = catalog / path
    text = file.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    file.write_text(text.replace(old, new), encoding="utf-8")
    return catalog


def test_an_item_with_an_ask_no_check_meets_is_reported_partial_everywhere(tmp_path: Path) -> None:
    """How a contributor would break it: the only check meeting one of deon B.1's asks stops meeting
    it. Every reader then sees B.1 as covered partly, with what is left out: page, index, notes on
    checks, the checklist data, `coverage` in every format, and the exports."""
    catalog = _copy_real(tmp_path, "challenges/data-security.yaml",
                         "meets: [encryption, access-control, access-logs, software-patched]",
                         "meets: [encryption, access-control, access-logs]")
    cat = load.load(catalog)
    g = graph.build(cat)
    pages = render.render(cat, g, site_url="https://guide.example.org/")
    b1 = page_items(pages, "deon")["deon:b-1"]
    assert b1["level"] == "partial" and b1["asks"][3] == []
    assert all(not full for _, full, _ in b1["checks"]), "no check meets every ask on its own"
    assert ("4. The software holding the data is kept up to date. **Met by no check.**"
            in pages["frameworks/deon.md"])
    before = coverage.summarize(coverage.framework_coverage(CAT, G, "deon"))
    row = next(line for line in pages["frameworks/index.md"].splitlines() if "](deon.md)" in line)
    assert row.split(" | ")[3:5] == [str(before.full - 1), str(before.partial + 1)]
    plan = next(x for x in pages["challenges/data-security.md"].splitlines() if "`data-security-protection-plan`" in x)
    assert "[deon B.1](../frameworks/deon.md#b-1) (partly)" in plan
    parts = json.loads(pages["planner/data.json"])["parts"]["challenges"]  # the planner's data, split (pagedata)
    chunk = json.loads(pages[parts["files"][parts["at"]["data-security"]]])
    assert "deon B.1 (partly)" in chunk["data-security"]["checklist"][0]["covers"].split(", ")

    entry = next(e for e in json.loads(_run(catalog, "coverage", "--framework", "deon", "--format", "json").stdout)
                 if e["id"] == "deon:b-1")
    assert (entry["coverage"], entry["missing"]) == ("partial", ["software-patched"])
    text = _run(catalog, "coverage", "--framework", "deon").stdout
    assert "  B.1  Data security  [covered partly]" in text
    assert "| B.1: Data security | The data is encrypted at rest and in transit." in _run(
        catalog, "coverage", "--framework", "deon", "--format", "md").stdout
    exported = json.loads(_run(catalog, "export", "--format", "json").stdout)
    (deon,) = [f for f in exported["frameworks"] if f["id"] == "deon"]
    (item,) = [i for s in deon["sections"] for i in s["items"] if i["id"] == "deon:b-1"]
    assert item["coverage"] == "partial" and item["missing"] == ["software-patched"]
    rows = list(csv.DictReader(io.StringIO(_run(catalog, "export", "--format", "csv").stdout)))
    assert next(r for r in rows if r["id"] == "deon:b-1")["summary"] == "partial"
    # Every check mapped onto B.1 done still leaves it open: no done check meets the fourth ask.
    state = write_state(tmp_path / "state.json", {c: "done" for c in (
        "data-security-protection-plan", "data-security-encryption-verified", "data-security-access-reviewed",
        "data-security-access-logged")})
    done = json.loads(_run(catalog, "coverage", "--framework", "deon", "--state", str(state),
                           "--format", "json").stdout)
    assert next(e for e in done if e["id"] == "deon:b-1")["progress"] == "partly done"


def test_a_requirement_two_items_share_is_met_for_both_or_for_neither(tmp_path: Path) -> None:
    """Data 5 and deon B.2 both ask that a deletion reach every store of the pipeline; the one check
    mapped onto both cannot meet it for one and not the other (the catalog's notes once did)."""
    items_by_ask: dict[str, set[str]] = {}
    for qid, (_, _, item) in CAT.framework_items.items():
        for ask in item.asks:
            items_by_ask.setdefault(ask.id, set()).add(qid)
    shared = {ask for ask, items in items_by_ask.items() if len(items) > 1}
    assert {"deletion-in-pipeline", "fairness-tested", "training-reproducible", "training-data-checked"} <= shared
    judged = 0
    for c in CAT.challenges.values():
        for check in c.checklist:
            for ask in shared:
                verdicts = {cover.item: ask in cover.meets for cover in check.covers if cover.item in items_by_ask[ask]}
                judged += len(verdicts) > 1
                assert len(set(verdicts.values())) <= 1, (check.id, ask)
    assert judged >= 4, "the rule is exercised by the real catalog, not only by the test cases"
    catalog = _copy_real(tmp_path, "challenges/data-security.yaml",
                         "meets: [deletion-request-route, deletion-in-pipeline]", "meets: [deletion-request-route]")
    result = _run(catalog, "check")
    assert result.exit_code == 1 and result.stdout == ""
    assert ("data-security: checklist[4].covers[0].meets: does not meet 'deletion-in-pipeline' here but meets it "
            "for 'ml-test-score:data-5', which asks the same") in result.stderr


def test_the_grading_table_in_markdown_and_text_on_the_small_catalog() -> None:
    """Exact output on the valid test catalog: an item met fully, one with an ask no check meets,
    and one no check maps onto."""
    md = _run(VALID, "coverage", "--framework", "example-rubric", "--format", "md").stdout.splitlines()
    assert md[4:11] == [
        "| Item | What it asks (this guide's words) | Met by | Coverage |",
        "| --- | --- | --- | --- |",
        "| D1: Every source has an owner | Every data source has a named owner. (`named-owner`) "
        "| `data-discovery-source-owners` | covered fully |",
        "| D2: Expectations are captured in a schema (in 0: D3, Expectations are written down) "
        "| The data's contents are described. (`data-described`) | `data-profiling-report` | covered partly |",
        "|  | Inputs are checked against written expectations. (`expectations-checked`) | **no check** |  |",
        "| M1: A holdout measures the model's own effect | A holdout group never sees the model's output. "
        "(`holdout-kept`) | `feedback-loops-holdout` | covered fully |",
        "| M2: Data invariants hold for inputs | Inputs are checked against written expectations. "
        "(`expectations-checked`) | **no check** | not covered |"]
    text = _run(VALID, "coverage", "--framework", "example-rubric").stdout.splitlines()
    d2 = text[text.index("  D2  Expectations are captured in a schema  [covered partly]"):][:7]
    assert d2[1:] == ["        in 0: D3, Expectations are written down",
                      "        asks data-described: The data's contents are described.",
                      "             met by data-profiling-report",
                      "        asks expectations-checked: Inputs are checked against written expectations.",
                      "             met by no check",
                      "        partial  data-profiling-report: leaves out expectations-checked"]
    assert text[-1] == "Example rubric: 2 of 4 items covered fully, 1 partly, 1 not covered"
