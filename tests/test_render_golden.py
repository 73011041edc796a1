"""Golden files: the generator's exact output for the small valid catalog (deon-style, per format),
and the reader-facing pages of the rich catalog (every evidence level, long related lists, 100 %).

After an intended change, regenerate with `UPDATE_GOLDEN=1 make test` and review the diff.
"""

from __future__ import annotations

import html
import os
import re
import shutil
from pathlib import Path

import pytest
import yaml

from conftest import HERE, RICH, VALID
from fieldguide import RELEASED, __version__, graph, load, render

GOLDEN = HERE / "golden" / "render"
RICH_GOLDEN = HERE / "golden" / "render-rich"
# The rich catalog's pages a reader studies; its downloads and bibliography are left to the valid
# catalog's golden files, so that a change in how references are indexed does not churn two sets.
RICH_PAGES = ("stages/", "challenges/", "checklists/")


def rendered() -> dict[str, str]:
    cat = load.load(VALID)
    return render.render(cat, graph.build(cat), site_url="https://guide.example.org/")


def _compare_with_golden(files: dict[str, str], golden_dir: Path) -> None:
    if os.environ.get("UPDATE_GOLDEN"):
        shutil.rmtree(golden_dir, ignore_errors=True)
        for path, text in files.items():
            (golden_dir / path).parent.mkdir(parents=True, exist_ok=True)
            (golden_dir / path).write_text(text, encoding="utf-8")
    golden = {p.relative_to(golden_dir).as_posix(): p.read_text(encoding="utf-8")
              for p in golden_dir.rglob("*") if p.is_file()}
    assert sorted(files) == sorted(golden)
    for path, text in files.items():
        assert text == golden[path], f"{path} differs from {golden_dir.relative_to(HERE.parent)}/{path}"


def test_generated_files_match_the_golden_files() -> None:
    _compare_with_golden(rendered(), GOLDEN)


def test_rich_catalog_pages_match_the_golden_files() -> None:
    cat = load.load(RICH)
    files = render.render(cat, graph.build(cat), site_url="https://guide.example.org/")
    _compare_with_golden({p: text for p, text in files.items() if p.startswith(RICH_PAGES)}, RICH_GOLDEN)


@pytest.mark.parametrize("path", sorted(p for p in rendered() if p.endswith(".md")))
def test_every_page_has_a_title_and_description(path: str) -> None:
    text = rendered()[path]
    front = yaml.safe_load(text.split("---\n")[1])
    assert front["title"] and front["description"], "search engines and Lighthouse need both"


def test_page_citation_names_version_date_and_stable_url() -> None:
    text = rendered()["challenges/data-discovery.md"]
    assert (f"ML Deployment Field Guide, version {__version__}, released {RELEASED}. "
            "https://guide.example.org/challenges/data-discovery/") in text


def test_citation_cff_matches_the_package_version() -> None:
    cff = yaml.safe_load((HERE.parent / "CITATION.cff").read_text(encoding="utf-8"))
    assert str(cff["version"]) == __version__
    assert str(cff["date-released"]) == RELEASED


@pytest.mark.parametrize(("written", "shown"), [
    ('"Twitter | X"', "Twitter | X"),
    ('"Twitter \\\\| X"', "Twitter \\| X"),  # a backslash before the pipe used to end the cell there
    ('"Twitter \\\\"', "Twitter \\"),  # a backslash at the end of the cell
])
def test_markdown_special_characters_in_table_cells_stay_in_their_cell(tmp_path: Path, written: str,
                                                                       shown: str) -> None:
    from fieldguide import prose

    shutil.copytree(VALID, tmp_path / "catalog")
    case = tmp_path / "catalog" / "case-studies" / "twitter-data-discovery.yaml"
    case.write_text(case.read_text().replace("organization: Twitter", f"organization: {written}"))
    cat = load.load(tmp_path / "catalog")
    page = render.render(cat, graph.build(cat))["case-studies/twitter-data-discovery.md"]
    table = page[page.index("| Organisation |"):].split("\n\n")[0]
    html_text = prose.site_markdown().reset().convert(table)
    cells = re.findall(r"<td>(.*?)</td>", html_text)
    assert html.unescape(cells[0]) == shown and len(cells) == 3, html_text


def test_the_build_cache_never_changes_what_is_generated(tmp_path: Path) -> None:
    """Formatted citations, written BibTeX, alpha labels and schemas come from the cache on a second
    build; a cache left corrupt by a killed build is ignored."""
    cat = load.load(VALID)
    g = graph.build(cat)
    plain = render.render(cat, g, site_url="https://guide.example.org/")
    cache = tmp_path / "cache"
    first = render.render(cat, g, site_url="https://guide.example.org/", cache_dir=cache)
    assert (cache / "citations.json").is_file()
    second = render.render(cat, g, site_url="https://guide.example.org/", cache_dir=cache)
    (cache / "citations.json").write_text('{"version": 2, "entries": [1, 2]', encoding="utf-8")
    third = render.render(cat, g, site_url="https://guide.example.org/", cache_dir=cache)
    assert plain == first == second == third
