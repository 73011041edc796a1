"""The catalog as a typed knowledge graph: integrity checks and the facts derived from links.

Nodes carry `kind` (stage, step, challenge, case_study, mitigation, reference, finding, check,
framework, framework_item); edges carry `type` (part_of, in_step, illustrates, addresses, cites,
related, check_of, item_of, covers, published_as) and point in the direction the relation is written
in the YAML.
Everything "reverse" (backlinks, which checks cover a framework item) is read off here.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx

from .catalog import Catalog
from .kinds import KIND
from .problems import Problem

SURVEY = "paleyes2020challenges"  # cited by every challenge, so it says nothing about relatedness


def build(cat: Catalog) -> nx.MultiDiGraph:
    """The catalog as one graph, in stages: each adds its nodes and the links they store, and links only
    to nodes an earlier stage (or itself) added, so a dangling id is left out rather than invented (the
    loader reports it)."""
    g = nx.MultiDiGraph()
    for ref in cat.references.values():  # first: `_cite` links only to nodes that exist, so every citation lands
        g.add_node(ref.id, kind="reference", title=ref.title)
    _add_workflow(g, cat)
    for ref in cat.references.values():
        if ref.published_version in g:  # a preprint and its peer-reviewed version are cited together
            g.add_edge(ref.id, ref.published_version, key="published_as", type="published_as")
    _add_challenges(g, cat)
    _add_case_studies_and_mitigations(g, cat)
    for f in cat.findings.values():
        g.add_node(f.id, kind="finding", title=f.title)
        for ref in f.references:
            _cite(g, f.id, ref)
    _add_frameworks(g, cat)
    return g


def _add_workflow(g: nx.MultiDiGraph, cat: Catalog) -> None:
    """Stages and their steps (step -part_of-> stage)."""
    for stage in cat.stages:
        g.add_node(stage.id, kind="stage", title=stage.title)
        for step in stage.steps:
            g.add_node(step.id, kind="step", title=step.title)
            g.add_edge(step.id, stage.id, key="part_of", type="part_of")
        for ref in stage.references:
            _cite(g, stage.id, ref)


def _add_challenges(g: nx.MultiDiGraph, cat: Catalog) -> None:
    """Challenges (all nodes first, so that a related link may point forward), their step and related links."""
    for c in cat.challenges.values():
        g.add_node(c.id, kind="challenge", title=c.title)
    for c in cat.challenges.values():
        if c.step in g:
            g.add_edge(c.id, c.step, key="in_step", type="in_step")
        for link in c.related:
            if link.challenge in g:
                g.add_edge(c.id, link.challenge, key="related", type="related", why=link.why)
        for ref in c.references:
            _cite(g, c.id, ref)


def _add_case_studies_and_mitigations(g: nx.MultiDiGraph, cat: Catalog) -> None:
    """Case studies illustrate challenges, mitigations address them: the same shape of links."""
    for kind, pool, edge in (("case_study", cat.case_studies, "illustrates"),
                             ("mitigation", cat.mitigations, "addresses")):
        for e in pool.values():
            g.add_node(e.id, kind=kind, title=e.title, industry=getattr(e, "industry", None))
            for link in e.challenges:
                if link.challenge in g:
                    g.add_edge(e.id, link.challenge, key=edge, type=edge, how=link.how)
            for ref in e.references:
                _cite(g, e.id, ref)


def _add_frameworks(g: nx.MultiDiGraph, cat: Catalog) -> None:
    """Frameworks, their items, and the checklist items that cover them (check -covers-> item)."""
    for fw in cat.frameworks.values():
        g.add_node(fw.id, kind="framework", title=fw.short_title)
        for ref in [fw.reference, *fw.sources] if fw.reference else fw.sources:
            _cite(g, fw.id, ref)
        for section, item in fw.items():
            qualified = fw.qualified(item)
            g.add_node(qualified, kind="framework_item", title=item.title, label=item.label,
                       framework=fw.id, section=section.id, asks=tuple(a.id for a in item.asks))
            g.add_edge(qualified, fw.id, key="item_of", type="item_of")
    for c in cat.challenges.values():
        for check in c.checklist:
            g.add_node(check.id, kind="check", title=check.text, challenge=c.id)
            g.add_edge(check.id, c.id, key="check_of", type="check_of")
            for cover in check.covers:
                if cover.item in g:
                    g.add_edge(check.id, cover.item, key="covers", type="covers", meets=tuple(cover.meets))


def _cite(g: nx.MultiDiGraph, source: str, ref: str) -> None:
    if ref in g:
        g.add_edge(source, ref, key="cites", type="cites")


def incoming(g: nx.MultiDiGraph, node: str, edge_type: str) -> list[str]:
    """Ids of the nodes linking to `node` by `edge_type`, in catalog order."""
    return sorted({u for u, _, k in g.in_edges(node, keys=True) if k == edge_type})


def outgoing(g: nx.MultiDiGraph, node: str, edge_type: str) -> list[str]:
    return sorted({v for _, v, k in g.out_edges(node, keys=True) if k == edge_type})


def backlinks(g: nx.MultiDiGraph, node: str) -> dict[str, list[str]]:
    """Everything that links to `node`, grouped by edge type."""
    out: dict[str, list[str]] = {}
    for u, _, k in sorted(g.in_edges(node, keys=True)):
        out.setdefault(k, []).append(u)
    return out


def integrity(cat: Catalog, g: nx.MultiDiGraph) -> list[Problem]:
    """Rules a valid catalog keeps beyond its schema (each reported at the entity's file and line)."""
    problems: list[Problem] = []

    def report(entity: str, message: str, loc: tuple = ()) -> None:
        path, line = cat.where(entity, loc)
        problems.append(Problem(path, line, entity, ".".join(map(str, loc)) or "-", message))

    for cid in cat.challenges:
        if not incoming(g, cid, "illustrates") and not outgoing(g, cid, "cites"):
            report(cid, "no case study illustrates it and it cites no reference", ("references",))
        if not incoming(g, cid, "addresses"):
            report(cid, "no mitigation addresses it")
    problems += unsourced(cat)
    for rid in cat.references:
        if not incoming(g, rid, "cites") and not incoming(g, rid, "published_as"):
            report(rid, "reference is cited by nothing")
    for kind, edge in (("case_study", "illustrates"), ("mitigation", "addresses")):
        for eid in cat.pool(kind):
            if not outgoing(g, eid, edge):
                report(eid, f"{KIND[kind].label} links no challenge", ("challenges",))
    for node in g.nodes:
        # Uncited references are reported above; any other isolated node is an orphan.
        if g.degree(node) == 0 and node in cat.sources and node not in cat.references:
            report(node, "orphan: nothing links to it and it links to nothing")
    return problems


def survey_ids(cat: Catalog) -> set[str]:
    """The survey and its peer-reviewed version: sources for what Table 1 lists, not for additions."""
    survey = cat.references.get(SURVEY)
    return {SURVEY} | ({survey.published_version} if survey and survey.published_version else set())


def unsourced(cat: Catalog) -> list[Problem]:
    """The sourcing rule: whatever the guide adds beyond the survey (challenges and mitigations marked
    `beyond_survey`) cites a source other than the survey. That every case study and mitigation cites
    at least one reference is their schema's rule."""
    problems: list[Problem] = []
    survey = survey_ids(cat)
    for kind in ("mitigation", "challenge"):
        for eid, entity in cat.pool(kind).items():
            if entity.beyond_survey and not [r for r in entity.references if r not in survey]:
                path, line = cat.where(eid, ("references",))
                problems.append(Problem(path, line, eid, "references", (
                    f"a {KIND[kind].label} added beyond the survey must cite a source of its own (the tool's paper or "
                    "documentation, a study, a regulation), not only the survey")))
    return problems


@dataclass(frozen=True)
class Related:
    id: str
    score: int
    reasons: tuple[str, ...]


# Weights: a shared case study is the strongest evidence two challenges co-occur in practice.
WEIGHTS = {"related": 5, "illustrates": 3, "addresses": 2, "cites": 1}


def related(g: nx.MultiDiGraph, cid: str, limit: int = 8) -> list[Related]:
    """Challenges ranked by explicit links and shared case studies, mitigations and references."""
    scores: dict[str, int] = {}
    reasons: dict[str, list[str]] = {}

    def add(other: str, kind: str, reason: str) -> None:
        if other == cid or g.nodes[other].get("kind") != "challenge":
            return
        scores[other] = scores.get(other, 0) + WEIGHTS[kind]
        reasons.setdefault(other, []).append(reason)

    for _, other, data in g.out_edges(cid, data=True):
        if data["type"] == "related":
            add(other, "related", data["why"])
    for other, _, data in g.in_edges(cid, data=True):
        if data["type"] == "related":
            add(other, "related", data["why"])
    for edge, label in (("illustrates", "case study"), ("addresses", "mitigation")):
        for via in incoming(g, cid, edge):
            for other in outgoing(g, via, edge):
                add(other, edge, f"Shared {label}: {g.nodes[via]['title']}.")
    for ref in outgoing(g, cid, "cites"):
        if ref == SURVEY:
            continue
        for other in incoming(g, ref, "cites"):
            add(other, "cites", f"Shared reference: {g.nodes[ref]['title']}.")
    ranked = sorted(scores, key=lambda o: (-scores[o], o))[:limit]
    return [Related(o, scores[o], tuple(reasons[o])) for o in ranked]


@dataclass(frozen=True)
class Evidence:
    case_studies: int
    industries: int
    level: str  # strong, moderate, limited, literature


def evidence(g: nx.MultiDiGraph, cid: str) -> Evidence:
    """How much real-world evidence backs a challenge: case studies and distinct industries."""
    cases = incoming(g, cid, "illustrates")
    industries = {g.nodes[c]["industry"] for c in cases}
    if len(cases) >= 3 and len(industries) >= 2:
        level = "strong"
    elif len(cases) >= 2:
        level = "moderate"
    elif cases:
        level = "limited"
    else:
        level = "literature"
    return Evidence(len(cases), len(industries), level)


EVIDENCE_TEXT = {
    "strong": "three or more case studies from at least two industries",
    "moderate": "two or more case studies",
    "limited": "a single case study",
    "literature": "literature only, no case study",
}
