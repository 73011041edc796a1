"""Shared by the site generator and the reports: the URL scheme of pages and the Jinja2 environment."""

from __future__ import annotations

import html
import json
import posixpath
from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined

from . import DEFAULT_SITE_URL  # noqa: F401  (re-exported for the generator and the reports)


def page_path(kind: str, entity_id: str) -> str:
    """Where each entity's page lives; URLs derive from ids only."""
    if kind == "framework_item":  # `deon:b-1` -> the item's anchor on its framework's page
        framework, _, item = entity_id.partition(":")
        return f"frameworks/{framework}.md#{item}"
    return {
        "stage": f"stages/{entity_id}.md",
        "challenge": f"challenges/{entity_id}.md",
        "case_study": f"case-studies/{entity_id}.md",
        "mitigation": f"mitigations/{entity_id}.md",
        "reference": f"references.md#{entity_id}",
        "framework": f"frameworks/{entity_id}.md",
    }[kind]


def html_href(src: str, target: str) -> str:
    """A relative URL from page `src` to page `target` (both docs paths, `#anchor` allowed) as it works
    in raw HTML, where mkdocs does not rewrite `.md` links: between directory URLs."""
    path, _, anchor = target.partition("#")

    def folder(p: str) -> str:
        return page_url("", p).strip("/")

    rel = posixpath.relpath(folder(path) or ".", folder(src) or ".")
    return ("./" if rel == "." else rel + "/") + (f"#{anchor}" if anchor else "")


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
def environment() -> Environment:
    env = Environment(loader=PackageLoader("fieldguide", "templates"), undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True, autoescape=False)
    env.filters.update(cell=cell, yaml=yaml_str, mlabel=mermaid_label, attr=html.escape)
    return env


