"""The rich test catalog (`catalogs/rich/README.md`) as a reader sees it: every evidence level, a
related list longer than its cap, planner reasons, readiness per stage.

Expected values are worked out by hand from the fixture and the rules documented in docs/
(evidence thresholds, relatedness weights), not read back from the code under test.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from conftest import RICH, cli
from fieldguide import checklist, graph, load, plan, render
from fieldguide.schema import Profile

SITE = "https://guide.example.org/"

# (challenge, case studies, industries, level): see the fixture's README.
EVIDENCE = [
    ("schema-drift", 3, 2, "strong"),  # exactly at both thresholds
    ("label-noise", 4, 1, "moderate"),  # many case studies, one industry
    ("missing-values", 2, 2, "moderate"),  # two industries, too few case studies
    ("duplicate-records", 1, 1, "limited"),
    ("model-size", 0, 0, "literature"),
]
EVIDENCE_TEXT = {  # as documented in docs/interchange.md ("Evidence levels")
    "strong": "three or more case studies from at least two industries",
    "moderate": "two or more case studies",
    "limited": "a single case study",
    "literature": "literature only, no case study",
}

# schema-drift's related challenges. Weights (docs/interchange.md): explicit link 5, shared case study 3, shared
# mitigation 2, shared reference 1 (the survey, cited by every challenge, excluded); ties by id.
RELATED = [
    (11, "label-noise", "Renamed fields arrive with stale labels. Shared case study: Example Retail — a feed "
                        "migration. Shared case study: Example Market — returns as labels."),  # 5 + 3 + 3
    (7, "feedback-delay", "Late labels hide a changed input schema. Shared mitigation: Monitoring dashboards."),
    (5, "missing-values", "Shared case study: Example Clinic — a new intake form. Shared mitigation: Data contracts."),
    (3, "alert-fatigue", "Shared mitigation: Monitoring dashboards. Shared reference: Fixture notes on pipelines."),
    (3, "silent-failures", "Shared mitigation: Monitoring dashboards. Shared reference: Fixture notes on schemas."),
    (2, "api-versioning", "Shared mitigation: Data contracts."),
    (2, "code-reuse", "Shared mitigation: Data contracts."),
    (2, "training-cost", "Shared reference: Fixture notes on schemas. Shared reference: Fixture notes on pipelines."),
]
BEYOND_THE_CAP = [(1, "baseline-choice", "Shared reference: Fixture notes on pipelines."),
                  (1, "model-size", "Shared reference: Fixture notes on schemas.")]


@pytest.fixture(scope="module")
def rich() -> tuple[load.Catalog, object, dict[str, str]]:
    cat = load.load(RICH)
    g = graph.build(cat)
    return cat, g, render.render(cat, g, site_url=SITE)


def test_the_rich_catalog_is_valid(rich_catalog: Path) -> None:
    out = cli("check").output
    assert out == ("catalog OK: 3 stages, 5 steps, 12 challenges, 6 case studies, 4 references, "
                   "3 mitigations, 1 findings, 1 frameworks (4 items)\n"
                   "0 of 0 journal and conference references carry a DOI\n")


@pytest.mark.parametrize(("cid", "cases", "industries", "level"), EVIDENCE)
def test_evidence_level_follows_the_documented_thresholds(rich, cid: str, cases: int, industries: int,
                                                          level: str) -> None:
    _, g, pages = rich
    assert graph.evidence(g, cid) == graph.Evidence(cases, industries, level)
    studies = "case study" if cases == 1 else "case studies"
    kinds = "industry" if industries == 1 else "industries"
    line = f"**Evidence:** {level}: {EVIDENCE_TEXT[level]} ({cases} {studies}, {industries} {kinds})."
    if not cases:  # no counts of nothing: the page says what the evidence rests on instead
        line = f"**Evidence:** {level}: no case study illustrates it; it rests on the references below."
    assert line in pages[f"challenges/{cid}.md"].splitlines()


def test_related_challenges_rank_by_weight_then_id_and_stop_at_eight(rich) -> None:
    _, g, pages = rich
    assert [(r.score, r.id, " ".join(r.reasons)) for r in graph.related(g, "schema-drift")] == RELATED
    # The two it leaves out score lowest: it is the cap that cuts them, not a missing link.
    assert [(r.score, r.id, " ".join(r.reasons))
            for r in graph.related(g, "schema-drift", limit=20)] == RELATED + BEYOND_THE_CAP
    page = pages["challenges/schema-drift.md"]
    section = page.split("## Related challenges { data-search-exclude }\n\n")[1].split("\n\n## ")[0]
    titles = {c.id: c.title for c in load.load(RICH).challenges.values()}
    assert section.splitlines() == [f"- [{titles[cid]}]({cid}.md): {why}" for _, cid, why in RELATED]


def test_related_command_prints_the_same_list(rich_catalog: Path) -> None:
    out = cli("related", "schema-drift").output
    assert out.splitlines() == [f"{score:3d}  {cid}: {why}" for score, cid, why in RELATED]


def test_a_checklist_names_at_most_three_precedents(rich) -> None:
    """label-noise has four case studies; the checklist shows the first three by id."""
    _, _, pages = rich
    lines = pages["challenges/label-noise.md"].splitlines()
    assert "  csmore[\"+1 more case study\"]" in lines
    assert "  cs2[\"Example Market — returns as labels\"]" in lines
    assert not any("Example Store" in line for line in lines if line.startswith("  cs"))


def test_stage_page_lists_its_background_reading(rich) -> None:
    _, _, pages = rich
    page = pages["stages/model-deployment.md"]
    assert page.split("## Background reading\n\n")[1] == \
        "- [Fixture notes on pipelines](../references/s.md#sample2020pipelines) (2020)\n"
    assert "## Background reading" not in pages["stages/data-management.md"]


# ---------------------------------------------------------------- planner and readiness


def test_ranking_adds_up_the_documented_weights(rich) -> None:
    """The planner page's introduction: 3 per matched trait (plus up to 2 for how well the challenge
    matches the trait's own words: the rich catalog's trait texts share no word with any challenge, so
    nothing here), nothing for the industry tag itself, 0.25 per case study from the industry, 0.1 per
    case study of any industry; ties in workflow order (stage, step, position in the step)."""
    cat, g, _ = rich
    ranked = plan.rank(cat, g, Profile(industry="retail", traits=["realtime", "user-facing"]))
    assert [(r.id, r.score) for r in ranked[:5]] == [
        ("silent-failures", 6.0),  # real-time (3) + user-facing (3)
        ("label-noise", 4.4),  # 4 case studies (0.4) + user-facing (3) + 4 retail cases (1)
        ("schema-drift", 3.8),  # 3 case studies (0.3) + real-time (3) + tagged retail (0) + 2 retail cases (0.5)
        ("missing-values", 0.2),
        ("duplicate-records", 0.1),
    ]
    assert [r.id for r in ranked[5:]] == ["baseline-choice", "model-size", "training-cost", "api-versioning",
                                         "code-reuse", "alert-fatigue", "feedback-delay"]
    assert {r.score for r in ranked[5:]} == {0}


def test_reasons_never_claim_an_industry_that_was_not_chosen(rich) -> None:
    cat, g, _ = rich
    for r in plan.rank(cat, g, Profile(traits=["regulated"])):
        assert r.industry_cases == 0 and not r.industry_tagged
        assert not any(re.search(r"^typical of|case stud(y|ies) in ", reason) for reason in r.reasons(cat)), r


def test_readiness_counts_only_the_stages_in_scope(rich) -> None:
    cat, _, _ = rich
    statuses = {"schema-drift-contract": "done", "schema-drift-alert": "done", "label-noise-audit": "done",
                "missing-values-policy": "done", "duplicate-records-key": "na", "code-reuse-shared": "done"}
    everything = checklist.readiness(cat, statuses)
    assert everything == {"data-management": checklist.Readiness(4, 4), "model-learning": checklist.Readiness(0, 3),
                          "model-deployment": checklist.Readiness(1, 6)}
    assert checklist.overall(everything) == 0.0
    scoped = checklist.readiness(cat, statuses, ["data-management"])
    assert scoped == {"data-management": checklist.Readiness(4, 4)}
    assert checklist.overall(scoped) == 1.0


# ---------------------------------------------------------------- integrity rules a loaded catalog cannot break


def test_integrity_reports_case_studies_and_findings_left_without_links(rich) -> None:
    """Defence in depth: `load` already refuses a case study without challenges or with dangling
    links, so these rules cannot fire on a catalog that loads; they guard the graph itself, e.g. if
    a link type is ever dropped from `graph.build`."""
    cat, g, _ = rich
    g = g.copy()
    for node in ("bank-merge-duplicates", "fixture-finding"):
        g.remove_edges_from(list(g.out_edges(node, keys=True)))
    problems = [str(p) for p in graph.integrity(cat, g)]
    root = os.path.relpath(RICH)
    assert problems == [
        f"{root}/case-studies/bank-merge-duplicates.yaml:10: bank-merge-duplicates: challenges: "
        "case study links no challenge",
        f"{root}/case-studies/bank-merge-duplicates.yaml:1: bank-merge-duplicates: -: "
        "orphan: nothing links to it and it links to nothing",
        f"{root}/findings/fixture-finding.yaml:1: fixture-finding: -: "
        "orphan: nothing links to it and it links to nothing",
    ]


def test_trait_texts_and_descriptions_match_whole_words(rich_catalog: Path) -> None:
    """Completing a partial word is for the word being typed in the search box (docs/search.md). A trait's
    own text or a project's description matches whole words: 'synth' is not 'synthetic', a word
    every challenge of this catalog holds, so neither may move any challenge."""
    facets = rich_catalog / "facets.yaml"
    facets.write_text(facets.read_text(encoding="utf-8").replace("Answers are needed within a second.", "Synth"),
                      encoding="utf-8")
    cat = load.load(rich_catalog)
    g = graph.build(cat)
    plain = [(r.id, r.score, r.reasons(cat)) for r in plan.rank(cat, g, Profile(traits=["realtime"]))]
    assert plain[:2] == [("schema-drift", 3.3, ["matches real-time"]),  # 3 case studies + the trait, nothing more
                         ("silent-failures", 3.0, ["matches real-time"])]
    described = plan.rank(cat, g, Profile(traits=["realtime"], description="synth"))
    assert [(r.id, r.score, r.reasons(cat)) for r in described] == plain
