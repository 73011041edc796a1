"""The site generator: a pure function from the catalog to `{site path: file text}`.

Two thin adapters use it: the mkdocs hook (`hooks.py`) and `fieldguide render --out DIR`.
Markdown pages (`.md`) become HTML; the other files (catalog.json, references.bib, ...) are served
as downloads. Catalog prose is Markdown with raw HTML refused by the schema; text placed into
tables, diagrams and attributes is escaped here.
"""

from __future__ import annotations

import html
import json
import posixpath
from functools import cache

import networkx as nx
from jinja2 import Environment, PackageLoader, StrictUndefined

from . import GUIDE_TITLE, RELEASED, __version__, export, schema
from .graph import EVIDENCE_TEXT, backlinks, evidence, incoming, outgoing, related
from .load import Catalog

DEFAULT_SITE_URL = "http://127.0.0.1:8000/"


def page_path(kind: str, entity_id: str) -> str:
    """Where each entity's page lives; URLs derive from ids only."""
    return {
        "stage": f"stages/{entity_id}.md",
        "challenge": f"challenges/{entity_id}.md",
        "case_study": f"case-studies/{entity_id}.md",
        "mitigation": f"mitigations/{entity_id}.md",
        "reference": f"references.md#{entity_id}",
    }[kind]


def page_url(site_url: str, path: str) -> str:
    """Public URL of a page with mkdocs' directory URLs (`challenges/x.md` -> `.../challenges/x/`)."""
    stem = path.removesuffix(".md")
    stem = "" if stem == "index" else stem.removesuffix("/index") + "/"
    return site_url.rstrip("/") + "/" + stem


def cell(text: object) -> str:
    """Make text safe inside a Markdown table cell."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def yaml_str(text: object) -> str:
    """A double-quoted YAML scalar for front matter."""
    return json.dumps(str(text), ensure_ascii=False)


def mermaid_label(text: str) -> str:
    """A quoted Mermaid node label; quotes and angle brackets become entity codes."""
    return '"' + text.replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;") + '"'


@cache
def _env() -> Environment:
    env = Environment(loader=PackageLoader("fieldguide", "templates"), undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True, autoescape=False)
    env.filters.update(cell=cell, yaml=yaml_str, mlabel=mermaid_label, attr=html.escape)
    return env


def neighbourhood(cat: Catalog, g: nx.MultiDiGraph, cid: str, limit: int = 3) -> str:
    """Mermaid flowchart of a challenge with its step, case studies, mitigations and related challenges."""
    lines = ["flowchart LR", f"  c[{mermaid_label(g.nodes[cid]['title'])}]:::focus"]
    step = cat.challenges[cid].step
    lines.append(f"  s[{mermaid_label('Step: ' + g.nodes[step]['title'])}] --- c")
    groups = (("cs", "Case study", incoming(g, cid, "illustrates"), "-- illustrates -->", True),
              ("m", "Mitigation", incoming(g, cid, "addresses"), "-- addresses -->", True),
              ("r", "Related", [r.id for r in related(g, cid, limit)], "-.-", False))
    for prefix, label, ids, arrow, into in groups:
        shown = ids[:limit]
        for i, node in enumerate(shown):
            lines.append(f"  {prefix}{i}[{mermaid_label(g.nodes[node]['title'])}]")
            lines.append(f"  {prefix}{i} {arrow} c" if into else f"  c {arrow} {prefix}{i}")
        if len(ids) > limit:
            lines.append(f"  {prefix}more[{mermaid_label(f'+{len(ids) - limit} more {label.lower()}s')}]")
    lines.append("  classDef focus stroke-width:3px")
    return "\n".join(lines)


def render(cat: Catalog, g: nx.MultiDiGraph, site_url: str = DEFAULT_SITE_URL) -> dict[str, str]:
    """Every generated file of the site, keyed by its path under the docs folder."""
    files: dict[str, str] = {}
    citations = export.citations(list(cat.references.values()))

    def link(src: str, kind: str, entity_id: str) -> str:
        if kind == "step":
            target = f"stages/{cat.stage_of(entity_id).id}.md#{entity_id}"
        else:
            target = page_path(kind, entity_id)
        path, _, anchor = target.partition("#")
        rel = posixpath.relpath(path, posixpath.dirname(src) or ".")
        return rel + (f"#{anchor}" if anchor else "")

    def sources_of(ref_ids: list[str]) -> list[tuple[str, str]]:
        return [(rid, citations[rid]) for rid in ref_ids]

    common = {
        "cat": cat, "g": g, "incoming": incoming, "outgoing": outgoing, "evidence_text": EVIDENCE_TEXT,
        "title": lambda node: g.nodes[node]["title"], "citations": citations,
        "version": __version__, "released": RELEASED, "guide": GUIDE_TITLE,
    }

    def put(path: str, template: str, **context: object) -> None:
        url = page_url(site_url, path)
        files[path] = _env().get_template(template).render(
            **common, **context, url=url, link=lambda kind, eid: link(path, kind, eid))

    def cite_box(path: str, page_title: str, key: str, ref_ids: list[str]) -> dict[str, object]:
        url = page_url(site_url, path)
        return {"sources": sources_of(ref_ids),
                "sources_bibtex": export.to_bibtex([cat.references[r] for r in ref_ids]),
                "page_citation": export.page_citation(page_title, url),
                "page_bibtex": export.page_bibtex(key, page_title, url)}

    for stage in cat.stages:
        put(page_path("stage", stage.id), "stage.md.j2", stage=stage)
    put("challenges/index.md", "challenges_index.md.j2")
    for c in cat.challenges.values():
        path = page_path("challenge", c.id)
        put(path, "challenge.md.j2", c=c, stage=cat.stage_of(c.step), step=cat.steps[c.step],
            related=related(g, c.id), ev=evidence(g, c.id), diagram=neighbourhood(cat, g, c.id),
            case_studies=[cat.case_studies[i] for i in incoming(g, c.id, "illustrates")],
            mitigations=[cat.mitigations[i] for i in incoming(g, c.id, "addresses")],
            cite=cite_box(path, c.title, f"fieldguide-{c.id}", list(c.references)))
    put("case-studies/index.md", "case_studies_index.md.j2")
    for s in cat.case_studies.values():
        path = page_path("case_study", s.id)
        put(path, "case_study.md.j2", s=s, cite=cite_box(path, s.title, f"fieldguide-{s.id}", list(s.references)))
    kinds = sorted({m.kind for m in cat.mitigations.values()})
    put("mitigations/index.md", "mitigations_index.md.j2", kinds=kinds)
    for m in cat.mitigations.values():
        put(page_path("mitigation", m.id), "mitigation.md.j2", m=m)
    refs = sorted(cat.references.values(), key=lambda r: (r.survey_ref or 0, r.id))
    put("references.md", "references.md.j2", backlinks=backlinks, refs=refs,
        bibtex={r.id: export.to_bibtex([r]) for r in refs})
    schema_files = schema.json_schema_files()
    put("downloads.md", "downloads.md.j2", schemas=sorted(schema_files))

    files["downloads/catalog.json"] = json.dumps(export.to_dict(cat, g), indent=2, ensure_ascii=False) + "\n"
    files["downloads/references.bib"] = export.to_bibtex(refs)
    files["downloads/references.csl.json"] = json.dumps(export.to_csl(refs), indent=2, ensure_ascii=False) + "\n"
    for name, body in schema_files.items():
        files[f"downloads/schema/{name}"] = json.dumps(body, indent=2) + "\n"
    return files

