"""The kinds of entity the catalog holds: one table, from which every list of kinds derives.

The folders `check` reads and the model of each (`schema.ENTITY_DIRS`), the pools of `Catalog`, the
kinds `fieldguide diff` and the changelog compare (`release.FOLDERS`), the pools the cross-file rules
resolve links in, the kinds `retired.yaml` accepts (`schema.RetiredKind`), page paths and URLs
(`pages.page_path`), search's document types, headings and result pages, and the rows of the CSV
export. Adding a kind of entity is a row here plus its model in `schema` and its pool in `Catalog`
(tests/test_kinds.py fails until each place that lists kinds has it).

A kind has one id, written with an underscore (`case_study`): graph nodes, `retired.yaml`, the CSV
export and `fieldguide diff` use it. The one other spelling is `case-study`, where formats outside
Python already use it: the folder name (a URL path) and the search index's document types (read by
the page, and `fieldguide search --type`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    id: str
    label: str  # in a sentence: "case study"
    plural: str  # as a heading: "Case studies"
    attribute: str  # its pool on `Catalog` (and its key in catalog.json)
    model: str  # its pydantic model, by name (`schema` owns the classes and resolves the names)
    folder: str | None = None  # catalog/<folder>/<id>.yaml; None: listed inside a single file
    # its page (`{id}`, `{initial}`: the id's first character; a framework item's `{framework}` and `{item}`), or None
    page: str | None = None
    search: str | None = None  # its document type in the search index, or None: not searched
    search_rank: int = 0  # place of its group among search results (challenges first)
    retirable: bool = False  # may be removed into retired.yaml (its id then stays taken for good)

    @property
    def own_page(self) -> bool:
        """The kind has a page of its own (not an anchor on another page)."""
        return self.page is not None and "#" not in self.page


# In catalog order: the order `check` reads folders, catalog.json lists kinds and the CSV export rows.
KINDS: tuple[Kind, ...] = (
    Kind("stage", "stage", "Stages", "stages", "Stage", page="stages/{id}.md"),
    Kind("challenge", "challenge", "Challenges", "challenges", "Challenge", folder="challenges",
         page="challenges/{id}.md", search="challenge", search_rank=1, retirable=True),
    Kind("case_study", "case study", "Case studies", "case_studies", "CaseStudy", folder="case-studies",
         page="case-studies/{id}.md", search="case-study", search_rank=2, retirable=True),
    Kind("reference", "reference", "References", "references", "Reference", folder="references",
         page="references/{initial}.md#{id}", search="reference", search_rank=4, retirable=True),
    Kind("mitigation", "mitigation", "Mitigations", "mitigations", "Mitigation", folder="mitigations",
         page="mitigations/{id}.md", search="mitigation", search_rank=3, retirable=True),
    Kind("finding", "finding", "Findings", "findings", "Finding", folder="findings", retirable=True),
    Kind("framework", "framework", "Frameworks", "frameworks", "Framework", folder="frameworks",
         page="frameworks/{id}.md"),
    Kind("framework_item", "framework item", "Framework items", "framework_items", "FrameworkItem",
         page="frameworks/{framework}.md#{item}"),
)
KIND: dict[str, Kind] = {k.id: k for k in KINDS}

FILED: tuple[Kind, ...] = tuple(k for k in KINDS if k.folder)  # one YAML file per entity
RETIRABLE: tuple[str, ...] = tuple(k.id for k in KINDS if k.retirable)
SEARCHED: tuple[Kind, ...] = tuple(sorted((k for k in KINDS if k.search), key=lambda k: k.search_rank))
BY_SEARCH_TYPE: dict[str, Kind] = {k.search: k for k in SEARCHED if k.search}
