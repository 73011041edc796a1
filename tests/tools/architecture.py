"""The package's layering, as documented in docs/architecture.md, and its imports, as the code has them.

`tests/test_architecture.py` holds one to the other. Run it to see the import graph (levels, cycles) and
to rewrite the generated part of docs/architecture.md:

    .venv/bin/python tests/tools/architecture.py            # print the measurement
    .venv/bin/python tests/tools/architecture.py --write    # rewrite the generated part of the page

Imports are read with `ast`, every one of them: at the top of a module, inside functions (the CLI
imports most modules lazily) and under `if TYPE_CHECKING:` (a type is a dependency too). `from . import
x` is an import of module `x` when the package has one, else of the package itself (`__init__`: the
version, the guide's name).
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import networkx as nx

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "scripts" / "fieldguide"
PAGE = ROOT / "docs" / "architecture.md"
INIT = "__init__"
BEGIN, END = "<!-- generated: python tests/tools/architecture.py --write -->", "<!-- end of generated part -->"
_ROW = re.compile(r"^\|\s*(\d+)\s+([^|]+?)\s*\|\s*`([\w.]+)`\s*\|\s*(.+?)\s*\|\s*$")


@dataclass(frozen=True)
class Layer:
    number: int
    name: str
    modules: tuple[str, ...]


def modules(package: Path = PACKAGE) -> list[str]:
    """Every module of the package (`__init__` for the package itself)."""
    return sorted(p.stem for p in package.glob("*.py"))


def imports(package: Path = PACKAGE) -> nx.DiGraph:
    """module -> module it imports, for every module of the package."""
    names = set(modules(package))
    g = nx.DiGraph()
    g.add_nodes_from(names)
    for name in names:
        tree = ast.parse((package / f"{name}.py").read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            for target in _targets(node, names):
                if target != name:
                    g.add_edge(name, target)
    return g


def _targets(node: ast.AST, names: set[str]) -> list[str]:
    if isinstance(node, ast.Import):
        return [a.name.split(".")[1] for a in node.names if a.name.startswith("fieldguide.")] + \
               [INIT for a in node.names if a.name == "fieldguide"]
    if not isinstance(node, ast.ImportFrom):
        return []
    if node.level == 1:
        module = node.module or ""
    elif node.level == 0 and (node.module or "").split(".")[0] == "fieldguide":
        module = (node.module or "").removeprefix("fieldguide").lstrip(".")
    else:
        return []
    if module:
        return [module.split(".")[0]]
    return [a.name if a.name in names else INIT for a in node.names]


def documented(page: Path = PAGE) -> list[Layer]:
    """The layer table of the architecture page: rows `| 1 foundations | `module` | what it does |`."""
    rows: dict[tuple[int, str], list[str]] = {}
    for line in page.read_text(encoding="utf-8").split(BEGIN)[0].splitlines():
        match = _ROW.match(line)
        if match:
            rows.setdefault((int(match[1]), match[2]), []).append(match[3])
    return [Layer(number, name, tuple(mods)) for (number, name), mods in sorted(rows.items())]


def layer_of(layers: list[Layer]) -> dict[str, Layer]:
    return {m: layer for layer in layers for m in layer.modules}


def upward(g: nx.DiGraph, layers: list[Layer]) -> list[str]:
    """Every import of a module from a higher layer, as `a (layer 2) imports b (layer 4)`."""
    where = layer_of(layers)
    return [f"{a} (layer {where[a].number}) imports {b} (layer {where[b].number})"
            for a, b in sorted(g.edges) if a in where and b in where and where[b].number > where[a].number]


def levels(g: nx.DiGraph) -> dict[str, int]:
    """Each module's import level: 1 for a module that imports no other, else one more than the highest
    level it imports (the modules of a cycle share one level)."""
    cond = nx.condensation(g)
    level: dict[int, int] = {}
    for n in reversed(list(nx.topological_sort(cond))):
        level[n] = 1 + max((level[s] for s in cond.successors(n)), default=0)
    return {m: level[n] for n in cond.nodes for m in cond.nodes[n]["members"]}


def generated(g: nx.DiGraph, layers: list[Layer]) -> str:
    """The part of the page derived from the code: each layer's modules with what they import."""
    where, lv = layer_of(layers), levels(g)
    out = [BEGIN, "", "The layers in one line (the README and CONTRIBUTING.md repeat it; a test keeps them in step):",
           "", f"**{summary(layers)}**", "",
           "What each module imports from the package, layer by layer (read from the code by",
           "`tests/tools/architecture.py`; `tests/test_architecture.py` fails when this part is stale):", ""]
    for layer in reversed(layers):
        out += [f"**{layer.number} {layer.name}**", ""]
        for m in sorted(layer.modules, key=lambda m: (-lv.get(m, 0), m)):
            deps = sorted(g.successors(m), key=lambda d: (-where[d].number if d in where else 0, d)) if m in g else []
            shown = ", ".join(f"`{d}`" for d in deps) or "nothing"
            out.append(f"- `{m}` imports {shown}")
        out.append("")
    out += [f"{g.number_of_nodes()} modules, {g.number_of_edges()} imports, {max(lv.values())} import levels, "
            f"{len(list(nx.simple_cycles(g)))} cycles.", "", END]
    return "\n".join(out)


def summary(layers: list[Layer]) -> str:
    return " → ".join(layer.name for layer in layers)


def write(page: Path = PAGE) -> None:
    text = page.read_text(encoding="utf-8")
    head = text.split(BEGIN)[0]
    tail = text.split(END, 1)[1] if END in text else "\n"
    page.write_text(head + generated(imports(), documented(page)) + tail, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="rewrite the generated part of docs/architecture.md")
    args = parser.parse_args(argv)
    if args.write:
        write()
        return 0
    g = imports()
    lv = levels(g)
    print(f"{g.number_of_nodes()} modules, {g.number_of_edges()} imports, {max(lv.values())} levels")
    print("cycles:", list(nx.simple_cycles(g)) or "none")
    for n in range(1, max(lv.values()) + 1):
        print(f"  {n:2d}: {', '.join(sorted(m for m, v in lv.items() if v == n))}")
    if PAGE.exists():
        bad = upward(g, documented())
        print("imports from a higher layer:", "\n  ".join(["", *bad]) if bad else "none")
    return 0


if __name__ == "__main__":
    sys.exit(main())
