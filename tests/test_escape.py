"""One escaping function per target format (fieldguide.escape), checked with the tool each format's
reader uses: Python-Markdown with the site's extensions, pandoc (to HTML and to LaTeX), pybtex, a
YAML reader. The page's copies of the helpers (engine/escape.js) give the same output for the same text."""

from __future__ import annotations

import json
import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pypandoc
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import HERE
from fieldguide import escape, htmlcheck, prose

# What people type that readers turn into code: links and images, raw HTML and handlers, attribute
# lists, pandoc raw attributes and blocks, TeX commands, math, citations, YAML and template syntax.
HOSTILE = [
    "[x](javascript:alert(1))", "![img](http://x.example/i.png)", "<img src=x onerror=alert(1)>",
    "<b onclick=alert(1)>bold</b>", "<script>alert(1)</script>", "&lt;script&gt; &amp; &#106;avascript:",
    "text {: onclick=\"alert(1)\" }", "`code`", "``x``", "`\\input{/etc/passwd}`{=latex}", "`<b>`{=html}",
    "```{=latex}", "\\input{/etc/passwd}", "\\write18{rm -rf /}", "$\\input{x}$", "$$x$$", "@smith2020 [@key]",
    "^[footnote]", "[span]{.class onclick=x}", "<https://evil.example/>", "https://a.example/)[x](javascript:alert(1))",
    "{date} {title} {project}\n{profile}", "$' $& $` $1", "1. list", "- item", "# heading", "> quote", "::: div",
    "| a | b |", "a\\|b", "C:\\Users\\x", "--- dashes -- and...", "\"quotes\" 'single'", "~sub~ ^sup^ *em* _u_",
    "=HYPERLINK(\"http://x\")", "+1", "@SUM(A1)", "line one\nline two\r\nthree\tfour", "  padded  ", "", "\\",
    "naïve café — 数据 😀", "{{ 7 * 7 }} {% raw %}", "%% comment", "a\u2028b\u007fc",
]


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _html(markdown_text: str) -> _Tags:
    parser = _Tags()
    parser.feed(prose.site_markdown().reset().convert(markdown_text))
    parser.close()
    return parser


def _one_line(text: str) -> str:
    return " ".join(re.split(r"[ \t\n\r]+", text)).strip(" ")


@pytest.mark.parametrize("text", HOSTILE)
def test_markdown_text_is_inert_and_reads_as_typed_in_python_markdown(text: str) -> None:
    """The site's own Markdown (attribute lists, tables, task lists on): nothing but a paragraph, and
    its text is what was typed, on one line."""
    page = _html(f"Owner: {escape.markdown_text(text)}")
    assert [tag for tag, _ in page.tags] == ["p"], page.tags
    assert "".join(page.text) == f"Owner: {_one_line(text)}"


@pytest.mark.parametrize("url", [
    "https://a.example/)[x](javascript:alert(1))", "https://a.example/![i](http://x.example/i.png)",
    "https://a.example/`x`", "https://a.example/path_(1)?q=a&b=c#frag", "https://a.example/\\[x\\]",
    "https://ü.example/ö", "javascript:alert(1)", "http://a.example/ x", "https://a.example/<b>",
])
def test_markdown_url_is_one_http_link_or_inert_text(url: str) -> None:
    """An evidence link: exactly one link, to an http(s) address (which a browser reads as the same
    address), or no link at all."""
    page = _html(f"- evidence: {escape.markdown_url(url)}")
    links = [attrs["href"] for tag, attrs in page.tags if tag == "a"]
    assert all(htmlcheck.scheme(href) in ("http", "https") for href in links), links
    assert len(links) == (1 if escape._WEB_URL.match(url) else 0), (url, links)
    assert htmlcheck.scan(prose.site_markdown().reset().convert(f"- {escape.markdown_url(url)}")) == []


@pytest.mark.parametrize("text", ["Twitter | X", "a\\|b", "ends with \\", "x\ny"])
def test_markdown_cell_stays_in_its_cell(text: str) -> None:
    table = f"| h | i |\n| --- | --- |\n| {escape.markdown_cell(text)} | after |"
    cells = [data for data in _html(table).text if data.strip()]
    assert cells[-1] == "after" and len(cells) == 4, cells


def _pandoc_paragraphs(texts: list[str]) -> list[str]:
    """Each text, as pandoc reads it back: its inline text, or a marker for anything that is not text."""
    doc = json.loads(pypandoc.convert_text("\n\n".join(texts), "json", format="markdown"))

    def inline(nodes: list[dict]) -> str:
        kinds = {"Str": lambda n: n["c"], "Space": lambda n: " "}
        return "".join(kinds[n["t"]](n) if n["t"] in kinds else f"<<{n['t']}>>" for n in nodes)

    return [inline(b["c"]) if b["t"] == "Para" else f"<<{b['t']}>>" for b in doc["blocks"]]


def test_pandoc_text_reads_back_as_typed_and_nothing_else() -> None:
    texts = [t for t in HOSTILE if _one_line(t)]
    assert _pandoc_paragraphs([escape.pandoc_text(t) for t in texts]) == [_one_line(t) for t in texts]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from(list("\\`*_[]{}<>$@^~&#|\"'!-.:()=+%/1aA \n")) ,
                        min_size=1, max_size=24).filter(lambda t: _one_line(t)), min_size=1, max_size=8))
def test_pandoc_text_reads_back_as_typed_for_any_punctuation(texts: list[str]) -> None:
    assert _pandoc_paragraphs([escape.pandoc_text(t) for t in texts]) == [_one_line(t) for t in texts]


@pytest.mark.parametrize("text", [t for t in HOSTILE if _one_line(t)])
def test_pandoc_metadata_is_one_yaml_string_and_no_tex_reaches_latex(text: str) -> None:
    head = f"---\ntitle: {escape.pandoc_metadata(text)}\n---\n\nBody.\n"
    assert isinstance(yaml.safe_load(head.split("---\n")[1])["title"], str)
    latex = pypandoc.convert_text(head, "latex", format="markdown", extra_args=["--standalone"])
    title = latex[latex.index("\\title{"):].split("\n")[0]
    assert not re.search(r"\\(?:input|write|include|immediate|def|catcode)\b", title), title
    assert "$" not in title.replace("\\$", ""), title


@pytest.mark.parametrize("text", ["\\input{/etc/passwd}", "$x^2$ costs $5", "a \\write18{x} b", "100% & #1 _x_ ~y"])
def test_tex_text_leaves_no_tex_command_in_bibtex(text: str) -> None:
    from pybtex.database import BibliographyData, Entry, parse_string
    from pybtex.database.output.bibtex import Writer

    written = Writer().to_string(BibliographyData({"k": Entry("misc", fields={"title": escape.tex_text(text)})}))
    assert htmlcheck.check_bibtex(written) == []
    parsed = parse_string(written, "bibtex").entries["k"].fields["title"]
    assert "\\input" not in parsed.replace("\\textbackslash{}input", "") and "\\write" not in parsed.replace(
        "\\textbackslash{}write", "")


@pytest.mark.parametrize("text", HOSTILE)
def test_yaml_scalar_reads_back_as_the_same_string(text: str) -> None:
    assert yaml.safe_load(f"v: {escape.yaml_scalar(text)}\n") == {"v": text}


def test_the_page_escapes_exactly_as_python_does() -> None:
    """engine/escape.js's markdownText, markdownUrl, markdownCell, pandocText, yamlScalar and csvCell, under
    Node, on every hostile string: byte for byte what escape.py gives."""
    functions = {"markdownText": escape.markdown_text, "markdownUrl": escape.markdown_url,
                 "markdownCell": escape.markdown_cell, "pandocText": escape.pandoc_text,
                 "yamlScalar": escape.yaml_scalar, "csvCell": None}
    texts = HOSTILE + ["https://a.example/x y", "https://a.example/ü_(x)", "HTTPS://A.example/[x]", "(a) 3) iv. x"]
    jobs = [{"fn": fn, "text": t} for fn in functions for t in texts]
    proc = subprocess.run(["node", str(HERE / "js" / "escape_runner.js")], input=json.dumps(jobs),
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    for job, js in zip(jobs, json.loads(proc.stdout), strict=True):
        if job["fn"] == "csvCell":  # one cell of a row (Python's writer quotes a row's only empty cell)
            js, expected = js + ",x", escape.csv_text([[job["text"], "x"]]).removesuffix("\n")
        else:
            expected = functions[job["fn"]](job["text"])
        assert js == expected, job


def test_every_writer_of_user_text_uses_the_escaping_module() -> None:
    """No writer quotes user text for YAML or Markdown by hand (`json.dumps` into a metadata block,
    a bare `<{url}>`): they call fieldguide.escape."""
    root = Path(__file__).parent.parent / "scripts" / "fieldguide"
    for name in ("brief.py", "checklist.py", "plan.py", "export.py"):
        text = (root / name).read_text(encoding="utf-8")
        assert "json.dumps(text" not in text and "<{s.evidence}>" not in text, name
