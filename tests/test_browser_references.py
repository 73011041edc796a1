"""The bibliography in pages by the first character of each key, in a real browser on both builders:
every address earlier releases gave (`/references/#key`, cited in design documents) still lands on
its entry, with JavaScript (forwarded) and without (the index's link list), and links inside the
site go straight to the entry's page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from conftest import REAL
from fieldguide import load, pages

CAT = load.load(REAL)
RETIRED = [r.id for r in CAT.retired.values() if r.kind == "reference"]
KEYS = sorted([*CAT.references, *RETIRED])


def entry_url(site, key: str) -> str:
    return pages.entity_url(site.url, "reference", key)


def test_every_old_address_leads_to_its_entry(page, site) -> None:
    """The index maps every key (retired ones too) to the page its entry is on, and that page holds
    the entry: read in the browser, from the index's DOM and each page fetched and parsed."""
    page.goto(f"{site.url}references/", wait_until="networkidle")
    found = page.evaluate("""async (keys) => {
        const out = {};
        const pages = new Map();
        for (const key of keys) {
            const link = document.getElementById(key)?.parentElement.querySelector("a[href]");
            if (!link) { out[key] = null; continue; }
            const url = link.href.split("#")[0];
            if (!pages.has(url)) {
                const text = await (await fetch(url)).text();
                pages.set(url, new DOMParser().parseFromString(text, "text/html"));
            }
            out[key] = [link.href, Boolean(pages.get(url).getElementById(key))];
        }
        return out;
    }""", KEYS)
    wrong = {k: v for k, v in found.items() if v != [entry_url(site, k), True]}
    assert wrong == {}, list(wrong.items())[:5]


def test_an_old_address_of_each_page_lands_on_its_entry(page, site) -> None:
    """A real arrival per bibliography page (the forward is the same code for every key): forwarded,
    scrolled to the entry, and the old address replaced in the history (Back skips the index)."""
    firsts = {pages.reference_group(k): k for k in reversed(KEYS)}  # the first key of each page
    keys = sorted(firsts.values()) + RETIRED
    page.goto(site.url, wait_until="networkidle")
    for key in keys:
        page.goto(f"{site.url}references/#{key}")
        page.wait_for_url(entry_url(site, key))
        expect(page.locator(f'[id="{key}"]')).to_be_in_viewport()
    page.go_back()
    page.wait_for_url(entry_url(site, keys[-2]))


def test_an_old_address_works_without_javascript(browser, site) -> None:
    context = browser.new_context(java_script_enabled=False)
    tab = context.new_page()
    key = "sculley2015hidden"
    tab.goto(f"{site.url}references/#{key}")
    assert tab.url == f"{site.url}references/#{key}", "nothing forwards without JavaScript"
    item = tab.locator(f'.fg-ref-index li:has([id="{key}"])')
    link = item.locator("a")
    expect(link).to_be_in_viewport()
    link.click()
    tab.wait_for_url(entry_url(site, key))
    expect(tab.locator(f'[id="{key}"]')).to_contain_text("Hidden technical debt")
    context.close()


def test_inside_the_site_links_go_straight_to_the_entry_and_an_old_one_is_forwarded(page, site) -> None:
    page.goto(f"{site.url}challenges/concept-drift/", wait_until="networkidle")
    hrefs = page.locator("article a[href*='references/']").evaluate_all("links => links.map(a => a.href)")
    assert hrefs and all("/references/#" not in h for h in hrefs), hrefs
    assert any(h.startswith(f"{site.url}references/") and "/#" in h for h in hrefs)
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.locator("article a[href*='references/']").first.click()
    page.wait_for_url(hrefs[0])
    assert not any(u.split("#")[0] == f"{site.url}references/" for u in requested), "no detour by the index"
    # An old address written into a page (a hand-written link) is followed by instant navigation too.
    page.goto(site.url, wait_until="networkidle")
    page.evaluate("""() => { const a = document.createElement('a'); a.id = 'old-link';
        a.href = 'references/#sculley2015hidden'; a.textContent = 'old';
        document.querySelector('article').append(a); }""")
    page.locator("#old-link").click()
    page.wait_for_url(entry_url(site, "sculley2015hidden"))
    expect(page.locator('[id="sculley2015hidden"]')).to_be_in_viewport()


def test_the_index_and_every_page_are_accessible_and_an_unknown_key_stays(page, site) -> None:
    from browser import axe_violations

    page.goto(f"{site.url}references/#no-such-key", wait_until="networkidle")
    assert page.url == f"{site.url}references/#no-such-key"
    expect(page.locator(".fg-ref-index li")).to_have_count(len(KEYS))
    assert axe_violations(page) == []
    page.goto(f"{site.url}references/s/", wait_until="networkidle")
    expect(page.locator(".fg-ref-groups strong")).to_have_text("S")
    assert axe_violations(page) == []


@pytest.mark.parametrize("key", ["constructor", "__proto__", "%E0%A4%A", "fg-references-all"])
def test_a_hostile_fragment_forwards_nowhere(page, site, key: str) -> None:
    page.goto(f"{site.url}references/#{key}", wait_until="networkidle")
    assert page.url == f"{site.url}references/#{key}"
    if not (site.builder == "zensical" and key.startswith("%")):  # Zensical's bundle throws on any page
        assert page.watch.console_errors == []
