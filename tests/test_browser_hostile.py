"""A site built from a catalog full of injection attempts that pass `check`: nothing executes.

What `check` refuses (raw HTML, script links, images, attribute lists) is covered in
test_hostile.py; here are the payloads it lets through, which the generator must render inert.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import expect

from browser import BUILDERS, Site, built_site, local_date, storage_key
from conftest import REAL, small_project
from fieldguide import load

PAYLOADS = {
    "quotes": "Payload \"double\" 'single' `tick` <> & | { } [ ]",
    "entities": "&lt;script&gt;window.__pwned = 1&lt;/script&gt; &#60;img src=x onerror=window.__pwned=1&#62;",
    # Braces are written escaped: a bare {...} is attribute-list syntax, which `check` refuses.
    "jinja": r"\{\{ 7 * 7 \}\} \{% raw %\} $\{7 * 7\}",
    "mermaid": r"%%\{init: \{'securityLevel': 'loose'\}\}%% click c call window.__pwned()",
    "scheme": "javascript:window.__pwned=1 as plain text, and a [safe link](https://example.org/)",
}
# Issue 19: a summary that closes the `content` attribute of the page's <meta name="description">
# (before, every visitor of the page was redirected to another site). It passes `check`: it is text.
BREAKOUT = '0;url=https://evil.example/" http-equiv="refresh'
BREAKOUT_TITLE = 'Profiling &lt;/title&gt; "quoted" <- arrow'  # entities and quotes in the head's <title>


@pytest.fixture(scope="module", params=BUILDERS)
def hostile_site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    project = small_project(tmp_path_factory.mktemp("hostile-project"), "Hostile catalog")
    catalog = project / "catalog"
    short = f"{PAYLOADS['quotes']} {PAYLOADS['mermaid']}"  # fits one-line fields (titles: 400 characters)
    long = " | ".join(PAYLOADS.values())
    for path in catalog.rglob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        entries = data.get("stages") or data.get("industries") or [data]
        for entry in entries:
            for key in ("title", "summary", "organization"):
                if key in entry:
                    entry[key] = f"{entry[key]} {short}"
            for key in ("description", "what_happened"):
                if key in entry:
                    entry[key] = f"{entry[key]}\n\n{long}"
            for item in entry.get("checklist", []):
                item["text"] = f"{item['text']} {PAYLOADS['quotes']}"
        if data.get("id") == "data-profiling":
            data["summary"], data["title"] = BREAKOUT, BREAKOUT_TITLE
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    load.load(catalog)  # the payloads pass `check`: the generator has to make them harmless
    yield from built_site(project, tmp_path_factory.mktemp(f"hostile-site-{request.param}"), request.param)


def test_nothing_from_the_catalog_executes(page, hostile_site: Site) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    pages = hostile_site.pages()
    assert "challenges/data-discovery/" in pages
    for path in pages:
        page.goto(hostile_site.url + path, wait_until="load")
        if page.locator("pre.fg-diagram").count():  # diagrams draw when scrolled near
            page.locator("pre.fg-diagram").first.scroll_into_view_if_needed()
            page.locator(".fg-diagram-svg svg").first.wait_for(timeout=15000)
        assert page.evaluate("window.__pwned") is None, path
    assert dialogs == []
    assert page.watch.foreign_requests == []
    page.goto(hostile_site.url + "challenges/data-discovery/", wait_until="load")
    body = page.locator("article").first.inner_text()
    assert "<script>window.__pwned = 1</script>" in body, "escaped markup shows as text"
    assert "%%{init:" in body, "a Mermaid directive in a title stays text"
    assert "{{ 7 * 7 }}" in body, "catalog text is never evaluated as a template"


def test_checklist_items_with_payloads_still_work(page, hostile_site: Site) -> None:
    page.goto(hostile_site.url + "checklists/data-management/", wait_until="networkidle")
    page.locator("#done-data-discovery-source-owners").check()
    page.reload(wait_until="networkidle")
    assert page.locator("#done-data-discovery-source-owners").is_checked()
    assert page.evaluate("window.__pwned") is None


def test_a_summary_that_closes_the_description_attribute_does_nothing(page, hostile_site: Site) -> None:
    """The head gets the summary as text: no refresh, no request to the other site, and the meta
    description says exactly what the catalog says."""
    navigations: list[str] = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url))
    url = hostile_site.url + "challenges/data-profiling/"
    page.goto(url, wait_until="load")
    page.wait_for_timeout(1500)  # a refresh with a delay of 0 would have happened by now
    assert page.url == url and all(not u.startswith("https://evil.example") for u in navigations), navigations
    assert page.evaluate("document.querySelector('meta[name=description]').content") == BREAKOUT
    assert page.evaluate("document.querySelectorAll('meta[http-equiv]').length") == 0
    assert page.title().startswith(BREAKOUT_TITLE)
    assert page.watch.foreign_requests == []


# ---------------------------------------------------------------- lookups and work keyed by what a visitor types

PROTOTYPE = ["constructor", "__proto__", "toString", "hasOwnProperty"]


def test_prototype_words_in_the_search_box_are_only_words(page, site) -> None:
    """`constructor` or `__proto__` as a query word threw on every keystroke."""
    page.goto(site.url, wait_until="networkidle")
    page.locator(".fg-search-open").click()
    page.locator("#fg-search-input").press_sequentially(" ".join(PROTOTYPE), delay=5)
    page.locator("#fg-search-status").filter(has_text="toString").wait_for()
    assert page.watch.console_errors == []


def test_a_shared_plan_link_with_prototype_names_and_a_huge_description_still_plans(page, site) -> None:
    """An industry or trait named like Object.prototype's members gave NaN scores; a 5,000-word
    description blocked the page for seconds. The plan ranks with numbers, and says what it reads."""
    words = " ".join(f"drift{i}" for i in range(5000))
    params = "&".join(["plan=1", "industry=constructor", "trait=__proto__", "trait=constructor",
                       "stage=data-management", f"description={words}"])
    page.goto(f"{site.url}planner/?{params}", wait_until="networkidle")
    items = page.locator(".fg-plan-item")
    items.first.wait_for()
    scores = [items.nth(i).get_attribute("data-score") for i in range(items.count())]
    assert scores and all(re.fullmatch(r"\d+(?:\.\d+)?", s) for s in scores), scores[:3]
    assert "NaN" not in page.locator("#fg-plan-results").inner_text()
    heading = items.first.locator("h3")
    assert heading.inner_text() == heading.locator("a").inner_text(), "no unexplained number beside the title"
    message = page.locator(".fg-message").first.inner_text()
    assert "Only the first 4000 characters of the description are read" in message
    assert page.watch.console_errors == []


def test_a_saved_citation_key_named_like_a_prototype_member_is_left_out(page, site) -> None:
    """A basket key `constructor` left "Your citations" on "Loading…". (The basket's key is scoped by
    the site's path since storage was scoped per site: `/.fieldguide-citations-v1` at the root.)"""
    page.goto(site.url, wait_until="networkidle")
    # The guide's own key (scoped by its path): the unscoped key of older versions is copied only once,
    # on the first page this browser showed, so writing it now would test nothing.
    page.evaluate("""k => localStorage.setItem(k, JSON.stringify({version: 1,
        pages: ['constructor', 'fieldguide-concept-drift', 'tostring']}))""",
                  storage_key(site, "fieldguide-citations-v1"))
    page.goto(site.url + "citations/", wait_until="networkidle")
    summary = page.locator(".fg-basket-summary")
    expect(summary).to_contain_text("1 page")
    expect(summary).to_contain_text("2 saved page(s) are no longer in the guide")
    assert page.watch.console_errors == []


def test_the_planner_says_plainly_when_its_data_does_not_load(page, site) -> None:
    page.route("**/planner/data.json", lambda route: route.fulfill(status=404, body="missing"))
    page.goto(site.url + "planner/", wait_until="networkidle")
    alert = page.locator(".fg-alert").first
    expect(alert).to_contain_text("The planner's data could not be loaded")
    expect(alert).to_contain_text("fieldguide plan --profile")


HOSTILE_NAME = r"<img src=x onerror=alert(1)> [x](javascript:alert(1)) `\input{/etc/passwd}`{=latex} $' {date} @key"


def test_a_hostile_project_name_is_inert_in_the_plan_and_the_brief(page, site) -> None:
    """The page's plan.md read by Python-Markdown and brief.md read by pandoc (to HTML and LaTeX):
    no live link, image, handler, raw block or TeX command; the brief is byte for byte `fieldguide
    brief`'s, and pandoc reads its title as typed."""
    import markdown
    import pypandoc

    from fieldguide import brief, graph, htmlcheck, plan
    from fieldguide import load as load_catalog
    from fieldguide.schema import Profile
    from test_browser_checklists import brief_downloads

    page.goto(site.url + "planner/", wait_until="networkidle")
    page.locator("#fg-plan-name").fill(HOSTILE_NAME)
    page.locator(".fg-plan-item").first.wait_for()
    with page.expect_download() as info:
        page.locator("[data-fg-plan-export=md]").click()
    plan_md = Path(info.value.path()).read_text(encoding="utf-8")
    rendered = markdown.markdown(plan_md, extensions=["attr_list", "tables"])
    assert htmlcheck.scan(rendered) == [], htmlcheck.scan(rendered)
    assert "<img" not in rendered and 'href="javascript:' not in rendered
    files = brief_downloads(page)
    cat = load_catalog.load(REAL)
    g = graph.build(cat)
    ranked = plan.rank(cat, g, Profile())
    today = local_date(page)
    expected, _ = brief.brief(cat, g, [r.id for r in ranked[:5]], site.url, ranked=ranked, profile_text="general",
                              project=HOSTILE_NAME, date=today)
    assert files["brief.md"] == expected
    latex = pypandoc.convert_text(files["brief.md"], "latex", format="markdown", extra_args=["--standalone"])
    assert "\\input{" not in latex and "\\includegraphics" not in latex
    html_text = pypandoc.convert_text(files["brief.md"], "html", format="markdown", extra_args=["--standalone"])
    assert "<img" not in html_text and 'href="javascript:' not in html_text
    meta = json.loads(pypandoc.convert_text(files["brief.md"], "json", format="markdown"))["meta"]
    title = "".join(n["c"] if n["t"] == "Str" else " " for n in meta["title"]["c"])
    assert title == f"Design-review brief: {HOSTILE_NAME}"
