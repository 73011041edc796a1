"""The header search box in a real browser: practitioners' questions typed into it, grouped results,
keyboard use, accessibility, and the same ranking as `fieldguide search`."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from browser import axe_violations, search
from fieldguide import graph, load
from fieldguide import search as engine

CAT = load.load("catalog")
INDEX = engine.index_for(CAT, graph.build(CAT))


def ids(results: list[tuple[str, str]], folder: str) -> list[str]:
    return [m.group(1) for _, href in results if (m := re.search(rf"/{folder}/([a-z0-9-]+)/", href))]


@pytest.mark.parametrize(("query", "expected"), [
    ("model decay", "concept-drift"),  # an alias Material's search buried below 14 other results
    ("our predictions got worse after a few months in production", "concept-drift"),
    ("only radiologists can label our scans", "access-to-experts"),
    ("someone could copy our model through the API", "model-stealing"),
    ("hyperparamter tuning takes forever", "resource-heavy-techniques"),  # with a typo
])
def test_a_practitioners_question_finds_the_challenge_first(page, site, query: str, expected: str) -> None:
    results = search(page, site, query)
    assert ids(results, "challenges")[0] == expected, results[:5]


def test_results_are_grouped_challenges_first_and_rank_as_the_cli_does(page, site) -> None:
    query = "data validation"
    results = search(page, site, query, "case-studies/")
    groups = page.locator(".fg-search-group").evaluate_all("els => els.map(e => e.dataset.type)")
    # words that many titles share ("Data validation for machine learning" among them) make no top hit:
    # the groups, challenges first
    assert groups == ["challenge", "case-study", "mitigation", "reference"]
    top, expected = engine.listing(INDEX, query, engine.run(INDEX, query))
    assert top is None
    shown = page.locator("#fg-search-results a.fg-search-hit").evaluate_all("els => els.map(e => e.dataset.id)")
    assert shown == [h.id for h in expected], "the page shows what `fieldguide search` lists, in the same order"
    # the example: the data-validation case study and mitigations are found
    assert "production-pipeline-data-errors" in ids(results, "case-studies")
    assert {"pipeline-data-validation", "tensorflow-data-validation"} & set(ids(results, "mitigations"))
    # challenges carry their stage and step; matched words are highlighted
    first = page.locator(".fg-search-group[data-type=challenge] a.fg-search-hit").first
    expect(first.locator(".fg-search-hit-meta")).to_contain_text("›")
    assert page.locator("#fg-search-results mark").count() > 0
    assert page.watch.console_errors == [] and page.watch.foreign_requests == []


@pytest.mark.parametrize(("query", "address"), [
    ("Booking.com", "/case-studies/booking-com-business-metrics/"),
    ("Uber Michelangelo", "/mitigations/uber-michelangelo/"),
    ("Hidden technical debt in machine learning systems", "/references/s/#sculley2015hidden"),
    ("Michelangelo", "/mitigations/uber-michelangelo/"),  # part of its name
    ("Tramèr stealing", "/references/t/#tramer2016stealing"),  # its author and a word of its title
])
def test_a_name_query_shows_the_named_entity_first(page, site, query: str, address: str) -> None:
    results = search(page, site, query)
    assert results[0][1].endswith(address), results[:3]
    groups = page.locator(".fg-search-group").evaluate_all("els => els.map(e => e.dataset.type)")
    assert groups[:2] == ["top", "challenge"]
    expect(page.locator(".fg-search-group[data-type=top] h3")).to_have_text("Top hit")
    assert [href for _, href in results].count(results[0][1]) == 1, "the top hit is not listed twice"
    page.locator("#fg-search-input").press("Enter")  # Enter opens the first result: the named thing
    page.wait_for_url(lambda url: url.endswith(address))


def test_a_group_cannot_push_the_challenges_out_of_view(page, site) -> None:
    search(page, site, "model")  # a word in almost every document
    counts = page.locator(".fg-search-group").evaluate_all(
        "els => els.map(e => [e.dataset.type, e.querySelectorAll('a.fg-search-hit').length])")
    assert counts[0][0] == "challenge"
    limits = INDEX.data["limits"]
    assert all(n <= limits[kind] for kind, n in counts)


def test_keyboard_opens_navigates_and_closes_the_dialog(page, site) -> None:
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(site.url + "stages/data-management/", wait_until="networkidle")
    assert not any("search/index.json" in u for u in requests), "the index is not fetched on page load"
    page.keyboard.press("/")
    dialog = page.get_by_role("dialog", name="Search the field guide")
    expect(dialog).to_be_visible()
    expect(page.locator("#fg-search-input")).to_be_focused()
    page.keyboard.type("gpu bill too high")
    expect(page.locator("#fg-search-status")).to_contain_text("gpu bill too high")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    page.keyboard.press("s")  # Material's other shortcut
    expect(dialog).to_be_visible()
    page.keyboard.press("ArrowDown")
    expect(page.locator("a.fg-search-hit").first).to_be_focused()
    assert page.evaluate("document.activeElement.dataset.id") == "computational-cost"
    page.keyboard.press("ArrowUp")
    expect(page.locator("#fg-search-input")).to_be_focused()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/challenges/computational-cost/"))
    expect(dialog).to_be_hidden()
    page.keyboard.press("/")  # still there after instant navigation
    expect(page.locator("#fg-search-input")).to_be_focused()


def test_no_results_says_so_and_offers_a_way_on(page, site) -> None:
    search(page, site, "qwxzv")
    expect(page.locator("#fg-search-status")).to_contain_text("No results for “qwxzv”")
    expect(page.locator(".fg-search-suggestions a")).to_have_count(2)
    page.locator(".fg-search-example").first.click()
    expect(page.locator(".fg-search-group").first).to_be_visible()


def test_the_open_dialog_is_accessible(page, site) -> None:
    search(page, site, "explain the model to regulators")
    assert axe_violations(page) == []
    page.keyboard.press("Escape")
    page.wait_for_timeout(200)
    assert axe_violations(page) == []


def test_the_open_dialog_is_accessible_in_the_dark_scheme(browser, site) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="dark")
    tab = context.new_page()
    search(tab, site, "explain the model to regulators")
    tab.locator("#fg-search-results a.fg-search-hit").first.focus()  # the highlighted row too
    assert axe_violations(tab) == []
    context.close()


def test_planner_ranks_a_description_as_fieldguide_plan_does(page, site) -> None:
    from fieldguide import plan
    from fieldguide.schema import Profile

    description = ("We will score loan applications from ten years of approved loans; underwriters see the score "
                   "and the reasons before they decide.")
    profile = Profile(industry="finance", traits=["humans-act-on-output"], description=description)
    expected = plan.rank(CAT, graph.build(CAT), profile, INDEX)
    page.goto(site.url + "planner/", wait_until="networkidle")
    page.select_option("#fg-plan-industry", "finance")
    page.locator("#fg-trait-humans-act-on-output").check()
    page.get_by_label("Describe the project in your own words").fill(description)
    items = page.locator(".fg-plan-item")
    # The description's part of the ranking arrives with the index's parts it needs (entry, chunks,
    # fragments): wait for it to show, not for a fixed time.
    expect(items.first.locator(".fg-why")).to_contain_text("your description mentions")
    expect(items.first).to_have_attribute("data-challenge", expected[0].id)
    page.wait_for_timeout(500)
    assert items.evaluate_all("els => els.map(e => e.dataset.challenge)") == [r.id for r in expected]
    expect(items.first.locator(".fg-why")).to_have_text(f"Why: {'; '.join(expected[0].reasons(CAT))}.")
    assert "your description mentions" in items.first.locator(".fg-why").inner_text()
    page.reload(wait_until="networkidle")
    expect(page.get_by_label("Describe the project in your own words")).to_have_value(description)


# ---------------------------------------------------------------- the index in parts (issue 23)


def _entry(site) -> dict:
    return json.loads((site.root / "search" / "index.json").read_text(encoding="utf-8"))


def _search_files(requests: list[str]) -> set[str]:
    return {u.split("/search/", 1)[1] for u in requests if "/search/" in u}


@pytest.mark.parametrize("typed", [False, True])
def test_a_question_fetches_the_entry_and_only_its_own_parts(page, site, typed: bool) -> None:
    """One question fetches the entry file, the chunks of its words' terms and the fragments of what it
    shows: what `fieldguide.search.files_for` says (pasted: one input event), or, typed letter by letter,
    what it says for every prefix (the count `make bench` reports as the first search download); a
    small share of the parts either way."""
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(site.url, wait_until="networkidle")
    page.locator(".fg-search-open").click()
    query = "labelling needs doctors"
    if typed:
        page.locator("#fg-search-input").press_sequentially(query, delay=20)
    else:
        page.locator("#fg-search-input").fill(query)
    expect(page.locator("#fg-search-status")).to_contain_text(query)
    page.wait_for_load_state("networkidle")
    fetched = _search_files(requests)
    prefixes = [query[:k] for k in range(1, len(query) + 1)] if typed else [query]
    assert fetched == set().union(*(engine.files_for(INDEX, _entry(site), text) for text in prefixes))
    assert len(fetched) < len(list((site.root / "search").iterdir())) / 2
    shown = page.locator("#fg-search-results a.fg-search-hit").evaluate_all("els => els.map(e => e.dataset.id)")
    assert shown == [h.id for h in engine.listing(INDEX, query, engine.run(INDEX, query))[1]]


def test_an_answer_that_arrives_late_is_never_shown(page, site) -> None:
    """The parts of a first question are held back until a second question has been answered; when
    they arrive, the list still shows the second question's results, not the first's."""
    first, second = "concept drift", "gpu bill too high"
    entry = _entry(site)
    late = {name for name in engine.files_for(INDEX, entry, first) - engine.files_for(INDEX, entry, second)
            if name.startswith("p-")}  # its chunks: once they arrive, its fragments follow unhindered
    assert late, "the first question needs chunks the second does not"
    held = []
    page.route("**/search/*.json", lambda route: held.append(route) if route.request.url.split("/search/")[1] in late
               else route.continue_())
    page.goto(site.url, wait_until="networkidle")
    page.locator(".fg-search-open").click()
    box = page.locator("#fg-search-input")
    box.fill(first)
    page.wait_for_timeout(300)
    assert held, "the first question is waiting for its parts"
    box.fill(second)
    expect(page.locator("#fg-search-status")).to_contain_text(second)
    expected = [h.id for h in engine.listing(INDEX, second, engine.run(INDEX, second))[1]]
    ids = "els => els.map(e => e.dataset.id)"
    assert page.locator("#fg-search-results a.fg-search-hit").evaluate_all(ids) == expected
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    for route in held:
        route.continue_()
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(300)
    assert any("/search/d-" in u for u in requests), "the first question went on to fetch what it would show"
    expect(page.locator("#fg-search-status")).to_contain_text(second)
    assert page.locator("#fg-search-results a.fg-search-hit").evaluate_all(ids) == expected
    assert page.watch.console_errors == []


@pytest.mark.parametrize("damage", ["missing", "not JSON", "another index"])
def test_a_missing_or_damaged_part_is_reported_not_shown_as_no_results(page, site, damage: str) -> None:
    """A chunk that is gone (404), torn, or from another build says so and offers a way on, never
    "no results"; once the part can be read again the same question is answered."""
    def broken(route) -> None:
        if damage == "missing":
            route.fulfill(status=404, body="not found")
        elif damage == "not JSON":
            route.fulfill(status=200, content_type="application/json", body='{"first": 0, "postin')
        else:
            route.fulfill(status=200, content_type="application/json", body='{"first": 0, "postings": ["AB"]}')

    page.route("**/search/p-*.json", broken)
    page.goto(site.url, wait_until="networkidle")
    page.locator(".fg-search-open").click()
    box = page.locator("#fg-search-input")
    box.fill("concept drift")
    status = page.locator("#fg-search-status")
    expect(status).to_contain_text("Part of the search index could not be loaded")
    expect(status).to_contain_text("search/p-")
    assert "No results" not in status.inner_text()
    expect(page.locator(".fg-search-suggestions")).to_be_visible()
    assert page.locator("#fg-search-results a.fg-search-hit").count() == 0
    page.unroute("**/search/p-*.json")
    box.fill("concept drifts")
    expect(status).to_contain_text("concept drifts")
    assert page.locator("#fg-search-results a.fg-search-hit").first.get_attribute("data-id") == "concept-drift"
