"""Ranking for a project profile, readiness scores, and the profile file's precise errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import HERE, REAL, RICH, cli
from fieldguide import graph, load, plan, render
from fieldguide.schema import Profile


def _valid(valid_catalog: Path):
    cat = load.load(valid_catalog)
    return cat, graph.build(cat)


def test_matching_facets_rank_a_challenge_above_one_that_does_not(valid_catalog: Path) -> None:
    cat, g = _valid(valid_catalog)
    # data-profiling is tagged regulated + healthcare; data-discovery is tagged user-facing.
    ranked = plan.rank(cat, g, Profile(industry="healthcare", traits=["regulated"]))
    assert [r.id for r in ranked][:2] == ["data-profiling", "data-discovery"]
    assert ranked[0].matched_traits == ["regulated"] and ranked[0].industry_tagged
    assert ranked[0].reasons(cat) == ["matches regulated", "typical of your industry"]
    ranked = plan.rank(cat, g, Profile(traits=["user-facing"]))
    assert ranked[0].id == "data-discovery"


def test_ties_follow_the_workflow_order(valid_catalog: Path) -> None:
    cat, g = _valid(valid_catalog)
    ranked = plan.rank(cat, g, Profile())
    # no facet chosen: scores differ only by evidence (one case study each for discovery and profiling)
    assert [r.id for r in ranked] == ["data-discovery", "data-profiling", "feedback-loops"]
    assert ranked[0].score == ranked[1].score
    assert plan.rank(cat, g, Profile()) == ranked, "deterministic"


def test_case_studies_in_the_projects_industry_add_to_the_score(valid_catalog: Path) -> None:
    cat, g = _valid(valid_catalog)
    ranked = {r.id: r for r in plan.rank(cat, g, Profile(industry="online-services"))}
    assert ranked["data-discovery"].industry_cases == 1
    assert ranked["data-discovery"].score > ranked["feedback-loops"].score
    assert "1 case study in your industry" in ranked["data-discovery"].reasons(cat)


def test_stages_limit_the_plan(valid_catalog: Path) -> None:
    cat, g = _valid(valid_catalog)
    assert [r.id for r in plan.rank(cat, g, Profile(stages=["model-deployment"]))] == ["feedback-loops"]


def _page_rank(data: dict, profile: Profile) -> list[tuple[str, float, list[str]]]:
    """What planner.js does with the page's data (`rank` and `reasons` there), step by step."""
    order = data["ranking"]["order"]
    ranked = []
    for cid in order:
        if profile.stages and data["challenges"][cid]["stage"] not in profile.stages:
            continue
        w = data["ranking"]["weights"][cid]
        traits = [t for t in profile.traits if t in w["traits"]]
        score = w["base"] + sum(w["traits"][t] for t in traits)
        if profile.industry:
            score += w["industries"].get(profile.industry, 0)
        tagged = bool(profile.industry) and profile.industry in w["industry_tags"]
        cases = w["industry_cases"].get(profile.industry, 0) if profile.industry else 0
        reasons = (["matches " + ", ".join(data["traits"][t].lower() for t in traits)] if traits else []) \
            + (["typical of your industry"] if tagged else []) \
            + ([f"{cases} case {'study' if cases == 1 else 'studies'} in your industry"] if cases else [])
        ranked.append((cid, round(score * 100) / 100, reasons or ["applies to every project"]))
    ranked.sort(key=lambda r: (-r[1], order.index(r[0])))
    return ranked


@pytest.mark.parametrize("profile", [
    Profile(industry="retail", traits=["realtime", "user-facing"]),
    Profile(industry="finance", traits=["regulated"], stages=["data-management"]),
    Profile(traits=["regulated", "user-facing", "realtime"], stages=["data-management", "model-deployment"]),
    Profile(),
])
def test_the_planner_page_ranks_like_the_cli(profile: Profile) -> None:
    """The page only adds up the weights shipped in planner/data.json: that must give `rank`'s
    order, scores and reasons exactly (rich catalog: industries with several case studies, ties)."""
    cat = load.load(RICH)
    g = graph.build(cat)
    data = json.loads(render.render(cat, g)["planner/data.json"])
    expected = [(r.id, r.score, r.reasons(cat)) for r in plan.rank(cat, g, profile)]
    assert _page_rank(data, profile) == expected
    assert len(expected) == sum(1 for c in cat.challenges.values()
                                if not profile.stages or cat.stage_of(c.step).id in profile.stages)


def test_the_planner_page_ranks_the_real_catalog_like_the_cli() -> None:
    cat = load.load(REAL)
    g = graph.build(cat)
    data = {"ranking": plan.weights_for_page(cat, g), "traits": {t.id: t.title for t in cat.facets.traits},
            "challenges": {c.id: {"stage": cat.stage_of(c.step).id} for c in cat.challenges.values()}}
    profile = Profile(industry="finance", traits=["regulated", "high-stakes-decisions"])
    assert _page_rank(data, profile) == [(r.id, r.score, r.reasons(cat)) for r in plan.rank(cat, g, profile)]


def test_readiness_is_done_over_applicable_and_overall_is_the_lowest_stage(valid_catalog: Path) -> None:
    cat, _ = _valid(valid_catalog)
    statuses = {"data-discovery-source-owners": "done", "data-discovery-catalogue": "na",
                "data-profiling-report": "open", "feedback-loops-holdout": "done"}
    per_stage = plan.readiness(cat, statuses)
    assert per_stage["data-management"] == plan.Readiness(done=1, applicable=2)
    assert per_stage["data-management"].score == 0.5
    assert per_stage["model-deployment"].score == 1.0
    assert plan.overall(per_stage) == 0.5
    assert plan.readiness(cat, {"feedback-loops-holdout": "na"})["model-deployment"].score is None


def test_plan_command_prints_rank_score_and_reasons() -> None:
    """Worked out from the rich catalog (see test_rich_catalog.py for the arithmetic)."""
    out = cli("plan", "--catalog", RICH, "--profile", HERE / "profiles/rich-retail.yaml").stdout
    assert out.splitlines() == [
        " 1.  13.0  label-noise: matches user-facing; 4 case studies in your industry",
        " 2.  11.5  schema-drift: matches real-time; typical of your industry; 2 case studies in your industry",
        " 3.   6.0  silent-failures: matches real-time, user-facing",
        " 4.   1.0  missing-values: applies to every project",
        " 5.   0.5  duplicate-records: applies to every project",
        " 6.   0.0  baseline-choice: applies to every project",
        " 7.   0.0  model-size: applies to every project",
        " 8.   0.0  training-cost: applies to every project",
        " 9.   0.0  api-versioning: applies to every project",
        "10.   0.0  code-reuse: applies to every project",
        "11.   0.0  alert-fatigue: applies to every project",
        "12.   0.0  feedback-delay: applies to every project",
    ]


def test_profile_errors_name_file_line_and_field() -> None:
    result = cli("plan", "--catalog", REAL, "--profile", HERE / "profiles/bad.yaml", code=1)
    assert "tests/profiles/bad.yaml:5: bad: budget: unknown key" in result.stderr


def test_profile_unknown_values_are_reported_with_suggestions(tmp_path: Path) -> None:
    profile = tmp_path / "p.yaml"
    profile.write_text((HERE / "profiles/bad.yaml").read_text().replace("budget: 10\n", ""))
    result = cli("plan", "--catalog", REAL, "--profile", profile, code=1)
    errors = result.stderr.splitlines()
    assert errors[0].endswith("p.yaml:2: p: industry: unknown industry 'health' (did you mean 'healthcare'?)")
    assert errors[1].endswith("p.yaml:3: p: traits[1]: unknown trait 'user-facin' (did you mean 'user-facing'?)")
    assert errors[2].endswith("p.yaml:4: p: stages[1]: unknown stage 'deployment' (did you mean 'model-deployment'?)")
    assert errors[3] == "3 problem(s) in 1 file(s)"
