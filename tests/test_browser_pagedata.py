"""What the planner and the citation basket download, in a real browser on both builders: the planner's
small core and the challenges' texts first, a brief's sections and sources only when a brief is made
(and only their chunks); the basket only the chunks of the pages collected and their sources
(fieldguide.pagedata). The results themselves are the other browser tests' business."""

from __future__ import annotations

import json

from playwright.sync_api import expect

from browser import storage_key
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
