"""The planner's suggestions from the description in a real browser (issue 21): shown with the words
that triggered them, the same as `fieldguide plan --suggest`; nothing ticked until accepted."""

from __future__ import annotations

from playwright.sync_api import expect

from browser import axe_violations
from conftest import REAL
from fieldguide import graph, load, plan, search
from fieldguide.schema import Profile

CAT = load.load(REAL)
G = graph.build(CAT)
WARD = ("We will score every inpatient's risk of readmission from the hospital's records; nurses see the score "
        "on the ward and decide who gets a follow-up call. Next year the model will be rolled out to two other "
        "hospitals in the region.")


def test_suggestions_are_offered_accepted_and_rejected_never_ticked_silently(page, site) -> None:
    expected = plan.suggest(CAT, search.index_for(CAT, G), Profile(description=WARD))
    page.goto(site.url + "planner/", wait_until="networkidle")
    page.locator("#fg-plan-description").fill(WARD)
    items = page.locator(".fg-suggestion")
    expect(items).to_have_count(len(expected))
    assert items.evaluate_all("els => els.map(e => e.dataset.facet)") == [x.id for x in expected]
    sites = items.filter(has=page.locator("strong", has_text="New sites or populations"))
    for word in next(x for x in expected if x.id == "new-sites-or-populations").words:
        expect(sites).to_contain_text(f"“{word}”")
    # Shown, not ticked: the profile is what the reader chose.
    expect(page.locator("#fg-trait-new-sites-or-populations")).not_to_be_checked()
    expect(page.locator("#fg-plan-industry")).to_have_value("")
    # Accepting ticks the box and re-plans with it; the suggestion leaves the list.
    sites.get_by_role("button", name="Accept trait: New sites or populations").click()
    expect(page.locator("#fg-trait-new-sites-or-populations")).to_be_checked()
    ranked = plan.rank(CAT, G, Profile(traits=["new-sites-or-populations"], description=WARD))
    expect(page.locator(".fg-plan-item").first).to_have_attribute("data-challenge", ranked[0].id)
    expect(page.locator(".fg-suggestion[data-facet=new-sites-or-populations]")).to_have_count(0)
    # Accepting the industry chooses it; rejecting a trait only hides it.
    page.get_by_role("button", name="Accept industry: Healthcare").click()
    expect(page.locator("#fg-plan-industry")).to_have_value("healthcare")
    page.get_by_role("button", name="Reject trait: Humans act on the output").click()
    expect(page.locator(".fg-suggestion[data-facet=humans-act-on-output]")).to_have_count(0)
    expect(page.locator("#fg-trait-humans-act-on-output")).not_to_be_checked()
    assert axe_violations(page) == []
    assert page.watch.console_errors == []


def test_no_description_no_suggestions(page, site) -> None:
    page.goto(site.url + "planner/", wait_until="networkidle")
    page.locator("#fg-trait-regulated").check()
    expect(page.locator(".fg-plan-item").first).to_be_visible()
    expect(page.locator("#fg-plan-suggestions")).to_be_hidden()
