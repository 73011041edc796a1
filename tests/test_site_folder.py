"""The builder-neutral site: `fieldguide site --out DIR` and `fieldguide postbuild SITE`, and the same
project built by MkDocs (through the hook) and by Zensical (no hook: `make build-zensical`'s three steps).

What a user would notice: a page, file or asset one builder has and the other lacks; a retired page
indexed by search engines or listed in the sitemap; a script link that reaches a published page; a
`site --out` that deletes a folder it did not write."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from browser import ZENSICAL_DOCS, ZENSICAL_SITE, build, build_zensical, run, zensical_project
from conftest import cli, small_project
from fieldguide import buildcache, postbuild, schema, site
from test_htmlcheck import _project

URL = "http://127.0.0.1:8000/"


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The small valid catalog (one retired challenge) built by each builder."""
    project = small_project(tmp_path_factory.mktemp("small-project"), "Small catalog")
    out = tmp_path_factory.mktemp("mkdocs-site")
    build(project, out, URL)
    return {"project": project, "mkdocs": out, "zensical": build_zensical(project, project.parent / "z", URL)}


# What each builder's theme brings of its own (bundles, search, images): not the guide's.
THEME_FILES = ("assets/javascripts/bundle", "assets/javascripts/LICENSE", "assets/javascripts/workers",
               "assets/javascripts/lunr",
               "assets/stylesheets/main", "assets/stylesheets/palette", "assets/stylesheets/classic",
               "assets/stylesheets/modern", "assets/images/", "search.json", "search/search_index.json",
               "sitemap.xml.gz")


def files(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def test_both_builders_write_every_page_json_file_download_and_asset(both: dict[str, Path]) -> None:
    """Everything the site is made of, the same set of paths from either builder (each builder's own
    theme bundle and search files aside)."""
    def ours(folder: Path) -> set[str]:
        return {f for f in files(folder) if not f.startswith(THEME_FILES)}

    mkdocs, zensical = ours(both["mkdocs"]), ours(both["zensical"])
    assert mkdocs == zensical, f"only MkDocs: {sorted(mkdocs - zensical)}; only Zensical: {sorted(zensical - mkdocs)}"
    for path in ("challenges/data-discovery/index.html", "planner/data.json", "downloads/references.bib",
                 "assets/javascripts/views/search.js", "assets/vendor/mermaid/mermaid.esm.min.mjs", "404.html"):
        assert path in zensical, path


@pytest.mark.parametrize("builder", ["mkdocs", "zensical"])
def test_a_retired_page_asks_search_engines_to_stay_away_and_leaves_the_sitemap(both: dict[str, Path],
                                                                                builder: str) -> None:
    folder = both[builder]
    retired = (folder / "challenges" / "data-silos" / "index.html").read_text(encoding="utf-8")
    head = retired[:retired.index("</head>")]
    assert head.count('<meta name="robots" content="noindex">') == 1
    assert "data-discovery" in retired
    live = (folder / "challenges" / "data-discovery" / "index.html").read_text(encoding="utf-8")
    assert 'name="robots"' not in live
    sitemap = (folder / "sitemap.xml").read_text(encoding="utf-8")
    assert "challenges/data-silos/" not in sitemap and "challenges/data-discovery/" in sitemap


def test_postbuild_twice_changes_nothing(both: dict[str, Path]) -> None:
    """Running the check again (as `make build-zensical` may be) adds no second robots tag."""
    project, built = both["project"], both["zensical"]
    before = {f: (built / f).read_bytes() for f in files(built)}
    cli("postbuild", built, "--docs", project.parent / "z" / ZENSICAL_DOCS, "--project", project)
    assert {f: (built / f).read_bytes() for f in files(built)} == before


def test_zensicals_clean_leaves_the_build_cache_alone(both: dict[str, Path]) -> None:
    """`zensical build --clean` wipes `.cache/` beside its config; our caches never live there."""
    project = both["project"]
    assert not (project / ".cache").exists() and not (project / "content" / ".cache").exists()
    assert (buildcache.cache_dir(project) / buildcache.FILE).is_file(), "the build cache is outside the project"
    assert project not in buildcache.cache_dir(project).parents


def test_a_script_link_past_the_source_check_fails_the_zensical_build(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Zensical renders the link (it runs no hook of ours) and exits 0; `postbuild` stops it, naming the
    page, the link and the catalog file and field, as the MkDocs build does
    (test_htmlcheck.test_a_script_link_past_the_source_check_fails_the_build)."""
    project = _project(tmp_path, "Read [the note][r7].\n\n> [r7]: javascript:alert(1)")
    monkeypatch.setattr(schema, "_safe_prose", lambda value: value)  # as if `check` had missed it
    work = zensical_project(project, tmp_path / "z")
    cli("site", "--project", project, "--out", work / ZENSICAL_DOCS, "--site-url", URL)
    proc = run(["zensical", "build", "--strict", "--clean", "-f", "zensical.yml"], work, URL)
    assert proc.returncode == 0, "Zensical itself sees nothing wrong"
    page = work / ZENSICAL_SITE / "challenges" / "data-discovery" / "index.html"
    assert 'href="javascript:alert(1)"' in page.read_text(encoding="utf-8")
    result = cli("postbuild", work / ZENSICAL_SITE, "--docs", work / ZENSICAL_DOCS, "--project", project, code=1)
    assert "unsafe output in challenges/data-discovery/index.html" in result.output
    assert "<a> attribute href = 'javascript:alert(1)'" in result.output
    assert "catalog/challenges/data-discovery.yaml:6: data-discovery: description" in result.output


def test_the_same_project_passes_postbuild_with_a_safe_link(tmp_path: Path) -> None:
    project = _project(tmp_path, "Read [the note][r7].\n\n> [r7]: https://example.org/note")
    built = build_zensical(project, tmp_path / "z", URL)
    assert 'href="https://example.org/note"' in (built / "challenges" / "data-discovery" / "index.html").read_text()


def test_the_makefile_builds_with_zensical_in_the_same_three_steps() -> None:
    """`make build-zensical` runs what the tests run (`browser.build_zensical`), and stops on each exit code."""
    root = Path(__file__).resolve().parent.parent
    proc = subprocess.run(["make", "-n", "-B", "build-zensical", "SITE_URL=https://guide.example.org/"], cwd=root,
                          capture_output=True, text=True, check=True)
    text = proc.stdout.replace("\\\n", " ")  # one line per command
    command = re.compile(r"\.venv/bin/(fieldguide (site|postbuild)|zensical) ")
    steps = [" ".join(line.split()) for line in text.splitlines() if command.search(line)]
    assert len(steps) == 3, text
    assert f"fieldguide site --out {ZENSICAL_DOCS}" in steps[0]
    assert "zensical build --strict --clean -f zensical.yml || { rm -rf " + ZENSICAL_SITE in steps[1]
    assert f"fieldguide postbuild {ZENSICAL_SITE} --docs {ZENSICAL_DOCS} --builder zensical || {{ rm -rf" in steps[2]
    zensical_yml = (root / "zensical.yml").read_text(encoding="utf-8")
    assert f"docs_dir: {ZENSICAL_DOCS}" in zensical_yml and f"site_dir: {ZENSICAL_SITE}" in zensical_yml


# ---------------------------------------------------------------- `fieldguide site` on its own

def _small(tmp_path: Path) -> Path:
    (tmp_path / "p").mkdir()
    return small_project(tmp_path / "p", "Small")


def test_site_writes_content_generated_files_vendor_and_a_manifest(tmp_path: Path) -> None:
    project = _small(tmp_path)
    out = tmp_path / "docs"
    cli("site", "--project", project, "--out", out, "--site-url", URL)
    assert (out / "index.md").read_text() == (project / "content" / "index.md").read_text()
    assert (out / "challenges" / "data-discovery.md").is_file() and (out / "planner" / "data.json").is_file()
    assert (out / "assets" / "javascripts" / "views" / "search.js").is_file() and not (out / "assets").is_symlink()
    assert (out / "assets" / "vendor" / "mermaid" / "mermaid.esm.min.mjs").is_file()
    manifest = json.loads((out / site.MANIFEST).read_text())
    assert manifest["site_url"] == URL
    assert manifest["pages"]["index.html"]["generated"] is False
    assert manifest["pages"]["challenges/data-discovery/index.html"]["generated"] is True
    assert manifest["pages"]["challenges/data-silos/index.html"]["robots"] == "noindex"
    assert manifest["pages"]["challenges/index.html"]["source"] == "challenges/index.md"


def test_site_replaces_what_it_wrote_before_and_nothing_else(tmp_path: Path) -> None:
    project = _small(tmp_path)
    out = tmp_path / "docs"
    cli("site", "--project", project, "--out", out, "--site-url", URL)
    (out / "stale.md").write_text("# from an earlier run\n")
    cli("site", "--project", project, "--out", out, "--site-url", URL)
    assert not (out / "stale.md").exists(), "a page removed from the catalog does not linger"
    other = tmp_path / "notes"
    other.mkdir()
    (other / "mine.txt").write_text("keep me")
    for target in (other, project, project / "content", project / "content" / "docs"):
        result = cli("site", "--project", project, "--out", target, "--site-url", URL, code=1)
        assert result.output.startswith(f"error: {target}: "), result.output
    assert (other / "mine.txt").read_text() == "keep me"
    assert (project / "content" / "index.md").is_file()


def test_a_generated_page_that_would_replace_a_hand_written_one_stops_site(tmp_path: Path) -> None:
    project = _small(tmp_path)
    (project / "content" / "planner.md").write_text("# My planner\n")
    result = cli("site", "--project", project, "--out", tmp_path / "docs", "--site-url", URL, code=1)
    assert "error: generated page planner.md would replace content/planner.md" in result.output
    assert not (tmp_path / "docs").exists(), "nothing written"


def test_site_refuses_a_local_address_for_publication(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = _small(tmp_path)
    monkeypatch.setenv("FIELDGUIDE_PUBLISH", "1")
    result = cli("site", "--project", project, "--out", tmp_path / "docs", "--site-url", URL, code=1)
    assert "a local address" in result.output


def test_postbuild_needs_the_folder_site_wrote_and_every_page_in_it(tmp_path: Path) -> None:
    built, docs = tmp_path / "built", tmp_path / "docs"
    built.mkdir()
    docs.mkdir()
    result = cli("postbuild", built, "--docs", docs, code=1)
    assert f"error: {docs}: not a folder written by `fieldguide site`" in result.output
    (docs / site.MANIFEST).write_text(json.dumps({"site_url": URL, "vendor": "assets/vendor", "pages": {
        "index.html": {"source": "index.md", "generated": False}}}))
    result = cli("postbuild", built, "--docs", docs, code=1)
    assert "error: index.html: the builder wrote no page for index.md" in result.output


@pytest.mark.parametrize(("src", "dest"), [("index.md", "index.html"), ("challenges/index.md", "challenges/index.html"),
                                           ("challenges/x.md", "challenges/x/index.html"), ("a.md", "a/index.html"),
                                           ("assets/x.css", None)])
def test_a_page_is_written_where_both_builders_write_it(src: str, dest: str | None) -> None:
    assert site.page_dest(src) == dest
    if dest:
        assert postbuild.page_url(dest) == ("" if dest == "index.html" else dest.removesuffix("index.html"))


def test_postbuild_checks_only_what_changed_since_a_pass_and_any_edit_to_the_checker_voids_it(
        both: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Verdicts by digest on Zensical's path as on MkDocs': a second `postbuild` parses nothing that
    passed; a hostile page under a passed page's name is checked and refused; an edit to the checker's
    code (`postbuild.CHECKER`) makes every file checked again."""
    import shutil

    from fieldguide import htmlcheck

    project = both["project"]
    docs = project.parent / "z" / ZENSICAL_DOCS
    built = tmp_path / "site"
    shutil.copytree(both["zensical"], built)
    checked: list[str] = []
    real = htmlcheck.check_file
    monkeypatch.setattr(htmlcheck, "check_file", lambda name, *rest: (checked.append(name), real(name, *rest))[1])
    assert postbuild.run(built, docs, "zensical", project) == []
    assert checked == [], "`make build-zensical` checked this very site already"
    every = len([f for f in files(built) if f.rsplit(".", 1)[-1] in htmlcheck.CHECKED
                 and not f.startswith(site.VENDOR_DIR)])
    checked.clear()
    assert postbuild.run(built, docs, "zensical", project) == []
    assert checked == [], "nothing changed: nothing parsed again"
    page = built / "challenges" / "data-discovery" / "index.html"
    text = page.read_text(encoding="utf-8")
    page.write_text(text.replace("</article>", '<img src="https://evil.example/pixel.png"></article>', 1),
                    encoding="utf-8")
    problems = postbuild.run(built, docs, "zensical", project)
    assert checked == ["challenges/data-discovery/index.html"]
    assert any("evil.example" in p for p in problems)
    page.write_text(text, encoding="utf-8")
    copies = []
    for source in postbuild.CHECKER:
        copies.append(tmp_path / source.name)
        shutil.copyfile(source, copies[-1])
    monkeypatch.setattr(postbuild, "CHECKER", tuple(copies))
    checked.clear()
    assert postbuild.run(built, docs, "zensical", project) == [] and checked == [], "the same code"
    copies[0].write_text(copies[0].read_text(encoding="utf-8") + "# a rule changed\n", encoding="utf-8")
    assert postbuild.run(built, docs, "zensical", project) == []
    assert len(checked) == every, "the checker was edited: every file checked again"
