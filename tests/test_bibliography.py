"""The bibliography in pages by the first character of each key: every reference on exactly one
page, the index lists every key (retired ones too) with a link to its page, and a retired
reference's old address still lands on a note that leads to its successor."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from conftest import REAL, VALID
from fieldguide import graph, load, pages, render


def _render(catalog: Path) -> dict[str, str]:
    cat = load.load(catalog)
    return render.render(cat, graph.build(cat), site_url="https://guide.example.org/")


def test_every_reference_is_on_the_page_of_its_first_character_once() -> None:
    cat = load.load(REAL)
    files = _render(REAL)
    anchors: dict[str, list[str]] = {}
    for name, text in files.items():
        if name.startswith("references/"):
            for rid in re.findall(r"^## .* \{ #([a-z0-9-]+) \}$", text, re.MULTILINE):
                anchors.setdefault(rid, []).append(name)
    assert anchors == {rid: [pages.reference_group(rid)] for rid in cat.references}
    index = files["references.md"]
    item = r'^- <span id="([a-z0-9-]+)"></span>\[`\1`\]\((references/[a-z0-9]\.md)#\1\)'
    listed = re.findall(item, index, re.MULTILINE)
    assert listed == sorted((rid, pages.reference_group(rid)) for rid in cat.references)


def test_a_retired_reference_keeps_its_old_address(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog"
    shutil.copytree(VALID, catalog)
    with (catalog / "retired.yaml").open("a", encoding="utf-8") as f:
        f.write("- id: hidden2015debt\n  kind: reference\n  title: Hidden debt (an early key)\n"
                "  replaced_by: sculley2015hidden\n  retired: 2026-12-06\n  reason: Renamed to the usual key.\n")
    files = _render(catalog)
    assert ('- <span id="hidden2015debt"></span>[`hidden2015debt`](references/h.md#hidden2015debt): '
            "Hidden debt \\(an early key\\) (retired)") in files["references.md"]
    page = files["references/h.md"]
    assert '<span id="hidden2015debt"></span>*Hidden debt (an early key)*' in page
    assert "see [Hidden technical debt in machine learning systems](s.md#sculley2015hidden)" in page
