"""Ranking for a project profile, readiness scores, and the profile file's precise errors."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import HERE, REAL, RICH, cli
from fieldguide import graph, load, plan, search
from fieldguide.schema import Profile


def _valid(valid_catalog: Path):
    cat = load.load(valid_catalog)
    return cat, graph.build(cat)


def test_matching_facets_rank_a_challenge_above_one_that_does_not(valid_catalog: Path) -> None:
    cat, g = _valid(valid_catalog)
    # data-profiling is tagged regulated + healthcare; data-discovery is tagged user-facing.
    ranked = plan.rank(cat, g, Profile(industry="healthcare", traits=["regulated"]))
    assert [r.id for r in ranked][:2] == ["data-profiling", "data-discovery"]
    assert ranked[0].matched_traits == ["regulated"]
    # the industry tag carries no weight (plan.INDUSTRY_TAG), so it is given as no reason
    assert not ranked[0].industry_tagged and plan.INDUSTRY_TAG == 0
    assert ranked[0].reasons(cat) == ["matches regulated"]
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


def test_a_challenges_contexts_let_a_kickoff_description_find_it(valid_catalog: Path) -> None:
    """A kickoff description names the project, not the problem: it finds a challenge through the contexts
    vocabulary.yaml gives it (how such a project is described before the challenge bites)."""
    description = "Shoppers click on the items we rank highest, and those clicks shape the ranking they get tomorrow."
    cat, g = _valid(valid_catalog)
    before = plan.rank(cat, g, Profile(description=description))
    assert before[0].id != "feedback-loops"
    searched = [h.id for h in search.run(search.index_for(cat, g), "shoppers click", types=("challenge",))]
    (valid_catalog / "vocabulary.yaml").write_text(
        "contexts:\n  feedback-loops:\n"
        "    - What shoppers click on the items we rank first becomes next month's training data.\n"
        "  data-profiling:\n    - Several teams fill the warehouse tables by hand from spreadsheets.\n",
        encoding="utf-8")
    cat, g = _valid(valid_catalog)
    after = plan.rank(cat, g, Profile(description=description))
    assert after[0].id == "feedback-loops"
    assert {"shoppers", "rank"} <= set(after[0].words), "words only the context holds are named too"
    assert "“shoppers”" in after[0].reasons(cat)[0]
    # the contexts are the planner's: a question typed into search finds what it found before
    assert [h.id for h in search.run(search.index_for(cat, g), "shoppers click", types=("challenge",))] == searched


def test_a_challenge_without_contexts_keeps_the_whole_description_weight(valid_catalog: Path) -> None:
    """Contexts written for one challenge do not demote the others: a challenge that has none (yet) is
    read on its own words for all of the description's weight."""
    description = "Quality problems in the data go unseen until the model is trained."
    cat, g = _valid(valid_catalog)
    before = {r.id: r.score for r in plan.rank(cat, g, Profile(description=description))}
    (valid_catalog / "vocabulary.yaml").write_text(
        "contexts:\n  feedback-loops:\n    - What users click on becomes next month's training data.\n",
        encoding="utf-8")
    cat, g = _valid(valid_catalog)
    after = {r.id: r.score for r in plan.rank(cat, g, Profile(description=description))}
    assert after["data-profiling"] == before["data-profiling"] > after["feedback-loops"]
    assert after["data-profiling"] >= plan.DESCRIPTION, "the closest challenge by its own words gets it all"


DEPLOYMENT = """deployments:
  - id: shop-ranking
    name: "A shop's search ranking"
    description: >-
      Shoppers click on the items we rank highest, and we retrain the ranking every night from those
      clicks and the orders that follow.
    bit: [data-profiling]
    split: dev
    source:
      title: "How a shop ranked its search"
      url: "https://example.org/shop"
      says: >-
        The orders table it trained on was full of test orders nobody had flagged.
"""


def test_a_description_like_a_deployment_raises_the_challenge_that_bit_it_and_names_it(valid_catalog: Path) -> None:
    """A project much like a documented deployment sees the challenge that bit that deployment rise, with
    the deployment named as the reason; a project like none of them is ranked as before."""
    description = "Shoppers click on the items we rank highest; we retrain the ranking every night."
    unrelated = "Quality problems in the warehouse tables go unseen."
    cat, g = _valid(valid_catalog)
    before = plan.rank(cat, g, Profile(description=description))
    alone = {r.id: r.score for r in plan.rank(cat, g, Profile(description=unrelated))}
    (valid_catalog / "deployments.yaml").write_text(DEPLOYMENT, encoding="utf-8")
    cat, g = _valid(valid_catalog)
    after = plan.rank(cat, g, Profile(description=description))
    bitten = next(r for r in after if r.id == "data-profiling")
    assert [r.id for r in after].index("data-profiling") < [r.id for r in before].index("data-profiling")
    assert bitten.score == round(next(r.score for r in before if r.id == "data-profiling") + plan.SIMILAR, 2)
    assert bitten.similar == ["A shop's search ranking"]
    assert "it bit similar projects: “A shop's search ranking”" in bitten.reasons(cat)
    # the brief links the name to the page it rests on, so a reviewer can check the precedent
    assert bitten.sources == ["https://example.org/shop"]
    assert "it bit similar projects: [“A shop's search ranking”](<https://example.org/shop>)" in bitten.reasons(
        cat, links=True)
    assert all(not r.similar for r in after if r.id != "data-profiling"), "only the challenge that bit it"
    # deployments are the planner's alone: search does not list them, and words they share with no
    # description move nothing
    assert "A shop's search ranking" not in [h.title for h in search.run(search.index_for(cat, g), "shop ranking")]
    assert {r.id: r.score for r in plan.rank(cat, g, Profile(description=unrelated))} == alone


def test_only_the_closest_deployments_count(valid_catalog: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Of the deployments a description resembles, the NEIGHBOURS closest count: a far one adds nothing."""
    many = DEPLOYMENT + "".join(
        f"""  - id: shop-{k}
    name: "Shop number {k}"
    description: >-
      Shoppers click on the items we rank highest.
    bit: [feedback-loops]
    split: dev
    source:
      title: "Shop {k}"
      url: "https://example.org/shop-{k}"
      says: >-
        Its ranking fed on its own clicks.
""" for k in range(plan.NEIGHBOURS))
    (valid_catalog / "deployments.yaml").write_text(many, encoding="utf-8")
    cat, g = _valid(valid_catalog)
    ranked = {r.id: r for r in plan.rank(cat, g, Profile(description="Shoppers click on the items we rank highest"))}
    assert not ranked["data-profiling"].similar, "the eleventh closest: not among the NEIGHBOURS"
    assert ranked["feedback-loops"].similar == ["Shop number 0", "Shop number 1"][:plan.NAMED]
    assert ranked["feedback-loops"].sources == ["https://example.org/shop-0", "https://example.org/shop-1"][:plan.NAMED]
    monkeypatch.setattr(plan, "NEIGHBOURS", plan.NEIGHBOURS + 1)
    ranked = {r.id: r for r in plan.rank(cat, g, Profile(description="Shoppers click on the items we rank highest"))}
    assert ranked["data-profiling"].similar == ["A shop's search ranking"], "one more, and it counts"


def test_words_that_only_tell_the_story_are_never_given_as_a_reason() -> None:
    """"We will first put it to use, and many come back often": none of it says what could go wrong, so
    no challenge is ranked or explained by it; the same words still count in a search question."""
    cat, g = _real()
    story = "We will first put the model to use, and many users come back often and keep using it well."
    ranked = plan.rank(cat, g, Profile(description=story))
    named = {w for r in ranked for w in r.words}
    assert named <= {"model", "users"}, named
    plain = plan.rank(cat, g, Profile(description="model users"))
    assert [(r.id, r.score) for r in ranked] == [(r.id, r.score) for r in plain]
    index = search.index_for(cat, g)
    assert [s.word for s in search.slots(index, "put it first", prefix=False)] == ["put", "first"]


# The planner page's own arithmetic (engine/search.js, run under Node) is compared
# with `rank` profile by profile, order, scores and matched words, in test_search_parity.py.


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
    description = ("We retrain a demand forecast every week from store sales; seasons, promotions and shoppers' "
                   "habits keep changing what sells.")
    described = plan.rank(cat, g, Profile(industry="online-services", description=description))
    assert plain.index("concept-drift") > 4
    assert described[0].id == "concept-drift"
    why = described[0].reasons(cat)
    assert why[0].startswith("your description mentions ")
    named = re.findall(r"“([^”]+)”", why[0])
    assert named and all(w in description.lower() for w in named), "only words the description has"


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


def test_plan_command_prints_rank_and_reasons() -> None:
    """Worked out from the rich catalog (see test_rich_catalog.py for the arithmetic); no score column."""
    out = cli("plan", "--catalog", RICH, "--profile", HERE / "profiles/rich-retail.yaml").stdout
    quiet = "nothing in your profile points to it; listed in workflow order"
    assert out.splitlines() == [
        " 1. silent-failures: matches real-time, user-facing",
        " 2. label-noise: matches user-facing; 4 case studies in retail",
        " 3. schema-drift: matches real-time; 2 case studies in retail",
        " 4. missing-values: nothing in your profile points to it; ranked by its 2 case studies",
        " 5. duplicate-records: nothing in your profile points to it; ranked by its 1 case study",
        f" 6. baseline-choice: {quiet}",
        f" 7. model-size: {quiet}",
        f" 8. training-cost: {quiet}",
        f" 9. api-versioning: {quiet}",
        f"10. code-reuse: {quiet}",
        f"11. alert-fatigue: {quiet}",
        f"12. feedback-delay: {quiet}",
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


def test_a_profiles_own_words_outrank_its_industrys_usual_concern() -> None:
    """Issue 21: with healthcare and personal data ticked, country-level regulations ranked first for
    every healthcare profile whatever the description said. The description now decides."""
    cat, g = _real()
    ticked = {"industry": "healthcare", "traits": ["personal-data"]}
    assert plan.rank(cat, g, Profile(**ticked))[0].id == "country-level-regulations"  # nothing else to go on
    described = [r.id for r in plan.rank(cat, g, Profile(**ticked, description=(
        "Admissions forecasting for our hospital: the patterns in the data change from season to season and "
        "year to year, so the model must be retrained as they shift.")))]
    assert described[0] == "concept-drift"
    assert described.index("concept-drift") < described.index("country-level-regulations")


# ---------------------------------------------------------------- suggestions from the description (issue 21)

WARD = ("We will score every inpatient's risk of readmission from the hospital's records; nurses see the score "
        "on the ward and decide who gets a follow-up call. Next year the model will be rolled out to two other "
        "hospitals in the region.")


def test_the_description_suggests_the_industry_and_traits_it_implies_with_the_words_that_say_so() -> None:
    cat, g = _real()
    index = search.index_for(cat, g)
    found = {x.id: x for x in plan.suggest(cat, index, Profile(description=WARD))}
    assert found["healthcare"].kind == "industry" and "nurses" in found["healthcare"].words
    assert found["new-sites-or-populations"].kind == "trait"
    assert {"rolled", "region"} <= set(found["new-sites-or-populations"].words)
    assert "humans-act-on-output" in found
    assert plan.suggest(cat, index, Profile(description="")) == []


def test_a_suggestion_is_never_one_the_profile_already_chose_and_never_a_second_industry() -> None:
    cat, g = _real()
    index = search.index_for(cat, g)
    chosen = plan.suggest(cat, index, Profile(industry="finance", traits=["new-sites-or-populations"],
                                              description=WARD))
    assert not any(x.kind == "industry" for x in chosen)
    assert "new-sites-or-populations" not in {x.id for x in chosen}
    assert "humans-act-on-output" in {x.id for x in chosen}


def test_suggestions_leave_the_ranking_alone_until_accepted() -> None:
    """The evaluation scores profiles as written: suggesting changes nothing until a trait is ticked."""
    cat, g = _real()
    plain = plan.rank(cat, g, Profile(description=WARD))
    accepted = plan.rank(cat, g, Profile(description=WARD, traits=["new-sites-or-populations"]))
    assert [r.id for r in plain] != [r.id for r in accepted]
    assert plan.rank(cat, g, Profile(description=WARD)) == plain


def test_a_ticked_trait_the_description_already_implies_counts_once_not_twice() -> None:
    """Accepting a suggestion ticks a trait the description's words already imply; counting both in full read
    the same words twice (accepting every suggestion cost the planner 5.6 points of 100). Such a trait adds
    plan.IMPLIED of its weight; the same trait ticked for a description that does not say so adds all of it."""
    cat, g = _real()
    index = search.index_for(cat, g)
    trait = "new-sites-or-populations"
    quiet = "Buyers will see a forecast of next month's sales for every item we stock, to decide what to order."
    assert trait in {x.id for x in plan.suggest(cat, index, Profile(description=WARD))}
    assert trait not in {x.id for x in plan.suggest(cat, index, Profile(description=quiet))}
    table = plan.weights(cat, g, index)
    for description, share in ((WARD, plan.IMPLIED), (quiet, 1.0)):
        without = {r.id: r.score for r in plan.rank(cat, g, Profile(description=description), index)}
        ticked = {r.id: r.score for r in plan.rank(cat, g, Profile(description=description, traits=[trait]), index)}
        tagged = [cid for cid, w in table.items() if trait in w.traits]
        assert tagged and all(abs(ticked[c] - without[c] - share * table[c].traits[trait]) <= 0.011 for c in tagged)
        assert all(ticked[c] == without[c] for c in ticked if c not in tagged)


def test_plan_suggest_prints_text_and_json_and_refuses_other_formats(tmp_path: Path) -> None:
    profile = tmp_path / "ward.yaml"
    profile.write_text(f"name: Readmission\nindustry: healthcare\ndescription: >-\n  {WARD}\n", encoding="utf-8")
    text = cli("plan", "--catalog", REAL, "--profile", profile, "--suggest").stdout.splitlines()
    assert not any(line.startswith("industry ") for line in text), "healthcare is already chosen"
    line = next(x for x in text if x.startswith("trait new-sites-or-populations "))
    assert line.startswith("trait new-sites-or-populations (New sites or populations): ") and "“rolled”" in line
    rows = json.loads(cli("plan", "--catalog", REAL, "--profile", profile, "--suggest", "--format", "json").stdout)
    assert [(r["kind"], r["id"]) for r in rows] == [tuple(x.split(" ", 2)[:2]) for x in text]
    assert all(set(r) == {"kind", "id", "title", "words", "score"} and r["words"] for r in rows)
    refused = cli("plan", "--catalog", REAL, "--profile", profile, "--suggest", "--format", "md", code=2)
    assert "--suggest writes text or json" in refused.stderr
    quiet = tmp_path / "quiet.yaml"
    quiet.write_text("name: Q\ndescription: zzz qqq\n", encoding="utf-8")
    assert cli("plan", "--catalog", REAL, "--profile", quiet, "--suggest").stdout.startswith("no suggestions")


def test_the_issues_own_examples_suggest_the_traits_that_say_so() -> None:
    """Issue 21: descriptions that plainly say "deployed to new hospitals" or "the prices we set change
    what customers buy" did not even suggest new sites or populations, or predictions shape future data."""
    cat, g = _real()
    index = search.index_for(cat, g)
    hospitals = plan.suggest(cat, index, Profile(description=(
        "The triage model trained at our hospital will be deployed to new hospitals next year.")))
    assert "new-sites-or-populations" in {x.id for x in hospitals}
    prices = plan.suggest(cat, index, Profile(description=(
        "A pricing model for our online shop: the prices we set change what customers buy.")))
    assert "predictions-shape-data" in {x.id for x in prices}
