"""The site generator: a pure function from the catalog to `{page path: Markdown}`.

Two thin adapters use it: the mkdocs hook (`hooks.py`) and `fieldguide render --out DIR`.
Catalog prose is Markdown with raw HTML refused by the schema; text we put into tables is escaped.
"""

from __future__ import annotations

import posixpath
from functools import cache

import networkx as nx
from jinja2 import Environment, PackageLoader, StrictUndefined

from .graph import EVIDENCE_TEXT, backlinks, evidence, incoming, outgoing, related
from .load import Catalog


def page_path(kind: str, entity_id: str) -> str:
    """Where each entity's page lives; URLs derive from ids only."""
    return {
        "stage": f"stages/{entity_id}.md",
        "challenge": f"challenges/{entity_id}.md",
        "case_study": f"case-studies/{entity_id}.md",
        "mitigation": f"mitigations/{entity_id}.md",
        "reference": f"references.md#{entity_id}",
        "step": f"stages/{{stage}}.md#{entity_id}",
    }[kind]


def cell(text: object) -> str:
    """Make text safe inside a Markdown table cell."""
    return str(text).replace("|", "\\|").replace("\n", " ")


@cache
def _env() -> Environment:
    env = Environment(loader=PackageLoader("fieldguide", "templates"), undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True, autoescape=False)
    env.filters["cell"] = cell
    return env


def render(cat: Catalog, g: nx.MultiDiGraph) -> dict[str, str]:
    """Every generated page of the site, keyed by its path under the docs folder."""
    pages: dict[str, str] = {}

    def link(src: str, kind: str, entity_id: str) -> str:
        target = page_path(kind, entity_id)
        if kind == "step":
            target = target.format(stage=cat.stage_of(entity_id).id)
        path, _, anchor = target.partition("#")
        rel = posixpath.relpath(path, posixpath.dirname(src) or ".")
        return rel + (f"#{anchor}" if anchor else "")

    def title(node: str) -> str:
        return g.nodes[node]["title"]

    common = {"cat": cat, "g": g, "title": title, "incoming": incoming, "outgoing": outgoing}

    def put(path: str, template: str, **context: object) -> None:
        pages[path] = _env().get_template(template).render(
            **common, **context, link=lambda kind, eid: link(path, kind, eid))

    for stage in cat.stages:
        put(page_path("stage", stage.id), "stage.md.j2", stage=stage)
    put("challenges/index.md", "challenges_index.md.j2")
    for c in cat.challenges.values():
        put(page_path("challenge", c.id), "challenge.md.j2", c=c, stage=cat.stage_of(c.step),
            step=cat.steps[c.step], related=related(g, c.id), ev=evidence(g, c.id),
            evidence_text=EVIDENCE_TEXT, case_studies=[cat.case_studies[i] for i in incoming(g, c.id, "illustrates")],
            mitigations=[cat.mitigations[i] for i in incoming(g, c.id, "addresses")])
    put("case-studies/index.md", "case_studies_index.md.j2")
    for s in cat.case_studies.values():
        put(page_path("case_study", s.id), "case_study.md.j2", s=s)
    put("mitigations/index.md", "mitigations_index.md.j2")
    for m in cat.mitigations.values():
        put(page_path("mitigation", m.id), "mitigation.md.j2", m=m)
    refs = sorted(cat.references.values(), key=lambda r: (r.survey_ref or 0, r.id))
    put("references.md", "references.md.j2", backlinks=backlinks, refs=refs)
    return pages
