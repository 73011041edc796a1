"""`make mutate` (tests/tools/mutate.py) must mean what it says: it finds the mutants it claims,
applies each where every caller sees it, and its equivalent-mutant list matches real mutants."""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap

from conftest import HERE
from tools import mutate

SOURCE = textwrap.dedent('''
    LIMIT = 8
    Alias = str | None


    def level(cases: list[str], industries: set[str], cap: int = 3) -> str:
        """Docstrings and annotations are left alone."""
        if len(cases) >= 3 and len(industries) >= 2:
            return "strong"
        total = 0
        for case in cases:
            if not case:
                continue
            total += 1
        return "some" if total else "none"
''')


def _changes(source: str) -> list[str]:
    mutator = mutate.Mutator("example", source.splitlines())
    mutator.visit(ast.parse(source))
    return [f"{s.function}: {s.change}" for s in mutator.sites]


def test_the_operators_it_documents() -> None:
    assert _changes(SOURCE) == [
        "<module>: 8 → 9", "<module>: 8 → 7",  # a module constant; `str | None` is no arithmetic
        "level: 3 → 4", "level: 3 → 2",  # the default argument
        "level: 3 → 4", "level: 3 → 2", "level: len(cases) >= 3 → len(cases) > 3",
        "level: len(cases) >= 3 → len(cases) < 3",
        "level: 2 → 3", "level: 2 → 1", "level: len(industries) >= 2 → len(industries) > 2",
        "level: len(industries) >= 2 → len(industries) < 2",
        "level: len(cases) >= 3 and len(industries) >= 2 → len(cases) >= 3 or len(industries) >= 2",
        "level: return 'strong' → return None",
        "level: 0 → 1", "level: 0 → -1",  # `total = 0` is a first assignment: not deleted
        "level: not case → case", "level: continue → (deleted)",
        "level: 1 → 2", "level: 1 → 0", "level: total += 1 → total -= 1", "level: total += 1 → (deleted)",
        "level: for case in cases: … → (deleted)",
        "level: total → not total", "level: return 'some' if total else 'none' → return None",
    ]


def test_a_mutant_reaches_every_caller_including_imports_by_name() -> None:
    """load.py does `from .problems import dotted`; swapping code in place must reach it too.
    Run in a child process: applying a mutant changes the live modules."""
    script = textwrap.dedent(f'''
        import sys
        sys.path[:0] = [{str(HERE.parent / "scripts")!r}, {str(HERE)!r}]
        from tools import mutate
        from fieldguide import graph, load
        g = graph.build(load.load({str(HERE / "catalogs" / "rich")!r}))
        print(graph.evidence(g, "schema-drift").level, load.dotted(("checklist", 0)))
        pick = lambda module, fn, change: next(s for s in mutate.enumerate_sites(module)
                                               if s.function == fn and s.change == change)
        mutate.apply(pick("graph", "evidence", "len(cases) >= 3 → len(cases) > 3"))
        mutate.apply(pick("problems", "dotted", "return out or '-' → return None"))
        print(graph.evidence(g, "schema-drift").level, load.dotted(("checklist", 0)))
    ''')
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert out.splitlines() == ["strong checklist[0]", "moderate None"]


def test_every_listed_equivalent_mutant_exists_and_gives_a_reason() -> None:
    entries = mutate.load_equivalents()
    keys = {s.key() for m in mutate.MODULES for s in mutate.enumerate_sites(m)}
    for entry in entries:
        assert len(entry["why"].split()) >= 5, f"say why: {entry}"
        assert mutate._equivalent_key(entry) in keys, f"stale entry (no such mutant): {entry}"
