"""The built site in a real browser: every page clean, citations that parse, accessibility.

Search has its own file: test_browser_search.py.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from pybtex.database import parse_string

from browser import axe_violations, local_date
from fieldguide import cite, load

CAT = load.load("catalog")


def test_every_page_loads_without_console_errors_or_foreign_requests(page, site) -> None:
    pages = site.pages()
    # every entity has its page
    assert len(pages) >= len(CAT.challenges) + len(CAT.case_studies) + len(CAT.mitigations) + len(CAT.stages)
    for path in site.sweep():
        page.goto(site.url + path, wait_until="load")
        if page.locator("pre.fg-diagram").count():  # diagrams draw when scrolled near
            page.locator("pre.fg-diagram").first.scroll_into_view_if_needed()
            page.locator(".fg-diagram-svg svg").first.wait_for(timeout=15000)
    assert page.watch.console_errors == []
    assert page.watch.foreign_requests == []


def test_diagrams_render_from_the_sites_own_copy_of_mermaid(page, site) -> None:
    page.goto(site.url + "challenges/concept-drift/", wait_until="networkidle")
    svg = page.locator(".fg-diagram-svg svg")
    assert svg.count() == 0, "Mermaid loads only when a diagram comes near the screen"
    page.locator("pre.fg-diagram").scroll_into_view_if_needed()
    svg.wait_for()
    assert "Concept drift" in svg.text_content()
    assert page.locator("pre.fg-diagram").is_hidden()


@pytest.mark.parametrize("path", ["challenges/concept-drift/", "case-studies/booking-com-business-metrics/"])
def test_citation_box_bibtex_parses_with_pybtex(page, site, path: str) -> None:
    page.goto(site.url + path, wait_until="load")
    entity = CAT.challenges.get(path.split("/")[1]) or CAT.case_studies[path.split("/")[1]]
    sources = parse_string(page.locator(".fg-bibtex code").inner_text(), "bibtex")
    survey = cite.survey_family(CAT)  # left out of each box, so two pasted boxes repeat no entry
    assert list(sources.entries) == [r for r in entity.references if r not in survey]
    this_page = parse_string(page.locator(".fg-page-bibtex code").inner_text(), "bibtex")
    (entry,) = this_page.entries.values()
    assert entry.fields["url"] == site.url + path
    assert entity.title == entry.fields["title"].replace("{", "").replace("}", "")
    assert [str(p) for p in entry.persons["author"]] == ["{ML Deployment Field Guide contributors}"]


def test_citation_box_gives_the_readers_own_access_date(page, site) -> None:
    """The build cannot know when a page is read: the page's script adds today's date, not the release's."""
    page.goto(site.url + "challenges/model-stealing/", wait_until="networkidle")
    today = local_date(page)
    citation = page.locator(".fg-page-citation")
    expect(citation).to_have_text(re.compile(rf"/challenges/model-stealing/ Accessed {today}\.$"))
    (entry,) = parse_string(page.locator(".fg-page-bibtex code").inner_text(), "bibtex").entries.values()
    assert entry.fields["urldate"] == today
    assert page.locator(".fg-page-bibtex code span.na", has_text="urldate").count() == 1, "highlighted alike"


def test_case_studies_filter_by_industry(page, site) -> None:
    page.goto(site.url + "case-studies/", wait_until="load")
    page.select_option("#fg-industry", "healthcare")
    visible = page.locator("section.fg-group:visible")
    assert visible.count() == 1
    names = visible.locator("a strong").all_inner_texts()
    expected = [s.title for s in CAT.case_studies.values() if s.industry == "healthcare"]
    assert sorted(names) == sorted(expected)
    page.select_option("#fg-industry", "")
    assert page.locator("section.fg-group:visible").count() == len({s.industry for s in CAT.case_studies.values()})


@pytest.mark.parametrize("path", ["", "challenges/concept-drift/", "case-studies/sepsis-watch/", "case-studies/",
                                  "stages/data-management/"])
def test_no_serious_accessibility_violation(page, site, path: str) -> None:
    page.goto(site.url + path, wait_until="networkidle")
    page.wait_for_timeout(300)
    assert axe_violations(page) == []
