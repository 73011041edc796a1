"""Pydantic models of every catalog entity: the single source of truth for the YAML shape.

Every model forbids unknown keys. Relations are stored once (case study -> challenge,
mitigation -> challenge, anything -> reference); the graph derives the reverse direction.
"""

from __future__ import annotations

import datetime
import re
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from . import DEFAULT_SITE_URL, controls, prose
from .kinds import FILED, KINDS, RETIRABLE
from .pages import reserved_ids

# Every pattern is written to mean the same in Python, in pydantic's Rust engine and in ECMAScript's
# Unicode mode (editors validate YAML with the JSON Schemas below); tests/test_schema_ajv.py runs ajv.
CTL = controls.CLASS  # control characters refused in all text (the loader refuses them first)
_SPACE = rf"[^\S{CTL}]"  # white space that is not a refused control character
# One line of text. Surrounding white space is allowed in the file (a block scalar ends with a line
# break) and trimmed by the loader; pydantic applies the pattern after trimming, editors before.
LINE = rf"^{_SPACE}*[^\s{CTL}](?:[^\n{CTL}]*[^\s{CTL}])?{_SPACE}*$"
OPTIONAL_LINE = rf"^{_SPACE}*(?:[^\s{CTL}](?:[^\n{CTL}]*[^\s{CTL}])?{_SPACE}*)?$"
PROSE = rf"^{_SPACE}*[^\s{CTL}][^{CTL}]*$"  # several lines; tabs and line feeds allowed
USER_TEXT = rf"^[^{CTL}]*$"  # a user's note: may be empty or several lines, never a control character
SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
SECTION = r"^\d+(?:\.\d+)*$"
# No braces, quotes, angle brackets, spaces or backslashes: the address goes verbatim into BibTeX (a brace
# would end the field), Markdown autolinks and HTML attributes.
HTTP_URL = r"""^https?://[^\s<>"'`\\{}]+$"""
DOI = r"^10\.[0-9]{4,9}/[-._;()/:A-Za-z0-9]+$"  # Crossref's recommended pattern (nearly every DOI in use)

# Ids, section numbers and addresses are matched exactly as written: no trimming, so editors agree.
Slug = Annotated[str, StringConstraints(strip_whitespace=False, pattern=SLUG, max_length=80)]
Line = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=400, pattern=LINE)]
Prose = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=8000, pattern=PROSE)]
Section = Annotated[str, StringConstraints(strip_whitespace=False, pattern=SECTION)]
HttpUrl = Annotated[str, StringConstraints(strip_whitespace=False, pattern=HTTP_URL, max_length=500)]


# Lists of ids where a repeat is a mistake (`check` reports "listed twice"; editors see uniqueItems).
UNIQUE: dict[str, Any] = {"uniqueItems": True}


def _safe_prose(value: str) -> str:
    """Catalog prose reaches every reader's browser: see `prose.check`."""
    return prose.check(value)


def balanced_braces(value: str) -> str:
    """BibTeX groups with braces: one left unclosed (or closed twice) breaks every BibTeX reader."""
    depth = 0
    for char in value:
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth < 0:
                break
    if depth:
        raise ValueError("unbalanced braces: every '{' needs its '}' (BibTeX reads them as groups)")
    return value


class Strict(BaseModel):
    """Base for all catalog models: unknown keys are errors, prose is checked for HTML, numbers and
    booleans must be written as such (strict: `year: "2013"` and `beyond_survey: "yes"` are refused,
    as the JSON Schemas refuse them), every title can go into BibTeX (a page citation)."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True, strict=True)

    @field_validator("*", mode="after")
    @classmethod
    def _no_html(cls, value: object, info: ValidationInfo) -> object:
        if isinstance(value, str) and info.field_name == "title":
            balanced_braces(value)
        _prose_everywhere(value)
        return value


def _prose_everywhere(value: object) -> None:
    """Every string in a field, however deep in lists and maps (vocabulary.yaml's phrase lists and
    synonym groups reach the search index, catalog.json and the planner), keys included, follows
    the prose rules. Nested models check their own fields."""
    if isinstance(value, str):
        _safe_prose(value)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _prose_everywhere(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            _prose_everywhere(key)
            _prose_everywhere(item)


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
    references: list[Slug] = Field(default_factory=list, json_schema_extra=UNIQUE)
    steps: list[Step] = Field(min_length=1)


class Workflow(Strict):
    """`catalog/stages.yaml`: the ordered stages, each with its ordered steps."""

    stages: list[Stage] = Field(min_length=1)


# A framework item as written in mappings and shown to readers: `<framework id>:<item id>`.
# Both halves are kebab-case, so the colon can never clash with an id of the catalog namespace.
FRAMEWORK_ITEM = r"^[a-z0-9]+(?:-[a-z0-9]+)*:[a-z0-9]+(?:-[a-z0-9]+)*$"
FrameworkItemRef = Annotated[str, StringConstraints(pattern=FRAMEWORK_ITEM, max_length=160)]


class Coverage(Strict):
    """One framework item a checklist item covers, and which of the item's asks it meets.

    Whether the item is covered fully is derived, never written: fully when the checks mapped onto it
    meet every one of its asks between them (see `coverage`)."""

    item: FrameworkItemRef = Field(description="Framework item as `framework:item`, e.g. `ml-test-score:monitor-3`.")
    meets: list[Slug] = Field(min_length=1, json_schema_extra=UNIQUE,
                              description="Ids of the framework item's `asks` that a team verifying this check has "
                                          "done; what it leaves out is derived from the others.")


class ChecklistItem(Strict):
    id: Slug = Field(description="Stable id derived from the item's meaning, prefixed by its challenge id.")
    text: Line
    covers: list[Coverage] = Field(default_factory=list,
                                   description="Items of external frameworks (catalog/frameworks/) this check covers.")


class RelatedLink(Strict):
    challenge: Slug
    why: Line


class Correction(Strict):
    """Where the catalog repeats a survey statement that the cited source contradicts."""

    says: Line = Field(description="What the survey (and so this catalog) states.")
    source_says: Line = Field(description="What the cited source itself states.")
    reference: Slug = Field(description="The source, a reference id.")


# Challenges and case studies come from the survey (with its section) or are added by this guide
# (`beyond_survey: true`, no section). The rule in JSON Schema terms, so editors and ajv see it too.
SURVEY_ORIGIN_RULE = {
    "if": {"properties": {"beyond_survey": {"const": True}}, "required": ["beyond_survey"]},
    "then": {"properties": {"survey_section": False}},
    "else": {"properties": {"survey_section": True}, "required": ["survey_section"]},
}


def survey_origin(value: str | None, info: ValidationInfo, kind: str) -> str | None:
    """The same rule for pydantic: a section exactly when the entity is not an addition."""
    beyond = info.data.get("beyond_survey", False)
    if beyond and value is not None:
        raise ValueError(f"a {kind} added beyond the survey has no survey section")
    if not beyond and value is None:
        raise ValueError(f"required field is missing (or set beyond_survey: true for a {kind} the survey "
                         f"does not {'list' if kind == 'challenge' else 'report'})")
    return value


class Challenge(Strict):
    model_config = ConfigDict(json_schema_extra=SURVEY_ORIGIN_RULE)

    id: Slug
    title: Line
    aliases: list[Line] = Field(default_factory=list)
    step: Slug
    order: int = Field(ge=1, le=999, description="Position within its step (survey Table 1 order).")
    summary: Line
    description: Prose
    signals: list[Line] = Field(default_factory=list)
    checklist: list[ChecklistItem] = Field(min_length=1)
    facets: list[Slug] = Field(default_factory=list, json_schema_extra=UNIQUE)
    references: list[Slug] = Field(default_factory=list, json_schema_extra=UNIQUE)
    related: list[RelatedLink] = Field(default_factory=list)
    corrections: list[Correction] = Field(default_factory=list)
    beyond_survey: bool = Field(default=False, description="True for challenges this guide adds to Table 1's 38.")
    survey_section: Section | None = Field(default=None, validate_default=True,
                                           description="Where the survey discusses it; required unless beyond_survey.")

    @field_validator("survey_section", mode="after")
    @classmethod
    def _survey_section_matches_origin(cls, value: str | None, info: ValidationInfo) -> str | None:
        # Table 1's challenges always say where the survey discusses them; additions cannot.
        return survey_origin(value, info, "challenge")

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


FigureText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80, pattern=LINE)]


class KeyFigure(Strict):
    value: FigureText
    unit: Annotated[str, StringConstraints(strip_whitespace=True, max_length=80, pattern=OPTIONAL_LINE)] = ""
    measures: Line

    @field_validator("value", mode="before", json_schema_input_type=FigureText | float)
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
    # Like a challenge: the survey's case studies say where it reports them; evidence this guide adds
    # (published after the survey) is marked `beyond_survey` and has no survey section.
    model_config = ConfigDict(json_schema_extra=SURVEY_ORIGIN_RULE)

    id: Slug
    title: Line
    organization: Line
    industry: Slug
    year: int = Field(ge=1900, le=2100, description="Year of the report the case comes from.")
    summary: Line
    what_happened: Prose
    lessons: list[Line] = Field(min_length=1)
    key_figures: list[KeyFigure] = Field(default_factory=list)
    facets: list[Slug] = Field(default_factory=list, json_schema_extra=UNIQUE)
    challenges: list[IllustratesLink] = Field(min_length=1)
    references: list[Slug] = Field(min_length=1, json_schema_extra=UNIQUE)
    corrections: list[Correction] = Field(default_factory=list)
    beyond_survey: bool = Field(default=False, description="True for case studies this guide adds (published "
                                                           "after the survey); they cite their own sources.")
    survey_section: Section | None = Field(default=None, validate_default=True,
                                           description="Where the survey reports it; required unless beyond_survey.")

    @field_validator("survey_section", mode="after")
    @classmethod
    def _survey_section_matches_origin(cls, value: str | None, info: ValidationInfo) -> str | None:
        return survey_origin(value, info, "case study")


EntryType = Literal["article", "inproceedings", "book", "techreport", "misc", "online", "incollection"]

# Fields each entry type needs in the standard BibTeX styles (plain.bst, unsrt.bst, alpha.bst), which
# drop or abort on an entry without them. `author` is met by `authors` or `corporate_author`;
# `online` is exported as @misc. title and year are required of every reference anyway.
REQUIRED_FIELDS: dict[str, tuple[str, ...]] = {
    "article": ("author", "title", "journal", "year"),
    "book": ("author", "title", "publisher", "year"),
    "incollection": ("author", "title", "booktitle", "publisher", "year"),
    "inproceedings": ("author", "title", "booktitle", "year"),
    "techreport": ("author", "title", "institution", "year"),
    "misc": (),
    "online": (),
}
# Reference fields that are written into BibTeX as text (braces must balance in each).
BIB_TEXT = ("authors", "corporate_author", "title", "month", "journal", "booktitle", "publisher", "institution",
            "organization", "howpublished", "series", "address", "volume", "number", "pages", "note")


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
    doi: Annotated[str, StringConstraints(strip_whitespace=False, pattern=DOI)] | None = None
    arxiv: Annotated[str, StringConstraints(strip_whitespace=False, pattern=r"^\d{4}\.\d{4,5}$")] | None = None
    url: HttpUrl | None = None
    record: HttpUrl | None = Field(default=None, description=(
        "Where the entry's bibliographic fields and DOI were read: the DOI's landing page, the publisher, "
        "dblp, a library catalogue or, for a web page, the page itself."))
    survey_ref: int | None = Field(default=None, ge=1, le=99)
    published_version: Slug | None = Field(default=None, description=(
        "For a preprint: the reference id of its peer-reviewed version, by which exports cite it (the "
        "preprint too only when the reader asks)."))

    @field_validator("volume", "number", "pages", mode="before", json_schema_input_type=Line | int | None)
    @classmethod
    def _number_as_text(cls, value: object) -> object:
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        return value

    @field_validator(*BIB_TEXT, mode="after")
    @classmethod
    def _braces(cls, value: object) -> object:
        for text in value if isinstance(value, list) else [value]:
            if isinstance(text, str):
                balanced_braces(text)
        return value

    @model_validator(mode="after")
    def _required_fields(self) -> Reference:
        missing = [f for f in REQUIRED_FIELDS[self.entry_type] if not _has(self, f)]
        if missing:
            needs = ", ".join(REQUIRED_FIELDS[self.entry_type])
            raise ValidationError.from_exception_data(type(self).__name__, [InitErrorDetails(
                type=PydanticCustomError("bibtex_required", "{message}", {"message": (
                    f"{_article(self.entry_type)} {self.entry_type} entry needs {needs}; missing: {', '.join(missing)} "
                    "(or choose an entry_type that does not need it)")}),
                loc=("entry_type",), input=self.entry_type)])
        return self


def _article(word: str) -> str:
    return "an" if word[0] in "aeiou" else "a"


def _has(ref: Reference, bib_field: str) -> bool:
    if bib_field == "author":  # exported as `author` either way
        return bool(ref.authors) or bool(ref.corporate_author)
    return bool(getattr(ref, bib_field))


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
    references: list[Slug] = Field(min_length=1, json_schema_extra=UNIQUE, description=(
        "The sources it rests on: the survey where the survey names it, otherwise the tool's paper or "
        "documentation, a study or a regulation (an addition must cite more than the survey)."))
    survey_section: Section | None = None


class Finding(Strict):
    """A context fact about ML deployment in general (industry surveys, growth of the field)."""

    id: Slug
    title: Line
    summary: Line
    key_figures: list[KeyFigure] = Field(default_factory=list)
    references: list[Slug] = Field(min_length=1, json_schema_extra=UNIQUE)
    survey_section: Section


class Facet(Strict):
    id: Slug
    title: Line
    summary: Line
    cues: list[Line] = Field(default_factory=list, description=(
        "Words and short phrases a project description uses when this facet applies, in general terms "
        "(never one project's): with the title and summary, what the planner's suggestions match."))


class Facets(Strict):
    """`catalog/facets.yaml`: the allowed industries and project traits."""

    industries: list[Facet] = Field(min_length=1)
    traits: list[Facet] = Field(min_length=1)


class FrameworkAsk(Strict):
    """One thing a framework item asks, in this guide's own words, as its grader read the item's full text."""

    id: Slug = Field(description="Unique within the item. The same id in another item means the same requirement "
                                 "(same text): a check must then meet it for both items or for neither.")
    text: Line


class OtherVersion(Strict):
    """How another version of the framework numbers and names the same item."""

    version: Line
    label: Line
    title: Line


class FrameworkItem(Strict):
    id: Slug = Field(description="Stable within its framework; shown as `<framework>:<id>`, e.g. `monitor-3`.")
    label: Line = Field(description="The framework's own number for the item, e.g. 'Monitor 3' or 'A.1'.")
    title: Line = Field(description="The item's short name exactly as the framework words it.")
    asks: list[FrameworkAsk] = Field(min_length=1, description="Everything the item's full text asks, each a "
                                                                "requirement a check can meet or leave out.")
    other_versions: list[OtherVersion] = Field(default_factory=list,
                                               description="Its number and name in other versions of the framework.")


class FrameworkSection(Strict):
    id: Slug
    title: Line = Field(description="The section title as the framework words it.")
    items: list[FrameworkItem] = Field(min_length=1)


COMMIT = r"^[0-9a-f]{40}$"
Commit = Annotated[str, StringConstraints(pattern=COMMIT)]


class Framework(Strict):
    """An external checklist or rubric (ML Test Score, deon, ...) that our checklist items map onto."""

    id: Slug
    title: Line = Field(description="Full name as published.")
    short_title: Line = Field(description="Name used in notes such as 'also covers: ML Test Score Monitor 3'.")
    kind: Literal["publication", "software"]
    authors: list[Line] = Field(default_factory=list)
    corporate_author: Line | None = None
    version: Line = Field(description="The version the items were taken from (edition, release or branch).")
    date: Annotated[str, StringConstraints(pattern=r"^\d{4}(?:-\d{2}-\d{2})?$")] = Field(
        description="Year or date (YYYY-MM-DD) of that version.")
    url: HttpUrl = Field(description="Canonical source: the paper or the project.")
    commit: Commit | None = Field(default=None, description="For software: the commit the items were read from.")
    source_file: Line | None = Field(default=None, description="For software: the file holding the items.")
    reference: Slug | None = Field(default=None, description="The catalog reference to cite for it.")
    licence: Line | None = Field(default=None, description="Licence of the framework's text, where it matters.")
    summary: Line
    names_from: Line = Field(description="Where exactly the item names were copied from.")
    numbering: Prose | None = Field(default=None, description="Which numbering the items follow and how other "
                                                                  "versions differ.")
    graded_from: Prose = Field(description="The texts the mappings were graded against, as read.")
    sources: list[Slug] = Field(default_factory=list, json_schema_extra=UNIQUE,
                                description="Further catalog references read to grade the mappings.")
    sections: list[FrameworkSection] = Field(min_length=1)

    def items(self) -> list[tuple[FrameworkSection, FrameworkItem]]:
        """(section, item) pairs in the framework's own order."""
        return [(section, item) for section in self.sections for item in section.items]

    def qualified(self, item: FrameworkItem) -> str:
        return f"{self.id}:{item.id}"


PHRASE = r"^[^\n\r]*[A-Za-z0-9][^\n\r]*$"
# Each phrase follows the prose rules itself, so a problem is reported at its own line and index.
Phrase = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=120, pattern=PHRASE),
                   AfterValidator(lambda value: _safe_prose(value))]

# A context is a sentence, the way a project's kickoff document would put it.
Context = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=200, pattern=PHRASE),
                    AfterValidator(lambda value: _safe_prose(value))]


class Vocabulary(Strict):
    """`catalog/vocabulary.yaml`: the everyday words the search engine understands.

    `synonyms` are groups of words practitioners use interchangeably ("launch", "deploy", "go live");
    `phrases` say, per challenge, how teams describe that problem in their own words; `contexts` how a
    project in which the challenge tends to bite is described before it does; `settings` are the setting
    nouns a question weighs less.
    """

    synonyms: list[Annotated[list[Phrase], Field(min_length=2)]] = Field(default_factory=list)
    phrases: dict[Slug, list[Phrase]] = Field(default_factory=dict)
    contexts: dict[Slug, list[Context]] = Field(default_factory=dict, description=(
        "Per challenge, how a team describes at kickoff a project in which this challenge tends to bite "
        "(its goal, data, users, constraints), in general terms and never one project's: what the "
        "planner reads a project's description against, beside the challenge's own words."))
    settings: list[Phrase] = Field(default_factory=list, description=(
        "Words that name where a model is used or whom it serves (hospital, patient, bank), not the "
        "problem: in a question they weigh less than the words that name the problem."))


RetiredKind = Literal[RETIRABLE]  # the kinds the table marks retirable (kinds.KINDS)


def _a_real_day(value: str) -> str:
    # Written as text (the loader keeps YAML dates as text, as YAML 1.2 does); it must be a real day.
    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"'{value}' is not a date (YYYY-MM-DD)") from None
    return value


# A calendar day written as text: the pattern (also in the JSON Schema), then a real date.
Day = Annotated[str, StringConstraints(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"), AfterValidator(_a_real_day)]


class Retired(Strict):
    """A removed or merged entity. Its id stays taken for good, and its page points to the successor."""

    id: Slug
    kind: RetiredKind
    title: Line = Field(description="The title it had, so old links still say what they were.")
    replaced_by: Slug = Field(description="Id of the live entity that carries its content now.")
    retired: Day = Field(description="Date it was removed or merged (YYYY-MM-DD).")
    reason: Line


class RetiredList(Strict):
    """`catalog/retired.yaml` (optional): every retired id, never to be used again."""

    retired: list[Retired] = Field(default_factory=list)


VERSION = r"^[0-9]{1,4}(?:\.[0-9]{1,4}){1,3}$"


class Release(Strict):
    """One earlier release of the catalog, as listed in `releases.yaml` (newest first)."""

    version: Annotated[str, StringConstraints(pattern=VERSION, max_length=40)] = Field(
        description="Its calendar version (2026.11.29) or an early numbered one (0.1.0); write it in quotes.")
    date: Day = Field(description="The day it was released (YYYY-MM-DD); write it in quotes.")
    commit: Commit = Field(description="The full 40-character id of the commit it was cut from.")


class ReleaseList(Strict):
    """`releases.yaml` at the top of the repository: the releases before the current one."""

    releases: list[Release] = Field(default_factory=list)


DESCRIPTION_CHARS = 4000  # a project description, here and in the planner (search.QUERY ships it to the page)


# A deployment's name is quoted as it is in the planner's reasons, on the page, in `plan`'s Markdown and in
# the brief pandoc reads: plain text, without the marks Markdown or pandoc would act on (links, emphasis,
# code, citations, maths, tables, HTML).
PLAIN_NAME = r"^[^@\[\]*_`\\<>{}#|$^~\n\r]+$"
PlainName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=PLAIN_NAME)]


class DeploymentSource(Strict):
    """The public page that documents a deployment, as its author read it."""

    title: Line
    url: HttpUrl
    says: Prose = Field(description=(
        "What the page reports went wrong, or what the team had to overcome, in the author's own words."))


class Deployment(Strict):
    """A real, publicly documented deployment (`catalog/deployments/`): how its team could have described
    it before building, and the challenges that bit it. The planner reads a project's description against
    these, so a project like one that a challenge bit sees that challenge rise, with the deployment named."""

    id: Slug
    name: PlainName = Field(description=(
        "Plain text (no Markdown, citation or HTML marks): the planner's reasons quote it as it is."))
    industry: Slug | None = None
    traits: list[Slug] = Field(default_factory=list, json_schema_extra=UNIQUE)
    stages: list[Slug] = Field(default_factory=list, json_schema_extra=UNIQUE)
    description: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=DESCRIPTION_CHARS,
                                                  pattern=PROSE)] = Field(description=(
        "The project as its team knew it before building: goal, data, users, constraints; never what went wrong."))
    bit: list[Slug] = Field(min_length=1, max_length=3, json_schema_extra=UNIQUE, description=(
        "The challenges that bit it, principal first, as the source reports."))
    split: Literal["dev", "holdout"] = Field(description=(
        "dev: used to tune the planner; holdout: only ever measured (tests/relevance/README.md)."))
    author: Slug | None = Field(default=None, description=(
        "Who wrote it (none: the engine's own team); the planner is measured leaving out an author's own deployments."))
    source: DeploymentSource


class DeploymentList(Strict):
    """A deployments file (`catalog/deployments/<author>.yaml`, or `catalog/deployments.yaml`; optional): the
    deployments the planner reads a description against."""

    deployments: list[Deployment] = Field(default_factory=list)


# The model of each kind (kinds.KINDS names it; a test checks every name is a model here), and of
# each file of the entity folders under catalog/.
MODELS: dict[str, type[Strict]] = {k.id: globals()[k.model] for k in KINDS}
ENTITY_DIRS: dict[str, type[Strict]] = {k.folder: MODELS[k.id] for k in FILED if k.folder}
SINGLE_FILES: dict[str, type[Strict]] = {"stages.yaml": Workflow, "facets.yaml": Facets,
                                          "vocabulary.yaml": Vocabulary, "retired.yaml": RetiredList}
# The deployments: one list per author's file (load.deployment_files; a catalog may also have a single
# `deployments.yaml` beside the folder, which the same schema, deployments.schema.json, describes).
LIST_FILES: dict[str, type[Strict]] = {"deployments/<author>.yaml": DeploymentList}


def json_schema_files(site_url: str = DEFAULT_SITE_URL) -> dict[str, dict]:
    """The same schemas keyed by a file name (`challenges.schema.json`, `stages.schema.json`, ...)."""
    return {name.split("/")[0].removesuffix(".yaml") + ".schema.json": body
            for name, body in json_schemas(site_url).items()}


SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"  # the draft pydantic writes


def schema_id(file_name: str, site_url: str = DEFAULT_SITE_URL) -> str:
    """Where a schema is published: the site's downloads/schema/ folder."""
    return f"{site_url.rstrip('/')}/downloads/schema/{file_name}"


def json_schemas(site_url: str = DEFAULT_SITE_URL) -> dict[str, dict]:
    """JSON Schema of every file type, keyed by the catalog path it describes."""
    models = {f"{name}/<id>.yaml": model for name, model in ENTITY_DIRS.items()}
    models.update(SINGLE_FILES)
    models.update(LIST_FILES)
    out = {}
    for path, model in models.items():
        file_name = path.split("/")[0].removesuffix(".yaml") + ".schema.json"
        body = model.model_json_schema()
        if model is Reference:
            body["allOf"] = _required_fields_schema()
        for kind, props in _page_ids(model, body):
            props["id"]["not"] = {"enum": reserved_ids(kind)}
        _reserved_element_ids(body)
        out[path] = {"$schema": SCHEMA_DIALECT, "$id": schema_id(file_name, site_url), **body}
    return out


def _reserved_element_ids(body: dict[str, Any]) -> None:
    """`check`'s rule on ids that are also the pages' own element ids, for editors: every catalog id
    avoids RESERVED_ID_PREFIXES, a framework item's id the section prefix."""
    from .pages import FRAMEWORK_SECTION_PREFIX, RESERVED_ID_PREFIXES

    prefixes = "|".join(RESERVED_ID_PREFIXES)  # plain letters and hyphens: the same in every regex engine
    for name, obj in [("", body), *body.get("$defs", {}).items()]:
        props = obj.get("properties", {})
        if props.get("id", {}).get("pattern") != SLUG:
            continue
        reserved = FRAMEWORK_SECTION_PREFIX if name == "FrameworkItem" else f"(?:{prefixes})"
        props["id"].setdefault("allOf", []).append({"not": {"pattern": f"^{reserved}"}})


def _page_ids(model: type[Strict], body: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(page kind, properties) of the schema objects whose id names a generated page: the file's own
    model, or one defined inside it (a stage in stages.yaml)."""
    out = []
    for kind in KINDS:
        if not kind.own_page:
            continue
        if model.__name__ == kind.model:
            out.append((kind.id, body["properties"]))
        elif kind.model in body.get("$defs", {}):
            out.append((kind.id, body["$defs"][kind.model]["properties"]))
    return out


def _required_fields_schema() -> list[dict[str, Any]]:
    """REQUIRED_FIELDS as JSON Schema conditions (one if/then per entry type that needs fields)."""
    conditions = []
    for entry_type, needed in REQUIRED_FIELDS.items():
        then: list[dict[str, Any]] = []
        for bib_field in needed:
            if bib_field == "author":
                then.append({"anyOf": [
                    {"required": ["authors"], "properties": {"authors": {"type": "array", "minItems": 1}}},
                    {"required": ["corporate_author"], "properties": {"corporate_author": {"type": "string"}}}]})
            elif bib_field not in ("title", "year"):  # required of every reference already
                then.append({"required": [bib_field], "properties": {bib_field: {"type": "string"}}})
        if then:
            conditions.append({"if": {"properties": {"entry_type": {"const": entry_type}},
                                      "required": ["entry_type"]}, "then": {"allOf": then}})
    return conditions


class Profile(BaseModel):
    """A team's project profile (`fieldguide plan --profile FILE.yaml`), matched against facets.

    The team's own text, like a checklist note, not catalog prose: the planner page takes whatever is
    typed in its boxes, so the CLI does too (a `C:\\data` path, `<10 ms`, a Markdown link). Only control
    characters and a name over one line are refused; every output escapes the name where it goes (the
    brief's metadata for pandoc, the plan's Markdown title), and the description is only read."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True, strict=True)

    name: Line | None = None
    industry: Slug | None = None
    traits: list[Slug] = Field(default_factory=list)
    stages: list[Slug] = Field(default_factory=list, description="Stages in scope; empty means all.")
    description: Annotated[str, StringConstraints(strip_whitespace=True, max_length=DESCRIPTION_CHARS,
                                                  pattern=USER_TEXT)] = Field(
        default="", description="The project in the team's own words, as it would describe it before building.")


# ---- checklist state, as exported by the site and the CLI; user text, not catalog prose
#
# One definition for both readers: these models validate files in the CLI, and `state_json_schema()`
# (generated from them) is published with the downloads and interpreted by the page's import. The
# patterns are written for Rust's regex (pydantic), Python and ECMAScript's Unicode mode alike:
# `[0-9]` and explicit sets instead of `\d`/`\s` (Unicode-aware in some engines, not in others).

Status = Literal["open", "in-progress", "done", "accepted-risk", "na"]
NEEDS_REASON = ("accepted-risk", "na")
STATE_FORMAT = "fieldguide-checklist"
STATE_VERSION = 3
V1_NA_REASON = "no reason recorded (converted from a version 1 file)"
V2_BLANK_REASON = "no visible reason recorded (converted from a version 2 file)"
FIELDS = ("status", "owner", "note", "evidence")  # what carries its own change time; status includes the reason
MAX_REPLACES = 8  # earlier changes a value remembers having replaced (the merge's "since they last agreed")

# Multi-line text: tab, line feed and carriage return (a Windows line break) allowed, no other control.
TEXT_PATTERN = "^[^" + CTL.replace(r"\x0b-\x1f", r"\x0b\x0c\x0e-\x1f") + "]*$"
LINE_PATTERN = rf"^[^\t\n{CTL}]*$"  # one line: no tab or line break either
# A reason is given: at least one visible character. Blank means white space (Unicode White_Space) and
# the default-ignorable characters that draw nothing (U+00A0, U+200B, U+2060, U+FEFF, fillers, variation
# selectors...); written as escapes valid in Rust regex, Python and ECMAScript's Unicode mode.
INVISIBLE = (r"\t\n\x0b\x0c\r \x85\u00a0\u00ad\u034f\u061c\u115f\u1160\u1680\u17b4\u17b5\u180b-\u180f"
             r"\u2000-\u200f\u2028-\u202f\u205f-\u206f\u2800\u3000\u3164\ufe00-\ufe0f\ufeff\uffa0")
REASON_PATTERN = rf"[^{INVISIBLE}]"
REASON_PATTERN_V2 = r"[^\t\n\r ]"  # version 2's weaker rule, kept so that its files still read
TIMESTAMP_PATTERN = (  # UTC, to the second; compared as text, so exactly this shape
    r"^(?:[0-9]{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)"
    r"|02-(?:0[1-9]|1[0-9]|2[0-8]))|(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:[02468][048]|[13579][26])00)"
    r"-02-29)T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]Z$")
_URL_CHARS = r"A-Za-z0-9._~%!$&'()*+,;=:@\[\]"  # RFC 3986, ASCII only; "-" is added last in each set
EVIDENCE_PATTERN = rf"^(?:https?://[{_URL_CHARS}-]+(?:[/?#][{_URL_CHARS}/?#-]*)?)?$"

# How each pattern is explained, after "must be", in error messages (CLI: `load._friendly` reads only
# this table) and in the state schema (the page reads it). A pattern missing here is shown as written.
PATTERN_TEXT = {
    SLUG: "a lowercase kebab-case id such as 'data-discovery'",
    FRAMEWORK_ITEM: "a framework item such as 'deon:d-2' (the framework's id, a colon and the item's id, "
                    "both lowercase kebab-case)",
    SECTION: 'a section number such as "3.1" (quote it)',
    VERSION: 'a version such as "2026.11.29" (numbers and dots; quote it)',
    COMMIT: "the full 40-character commit id (lowercase hex digits), as `git rev-parse` prints it",
    HTTP_URL: "an http:// or https:// URL without spaces, quotes, braces or backslashes",
    DOI: "a DOI such as 10.1145/3533378 (after the slash only letters, digits and - . _ ; ( ) / :)",
    LINE: "one line of text (no line break, no control character)",
    OPTIONAL_LINE: "one line of text (no line break, no control character)",
    PROSE: "text without control characters",
    USER_TEXT: "text without control characters",
    PHRASE: "one line of text with at least one letter or digit",
    PLAIN_NAME: "one line of plain text, without the marks Markdown, pandoc or HTML act on (@ [ ] * _ ` \\ "
                "< > { } # | $ ^ ~)",
    TEXT_PATTERN: "text without control characters",
    LINE_PATTERN: "one line of text without control characters",
    TIMESTAMP_PATTERN: "a UTC time such as 2026-11-29T10:00:00Z",
    EVIDENCE_PATTERN: "an http:// or https:// address (or empty)",
    REASON_PATTERN: "a reason with at least one visible character, given when the status is accepted-risk or na",
    REASON_PATTERN_V2: "given when the status is accepted-risk or na",
}


def _text(pattern: str, max_length: int) -> Any:
    return Annotated[str, StringConstraints(pattern=pattern, max_length=max_length),
                     Field(description=PATTERN_TEXT[pattern])]


ItemId = _text(SLUG, 200)
UserText = _text(TEXT_PATTERN, 4000)
UserLine = _text(LINE_PATTERN, 200)
Timestamp = _text(TIMESTAMP_PATTERN, 20)
Evidence = _text(EVIDENCE_PATTERN, 2000)
StageId = _text(SLUG, 80)


def _reason_rule(pattern: str) -> dict[str, Any]:
    """A rule across two fields, in JSON Schema terms (each model's `_reason_given` is the same in Python)."""
    return {
        "if": {"properties": {"status": {"enum": list(NEEDS_REASON)}}, "required": ["status"]},
        "then": {"properties": {"reason": {"type": "string", "pattern": pattern,
                                           "description": PATTERN_TEXT[pattern]}},
                 "required": ["reason"]},
    }


def _check_reason(pattern: str, reason: str, info: ValidationInfo) -> str:
    if info.data.get("status") in NEEDS_REASON and not re.search(pattern, reason):
        raise ValueError(f"a reason with at least one visible character is required when the status is "
                         f"{info.data['status']}" if pattern == REASON_PATTERN else
                         f"a reason is required when the status is {info.data['status']}")
    return reason


class _StateModel(BaseModel):
    # strict: no coercion (5 is not "5", true is not 1), exactly as a JSON Schema validator sees it.
    model_config = ConfigDict(extra="forbid", strict=True)


class Replaced(_StateModel):
    """An earlier change that a value was made over (its author had seen it)."""

    at: Timestamp
    by: UserLine = ""


class Stamp(_StateModel):
    """When one field last changed, by whom, and whether a person set it or the guide did."""

    at: Timestamp | None = Field(None, description="when, UTC; absent means unknown (older than any time)")
    by: UserLine = ""
    default: bool = Field(False, description="set by the guide (a plan's scope, a conversion), not by a person: "
                                             "any value a person sets wins over it")
    replaces: list[Replaced] = Field(default_factory=list, max_length=MAX_REPLACES,
                                     description="earlier changes of this field its author had seen, newest first")


class Changes(_StateModel):
    """Per field (status with its reason, owner, note, evidence): its last change. A field without one is
    unset when its value is empty, and set at an unknown time otherwise."""

    status: Stamp | None = None
    owner: Stamp | None = None
    note: Stamp | None = None
    evidence: Stamp | None = None


class _ItemValues(_StateModel):
    """What a person sets on an item, as versions 2 and 3 hold it; each version says what a reason must be."""

    reason_pattern: ClassVar[str]

    id: ItemId
    status: Status = "open"
    reason: UserText = Field("", validate_default=True)
    owner: UserLine = ""
    note: UserText = ""
    evidence: Evidence = ""

    @field_validator("reason", mode="after")
    @classmethod
    def _reason_given(cls, reason: str, info: ValidationInfo) -> str:
        return _check_reason(cls.reason_pattern, reason, info)


class ItemState(_ItemValues):
    """One checklist item's state (version 3): the values, and per field when it changed and by whom."""

    model_config = ConfigDict(json_schema_extra=_reason_rule(REASON_PATTERN))
    reason_pattern: ClassVar[str] = REASON_PATTERN

    changed: Changes = Field(default_factory=Changes)

    @property
    def blank(self) -> bool:
        """Nothing set: no field has a change and every value is empty."""
        return not any(getattr(self.changed, f) for f in FIELDS) and self.content == ("open", "", "", "", "")

    @property
    def content(self) -> tuple[str, ...]:
        """What a person set (not when or by whom): two items with the same content agree."""
        return (self.status, self.reason, self.owner, self.note, self.evidence)

    def _latest(self) -> Stamp | None:
        stamps = [s for f in FIELDS if (s := getattr(self.changed, f)) is not None and s.at]
        return max(stamps, key=lambda s: s.at or "", default=None)

    @property
    def updated(self) -> str | None:
        """The latest change of any field (exports show it in one column)."""
        latest = self._latest()
        return latest.at if latest else None

    @property
    def by(self) -> str:
        latest = self._latest()
        return latest.by if latest else ""


class ChecklistState(_StateModel):
    """The checklist state file, version 3 (site export, `fieldguide checklist --format json`, merge)."""

    format: Literal["fieldguide-checklist"]
    version: Literal[3]
    exported: Timestamp | None = None
    catalog_version: _text(LINE_PATTERN, 40) | None = None
    scope: list[StageId] = Field(default_factory=list, max_length=100)
    items: list[ItemState] = Field(max_length=20000)


class ItemStateV2(_ItemValues):
    """Version 2 items (2026-11-29): one change time for the whole item."""

    model_config = ConfigDict(json_schema_extra=_reason_rule(REASON_PATTERN_V2))
    reason_pattern: ClassVar[str] = REASON_PATTERN_V2

    updated: Timestamp | None = None
    by: UserLine = ""


class ChecklistStateV2(_StateModel):
    format: Literal["fieldguide-checklist"]
    version: Literal[2]
    exported: Timestamp | None = None
    catalog_version: _text(LINE_PATTERN, 40) | None = None
    scope: list[StageId] = Field(default_factory=list, max_length=100)
    items: list[ItemStateV2] = Field(max_length=20000)


class ItemStateV1(_StateModel):
    """Version 1 items (before 2026-11-29): three statuses, no reason required, no times."""

    id: ItemId
    status: Literal["open", "done", "na"] = "open"
    reason: UserText = ""
    owner: UserLine = ""
    note: UserText = ""


class ChecklistStateV1(_StateModel):
    format: Literal["fieldguide-checklist"]
    version: Literal[1]
    exported: _text(LINE_PATTERN, 40) | None = None
    catalog_version: _text(LINE_PATTERN, 40) | None = None
    scope: list[StageId] = Field(default_factory=list, max_length=100)
    readiness: dict[str, Any] | None = None  # derived numbers, ignored on import
    items: list[ItemStateV1] = Field(max_length=20000)


def state_json_schema(site_url: str) -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of the state file, versions 1, 2 and 3: published with the downloads,
    read by the page's import. Files are also refused, by both readers, for what a schema cannot say:
    over 1 MiB, not UTF-8, not JSON, a repeated key, a lone surrogate, nesting deeper than 20, an item
    id listed twice."""
    from pydantic.json_schema import models_json_schema

    _, top = models_json_schema([(ChecklistState, "validation"), (ChecklistStateV2, "validation"),
                                 (ChecklistStateV1, "validation")], ref_template="#/$defs/{model}")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": site_url.rstrip("/") + "/downloads/schema/checklist-state.schema.json",
        "title": "Checklist state (ML Deployment Field Guide)",
        "description": "A team's progress on the stage checklists (fieldguide-checklist, versions 1, 2 and 3). "
                       "Readers also refuse files over 1 MiB, not UTF-8, not JSON, with a repeated key, a lone "
                       "surrogate, nesting deeper than 20 levels or an item id listed twice.",
        "type": "object",
        "if": {"properties": {"version": {"const": 1}}, "required": ["version"]},
        "then": {"$ref": "#/$defs/ChecklistStateV1"},
        "else": {
            "if": {"properties": {"version": {"const": 2}}, "required": ["version"]},
            "then": {"$ref": "#/$defs/ChecklistStateV2"},
            "else": {"$ref": "#/$defs/ChecklistState"},
        },
        "$defs": top["$defs"],
    }
