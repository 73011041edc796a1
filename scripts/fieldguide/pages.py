"""Shared by the site generator and the reports: the URL scheme of pages and the Jinja2 environment.

The one owner of page paths and URLs: each kind's page comes from the table of kinds
(`kinds.KINDS`), and `page_url` turns any page path into its public address."""

from __future__ import annotations

import posixpath
from collections.abc import Iterable
from functools import cache
from typing import TYPE_CHECKING

from . import (
    DEFAULT_SITE_URL,  # noqa: F401  (re-exported for the generator and the reports)
    escape,
)
from .kinds import KIND

if TYPE_CHECKING:
    from jinja2 import Environment

# The pages the generator writes besides one per entity, and what each is (for messages).
LISTING_PAGES = {
    "challenges/index.md": "the list of all challenges",
    "case-studies/index.md": "the case studies index",
    "mitigations/index.md": "the mitigations index",
    "references.md": "the bibliography",
    "downloads.md": "the downloads page",
    "checklists/index.md": "the checklist of all stages",
    "planner.md": "the planner",
    "team-workflow.md": "the team workflow guide",
    "frameworks/index.md": "the framework coverage index",
    "citations.md": "your citations (the basket)",
    "changelog.md": "the changelog",
}


# Element ids the pages' own markup and scripts use, by prefix: `fg-` for our widgets (`fg-planner`,
# `fg-trait-<id>`, `fg-brief-<id>`, `fg-search-...`), and one per field of a checklist item
# (`done-<item id>`, ...). A catalog id is an element id too (stages, steps and challenges are anchors
# on the checklist pages), so an id beginning with one of these would be the same id twice on a page:
# `check` refuses them. tests/test_reserved_ids.py keeps this list in step with the templates and scripts.
RESERVED_ID_PREFIXES = ("fg-", "done-", "status-", "reason-", "owner-", "warning-", "note-", "evidence-")
# On a framework's page its sections are anchored `section-<id>` beside its items' own ids.
FRAMEWORK_SECTION_PREFIX = "section-"


def page_path(kind: str, entity_id: str) -> str:
    """Where each entity's page lives (`kinds.KINDS`); URLs derive from ids only. A framework item
    (`deon:b-1`) is an anchor on its framework's page; a reference, an anchor on the bibliography's
    page of its id's first character (`references/s.md#sculley2015hidden`)."""
    template = KIND[kind].page
    if template is None:
        raise KeyError(f"a {KIND[kind].label} has no page")
    framework, _, item = entity_id.partition(":")
    return template.format(id=entity_id, initial=entity_id[:1], framework=framework, item=item)


def url_template(kind: str) -> str:
    """The address of a kind's pages relative to the site's root, with `{id}` and `{initial}` left for
    the page to fill in (the search index's `urls`)."""
    template = KIND[kind].page
    if template is None:
        raise KeyError(f"a {KIND[kind].label} has no page")
    return page_url("", template.replace("{initial}", "{{initial}}").format(id="{id}")).removeprefix("/")


# The bibliography is split by the first character of each reference's id (ids are slugs: a-z, 0-9),
# so that every page stays small as the catalog grows; `references.md` lists every reference and
# forwards its old addresses (`/references/#id`) to the page that holds it.
def reference_group(ref_id: str) -> str:
    """The bibliography page a reference is on (`references/s.md`)."""
    return page_path("reference", ref_id).partition("#")[0]


def checklist_path(stage_id: str) -> str:
    """Each stage's checklist page (next to the all-stages checklist)."""
    return f"checklists/{stage_id}.md"


def planned_pages(entities: dict[str, Iterable[str]]) -> list[tuple[str, str | None]]:
    """Every Markdown page `render` writes, as (path, entity id or None for a listing page).
    `entities` maps a page kind (stage, challenge, case_study, mitigation, framework) to its ids, and
    `reference` to the references' ids (retired ones too): each has its entry on a bibliography page."""
    out: list[tuple[str, str | None]] = [(path, None) for path in LISTING_PAGES]
    out += [(path, None) for path in sorted({reference_group(r) for r in entities.get("reference", ())})]
    for kind, ids in entities.items():
        if kind == "reference":
            continue
        for entity_id in ids:
            out.append((page_path(kind, entity_id), entity_id))
            if kind == "stage":
                out.append((checklist_path(entity_id), entity_id))
    return out


def collisions(entities: dict[str, Iterable[str]]) -> list[tuple[str, str, str]]:
    """(entity id, page path, what that page already is) for every entity whose page would
    overwrite another generated page: `id: index` would replace a folder's index, for example."""
    owners: dict[str, str | None] = {}
    out = []
    for path, owner in planned_pages(entities):
        if path in owners and owner is not None:
            other = owners[path]
            what = LISTING_PAGES.get(path) if other is None else f"the page of '{other}'"
            out.append((owner, path, what or path))
        else:
            owners.setdefault(path, owner)
    return out


def reserved_ids(kind: str) -> list[str]:
    """Ids an entity of `kind` cannot take because its page would be a listing page (for the JSON
    Schemas; `check` reports the same through `collisions`)."""
    stems = sorted({path.rsplit("/", 1)[-1].removesuffix(".md") for path in LISTING_PAGES})
    return [stem for stem in stems if collisions({kind: [stem]})]


def html_href(src: str, target: str) -> str:
    """A relative URL from page `src` to page `target` (both docs paths, `#anchor` allowed) as it works
    in raw HTML, where mkdocs does not rewrite `.md` links: between directory URLs."""
    path, _, anchor = target.partition("#")

    def folder(p: str) -> str:
        return page_url("", p).strip("/")

    rel = posixpath.relpath(folder(path) or ".", folder(src) or ".")
    return ("./" if rel == "." else rel + "/") + (f"#{anchor}" if anchor else "")


def page_url(site_url: str, path: str) -> str:
    """Public URL of a page with mkdocs' directory URLs (`challenges/x.md` -> `.../challenges/x/`,
    `references/s.md#key` -> `.../references/s/#key`)."""
    path, _, anchor = path.partition("#")
    stem = path.removesuffix(".md")
    stem = "" if stem == "index" else stem.removesuffix("/index") + "/"
    return site_url.rstrip("/") + "/" + stem + (f"#{anchor}" if anchor else "")


def entity_url(site_url: str, kind: str, entity_id: str) -> str:
    """Public URL of an entity's page (or of its anchor on another page)."""
    return page_url(site_url, page_path(kind, entity_id))


def cell(text: object) -> str:
    """Make text safe inside a Markdown table cell (`escape.markdown_cell`)."""
    return escape.markdown_cell(text)


def yaml_str(text: object) -> str:
    """A double-quoted YAML scalar for front matter (`escape.yaml_scalar`)."""
    return escape.yaml_scalar(text)


def front_matter_text(text: object) -> str:
    """A title or description in a page's front matter. Themes copy these into the page head, some
    without escaping (Material's `<meta name="description" content="...">`), so the text is escaped
    for an HTML attribute here, before any theme sees it, then quoted for YAML."""
    return escape.yaml_scalar(escape.html_attribute(text))


def mermaid_label(text: str) -> str:
    """A quoted Mermaid node label; quotes and angle brackets become entity codes."""
    return '"' + text.replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;") + '"'


@cache
def environment() -> Environment:
    from jinja2 import Environment, PackageLoader, StrictUndefined

    env = Environment(loader=PackageLoader("fieldguide", "templates"), undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True, autoescape=False)
    env.filters.update(cell=cell, front=front_matter_text, mlabel=mermaid_label,
                       attr=escape.html_attribute, text=escape.markdown_text)
    return env


