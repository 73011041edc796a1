"""The imports say what docs/architecture.md says: every module in one layer, no import from a higher
layer, no cycle; the page's generated part and the one-line summary in the README and CONTRIBUTING.md
are what the code has today. Complexity is ruff's rule (`C901`, at most 20 per function), run by
`make test` with the rest of ruff."""

from __future__ import annotations

import os
import subprocess
import sys

import networkx as nx

from conftest import HERE
from tools import architecture

ROOT = HERE.parent


def test_every_module_has_exactly_one_layer() -> None:
    layers = architecture.documented()
    listed = [m for layer in layers for m in layer.modules]
    assert sorted(listed) == architecture.modules(), "a module is missing from the table, or listed twice"
    assert [layer.number for layer in layers] == list(range(1, len(layers) + 1))


def test_no_module_imports_from_a_higher_layer() -> None:
    assert architecture.upward(architecture.imports(), architecture.documented()) == []


def test_the_imports_have_no_cycle() -> None:
    g = architecture.imports()
    assert list(nx.simple_cycles(g)) == []
    # What the layering was made for: search and plan no longer import each other; render and export
    # are siblings; the modules that only want Catalog take it from `catalog`.
    assert not g.has_edge("search", "plan") and g.has_edge("plan", "search")
    assert not g.has_edge("render", "export") and not g.has_edge("export", "render")
    assert not any(g.has_edge(m, "load") for m in ("graph", "plan", "search", "coverage", "checklist", "export",
                                                    "render", "cite", "brief", "ledger", "interchange"))


def test_the_reader_sees_every_kind_of_import(tmp_path) -> None:
    """Top-level, function-level, `TYPE_CHECKING` and `from . import name` imports all count."""
    pkg = tmp_path / "fieldguide"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("VERSION = '1'\n")
    (pkg / "low.py").write_text("X = 1\n")
    (pkg / "mid.py").write_text("from . import VERSION, low\n")
    (pkg / "top.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .mid import X\n\n"
                                "def f():\n    import fieldguide.low\n    from fieldguide import mid\n")
    (pkg / "typed.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .top import f\n")
    g = architecture.imports(pkg)
    assert sorted(g.edges) == [("mid", "__init__"), ("mid", "low"), ("top", "low"), ("top", "mid"), ("typed", "top")]


def test_a_higher_import_and_a_cycle_are_reported(tmp_path) -> None:
    """The checks above can fail: a module importing up a layer, and two modules importing each other."""
    page = tmp_path / "architecture.md"
    page.write_text("| 1 base | `low` | x |\n| 2 top | `high` | y |\n| 2 top | `other` | z |\n")
    g = nx.DiGraph([("low", "high"), ("high", "other"), ("other", "high")])
    layers = architecture.documented(page)
    assert architecture.upward(g, layers) == ["low (layer 1) imports high (layer 2)"]
    assert list(nx.simple_cycles(g)) != []


def test_the_generated_part_of_the_page_is_current() -> None:
    """Rewrite it with `python tests/tools/architecture.py --write` (or UPDATE_GOLDEN=1) and read the diff."""
    if os.environ.get("UPDATE_GOLDEN"):
        architecture.write()
    text = architecture.PAGE.read_text(encoding="utf-8")
    current = architecture.generated(architecture.imports(), architecture.documented())
    assert current in text, "docs/architecture.md is stale: run python tests/tools/architecture.py --write"


def test_readme_and_contributing_name_the_layers_as_the_page_does() -> None:
    summary = architecture.summary(architecture.documented())
    for name in ("README.md", "CONTRIBUTING.md"):
        text = (ROOT / name).read_text(encoding="utf-8")
        assert summary in text, f"{name} does not give the layers as docs/architecture.md does: {summary}"
        assert "docs/architecture.md" in text
        assert "schema → load → graph → render → export → cli" not in text, f"{name} still draws the old pipeline"


def test_the_tool_prints_the_measurement() -> None:
    out = subprocess.run([sys.executable, str(HERE / "tools" / "architecture.py")], capture_output=True, text=True,
                         check=True).stdout
    assert "cycles: none" in out and "imports from a higher layer: none" in out
