"""Every `fieldguide` command and every `--format`, on the rich test catalog: the exact text a user
reads or pipes onward. Expected values come from the fixture (`catalogs/rich/README.md`) and the
documented rules; `cli()` also checks that no command crashes (CliRunner shows no traceback).
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from pybtex.database import parse_string

from conftest import HERE, REAL, VALID, cli
from fieldguide import __version__, bench, graph, load, release, render
from fieldguide.cli import main

PROFILES = HERE / "profiles"
STATE = HERE / "states" / "rich-progress.json"
SITE = "https://guide.example.org/"

# The state file's data-management items, in workflow order (step, then challenge id).
DATA_MANAGEMENT = [("label-noise-audit", "done"), ("schema-drift-contract", "done"), ("schema-drift-alert", "done"),
                   ("duplicate-records-key", "na"), ("missing-values-policy", "done")]


def test_version(rich_catalog: Path) -> None:
    assert cli("--version").output == f"fieldguide, version {__version__}\n"


# ---------------------------------------------------------------- export


def test_export_json_carries_the_derived_facts(rich_catalog: Path, tmp_path: Path) -> None:
    out = tmp_path / "catalog.json"
    result = cli("export", "--format", "json", "--out", out)
    assert result.stdout == "" and f"wrote {out}" in result.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    challenges = {c["id"]: c for c in data["challenges"]}
    assert len(challenges) == 12
    drift = challenges["schema-drift"]
    assert drift["evidence"] == {"case_studies": 3, "industries": 2, "level": "strong"}
    assert [(r["id"], r["score"]) for r in drift["related"]] == [
        ("label-noise", 11), ("feedback-delay", 7), ("missing-values", 5), ("alert-fatigue", 3),
        ("silent-failures", 3), ("api-versioning", 2), ("code-reuse", 2), ("training-cost", 2)]
    assert drift["case_studies"] == ["clinic-form-change", "retail-feed-migration", "retail-returns-labels"]
    assert drift["mitigations"] == ["data-contracts", "monitoring-dashboards"]
    assert challenges["label-noise"]["evidence"] == {"case_studies": 4, "industries": 1, "level": "moderate"}
    assert challenges["model-size"]["evidence"] == {"case_studies": 0, "industries": 0, "level": "literature"}
    schemas = next(r for r in data["references"] if r["id"] == "example2019schemas")
    assert schemas["cited_by"] == ["fixture-finding", "model-size", "retail-feed-migration", "schema-drift",
                                   "silent-failures", "training-cost"]
    bank = next(s for s in data["case_studies"] if s["id"] == "bank-merge-duplicates")
    assert bank["challenges"] == ["missing-values", "duplicate-records"]
    assert bank["how"]["duplicate-records"] == "Customers of both banks appeared twice."


def test_export_csv_lists_each_entity_with_its_links(rich_catalog: Path) -> None:
    rows = list(csv.DictReader(io.StringIO(cli("export", "--format", "csv").stdout)))
    assert [r["type"] for r in rows].count("challenge") == 12
    drift = next(r for r in rows if r["id"] == "schema-drift")
    assert drift == {"type": "challenge", "id": "schema-drift", "title": "Schema drift", "stage": "data-management",
                     "step": "data-collection", "summary": "Synthetic summary of schema-drift.",
                     "links": "clinic-form-change retail-feed-migration retail-returns-labels data-contracts "
                              "monitoring-dashboards"}
    review = next(r for r in rows if r["id"] == "label-review")
    assert review["type"] == "mitigation"
    assert review["links"].split() == ["baseline-choice", "duplicate-records", "label-noise", "model-size",
                                       "training-cost"]
    schemas = next(r for r in rows if r["id"] == "example2019schemas")
    assert schemas["type"] == "reference" and "fixture-finding" in schemas["links"].split()


def test_export_bibtex_round_trips_through_a_bibtex_parser(rich_catalog: Path) -> None:
    bib = parse_string(cli("export", "--format", "bibtex").stdout, "bibtex")
    assert sorted(bib.entries) == ["example2019schemas", "fixture2021rubric", "paleyes2020challenges",
                                   "sample2020pipelines"]
    pipelines = bib.entries["sample2020pipelines"]
    assert pipelines.type == "misc" and pipelines.fields["year"] == "2020"
    assert [str(p) for p in pipelines.persons["author"]] == ["Sample, Bo", "Sample, Cy"]


def test_schema_covers_every_file_a_contributor_edits(tmp_path: Path) -> None:
    """One schema per kind of file in the real catalog: each folder's entries and each top file."""
    schemas = json.loads(cli("schema").stdout)
    kinds = {f"{d.name}/<id>.yaml" for d in REAL.iterdir() if d.is_dir() and d.name != "deployments"}
    kinds |= {f.name for f in REAL.glob("*.yaml")} | {"deployments/<author>.yaml"}  # one file per author, not per id
    kinds.add("retired.yaml")  # optional: the real catalog has retired nothing yet
    assert set(schemas) == kinds
    assert "additionalProperties" in json.dumps(schemas["challenges/<id>.yaml"]), "unknown keys are refused"
    out = tmp_path / "schemas"
    assert cli("schema", "--out", out).stdout == f"wrote {len(kinds)} schemas to {out}\n"
    written = json.loads((out / "challenges.schema.json").read_text(encoding="utf-8"))
    assert written["properties"] == schemas["challenges/<id>.yaml"]["properties"]


# ---------------------------------------------------------------- show, related, render


def test_show_a_challenge_lists_links_both_ways_and_its_evidence(rich_catalog: Path) -> None:
    assert cli("show", "schema-drift").stdout.splitlines() == [
        "challenge schema-drift: Schema drift  (catalog/challenges/schema-drift.yaml:1)",
        "  cites -> example2019schemas, paleyes2020challenges, sample2020pipelines",
        "  in_step -> data-collection",
        "  related -> label-noise",
        "  addresses <- data-contracts, monitoring-dashboards",
        "  check_of <- schema-drift-alert, schema-drift-contract",
        "  illustrates <- clinic-form-change, retail-feed-migration, retail-returns-labels",
        "  related <- feedback-delay",
        "  evidence: strong (3 case studies, 2 industries)",
    ]


def test_show_a_case_study_has_no_evidence_line(rich_catalog: Path) -> None:
    assert cli("show", "bank-merge-duplicates").stdout.splitlines() == [
        "case_study bank-merge-duplicates: Example Bank — a merger of ledgers  "
        "(catalog/case-studies/bank-merge-duplicates.yaml:1)",
        "  cites -> paleyes2020challenges",
        "  illustrates -> duplicate-records, missing-values",
    ]


def test_show_an_unknown_id_suggests_close_ones(rich_catalog: Path) -> None:
    result = cli("show", "schema-drfit", code=1)
    assert result.stdout == ""
    assert result.stderr == ("error: unknown id 'schema-drfit'; did you mean schema-drift, schema-drift-alert, "
                             "schema-drift-contract?\n")
    assert cli("show", "zzzz", code=1).stderr == "error: unknown id 'zzzz'\n"


def test_show_a_step_names_its_stage_and_challenges(rich_catalog: Path) -> None:
    assert cli("show", "monitoring").stdout.splitlines() == [
        "step monitoring: Monitoring  (catalog/stages.yaml:28)",
        "  part_of -> model-deployment",
        "  in_step <- alert-fatigue, feedback-delay, silent-failures",
    ]


def test_show_a_framework_and_one_of_its_items(rich_catalog: Path) -> None:
    """The framework's only link is the reference it cites: that citation is what keeps the
    reference from being 'cited by nothing'."""
    assert cli("show", "fixture-rubric").stdout.splitlines() == [
        "framework fixture-rubric: Fixture rubric  (catalog/frameworks/fixture-rubric.yaml:1)",
        "  cites -> fixture2021rubric",
        "  item_of <- fixture-rubric:holdout, fixture-rubric:invariants, fixture-rubric:owners, fixture-rubric:schema",
    ]
    assert cli("show", "fixture2021rubric").stdout.splitlines()[1:] == ["  cites <- fixture-rubric"]
    assert cli("show", "fixture-rubric:owners").stdout.splitlines() == [
        "framework_item fixture-rubric:owners: Every source has an owner  (catalog/frameworks/fixture-rubric.yaml:17)",
        "  item_of -> fixture-rubric",
    ]


def test_related_an_unknown_challenge_fails_cleanly(rich_catalog: Path) -> None:
    result = cli("related", "retail-feed-migration", code=1)  # a case study, not a challenge
    assert result.stderr.startswith("error: unknown challenge 'retail-feed-migration'")


def test_render_writes_the_site_pages_with_the_given_address(rich_catalog: Path, tmp_path: Path) -> None:
    out = tmp_path / "pages"
    result = cli("render", "--out", out, "--site-url", "https://docs.example.net/guide/")
    cat = load.load(rich_catalog)
    files = render.render(cat, graph.build(cat), site_url="https://docs.example.net/guide/",
                          changelog=release.changelog(tmp_path, rich_catalog))  # no git here: the page says so
    assert result.stdout == f"wrote {len(files)} files to {out}\n"
    written = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert written == set(files)
    page = (out / "challenges" / "schema-drift.md").read_text(encoding="utf-8")
    assert page == files["challenges/schema-drift.md"]
    assert "https://docs.example.net/guide/challenges/schema-drift/" in page


# ---------------------------------------------------------------- checklist


def test_checklist_markdown_shows_readiness_per_stage(rich_catalog: Path) -> None:
    md = cli("checklist", "--state", STATE, "--site-url", SITE, "--full").stdout
    lines = md.splitlines()
    assert lines[0] == "# Deployment checklist: all stages"
    assert lines[2].startswith("Readiness: **0%**, the lowest stage's.")
    assert [line for line in lines if line.startswith("| ") and "%" in line] == [
        "| Data management | 100% | 4 | 0 | 0 | 0 | 1 |",  # one of five not applicable
        "| Model learning | 0% | 0 | 0 | 0 | 3 | 0 |",
        "| Model deployment | 60% | 3 | 0 | 0 | 2 | 1 |",  # one of six not applicable
    ]
    assert [line for line in lines if line.startswith("## ")] == [
        "## Data management — 100% (4/4 resolved)",
        "## Model learning — 0% (0/3 resolved)",
        "## Model deployment — 60% (3/5 resolved)",
    ]
    assert "- [x] Every upstream feed has a written schema contract. — owner: Ana `schema-drift-contract`" in lines
    assert ("- **Not applicable:** ~~Records carry a stable key that survives merges.~~ (reason: No merges planned) "
            "`duplicate-records-key`") in lines
    assert "- [ ] Outputs outside the expected range are counted. — owner: Zoë `silent-failures-range`" in lines
    # Precedents: at most three, by id; label-noise has four.
    assert ("**[Label noise](https://guide.example.org/challenges/label-noise/)** · precedents: Example Shop — "
            "crowd labels, Example Retail — a feed migration, Example Market — returns as labels") in lines
    # Within a step, challenges follow their `order` (Table 1), not their ids.
    monitoring = [line for line in lines[lines.index("### Monitoring"):] if line.startswith("**[")]
    assert [line.split("]")[0] for line in monitoring] == ["**[Silent failures", "**[Alert fatigue",
                                                           "**[Feedback delay"]


def test_checklist_of_one_stage_scores_that_stage_only(rich_catalog: Path) -> None:
    """Readiness is the lowest stage *in scope*: the empty model-learning stage must not pull it to 0%."""
    md = cli("checklist", "--stage", "data-management", "--state", STATE, "--full").stdout
    lines = md.splitlines()
    assert lines[0] == "# Deployment checklist: Data management"
    assert lines[2].startswith("Readiness: **100%**. ")
    assert [line for line in lines if line.startswith("## ")] == ["## Data management — 100% (4/4 resolved)"]
    compact = cli("checklist", "--stage", "data-management", "--state", STATE).stdout
    assert "## Still open (0)\n\nNothing: every item is done, accepted as a risk or not applicable." in compact
    assert re.findall(r"`([a-z-]+)`$", md, re.MULTILINE) == [item for item, _ in DATA_MANAGEMENT]


def test_checklist_csv_has_one_row_per_item_with_its_state(rich_catalog: Path) -> None:
    rows = list(csv.DictReader(io.StringIO(cli("checklist", "--stage", "data-management", "--format", "csv",
                                               "--state", STATE).stdout)))
    assert [(r["item_id"], r["status"]) for r in rows] == DATA_MANAGEMENT
    first = rows[0]
    assert (first["stage"], first["step"], first["challenge"]) == ("Data management", "Data collection", "Label noise")
    assert rows[3]["reason"] == "No merges planned"
    assert rows[4]["note"] == "Gaps are imputed per field"


def test_checklist_json_is_the_state_file_again(rich_catalog: Path, tmp_path: Path) -> None:
    out = tmp_path / "state.json"
    cli("checklist", "--format", "json", "--state", STATE, "--stage", "model-deployment", "--out", out)
    text = out.read_text(encoding="utf-8")
    assert '"owner": "Zoë"' in text, "names stay readable in a file teams commit and diff"
    body = json.loads(text)
    assert body["scope"] == ["model-deployment"]
    assert [(i["id"], i["status"]) for i in body["items"]] == [
        ("api-versioning-contract", "done"), ("code-reuse-shared", "na"), ("silent-failures-canary", "done"),
        ("silent-failures-range", "open"), ("alert-fatigue-owner", "done"), ("feedback-delay-proxy", "open")]
    # The exported file reads back as the same state.
    again = cli("checklist", "--format", "json", "--state", out, "--stage", "model-deployment").stdout
    assert json.loads(again)["items"] == body["items"]


# ---------------------------------------------------------------- plan


def test_plan_text_without_an_industry(rich_catalog: Path) -> None:
    """No industry chosen: no reason may mention one. The order comes from 2 per trait + 0.1 per case study;
    the unitless score itself is not printed (issue 21: "relevance 16.35" explained nothing)."""
    out = cli("plan", "--profile", PROFILES / "rich-general.yaml").stdout
    assert out.splitlines() == [
        " 1. label-noise: matches user-facing",  # 2.4
        " 2. schema-drift: matches real-time",  # 2.3
        " 3. missing-values: matches regulated",  # 2.2
        " 4. duplicate-records: matches regulated",  # 2.1
    ]


def test_plan_text_with_an_industry(rich_catalog: Path) -> None:
    out = cli("plan", "--profile", PROFILES / "rich-finance.yaml").stdout
    assert out.splitlines() == [
        " 1. missing-values: matches regulated; 1 case study in finance",  # .2+3+.25
        " 2. duplicate-records: matches regulated; 1 case study in finance",  # .1+3+.25 (the tag itself weighs 0)
        " 3. label-noise: nothing in your profile points to it; ranked by its 4 case studies",  # .4
        " 4. schema-drift: nothing in your profile points to it; ranked by its 3 case studies",  # .3
    ]


def test_plan_markdown_is_the_checklist_in_ranked_order(rich_catalog: Path, tmp_path: Path) -> None:
    out = tmp_path / "plan.md"
    cli("plan", "--profile", PROFILES / "rich-finance.yaml", "--format", "md", "--state", STATE, "--out", out,
        "--site-url", SITE)
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "# Deployment plan: Loan approvals"
    assert lines[2].startswith("Readiness: **100%**. "), "only the profile's stage counts"
    assert [line for line in lines if line.startswith("### ")] == [
        "### 1. [Missing values](https://guide.example.org/challenges/missing-values/)",
        "### 2. [Duplicate records](https://guide.example.org/challenges/duplicate-records/)",
        "### 3. [Label noise](https://guide.example.org/challenges/label-noise/)",
        "### 4. [Schema drift](https://guide.example.org/challenges/schema-drift/)",
    ]


def test_plan_csv_and_json_follow_the_ranking(rich_catalog: Path) -> None:
    ranked_items = ["missing-values-policy", "duplicate-records-key", "label-noise-audit", "schema-drift-contract",
                    "schema-drift-alert"]
    rows = list(csv.DictReader(io.StringIO(cli("plan", "--profile", PROFILES / "rich-finance.yaml",
                                               "--format", "csv", "--state", STATE).stdout)))
    assert [r["item_id"] for r in rows] == ranked_items
    assert [r["status"] for r in rows] == ["done", "na", "done", "done", "done"]
    body = json.loads(cli("plan", "--profile", PROFILES / "rich-finance.yaml", "--format", "json").stdout)
    assert [i["id"] for i in body["items"]] == ranked_items
    assert {i["status"] for i in body["items"]} == {"open"}, "no --state: everything open"
    assert body["scope"] == ["data-management"]


def test_plan_refuses_a_profile_that_does_not_parse(rich_catalog: Path, tmp_path: Path) -> None:
    profile = tmp_path / "broken.yaml"
    profile.write_text("name: [unclosed\n", encoding="utf-8")
    result = cli("plan", "--profile", profile, code=1)
    assert result.stdout == ""
    assert result.stderr.splitlines()[0].startswith("broken.yaml:2: broken: -: YAML does not parse")


# ---------------------------------------------------------------- brief


def test_brief_for_a_profile_covers_its_top_challenges(rich_catalog: Path, tmp_path: Path) -> None:
    out = tmp_path / "brief.md"
    cli("brief", "--profile", PROFILES / "rich-finance.yaml", "--top", "2", "--out", out, "--site-url", SITE)
    text = out.read_text(encoding="utf-8")
    assert "Project profile: Finance, regulated." in text
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert headings == ["## [Missing values](https://guide.example.org/challenges/missing-values/)",
                        "## [Duplicate records](https://guide.example.org/challenges/duplicate-records/)",
                        "## References"]
    assert "*Why it is on this list:* matches regulated; 1 case study in finance." in text
    assert "- [ ] Records carry a stable key that survives merges. `duplicate-records-key`" in text
    bib = parse_string((tmp_path / "brief.bib").read_text(encoding="utf-8"), "bibtex")
    assert list(bib.entries) == ["paleyes2020challenges"]


def test_brief_needs_a_profile_or_a_challenge(rich_catalog: Path) -> None:
    assert cli("brief", code=1).stderr == (
        "error: give --profile FILE or at least one --challenge, --case-study or --mitigation ID\n")
    result = cli("brief", "--challenge", "schema-drfit", code=1)
    assert result.stderr == "error: unknown challenge 'schema-drfit'; did you mean schema-drift?\n"


def test_brief_for_chosen_challenges_keeps_their_order(rich_catalog: Path) -> None:
    text = cli("brief", "--challenge", "model-size", "--challenge", "schema-drift", "--site-url", SITE).stdout
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert headings == ["## [Model size](https://guide.example.org/challenges/model-size/)",
                        "## [Schema drift](https://guide.example.org/challenges/schema-drift/)", "## References"]
    assert "Why it is on this list" not in text, "no profile, no ranking reasons"


# ---------------------------------------------------------------- bench


def test_bench_prints_a_table_and_exits_on_its_targets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The smallest real run: the valid catalog at 1x and 2x, one run each, no site build.
    Timings vary, so the exit code is checked against the verdicts the table itself prints."""
    shutil.copytree(VALID, tmp_path / "catalog")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["bench", "--scales", "1,2", "--build-scales", "", "--runs", "1"])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    lines = result.stdout.splitlines()
    assert lines[0] == "Medians of 1 runs, each in a fresh process."
    cat = load.load(VALID)
    entities = len(cat.challenges) + len(cat.case_studies) + len(cat.references) + len(cat.mitigations)
    pages = sum(p.endswith(".md") for p in render.render(cat, graph.build(cat)))
    bench.synthesize(VALID, tmp_path / "x2", 2)
    cat2 = load.load(tmp_path / "x2")
    pages2 = sum(p.endswith(".md") for p in render.render(cat2, graph.build(cat2)))
    rows = [line.split(" | ") for line in lines if line.startswith(("| 1×", "| 2×"))]
    assert [(r[0], r[1], r[2]) for r in rows] == [("| 1×", str(entities), str(pages)),
                                                  ("| 2×", str(2 * entities), str(pages2))]
    assert [r[-1] for r in rows] == ["– |", "– |"], "no build was asked for"
    verdicts = [line for line in lines if line.startswith("| `fieldguide check`")]
    assert len(verdicts) == 1 and "real catalog" in verdicts[0]
    met = verdicts[0].endswith("| yes |")
    assert result.exit_code == (0 if met else 1)


def test_bench_refuses_a_bad_scale_list() -> None:
    result = CliRunner().invoke(main, ["bench", "--scales", "1,ten"])
    assert isinstance(result.exception, SystemExit) and result.exit_code == 2
    assert "expected comma-separated whole numbers, got '1,ten'" in result.stderr
