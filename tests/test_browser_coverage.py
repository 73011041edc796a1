"""Framework coverage in a real browser: the checklist filter shows exactly the checks the coverage
computation (and so `fieldguide coverage`) lists, and the framework pages are usable and accessible."""

from __future__ import annotations

from playwright.sync_api import expect

from browser import axe_violations, show_every_check
from conftest import REAL
from fieldguide import coverage, graph, load

CAT = load.load(REAL)
G = graph.build(CAT)
ALL_CHECKS = {item.id for c in CAT.challenges.values() for item in c.checklist}


def covering(framework: str) -> set[str]:
    return {c.check for item in coverage.framework_coverage(CAT, G, framework) for c in item.covered_by}


def visible_items(page) -> set[str]:
    return set(page.locator(".fg-item:visible").evaluate_all("els => els.map(e => e.dataset.item)"))


def test_filter_keeps_exactly_the_checks_that_cover_the_framework(page, site) -> None:
    page.goto(f"{site.url}checklists/", wait_until="networkidle")
    show_every_check(page)
    assert visible_items(page) == ALL_CHECKS
    select = page.locator("#fg-framework")
    select.select_option("ml-test-score")
    expected = covering("ml-test-score")
    assert visible_items(page) == expected
    expect(page.locator(".fg-framework-count")).to_have_text(
        f"{len(expected)} of {len(ALL_CHECKS)} checks on this page cover ML Test Score items.")
    # a challenge with no covering check disappears with its heading; one with a covering check stays
    expect(page.locator("h4#authorship")).to_be_hidden()
    expect(page.locator("h4#custom-design-tooling")).to_be_visible()
    select.select_option("deon")
    assert visible_items(page) == covering("deon")
    expect(page.locator("h4#authorship")).to_be_hidden()
    # steps and stages too: a heading stays exactly when something under it is shown
    steps_with_checks = {c.step for c in CAT.challenges.values() if {i.id for i in c.checklist} & covering("deon")}
    shown_steps = set(page.locator(".fg-step h3:visible").evaluate_all(
        "els => els.map(e => e.closest('.fg-step').dataset.step)"))
    assert shown_steps == steps_with_checks
    shown_stages = set(page.locator(".fg-stage h2:visible").evaluate_all(
        "els => els.map(e => e.closest('.fg-stage').dataset.stage)"))
    assert shown_stages == {CAT.stage_of(step).id for step in steps_with_checks}
    select.select_option("")
    assert visible_items(page) == ALL_CHECKS
    expect(page.locator("h4#authorship")).to_be_visible()
    expect(page.locator(".fg-framework-count")).to_have_text("")


def test_framework_in_the_address_preselects_the_filter_and_ticks_still_count(page, site) -> None:
    page.goto(f"{site.url}checklists/model-deployment/?framework=deon", wait_until="networkidle")
    expect(page.locator("#fg-framework")).to_have_value("deon")
    stage_checks = {i.id for c in CAT.challenges.values() if CAT.stage_of(c.step).id == "model-deployment"
                    for i in c.checklist}
    assert visible_items(page) == covering("deon") & stage_checks
    page.locator("#done-operational-support-one-step-rollback").check()
    page.reload(wait_until="networkidle")
    expect(page.locator("#done-operational-support-one-step-rollback")).to_be_checked()
    total = len(stage_checks)
    expect(page.locator('[data-fg-progress="stage:model-deployment"] .fg-progress-text')).to_contain_text(
        f"1 of {total} resolved"), "progress still counts the whole stage, not only the filtered checks"


def test_a_note_on_a_check_leads_to_the_framework_item(page, site) -> None:
    page.goto(f"{site.url}challenges/data-security/", wait_until="networkidle")
    expect(page.locator(".admonition-title")).to_have_text("Added by this guide beyond the survey")
    page.get_by_role("link", name="deon B.2", exact=True).click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/frameworks/deon/#b-2")
    heading = page.locator("h3#b-2")
    expect(heading).to_contain_text("B.2: Right to be forgotten")
    expect(page.locator("h3#b-2 + p")).to_have_text("Coverage: covered fully: both its asks are met.")
    expect(page.locator("h3#b-2 ~ ol").first).to_contain_text("Met by data-security-deletion-propagates.")


def test_framework_pages_are_accessible(page, site) -> None:
    for path in ("frameworks/", "frameworks/ml-test-score/", "checklists/"):
        page.goto(site.url + path, wait_until="networkidle")
        if path == "checklists/":
            page.locator("#fg-framework").select_option("ml-test-score")
        page.wait_for_timeout(300)
        assert axe_violations(page) == [], path
