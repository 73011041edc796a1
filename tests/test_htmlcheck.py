"""Check what we emit: the page check the build runs on every page, and a build it must stop."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config

from conftest import REAL, VALID
from fieldguide import htmlcheck, schema

ROOT = REAL.parent
ARTICLE = '<html><head><script src="/assets/x.js"></script></head><body><nav><a href="/">Home</a></nav>' \
          '<article class="md-content__inner md-typeset">{}</article><footer></footer></body></html>'


@pytest.mark.parametrize("html_text", [
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="&#106;avascript:alert(1)">x</a>',
    '<a href="&#x6A;avascript&#58;alert(1)">x</a>',
    '<a href="java&#x0A;script:alert(1)">x</a>',
    '<a href="java\tscript:alert(1)">x</a>',
    '<a href=" &#1;javascript:alert(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<form action="javascript:alert(1)"></form>',
    '<button formaction="javascript:alert(1)">x</button>',
    '<img src="javascript:alert(1)">',
    '<p onclick="">x</p>',
    "<p onclick>x</p>",
    '<svg><a xlink:href="javascript:alert(1)">x</a></svg>',
    '<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>',
    "<script>alert(1)</script>",
    '<p style="background:url(https://evil.example/)">x</p>',
    "</article><script>alert(1)</script><article>",  # closing the content early does not escape the check
])
def test_unsafe_markup_in_the_content_is_reported(html_text: str) -> None:
    assert htmlcheck.check_page(ARTICLE.format(html_text)), html_text


@pytest.mark.parametrize("html_text", [
    '<a href="https://example.org/?a=1&amp;b=2">x</a> <a href="mailto:a@example.org">m</a>',
    '<a href="../stages/data-management/#data-collection">x</a> <a href="#top">t</a>',
    '<a href="javascript">a relative page named javascript</a>',
    '<table><tr><td style="text-align: left;">1</td></tr></table>',
    "<p>javascript:alert(1) as text</p>",
])
def test_safe_markup_is_not_reported(html_text: str) -> None:
    assert htmlcheck.check_page(ARTICLE.format(html_text)) == []


def test_duplicate_ids_on_a_page_are_reported() -> None:
    problems = htmlcheck.check_page(ARTICLE.format('<h2 id="checklist">A</h2><h3 id="checklist">B</h3>'))
    assert problems == ["line 1: id 'checklist' is used twice on the page"]


def test_the_theme_outside_the_content_may_use_its_own_scripts() -> None:
    assert htmlcheck.check_page(ARTICLE.format("<p>text</p>")) == []


def test_hand_written_pages_may_hold_figures_but_never_script_links() -> None:
    """content/ pages are reviewed like code (the home page draws its workflow as inline SVG): their
    elements are trusted, their links and handlers are not."""
    figure = '<svg role="img"><title>Workflow</title><path d="M0 0h10"/></svg>'
    assert htmlcheck.check_page(ARTICLE.format(figure), content_rules=False) == []
    assert htmlcheck.check_page(ARTICLE.format(figure)), "a generated page may not carry an SVG"
    for unsafe in ('<a href="javascript:alert(1)">x</a>', '<svg onload="alert(1)"></svg>'):
        assert htmlcheck.check_page(ARTICLE.format(unsafe), content_rules=False), unsafe


def _project(tmp_path: Path, description: str) -> Path:
    """A site project with the real configuration and the small valid catalog (see test_browser_hostile)."""
    project = tmp_path / "project"
    project.mkdir()
    (project / "scripts").symlink_to(ROOT / "scripts")
    (project / "content").mkdir()
    (project / "content" / "assets").symlink_to(ROOT / "content" / "assets")
    (project / "content" / "index.md").write_text("# Planted\n\n[All challenges](challenges/index.md)\n")
    (project / "mkdocs.yml").write_text(f"INHERIT: {ROOT / 'mkdocs.yml'}\nnav:\n  - index.md\n")
    shutil.copytree(VALID, project / "catalog")
    path = project / "catalog" / "challenges" / "data-discovery.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("description: |")
    end = text.index("signals:")
    block = "".join(f"  {line}\n" for line in description.splitlines())
    path.write_text(text[:start] + "description: |\n" + block + text[end:], encoding="utf-8")
    return project


def _build(project: Path, site: Path) -> None:
    build(load_config(str(project / "mkdocs.yml"), site_dir=str(site)))


def test_a_script_link_past_the_source_check_fails_the_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                              caplog: pytest.LogCaptureFixture) -> None:
    project = _project(tmp_path, "Read [the note][r7].\n\n> [r7]: javascript:alert(1)")
    monkeypatch.setattr(schema, "_safe_prose", lambda value: value)  # as if `check` had missed it
    site = tmp_path / "site"
    with caplog.at_level(logging.ERROR), pytest.raises(Exception):  # noqa: B017 - mkdocs aborts with its own type
        _build(project, site)
    message = "\n".join(r.getMessage() for r in caplog.records)
    assert "unsafe output in challenges/data-discovery.md" in message
    assert "<a> attribute href = 'javascript:alert(1)'" in message
    assert "catalog/challenges/data-discovery.yaml:6: data-discovery: description" in message, "names file and field"
    assert not (site / "challenges" / "data-discovery" / "index.html").exists(), "the bad page is never written"


def test_the_same_project_builds_with_a_safe_link(tmp_path: Path) -> None:
    project = _project(tmp_path, "Read [the note][r7].\n\n> [r7]: https://example.org/note")
    _build(project, tmp_path / "site")
    page = (tmp_path / "site" / "challenges" / "data-discovery" / "index.html").read_text(encoding="utf-8")
    assert 'href="https://example.org/note"' in page
