"""Check what we emit: executable links, event handlers and stray elements in HTML.

Used twice: on every built page (the mkdocs hook fails the build) and on each piece of catalog
prose rendered the way the site renders it (`prose.py`, at `check` time). The HTML is read with
the standard library's HTML parser, which decodes entities in attribute values as browsers do;
a URL's scheme is then read after the rest of the browser's normalisation (surrounding and
embedded ASCII white space and control characters dropped, letters lowercased).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from html.parser import HTMLParser

SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
# Attributes a browser follows, fetches or submits to (srcdoc is a whole document, refused outright).
URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "xlink:href", "poster", "data", "cite",
                            "background", "ping", "manifest", "codebase", "longdesc", "usemap", "lowsrc",
                            "dynsrc", "srcset", "imagesrcset"})
# Inside a page's article, elements that run code, load other documents or rewrite the page.
ACTIVE_ELEMENTS = frozenset({"script", "iframe", "frame", "frameset", "object", "embed", "applet", "base",
                             "meta", "link", "style", "portal", "svg", "math"})
# The only inline style Markdown itself writes (table column alignment).
_ALIGN_STYLE = re.compile(r"^\s*text-align:\s*(?:left|right|center)\s*;?\s*$")
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")
_STRIPPED = re.compile(r"[\x00-\x20\x7f]")  # ASCII white space and control characters


@dataclass(frozen=True)
class Finding:
    """One unsafe thing in a piece of HTML."""

    line: int
    element: str
    attribute: str
    value: str

    def __str__(self) -> str:
        shown = self.value if len(self.value) <= 60 else self.value[:60] + "…"
        where = f"<{self.element}> " + (f"attribute {self.attribute}" if self.attribute else "element")
        return f"line {self.line}: {where}" + (f" = {shown!r}" if self.attribute else "")


def scheme(url: str) -> str | None:
    """The scheme a browser would use for `url`, or None if it is relative. Entities are decoded
    here too (harmless for a value the parser already decoded: it can only flag more)."""
    match = _SCHEME.match(_STRIPPED.sub("", html.unescape(url)).lower())
    return match.group(1) if match else None


def is_executable(url: str) -> bool:
    """True when following `url` would do anything but load an http(s)/mailto or relative address."""
    found = scheme(url)
    return found is not None and found not in SAFE_SCHEMES


def _urls(attribute: str, value: str) -> list[str]:
    if attribute in ("srcset", "imagesrcset"):  # "url 1x, url 2x"
        return [part.split()[0] for part in value.split(",") if part.split()]
    if attribute == "ping":
        return value.split()
    return [value]


_ARTICLE = re.compile(r'<article\b[^>]*\bclass="[^"]*\bmd-content__inner\b')


class _Scanner(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.findings: list[Finding] = []
        self.ids: dict[str, int] = {}
        self.duplicates: list[Finding] = []
        self.content = True  # element and style rules apply (the page content, or a fragment)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line = self.getpos()[0]
        if self.content and tag in ACTIVE_ELEMENTS:
            self.findings.append(Finding(line, tag, "", ""))
        for name, value in attrs:
            value = value or ""
            if self._unsafe(name, value):
                self.findings.append(Finding(line, tag, name, value))
            elif name == "id":
                if value in self.ids:
                    self.duplicates.append(Finding(line, tag, "id", value))
                else:
                    self.ids[value] = line

    def _unsafe(self, name: str, value: str) -> bool:
        if name.startswith("on") or name == "srcdoc":  # event handlers; a document in an attribute
            return True
        if name in URL_ATTRIBUTES:
            return any(is_executable(u) for u in _urls(name, value))
        return name == "style" and self.content and not _ALIGN_STYLE.match(value)


def _scan(html_text: str, page: bool) -> _Scanner:
    """Parse once. For a page, the content runs from Material's `<article class="md-content__inner">`
    to the last `</article>` (so markup that closes the article early is still content); the theme's
    own head, navigation and scripts around it get the attribute rules only."""
    scanner = _Scanner()
    start = _ARTICLE.search(html_text) if page else None
    end = html_text.rfind("</article>") + len("</article>") if start else -1
    if start and end > start.start():
        scanner.content = False
        scanner.feed(html_text[:start.start()])
        scanner.content = True
        scanner.feed(html_text[start.start():end])
        scanner.content = False
        scanner.feed(html_text[end:])
    else:
        scanner.feed(html_text)
    scanner.close()
    return scanner


def scan(html_text: str) -> list[Finding]:
    """Every unsafe thing in an HTML fragment: an `on*` handler, `srcdoc`, a URL attribute whose
    scheme is not http, https or mailto, an active element (script, iframe, object, style, svg...)
    or an inline style other than Markdown's column alignment."""
    return _scan(html_text, page=False).findings


def check_page(html_text: str) -> list[str]:
    """Problems with one built page, as message lines: the rules of `scan` (element and style rules
    on the page content only, since the theme's head and scripts live outside it) and duplicate ids
    (two anchors with one name: an id that collides with another on the page)."""
    scanner = _scan(html_text, page=True)
    out = [f"{f}: not allowed in a page" for f in scanner.findings]
    out += [f"line {d.line}: id {d.value!r} is used twice on the page" for d in scanner.duplicates]
    return out
