"""The citation basket, the dark scheme and the home page, in a real browser."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pybtex.database import parse_string

from browser import axe_violations, local_date, storage_key
from conftest import REAL
from fieldguide import cite, load

CAT = load.load(REAL)


def collect(page, site, path: str) -> None:
    page.goto(site.url + path, wait_until="networkidle")
    button = page.locator(".fg-add-cite")
    expect(button).to_have_text("Add to citations")
    button.click()
    expect(button).to_have_text("Remove from citations")
    expect(button).to_have_attribute("aria-pressed", "true")
    expect(page.locator(".fg-basket-status")).to_contain_text("Added")


def download(page, selector: str) -> str:
    with page.expect_download() as info:
        page.locator(selector).click()
    return Path(info.value.path()).read_text(encoding="utf-8")


def test_basket_exports_each_entry_once_from_several_pages(page, site) -> None:
    pages = ["challenges/concept-drift/", "case-studies/booking-com-business-metrics/",
             "mitigations/great-expectations/"]
    for path in pages:
        collect(page, site, path)
    page.goto(site.url + "citations/", wait_until="networkidle")
    expect(page.locator(".fg-basket-list li")).to_have_count(3)
    expect(page.locator(".fg-basket-summary")).to_contain_text("3 pages")
    bib = parse_string(download(page, "[data-fg-basket-export=bib]"), "bibtex")  # fails on a repeated key
    ids = [p.split("/")[1] for p in pages]
    sources = set(cite.expand(CAT, [r for i in ids for r in ((CAT.challenges.get(i) or CAT.case_studies.get(i)
                                                              or CAT.mitigations[i]).references)]))
    assert set(bib.entries) == {f"fieldguide-{i}" for i in ids} | sources
    assert "paleyes2022challenges" in sources and "paleyes2020challenges" not in sources, "the survey as published"
    assert bib.entries["fieldguide-concept-drift"].fields["url"] == site.url + "challenges/concept-drift/"
    csl = json.loads(download(page, "[data-fg-basket-export=csl]"))
    assert sorted(item["id"] for item in csl) == sorted(bib.entries)
    markdown = download(page, "[data-fg-basket-export=md]")
    assert "bibliography: citations.bib" in markdown and "[@fieldguide-concept-drift]" in markdown
    assert set(re.findall(r"@([a-z0-9-]+)", markdown)) == set(bib.entries)


def test_basket_cites_the_survey_as_published_and_both_versions_only_when_asked(page, site) -> None:
    collect(page, site, "challenges/data-dispersion/")
    page.goto(site.url + "citations/", wait_until="networkidle")
    today = local_date(page)
    bib = parse_string(download(page, "[data-fg-basket-export=bib]"), "bibtex")
    assert "paleyes2022challenges" in bib.entries and "paleyes2020challenges" not in bib.entries
    assert bib.entries["fieldguide-data-dispersion"].fields["urldate"] == today, "the reader's access date"
    assert "urldate" not in bib.entries["paleyes2022challenges"].fields, "only pages get one"
    csl = {item["id"]: item for item in json.loads(download(page, "[data-fg-basket-export=csl]"))}
    assert csl["fieldguide-data-dispersion"]["accessed"] == {"date-parts": [[int(p) for p in today.split("-")]]}
    expect(page.locator("#fg-basket-text")).to_have_value(re.compile(rf"Accessed {today}\."))
    page.locator("#fg-basket-preprints").check()
    bib = parse_string(download(page, "[data-fg-basket-export=bib]"), "bibtex")
    assert {"paleyes2022challenges", "paleyes2020challenges"} <= set(bib.entries)
    assert list(bib.entries).index("paleyes2022challenges") < list(bib.entries).index("paleyes2020challenges")
    expect(page.locator("#fg-basket-text")).to_have_value(re.compile(r"arXiv"))


def test_basket_formats_in_three_styles_and_removes_items(page, site) -> None:
    collect(page, site, "challenges/model-stealing/")
    page.goto(site.url + "citations/", wait_until="networkidle")
    text = page.locator("#fg-basket-text")
    expect(text).to_have_value(re.compile(r"^\[1\] ML Deployment Field Guide contributors\. “Model stealing”"))
    page.select_option("#fg-basket-style", "alpha")
    expect(text).to_have_value(re.compile(r"\[TZJ\+16\] Florian Tramèr"))
    page.select_option("#fg-basket-style", "authoryear")
    expect(text).to_have_value(re.compile(r"Tramèr et al\., 2016\. Florian Tramèr"))
    assert "\\" not in text.input_value(), "plain text, no Markdown escapes"
    page.locator("[data-fg-basket-remove]").click()
    expect(page.locator(".fg-basket-list li")).to_have_count(0)
    expect(page.locator(".fg-basket-summary")).to_contain_text("No citations yet")
    expect(page.locator("[data-fg-basket-export=bib]")).to_be_disabled()


def test_unreadable_saved_basket_is_kept_aside_not_lost(page, site) -> None:
    key = storage_key(site, "fieldguide-citations-v1")  # scoped by the site's path
    page.goto(site.url + "citations/", wait_until="networkidle")
    page.evaluate("k => localStorage.setItem(k, '{broken')", key)
    page.reload(wait_until="networkidle")
    expect(page.locator(".fg-basket-summary")).to_contain_text("No citations yet")
    kept = page.evaluate("k => Object.keys(localStorage).filter(x => x.startsWith(k + '.unreadable'))", key)
    assert len(kept) == 1 and page.evaluate(f"localStorage.getItem('{kept[0]}')") == "{broken"
    page.evaluate("k => localStorage.setItem(k, '{broken again')", key)
    page.reload(wait_until="networkidle")
    kept = page.evaluate("k => Object.keys(localStorage).filter(x => x.startsWith(k + '.unreadable'))", key)
    assert len(kept) == 1 and page.evaluate(f"localStorage.getItem('{kept[0]}')") == "{broken again", \
        "one aside copy, the newest: copies never pile up"


def test_a_refused_write_says_not_saved_and_changes_nothing(page, site) -> None:
    page.goto(site.url + "challenges/concept-drift/", wait_until="networkidle")
    page.evaluate("() => { Storage.prototype.setItem = () => {"
                  " throw new DOMException('full', 'QuotaExceededError'); }; }")  # storage full
    button = page.locator(".fg-add-cite")
    button.click()
    expect(page.locator(".fg-basket-status")).to_contain_text("Not saved")
    expect(button).to_have_text("Add to citations")
    assert page.evaluate("k => localStorage.getItem(k)", storage_key(site, "fieldguide-citations-v1")) is None
    assert page.watch.console_errors == []


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 800}, {"width": 390, "height": 844}])
def test_home_first_screen_leads_to_catalog_planner_checklists_and_citations(browser, site, viewport) -> None:
    context = browser.new_context(viewport=viewport)
    tab = context.new_page()
    requests: list[str] = []
    tab.on("request", lambda r: requests.append(r.url))
    tab.goto(site.url, wait_until="networkidle")
    for name, href in (("All challenges", "challenges/"), ("Planner", "planner/"), ("Checklists", "checklists/"),
                       ("Your citations", "citations/")):
        link = tab.locator(".fg-start a", has_text=name)
        expect(link).to_be_visible()
        assert link.evaluate("a => a.href") == site.url + href
        box = link.bounding_box()
        assert box["y"] + box["height"] <= viewport["height"], f"{name} is below the first screen"
    assert not [u for u in requests if "mermaid" in u], "the home page loads no Mermaid"
    context.close()


@pytest.mark.parametrize("path", ["", "challenges/concept-drift/", "case-studies/sepsis-watch/", "planner/",
                                  "checklists/data-management/", "citations/", "mitigations/alibi-detect/",
                                  "changelog/"])
def test_dark_scheme_follows_the_reader_and_is_accessible(browser, site, path: str) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="dark")
    tab = context.new_page()
    tab.goto(site.url + path, wait_until="networkidle")
    assert tab.evaluate("document.body.getAttribute('data-md-color-scheme')") == "slate"
    tab.wait_for_timeout(300)
    assert axe_violations(tab) == [], path
    context.close()


def test_scheme_toggle_switches_to_dark_and_is_remembered(browser, site) -> None:
    context = browser.new_context(color_scheme="light")
    tab = context.new_page()
    tab.goto(site.url + "challenges/", wait_until="networkidle")
    assert tab.evaluate("document.body.getAttribute('data-md-color-scheme')") == "default"
    tab.locator("label[title='Switch to light mode']").click()  # from following the system to light
    tab.locator("label[title='Switch to dark mode']").click()
    expect(tab.locator("body")).to_have_attribute("data-md-color-scheme", "slate")
    tab.goto(site.url + "planner/", wait_until="networkidle")
    expect(tab.locator("body")).to_have_attribute("data-md-color-scheme", "slate")
    context.close()


def test_scheme_toggle_works_from_the_keyboard_and_following_the_system_tracks_it(browser, site) -> None:
    context = browser.new_context(color_scheme="light")
    tab = context.new_page()
    tab.goto(site.url + "checklists/data-management/", wait_until="networkidle")
    body = tab.locator("body")
    expect(tab.locator("label[title='Switch to light mode']")).to_be_visible()  # following the system
    tab.emulate_media(color_scheme="dark")  # the reader's system switches while the page is open
    expect(body).to_have_attribute("data-md-color-scheme", "slate")
    tab.emulate_media(color_scheme="light")
    expect(body).to_have_attribute("data-md-color-scheme", "default")
    tab.locator("#__palette_0").focus()
    tab.keyboard.press("Enter")  # system -> light
    tab.keyboard.press("Enter")  # light -> dark
    expect(body).to_have_attribute("data-md-color-scheme", "slate")
    expect(tab.locator("label[title='Switch to the system setting']")).to_be_visible()
    assert tab.evaluate("document.activeElement.id") == "__palette_2"
    tab.emulate_media(color_scheme="light")  # a fixed choice ignores the system
    tab.reload(wait_until="networkidle")
    expect(body).to_have_attribute("data-md-color-scheme", "slate")
    context.close()


@pytest.mark.parametrize("path", ["", "citations/", "mitigations/alibi-detect/", "changelog/"])
def test_new_pages_are_accessible_in_the_light_scheme(page, site, path: str) -> None:
    page.goto(site.url + path, wait_until="networkidle")
    page.wait_for_timeout(300)
    assert axe_violations(page) == [], path
