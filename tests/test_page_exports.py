"""The page's exports are the CLI's, byte for byte: the page's modules (engine/checklist.js,
engine/plan.js under content/assets/javascripts/) run under Node (`js/exports_runner.js`) on the data
the site ships (planner/data.json, search/index.json) and a state file imported as the page imports
it, and must write exactly the golden files of `test_checklist.py`, what `fieldguide.checklist`
writes for the rich and the real catalog (readiness, labels, covers text and caps included), and
the brief `fieldguide brief` writes."""

from __future__ import annotations

import atexit
import json
import shutil
import subprocess
import tempfile
from datetime import datetime
from functools import cache
from pathlib import Path

import pytest

from conftest import HERE, REAL, RICH, VALID, cli
from fieldguide import checklist, graph, load, plan
from fieldguide.schema import Profile

RUNNER = HERE / "js" / "exports_runner.js"
GOLDEN = HERE / "golden" / "checklist"
STATES = HERE / "states"
SITE = "https://guide.example.org/"
NOW = "2026-11-27T12:00:00Z"  # the golden JSON's export time (test_checklist.NOW)
ALL = "Deployment checklist: all stages"


@cache
def site_files(catalog: Path) -> tuple[Path, Path, Path]:
    """planner/data.json (with its chunks beside it), the state file's schema and the search index as the
    site ships them."""
    from fieldguide import render

    cat = load.load(catalog)
    files = render.render(cat, graph.build(cat), site_url=SITE)
    out = Path(tempfile.mkdtemp(prefix="page-exports-"))
    atexit.register(shutil.rmtree, out, ignore_errors=True)
    for name, text in files.items():  # the planner's data as the site splits it: its core and chunks
        if name.startswith("planner/"):
            (out / name).parent.mkdir(exist_ok=True)
            (out / name).write_text(text, encoding="utf-8")
    (out / "schema.json").write_text(files["downloads/schema/checklist-state.schema.json"], encoding="utf-8")
    for name, text in files.items():  # the search index as the site ships it: its entry and parts
        if name.startswith("search/"):
            (out / name).parent.mkdir(exist_ok=True)
            (out / name).write_text(text, encoding="utf-8")
    return out / "planner" / "data.json", out / "schema.json", out / "search" / "index.json"


def page(catalog: Path, jobs: list[dict]) -> list[str]:
    data, schema, index = site_files(catalog)
    jobs = [{**j, "state": j.get("state") and str(j["state"])} for j in jobs]
    payload = {"data": str(data), "schema": str(schema), "index": str(index), "jobs": jobs}
    proc = subprocess.run(["node", str(RUNNER)], input=json.dumps(payload), capture_output=True, text=True,
                          check=False, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


GOLDEN_JOBS = {
    "progress.md": {"state": STATES / "progress.json", "format": "md", "title": ALL},
    "progress.csv": {"state": STATES / "progress.json", "format": "csv"},
    "progress.json": {"state": STATES / "progress.json", "format": "json", "exported": NOW},
    "team.md": {"state": STATES / "team.json", "format": "md", "title": ALL},
    "team-full.md": {"state": STATES / "team.json", "format": "md", "title": ALL, "compact": False},
    "team.csv": {"state": STATES / "team.json", "format": "csv"},
}


def test_every_export_of_the_page_is_the_golden_file_byte_for_byte() -> None:
    names = sorted(GOLDEN_JOBS)
    out = page(VALID, [GOLDEN_JOBS[n] for n in names])
    for name, text in zip(names, out, strict=True):
        assert text == (GOLDEN / name).read_text(encoding="utf-8"), name


def _python(catalog: Path, state_file: Path | None, fmt: str, title: str = ALL, stages: list[str] | None = None,
            order: list[str] | None = None, compact: bool = True) -> str:
    cat = load.load(catalog)
    g = graph.build(cat)
    state = checklist.read_state(state_file, cat)[0] if state_file else checklist.State()
    rows = checklist.rows(cat, stages=stages, challenges=order)
    if order:
        rows.sort(key=lambda row: order.index(row.challenge))
    if fmt == "md":
        return checklist.to_markdown(cat, g, rows, state, SITE, title, ranked=bool(order),
                                     compact=compact and not order)
    if fmt == "csv":
        return checklist.to_csv(cat, g, rows, state)
    return checklist.to_json(cat, rows, state, now=datetime.fromisoformat(NOW))


@pytest.mark.parametrize("catalog, state", [(RICH, STATES / "rich-progress.json"), (RICH, None),
                                            (REAL, STATES / "rich-progress.json")],
                         ids=["rich", "rich-empty", "real-orphans-only"])
@pytest.mark.parametrize("fmt, compact", [("md", True), ("md", False), ("csv", True), ("json", True)])
def test_page_exports_match_python_for_every_stage_and_for_all(catalog: Path, state: Path | None, fmt: str,
                                                               compact: bool) -> None:
    """Every stage page's export and the all-stages page's, with readiness per stage and overall, the
    status labels, the CSV columns and covers text from the data."""
    stages = [[]] + [[s.id] for s in load.load(catalog).stages]
    jobs = [{"state": state, "format": fmt, "title": ALL, "stages": s, "compact": compact, "exported": NOW}
            for s in stages]
    for scope, text in zip(stages, page(catalog, jobs), strict=True):
        assert text == _python(catalog, state, fmt, stages=scope or None, compact=compact), (scope, fmt)


def test_the_plan_export_is_fieldguide_plan_md_for_the_same_ranking() -> None:
    """`fieldguide plan --format md` and the planner's "Export plan": rank order, one list of
    challenges, precedents capped as in Python, covers text, readiness of the stages in scope."""
    cat = load.load(RICH)
    g = graph.build(cat)
    profiles = [Profile(name="Fraud model", industry="finance", traits=["regulated"]),
                Profile(name="Two stages", stages=[cat.stages[0].id, cat.stages[-1].id])]
    jobs, expected = [], []
    for profile in profiles:
        order = [r.id for r in plan.rank(cat, g, profile)]
        title = f"Deployment plan: {profile.name}"
        jobs.append({"state": STATES / "rich-progress.json", "format": "md", "title": title, "order": order,
                     "ranked": True})
        expected.append(_python(RICH, STATES / "rich-progress.json", "md", title=title, order=order))
    assert page(RICH, jobs) == expected
    assert all("precedents: " in text for text in expected), "the cap on precedents is exercised"


def test_orphans_are_listed_in_the_same_order(tmp_path: Path) -> None:
    """Items the catalog no longer has, written to the file out of order: listed alike (Markdown, CSV
    and the state file keep them)."""
    state = tmp_path / "orphans.json"
    state.write_text(json.dumps({"format": "fieldguide-checklist", "version": 3, "items": [
        {"id": "zz-retired-check", "status": "na", "reason": "gone"},
        {"id": "data-discovery-catalogue", "status": "done"},
        {"id": "aa-retired-check", "status": "done", "owner": "Ana"},
        {"id": "mm-retired-check", "status": "accepted-risk", "reason": "known"}]}), encoding="utf-8")
    for fmt in ("md", "csv", "json"):
        (text,) = page(VALID, [{"state": state, "format": fmt, "title": ALL, "exported": NOW}])
        assert text == _python(VALID, state, fmt), fmt


@pytest.mark.parametrize("catalog, profile, with_preprint, chosen", [
    (REAL, {"name": "Loan scoring", "industry": "finance", "traits": ["regulated"]}, False, {}),
    (REAL, {"name": "", "industry": "healthcare", "traits": [], "stages": ["model-deployment", "data-management"],
            "description": "x-ray triage where labels need radiologists and the data drifts"}, True, {}),
    (REAL, {"name": "Ward", "industry": "healthcare", "traits": []}, False,
     {"caseStudies": ["epic-sepsis-alerts-covid-19"], "mitigations": ["alibi-detect", "evidently"]}),
    (RICH, {"name": "Ana's $' *model* `x`", "industry": "", "traits": []}, False, {})],
    ids=["real", "real-description-preprint", "real-case-studies-mitigations", "rich-hostile-name"])
def test_the_planners_brief_is_what_fieldguide_brief_writes(tmp_path: Path, catalog: Path, profile: dict,
                                                            with_preprint: bool, chosen: dict) -> None:
    """The page's brief (its ranking, reasons, head, chosen case studies and mitigations, sources)
    against `fieldguide brief` for the same profile: Markdown and BibTeX byte for byte."""
    profile = {"stages": [], "description": "", **profile}
    (tmp_path / "p.yaml").write_text(json.dumps({k: v for k, v in profile.items() if v}), encoding="utf-8")
    cli("brief", "--catalog", catalog, "--profile", tmp_path / "p.yaml", "--top", "4", "--date", "2026-12-01",
        "--site-url", SITE, "--out", tmp_path / "brief.md", *(["--with-preprint"] if with_preprint else []),
        *[a for s in chosen.get("caseStudies", []) for a in ("--case-study", s)],
        *[a for m in chosen.get("mitigations", []) for a in ("--mitigation", m)])
    (made,) = page(catalog, [{"format": "brief", "profile": profile, "top": 4, "date": "2026-12-01",
                              "withPreprint": with_preprint, **chosen}])
    assert made["markdown"] == (tmp_path / "brief.md").read_text(encoding="utf-8")
    assert made["bibtex"] == (tmp_path / "brief.bib").read_text(encoding="utf-8")


def test_every_engine_module_loads_in_node_and_adds_no_global() -> None:
    """engine/ is the part Node runs: each module loads without a page (no `window`, `document` or
    storage) and leaves the global object as it found it."""
    engine = HERE.parent / "content" / "assets" / "javascripts" / "engine"
    modules = sorted(p.as_uri() for p in engine.glob("*.js"))
    script = ("const before = new Set(Object.getOwnPropertyNames(globalThis));"
              f"for (const m of {json.dumps(modules)}) await import(m);"
              "const added = Object.getOwnPropertyNames(globalThis).filter((n) => !before.has(n));"
              "process.stdout.write(JSON.stringify({added, window: typeof window, document: typeof document}));")
    proc = subprocess.run(["node", "--input-type=module", "-e", script], capture_output=True, text=True, check=False,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert len(modules) >= 8
    assert json.loads(proc.stdout) == {"added": [], "window": "undefined", "document": "undefined"}


@pytest.mark.parametrize("catalog", [REAL, RICH], ids=["real", "rich"])
def test_the_planners_brief_with_the_teams_state_is_what_fieldguide_brief_state_writes(tmp_path: Path,
                                                                                       catalog: Path) -> None:
    """The page's brief with the checklist state it holds (imported from a file, as the page imports
    one) against `fieldguide brief --state` on that file: every status, hostile reasons and owners
    included, byte for byte."""
    cat = load.load(catalog)
    statuses = ("done", "accepted-risk", "na", "in-progress", "open")
    hostile = ["$' `x`{=latex} \\input{/etc/passwd}", "[see](javascript:alert(1)) @paleyes2020challenges", "-Kim",
               "  two  spaces and more ", "Zoë <b>bold</b>"]
    items = [{"id": item.id, "status": statuses[n % 5], "owner": hostile[(n + 2) % 5],
              "reason": hostile[n % 5] if statuses[n % 5] in ("accepted-risk", "na") else ""}
             for n, item in enumerate(i for c in cat.challenges.values() for i in c.checklist)]
    state = tmp_path / "state.json"
    state.write_text(json.dumps({"format": "fieldguide-checklist", "version": 2, "items": items}), encoding="utf-8")
    profile = {"name": "Ward", "industry": "", "traits": [], "stages": [], "description": ""}
    (tmp_path / "p.yaml").write_text(json.dumps({"name": "Ward"}), encoding="utf-8")
    cli("brief", "--catalog", catalog, "--profile", tmp_path / "p.yaml", "--top", "6", "--date", "2026-12-01",
        "--site-url", SITE, "--out", tmp_path / "brief.md", "--state", state)
    (made,) = page(catalog, [{"format": "brief", "profile": profile, "top": 6, "date": "2026-12-01", "state": state}])
    expected = (tmp_path / "brief.md").read_text(encoding="utf-8")
    assert made["markdown"] == expected
    assert all(s in expected for s in ("- [x] ", "(accepted risk: ", "(not applicable: ", "(in progress; owner: "))
