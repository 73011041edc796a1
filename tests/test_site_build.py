"""`mkdocs build --strict` on the real catalog, as for publication: a page for every entity, the public
address everywhere, and the pages a reader cites, collects and follows."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from pybtex.database import parse_string

from conftest import REAL, VALID, small_project
from fieldguide import graph, load

ROOT = REAL.parent
PUBLIC = "https://guide.example.org/ml/"  # a project site under a path, as GitHub Pages serves one
CAT = load.load(REAL)
G = graph.build(CAT)


def mkdocs_build(project: Path, out: Path, site_url: str | None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "FIELDGUIDE_PUBLISH": "1"}
    env.pop("SITE_URL", None)
    if site_url:
        env["SITE_URL"] = site_url
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
                          cwd=project, capture_output=True, text=True, env=env, check=False)


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    proc = mkdocs_build(ROOT, out, PUBLIC)
    assert proc.returncode == 0, proc.stderr
    return out


def html(site: Path, path: str) -> str:
    return (site / path / "index.html").read_text(encoding="utf-8")


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
    generated = {"challenges", "case-studies", "mitigations", "stages", "references.md", "citations.md",
                 "changelog.md"}
    assert not generated & {p.name for p in (ROOT / "content").iterdir()}



def test_a_publication_build_names_no_local_address_anywhere(built_site: Path) -> None:
    """Every file of the site: pages, sitemap, downloads, page citations, the planner's brief data.
    Material's source maps are left out: they hold the theme's developer comments, not addresses."""
    offenders = []
    for path in built_site.rglob("*"):
        if path.is_file() and path.suffix not in (".map", ".gz"):
            text = path.read_bytes().decode("utf-8", errors="replace")
            if re.search(r"127\.0\.0\.1|localhost", text):
                offenders.append(path.relative_to(built_site).as_posix())
    assert offenders == []
    canonical = f'<link rel="canonical" href="{PUBLIC}challenges/concept-drift/">'
    assert canonical in html(built_site, "challenges/concept-drift")
    sitemap = (built_site / "sitemap.xml").read_text(encoding="utf-8")
    locs = re.findall(r"<loc>([^<]+)</loc>", sitemap)
    assert locs and all(loc.startswith(PUBLIC) for loc in locs)
    planner = json.loads((built_site / "planner" / "data.json").read_text(encoding="utf-8"))
    assert planner["site_url"] == PUBLIC and planner["brief"]["head"].count(PUBLIC) == 1


def test_a_publication_build_with_a_local_address_stops_with_a_clear_message(tmp_path: Path) -> None:
    proc = mkdocs_build(ROOT, tmp_path / "out", None)
    assert proc.returncode != 0
    assert "the site's public address is http://127.0.0.1:8000/, a local address" in proc.stderr
    assert "SITE_URL" in proc.stderr and "Traceback" not in proc.stderr


def test_mitigation_pages_can_be_cited(built_site: Path) -> None:
    page = html(built_site, "mitigations/great-expectations")
    assert 'id="cite-this"' in page and 'data-fg-cite="fieldguide-great-expectations"' in page
    bibtex = re.search(r'class="[^"]*fg-page-bibtex[^"]*".*?<code>(.*?)</code>', page, re.DOTALL)
    assert bibtex, "the page's own BibTeX is there"
    text = re.sub(r"<[^>]+>", "", bibtex.group(1)).replace("&quot;", '"').replace("&amp;", "&")
    entry = parse_string(text, "bibtex").entries["fieldguide-great-expectations"]
    assert entry.fields["url"] == PUBLIC + "mitigations/great-expectations/"
    assert "urldate" not in entry.fields and "Accessed" not in page, "no build date posing as an access date"


def test_case_studies_and_mitigations_lead_to_each_other(built_site: Path) -> None:
    """Through the challenges they share, in both directions."""
    case = "booking-com-business-metrics"
    mitigations = {m for c in graph.outgoing(G, case, "illustrates") for m in graph.incoming(G, c, "addresses")}
    page = html(built_site, f"case-studies/{case}")
    assert "Mitigations for the challenges it illustrates" in page
    for mid in mitigations:
        assert f'href="../../mitigations/{mid}/"' in page, mid
        back = html(built_site, f"mitigations/{mid}")
        assert "Case studies where this applies" in back and f'href="../../case-studies/{case}/"' in back


def test_survey_correction_is_shown_where_the_survey_is_repeated(built_site: Path) -> None:
    for path in ("case-studies/model-stealing-prediction-apis", "challenges/model-stealing"):
        page = html(built_site, path)
        assert "What the source says" in page and "BigML and Amazon Machine Learning" in page
        assert 'href="../../references/t/#tramer2016stealing"' in page


def test_home_page_leads_to_catalog_planner_checklists_and_citations_without_mermaid(built_site: Path) -> None:
    page = html(built_site, "")
    start = re.search(r'<nav aria-label="Start here" class="fg-start">(.*?)</nav>', page, re.DOTALL)
    assert start, "the start links come first"
    assert re.findall(r'href="([^"]+)"', start.group(1)) == ["challenges/", "planner/", "checklists/", "citations/"]
    assert page.index("fg-start") < page.index("Teams that put machine learning")
    assert "fg-diagram" not in page and "mermaid" not in page.lower(), "no Mermaid on the home page"
    svg = re.search(r"<svg[^>]*aria-labelledby=\"([^\"]+)\"[^>]*>(.*?)</svg>", page, re.DOTALL)
    assert svg and '<title id="fg-workflow-title">' in svg.group(2) and '<desc id="fg-workflow-desc">' in svg.group(2)


def test_changelog_and_citations_pages_are_built(built_site: Path) -> None:
    changelog = html(built_site, "changelog")
    assert "2026.11.29" in changelog and "paleyes2022challenges" in changelog
    parts = json.loads((built_site / "citations" / "data.json").read_text(encoding="utf-8"))["parts"]
    for table in ("references", "pages"):  # every chunk the core names is in the site (fieldguide.pagedata)
        assert all((built_site / name).is_file() for name in parts[table]["files"]), table
    assert set(parts["references"]["at"]) == set(CAT.references)
    citable = set(CAT.challenges) | set(CAT.case_studies) | set(CAT.mitigations)
    assert set(parts["pages"]["at"]) == {f"fieldguide-{i}" for i in citable}
    assert 'id="fg-basket"' in html(built_site, "citations")


@pytest.fixture(scope="module")
def small_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small valid catalog (with one retired challenge), built for publication."""
    project = small_project(tmp_path_factory.mktemp("small-project"), "Small catalog")
    out = project / "site"
    proc = mkdocs_build(project, out, PUBLIC)
    assert proc.returncode == 0, proc.stderr
    return out


def test_retired_entry_keeps_its_address_points_to_its_successor_and_hides_from_search(small_site: Path) -> None:
    page = html(small_site, "challenges/data-silos")
    assert '<meta name="robots" content="noindex">' in page
    assert 'href="../data-discovery/"' in page and "retired on 2026-11-29" in page
    assert "challenges/data-silos/" not in (small_site / "sitemap.xml").read_text(encoding="utf-8")
    assert "challenges/data-discovery/" in (small_site / "sitemap.xml").read_text(encoding="utf-8")
    live = html(small_site, "challenges/data-discovery")
    assert 'name="robots"' not in live


def test_precompressed_copies_match_their_originals(tmp_path: Path) -> None:
    import gzip

    from fieldguide import publish

    site = tmp_path / "site"
    (site / "a").mkdir(parents=True)
    (site / "a" / "index.html").write_text("<p>x</p>" * 100, encoding="utf-8")
    (site / "logo.png").write_bytes(b"\x89PNG")
    assert publish.precompress(site) == 1, "text files only"
    packed = site / "a" / "index.html.gz"
    assert gzip.decompress(packed.read_bytes()) == (site / "a" / "index.html").read_bytes()
    assert packed.stat().st_mtime_ns == (site / "a" / "index.html").stat().st_mtime_ns


def test_build_cache_key_names_every_input(tmp_path: Path) -> None:
    from fieldguide import buildcache

    root = tmp_path / "project"
    shutil.copytree(VALID, root / "catalog")
    first = buildcache.key(root, PUBLIC)
    assert buildcache.key(root, PUBLIC) == first
    assert buildcache.key(root, "https://other.example.org/") != first, "the address is in every page"
    (root / "releases.yaml").write_text("releases: []\n", encoding="utf-8")
    second = buildcache.key(root, PUBLIC)
    assert second != first
    page = root / "catalog" / "challenges" / "data-discovery.yaml"
    page.write_text(page.read_text(encoding="utf-8").replace("Data discovery", "Finding data"), encoding="utf-8")
    assert buildcache.key(root, PUBLIC) != second
    buildcache.save(tmp_path / "cache", "k", {"a.md": "x"})
    assert buildcache.load(tmp_path / "cache", "k") == {"a.md": "x"}
    assert buildcache.load(tmp_path / "cache", "other") is None
    (tmp_path / "cache" / buildcache.FILE).write_text('{"key": "k", "files": ', encoding="utf-8")
    assert buildcache.load(tmp_path / "cache", "k") is None, "a torn file is a miss, not an error"


def test_a_second_build_after_a_catalog_edit_shows_the_edit(small_site: Path) -> None:
    """The first build stored its output; an edit changes the key, so the next build renders again."""
    from fieldguide import buildcache

    project = small_site.parent
    assert not (project / ".cache").exists(), "no cache inside the checkout"
    assert (buildcache.cache_dir(project) / buildcache.FILE).is_file()
    page = project / "catalog" / "challenges" / "data-profiling.yaml"
    original = page.read_text(encoding="utf-8")
    page.write_text(original.replace("title: Data profiling", "title: Data profiling, edited"), encoding="utf-8")
    try:
        proc = mkdocs_build(project, project / "site2", PUBLIC)
        assert proc.returncode == 0, proc.stderr
        assert "Data profiling, edited" in html(project / "site2", "challenges/data-profiling")
    finally:
        page.write_text(original, encoding="utf-8")
