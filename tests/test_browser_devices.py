"""The team job on a phone (320 and 375 px), on paper and with JavaScript off, as a reader meets it:
no sideways scrolling, usable note fields, a visible Close button; a compact printed checklist with
every reason in full and no controls, a challenge page printed without diagram source; plain notices
where a page needs JavaScript."""

from __future__ import annotations

import re
import struct
from pathlib import Path

import pytest
from playwright.sync_api import expect

from browser import item_field
from conftest import REAL
from fieldguide import load

CAT = load.load(REAL)
DD = [i.id for i in CAT.challenges["data-discovery"].checklist]
LONG_REASON = ("We keep one source system for the whole pilot, and its owner signs off every extract; " * 8).strip()
NOTE = "Owners listed in the data map.\nSecond line: the platform team checked it on Monday."
PR = "https://git.example.org/team/model/pull/12"


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from a PNG's header."""
    return struct.unpack(">II", path.read_bytes()[16:24])


def overflow(tab) -> int:
    """How many CSS pixels the page is wider than the window (0: no sideways scrolling). A page
    narrower than the window counts as 0: a vertical scroll bar that comes and goes (print media on
    the Zensical build) can make the difference negative."""
    return max(0, tab.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth"))


def fill_some_items(tab, site) -> None:
    tab.goto(site.url + "checklists/data-management/", wait_until="networkidle")
    item_field(tab, "status", DD[0]).select_option("in-progress")
    item_field(tab, "owner", DD[0]).fill("carol")
    tab.locator(f'li[data-item="{DD[0]}"] summary').click()
    item_field(tab, "note", DD[0]).fill(NOTE)
    item_field(tab, "evidence", DD[0]).fill(PR)
    item_field(tab, "status", DD[1]).select_option("na")
    item_field(tab, "reason", DD[1]).fill(LONG_REASON)
    tab.locator(f"#done-{DD[2]}").check()


@pytest.mark.parametrize("width", [320, 375])
def test_a_phone_shows_the_checklist_without_sideways_scrolling_and_usable_fields(browser, site, width: int,
                                                                                  tmp_path: Path) -> None:
    context = browser.new_context(viewport={"width": width, "height": 740}, is_mobile=True, has_touch=True)
    tab = context.new_page()
    fill_some_items(tab, site)
    assert overflow(tab) == 0
    for field in (f"#note-{DD[0]}", f"#evidence-{DD[0]}", f"#reason-{DD[1]}", f"#owner-{DD[0]}"):
        box = tab.locator(field).bounding_box()
        assert box["width"] >= 0.6 * width, f"{field} is {box['width']:.0f} px wide at {width} px"
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, field
    shot = tmp_path / f"checklist-{width}.png"
    tab.screenshot(path=str(shot), full_page=True)
    assert png_size(shot)[0] == width, "the full page is exactly as wide as the screen"
    for path in ("checklists/", "planner/", "team-workflow/", "citations/", "challenges/data-discovery/"):
        tab.goto(site.url + path, wait_until="networkidle")
        assert overflow(tab) == 0, path
    context.close()


@pytest.mark.parametrize("width", [320, 375])
def test_the_search_dialog_fits_a_phone_with_its_close_button_visible(browser, site, width: int) -> None:
    context = browser.new_context(viewport={"width": width, "height": 740}, is_mobile=True, has_touch=True)
    tab = context.new_page()
    tab.goto(site.url, wait_until="networkidle")
    tab.locator(".fg-search-open").click()
    tab.locator("#fg-search-input").fill("model drift")
    close = tab.locator(".fg-search-close")
    expect(close).to_be_visible()
    box = close.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width, box
    dialog = tab.locator("dialog.fg-search").bounding_box()
    assert dialog["x"] >= 0 and dialog["x"] + dialog["width"] <= width
    close.click()
    expect(tab.locator("dialog.fg-search")).to_be_hidden()
    context.close()


def test_a_printed_stage_checklist_is_compact_complete_and_has_no_controls(page, site, tmp_path: Path) -> None:
    fill_some_items(page, site)
    page.emulate_media(media="print")
    assert overflow(page) == 0
    controls = page.locator("article").locator("button, input, select, textarea, summary, label.md-button")
    shown = [controls.nth(i).evaluate("e => e.outerHTML.slice(0, 80)") for i in range(controls.count())
             if controls.nth(i).is_visible()]
    assert shown == [], "no control is printed"
    printed = page.locator(f'li[data-item="{DD[1]}"] .fg-print')
    expect(printed).to_be_visible()
    expect(printed).to_have_text(f"Status: not applicable · reason: {LONG_REASON}")
    box = printed.bounding_box()
    assert box["x"] + box["width"] <= page.evaluate("document.documentElement.clientWidth")
    first = page.locator(f'li[data-item="{DD[0]}"] .fg-print')
    expect(first).to_have_text(f"Status: in progress · owner: carol · note: {NOTE} · evidence: {PR}")
    expect(page.locator(".fg-readiness")).to_be_visible()  # the readiness line is printed, the tools are not
    expect(page.locator(".md-header")).to_be_hidden()
    expect(page.locator(".md-sidebar--primary")).to_be_hidden()
    pdf = tmp_path / "checklist.pdf"
    page.pdf(path=str(pdf), format="A4")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf.read_bytes()))
    items = len([i for c in CAT.challenges.values() if CAT.stage_of(c.step).id == "data-management"
                 for i in c.checklist])
    # Measured before this change: 13 to 14 A4 pages for this stage; now about one page per 10 items.
    assert pages <= items // 6, f"{pages} A4 pages for {items} items"


def test_a_printed_challenge_page_has_no_raw_diagram_source(page, site) -> None:
    page.goto(site.url + "challenges/data-discovery/", wait_until="networkidle")
    page.emulate_media(media="print")
    expect(page.locator("pre.fg-diagram")).to_be_hidden()
    assert "flowchart LR" not in page.locator("article").inner_text()


@pytest.mark.parametrize(("path", "notice"), [
    ("checklists/data-management/", "This checklist needs JavaScript to save anything."),
    ("checklists/", "This checklist needs JavaScript to save anything."),
    ("planner/", "The planner needs JavaScript"),
    ("citations/", "This page needs JavaScript"),
])
def test_with_javascript_off_pages_say_plainly_what_needs_it(browser, site, path: str, notice: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    tab = context.new_page()
    tab.goto(site.url + path, wait_until="load")
    expect(tab.locator(".fg-noscript")).to_contain_text(notice)
    expect(tab.locator(".fg-noscript")).to_be_visible()
    assert "Loading" not in tab.locator("article").inner_text(), "nothing waits for a script that never runs"
    context.close()
