"""`fieldguide export`: the catalog as JSON (the interchange format), BibTeX or CSV.

Each format is built by the module that owns it (`interchange`, `bib`); the CSV, a flat list of
every entity with its links, is written here.
"""

from __future__ import annotations

from collections.abc import Callable

import networkx as nx

from . import bib, interchange
from .catalog import Catalog
from .coverage import framework_coverage
from .escape import csv_text
from .graph import incoming, outgoing
from .kinds import FILED

FORMATS = ("json", "bibtex", "csv")


def text(cat: Catalog, g: nx.MultiDiGraph, fmt: str) -> str:
    """The whole catalog in one of FORMATS."""
    if fmt == "json":
        return interchange.to_text(cat, g)
    if fmt == "bibtex":
        return bib.to_bibtex(list(cat.references.values()))
    return to_csv(cat, g)


CSV_COLUMNS = ("type", "id", "title", "stage", "step", "summary", "links")

# What each kind's `links` lists; any other kind lists every entity it is linked with either way.
_CSV_LINKS: dict[str, Callable[[nx.MultiDiGraph, str], list[str]]] = {
    "challenge": lambda g, i: incoming(g, i, "illustrates") + incoming(g, i, "addresses"),
    "case_study": lambda g, i: outgoing(g, i, "illustrates"),
    "mitigation": lambda g, i: outgoing(g, i, "addresses"),
    "reference": lambda g, i: incoming(g, i, "cites"),
    "framework": lambda g, i: incoming(g, i, "item_of"),
}


def to_csv(cat: Catalog, g: nx.MultiDiGraph) -> str:
    """One row per entity, kind by kind in catalog order (`kinds.FILED`); `links` lists the ids it is
    connected to, space separated. A framework's items follow it."""
    rows: list[tuple[str, ...]] = [CSV_COLUMNS]
    for kind in FILED:
        links = _CSV_LINKS.get(kind.id, _neighbours)
        for e in cat.pool(kind.id).values():
            stage, step = (cat.stage_of(e.step).id, e.step) if kind.id == "challenge" else ("", "")
            rows.append((kind.id, e.id, e.title, stage, step, getattr(e, "summary", ""), " ".join(links(g, e.id))))
            if kind.id == "framework":
                # A framework item's summary is its coverage (full, partial, none); links are the covering checks.
                rows += [("framework_item", item.id, item.title, "", "", item.level,
                          " ".join(c.check for c in item.covered_by)) for item in framework_coverage(cat, g, e.id)]
    return csv_text(rows)


def _neighbours(g: nx.MultiDiGraph, node: str) -> list[str]:
    return sorted({v for _, v in g.out_edges(node)} | {u for u, _ in g.in_edges(node)})
