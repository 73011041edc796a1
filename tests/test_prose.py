"""Catalog prose in the page: dangerous URLs in every Markdown container never become a working link.

Pages are rendered exactly as the site renders them: `render` writes the page's Markdown, then
the Markdown extensions of mkdocs.yml (read by mkdocs itself) turn it into HTML. An independent
oracle (the standard library's HTML parser and `urllib.parse.urlsplit`, which strips and removes
what browsers strip and remove) decides whether a link would execute.
"""

from __future__ import annotations

import contextlib
import urllib.parse
from collections.abc import Iterator
from functools import cache
from html.parser import HTMLParser

import markdown
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mkdocs.config import load_config
from pydantic import ValidationError

from conftest import REAL, VALID
from fieldguide import graph, htmlcheck, load, prose, render, schema
from fieldguide.schema import Challenge


@cache
def _site_config():
    return load_config(str(REAL.parent / "mkdocs.yml"))


def test_prose_is_checked_with_the_site_markdown_extensions() -> None:
    config = _site_config()
    assert list(prose.EXTENSIONS) == list(config.markdown_extensions)
    ours = prose.extension_configs()
    assert ours.keys() == config.mdx_configs.keys()
    assert ours == config.mdx_configs  # the fence formatter is the same function object


def _site_html(page_markdown: str) -> str:
    """A generated page as the site turns it into HTML (front matter off, as mkdocs does)."""
    config = _site_config()
    body = page_markdown.split("---\n", 2)[2] if page_markdown.startswith("---\n") else page_markdown
    return markdown.Markdown(extensions=config.markdown_extensions, extension_configs=config.mdx_configs).convert(body)


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [v or "" for k, v in attrs if k in ("href", "src", "action", "formaction", "xlink:href")]


def executable_links(html_text: str) -> list[str]:
    """The oracle: URLs whose scheme, read as a browser reads it, is not http, https or mailto."""
    parser = _Links()
    parser.feed(html_text)
    parser.close()
    return [u for u in parser.urls
            if urllib.parse.urlsplit(u.strip("\x00\x01\x02\x03\x04\x05\x06\x07\x08\t\n\x0b\x0c\r\x0e\x0f"
                                             "\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f ")
                                     ).scheme not in ("", "http", "https", "mailto")]


# ---------------------------------------------------------------- generated hostile prose

SCHEMES = ["javascript:alert(1)", "JaVaScRiPt:alert(1)", "vbscript:msgbox(1)", "data:text/html;base64,PHNjcmlwdD4=",
           "&#106;avascript:alert(1)", "&#x6A;avascript:alert(1)", "&#0000106avascript:alert(1)",
           "javascript&#58;alert(1)", "javascript&colon;alert(1)", "java&#9;script:alert(1)",
           "java&#x0A;script:alert(1)", "&#32;javascript:alert(1)", "java\tscript:alert(1)", " javascript:alert(1)",
           "jav&Tab;ascript:alert(1)", "&#x01;javascript:alert(1)"]
INLINE = ["[x]({url})", "[x](<{url}>)", '[x]({url} "title")', "<{url}>", "[x][r]\n\n[r]: {url}",
          "[x][r]\n\n[r]: <{url}>", "[x]\n\n[x]: {url}"]
BLOCK_WRAPPERS = ["{body}", "> {body}", "> > {body}", "- {body}", "- item\n    - {body}", "1. {body}",
                  "1. First.\n\n    {body}", "| a |\n| - |\n| {body} |", "## {body}", "!!! note\n    {body}",
                  "??? note\n    {body}", "Text [x][r].\n\n> [r]: {url}", "Text [x][r].\n\n- [r]: {url}",
                  "Text [x][r].\n\n1. Item.\n\n        [r]: {url}", "Text [x][r].\n\n> > [r]: {url}",
                  "Text [x][r].\n\n- a\n    - [r]: {url}"]


@st.composite
def hostile_prose(draw) -> tuple[str, str]:
    url = draw(st.sampled_from(SCHEMES))
    inline = draw(st.sampled_from(INLINE))
    wrapper = draw(st.sampled_from(BLOCK_WRAPPERS))
    body = inline.format(url=url)
    if "\n" in body and wrapper not in ("{body}",) and "{url}" not in wrapper:
        body = inline.split("\n")[0]  # keep a one-line body inside one-line containers
        wrapper = wrapper + "\n\n[r]: {url}\n\n[x]: {url}"
    return "description", wrapper.format(body=body, url=url)


@st.composite
def hostile_line(draw) -> tuple[str, str]:
    """One-line fields placed in headings, list items, table cells and link text by the templates."""
    url = draw(st.sampled_from(SCHEMES)).replace("\t", "&#9;")
    field = draw(st.sampled_from(["title", "summary", "signals", "checklist"]))
    text = draw(st.sampled_from(["[x]({url})", "<{url}>", "[r]: {url}", "[x](<{url}>)"])).format(url=url)
    return field, text


@cache
def _valid():
    cat = load.load(VALID)
    return cat, cat.challenges["data-discovery"].model_dump()


def _challenge_data(field: str, text: str) -> dict:
    data = dict(_valid()[1])
    if field == "signals":
        data["signals"] = [text]
    elif field == "checklist":
        data["checklist"] = [{"id": "data-discovery-x", "text": text}]
    else:
        data[field] = text
    return data


def _page_html(challenge: Challenge) -> str:
    cat = load.load(VALID)
    cat.challenges[challenge.id] = challenge
    files = render.render(cat, graph.build(cat))
    return _site_html(files[f"challenges/{challenge.id}.md"])


@contextlib.contextmanager
def _source_check_off() -> Iterator[None]:
    original = schema._safe_prose
    schema._safe_prose = lambda value: value
    try:
        yield
    finally:
        schema._safe_prose = original


@settings(deadline=None, max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(case=st.one_of(hostile_prose(), hostile_line()))
def test_check_refuses_it_or_the_page_has_no_executable_link(case: tuple[str, str]) -> None:
    field, text = case
    try:
        challenge = Challenge.model_validate(_challenge_data(field, text))
    except ValidationError:
        return  # refused at `check`
    assert executable_links(_page_html(challenge)) == [], text


@settings(deadline=None, max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(case=st.one_of(hostile_prose(), hostile_line()))
def test_the_output_check_catches_what_the_source_check_would_have(case: tuple[str, str]) -> None:
    """With the source check off, every executable link in the built page is reported by the
    page check the build runs (it is the guarantee, not the source check)."""
    field, text = case
    with _source_check_off():
        try:
            challenge = Challenge.model_validate(_challenge_data(field, text))
        except ValidationError:
            return  # a rule other than prose safety (a line break in a one-line field)
    page = _page_html(challenge)
    if executable_links(page):
        assert htmlcheck.check_page(page), text


def test_the_generators_do_reach_executable_links() -> None:
    """Without any check, the hostile prose above really produces working script links."""
    with _source_check_off():
        challenge = Challenge.model_validate(_challenge_data(
            "description", "Text [x][r].\n\n> [r]: &#106;avascript:alert(1)"))
    assert executable_links(_page_html(challenge)) == ["javascript:alert(1)"]


# ---------------------------------------------------------------- the shortcut and the rules

# Pieces of Markdown syntax without [ < { (lists, quotes, headings, tables, code, admonitions, entities,
# fences: a text that joins them into ``` or ~~~ is suspect, and the test then asks only that).
SAFE_PIECES = st.lists(st.sampled_from(list("ab Zz09\n\t*_#>-+.!:|\\`~()\"'=/;%?$@^") + [
    "!!! note\n    ", "??? tip\n    ", "```\n", "```mermaid\n", "    ", "1. ", "| a |\n| - |\n", "\n\n",
    "***", "http://", "javascript:", "mailto:", "&", "&#91;", "&#60;", "&lt;", "&#x5B;", "&#123;", "&lbrack;",
    "&#106;avascript:", "&amp;", "&#60;img src=x onerror=alert(1)&#62;", "&lt;script&gt;"]), max_size=40).map("".join)


@settings(deadline=None, max_examples=200)
@given(text=SAFE_PIECES)
def test_text_without_suspect_characters_needs_no_rendering(text: str) -> None:
    """The shortcut in `prose.check` skips text without [ < { or a fence: such text must pass the full
    check (a ```mermaid fence once slipped through the shortcut)."""
    if prose.SUSPECT.search(text):
        assert "```" in text or "~~~" in text  # the only way these pieces become suspect
        return
    prose.check_rendered(text)


def test_a_diagram_fence_is_refused_by_the_shortcut_too() -> None:
    with pytest.raises(ValueError, match="diagrams"):
        prose.check("Steps:\n\n```mermaid\ngraph TD\n  a --> b\n```\n")


@pytest.mark.parametrize("text", [
    "Click [the note][r7].\n\n> [r7]: javascript:alert(1)",
    "See [this][r8].\n\n- [r8]: javascript:alert(2)",
    "1. Retrain on [data][r10].\n\n    [r10]: vbscript:msgbox(1)",
    "Each [slice][r9].\n\n> > [r9]: JaVaScRiPt:alert(3)",
    "[r]: javascript:alert(1)",  # a definition nothing uses is still refused (another field may use it)
    "A paragraph.\n{ onclick }",
    "Hidden text.\n{ hidden }",
    "Escaped twice \\\\{ onclick }",
    "[x](java&#x0A;script:alert(1))",
    "[x](//evil.example/)",
    "![pixel](https://evil.example/p.png)",
    "<b>bold</b>",
    "```mermaid\nflowchart LR\n  a --- b\n```",  # no [, < or {: the shortcut must not wave it through
])
def test_unsafe_prose_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        prose.check(text)


@pytest.mark.parametrize("text", [
    "A [link](https://example.org/a_b?c=d&e=f) and [another](mailto:team@example.org).",
    "See [the stage](../stages/data-management.md#data-collection) and [below](#checklist).",
    "Fish & chips, R&D, 5 < 6 and a literal \\{brace\\}.",
    "| a | b |\n| :-- | --: |\n| 1 | 2 |",
])
def test_ordinary_prose_is_accepted(text: str) -> None:
    assert prose.check(text) == text
