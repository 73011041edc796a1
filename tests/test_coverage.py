"""Framework coverage: the framework pages, the notes on checks, the checklist data and
`fieldguide coverage` all come from one computation and say the same thing."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import REAL
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
