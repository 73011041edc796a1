"""Pydantic models of every catalog entity: the single source of truth for the YAML shape.

Every model forbids unknown keys. Relations are stored once (case study -> challenge,
mitigation -> challenge, anything -> reference); the graph derives the reverse direction.
"""

from __future__ import annotations

import datetime
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationInfo, field_validator

SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
Slug = Annotated[str, StringConstraints(pattern=SLUG, max_length=80)]
Line = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=400, pattern=r"^[^\n\r]*$")]
Prose = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=8000)]
Section = Annotated[str, StringConstraints(pattern=r"^\d+(?:\.\d+)*$")]
HttpUrl = Annotated[str, StringConstraints(pattern=r"^https?://[^\s<>\"']+$", max_length=500)]

# Catalog prose is Markdown that reaches every reader's browser, so anything that could turn into
# markup, script, an attribute or a request to another origin is refused at `check` time.
_HTML_TAG = re.compile(r"<\s*/?\s*[a-zA-Z!?][^>]*>")
_LINK_TARGET = re.compile(r"\]\(\s*<?([^)\s>]*)")  # [text](target)
_LINK_DEFINITION = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+)", re.MULTILINE)  # [label]: target
_SAFE_TARGET = re.compile(r"^(?:https?://[^\s\"'<>`]+|#[\w-]*|(?:\.{1,2}/)*[\w-]+(?:/[\w-]+)*(?:\.md)?/?(?:#[\w-]+)?)$")
_ATTR_LIST = re.compile(r"\{\s*:|\{\s*[.#][\w-]|\{[^}]*\w+\s*=")
_IMAGE = re.compile(r"!\[")


_SUSPECT = re.compile(r"[<{]|\]\s*[(:]|!\[")  # anything the checks below could object to


def _safe_prose(value: str) -> str:
    if not _SUSPECT.search(value):  # most text: one scan instead of five
        return value
    if _HTML_TAG.search(value):
        raise ValueError("raw HTML is not allowed in catalog prose; write Markdown")
    for target in _LINK_TARGET.findall(value) + _LINK_DEFINITION.findall(value):
        if not _SAFE_TARGET.match(target):
            raise ValueError(f"link target '{target[:60]}' is not allowed: use an http(s) URL or a page of this site")
    if _IMAGE.search(value):
        raise ValueError("images are not allowed in catalog prose (they would load from another origin)")
    if _ATTR_LIST.search(value):
        raise ValueError("attribute lists such as '{: ...}' or '{ .class }' are not allowed in catalog prose")
    return value


class Strict(BaseModel):
    """Base for all catalog models: unknown keys are errors, prose is checked for HTML."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _no_html(cls, value: object) -> object:
        if isinstance(value, str):
            return _safe_prose(value)
        if isinstance(value, (list, tuple)):
            for item in value:
                if isinstance(item, str):
                    _safe_prose(item)
        return value


class Step(Strict):
    id: Slug
    title: Line
    summary: Line
    survey_section: Section | None = None


class Stage(Strict):
    id: Slug
    title: Line
    summary: Line
    survey_section: Section | None = None
    references: list[Slug] = Field(default_factory=list)
    steps: list[Step] = Field(min_length=1)


class Workflow(Strict):
    """`catalog/stages.yaml`: the ordered stages, each with its ordered steps."""

    stages: list[Stage] = Field(min_length=1)


class ChecklistItem(Strict):
    id: Slug = Field(description="Stable id derived from the item's meaning, prefixed by its challenge id.")
    text: Line


class RelatedLink(Strict):
    challenge: Slug
    why: Line


class Correction(Strict):
    """Where the catalog repeats a survey statement that the cited source contradicts."""

    says: Line = Field(description="What the survey (and so this catalog) states.")
    source_says: Line = Field(description="What the cited source itself states.")
    reference: Slug = Field(description="The source, a reference id.")


class Challenge(Strict):
    id: Slug
    title: Line
    aliases: list[Line] = Field(default_factory=list)
    step: Slug
    summary: Line
    description: Prose
    signals: list[Line] = Field(default_factory=list)
    checklist: list[ChecklistItem] = Field(min_length=1)
    facets: list[Slug] = Field(default_factory=list)
    references: list[Slug] = Field(default_factory=list)
    related: list[RelatedLink] = Field(default_factory=list)
    corrections: list[Correction] = Field(default_factory=list)
    survey_section: Section

    @field_validator("checklist", mode="after")
    @classmethod
    def _items_prefixed(cls, items: list[ChecklistItem], info: ValidationInfo) -> list[ChecklistItem]:
        # Stored checklist state is keyed by item id; the prefix keeps ids unique and readable.
        owner = info.data.get("id")
        if owner:
            for i, item in enumerate(items):
                if not item.id.startswith(owner + "-"):
                    raise ValueError(f"item {i} id '{item.id}' must start with '{owner}-'")
        return items


class KeyFigure(Strict):
    value: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
    unit: Annotated[str, StringConstraints(strip_whitespace=True, max_length=80)] = ""
    measures: Line

    @field_validator("value", mode="before")
    @classmethod
    def _number_as_text(cls, value: object) -> object:
        # Keep figures exactly as printed: 150 and "150" are the same figure.
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
        return value


class IllustratesLink(Strict):
    challenge: Slug
    how: Line


class CaseStudy(Strict):
    id: Slug
    title: Line
    organization: Line
    industry: Slug
    year: int = Field(ge=1900, le=2100, description="Year of the report the case comes from.")
    summary: Line
    what_happened: Prose
    lessons: list[Line] = Field(min_length=1)
    key_figures: list[KeyFigure] = Field(default_factory=list)
    facets: list[Slug] = Field(default_factory=list)
    challenges: list[IllustratesLink] = Field(min_length=1)
    references: list[Slug] = Field(min_length=1)
    corrections: list[Correction] = Field(default_factory=list)
    survey_section: Section


EntryType = Literal["article", "inproceedings", "book", "techreport", "misc", "online", "incollection"]


class Reference(Strict):
    id: Slug = Field(description="Citation key: family name + year + first significant title word.")
    entry_type: EntryType
    authors: list[Line] = Field(default_factory=list, description="As published; 'others' for et al.")
    corporate_author: Line | None = None
    title: Line
    year: int = Field(ge=1800, le=2100)
    month: Line | None = None
    journal: Line | None = None
    booktitle: Line | None = None
    publisher: Line | None = None
    institution: Line | None = None
    organization: Line | None = None
    howpublished: Line | None = None
    series: Line | None = None
    address: Line | None = None
    volume: Line | None = None
    number: Line | None = None
    pages: Line | None = None
    note: Line | None = None
    doi: Annotated[str, StringConstraints(pattern=r"^10\.\d{4,9}/\S+$")] | None = None
    arxiv: Annotated[str, StringConstraints(pattern=r"^\d{4}\.\d{4,5}$")] | None = None
    url: HttpUrl | None = None
    survey_ref: int | None = Field(default=None, ge=1, le=99)
    published_version: Slug | None = Field(default=None, description=(
        "For a preprint: the reference id of its peer-reviewed version, which citations put first."))

    @field_validator("volume", "number", "pages", mode="before")
    @classmethod
    def _number_as_text(cls, value: object) -> object:
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        return value


MitigationKind = Literal["tool", "service", "practice", "framework", "architecture", "technique"]


class AddressesLink(Strict):
    challenge: Slug
    how: Line


class Mitigation(Strict):
    id: Slug
    title: Line
    kind: MitigationKind
    summary: Line
    url: HttpUrl | None = None
    beyond_survey: bool = Field(description="True for tools this guide adds beyond the survey.")
    challenges: list[AddressesLink] = Field(min_length=1)
    references: list[Slug] = Field(default_factory=list)
    survey_section: Section | None = None


class Finding(Strict):
    """A context fact about ML deployment in general (industry surveys, growth of the field)."""

    id: Slug
    title: Line
    summary: Line
    key_figures: list[KeyFigure] = Field(default_factory=list)
    references: list[Slug] = Field(min_length=1)
    survey_section: Section


class Facet(Strict):
    id: Slug
    title: Line
    summary: Line


class Facets(Strict):
    """`catalog/facets.yaml`: the allowed industries and project traits."""

    industries: list[Facet] = Field(min_length=1)
    traits: list[Facet] = Field(min_length=1)


RetiredKind = Literal["challenge", "case_study", "mitigation", "finding", "reference"]


class Retired(Strict):
    """A removed or merged entity. Its id stays taken for good, and its page points to the successor."""

    id: Slug
    kind: RetiredKind
    title: Line = Field(description="The title it had, so old links still say what they were.")
    replaced_by: Slug = Field(description="Id of the live entity that carries its content now.")
    retired: datetime.date = Field(description="Date it was removed or merged (YYYY-MM-DD).")
    reason: Line


class RetiredList(Strict):
    """`catalog/retired.yaml` (optional): every retired id, never to be used again."""

    retired: list[Retired] = Field(default_factory=list)


# Entity folders under catalog/, the model of each file, and the export name of each kind.
ENTITY_DIRS: dict[str, type[Strict]] = {
    "challenges": Challenge,
    "case-studies": CaseStudy,
    "references": Reference,
    "mitigations": Mitigation,
    "findings": Finding,
}
SINGLE_FILES: dict[str, type[Strict]] = {"stages.yaml": Workflow, "facets.yaml": Facets,
                                          "retired.yaml": RetiredList}


def json_schema_files() -> dict[str, dict]:
    """The same schemas keyed by a file name (`challenges.schema.json`, `stages.schema.json`, ...)."""
    return {name.split("/")[0].removesuffix(".yaml") + ".schema.json": body for name, body in json_schemas().items()}


def json_schemas() -> dict[str, dict]:
    """JSON Schema of every file type, keyed by the catalog path it describes."""
    out = {f"{name}/<id>.yaml": model.model_json_schema() for name, model in ENTITY_DIRS.items()}
    out.update({name: model.model_json_schema() for name, model in SINGLE_FILES.items()})
    return out


class Profile(Strict):
    """A team's project profile (`fieldguide plan --profile FILE.yaml`), matched against facets."""

    name: Line | None = None
    industry: Slug | None = None
    traits: list[Slug] = Field(default_factory=list)
    stages: list[Slug] = Field(default_factory=list, description="Stages in scope; empty means all.")


# ---- checklist state, as exported by the site and the CLI; notes are user text, not catalog prose

Status = Literal["open", "done", "na"]
UserText = Annotated[str, StringConstraints(max_length=4000)]


class ItemState(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: Annotated[str, StringConstraints(pattern=SLUG, max_length=200)]
    status: Status = "open"
    reason: UserText = ""
    owner: Annotated[str, StringConstraints(max_length=200)] = ""
    note: UserText = ""


class ChecklistState(BaseModel):
    """The JSON a checklist is exported to and imported from (site and CLI)."""

    model_config = ConfigDict(extra="forbid")

    format: Literal["fieldguide-checklist"]
    version: Literal[1]
    exported: Annotated[str, StringConstraints(max_length=40)] | None = None
    catalog_version: Annotated[str, StringConstraints(max_length=40)] | None = None
    scope: list[Slug] = Field(default_factory=list)
    readiness: dict[str, Any] | None = None
    items: list[ItemState] = Field(max_length=20000)
