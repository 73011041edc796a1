"""What the planner and the citation basket download, in a real browser on both builders: the planner's
small core and the challenges' texts first, a brief's sections and sources only when a brief is made
(and only their chunks); the basket only the chunks of the pages collected and their sources
(fieldguide.pagedata). The results themselves are the other browser tests' business."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from browser import Site, _QuietHandler, free_port, search, serve, storage_key
from test_browser_checklists import brief_downloads


def _fetched(page, folder: str) -> list[str]:
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url) if f"/{folder}/" in r.url and r.url.endswith(".json")
            else None)
    return requested


def _parts(site, folder: str) -> dict:
    return json.loads((site.root / folder / "data.json").read_text(encoding="utf-8"))["parts"]


def _name(site, url: str) -> str:
    return url.removeprefix(site.url)


def test_the_planner_fetches_a_briefs_sections_only_when_one_is_made(page, site) -> None:
    parts = _parts(site, "planner")
    requested = _fetched(page, "planner")
    page.goto(site.url + "planner/", wait_until="networkidle")
    page.select_option("#fg-plan-industry", "finance")
    expect(page.locator(".fg-plan-item").first).to_be_visible()
    first = {_name(site, u) for u in requested}
    assert first == {"planner/data.json", *parts["challenges"]["files"]}, "the core and the challenges' texts"
    top = page.locator(".fg-plan-item").evaluate_all("els => els.slice(0, 5).map(e => e.dataset.challenge)")
    files = brief_downloads(page)
    assert files["brief.md"].count("\n## [") == 5
    later = {_name(site, u) for u in requested} - first
    sections = {parts["brief.sections"]["files"][parts["brief.sections"]["at"][c]] for c in top}
    assert sections <= later, "the sections of the challenges in the brief"
    assert later - sections <= set(parts["brief.references"]["files"]), "and their sources, nothing else"
    assert not later & {*parts["brief.case_studies"]["files"], *parts["brief.mitigations"]["files"]}


@pytest.mark.parametrize("reading", ["ranking.contexts", "ranking.deployments"])
def test_the_planner_fetches_a_reading_index_only_for_a_description_and_only_what_it_reads(
        page, site, reading: str) -> None:
    """The contexts' and the deployments' indexes (planner data `ranking.contexts`, `ranking.deployments`)
    stay away from a plan without a description; a description whose words they do not hold fetches only
    the entry's chunk; one they hold adds the chunks of its postings and of the documents it matches,
    never more than the table has."""
    table = _parts(site, "planner")[reading]
    entry = table["files"][table["at"]["index.json"]]
    requested = _fetched(page, "planner")
    page.goto(site.url + "planner/", wait_until="networkidle")
    page.select_option("#fg-plan-industry", "finance")
    expect(page.locator(".fg-plan-item").first).to_be_visible()
    assert not {_name(site, u) for u in requested} & set(table["files"]), "no description, no contexts"
    box = page.get_by_label("Describe the project in your own words")
    with page.expect_request(lambda r: r.url == site.url + entry):  # once the plan is worked out again
        box.fill("qqzx vvkjw")
    page.wait_for_load_state("networkidle")
    fetched = {_name(site, u) for u in requested} & set(table["files"])
    assert fetched == {entry}, "words it does not hold: the entry only"
    box.fill("Shoppers click on the items we rank highest, and their clicks become next month's training data.")
    expect(page.locator(".fg-plan-item").first.locator(".fg-why")).to_contain_text("your description mentions")
    page.wait_for_load_state("networkidle")
    fetched = {_name(site, u) for u in requested} & set(table["files"])
    assert entry in fetched and len(fetched) > 1 and fetched <= set(table["files"])
    if reading == "ranking.deployments":  # and the deployments it resembles are named
        expect(page.locator(".fg-why").filter(has_text="it bit similar projects").first).to_be_visible()


def test_the_basket_fetches_only_what_it_lists(page, site) -> None:
    parts = _parts(site, "citations")
    page.goto(site.url, wait_until="networkidle")
    key = "fieldguide-concept-drift"
    page.evaluate("([k, v]) => localStorage.setItem(k, v)",
                  [storage_key(site, "fieldguide-citations-v1"), json.dumps({"version": 1, "pages": [key]})])
    requested = _fetched(page, "citations")
    page.goto(site.url + "citations/", wait_until="networkidle")
    expect(page.locator(".fg-basket-list li")).to_have_count(1)
    names = [_name(site, u) for u in requested]
    assert names[0] == "citations/data.json"
    assert parts["pages"]["files"][parts["pages"]["at"][key]] in names
    others = set(parts["pages"]["files"]) - {parts["pages"]["files"][parts["pages"]["at"][key]]}
    assert not others & set(names), "no other page's chunk"


class _CachingHandler(_QuietHandler):
    """A host that lets browsers keep every file for an hour, as many static hosts do for a while."""

    def end_headers(self) -> None:
        print("SERVED", self.path, flush=True)
        self.send_header("Cache-Control", "max-age=3600")
        super().end_headers()


def _redeploy(root: Path) -> None:
    """A new build replaces the old one: every content-hashed part gets a new name and the old ones are
    gone; the core files with fixed names (planner/data.json, citations/data.json, search/index.json)
    name the new parts."""
    for folder in ("planner", "citations"):
        core = root / folder / "data.json"
        data = json.loads(core.read_text(encoding="utf-8"))
        for part in data["parts"].values():
            renamed = []
            for name in part["files"]:
                new = name.removesuffix(".json") + "-v2.json"
                (root / name).rename(root / new)
                renamed.append(new)
            part["files"] = renamed
        core.write_text(json.dumps(data), encoding="utf-8")
    entry = root / "search" / "index.json"
    data = json.loads(entry.read_text(encoding="utf-8"))
    for kind, digest in data["parts"].items():
        for old in (root / "search").glob(f"{kind}-{digest}-*.json"):
            old.rename(old.with_name(old.name.replace(f"-{digest}-", f"-{digest[::-1]}-")))
        data["parts"][kind] = digest[::-1]
    entry.write_text(json.dumps(data), encoding="utf-8")
    later = time.time() + 5  # the server's Last-Modified has a one-second grain
    for core in (root / "planner" / "data.json", root / "citations" / "data.json", entry):
        os.utime(core, (later, later))


def test_a_visit_after_a_new_deploy_reads_the_new_data_not_a_cached_core(browser, site, tmp_path) -> None:
    """A visitor who came before a deploy comes back while the host still lets the browser keep files,
    and asks for what the first visit did not fetch (another search, a brief): the planner and search
    work with the new build's parts. A core file kept from the first visit would name parts the deploy
    removed, and the page would say its data could not be loaded."""
    root = tmp_path / "site"
    shutil.copytree(site.root, root)
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    served = Site(root, url, site.builder)
    # No request routing in this context: Playwright turns the HTTP cache off when it routes requests.
    with serve(root, port, _CachingHandler), contextlib.closing(browser.new_context(accept_downloads=True)) as context:
        tab = context.new_page()
        errors: list[str] = []
        tab.on("pageerror", lambda exc: errors.append(str(exc)))
        tab.goto(url + "planner/", wait_until="networkidle")
        tab.select_option("#fg-plan-industry", "finance")
        expect(tab.locator(".fg-plan-item").first).to_be_visible()
        assert search(tab, served, "concept drift")[0][0] == "Concept drift"

        _redeploy(root)
        assert search(tab, served, "poisoning")[0][0] == "Data poisoning"
        tab.goto(url + "planner/", wait_until="networkidle")
        tab.select_option("#fg-plan-industry", "healthcare")
        expect(tab.locator(".fg-plan-item").first).to_be_visible()
        assert brief_downloads(tab)["brief.md"].count("\n## [") == 5
        assert not tab.get_by_text("could not be loaded").count()
        assert not errors


def test_the_planner_fetches_the_search_entry_file_when_the_description_box_is_focused(page, site) -> None:
    """Reading a description needs the search index: its entry file is on its way as soon as the box is
    focused, before a word is typed, and not on page load (a planner used without a description never
    downloads it)."""
    requested = _fetched(page, "search")
    page.goto(site.url + "planner/", wait_until="networkidle")
    assert not requested
    with page.expect_request(lambda r: r.url == site.url + "search/index.json"):
        page.locator("#fg-plan-description").click()
    assert page.locator("#fg-plan-description").input_value() == "", "nothing typed yet"
