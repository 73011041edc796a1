"""A site built from a catalog full of injection attempts that pass `check`: nothing executes.

What `check` refuses (raw HTML, script links, images, attribute lists) is covered in
test_hostile.py; here are the payloads it lets through, which the generator must render inert.
"""

from __future__ import annotations

import pytest
import yaml

from browser import Site, built_site
from conftest import small_project
from fieldguide import load

PAYLOADS = {
    "quotes": "Payload \"double\" 'single' `tick` <> & | { } [ ]",
    "entities": "&lt;script&gt;window.__pwned = 1&lt;/script&gt; &#60;img src=x onerror=window.__pwned=1&#62;",
    # Braces are written escaped: a bare {...} is attribute-list syntax, which `check` refuses.
    "jinja": r"\{\{ 7 * 7 \}\} \{% raw %\} $\{7 * 7\}",
    "mermaid": r"%%\{init: \{'securityLevel': 'loose'\}\}%% click c call window.__pwned()",
    "scheme": "javascript:window.__pwned=1 as plain text, and a [safe link](https://example.org/)",
}


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory):
    project = small_project(tmp_path_factory.mktemp("hostile-project"), "Hostile catalog")
    catalog = project / "catalog"
    short = f"{PAYLOADS['quotes']} {PAYLOADS['mermaid']}"  # fits one-line fields (titles: 400 characters)
    long = " | ".join(PAYLOADS.values())
    for path in catalog.rglob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        entries = data.get("stages") or data.get("industries") or [data]
        for entry in entries:
            for key in ("title", "summary", "organization"):
                if key in entry:
                    entry[key] = f"{entry[key]} {short}"
            for key in ("description", "what_happened"):
                if key in entry:
                    entry[key] = f"{entry[key]}\n\n{long}"
            for item in entry.get("checklist", []):
                item["text"] = f"{item['text']} {PAYLOADS['quotes']}"
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    load.load(catalog)  # the payloads pass `check`: the generator has to make them harmless
    yield from built_site(project, tmp_path_factory.mktemp("hostile-site"))


def test_nothing_from_the_catalog_executes(page, hostile_site: Site) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    pages = hostile_site.pages()
    assert "challenges/data-discovery/" in pages
    for path in pages:
        page.goto(hostile_site.url + path, wait_until="load")
        if page.locator("pre.fg-diagram").count():  # diagrams draw when scrolled near
            page.locator("pre.fg-diagram").first.scroll_into_view_if_needed()
            page.locator(".fg-diagram-svg svg").first.wait_for(timeout=15000)
        assert page.evaluate("window.__pwned") is None, path
    assert dialogs == []
    assert page.watch.foreign_requests == []
    page.goto(hostile_site.url + "challenges/data-discovery/", wait_until="load")
    body = page.locator("article").first.inner_text()
    assert "<script>window.__pwned = 1</script>" in body, "escaped markup shows as text"
    assert "%%{init:" in body, "a Mermaid directive in a title stays text"
    assert "{{ 7 * 7 }}" in body, "catalog text is never evaluated as a template"


def test_checklist_items_with_payloads_still_work(page, hostile_site: Site) -> None:
    page.goto(hostile_site.url + "checklists/data-management/", wait_until="networkidle")
    page.locator("#done-data-discovery-source-owners").check()
    page.reload(wait_until="networkidle")
    assert page.locator("#done-data-discovery-source-owners").is_checked()
    assert page.evaluate("window.__pwned") is None
