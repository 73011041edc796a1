"""Ranking for a project profile, readiness scores, and the profile file's precise errors."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from conftest import HERE, REAL
from fieldguide import graph, load, plan
from fieldguide.cli import main
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
    assert ranked[0].reasons(cat) == ["matches regulated", "typical of healthcare"]
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
    assert "1 case study in online services" in ranked["data-discovery"].reasons(cat)


def test_stages_limit_the_plan(valid_catalog: Path) -> None:
    cat, g = _valid(valid_catalog)
    assert [r.id for r in plan.rank(cat, g, Profile(stages=["model-deployment"]))] == ["feedback-loops"]


def test_page_weights_reproduce_the_python_ranking() -> None:
    """The planner page adds up these weights; summing them here must give `rank`'s scores."""
    cat = load.load(REAL)
    g = graph.build(cat)
    data = plan.weights_for_page(cat, g)
    profile = Profile(industry="finance", traits=["regulated", "high-stakes-decisions"])
    for r in plan.rank(cat, g, profile):
        w = data["weights"][r.id]
        expected = w["base"] + sum(w["traits"].get(t, 0) for t in profile.traits) + w["industries"].get("finance", 0)
        assert r.score == plan.round2(expected)


def _real():
    cat = load.load(REAL)
    return cat, graph.build(cat)


def test_a_trait_ranks_first_the_challenge_that_is_about_it() -> None:
    cat, g = _real()
    # the symptom reported in issue 9: with only large-scale training ticked, computational cost ranked 11th
    ranked = plan.rank(cat, g, Profile(traits=["large-scale-training"]))
    assert ranked[0].id == "computational-cost"
    assert ranked[0].reasons(cat) == ["matches large-scale training"]
    assert plan.rank(cat, g, Profile(traits=["resource-constrained"]))[0].id == "resource-constrained-environments"
    assert plan.rank(cat, g, Profile(traits=["predictions-shape-data"]))[0].id == "feedback-loops"


def test_the_description_moves_the_challenges_it_talks_about_up_and_names_the_words() -> None:
    cat, g = _real()
    plain = [r.id for r in plan.rank(cat, g, Profile(industry="online-services"))]
    described = plan.rank(cat, g, Profile(industry="online-services", description=(
        "We retrain a demand forecast every week from store sales; seasons, promotions and shoppers' habits "
        "keep changing what sells.")))
    assert plain.index("concept-drift") > 4
    assert described[0].id == "concept-drift"
    why = described[0].reasons(cat)
    assert why[0].startswith("your description mentions ") and "“retrain”" in why[0]


def test_reasons_never_claim_a_match_that_is_not_there() -> None:
    cat, g = _real()
    ranked = plan.rank(cat, g, Profile())
    assert ranked[0].reasons(cat) == [f"nothing in your profile points to it; ranked by its {ranked[0].cases} "
                                      "case studies"]
    assert all("applies to every project" not in " ".join(r.reasons(cat)) for r in ranked)
    literature = {s.id for s in cat.case_studies.values() if s.industry == "cross-industry"}
    assert {"hidden-technical-debt", "model-stealing-prediction-apis"} <= literature
    # literature studies no longer count as online services
    online = {r.id: r for r in plan.rank(cat, g, Profile(industry="online-services"))}
    assert online["model-stealing"].industry_cases == 0


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


def test_plan_command_prints_the_ranking() -> None:
    result = CliRunner().invoke(main, ["plan", "--catalog", str(REAL), "--profile", str(HERE / "profiles/clinic.yaml")])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert all(line.split(":")[0].split()[-1] in load.load(REAL).challenges for line in lines)
    assert len(lines) == 7, "data management has 7 challenges"


def test_profile_errors_name_file_line_and_field() -> None:
    result = CliRunner().invoke(main, ["plan", "--catalog", str(REAL), "--profile", str(HERE / "profiles/bad.yaml")])
    assert result.exit_code == 1
    assert "tests/profiles/bad.yaml:5: bad: budget: unknown key" in result.stderr
    result = CliRunner().invoke(main, ["plan", "--catalog", str(REAL), "--profile", str(HERE / "profiles/bad.yaml")])
    assert "Traceback" not in result.output


def test_profile_unknown_values_are_reported_with_suggestions(tmp_path: Path) -> None:
    profile = tmp_path / "p.yaml"
    profile.write_text((HERE / "profiles/bad.yaml").read_text().replace("budget: 10\n", ""))
    result = CliRunner().invoke(main, ["plan", "--catalog", str(REAL), "--profile", str(profile)])
    assert result.exit_code == 1
    errors = result.stderr.splitlines()
    assert errors[0].endswith("p.yaml:2: p: industry: unknown industry 'health' (did you mean 'healthcare'?)")
    assert errors[1].endswith("p.yaml:3: p: traits[1]: unknown trait 'user-facin' (did you mean 'user-facing'?)")
    assert errors[2].endswith("p.yaml:4: p: stages[1]: unknown stage 'deployment' (did you mean 'model-deployment'?)")
    assert errors[3] == "3 problem(s) in 1 file(s)"
