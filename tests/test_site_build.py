"""`mkdocs build --strict` on the real catalog: the hook serves a page for every entity."""

from __future__ import annotations

import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import REAL
from fieldguide import graph, load

ROOT = REAL.parent


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
                          cwd=ROOT, capture_output=True, text=True, env=env, check=False)
    assert proc.returncode == 0, proc.stderr
    return out


class Article(HTMLParser):
    """What a reader sees in a built page's article: its heading, its sections (h2 ids), and per
    section the links it holds and the text of its list items, in page order."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.h1 = ""
        self.sections: list[str] = []  # h2 ids
        self.links: dict[str, list[str]] = {}
        self.items: dict[str, list[str]] = {}
        self._article = self._h1 = False
        self._section = ""
        self._item: list[str] | None = None
        self._skip = 0  # inside a heading's permalink
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = dict(attrs)
        if tag == "article":
            self._article = True
        if not self._article:
            return
        if tag == "h1":
            self._h1 = True
        elif tag == "h2":
            self._section = attr.get("id") or ""
            self.sections.append(self._section)
        elif tag == "li":
            self._item = []
        elif tag == "a" and "headerlink" in (attr.get("class") or ""):
            self._skip += 1
        elif tag == "a" and attr.get("href"):
            self.links.setdefault(self._section, []).append(attr["href"] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "article":
            self._article = False
        elif tag == "h1":
            self._h1 = False
        elif tag == "a" and self._skip:
            self._skip -= 1
        elif tag == "li" and self._item is not None:
            self.items.setdefault(self._section, []).append(" ".join("".join(self._item).split()))
            self._item = None

    def handle_data(self, data: str) -> None:
        if self._skip or not self._article:
            return
        if self._h1:
            self.h1 += data
        if self._item is not None:
            self._item.append(data)


def article(site: Path, path: str) -> Article:
    return Article((site / path / "index.html").read_text(encoding="utf-8"))


def test_every_entity_has_its_page_under_its_title(built_site: Path) -> None:
    cat = load.load(REAL)
    for stage in cat.stages:
        page = article(built_site, f"stages/{stage.id}")
        assert page.h1 == stage.title
        assert page.sections[:len(stage.steps)] == [step.id for step in stage.steps], stage.id
    for folder, pool in (("challenges", cat.challenges), ("case-studies", cat.case_studies),
                         ("mitigations", cat.mitigations)):
        for entity_id, entity in pool.items():
            assert article(built_site, f"{folder}/{entity_id}").h1 == entity.title, f"{folder}/{entity_id}"
    bibliography = (built_site / "references" / "index.html").read_text(encoding="utf-8")
    for rid in cat.references:
        assert f'id="{rid}"' in bibliography, rid


def test_challenge_pages_show_checklist_case_studies_mitigations_and_related_in_order(built_site: Path) -> None:
    """Every challenge page of the real catalog, as built by mkdocs: the items and links a reader
    sees, section by section, in the order the catalog and the graph give them."""
    cat = load.load(REAL)
    g = graph.build(cat)
    for cid, c in cat.challenges.items():
        page = article(built_site, f"challenges/{cid}")
        items = page.items["checklist"]  # each item may go on with the framework items it also covers
        assert len(items) == len(c.checklist), cid
        assert all(shown.startswith(f"{i.text} {i.id}") for shown, i in zip(items, c.checklist, strict=True)), cid
        cases = graph.incoming(g, cid, "illustrates")
        assert page.links.get("case-studies", []) == [f"../../case-studies/{s}/" for s in cases], cid
        assert page.links["mitigations"] == [f"../../mitigations/{m}/" for m in graph.incoming(g, cid, "addresses")]
        related = graph.related(g, cid)
        assert page.links["related-challenges"] == [f"../{r.id}/" for r in related], cid
        assert page.items["related-challenges"] == [f"{cat.challenges[r.id].title}: {' '.join(r.reasons)}"
                                                    for r in related], cid
        ev = graph.evidence(g, cid)
        text = (built_site / "challenges" / cid / "index.html").read_text(encoding="utf-8")
        assert f"<strong>Evidence:</strong> {ev.level}: " in text, cid


def test_nothing_generated_is_written_into_content() -> None:
    generated = {"challenges", "case-studies", "mitigations", "stages", "references.md"}
    assert not generated & {p.name for p in (ROOT / "content").iterdir()}
