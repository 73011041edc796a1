"""Decision support: rank challenges for a project profile, and score checklist readiness.

The ranking is linear in the profile, so it can be shipped to the planner page as weights:
score = base + sum(trait weights of the chosen traits) + industry weight of the chosen industry.
`weights()` is the single implementation; the page only adds up what it computes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from .graph import incoming
from .load import Catalog
from .schema import Profile

TRAIT_MATCH = 3.0  # the challenge is tagged with a trait the project has
INDUSTRY_TAG = 3.0  # the challenge is tagged with the project's industry
INDUSTRY_CASE = 2.0  # per case study from the project's industry that illustrates the challenge
EVIDENCE = 0.5  # per case study of any industry: better-evidenced challenges first among equals


@dataclass(frozen=True)
class Weights:
    base: float
    traits: dict[str, float]
    industries: dict[str, float]
    industry_cases: dict[str, int]


def weights(cat: Catalog, g: nx.MultiDiGraph) -> dict[str, Weights]:
    """Per challenge, what each facet adds to its score."""
    out = {}
    trait_ids = set(cat.traits)
    for c in cat.challenges.values():
        cases = [cat.case_studies[s] for s in incoming(g, c.id, "illustrates")]
        per_industry: dict[str, int] = {}
        for case in cases:
            per_industry[case.industry] = per_industry.get(case.industry, 0) + 1
        industries = {i: INDUSTRY_TAG * (i in c.facets) + INDUSTRY_CASE * per_industry.get(i, 0)
                      for i in cat.industries}
        out[c.id] = Weights(
            base=EVIDENCE * len(cases),
            traits={t: TRAIT_MATCH for t in c.facets if t in trait_ids},
            industries={i: w for i, w in industries.items() if w},
            industry_cases=per_industry,
        )
    return out


@dataclass
class Ranked:
    id: str
    score: float
    matched_traits: list[str] = field(default_factory=list)
    industry_tagged: bool = False
    industry_cases: int = 0

    def reasons(self, cat: Catalog) -> list[str]:
        out = []
        if self.matched_traits:
            out.append("matches " + ", ".join(cat.traits[t].title.lower() for t in self.matched_traits))
        if self.industry_tagged:
            out.append("typical of your industry")
        if self.industry_cases:
            out.append(f"{self.industry_cases} case {'study' if self.industry_cases == 1 else 'studies'} "
                       "in your industry")
        return out or ["applies to every project"]


def order_key(cat: Catalog) -> dict[str, tuple[int, int, int, str]]:
    """Workflow order of challenges: stage, step, position within the step (survey Table 1), id."""
    position = {}
    for si, stage in enumerate(cat.stages):
        for ti, step in enumerate(stage.steps):
            position[step.id] = (si, ti)
    return {c.id: (*position[c.step], c.order, c.id) for c in cat.challenges.values()}


def rank(cat: Catalog, g: nx.MultiDiGraph, profile: Profile) -> list[Ranked]:
    """Challenges in the profile's stages, most likely to bite first; ties in workflow order."""
    table = weights(cat, g)
    stages = set(profile.stages) or {s.id for s in cat.stages}
    order = order_key(cat)
    ranked = []
    for c in cat.challenges.values():
        if cat.stage_of(c.step).id not in stages:
            continue
        w = table[c.id]
        traits = [t for t in profile.traits if t in w.traits]
        score = w.base + sum(w.traits[t] for t in traits)
        industry_tagged = bool(profile.industry) and profile.industry in c.facets
        cases = w.industry_cases.get(profile.industry, 0) if profile.industry else 0
        if profile.industry:
            score += w.industries.get(profile.industry, 0.0)
        ranked.append(Ranked(c.id, round(score, 2), traits, industry_tagged, cases))
    ranked.sort(key=lambda r: (-r.score, order[r.id]))
    return ranked


def weights_for_page(cat: Catalog, g: nx.MultiDiGraph) -> dict[str, Any]:
    """The planner page's data: the same weights, plus the workflow order used to break ties."""
    order = order_key(cat)
    return {
        "weights": {cid: {"base": w.base, "traits": w.traits, "industries": w.industries,
                          "industry_cases": w.industry_cases,
                          "industry_tags": [f for f in cat.challenges[cid].facets if f in cat.industries]}
                    for cid, w in weights(cat, g).items()},
        "order": sorted(cat.challenges, key=lambda cid: order[cid]),
    }


# ---------------------------------------------------------------- readiness


@dataclass(frozen=True)
class Readiness:
    done: int
    applicable: int  # items minus those marked not applicable

    @property
    def score(self) -> float | None:
        """done ÷ (items − not applicable); None when nothing applies."""
        return self.done / self.applicable if self.applicable else None


def readiness(cat: Catalog, statuses: dict[str, str], stages: list[str] | None = None) -> dict[str, Readiness]:
    """Per stage in scope. The overall readiness is the lowest stage (the ML Test Score's rule)."""
    out = {}
    for stage in cat.stages:
        if stages and stage.id not in stages:
            continue
        items = [i.id for c in cat.challenges.values() if cat.stage_of(c.step).id == stage.id for i in c.checklist]
        done = sum(statuses.get(i) == "done" for i in items)
        na = sum(statuses.get(i) == "na" for i in items)
        out[stage.id] = Readiness(done, len(items) - na)
    return out


def overall(per_stage: dict[str, Readiness]) -> float | None:
    scores = [r.score for r in per_stage.values() if r.score is not None]
    return min(scores) if scores else None
