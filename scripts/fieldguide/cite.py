"""What a reader takes away to cite: each page's "Cite this" box and the citation basket's data.

Every reference is formatted once per build (pybtex `plain`, through `bib.formatted`, cached
between builds). A page's box gives its own citation (the guide as corporate author, the release's
version and date, one stable address; the reader's access date is added by the page's script, never
the release date) and its sources. A preprint with a peer-reviewed version is cited by that version
only, unless the reader asks for both (`with_preprints`: the basket page's option, `fieldguide brief
--with-preprint`). The survey, which every page cites, is left out of the box's BibTeX, so pasting
the boxes of two pages never repeats an entry; the basket page exports each entry once.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import GUIDE_AUTHOR, GUIDE_TITLE, RELEASED, __version__
from .bib import (
    CitationCache,
    Formatted,
    alpha_labels,
    formatted,
    join_bibtex,
    label,
    page_alpha_label,
    page_bibtex,
    page_citation,
    page_csl,
    to_bibtex,
    to_csl,
)
from .catalog import Catalog
from .graph import SURVEY
from .schema import Reference

CACHE_FILE = "citations.json"


@dataclass(frozen=True)
class Bibliography:
    refs: list[Reference]  # in the bibliography page's order (survey number)
    bibtex: dict[str, str]
    formatted: dict[str, Formatted]
    published: frozenset[str]  # ids that are some preprint's peer-reviewed version

    @property
    def markdown(self) -> dict[str, str]:
        return {rid: f.markdown for rid, f in self.formatted.items()}


def cache(cache_dir: Path | None) -> CitationCache | None:
    """The citation cache in `cache_dir`, bound to this machine (none without a cache secret)."""
    from . import buildcache

    tag = buildcache.tag(cache_dir) if cache_dir else None
    return CitationCache(cache_dir / CACHE_FILE, tag) if tag else None


def prepare(cat: Catalog, citation_cache: CitationCache | None = None) -> Bibliography:
    refs = sorted(cat.references.values(), key=lambda r: (r.survey_ref or 0, bool(r.published_version), r.id))
    bibtex = {r.id: to_bibtex([r]) for r in refs}
    return Bibliography(refs, bibtex, formatted(refs, citation_cache, bibtex), published_versions(cat))


def survey_family(cat: Catalog) -> list[str]:
    """The survey the whole guide is built on: its preprint (the text the catalog follows), then its
    peer-reviewed version if it has one."""
    if SURVEY not in cat.references:
        return []
    return list(dict.fromkeys(filter(None, [SURVEY, cat.references[SURVEY].published_version])))


def expand(cat: Catalog, ref_ids: list[str], with_preprints: bool = False) -> list[str]:
    """The references to cite for `ref_ids`: a preprint by its peer-reviewed version, or by both
    (the published one first) when the reader asks for both."""
    out: list[str] = []
    for rid in ref_ids:
        published = cat.references[rid].published_version
        out += ([published, rid] if with_preprints else [published]) if published else [rid]
    return list(dict.fromkeys(out))


def cited_survey(cat: Catalog, with_preprint: bool = False) -> list[str]:
    """How exports cite the survey: its peer-reviewed version, then the preprint the catalog follows
    when the reader asks for both."""
    return expand(cat, survey_family(cat)[:1], with_preprint)


def preprints(cat: Catalog) -> dict[str, str]:
    """Each peer-reviewed version's preprint, for the basket page's "cite both" option."""
    return {r.published_version: r.id for r in cat.references.values() if r.published_version}


def published_versions(cat: Catalog) -> frozenset[str]:
    return frozenset(r.published_version for r in cat.references.values() if r.published_version)


def version_note(cat: Catalog, rid: str, published: frozenset[str] | None = None) -> str:
    ref = cat.references[rid]
    if ref.published_version:
        return f"The text this guide follows ({ref.year}); cite the peer-reviewed version above."
    if rid in (published if published is not None else published_versions(cat)):
        return "Peer-reviewed version: the one to cite in a design review."
    return ""


def page_key(entity_id: str) -> str:
    return f"fieldguide-{entity_id}"


def box(cat: Catalog, bib: Bibliography, url: str, title: str, key: str, ref_ids: list[str]) -> dict[str, object]:
    """Everything a page's "Cite this" box shows."""
    sources = expand(cat, ref_ids)
    survey = survey_family(cat)
    return {
        "key": key,
        "sources": [(rid, bib.formatted[rid].markdown, version_note(cat, rid, bib.published)) for rid in sources],
        "sources_bibtex": join_bibtex([bib.bibtex[r] for r in sources if r not in survey]),
        "survey_left_out": [r for r in sources if r in survey],
        "page_citation": page_citation(title, url),
        "page_bibtex": page_bibtex(key, title, url),
    }


def basket_data(cat: Catalog, bib: Bibliography, pages: dict[str, tuple[str, str, list[str]]]) -> dict[str, Any]:
    """What the citation basket page exports from: every reference and every citable page, each in
    BibTeX, CSL-JSON and plain text (pybtex `plain`), with author-year and BibTeX `alpha` labels.
    `pages` maps a page's citation key to (title, url, reference ids)."""
    csl = {item["id"]: item for item in to_csl(bib.refs)}
    alpha = alpha_labels(bib.refs)
    page_alpha = page_alpha_label()
    return {
        "version": __version__, "released": RELEASED, "guide": GUIDE_TITLE, "preprints": preprints(cat),
        "references": {r.id: {"bibtex": bib.bibtex[r.id], "csl": csl[r.id], "text": bib.formatted[r.id].text,
                              "label": label(r), "alpha": alpha[r.id]} for r in bib.refs},
        "pages": {key: {"title": title, "url": url, "bibtex": page_bibtex(key, title, url),
                        "csl": page_csl(key, title, url), "text": page_citation(title, url),
                        "label": f"{GUIDE_AUTHOR}, {RELEASED[:4]}", "alpha": page_alpha,
                        "refs": expand(cat, refs)}
                  for key, (title, url, refs) in pages.items()},
    }
