"""Stage checklists and the planner in a real browser: state, exports, import, ranking, brief."""

from __future__ import annotations

import json
import re
from pathlib import Path

from playwright.sync_api import expect

from browser import axe_violations, item_field, local_date, show_every_check, storage_key
from conftest import REAL
from fieldguide import brief, checklist, graph, load, plan
from fieldguide.schema import Profile

CAT = load.load(REAL)
G = graph.build(CAT)
FIRST = CAT.challenges["data-discovery"].checklist[0].id
SECOND = CAT.challenges["data-discovery"].checklist[1].id


def open_checklist(page, site, stage: str = "data-management") -> None:
    page.goto(f"{site.url}checklists/{stage}/", wait_until="networkidle")


def tick(page, item: str) -> None:
    page.locator(f"#done-{item}").check()


def download(page, button: str) -> str:
    with page.expect_download() as info:
        page.locator(button).click()
    return Path(info.value.path()).read_text(encoding="utf-8")


def test_a_ticked_item_survives_reload_and_instant_navigation(page, site) -> None:
    open_checklist(page, site)
    tick(page, FIRST)
    page.reload(wait_until="networkidle")
    expect(page.locator(f"#done-{FIRST}")).to_be_checked()
    # leave through the sidebar (Material's instant navigation) and come back
    page.locator(".md-nav__link", has_text="Planner").first.click()
    page.wait_for_url("**/planner/")
    page.go_back()
    page.wait_for_url("**/checklists/data-management/")
    expect(page.locator(f"#done-{FIRST}")).to_be_checked()
    assert page.watch.console_errors == []


def test_leaving_the_planner_before_its_data_arrives_leaves_the_next_page_alone(page, site) -> None:
    """A reader opens the planner and goes back before its data has loaded (a slow network): when the
    data arrives, the checklist page shown by then gets no script error and keeps its own address."""
    open_checklist(page, site)
    held = []
    page.route("**/planner/data.json", lambda route: held.append(route))  # answered when the test says
    page.locator(".md-nav__link", has_text="Planner").first.click()
    page.wait_for_url("**/planner/")
    for _ in range(100):
        if held:
            break
        page.wait_for_timeout(50)
    assert held, "the planner asked for its data"
    page.go_back()
    page.wait_for_url("**/checklists/data-management/")
    held[0].continue_()
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(300)
    assert page.watch.console_errors == []
    assert page.url == f"{site.url}checklists/data-management/", "the plan's query is not written here"


def instant_navigate(page, url: str) -> None:
    """Follow a link the way a reader does, through Material's instant navigation (no page load)."""
    page.evaluate("window.__samePage = true")
    page.evaluate("url => { const a = Object.assign(document.createElement('a'), { href: url, textContent: 'go' });"
                  " document.querySelector('.md-content').append(a); a.click(); }", url)
    page.wait_for_url(url)
    page.wait_for_load_state("networkidle")
    assert page.evaluate("window.__samePage === true"), "the page was loaded again, not navigated instantly"


def test_a_checklist_reached_by_instant_navigation_from_another_depth_exports_and_validates(page, site) -> None:
    # The scripts stay loaded from the home page; the files they fetch must still resolve from the site root.
    page.goto(site.url, wait_until="networkidle")
    instant_navigate(page, f"{site.url}checklists/data-management/")
    tick(page, FIRST)
    markdown = download(page, "[data-fg-export=md]")
    assert f"- [x] {CAT.challenges['data-discovery'].checklist[0].text}" in markdown
    bad = {"format": "fieldguide-checklist", "version": 1, "items": [{"id": FIRST, "status": "finished"}]}
    import_file(page, "bad.json", json.dumps(bad).encode())  # checked against the published schema
    expect(page.locator(".fg-message").first).to_contain_text("items[0].status: must be one of")
    assert page.watch.console_errors == []


def mark_not_applicable(page, item: str, reason: str) -> None:
    item_field(page, "status", item).select_option("na")
    item_field(page, "reason", item).fill(reason)


def import_file(page, name: str, payload: bytes) -> None:
    page.locator("#fg-import").set_input_files(files=[{"name": name, "mimeType": "application/json",
                                                        "buffer": payload}])


def test_not_applicable_with_a_reason_updates_progress(page, site) -> None:
    open_checklist(page, site)
    mark_not_applicable(page, SECOND, "We have a single source system")
    item_field(page, "owner", SECOND).fill("Ana")
    tick(page, FIRST)
    step = page.locator('[data-fg-progress="step:data-collection"] .fg-progress-text')
    total = sum(len(c.checklist) for c in CAT.challenges.values() if c.step == "data-collection")
    expect(step).to_have_text(f"1 of {total - 1} resolved, 1 not applicable ({round(100 / (total - 1))}%)")
    page.reload(wait_until="networkidle")
    expect(page.locator(f"#status-{SECOND}")).to_have_value("na")
    expect(page.locator(f"#reason-{SECOND}")).to_have_value("We have a single source system")
    expect(page.locator(f"#owner-{SECOND}")).to_be_visible()  # owners are inline, not in a collapsed panel
    expect(page.locator(f"#owner-{SECOND}")).to_have_value("Ana")
    expect(page.locator(f"#done-{SECOND}")).not_to_be_checked()


def test_not_applicable_without_a_reason_is_not_saved(page, site) -> None:
    open_checklist(page, site)
    item_field(page, "status", SECOND).select_option("na")
    expect(page.locator(f"#warning-{SECOND}")).to_contain_text("give a reason")
    expect(page.locator(f"#reason-{SECOND}")).to_have_attribute("aria-invalid", "true")
    item_field(page, "reason", SECOND).fill("   ")
    assert page.evaluate("k => localStorage.getItem(k)", storage_key(site)) is None, "nothing saved without a reason"
    item_field(page, "reason", SECOND).fill("\u00a0\u200b")  # invisible: no reason either
    expect(page.locator(f"#warning-{SECOND}")).to_contain_text("at least one visible character")
    assert page.evaluate("k => localStorage.getItem(k)", storage_key(site)) is None
    page.reload(wait_until="networkidle")
    expect(page.locator(f'li[data-item="{SECOND}"] .fg-print')).to_have_text("Status: open")
    expect(item_field(page, "status", SECOND)).to_have_value("open")


def test_the_all_stages_overview_is_light_and_shows_what_the_stage_pages_did(page, site) -> None:
    """Built to grow: the overview ships each stage's progress and a link, not its items; progress made
    on a stage page shows there, and its Clear and exports cover every stage."""
    page.goto(site.url + "checklists/", wait_until="networkidle")
    expect(page.locator("li.fg-item")).to_have_count(0)
    in_stage = {s.id: [i.id for c in CAT.challenges.values() if CAT.stage_of(c.step).id == s.id for i in c.checklist]
                for s in CAT.stages}
    for stage in CAT.stages:
        expect(page.locator(f'[data-fg-progress="stage:{stage.id}"]')).to_contain_text(
            f"0 of {len(in_stage[stage.id])} resolved")
    deployment = in_stage["model-deployment"]
    page.get_by_role("link", name="Open the model deployment checklist").click()
    page.wait_for_url("**/checklists/model-deployment/")
    tick(page, deployment[0])
    mark_not_applicable(page, deployment[1], "No serving yet")
    page.go_back()  # instant navigation: the overview is shown again without a reload
    expect(page.locator('[data-fg-progress="stage:model-deployment"]')).to_contain_text(
        f"1 of {len(deployment) - 1} resolved, 1 not applicable")
    expect(page.locator(".fg-readiness-overall")).to_have_text(re.compile(r"^0% \(lowest: "))
    state = json.loads(download(page, "[data-fg-export=json]"))
    assert [i["id"] for i in state["items"]] == [r.item.id for r in checklist.rows(CAT)]
    page.once("dialog", lambda d: d.accept())
    page.locator("[data-fg-clear]").click()  # every stage's items, though none is on the page
    expect(page.locator('[data-fg-progress="stage:model-deployment"]')).to_contain_text(
        f"0 of {len(deployment)} resolved")
    assert json.loads(page.evaluate(f"localStorage.getItem({json.dumps(storage_key(site))})"))["items"] == {}
    page.emulate_media(media="print")  # the printed overview: each stage's progress, not the button
    expect(page.locator(".fg-show-all")).to_be_hidden()
    expect(page.locator('[data-fg-progress="stage:model-deployment"] .fg-progress-text')).to_be_visible()


def test_a_first_visit_keeps_the_readiness_it_was_served_with(browser, page, site) -> None:
    """The served figure is the empty checklist's, as the script computes it: the line does not change
    (and push the page down, a layout shift) when the script fills it in."""
    plain = browser.new_context(java_script_enabled=False)
    served = plain.new_page()
    for path in ("checklists/", "checklists/data-management/"):
        served.goto(site.url + path)
        text = served.locator(".fg-readiness-overall").inner_text()
        page.goto(site.url + path, wait_until="networkidle")
        expect(page.locator("[data-fg-progress] .fg-progress-text").first).not_to_be_empty()  # the script ran
        expect(page.locator(".fg-readiness-overall")).to_have_text(text)
    plain.close()


def test_every_check_on_one_sheet_prints_in_full_and_is_found_in_page(page, site) -> None:
    """A team that wants every stage on one sheet asks the overview for it: the stage pages' own
    sections, with each item's stored state, printed in full."""
    open_checklist(page, site)
    mark_not_applicable(page, SECOND, "One source system")
    page.goto(site.url + "checklists/", wait_until="networkidle")
    show_every_check(page)  # by keyboard: focus goes on from the first stage, not from the page's top
    expect(page.locator(f"h2#{CAT.stages[0].id}")).to_be_focused()
    every = [i for c in CAT.challenges.values() for i in c.checklist]
    expect(page.locator("li.fg-item")).to_have_count(len(every))
    plain = [i.text for i in every if not re.search(r"[`*_\[\]<>&]", i.text)]
    body = page.locator("article").inner_text()
    assert all(text in body for text in plain), "every item's text is on the page, for find in page"
    expect(page.locator(f"#done-{SECOND}")).not_to_be_checked()
    expect(page.locator(f'li[data-item="{SECOND}"] .fg-print')).to_have_text(
        "Status: not applicable · reason: One source system")
    link = page.locator(f'li[data-item="{FIRST}"]').locator("xpath=ancestor::div[@data-challenge]//h4/a").first
    assert link.get_attribute("href") == site.url + "challenges/data-discovery/", "links still lead to their pages"
    page.emulate_media(media="print")
    expect(page.locator(f'li[data-item="{SECOND}"] .fg-print')).to_be_visible()
    assert page.locator(".fg-show-all").is_hidden()


def test_an_old_address_into_the_all_stages_sheet_still_reaches_its_challenge(page, site) -> None:
    last = list(CAT.challenges)[-1]
    page.goto(f"{site.url}checklists/#{last}", wait_until="networkidle")
    expect(page.locator(f"h4#{last}")).to_be_in_viewport()
    expect(page.locator("li.fg-item")).to_have_count(sum(len(c.checklist) for c in CAT.challenges.values()))
    page.goto(f"{site.url}checklists/?again#%E0%A4%A", wait_until="networkidle")  # a malformed escape
    expect(page.locator("li.fg-item")).to_have_count(sum(len(c.checklist) for c in CAT.challenges.values()))
    if site.builder == "mkdocs":  # (Zensical's own bundle reports "URI malformed" for such an address)
        assert page.watch.console_errors == []


def test_the_all_stages_page_makes_an_items_controls_only_when_it_is_reached(page, site) -> None:
    """Built to grow: with every check shown, each item's text, box and printed status are in the page
    (find in page, print, keyboard), its controls are not; pointing at an item or tabbing onto it makes
    them, a stored state shows in them after a reload, and a change moves its own step's and stage's
    progress."""
    page.goto(site.url + "checklists/", wait_until="networkidle")
    show_every_check(page)
    every = [(c, i) for c in CAT.challenges.values() for i in c.checklist]
    expect(page.locator("li.fg-item")).to_have_count(len(every))
    assert page.locator("li.fg-item :is(select, input[type=text], textarea)").count() == 0
    plain = [i.text for _, i in every if not re.search(r"[`*_\[\]<>&]", i.text)]
    body = page.locator("article").inner_text()
    assert all(text in body for text in plain), "every item's text is on the page, for find in page"
    challenge, item = next((c, i) for c, i in reversed(every) if c.checklist.index(i) == 1)
    before = next(i for i in challenge.checklist if i.id != item.id)
    expect(page.locator(f'li[data-item="{item.id}"] .fg-print')).to_have_text("Status: open")
    expect(item_field(page, "status", before.id)).to_have_value("open")  # the pointer reached it
    expect(page.locator("li.fg-item select")).to_have_count(1)  # only the item reached has controls
    page.locator(f"#done-{item.id}").focus()  # where Tab from the item before lands
    page.keyboard.press("Tab")
    expect(page.locator(f"#status-{item.id}")).to_be_focused()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Space")  # done, by keyboard
    step = [i for c in CAT.challenges.values() if c.step == challenge.step for i in c.checklist]
    stage = CAT.stage_of(challenge.step).id
    in_stage = [i for c in CAT.challenges.values() if CAT.stage_of(c.step).id == stage for i in c.checklist]
    expect(page.locator(f'[data-fg-progress="step:{challenge.step}"]')).to_contain_text(f"1 of {len(step)} resolved")
    expect(page.locator(f'[data-fg-progress="stage:{stage}"]')).to_contain_text(f"1 of {len(in_stage)} resolved")
    other = next(c.step for c in CAT.challenges.values() if CAT.stage_of(c.step).id != stage)
    expect(page.locator(f'[data-fg-progress="step:{other}"]')).to_contain_text("0 of ")
    page.mouse.move(0, 0)
    page.reload(wait_until="networkidle")
    show_every_check(page)
    expect(page.locator(f"#status-{item.id}")).to_have_value("done")  # a stored state is shown untouched
    expect(page.locator(f'li[data-item="{item.id}"] .fg-print')).to_have_text("Status: done")
    expect(page.locator("li.fg-item select")).to_have_count(1)


def test_note_and_evidence_panel_builds_on_open_and_reopens_with_the_saved_note(page, site) -> None:
    open_checklist(page, site)
    panel = page.locator(f'li[data-item="{FIRST}"] details.fg-more')
    item_field(page, "status", FIRST)
    assert page.locator(f"#note-{FIRST}").count() == 0, "the fields wait until the panel is opened"
    panel.locator("summary").click()
    item_field(page, "note", FIRST).fill("see the data inventory doc")
    item_field(page, "evidence", FIRST).fill("https://example.org/inventory")
    assert axe_violations(page) == []
    page.reload(wait_until="networkidle")
    expect(panel).to_have_attribute("open", "")
    expect(page.locator(f"#note-{FIRST}")).to_have_value("see the data inventory doc")
    expect(page.locator(f"#evidence-{FIRST}")).to_have_value("https://example.org/inventory")
    assert page.locator(f"#note-{SECOND}").count() == 0, "an item without a note keeps its panel closed"
    assert page.watch.console_errors == []


def test_export_markdown_and_json_then_clear_and_import_restores_state(page, site) -> None:
    open_checklist(page, site)
    tick(page, FIRST)
    mark_not_applicable(page, SECOND, "Not our case")
    markdown = download(page, "[data-fg-export=md]")
    assert markdown.startswith("# Deployment checklist: Data management")
    text = CAT.challenges["data-discovery"].checklist[0].text
    assert f"- [x] {text} `{FIRST}`" in markdown
    assert f"- **Not applicable:** ~~{CAT.challenges['data-discovery'].checklist[1].text}~~ (reason: Not our case)" \
        in markdown, "never a ticked box"
    assert f"]({site.url}challenges/data-discovery/)" in markdown
    exported = download(page, "[data-fg-export=json]")
    body = json.loads(exported)
    assert body["format"] == "fieldguide-checklist" and body["version"] == 3 and body["scope"] == ["data-management"]
    states = {i["id"]: i for i in body["items"]}
    assert states[FIRST]["status"] == "done" and states[FIRST]["changed"]["status"]["at"].endswith("Z")
    assert {k: states[SECOND].get(k) for k in ("status", "reason", "owner", "note")} == {
        "status": "na", "reason": "Not our case", "owner": None, "note": None}

    page.evaluate("localStorage.clear()")
    page.reload(wait_until="networkidle")
    expect(page.locator(f"#done-{FIRST}")).not_to_be_checked()
    import_file(page, "state.json", exported.encode())
    expect(page.locator(".fg-preview")).to_contain_text("Import preview: state.json")
    page.locator("[data-fg-import-apply]").click()
    expect(page.locator(".fg-message").first).to_contain_text("Imported state.json")
    expect(page.locator(f"#done-{FIRST}")).to_be_checked()
    expect(page.locator(f"#status-{SECOND}")).to_have_value("na")
    again = json.loads(download(page, "[data-fg-export=json]"))
    assert again["items"] == body["items"], "identical state after the round trip"


def test_import_keeps_orphans_and_refuses_malformed_files(page, site) -> None:
    open_checklist(page, site)
    tick(page, FIRST)
    orphaned = {"format": "fieldguide-checklist", "version": 1,
                "items": [{"id": "a-check-the-catalog-dropped", "status": "done", "note": "keep me"}]}
    import_file(page, "o.json", json.dumps(orphaned).encode())
    expect(page.locator(".fg-preview")).to_contain_text("kept as orphans: a-check-the-catalog-dropped")
    page.locator("[data-fg-import-apply]").click()
    store = json.loads(page.evaluate("k => localStorage.getItem(k)", storage_key(site)))
    assert store["items"]["a-check-the-catalog-dropped"]["note"] == "keep me"
    assert "## Items no longer in the catalog" in download(page, "[data-fg-export=md]")

    before = page.evaluate("k => localStorage.getItem(k)", storage_key(site))
    bad = {"format": "fieldguide-checklist", "version": 1, "items": [{"id": FIRST, "status": "finished"}]}
    for payload, message in ((json.dumps(bad), "items[0].status: must be one of 'open', 'done' or 'na'"),
                             ("{not json", "not valid JSON")):
        import_file(page, "bad.json", payload.encode())
        expect(page.locator(".fg-message").first).to_contain_text(message)
        expect(page.locator(".fg-preview")).to_be_hidden()
        assert page.evaluate("k => localStorage.getItem(k)", storage_key(site)) == before, "nothing changed"
    expect(page.locator(f"#done-{FIRST}")).to_be_checked()


def test_planner_lists_the_expected_top_challenge(page, site) -> None:
    profile = Profile(industry="healthcare", traits=["regulated", "personal-data"])
    expected = plan.rank(CAT, G, profile)
    page.goto(site.url + "planner/", wait_until="networkidle")
    page.select_option("#fg-plan-industry", "healthcare")
    page.locator("#fg-trait-regulated").check()
    page.locator("#fg-trait-personal-data").check()
    items = page.locator(".fg-plan-item")
    expect(items.first).to_have_attribute("data-challenge", expected[0].id)
    assert items.evaluate_all("els => els.map(e => e.dataset.challenge)") == [r.id for r in expected]
    expect(items.first.locator(".fg-why")).to_have_text(f"Why: {'; '.join(expected[0].reasons(CAT))}.")
    page.reload(wait_until="networkidle")
    expect(page.locator("#fg-trait-regulated")).to_be_checked()


def brief_downloads(page) -> dict[str, str]:
    downloads = []
    page.on("download", lambda d: downloads.append(d))
    page.locator("[data-fg-plan-export=brief]").click()
    for _ in range(100):  # the brief comes as two files: Markdown and BibTeX
        if len(downloads) == 2:
            break
        page.wait_for_timeout(100)
    return {d.suggested_filename: Path(d.path()).read_text(encoding="utf-8") for d in downloads}


LOAN = "A credit scoring model for loan applicants, trained on past approvals; customers ask why they were refused."


def test_planner_brief_is_the_same_document_the_cli_writes(page, site) -> None:
    """Reasons, similar deployments linked to their sources and all: the page's brief is the CLI's."""
    profile = Profile(industry="finance", traits=["regulated"], description=LOAN)
    ranked = plan.rank(CAT, G, profile)
    page.goto(site.url + "planner/", wait_until="networkidle")
    page.locator("#fg-plan-name").fill("Loan scoring")
    page.select_option("#fg-plan-industry", "finance")
    page.locator("#fg-trait-regulated").check()
    page.get_by_label("Describe the project in your own words").fill(LOAN)
    expect(page.locator(".fg-plan-item").first).to_have_attribute("data-challenge", ranked[0].id)
    # each deployment the "Why" line names links the public page it rests on
    first = page.locator(".fg-plan-item").first
    expect(first.get_by_role("link", name=ranked[0].similar[0], exact=True)).to_have_attribute(
        "href", ranked[0].sources[0])
    today = local_date(page)
    files = brief_downloads(page)
    expected_md, expected_bib = brief.brief(CAT, G, [r.id for r in ranked[:5]], site.url, ranked=ranked,
                                            profile_text="Banking and finance, regulated", project="Loan scoring",
                                            date=today)
    assert f"[“{ranked[0].similar[0]}”](<{ranked[0].sources[0]}>)" in expected_md
    assert files["brief.md"] == expected_md
    assert files["brief.bib"] == expected_bib


def test_planner_brief_cites_both_survey_versions_only_when_asked(page, site) -> None:
    """The "also cite the arXiv text" box gives the brief `fieldguide brief --with-preprint` writes."""
    ranked = plan.rank(CAT, G, Profile(industry="finance"))
    page.goto(site.url + "planner/", wait_until="networkidle")
    page.select_option("#fg-plan-industry", "finance")
    expect(page.locator(".fg-plan-item").first).to_have_attribute("data-challenge", ranked[0].id)
    page.locator("#fg-brief-preprint").check()
    today = local_date(page)
    files = brief_downloads(page)
    expected_md, expected_bib = brief.brief(CAT, G, [r.id for r in ranked[:5]], site.url, ranked=ranked,
                                            profile_text="Banking and finance", date=today, with_preprint=True)
    assert files["brief.md"] == expected_md
    assert files["brief.bib"] == expected_bib
    assert "paleyes2020challenges," in files["brief.bib"] and "[@paleyes2020challenges]" in files["brief.md"]


def test_planner_brief_takes_the_count_or_exactly_the_challenges_ticked(page, site) -> None:
    profile = Profile(industry="healthcare", traits=["personal-data"])
    ranked = plan.rank(CAT, G, profile)
    page.goto(site.url + "planner/", wait_until="networkidle")
    page.select_option("#fg-plan-industry", "healthcare")
    page.locator("#fg-trait-personal-data").check()
    expect(page.locator(".fg-plan-item").first).to_have_attribute("data-challenge", ranked[0].id)
    page.locator("#fg-brief-top").fill("2")
    assert page.locator("[data-fg-brief]:checked").count() == 2
    page.locator(f"#fg-brief-{ranked[1].id}").uncheck()
    page.locator(f"#fg-brief-{ranked[6].id}").check()
    files = brief_downloads(page)
    headings = [line for line in files["brief.md"].splitlines() if line.startswith("## [")]
    assert [h.split("](")[0][4:] for h in headings] == [CAT.challenges[ranked[i].id].title for i in (0, 6)]
    expect(page.locator(".fg-message").first).to_contain_text("2 challenges")


def test_checklist_and_planner_pages_are_accessible(page, site) -> None:
    for path in ("checklists/data-management/", "planner/"):
        page.goto(site.url + path, wait_until="networkidle")
        page.wait_for_timeout(300)
        assert axe_violations(page) == [], path


def test_the_readiness_shown_is_the_readiness_exported(page, site, tmp_path: Path) -> None:
    """One computation for the whole page: the progress bars, the overall figure and the Markdown
    export give the same numbers, and they are `fieldguide checklist`'s for the same state."""
    page.goto(site.url + "checklists/", wait_until="networkidle")
    show_every_check(page)
    deployment = next(c for c in CAT.challenges.values() if CAT.stage_of(c.step).id == "model-deployment")
    tick(page, FIRST)
    mark_not_applicable(page, SECOND, "One source system")
    tick(page, deployment.checklist[0].id)
    item_field(page, "status", deployment.checklist[1].id).select_option("accepted-risk")
    item_field(page, "reason", deployment.checklist[1].id).fill("Known and watched")
    markdown = download(page, "[data-fg-export=md]")
    state = download(page, "[data-fg-export=json]")
    overall = re.search(r"^Readiness: \*\*(\d+%)\*\*", markdown, re.MULTILINE).group(1)
    lowest = next(s.title for s in CAT.stages if f"| {s.title} | {overall} |" in markdown)
    expect(page.locator(".fg-readiness-overall")).to_have_text(f"{overall} (lowest: {lowest})")
    for stage in CAT.stages:
        shown = page.locator(f'[data-fg-progress="stage:{stage.id}"] .fg-progress-text').inner_text()
        ready = re.search(rf"^\| {re.escape(stage.title)} \| (\S+) \|", markdown, re.MULTILINE).group(1)
        assert shown.endswith(f"({ready})"), (stage.id, shown, ready)
    path = tmp_path / "state.json"
    path.write_text(state, encoding="utf-8")
    cli_md = checklist.to_markdown(CAT, G, checklist.rows(CAT), checklist.read_state(path, CAT)[0], site.url,
                                   "Deployment checklist: all stages", compact=True)
    assert markdown == cli_md


def test_planner_brief_adds_my_citations_from_the_basket(page, site) -> None:
    """A reader collects a challenge, a case study and a mitigation with "Add to citations" on their
    pages, then ticks "Add my citations" on the planner: the brief is what `fieldguide brief` writes
    with those as --challenge, --case-study and --mitigation, and brief.bib holds their sources."""
    ranked = plan.rank(CAT, G, Profile(industry="finance"))
    extra = ranked[7].id
    for path in (f"challenges/{extra}/", "case-studies/epic-sepsis-alerts-covid-19/", "mitigations/alibi-detect/"):
        page.goto(site.url + path, wait_until="networkidle")
        page.locator(".fg-add-cite").first.click()
        expect(page.locator(".fg-add-cite").first).to_have_attribute("aria-pressed", "true")
    page.goto(site.url + "planner/", wait_until="networkidle")
    page.select_option("#fg-plan-industry", "finance")
    expect(page.locator(".fg-plan-item").first).to_have_attribute("data-challenge", ranked[0].id)
    page.locator("#fg-brief-basket").check()
    today = local_date(page)
    files = brief_downloads(page)
    expected_md, expected_bib = brief.brief(
        CAT, G, [r.id for r in ranked[:5]] + [extra], site.url, ranked=ranked, profile_text="Banking and finance",
        date=today, case_study_ids=["epic-sepsis-alerts-covid-19"], mitigation_ids=["alibi-detect"])
    assert files["brief.md"] == expected_md
    assert files["brief.bib"] == expected_bib
    assert "klaise2020monitoring," in files["brief.bib"] and "wong2021quantification," in files["brief.bib"]
    expect(page.locator(".fg-message").first).to_contain_text(
        "6 challenges, 1 case study and 1 mitigation from the citation basket")


def test_planner_brief_shows_the_checklist_state_saved_in_this_browser(page, site, tmp_path: Path) -> None:
    """A check done and one marked not applicable on the checklist page; with "Show the checklist
    state" ticked the planner's brief is `fieldguide brief --state` on the state the page exports."""
    ranked = plan.rank(CAT, G, Profile(industry="finance"))
    top = CAT.challenges[ranked[0].id]
    open_checklist(page, site, CAT.stage_of(top.step).id)
    tick(page, top.checklist[0].id)
    page.locator(f'li[data-item="{top.checklist[0].id}"] summary').click()  # "Note and evidence link"
    item_field(page, "note", top.checklist[0].id).fill("Agreed with *risk*\nsee [the wiki](javascript:x)")
    item_field(page, "evidence", top.checklist[0].id).fill("https://git.example.org/team/model/pull/12")
    mark_not_applicable(page, top.checklist[1].id, "Batch scoring only")
    page.locator(f"#reason-{top.checklist[1].id}").blur()
    (tmp_path / "state.json").write_text(download(page, "[data-fg-export=json]"), encoding="utf-8")
    page.goto(site.url + "planner/", wait_until="networkidle")
    page.select_option("#fg-plan-industry", "finance")
    expect(page.locator(".fg-plan-item").first).to_have_attribute("data-challenge", ranked[0].id)
    page.locator("#fg-brief-state").check()
    today = local_date(page)
    files = brief_downloads(page)
    state, problems = checklist.read_state(tmp_path / "state.json", CAT)
    assert not problems
    expected_md, _ = brief.brief(CAT, G, [r.id for r in ranked[:5]], site.url, ranked=ranked,
                                 profile_text="Banking and finance", date=today, state=state)
    assert files["brief.md"] == expected_md
    assert "- [x] " in files["brief.md"] and "(not applicable: Batch scoring only)" in files["brief.md"]
    assert ("; note: Agreed with \\*risk\\* see \\[the wiki\\](javascript:x); "
            "evidence: https://git.example.org/team/model/pull/12)") in files["brief.md"], "note and evidence as typed"
