"""Exports of the catalog: the documented JSON interchange format, BibTeX and CSV.

The JSON format is stable: `version` changes only when a field is removed or changes meaning.
Reverse links (a challenge's case studies and mitigations) are included, derived from the graph.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import networkx as nx
from pybtex.database import BibliographyData, Entry, Person
from pybtex.plugin import find_plugin
from pybtex.style.template import FieldIsMissing

from . import GUIDE_TITLE, RELEASED, __version__
from .coverage import framework_coverage
from .escape import csv_text
from .graph import evidence, incoming, outgoing, related
from .load import Catalog
from .schema import Reference

FORMAT_VERSION = "1.0"
_VENUES = ("institution", "publisher", "organization", "journal", "booktitle")

# Reference fields that go into BibTeX unchanged, in BibTeX's customary order.
_BIB_FIELDS = ("journal", "booktitle", "publisher", "institution", "organization", "howpublished",
               "series", "address", "volume", "number", "pages", "month", "note", "doi", "url")


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
            "checklist": [{"id": i.id, "text": i.text, "covers": [cover.model_dump() for cover in i.covers]}
                          for i in c.checklist], "facets": list(c.facets),
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
    }


def framework_dict(cat: Catalog, g: nx.MultiDiGraph, framework_id: str) -> dict[str, Any]:
    """A framework with its items and, derived from the graph, the checks covering each item."""
    fw = cat.frameworks[framework_id]
    out = fw.model_dump(mode="json", exclude={"sections"})
    coverage = {i.id: i for i in framework_coverage(cat, g, framework_id)}
    out["sections"] = [{"id": section.id, "title": section.title, "items": [{
        "id": fw.qualified(item), "label": item.label, "title": item.title,
        "coverage": coverage[fw.qualified(item)].level,
        "covered_by": [{"check": c.check, "challenge": c.challenge, "partial": c.partial}
                       for c in coverage[fw.qualified(item)].covered_by],
    } for item in section.items]} for section in fw.sections]
    return out


_CAPITALISED = re.compile(r"[\w.'’-]*[A-Z][\w.'’-]*")


def _protect(title: str) -> str:
    """Brace capitalised words (Twitter, AirBnB, NLP) so BibTeX styles that sentence-case keep them.

    A title written in Title Case is braced whole. Otherwise the first word is left alone when only
    its initial is a capital: styles keep it anyway.
    """
    long_words = [w for w in re.findall(r"[\w'’-]+", title) if len(w) > 3]
    if len(long_words) >= 3 and sum(w[0].isupper() for w in long_words) / len(long_words) >= 0.75:
        return "{" + title + "}"
    def brace(match: re.Match[str]) -> str:
        word = match.group(0)
        if match.start() == 0 and word[1:] == word[1:].lower():
            return word
        return "{" + word + "}"

    return _CAPITALISED.sub(brace, title)


def bib_entry(ref: Reference) -> Entry:
    fields = {"title": _protect(ref.title), "year": str(ref.year)}
    for name in _BIB_FIELDS:
        value = getattr(ref, name)
        if value:
            fields[name] = value
    if ref.arxiv:
        fields["eprint"] = ref.arxiv
        fields["archiveprefix"] = "arXiv"
    persons: dict[str, list[Person]] = {}
    if ref.authors:
        persons["author"] = [Person(a) for a in ref.authors]
    elif ref.corporate_author:
        persons["author"] = [Person("{" + ref.corporate_author + "}")]
    entry_type = "misc" if ref.entry_type == "online" else ref.entry_type
    return Entry(entry_type, fields=fields, persons=persons)


def bibliography(refs: list[Reference]) -> BibliographyData:
    return BibliographyData({r.id: bib_entry(r) for r in refs})


# pybtex escapes LaTeX specials in every field; URLs must stay verbatim for the url package.
_VERBATIM_FIELD = re.compile(r'^(\s*(?:url|doi|eprint) = ")(.*)(",?)$', re.MULTILINE)


def to_bibtex(refs: list[Reference]) -> str:
    return to_bibtex_entries({r.id: bib_entry(r) for r in refs})


def join_bibtex(entries: list[str]) -> str:
    """BibTeX of several references from each one's own BibTeX (same text as `to_bibtex` of all)."""
    return "\n".join(entries)


def citations(refs: list[Reference]) -> dict[str, str]:
    """Formatted text citations (pybtex `plain` style) as Markdown, keyed by reference id.

    Entries go through their own BibTeX first, so what a reader sees is what the .bib file says.
    """
    writer, parser, style, backend = _pybtex()
    parsed = parser().parse_string(to_bibtex(refs))
    for ref in refs:  # keep addresses exactly as stored, not LaTeX-decoded
        for name in ("url", "doi"):
            if getattr(ref, name):
                parsed.entries[ref.id].fields[name] = getattr(ref, name)
    out = {}
    for key, entry in parsed.entries.items():
        try:
            text = style.format_entry(key, entry, bib_data=parsed).text
        except FieldIsMissing:
            # The plain style demands fields (author, institution) some reports lack; misc needs none.
            venue = next((entry.fields[f] for f in _VENUES if f in entry.fields), None)
            entry.type = "misc"
            if venue:
                entry.fields.setdefault("howpublished", venue)
            text = style.format_entry(key, entry, bib_data=parsed).text
        out[key] = text.render(backend).replace("\n", " ")
    return out


def label(ref: Reference) -> str:
    """Author-year label for in-text citations: "Lin and Ryaboy, 2013", "Bernardi et al., 2019"."""
    names = [" ".join(Person(a).last_names) for a in ref.authors if a != "others"]
    if not names:
        who = ref.corporate_author or ref.institution or ref.howpublished or " ".join(ref.title.split()[:3]) + "…"
    elif len(names) == 1 and "others" not in ref.authors:
        who = names[0]
    elif len(names) == 2 and "others" not in ref.authors:
        who = f"{names[0]} and {names[1]}"
    else:
        who = f"{names[0]} et al."
    return f"{who}, {ref.year}"


def page_citation(title: str, url: str) -> str:
    """How to cite one page of the guide itself."""
    return f"{GUIDE_TITLE}. “{title}”. Version {__version__}, {RELEASED}. {url}"


def page_bibtex(key: str, title: str, url: str) -> str:
    entry = Entry("misc", fields={"title": f"{{{GUIDE_TITLE}}}: {title}", "howpublished": url,
                                  "note": f"Version {__version__}", "year": RELEASED[:4], "url": url})
    return to_bibtex_entries({key: entry})


@cache
def _pybtex() -> tuple[Any, Any, Any, Any]:
    """pybtex's BibTeX writer and parser, `plain` style and Markdown backend, looked up once:
    pybtex finds plugins through importlib metadata on every call otherwise (most of render's time)."""
    from pybtex.backends.markdown import Backend
    from pybtex.database.input.bibtex import Parser
    from pybtex.database.output.bibtex import Writer

    return Writer(), Parser, find_plugin("pybtex.style.formatting", "plain")(), Backend()


def to_bibtex_entries(entries: dict[str, Entry]) -> str:
    text = _pybtex()[0].to_string(BibliographyData(entries))
    return _VERBATIM_FIELD.sub(lambda m: m[1] + re.sub(r"\\([%_#&])", r"\1", m[2]) + m[3], text)


_CSL_TYPES = {"article": "article-journal", "inproceedings": "paper-conference", "incollection": "chapter",
              "book": "book", "techreport": "report", "misc": "document", "online": "webpage"}


def _csl_name(name: str) -> dict[str, str]:
    person = Person(name)
    family = " ".join(person.prelast_names + person.last_names)
    given = " ".join(person.first_names + person.middle_names)
    return {"family": family, "given": given} if given else {"literal": family}


def to_csl(refs: list[Reference]) -> list[dict[str, Any]]:
    """CSL-JSON items (for Zotero, pandoc and other reference managers)."""
    items = []
    for r in refs:
        item: dict[str, Any] = {"id": r.id, "type": _CSL_TYPES[r.entry_type], "title": r.title,
                                "issued": {"date-parts": [[r.year]]}}
        names = [_csl_name(a) for a in r.authors if a != "others"]
        if not names and r.corporate_author:
            names = [{"literal": r.corporate_author}]
        if names:
            item["author"] = names
        optional = {"container-title": r.journal or r.booktitle, "publisher": r.publisher or r.institution,
                    "volume": r.volume, "issue": r.number, "page": r.pages, "URL": r.url, "DOI": r.doi,
                    "note": r.note, "publisher-place": r.address}
        item.update({k: v for k, v in optional.items() if v})
        if r.arxiv:
            item["number"] = f"arXiv:{r.arxiv}"
        items.append(item)
    return items


CSV_COLUMNS = ("type", "id", "title", "stage", "step", "summary", "links")


def to_csv(cat: Catalog, g: nx.MultiDiGraph) -> str:
    """One row per entity; `links` lists the ids it is connected to, space separated."""
    rows: list[tuple[str, ...]] = [CSV_COLUMNS]
    for c in cat.challenges.values():
        links = incoming(g, c.id, "illustrates") + incoming(g, c.id, "addresses")
        rows.append(("challenge", c.id, c.title, cat.stage_of(c.step).id, c.step, c.summary, " ".join(links)))
    for s in cat.case_studies.values():
        rows.append(("case_study", s.id, s.title, "", "", s.summary, " ".join(outgoing(g, s.id, "illustrates"))))
    for m in cat.mitigations.values():
        rows.append(("mitigation", m.id, m.title, "", "", m.summary, " ".join(outgoing(g, m.id, "addresses"))))
    for r in cat.references.values():
        rows.append(("reference", r.id, r.title, "", "", "", " ".join(incoming(g, r.id, "cites"))))
    for fw_id, fw in cat.frameworks.items():
        rows.append(("framework", fw_id, fw.title, "", "", fw.summary, " ".join(incoming(g, fw_id, "item_of"))))
        # A framework item's summary is its coverage (full, partial, none); links are the covering checks.
        for item in framework_coverage(cat, g, fw_id):
            rows.append(("framework_item", item.id, item.title, "", "", item.level,
                         " ".join(c.check for c in item.covered_by)))
    return csv_text(rows)
