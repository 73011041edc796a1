"""The page code is ES modules: no shared globals, and what a reader sees of it still works where the
modules' timing or the site's root could break it (the 404 page, the palette before paint)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

# Names the page code may add to `window` on purpose: none.
ALLOWED_GLOBALS: set[str] = set()
OWN_CODE = re.compile(r"/assets/javascripts/(?!bundle\.[0-9a-f]+\.min\.js)")  # all but Material's bundle
PAGES = ["", "checklists/data-management/", "checklists/", "planner/", "citations/", "challenges/concept-drift/",
         "case-studies/"]


def _window_names(browser, url: str, block_own_code: bool) -> tuple[set[str], list[str]]:
    context = browser.new_context()
    if block_own_code:
        context.route(OWN_CODE, lambda route: route.abort())
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.goto(url, wait_until="networkidle")
    names = set(tab.evaluate("Object.getOwnPropertyNames(window)"))
    scripts = tab.evaluate("[...document.scripts].filter(s => s.src).map(s => [s.src, s.type])")
    context.close()
    own = [src for src, kind in scripts if OWN_CODE.search(src) and kind != "module"]
    assert not own, f"classic scripts share one global scope: {own}"
    return names, errors


@pytest.mark.parametrize("path", PAGES)
def test_the_page_code_adds_no_global_name(browser, site, path: str) -> None:
    """Every script of ours is a module, and `window` gains no name from them: the same names with our
    modules loaded as with them blocked (Material's own globals are in both)."""
    without, _ = _window_names(browser, site.url + path, block_own_code=True)
    with_code, errors = _window_names(browser, site.url + path, block_own_code=False)
    assert errors == []
    assert with_code - without <= ALLOWED_GLOBALS, sorted(with_code - without)
    assert "document$" in without, "the comparison sees Material's globals"


@pytest.mark.parametrize("missing", ["no-such-page/", "challenges/no-such-challenge/"])
def test_search_works_on_the_404_page(page, site, missing: str) -> None:
    """A host serves 404.html at any missing address; its config gives the root as an absolute path
    ("/"), which once resolved to "//" and broke every script there."""
    body = (site.root / "404.html").read_bytes()
    page.route(site.url + missing, lambda route: route.fulfill(status=404, body=body, content_type="text/html"))
    response = page.goto(site.url + missing, wait_until="networkidle")
    assert response.status == 404
    page.locator(".fg-search-open").click()
    page.locator("#fg-search-input").press_sequentially("concept drift", delay=10)
    page.locator("#fg-search-status").filter(has_text="concept drift").wait_for()
    first = page.locator("#fg-search-results a.fg-search-hit").first
    assert first.get_attribute("href") == site.url + "challenges/concept-drift/"
    first.click()
    page.wait_for_url(site.url + "challenges/concept-drift/")
    expect(page.locator("article h1")).to_contain_text("Concept drift")
    assert _unexpected(page.watch.console_errors) == []


def _unexpected(errors: list[str]) -> list[str]:
    """Console errors other than the browser's note that the missing page answered 404."""
    return [e for e in errors if "responded with a status of 404" not in e]


def test_the_stored_scheme_is_drawn_before_any_page_code_runs(browser, site) -> None:
    """The palette module runs deferred, after the document is parsed: the reader's stored choice must
    not wait for it. Material's inline script applies it while the body is parsed; our module then
    only marks the toggle."""
    context = browser.new_context(color_scheme="light")
    tab = context.new_page()
    tab.goto(site.url + "challenges/", wait_until="networkidle")
    tab.locator("label[title='Switch to light mode']").click()
    tab.locator("label[title='Switch to dark mode']").click()
    expect(tab.locator("body")).to_have_attribute("data-md-color-scheme", "slate")
    context.route(OWN_CODE, lambda route: route.abort())
    tab.goto(site.url + "planner/", wait_until="networkidle")
    assert tab.evaluate("document.body.getAttribute('data-md-color-scheme')") == "slate"
    assert tab.locator("form[data-fg-palette] label:not([hidden])").count() == 0, "our code did not run"
    context.unroute(OWN_CODE)
    tab.goto(site.url + "planner/", wait_until="networkidle")
    expect(tab.locator("label[title='Switch to the system setting']")).to_be_visible()
    assert tab.evaluate("document.body.getAttribute('data-md-color-scheme')") == "slate"
    context.close()


def test_search_works_on_the_404_page_of_a_site_in_a_folder(page, tmp_path) -> None:
    """Published in a folder (owner.github.io/guide/), the 404 page's root is "/guide/"."""
    from browser import build, free_port, serve
    from conftest import small_project

    (tmp_path / "project").mkdir()
    project = small_project(tmp_path / "project", "A guide in a folder")
    port = free_port()
    url = f"http://127.0.0.1:{port}/guide/"
    build(project, tmp_path / "origin" / "guide", url)
    body = (tmp_path / "origin" / "guide" / "404.html").read_bytes()
    page.route(url + "gone/", lambda route: route.fulfill(status=404, body=body, content_type="text/html"))
    with serve(tmp_path / "origin", port):
        page.goto(url + "gone/", wait_until="networkidle")
        page.locator(".fg-search-open").click()
        page.locator("#fg-search-input").press_sequentially("feedback loops", delay=10)
        page.locator("#fg-search-status").filter(has_text="feedback loops").wait_for()
        assert page.locator("#fg-search-results a.fg-search-hit").first.get_attribute("href") \
            == url + "challenges/feedback-loops/"
    assert _unexpected(page.watch.console_errors) == []
