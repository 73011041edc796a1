"""Catalog prose safety: render each text the way the site renders it, then inspect the HTML.

Prose is Markdown that reaches every reader's browser. Patterns over the source cannot see what
Markdown makes of it (a link definition inside a blockquote or a list item is still a definition),
so a text that could produce markup is converted with the site's own Markdown extensions and the
result is parsed (`htmlcheck`): only Markdown's own elements, no attribute list, no image, and
every link and link definition an http(s) or mailto URL or a page of this site. The regexes left
here only give the common mistakes a clear message. The built pages are checked again
(`htmlcheck.check_page` from the mkdocs hook): that check is the guarantee.
"""

from __future__ import annotations

import html
import re
from functools import cache
from html.parser import HTMLParser
from typing import Any

from . import htmlcheck

# The site's Markdown (mkdocs.yml `markdown_extensions`, with the three mkdocs always adds first);
# tests/test_prose.py keeps the two lists equal.
EXTENSIONS = ("toc", "tables", "fenced_code", "abbr", "admonition", "attr_list", "md_in_html", "pymdownx.details",
              "pymdownx.highlight", "pymdownx.superfences", "pymdownx.tasklist")


def extension_configs() -> dict[str, dict[str, Any]]:
    from pymdownx.superfences import fence_code_format

    return {"toc": {"permalink": True}, "pymdownx.highlight": {"pygments_lang_class": True},
            "pymdownx.superfences": {"custom_fences": [
                {"name": "mermaid", "class": "fg-diagram", "format": fence_code_format}]},
            "pymdownx.tasklist": {"custom_checkbox": True}}


@cache
def site_markdown() -> Any:
    """One Markdown converter configured like the site (reset before each use)."""
    import markdown

    return markdown.Markdown(extensions=list(EXTENSIONS), extension_configs=extension_configs())


# Without one of these characters Markdown makes no link, image, element or attribute: links,
# definitions, images and abbreviations need "[", autolinks and HTML "<", attribute lists "{", and the
# site's one custom fence (a diagram) its name. (An entity alone stays text: "&lt;b&gt;" cannot open an
# element.) tests/test_prose.py checks this claim on generated text, entities included.
SUSPECT = re.compile(r"[\[<{]|mermaid")
_HTML_TAG = re.compile(r"<\s*/?\s*[a-zA-Z!?][^>]*>")
_IMAGE = re.compile(r"!\[")
# python-markdown's attr_list pattern, anywhere, unless the brace is escaped (an odd run of backslashes).
_ATTR_LIST = re.compile(r"(?:^|[^\\])(?:\\\\)*\{:?[ ]*[^}\n ][^\n]*\}")
_SITE_LINK = re.compile(r"^(?:#[\w-]*|(?:\.{1,2}/)*[\w-]+(?:/[\w-]+)*(?:\.md)?/?(?:#[\w-]+)?)$")
_WEB_LINK = re.compile(r"^(?:https?://[^\s\"'<>`\\]+|mailto:[^\s\"'<>`\\]+)$", re.IGNORECASE)
# What Markdown and the site's extensions write; anything else came from raw HTML.
ELEMENTS = htmlcheck.MARKDOWN_ELEMENTS
# A TeX control word (`\\input`, `\\write18`) after an unescaped backslash: briefs go through pandoc
# to LaTeX and references into BibTeX, where it would run on the reader's machine.
TEX_COMMAND = re.compile(r"(?<!\\)(?:\\\\)*(\\[A-Za-z@]+)")
ATTRIBUTES = frozenset({"href", "title", "id", "class", "style", "type", "disabled", "checked", "open"})


def check(text: str) -> str:
    """`text` unchanged if it is safe catalog prose, else ValueError saying what to change."""
    if "\\" in text:
        command = TEX_COMMAND.search(text)
        if command:
            raise ValueError(f"TeX command '{command.group(1)[:40]}' is not allowed (briefs and BibTeX go to "
                             "LaTeX, where it would run): write the character itself, or '\\\\' for a backslash")
    if not SUSPECT.search(text):  # most text: one scan, no rendering
        return text
    return check_rendered(text)


def check_rendered(text: str) -> str:
    """`check` without the shortcut: always renders and inspects."""
    if _HTML_TAG.search(text):
        raise ValueError("raw HTML is not allowed in catalog prose; write Markdown")
    if _IMAGE.search(text):
        raise ValueError("images are not allowed in catalog prose (they would load from another origin)")
    if _ATTR_LIST.search(text):
        raise ValueError("attribute lists such as '{: ...}' or '{ .class }' are not allowed in catalog prose "
                         "(write '\\{' for a literal brace)")
    md = site_markdown()
    rendered = md.reset().convert(text)
    for url, _title in list(md.references.values()):  # definitions count even when nothing uses them
        _target(html.unescape(url))
    for tag, attrs in _elements(rendered):
        if tag not in ELEMENTS:
            raise ValueError(f"catalog prose must not produce a <{tag}> element; write Markdown")
        for name, value in attrs:
            if name not in ATTRIBUTES:
                raise ValueError(f"catalog prose must not produce the attribute '{name}'")
            if name == "href":
                _target(value or "")
            if name == "class" and "fg-diagram" in (value or "").split():
                raise ValueError("diagrams (```mermaid fences) are not allowed in catalog prose: the page draws "
                                 "its own")
    for finding in htmlcheck.scan(rendered):  # the rules every built page is held to
        raise ValueError(f"catalog prose must not produce {_what(finding)}")
    return text


def _what(finding: htmlcheck.Finding) -> str:
    if not finding.attribute:
        return f"a <{finding.element}> element"
    return f"the attribute {finding.attribute}={finding.value[:60]!r}"


def _target(url: str) -> None:
    if _WEB_LINK.match(url) or _SITE_LINK.match(url):
        return
    raise ValueError(f"link target '{url[:60]}' is not allowed: use an http(s) or mailto URL or a page of this site")


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, attrs))


def _elements(rendered: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    parser = _Elements()
    parser.feed(rendered)
    parser.close()
    return parser.found
