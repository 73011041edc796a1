"""The real catalog: the survey's structure is complete, and every entry is one a reader can use.

Parametrised per entity id (as MITRE atlas-data does per data object), so a failure names the entry.
"""

from __future__ import annotations

import re

import pytest

from conftest import REAL
from fieldguide import graph, load

CAT = load.load(REAL)
G = graph.build(CAT)

# Survey Table 1: step -> its concerns, in order (the catalog ids of those concerns).
TABLE_1 = {
    "data-management": {
        "data-collection": ["data-discovery"],
        "data-preprocessing": ["data-dispersion", "data-cleaning"],
        "data-augmentation": ["labeling-large-volumes", "access-to-experts", "lack-of-high-variance-data"],
        "data-analysis": ["data-profiling"],
    },
    "model-learning": {
        "model-selection": ["model-complexity", "resource-constrained-environments", "model-interpretability"],
        "training": ["computational-cost", "environmental-impact"],
        "hyper-parameter-selection": ["resource-heavy-techniques", "hardware-aware-optimization"],
    },
    "model-verification": {
        "requirement-encoding": ["performance-metrics", "business-driven-metrics"],
        "formal-verification": ["regulatory-frameworks"],
        "test-based-verification": ["simulation-based-testing"],
    },
    "model-deployment": {
        "integration": ["operational-support", "reuse-of-code-and-models", "software-engineering-anti-patterns",
                        "mixed-team-dynamics"],
        "monitoring": ["feedback-loops", "outlier-detection", "custom-design-tooling"],
        "updating": ["concept-drift", "continuous-delivery"],
    },
    "cross-cutting-aspects": {
        "ethics": ["country-level-regulations", "focus-on-technical-solution-only", "aggravation-of-biases",
                   "authorship", "decision-making"],
        "end-users-trust": ["involvement-of-end-users", "user-experience", "explainability-score"],
        "security": ["data-poisoning", "model-stealing", "model-inversion"],
    },
}


def test_stages_and_steps_follow_the_survey_in_order() -> None:
    assert [s.id for s in CAT.stages] == list(TABLE_1)
    for stage in CAT.stages:
        assert [step.id for step in stage.steps] == list(TABLE_1[stage.id])
    assert len(CAT.steps) == 16


def test_each_of_the_38_challenges_sits_in_its_table_1_step() -> None:
    expected = {cid: step for steps in TABLE_1.values() for step, cids in steps.items() for cid in cids}
    assert len(expected) == 38
    assert {c.id: c.step for c in CAT.challenges.values()} == expected


def test_all_99_survey_references_and_the_survey_itself() -> None:
    numbers = sorted(r.survey_ref for r in CAT.references.values() if r.survey_ref is not None)
    assert numbers == list(range(1, 100))
    assert CAT.references["paleyes2020challenges"].arxiv == "2011.09926"
    published = CAT.references[CAT.references["paleyes2020challenges"].published_version]
    assert published.doi == "10.1145/3533378" and published.journal == "ACM Computing Surveys"
    assert len(CAT.references) == 101  # the survey's 99, and the survey as preprint and as published


def test_more_than_thirty_case_studies_across_industries() -> None:
    assert len(CAT.case_studies) > 30
    assert len({s.industry for s in CAT.case_studies.values()}) >= 8


def test_catalog_passes_every_integrity_rule() -> None:
    assert graph.integrity(CAT, G) == []


@pytest.mark.parametrize("cid", sorted(CAT.challenges))
def test_challenge_is_complete(cid: str) -> None:
    c = CAT.challenges[cid]
    assert len(c.summary.split()) <= 40, "summary is one short sentence"
    paragraphs = [p for p in re.split(r"\n\s*\n", c.description) if p.strip()]
    assert 2 <= len(paragraphs) <= 4
    assert len(c.signals) >= 3
    assert 3 <= len(c.checklist) <= 6
    assert c.facets, "the planner needs facets to rank it"
    assert "paleyes2020challenges" in c.references
    assert graph.incoming(G, cid, "addresses"), "at least one mitigation"
    assert c.survey_section.split(".")[0] in {"3", "4", "5", "6", "7"}


@pytest.mark.parametrize("sid", sorted(CAT.case_studies))
def test_case_study_is_complete(sid: str) -> None:
    s = CAT.case_studies[sid]
    assert " — " in s.title, "titles read 'Organisation — what it did or faced'"
    assert s.lessons and s.challenges and s.references
    assert all(len(link.how.split()) >= 5 for link in s.challenges), "each link says how"
    assert any(r != "paleyes2020challenges" for r in s.references), "cites the work it comes from"


@pytest.mark.parametrize("mid", sorted(CAT.mitigations))
def test_mitigation_is_complete(mid: str) -> None:
    m = CAT.mitigations[mid]
    assert all(len(link.how.split()) >= 6 for link in m.challenges), "each link says how, in mechanism terms"
    if m.beyond_survey:
        assert m.survey_section is None
    else:
        assert m.references, "named by the survey, so it cites the survey's source"


@pytest.mark.parametrize("rid", sorted(CAT.references))
def test_reference_is_citable(rid: str) -> None:
    r = CAT.references[rid]
    assert r.authors or r.corporate_author or r.howpublished or r.institution
    assert graph.incoming(G, rid, "cites") or graph.incoming(G, rid, "published_as")
