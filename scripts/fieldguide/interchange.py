"""The JSON interchange format (`catalog.json`, `fieldguide export --format json`), built here only.

Stable: `version` changes only when a field is removed or changes meaning; new fields may be added.
Reverse links (a challenge's case studies and mitigations) are included, derived from the graph.
"""

from __future__ import annotations

import json
from typing import Any

import networkx as nx

from . import __version__
from .catalog import Catalog
from .coverage import check_entry, framework_coverage, to_json
from .graph import evidence, incoming, related

FORMAT_VERSION = "1.0"


def to_dict(cat: Catalog, g: nx.MultiDiGraph) -> dict[str, Any]:
    """The whole catalog in the JSON interchange format."""
    stages, steps = [], []
    for order, stage in enumerate(cat.stages, 1):
        stages.append({"id": stage.id, "title": stage.title, "summary": stage.summary, "order": order,
                       "steps": [s.id for s in stage.steps], "references": list(stage.references),
                       "survey_section": stage.survey_section})
        for s_order, step in enumerate(stage.steps, 1):
            steps.append({"id": step.id, "title": step.title, "summary": step.summary, "stage": stage.id,
                          "order": s_order, "challenges": [c.id for c in cat.challenges_in(step.id)],
                          "survey_section": step.survey_section})
    challenges = []
    for c in cat.challenges.values():
        ev = evidence(g, c.id)
        challenges.append({
            "id": c.id, "title": c.title, "aliases": list(c.aliases), "stage": cat.stage_of(c.step).id,
            "step": c.step, "order": c.order, "summary": c.summary, "description": c.description,
            "signals": list(c.signals),
            "checklist": [check_entry(cat, i) for i in c.checklist], "facets": list(c.facets),
            "case_studies": incoming(g, c.id, "illustrates"), "mitigations": incoming(g, c.id, "addresses"),
            "references": list(c.references),
            "related": [{"id": r.id, "score": r.score, "reasons": list(r.reasons)} for r in related(g, c.id)],
            "evidence": {"case_studies": ev.case_studies, "industries": ev.industries, "level": ev.level},
            "survey_section": c.survey_section, "beyond_survey": c.beyond_survey,
        })
    case_studies = [s.model_dump(mode="json") for s in cat.case_studies.values()]
    for item in case_studies:
        item["challenges"] = [link["challenge"] for link in item.pop("challenges")]
        item["how"] = {link.challenge: link.how for link in cat.case_studies[item["id"]].challenges}
    mitigations = []
    for m in cat.mitigations.values():
        item = m.model_dump(mode="json")
        item["challenges"] = [link.challenge for link in m.challenges]
        item["how"] = {link.challenge: link.how for link in m.challenges}
        mitigations.append(item)
    references = []
    for r in cat.references.values():
        item = r.model_dump(mode="json", exclude_none=True)
        item.setdefault("survey_ref", None)
        item["cited_by"] = incoming(g, r.id, "cites")
        references.append(item)
    findings = [f.model_dump(mode="json") for f in cat.findings.values()]
    facets = cat.facets.model_dump(mode="json") if cat.facets else {"industries": [], "traits": []}
    return {
        "version": FORMAT_VERSION,
        "generator": f"fieldguide {__version__}",
        "stages": stages,
        "steps": steps,
        "challenges": challenges,
        "case_studies": case_studies,
        "references": references,
        "mitigations": mitigations,
        "findings": findings,
        "facets": facets,
        "frameworks": [framework_dict(cat, g, fw_id) for fw_id in cat.frameworks],
        "vocabulary": cat.vocabulary.model_dump(mode="json"),
        "deployments": [d.model_dump(mode="json") for d in cat.deployments.values()],
    }


def framework_dict(cat: Catalog, g: nx.MultiDiGraph, framework_id: str) -> dict[str, Any]:
    """A framework with its items and, derived from the graph, the checks covering each item (the
    entries of `fieldguide coverage --format json`, so the two exports cannot disagree)."""
    fw = cat.frameworks[framework_id]
    out = fw.model_dump(mode="json", exclude={"sections"})
    coverage = {entry["id"]: entry for entry in to_json(framework_coverage(cat, g, framework_id))}
    out["sections"] = [{"id": section.id, "title": section.title, "items": [
        {k: v for k, v in coverage[fw.qualified(item)].items() if k != "section"} for item in section.items]}
        for section in fw.sections]
    return out


def to_text(cat: Catalog, g: nx.MultiDiGraph) -> str:
    """catalog.json as the site serves it and `fieldguide export` prints it."""
    return json.dumps(to_dict(cat, g), indent=2, ensure_ascii=False) + "\n"
