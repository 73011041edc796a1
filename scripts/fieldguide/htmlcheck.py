"""Check what we emit: every page (head included), every JSON file a page script reads, every download.

Used in three places: on each piece of catalog prose rendered the way the site renders it
(`prose.py`, at `check` time, through `scan`); on every file the mkdocs build writes (`hooks.py`:
pages in `on_post_page` before they are written, generated files before mkdocs sees them, then the
whole site folder); and on any built site folder (`check_site`, through `postbuild`, for a site
built by another tool such as Zensical).
It imports only the standard library (and `files`, `pagedata`, `searchfiles`), so it runs without the
catalog's dependencies.

Pages are read with the standard library's HTML parser, which decodes entities in attribute values
as browsers do; a URL's scheme is then read after the rest of the browser's normalisation
(surrounding and embedded ASCII white space and control characters dropped, letters lowercased).

Rules on every page, hand-written ones included:
- no event handler (`on*`), no `srcdoc`, no URL attribute with a scheme other than http, https or
  mailto (`javascript:`, `data:`, ...);
- nothing that fetches from or submits to another origin (`src`, `srcset`, `action`, `formaction`,
  `poster`, a `<link>` that loads, CSS `url()` and `@import`): the site asks no other origin for
  anything;
- no `<base>`, no `<meta http-equiv>` (a refresh redirects every visitor), no frames, objects or
  embeds, no password field, no `<meta>` outside the head;
- an inline script only where the theme writes one, with the theme's own text;
- no id used twice; and, when the expected values are given, the page's `<title>` and
  `<meta name="description">` hold exactly the text that was put there (a quote that closed the
  attribute would show here).

In the content of a generated page (Material's `<article class="md-content__inner">`) the rules are
stricter, since catalog text lands there: only the elements Markdown and our templates write (no
image, video, style or script), form controls only with the markings of our own widgets
(`fg-` ids or classes, `data-fg-*`) or as Markdown's disabled task-list box, no inline style but
Markdown's column alignment, and a Mermaid diagram only inside the page's own figure.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

from . import pagedata, searchfiles
from .files import Unreadable, read_bytes

SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
# Attributes a browser follows, fetches or submits to (srcdoc is a whole document, refused outright).
URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "xlink:href", "poster", "data", "cite",
                            "background", "ping", "manifest", "codebase", "longdesc", "usemap", "lowsrc",
                            "dynsrc", "srcset", "imagesrcset"})
# Of those, the ones that make the browser request something (or send a form) without a click.
FETCH_ATTRIBUTES = frozenset({"src", "action", "formaction", "poster", "data", "background", "ping", "manifest",
                              "codebase", "lowsrc", "dynsrc", "srcset", "imagesrcset"})
# `<link rel=...>` values that only name another page (every other rel may load something).
NAVIGATION_RELS = frozenset({"canonical", "alternate", "prev", "next", "author", "license", "help", "search",
                             "bookmark", "external", "nofollow", "noopener", "noreferrer", "me", "tag"})
# Never on any page: they rewrite every link, redirect, or load another document.
NEVER = frozenset({"base", "iframe", "frame", "frameset", "object", "embed", "applet", "portal", "param"})
# What Markdown and the site's Markdown extensions write (catalog prose may produce only these).
MARKDOWN_ELEMENTS = frozenset({"p", "a", "em", "strong", "code", "pre", "ul", "ol", "li", "blockquote", "hr", "br",
                               "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td",
                               "div", "span", "abbr", "details", "summary", "input", "label"})
# ... and what our templates add around it in the content of a generated page.
TEMPLATE_ELEMENTS = frozenset({"article", "section", "figure", "figcaption", "small", "progress", "template", "select",
                               "option", "button", "textarea", "form", "fieldset", "legend", "noscript"})
CONTENT_ELEMENTS = MARKDOWN_ELEMENTS | TEMPLATE_ELEMENTS
# Form controls: in generated content only with the markings of our own widgets.
CONTROLS = frozenset({"form", "input", "button", "select", "textarea"})
VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
                  "wbr", "param"})
# Script types a browser does not run (data blocks, such as Material's `__config`).
DATA_SCRIPT_TYPES = frozenset({"application/json", "application/ld+json"})
# The only inline style Markdown itself writes (table column alignment).
_ALIGN_STYLE = re.compile(r"^\s*text-align:\s*(?:left|right|center)\s*;?\s*$")
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")
_STRIPPED = re.compile(r"[\x00-\x20\x7f]")  # ASCII white space and control characters
_CSS_URL = re.compile(r"url\(\s*(['\"]?)(.*?)\1\s*\)", re.IGNORECASE | re.DOTALL)
_CSS_ACTIVE = re.compile(r"@import|expression\s*\(|-moz-binding|behavior\s*:|javascript:", re.IGNORECASE)


@dataclass(frozen=True)
class Finding:
    """One unsafe thing in a piece of HTML."""

    line: int
    element: str
    attribute: str
    value: str
    why: str = ""

    def __str__(self) -> str:
        shown = self.value if len(self.value) <= 60 else self.value[:60] + "…"
        where = f"<{self.element}> " + (f"attribute {self.attribute}" if self.attribute else "element")
        return (f"line {self.line}: {where}" + (f" = {shown!r}" if self.attribute else "")
                + (f" ({self.why})" if self.why else ""))


class Problem(str):
    """One problem, as the message line it prints; `needle` is the offending text itself, so that
    the build can say which input file it came from."""

    needle: str

    def __new__(cls, text: str, needle: str = "") -> Problem:
        made = super().__new__(cls, text)
        made.needle = needle
        return made


def scheme(url: str) -> str | None:
    """The scheme a browser would use for `url`, or None if it is relative. Entities are decoded
    here too (harmless for a value the parser already decoded: it can only flag more)."""
    match = _SCHEME.match(_STRIPPED.sub("", html.unescape(url)).lower())
    return match.group(1) if match else None


def is_executable(url: str) -> bool:
    """True when following `url` would do anything but load an http(s)/mailto or relative address."""
    found = scheme(url)
    return found is not None and found not in SAFE_SCHEMES


def origin(url: str) -> tuple[str, str] | None:
    """(scheme, host:port) of an absolute or protocol-relative URL; None for a relative one."""
    cleaned = _STRIPPED.sub("", html.unescape(url))
    if not (scheme(cleaned) or cleaned.startswith(("//", "\\\\", "/\\", "\\/"))):
        return None
    parts = urlsplit(cleaned.replace("\\", "/"))
    return (parts.scheme.lower() or "https", parts.netloc.lower())


def is_foreign(url: str, site_url: str | None) -> bool:
    """True when `url` leads to an origin other than the site's (any absolute URL without a site)."""
    found = origin(url)
    if found is None:
        return False
    return site_url is None or found != origin(site_url)


def _urls(attribute: str, value: str) -> list[str]:
    if attribute in ("srcset", "imagesrcset"):  # "url 1x, url 2x"
        return [part.split()[0] for part in value.split(",") if part.split()]
    if attribute == "ping":
        return value.split()
    return [value]


def css_problem(css: str, site_url: str | None) -> str:
    """Why a piece of CSS (a style attribute or element) is unsafe, or ""."""
    if _CSS_ACTIVE.search(css):
        return "CSS that imports, runs script or binds behaviour"
    for match in _CSS_URL.finditer(css):
        if is_executable(match.group(2)) or is_foreign(match.group(2), site_url):
            return "CSS that loads from another origin"
    return ""


_ARTICLE = re.compile(r'<article\b[^>]*\bclass="[^"]*\bmd-content__inner\b')


def _marked(attrs: dict[str, str]) -> bool:
    """Our own widgets carry an `fg-` id or class, or a `data-fg-*` attribute (ids beginning with
    `fg-` are refused in the catalog, and catalog prose cannot write attributes at all)."""
    return (attrs.get("id", "").startswith("fg-") or any(c.startswith("fg-") for c in attrs.get("class", "").split())
            or any(name.startswith("data-fg") for name in attrs))


def _task_box(attrs: dict[str, str]) -> bool:
    """Markdown's task-list checkbox: a disabled checkbox with nothing else to it."""
    return attrs.get("type") == "checkbox" and "disabled" in attrs and set(attrs) <= {"type", "disabled", "checked"}


class _Scanner(HTMLParser):
    def __init__(self, site_url: str | None, theme_scripts: tuple[re.Pattern[str], ...] | None,
                 page: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.site_url = site_url
        self.theme_scripts = theme_scripts
        self.page = page
        self.findings: list[Finding] = []
        self.ids: dict[str, int] = {}
        self.duplicates: list[Finding] = []
        self.content = True  # the strict rules apply (the page content, or a fragment)
        self.stack: list[tuple[str, dict[str, str]]] = []
        self.in_head = False
        self.script: tuple[int, dict[str, str], bool] | None = None  # an inline script being read
        self.style: int | None = None
        self.text: list[str] = []
        self.title: list[str] | None = None
        self.titles: list[str] = []
        self.descriptions: list[str] = []

    def add(self, line: int, tag: str, attribute: str = "", value: str = "", why: str = "") -> None:
        self.findings.append(Finding(line, tag, attribute, value, why))

    def handle_starttag(self, tag: str, attrs_list: list[tuple[str, str | None]]) -> None:
        line = self.getpos()[0]
        attrs = {name: value or "" for name, value in attrs_list}
        if tag == "head":
            self.in_head = True
        elif tag == "body":
            self.in_head = False
        self._element(line, tag, attrs)
        for name, value in attrs.items():
            why = self._unsafe(tag, attrs, name, value)
            if why:
                self.add(line, tag, name, value, why)
            elif name == "id":
                if value in self.ids:
                    self.duplicates.append(Finding(line, tag, "id", value))
                else:
                    self.ids[value] = line
        if tag == "script" and "src" not in attrs:
            self.script, self.text = (line, attrs, self.content), []
        elif tag == "style":
            self.style, self.text = line, []
        elif tag == "title" and self.in_head:
            self.title = []
        elif tag == "meta" and attrs.get("name", "").lower() == "description":
            self.descriptions.append(attrs.get("content", ""))
        if tag not in VOID:
            self.stack.append((tag, attrs))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.handle_endtag(tag)

    def handle_data(self, data: str) -> None:
        if self.script is not None or self.style is not None:
            self.text.append(data)
        elif self.title is not None:
            self.title.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self.script is not None:
            self._inline_script(*self.script, "".join(self.text))
            self.script = None
        elif tag == "style" and self.style is not None:
            why = css_problem("".join(self.text), self.site_url)
            if why:
                self.add(self.style, "style", "", "", why)
            self.style = None
        elif tag == "title" and self.title is not None:
            self.titles.append("".join(self.title))
            self.title = None
        elif tag == "head":
            self.in_head = False
        if any(t == tag for t, _ in self.stack):
            while self.stack and self.stack.pop()[0] != tag:
                pass

    def _element(self, line: int, tag: str, attrs: dict[str, str]) -> None:
        if tag in NEVER:
            self.add(line, tag, why="it loads another document or rewrites every link")
        elif tag == "meta" and "http-equiv" in attrs:
            self.add(line, tag, "http-equiv", attrs["http-equiv"], "a refresh would redirect every visitor")
        elif tag == "meta" and self.page and not self.in_head:
            self.add(line, tag, why="outside the head")
        elif tag == "input" and attrs.get("type", "").lower() == "password":
            self.add(line, tag, "type", "password", "no page of this site asks for a password")
        if not self.content:
            return
        if tag not in CONTENT_ELEMENTS:
            self.add(line, tag, why="not allowed in the content of a generated page")
        elif tag in CONTROLS and not _marked(attrs) and not (tag == "input" and _task_box(attrs)):
            self.add(line, tag, why="a form control that is not one of the page's own widgets")
        elif tag == "pre" and "fg-diagram" in attrs.get("class", "").split() and not any(
                t == "figure" and "fg-diagram-figure" in a.get("class", "").split() for t, a in self.stack):
            self.add(line, tag, "class", attrs["class"], "a diagram outside the page's own figure")

    def _unsafe(self, tag: str, attrs: dict[str, str], name: str, value: str) -> str:
        if name.startswith("on"):
            return "an event handler"
        if name == "srcdoc":
            return "a document in an attribute"
        if name in URL_ATTRIBUTES:
            urls = _urls(name, value)
            if any(is_executable(u) for u in urls):
                return "a link that runs code"
            fetches = name in FETCH_ATTRIBUTES or (
                tag == "link" and name == "href" and not set(attrs.get("rel", "").lower().split()) <= NAVIGATION_RELS)
            if fetches and any(is_foreign(u, self.site_url) for u in urls):
                return "it asks another origin"
        if name == "style":
            if self.content and not _ALIGN_STYLE.match(value):
                return "inline style"
            return css_problem(value, self.site_url)
        return ""

    def _inline_script(self, line: int, attrs: dict[str, str], in_content: bool, text: str) -> None:
        if attrs.get("type", "").lower() in DATA_SCRIPT_TYPES:
            return  # a data block: never run
        if in_content:
            return  # already reported: <script> is no content element
        if self.theme_scripts is not None and not any(p.fullmatch(text.strip()) for p in self.theme_scripts):
            self.add(line, "script", why="an inline script that is not the theme's own")


def _scan(html_text: str, page: bool, content_rules: bool = True, site_url: str | None = None,
          theme_scripts: tuple[re.Pattern[str], ...] | None = None) -> _Scanner:
    """Parse once. For a page, the content runs from Material's `<article class="md-content__inner">`
    to the last `</article>` (so markup that closes the article early is still content); the theme's
    own head, navigation and scripts around it get the rules of every page."""
    scanner = _Scanner(site_url, theme_scripts, page)
    start = _ARTICLE.search(html_text) if page and content_rules else None
    end = html_text.rfind("</article>") + len("</article>") if start else -1
    if start and end > start.start():
        scanner.content = False
        scanner.feed(html_text[:start.start()])
        scanner.content = True
        scanner.feed(html_text[start.start():end])
        scanner.content = False
        scanner.feed(html_text[end:])
    else:
        scanner.content = content_rules
        scanner.feed(html_text)
    scanner.close()
    return scanner


def scan(html_text: str) -> list[Finding]:
    """Every unsafe thing in an HTML fragment of catalog prose, under the rules of a generated
    page's content."""
    return _scan(html_text, page=False).findings


@dataclass(frozen=True)
class Expected:
    """What the page's head must say: the title and description as they were written, unescaped."""

    title: str | None = None
    description: str | None = None


def check_page(html_text: str, content_rules: bool = True, site_url: str | None = None,
               theme_scripts: tuple[re.Pattern[str], ...] | None = None,
               expected: Expected | None = None) -> list[Problem]:
    """Problems with one built page, as message lines (see the module's rules).

    `content_rules=False` for hand-written pages (`content/`, reviewed like code, e.g. the home
    page's SVG figure): their elements are trusted; every other rule still holds. `theme_scripts`:
    the theme's inline scripts (`theme_script_patterns`); None accepts any inline script outside
    the content. `expected`: the title and description the page was given."""
    scanner = _scan(html_text, page=True, content_rules=content_rules, site_url=site_url,
                    theme_scripts=theme_scripts)
    out = [Problem(f"{f}: not allowed in a page", f.value or f"<{f.element}") for f in scanner.findings]
    out += [Problem(f"line {d.line}: id {d.value!r} is used twice on the page", d.value) for d in scanner.duplicates]
    if expected and expected.description is not None and scanner.descriptions != [expected.description]:
        out.append(Problem(f"the page's <meta name=\"description\"> is {scanner.descriptions!r}, not the description "
                           f"it was given ({expected.description[:60]!r}): text escaped its attribute",
                           (scanner.descriptions or [""])[0]))
    if expected and expected.title is not None and not (
            len(scanner.titles) == 1 and scanner.titles[0].startswith(expected.title)):
        out.append(Problem(f"the page's <title> is {scanner.titles!r}, not the title it was given "
                           f"({expected.title[:60]!r}): text escaped its element", expected.title))
    return out


# ---------------------------------------------------------------- the theme's own inline scripts

_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.DOTALL)
_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def theme_script_patterns(folders: Iterable[Path]) -> tuple[re.Pattern[str], ...]:
    """The inline scripts the theme's templates write, as patterns: every `<script>...</script>` in
    `partials/javascripts/*.html` of each folder, its Jinja expressions matching any text without
    quotes, angle brackets or backslashes (a path such as `../..`)."""
    patterns = []
    for folder in folders:
        for path in sorted((folder / "partials" / "javascripts").glob("*.html")):
            for body in _SCRIPT.findall(path.read_text(encoding="utf-8")):
                parts = _JINJA.split(body.strip())
                patterns.append(re.compile(r"[^\"'<>\\]*".join(re.escape(p) for p in parts)))
    return tuple(patterns)


def material_script_patterns() -> tuple[re.Pattern[str], ...] | None:
    """Material's inline scripts, or None when Material is not installed."""
    try:
        import material
    except ImportError:
        return None
    return theme_script_patterns([Path(material.__file__).parent / "templates"])


# ---------------------------------------------------------------- JSON the page scripts read, and downloads

# Keys whose value is an address: http(s) or mailto, or relative.
URL_KEYS = frozenset({"url", "href", "src", "site_url", "URL", "link"})
# JSON Schemas: their descriptions (written in our code) may name `<framework>:<id>` in Markdown.
SCHEMAS = "downloads/schema/"
# Files page scripts read and turn into links: their `url`s must be pages of this site. The planner's
# and the basket's data are split into a core and chunks (`pagedata`): every file of their folders.
PAGE_DATA = frozenset({"planner/data.json", "citations/data.json", "search/index.json"})


def _page_data(name: str) -> bool:
    return name in PAGE_DATA or pagedata.is_part(name)


_ELEMENT = re.compile(r"<\s*/?\s*[a-zA-Z][a-zA-Z0-9-]*(?:[\s/>]|$)")
# Control words pybtex's writer produces for text (utf-8: only `~`), and those escape.tex_text writes.
TEX_WORDS = frozenset({"textasciitilde", "textbackslash", "textasciicircum"})
_TEX_WORD = re.compile(r"(?<!\\)(?:\\\\)*\\([A-Za-z@]+)")
_RAW_ATTRIBUTE = re.compile(r"(?<!\\)(?:\\\\)*`[^`]*`\{=|^\s*(?:`{3,}|~{3,})\s*\{?=", re.MULTILINE)


class _Duplicate(ValueError):
    pass


def _pairs(pairs: list[tuple[str, object]]) -> dict[str, object]:
    out: dict[str, object] = {}
    for key, value in pairs:
        if key in out:
            raise _Duplicate(f"key {key!r} appears twice in one object")
        out[key] = value
    return out


def _constant(name: str) -> float:
    raise ValueError(f"{name} is not JSON")


def _walk(value: object, path: str = "") -> Iterator[tuple[str, str, str]]:
    """(path, key, string) for every string in a JSON value."""
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, str):
                yield f"{path}.{key}" if path else key, key, item
            else:
                yield from _walk(item, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            if isinstance(item, str):
                yield f"{path}[{i}]", "", item
            else:
                yield from _walk(item, f"{path}[{i}]")


def check_json(name: str, text: str, site_url: str | None = None) -> list[Problem]:
    """Problems with a JSON file we write (`name` is its path in the site): it must parse (no
    repeated key, no NaN); no string may hold an HTML element; an address (`url`, `href`, ...) must
    be http(s), mailto or relative, and in the files the page scripts turn into links, a page of
    this site; BibTeX in it follows `check_bibtex`, pandoc Markdown `check_pandoc`. (The JSON
    Schemas' descriptions, from our code, may show `<placeholders>`.)"""
    try:
        data = json.loads(text, object_pairs_hook=_pairs, parse_constant=_constant)
    except ValueError as exc:
        return [Problem(f"not valid JSON: {exc}")]
    out = []
    for path, key, value in _walk(data):
        if _ELEMENT.search(value) and not name.startswith(SCHEMAS):
            out.append(Problem(f"{path}: holds an HTML element: {value[:60]!r}", value))
        if key in URL_KEYS:
            if is_executable(value) or value != value.strip() or any(c in value for c in "\"'<>`\\ "):
                out.append(Problem(f"{path}: {value[:60]!r} is not a safe address", value))
            elif _page_data(name) and key in ("url", "site_url", "href") and site_url and origin(value) and not (
                    value + "/").startswith(site_url.rstrip("/") + "/"):
                out.append(Problem(f"{path}: {value[:60]!r} is not a page of this site ({site_url})", value))
        if key == "bibtex":
            out += [Problem(f"{path}: {p}", p.needle) for p in _tex_commands(value)]
        if name.startswith("planner/") and key in ("head", "heading", "body"):  # the brief's pandoc Markdown
            out += [Problem(f"{path}: {p}", p.needle) for p in check_pandoc(value)]
    if name == "search/index.json" and isinstance(data, dict) and isinstance(data.get("urls"), dict):
        for kind, template in data["urls"].items():
            if not isinstance(template, str) or origin(template) or is_executable(template):
                out.append(Problem(f"urls.{kind}: {str(template)[:60]!r} must be a relative page address",
                                   str(template)))
    return out


def _tex_commands(text: str) -> list[Problem]:
    return [Problem(f"TeX command \\{word} (only \\textasciitilde, \\textbackslash and \\textasciicircum are "
                    "written)", "\\" + word)
            for word in dict.fromkeys(_TEX_WORD.findall(text)) if word not in TEX_WORDS]


def check_bibtex(text: str) -> list[Problem]:
    """Problems with BibTeX we write: it must parse (pybtex, strict), and hold no TeX command but
    the few escapes our writer uses."""
    out = _tex_commands(text)
    try:
        from pybtex.database import parse_string
    except ImportError:  # the check runs without the catalog's libraries; the TeX rule still holds
        return out
    try:
        parse_string(text, "bibtex")  # pybtex is strict by default: a malformed entry raises
    except Exception as exc:  # noqa: BLE001 - pybtex raises its own and the tokenizer's errors
        out.append(Problem(f"BibTeX does not parse: {' '.join(str(exc).split())[:200]}"))
    return out


def check_pandoc(text: str) -> list[Problem]:
    """Problems with pandoc Markdown we write: no raw attribute or raw block (`{=latex}`), no TeX
    command (a backslash before letters that is not itself escaped)."""
    out = []
    raw = _RAW_ATTRIBUTE.search(text)
    if raw:
        out.append(Problem("a pandoc raw attribute or raw block ({=format})", raw.group(0).strip()))
    out += [Problem(f"TeX command \\{word}", "\\" + word) for word in dict.fromkeys(_TEX_WORD.findall(text))]
    return out


def check_sitemap(text: str, site_url: str | None) -> list[Problem]:
    """Every address in a sitemap is a page of this site."""
    out = []
    for loc in re.findall(r"<loc>(.*?)</loc>", text, re.DOTALL):
        address = html.unescape(loc.strip())
        if is_executable(address) or (site_url and not (address + "/").startswith(site_url.rstrip("/") + "/")):
            out.append(Problem(f"{address[:60]!r} is not a page of this site", address))
    return out


# ---------------------------------------------------------------- a whole built site

def check_file(name: str, text: str, site_url: str | None = None, generated_page: bool = True,
               theme_scripts: tuple[re.Pattern[str], ...] | None = None,
               expected: Expected | None = None) -> list[Problem]:
    """Problems with one file of a site, by its kind (its path `name` in the site): HTML pages,
    JSON, BibTeX and the sitemap are checked; scripts, styles and images are code and assets from
    the repository and the theme, not output."""
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix == "html":
        return check_page(text, content_rules=generated_page, site_url=site_url, theme_scripts=theme_scripts,
                          expected=expected)
    if suffix == "json":
        return check_json(name, text, site_url)
    if suffix == "bib":
        return check_bibtex(text)
    if suffix == "xml" and name.endswith("sitemap.xml"):
        return check_sitemap(text, site_url)
    return []


CHECKED = ("html", "json", "bib", "xml")
MAX_SITE_FILE = 512 * 1024 * 1024  # the search index of a catalog 100 times the real one is about 15 MB


class Memo(Protocol):
    """Files that passed the check before, remembered by a digest of exactly what was checked and how
    (`postbuild.Verdicts`): a file whose digest passed is not parsed again."""

    def passed_file(self, name: str, text: str, generated: bool, expected: Expected | None) -> bool: ...

    def add_file(self, name: str, text: str, generated: bool, expected: Expected | None) -> None: ...


def check_site(folder: Path, site_url: str | None = None, hand_written: Iterable[str] = (),
               theme_scripts: tuple[re.Pattern[str], ...] | None = None,
               expected: dict[str, Expected] | None = None, skip: Iterable[str] = (),
               done: Iterable[str] = (), memo: Memo | None = None) -> list[Problem]:
    """Every problem in a built site folder, as `path: message` lines. `hand_written`: pages (paths
    in the site, such as `index.html`) built from hand-written Markdown, checked without the
    content rules; every other page is held to them. `expected`: per page, its title and
    description. `skip`: folders of third-party code served as they are (`assets/vendor`); `done`:
    files already checked (by the build, as it wrote them); `memo`: verdicts of earlier checks."""
    out = []
    hand, checked = set(hand_written), set(done)
    skipped = tuple(s.rstrip("/") + "/" for s in skip)
    for path in sorted(folder.rglob("*")):
        name = path.relative_to(folder).as_posix()
        if (not (path.is_file() or path.is_symlink()) or path.suffix.lstrip(".").lower() not in CHECKED
                or name.startswith(skipped) or name in checked):
            continue
        try:  # a regular file inside the site, read with a cap: a link to /dev/zero cannot hang the check
            text = read_bytes(path, MAX_SITE_FILE, inside=folder).decode("utf-8", errors="replace")
        except Unreadable as exc:
            out.append(Problem(f"{name}: {str(exc).replace('catalog folder', 'site folder')}"))
            continue
        generated, wanted = name not in hand, (expected or {}).get(name)
        if memo is not None and memo.passed_file(name, text, generated, wanted):
            continue
        problems = check_file(name, text, site_url, generated, theme_scripts, wanted)
        if memo is not None and not problems:
            memo.add_file(name, text, generated, wanted)
        out += [Problem(f"{name}: {problem}", problem.needle) for problem in problems]
    # The search index's parts: exactly the files its entry names, each as written (searchfiles).
    return out + [Problem(line) for line in searchfiles.check_folder(folder)]
