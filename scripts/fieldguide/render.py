"""The site generator: a pure function from the catalog to `{site path: file text}`.

Two thin adapters use it: the mkdocs hook (`hooks.py`) and `fieldguide render --out DIR`.
Markdown pages (`.md`) become HTML; the other files (catalog.json, references.bib, ...) are served
as downloads. Catalog prose is Markdown with raw HTML refused by the schema; text placed into
tables, diagrams and attributes is escaped here.
"""

from __future__ import annotations

import json
import posixpath
import re
from functools import cache
from pathlib import Path

import markdown
import networkx as nx

from . import GUIDE_TITLE, RELEASED, __version__, brief, cite, coverage, interchange, pagedata, plan, schema, search
from .bib import CitationCache, join_bibtex, label, to_csl, using
from .catalog import Catalog, order_key
from .checklist import STATUS_TEXT, page_labels
from .graph import EVIDENCE_TEXT, backlinks, evidence, incoming, outgoing, related
from .kinds import KIND
from .pages import (
    DEFAULT_SITE_URL,
    checklist_path,
    entity_url,
    environment,
    html_href,
    mermaid_label,
    page_path,
    page_url,
    reference_group,
)

STATE_SCHEMA = "checklist-state.schema.json"


def neighbourhood(cat: Catalog, g: nx.MultiDiGraph, cid: str, limit: int = 3) -> str:
    """Mermaid flowchart of a challenge with its step, case studies, mitigations and related challenges."""
    lines = ["flowchart LR", f"  c[{mermaid_label(g.nodes[cid]['title'])}]:::focus"]
    step = cat.challenges[cid].step
    lines.append(f"  s[{mermaid_label('Step: ' + g.nodes[step]['title'])}] --- c")
    groups = (("cs", ("case study", "case studies"), incoming(g, cid, "illustrates"), "-- illustrates -->", True),
              ("m", ("mitigation", "mitigations"), incoming(g, cid, "addresses"), "-- addresses -->", True),
              ("r", ("related", "related"), [r.id for r in related(g, cid, limit)], "-.-", False))
    for prefix, (one, many), ids, arrow, into in groups:
        shown = ids[:limit]
        for i, node in enumerate(shown):
            lines.append(f"  {prefix}{i}[{mermaid_label(g.nodes[node]['title'])}]")
            lines.append(f"  {prefix}{i} {arrow} c" if into else f"  c {arrow} {prefix}{i}")
        if len(ids) > limit:
            more = len(ids) - limit
            lines.append(f"  {prefix}more[{mermaid_label(f'+{more} more {one if more == 1 else many}')}]")
    lines.append("  classDef focus stroke-width:3px")
    return "\n".join(lines)


@cache
def _relpath(path: str, start: str) -> str:
    return posixpath.relpath(path, start)  # both relative to the docs folder: pure string work


@cache
def _markdown() -> markdown.Markdown:
    return markdown.Markdown()


@cache
def inline_html(text: str) -> str:
    """Markdown of one line (catalog prose: no raw HTML) as inline HTML, for our own widgets."""
    html_text = _markdown().reset().convert(text)
    return re.sub(r"^<p>|</p>$", "", html_text.strip())


def checklist_rows(cat: Catalog, stages: list[str] | None) -> list[dict[str, object]]:
    """Stage -> step -> challenge -> items, in workflow order, for the checklist pages."""
    order = order_key(cat)
    out = []
    for stage in cat.stages:
        if stages and stage.id not in stages:
            continue
        steps = []
        for step in stage.steps:
            challenges = sorted((c for c in cat.challenges.values() if c.step == step.id), key=lambda c: order[c.id])
            steps.append({"step": step, "challenges": challenges})
        out.append({"stage": stage, "steps": steps})
    return out


def planner_data(cat: Catalog, g: nx.MultiDiGraph, site_url: str, bib: cite.Bibliography,
                 index: search.Index | None = None) -> dict[str, object]:
    """What the planner and checklist pages compute with: structure, ranking weights, brief sections."""
    return {
        "version": __version__,
        "site_url": site_url,
        "stages": [{"id": s.id, "title": s.title, "steps": [t.id for t in s.steps]} for s in cat.stages],
        "steps": {t.id: {"title": t.title, "stage": cat.stage_of(t.id).id} for t in cat.steps.values()},
        "industries": {f.id: f.title for f in cat.facets.industries} if cat.facets else {},
        "traits": {f.id: f.title for f in cat.facets.traits} if cat.facets else {},
        "challenges": {c.id: {
            "title": c.title, "url": entity_url(site_url, "challenge", c.id), "summary": c.summary,
            "stage": cat.stage_of(c.step).id, "step": c.step, "beyond_survey": c.beyond_survey,
            # what each check also covers, as the exports write it ("deon A.3 (partly)")
            "checklist": [{"id": i.id, "text": i.text, "covers": coverage.covers_text(cat, i)} for i in c.checklist],
            "precedents": [{"title": g.nodes[s]["title"], "url": entity_url(site_url, "case_study", s)}
                           for s in incoming(g, c.id, "illustrates")],
            "mitigations": [{"title": g.nodes[m]["title"], "url": entity_url(site_url, "mitigation", m),
                             "kind": cat.mitigations[m].kind} for m in incoming(g, c.id, "addresses")],
        } for c in cat.challenges.values()},
        "labels": page_labels(),
        "ranking": plan.weights_for_page(cat, g, index),
        "brief": brief.page_data(cat, g, site_url, bib.bibtex),
    }


def _schema_files(citation_cache: CitationCache | None, site_url: str) -> dict[str, dict]:
    """The JSON Schemas depend only on the schema code, pydantic and the site's address (their `$id`):
    kept between builds."""
    if citation_cache is None:
        return schema.json_schema_files(site_url)
    import hashlib
    import importlib.metadata

    from . import controls, pages, prose

    code = b"".join(Path(m.__file__).read_bytes() for m in (schema, controls, pages, prose))
    source = code + importlib.metadata.version("pydantic").encode() + site_url.encode()
    key = "schemas:" + hashlib.sha256(source).hexdigest()
    return citation_cache.remember(key, lambda: schema.json_schema_files(site_url),
                                   lambda v: isinstance(v, dict) and bool(v))


def through_challenges(g: nx.MultiDiGraph, entity: str, edge: str, other_edge: str) -> list[tuple[str, list[str]]]:
    """Entities linked to the same challenges as `entity` by `other_edge`, each with the challenges
    they share: a case study's mitigations, or a mitigation's case studies."""
    shared: dict[str, list[str]] = {}
    for cid in outgoing(g, entity, edge):
        for other in incoming(g, cid, other_edge):
            shared.setdefault(other, []).append(cid)
    return sorted(shared.items(), key=lambda item: (-len(item[1]), g.nodes[item[0]]["title"]))


def render(cat: Catalog, g: nx.MultiDiGraph, site_url: str = DEFAULT_SITE_URL, cache_dir: Path | None = None,
           changelog: list[dict[str, object]] | None = None) -> dict[str, str]:
    """Every generated file of the site, keyed by its path under the docs folder.

    `cache_dir` keeps formatted citations between builds; `changelog` (from `release.changelog`)
    adds the changelog page."""
    citation_cache = cite.cache(cache_dir)
    with using(citation_cache):
        return _render(cat, g, site_url, citation_cache, changelog)


def _render(cat: Catalog, g: nx.MultiDiGraph, site_url: str, citation_cache: CitationCache | None,
            changelog: list[dict[str, object]] | None) -> dict[str, str]:
    files: dict[str, str] = {}
    bib = cite.prepare(cat, citation_cache)
    refs, citations, bibtex = bib.refs, bib.markdown, bib.bibtex

    def link(src: str, kind: str, entity_id: str) -> str:
        if kind == "step":
            target = f"stages/{cat.stage_of(entity_id).id}.md#{entity_id}"
        else:
            target = page_path(kind, entity_id)
        path, _, anchor = target.partition("#")
        rel = _relpath(path, posixpath.dirname(src) or ".")
        return rel + (f"#{anchor}" if anchor else "")

    common = {
        "inline": inline_html, "traits": cat.traits, "industries": cat.industries,
        "cat": cat, "g": g, "incoming": incoming, "outgoing": outgoing, "evidence_text": EVIDENCE_TEXT,
        "title": lambda node: g.nodes[node]["title"], "citations": citations,
        "version": __version__, "released": RELEASED, "guide": GUIDE_TITLE,
        "covers": lambda check: coverage.notes(cat, check), "level_text": coverage.LEVEL_TEXT,
        "grading_rule": coverage.GRADING_RULE,
        "version_note": lambda rid: cite.version_note(cat, rid, bib.published),
        "ref_label": lambda rid: label(cat.references[rid]),
        # Kinds a link can point to: those with a page (`kinds.KINDS`), and steps (anchors on their stage's page).
        "has_page": lambda kind: kind == "step" or (kind in KIND and KIND[kind].page is not None),
    }

    def put(path: str, template: str, **context: object) -> None:
        url = page_url(site_url, path)
        files[path] = environment().get_template(template).render(
            **common, **context, url=url, link=lambda kind, eid: link(path, kind, eid),
            href=lambda kind, eid: html_href(path, page_path(kind, eid)),
            rel=lambda target: _relpath(target, posixpath.dirname(path) or "."))

    citable: dict[str, tuple[str, str, list[str]]] = {}  # page key -> (title, url, references)

    def cite_box(path: str, page_title: str, entity_id: str, ref_ids: list[str]) -> dict[str, object]:
        key, url = cite.page_key(entity_id), page_url(site_url, path)
        citable[key] = (page_title, url, ref_ids)
        return cite.box(cat, bib, url, page_title, key, ref_ids)

    for stage in cat.stages:
        put(page_path("stage", stage.id), "stage.md.j2", stage=stage)
    put("challenges/index.md", "challenges_index.md.j2")
    for c in cat.challenges.values():
        path = page_path("challenge", c.id)
        put(path, "challenge.md.j2", c=c, stage=cat.stage_of(c.step), step=cat.steps[c.step],
            related=related(g, c.id), ev=evidence(g, c.id), diagram=neighbourhood(cat, g, c.id),
            case_studies=[cat.case_studies[i] for i in incoming(g, c.id, "illustrates")],
            mitigations=[cat.mitigations[i] for i in incoming(g, c.id, "addresses")],
            cite=cite_box(path, c.title, c.id, list(c.references)))
    put("case-studies/index.md", "case_studies_index.md.j2")
    for s in cat.case_studies.values():
        path = page_path("case_study", s.id)
        put(path, "case_study.md.j2", s=s, cite=cite_box(path, s.title, s.id, list(s.references)),
            mitigations=through_challenges(g, s.id, "illustrates", "addresses"))
    kinds = sorted({m.kind for m in cat.mitigations.values()})
    put("mitigations/index.md", "mitigations_index.md.j2", kinds=kinds)
    for m in cat.mitigations.values():
        path = page_path("mitigation", m.id)
        put(path, "mitigation.md.j2", m=m, cite=cite_box(path, m.title, m.id, list(m.references)),
            case_studies=through_challenges(g, m.id, "addresses", "illustrates"))
    for stub in cat.retired.values():  # old addresses keep working and point to the successor
        if KIND[stub.kind].own_page:
            put(page_path(stub.kind, stub.id), "retired.md.j2", stub=stub)
    _put_bibliography(cat, bib, put)
    schema_files = _schema_files(citation_cache, site_url)
    put("downloads.md", "downloads.md.j2", schemas=sorted(schema_files))

    statuses = list(STATUS_TEXT.items())
    put("checklists/index.md", "checklist.md.j2", scope=cat.stages, page_title="All stages",
        rows=checklist_rows(cat, None), statuses=statuses)
    for stage in cat.stages:
        put(checklist_path(stage.id), "checklist.md.j2", scope=[stage], page_title=stage.title,
            rows=checklist_rows(cat, [stage.id]), statuses=statuses)
    put("planner.md", "planner.md.j2", description_chars=schema.DESCRIPTION_CHARS, w=plan,  # the weights, as used
        deployments=len(cat.deployments))
    put("team-workflow.md", "team_workflow.md.j2")  # how teams share checklist state (linked from each checklist)
    _put_frameworks(cat, g, put)
    index_data = search.build_index(cat, g)
    index = search.Index(index_data)
    files.update(search.layout(index_data, index))  # search/index.json and the chunks and fragments it names
    # The pages' data: a small core and chunks fetched as shown (`pagedata`).
    files.update(pagedata.split("planner", planner_data(cat, g, site_url, bib, index), pagedata.TABLES["planner"]))
    put("citations.md", "citations.md.j2")
    files.update(pagedata.split("citations", cite.basket_data(cat, bib, citable), pagedata.TABLES["citations"]))
    if changelog is not None:
        put("changelog.md", "changelog.md.j2", releases=changelog)

    files["downloads/catalog.json"] = interchange.to_text(cat, g)
    files["downloads/references.bib"] = join_bibtex([bibtex[r.id] for r in refs])
    files["downloads/references.csl.json"] = json.dumps(to_csl(refs), indent=2, ensure_ascii=False) + "\n"
    for name, body in schema_files.items():
        files[f"downloads/schema/{name}"] = json.dumps(body, indent=2) + "\n"
    # The checklist state file's schema: the page's import reads this very file to validate with.
    files[f"downloads/schema/{STATE_SCHEMA}"] = json.dumps(schema.state_json_schema(site_url), indent=2) + "\n"
    return files



def _put_bibliography(cat: Catalog, bib: cite.Bibliography, put) -> None:
    """The bibliography: a page per first character of the references' ids (`pages.reference_group`),
    each entry once, and `references.md`, which lists every reference (retired ones too) with a link
    to its page. Its list items carry the ids, so `/references/#key` from earlier releases lands on
    the entry's link without JavaScript, and views/references.js follows it."""
    retired = [stub for stub in cat.retired.values() if stub.kind == "reference"]
    members: dict[str, list] = {}
    for r in sorted(bib.refs, key=lambda r: r.id):
        members.setdefault(reference_group(r.id), []).append(r)
    for stub in retired:
        members.setdefault(reference_group(stub.id), [])
    paths = sorted(members)
    initial = {path: path.removeprefix("references/").removesuffix(".md") for path in paths}

    def groups(current: str) -> list[tuple[str, str, bool]]:
        return [(path, initial[path], path == current) for path in paths]

    survey = cite.survey_family(cat)
    for path in paths:
        put(path, "references_group.md.j2", refs=members[path], initial=initial[path], total=len(bib.refs),
            groups=groups(path), survey=survey, backlinks=backlinks, bibtex=bib.bibtex,
            retired_refs=[stub for stub in retired if reference_group(stub.id) == path])
    index = [{"id": r.id, "title": r.title, "retired": False} for r in bib.refs]
    index += [{"id": stub.id, "title": stub.title, "retired": True} for stub in retired]
    put("references.md", "references.md.j2", refs=bib.refs, groups=groups("references.md"),
        index=sorted(index, key=lambda r: r["id"]), group_of=reference_group)


def _put_frameworks(cat: Catalog, g: nx.MultiDiGraph, put) -> None:
    """A coverage page per external framework, and their index (from `coverage`, like the CLI)."""
    rows = []
    for fw in sorted(cat.frameworks.values(), key=lambda f: f.short_title.lower()):
        items = coverage.framework_coverage(cat, g, fw.id)
        summary = coverage.summarize(items)
        rows.append((fw, summary))
        put(page_path("framework", fw.id), "framework.md.j2", fw=fw, items=items, summary=summary)
    put("frameworks/index.md", "frameworks_index.md.j2", rows=rows)
