"""`make mutate`: how many small, deliberate bugs in the logic modules the fast test suite notices.

A mutant is the module with one small change: a comparison flipped or moved across its boundary
(`>=` -> `>`), `and` <-> `or`, a number +/- 1, `True` <-> `False`, `+` <-> `-`, a condition negated,
a statement deleted (a call, an item assignment, `continue`, a loop, a `raise`, an early `return`)
or a returned value replaced by `None`. Strings are left alone (too many harmless variants).

How it stays fast on two cores: the fast suite (no browser tests) runs once with a line tracer
to learn which tests execute which lines of the target modules. Each mutant then runs in a forked
process that already has every library imported: the mutated module is compiled from its AST,
its functions' code objects are swapped in place (so `from .graph import incoming` elsewhere sees
the mutant too), and pytest runs only the tests that execute the mutated lines, fastest first,
stopping at the first failure. A line no test runs in-process may still run in a worker process
that a test forks (the parallel loader): such mutants are tried against the tests that fork.

Killed = some test failed (or the run timed out); survived = every selected test passed.
Equivalent mutants (no observable behaviour changes) are listed with a reason in
`equivalent-mutants.yaml` next to this file and excluded from the score; an entry that no longer
matches any mutant is reported as stale.

Usage (from the project folder, with the test extra installed):

    python tests/tools/mutate.py [--module graph ...] [--jobs N] [--line graph:120] [--list]
"""

from __future__ import annotations

import argparse
import ast
import builtins
import contextlib
import functools
import importlib
import json
import os
import re
import signal
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
TESTS = ROOT / "tests"
EQUIVALENTS = Path(__file__).with_name("equivalent-mutants.yaml")
MODULES = ("graph", "plan", "checklist", "load", "rules", "catalog", "problems")
TARGET = 0.90
# Quiet, stop at the first failure, no cache writes, no end-of-session gc sweeps (a forked child's
# whole inherited heap would be walked: 0.2 s a mutant).
PYTEST_ARGS = ["-q", "-x", "-rf", "-p", "no:cacheprovider", "-p", "no:unraisableexception", "-o", "addopts=",
               "--no-header"]


# ------------------------------------------------------------------------------------------ mutants


@dataclass(frozen=True)
class Site:
    """One mutant: where it is and what it changes."""

    module: str
    index: int  # position in the module's enumeration (post-order walk of the AST)
    line: int
    end_line: int
    scope: tuple[str, ...]  # enclosing class/function names, outermost first; () at module level
    in_body: bool  # inside a function body (else: a module-level constant or a default argument)
    spans: tuple[tuple[int, int], ...]  # functions whose tests matter when the mutated line is not in a body:
    # the function of a default argument, or every function that reads a mutated module-level name
    code: str  # the source line, stripped
    change: str  # "old → new"
    occurrence: int = 1  # among mutants with the same module, scope, code and change

    @property
    def function(self) -> str:
        return ".".join(self.scope) or "<module>"

    def key(self) -> tuple[str, str, str, str, int]:
        return (self.module, self.function, self.code, self.change, self.occurrence)

    def where(self) -> str:
        return f"scripts/fieldguide/{self.module}.py:{self.line}"


def _short(node: ast.AST, limit: int = 90) -> str:
    text = " ".join(ast.unparse(node).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


NEGATE = {ast.Eq: ast.NotEq, ast.NotEq: ast.Eq, ast.Lt: ast.GtE, ast.LtE: ast.Gt, ast.Gt: ast.LtE,
          ast.GtE: ast.Lt, ast.In: ast.NotIn, ast.NotIn: ast.In, ast.Is: ast.IsNot, ast.IsNot: ast.Is}
BOUNDARY = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt}
ARITHMETIC = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult, ast.FloorDiv: ast.Mult,
              ast.BitOr: ast.BitAnd, ast.BitAnd: ast.BitOr}


def _numeric(node: ast.expr) -> bool:
    if isinstance(node, ast.BinOp):
        return _numeric(node.left) and _numeric(node.right)
    if isinstance(node, ast.UnaryOp):
        return _numeric(node.operand)
    return isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool)


def _functions_of(module: ast.Module) -> list[ast.FunctionDef]:
    """Top-level functions and methods."""
    out = []
    for stmt in module.body:
        if isinstance(stmt, ast.FunctionDef):
            out.append(stmt)
        elif isinstance(stmt, ast.ClassDef):
            out += [s for s in stmt.body if isinstance(s, ast.FunctionDef)]
    return out


class Mutator(ast.NodeTransformer):
    """Walks a module in a fixed order, numbering every possible mutation; applies number `target`.

    Children are visited before their parent and a mutation replaces the node itself, so the
    numbering is the same whether or not a mutation is applied.
    """

    def __init__(self, module: str, lines: list[str], target: int | None = None) -> None:
        self.module = module
        self.lines = lines
        self.target = target
        self.sites: list[Site] = []
        self.scope: list[str] = []
        self.depth = 0  # function nesting
        self.stored: list[set[str]] = []  # names assigned so far in each enclosing function
        self.spans: tuple[tuple[int, int], ...] = ()
        self.readers: dict[str, list[tuple[int, int]]] = {}  # module-level name -> functions that read it

    # --- bookkeeping

    def _offer(self, node: ast.AST, old: ast.AST | str, new: ast.AST | str, in_body: bool = True) -> bool:
        """Record a possible mutation of `node`; True when it is the one to apply."""
        change = f"{old if isinstance(old, str) else _short(old)} → {new if isinstance(new, str) else _short(new)}"
        line = node.lineno  # type: ignore[attr-defined]
        self.sites.append(Site(self.module, len(self.sites), line, getattr(node, "end_lineno", None) or line,
                               tuple(self.scope), in_body and self.depth > 0, self.spans,
                               self.lines[line - 1].strip(), change))
        return len(self.sites) - 1 == self.target

    # --- what is and is not walked

    def visit_Module(self, node: ast.Module) -> ast.Module:
        for function in _functions_of(node):
            span = (function.lineno, function.end_lineno or function.lineno)
            for name in {n.id for n in ast.walk(function) if isinstance(n, ast.Name)}:
                self.readers.setdefault(name, []).append(span)
        body = []
        for stmt in node.body:
            if isinstance(stmt, (ast.FunctionDef, ast.ClassDef)):
                stmt = self.visit(stmt)
            elif isinstance(stmt, (ast.Assign, ast.AnnAssign)) and stmt.value is not None:
                targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                names = {n.id for target in targets for n in ast.walk(target) if isinstance(n, ast.Name)}
                self.spans = tuple(sorted({s for name in names for s in self.readers.get(name, [])}))
                stmt.value = self._constants_only(stmt.value)  # module constants: numbers only
                self.spans = ()
            body.append(stmt)
        node.body = body
        return node

    def _constants_only(self, node: ast.expr) -> ast.expr:
        """Numbers and arithmetic on numbers in a module-level value or a default (WEIGHTS, limits);
        nothing else there (`str | None` in a type alias is not arithmetic)."""
        if isinstance(node, ast.Constant):
            return self.visit_Constant(node)
        if isinstance(node, ast.BinOp) and not _numeric(node):
            return node
        for name, value in ast.iter_fields(node):
            if isinstance(value, list):
                setattr(node, name, [self._constants_only(v) if isinstance(v, ast.expr) else v for v in value])
            elif isinstance(value, ast.expr):
                setattr(node, name, self._constants_only(value))
        if isinstance(node, ast.BinOp):
            return self.visit_BinOp(node, walk=False)
        return node

    def visit_ClassDef(self, node: ast.ClassDef) -> ast.ClassDef:
        # Class bodies hold fields (baked into generated methods): only methods are mutated.
        self.scope.append(node.name)
        node.body = [self.visit(s) if isinstance(s, ast.FunctionDef) else s for s in node.body]
        self.scope.pop()
        return node

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.FunctionDef:
        self.scope.append(node.name)
        outer = self.spans
        if self.depth == 0:
            self.spans = ((node.lineno, node.end_lineno or node.lineno),)
        # Default values are evaluated when the module runs: mutated, but tested module-wide.
        args = node.args
        args.defaults = [self._default(d) for d in args.defaults]
        args.kw_defaults = [self._default(d) if d is not None else None for d in args.kw_defaults]
        self.depth += 1
        self.stored.append(set(a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)))
        node.body = self._body(node.body)
        self.stored.pop()
        self.depth -= 1
        self.scope.pop()
        self.spans = outer
        return node  # decorators, annotations: left alone

    def _default(self, node: ast.expr) -> ast.expr:
        depth, self.depth = self.depth, 0
        try:
            return self._constants_only(node)
        finally:
            self.depth = depth

    def visit_Lambda(self, node: ast.Lambda) -> ast.Lambda:
        node.body = self.visit(node.body)
        return node

    def visit_arg(self, node: ast.arg) -> ast.arg:
        return node  # annotations

    def visit_AnnAssign(self, node: ast.AnnAssign) -> ast.stmt:
        if node.value is not None:
            node.value = self.visit(node.value)
        if isinstance(node.target, ast.Name) and self.stored:
            self.stored[-1].add(node.target.id)
        return node

    def _body(self, body: list[ast.stmt]) -> list[ast.stmt]:
        out = []
        for i, stmt in enumerate(body):
            if i == 0 and isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
                out.append(stmt)  # docstring
                continue
            new = self.visit(stmt)
            out.extend(new if isinstance(new, list) else [new])
        return out or [ast.Pass()]

    def generic_visit(self, node: ast.AST) -> ast.AST:
        for name, value in ast.iter_fields(node):
            if isinstance(value, list) and value and isinstance(value[0], ast.stmt):
                setattr(node, name, self._body(value))
            elif isinstance(value, list):
                setattr(node, name, [self.visit(v) if isinstance(v, ast.AST) else v for v in value])
            elif isinstance(value, ast.AST):
                setattr(node, name, self.visit(value))
        return node

    # --- statements

    def _delete(self, node: ast.stmt, what: str) -> ast.stmt:
        if self._offer(node, what, "(deleted)"):
            return ast.copy_location(ast.Pass(), node)
        return node

    def visit_If(self, node: ast.If) -> ast.If:
        if isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            return node
        self.generic_visit(node)
        node.test = self._negate_plain(node.test)
        return node

    def visit_While(self, node: ast.While) -> ast.While:
        self.generic_visit(node)
        node.test = self._negate_plain(node.test)
        return node

    def visit_IfExp(self, node: ast.IfExp) -> ast.IfExp:
        self.generic_visit(node)
        node.test = self._negate_plain(node.test)
        return node

    def visit_comprehension(self, node: ast.comprehension) -> ast.comprehension:
        self.generic_visit(node)
        node.ifs = [self._negate_plain(test) for test in node.ifs]
        return node

    def _negate_plain(self, test: ast.expr) -> ast.expr:
        """`if x:` -> `if not x:` where no comparison or boolean operator mutant covers it already."""
        if isinstance(test, (ast.Compare, ast.BoolOp)) or (isinstance(test, ast.UnaryOp)
                                                          and isinstance(test.op, ast.Not)):
            return test
        new = ast.UnaryOp(ast.Not(), test)
        if self._offer(test, test, new):
            return ast.copy_location(new, test)
        return test

    def visit_Expr(self, node: ast.Expr) -> ast.stmt:
        self.generic_visit(node)
        if isinstance(node.value, ast.Call):
            return self._delete(node, _short(node.value, 70))
        return node

    def visit_Assign(self, node: ast.Assign) -> ast.stmt:
        # Deleting a first assignment only raises NameError; deleting an update of a variable or an
        # item/attribute assignment is a real bug.
        stores = {n.id for target in node.targets for n in ast.walk(target)
                  if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
        deletable = bool(self.stored) and stores <= self.stored[-1]
        self.generic_visit(node)
        return self._delete(node, _short(node, 70)) if deletable else node

    def visit_AugAssign(self, node: ast.AugAssign) -> ast.stmt:
        self.generic_visit(node)
        op = ARITHMETIC.get(type(node.op))
        if op is not None:
            new = ast.AugAssign(node.target, op(), node.value)
            if self._offer(node, node, new):
                return ast.copy_location(new, node)
        return self._delete(node, _short(node, 70))

    def visit_For(self, node: ast.For) -> ast.stmt:
        self.generic_visit(node)
        return self._delete(node, f"for {_short(node.target)} in {_short(node.iter, 60)}: …")

    def visit_Continue(self, node: ast.Continue) -> ast.stmt:
        return self._delete(node, "continue")

    def visit_Break(self, node: ast.Break) -> ast.stmt:
        return self._delete(node, "break")

    def visit_Raise(self, node: ast.Raise) -> ast.stmt:
        self.generic_visit(node)
        return self._delete(node, _short(node, 70))

    def visit_Return(self, node: ast.Return) -> ast.stmt:
        self.generic_visit(node)
        if node.value is None:
            return self._delete(node, "return")
        if not (isinstance(node.value, ast.Constant) and node.value.value is None):
            new = ast.Return(ast.Constant(None))
            if self._offer(node, node, new):
                return ast.copy_location(new, node)
        return node

    def visit_Name(self, node: ast.Name) -> ast.Name:
        if isinstance(node.ctx, ast.Store) and self.stored:
            self.stored[-1].add(node.id)
        return node

    # --- expressions

    def visit_Compare(self, node: ast.Compare) -> ast.expr:
        self.generic_visit(node)
        for i, op in enumerate(node.ops):
            for table in (BOUNDARY, NEGATE):
                other = table.get(type(op))
                if other is None:
                    continue
                new = ast.Compare(node.left, [*node.ops[:i], other(), *node.ops[i + 1:]], node.comparators)
                if self._offer(node, node, new):
                    return ast.copy_location(new, node)
        return node

    def visit_BoolOp(self, node: ast.BoolOp) -> ast.expr:
        self.generic_visit(node)
        new = ast.BoolOp(ast.Or() if isinstance(node.op, ast.And) else ast.And(), node.values)
        if self._offer(node, node, new):
            return ast.copy_location(new, node)
        return node

    def visit_UnaryOp(self, node: ast.UnaryOp) -> ast.expr:
        self.generic_visit(node)
        if isinstance(node.op, ast.Not) and self._offer(node, node, node.operand):
            return node.operand
        return node

    def visit_BinOp(self, node: ast.BinOp, walk: bool = True) -> ast.expr:
        if walk:
            self.generic_visit(node)
        op = ARITHMETIC.get(type(node.op))
        if op is not None:
            new = ast.BinOp(node.left, op(), node.right)
            if self._offer(node, node, new, in_body=walk):
                return ast.copy_location(new, node)
        return node

    def visit_Constant(self, node: ast.Constant) -> ast.expr:
        value = node.value
        if isinstance(value, bool):
            candidates = [not value]
        elif isinstance(value, (int, float)):
            candidates = [value + 1, value - 1]
        else:
            return node  # strings, None, bytes: too many harmless variants
        for new_value in candidates:
            if self._offer(node, repr(value), repr(new_value)):
                return ast.copy_location(ast.Constant(new_value), node)
        return node

    def visit_JoinedStr(self, node: ast.JoinedStr) -> ast.JoinedStr:
        # Only the expressions inside an f-string, never its text or format specs.
        for value in node.values:
            if isinstance(value, ast.FormattedValue):
                value.value = self.visit(value.value)
        return node


def source_of(module: str) -> tuple[Path, str]:
    path = ROOT / "scripts" / "fieldguide" / f"{module}.py"
    return path, path.read_text(encoding="utf-8")


def enumerate_sites(module: str) -> list[Site]:
    path, text = source_of(module)
    mutator = Mutator(module, text.splitlines())
    mutator.visit(ast.parse(text, str(path)))
    seen: dict[tuple[str, str, str, str], int] = {}
    out = []
    for site in mutator.sites:
        base = (site.module, site.function, site.code, site.change)
        seen[base] = seen.get(base, 0) + 1
        out.append(Site(**{**site.__dict__, "occurrence": seen[base]}))
    return out


def mutated_tree(module: str, index: int) -> ast.Module:
    path, text = source_of(module)
    mutator = Mutator(module, text.splitlines(), target=index)
    tree = ast.fix_missing_locations(mutator.visit(ast.parse(text, str(path))))
    return tree


# ------------------------------------------------------------------------------------------ applying


def _functions(obj: Any) -> Iterator[Any]:
    """The plain functions behind a class attribute or a decorated function."""
    if isinstance(obj, property):
        yield from (f for f in (obj.fget, obj.fset, obj.fdel) if f is not None)
        return
    if isinstance(obj, functools.cached_property):
        yield obj.func
        return
    if isinstance(obj, (classmethod, staticmethod)):
        obj = obj.__func__
    while hasattr(obj, "__wrapped__"):
        if hasattr(obj, "cache_clear"):
            obj.cache_clear()
        obj = obj.__wrapped__
    if hasattr(obj, "__code__"):
        yield obj


def _swap(old: Any, new: Any) -> bool:
    """Give the old function(s) the new code in place; False when a closure no longer matches
    (say, a mutant deleted the only `super()` call, so `__class__` is no longer a free variable)."""
    pairs = list(zip(_functions(old), _functions(new), strict=True))
    if any(f_old.__code__.co_freevars != f_new.__code__.co_freevars for f_old, f_new in pairs):
        return False
    for f_old, f_new in pairs:
        f_old.__code__ = f_new.__code__
        f_old.__defaults__ = f_new.__defaults__
        f_old.__kwdefaults__ = f_new.__kwdefaults__
    return True


def apply(site: Site) -> None:
    """Install mutant `site` into the already imported module, in place."""
    module = importlib.import_module(f"fieldguide.{site.module}")
    tree = mutated_tree(site.module, site.index)
    namespace: dict[str, Any] = {"__name__": module.__name__, "__package__": module.__package__,
                                 "__file__": module.__file__, "__spec__": module.__spec__,
                                 "__builtins__": builtins}
    exec(compile(tree, module.__file__, "exec"), namespace)
    if not site.scope:  # a module-level constant
        for stmt in tree.body:
            if isinstance(stmt, (ast.Assign, ast.AnnAssign)) and stmt.lineno <= site.line <= stmt.end_lineno:
                targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                for target in targets:
                    for name in ast.walk(target):
                        if isinstance(name, ast.Name):
                            setattr(module, name.id, namespace[name.id])
        return
    old, new = getattr(module, site.scope[0]), namespace[site.scope[0]]
    if isinstance(old, type):
        cls, name = old, site.scope[1]
        old, new = vars(cls)[name], vars(new)[name]
        if not _swap(old, new):
            setattr(cls, name, new)  # the class attribute is what every caller looks up
    elif not _swap(old, new):
        setattr(module, site.scope[0], new)  # seen through the module, not through `from x import f`


# ------------------------------------------------------------------------------------------ running pytest


class Select:
    """Pytest plugin: keep only the chosen tests, in the given order."""

    def __init__(self, nodeids: list[str]) -> None:
        self.order = {n: i for i, n in enumerate(nodeids)}

    def pytest_collection_modifyitems(self, config: Any, items: list[Any]) -> None:
        keep = sorted((i for i in items if i.nodeid in self.order), key=lambda i: self.order[i.nodeid])
        dropped = [i for i in items if i.nodeid not in self.order]
        if dropped:
            config.hook.pytest_deselected(items=dropped)
        items[:] = keep


class Trace:
    """Pytest plugin: which lines of the target modules each test runs (in this process), and how long it takes."""

    def __init__(self, files: dict[str, str]) -> None:
        self.files = files  # absolute path -> module name
        self.lines: dict[str, dict[str, set[int]]] = {}
        self.durations: dict[str, float] = {}
        self.failed: list[str] = []
        self.current: dict[str, set[int]] | None = None
        self.current_id = ""
        self.forking: set[str] = set()  # tests that fork worker processes (they inherit the mutant)
        real_fork = os.fork

        def fork() -> int:
            if self.current_id:
                self.forking.add(self.current_id)
            return real_fork()
        os.fork = fork

    def _global(self, frame: Any, event: str, arg: Any) -> Any:
        module = self.files.get(frame.f_code.co_filename)
        if module is None or self.current is None:
            return None
        hits = self.current.setdefault(module, set())
        hits.add(frame.f_lineno)

        def local(frame: Any, event: str, arg: Any) -> Any:
            if event == "line":
                hits.add(frame.f_lineno)
            return local
        return local

    @staticmethod
    def _settrace(fn: Any) -> None:
        import threading
        sys.settrace(fn)
        threading.settrace(fn)

    def pytest_runtest_protocol(self, item: Any, nextitem: Any) -> Any:
        self.current = self.lines.setdefault(item.nodeid, {})
        self.current_id = item.nodeid
        self._settrace(self._global)

    def pytest_runtest_logreport(self, report: Any) -> None:
        self.durations[report.nodeid] = self.durations.get(report.nodeid, 0.0) + report.duration
        if report.failed:
            self.failed.append(report.nodeid)

    def pytest_runtest_logfinish(self, nodeid: str, location: Any) -> None:
        self._settrace(None)
        self.current = None
        self.current_id = ""


def fast_test_files() -> list[str]:
    return sorted(str(p.relative_to(ROOT)) for p in TESTS.glob("test_*.py") if not p.name.startswith("test_browser_"))


def _fork(work: Any, log: Path) -> int:
    """Run `work()` (returns an exit code) in a forked child, its own process group, output to `log`."""
    pid = os.fork()
    if pid:
        return pid
    code = 70  # the child failed before pytest could report
    try:
        os.setpgid(0, 0)
        fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        code = int(work())
    except BaseException as exc:  # noqa: BLE001 - the child must always exit, whatever the mutant did
        with contextlib.suppress(Exception):
            print(f"mutate: child failed: {exc!r}", file=sys.stderr)
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)


def _wait(pid: int, timeout: float) -> tuple[int, bool]:
    deadline = time.monotonic() + timeout
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status), False
        if time.monotonic() > deadline:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return -9, True
        time.sleep(0.02)


CACHE = ROOT / ".mutate-cache"


def _fingerprint(modules: list[str]) -> str:
    """Everything the traced baseline depends on: the package, the tests and their data, the catalog."""
    import hashlib

    digest = hashlib.sha256(" ".join(modules).encode())
    for folder in (ROOT / "scripts", TESTS, ROOT / "catalog"):
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:20]


def baseline(modules: list[str], workdir: Path, fresh: bool = False) -> dict[str, Any]:
    """Run the fast suite once, unmutated, tracing which tests run which lines (cached in
    .mutate-cache/ until the package, the tests or the catalog change)."""
    import pytest

    cached = CACHE / f"baseline-{_fingerprint(modules)}.json"
    if cached.exists() and not fresh:
        return json.loads(cached.read_text())

    out = workdir / "baseline.json"
    files = {str(source_of(m)[0]): m for m in modules}

    def work() -> int:
        trace = Trace(files)
        code = pytest.main([*PYTEST_ARGS, "-p", "no:randomly", *fast_test_files()], plugins=[trace])
        data = {"lines": {t: {m: sorted(v) for m, v in mods.items()} for t, mods in trace.lines.items()},
                "durations": trace.durations, "failed": trace.failed, "forking": sorted(trace.forking),
                "code": int(code)}
        out.write_text(json.dumps(data))
        return 0

    log = workdir / "baseline.log"
    code, timed_out = _wait(_fork(work, log), timeout=1800)
    if code != 0 or timed_out or not out.exists():
        sys.exit(f"mutate: the traced baseline run did not finish; see its output:\n{log.read_text()[-3000:]}")
    data = json.loads(out.read_text())
    if data["code"] != 0:
        sys.exit(f"mutate: the fast suite fails without any mutation ({', '.join(data['failed'][:5])}); fix it first."
                 f"\n{log.read_text()[-3000:]}")
    CACHE.mkdir(exist_ok=True)
    for old in CACHE.glob("baseline-*.json"):
        old.unlink()
    cached.write_text(json.dumps(data))
    return data


@dataclass
class Result:
    site: Site
    status: str  # killed, timeout, survived, equivalent, error
    tests: int = 0
    seconds: float = 0.0
    killer: str = ""


@dataclass
class Plan:
    """Which tests to run for each mutant, from the traced baseline."""

    lines: dict[str, dict[str, list[int]]]
    durations: dict[str, float]
    forking: set[str] = field(default_factory=set)
    by_line: dict[str, dict[int, set[str]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for test, modules in self.lines.items():
            for module, lines in modules.items():
                for line in lines:
                    self.by_line.setdefault(module, {}).setdefault(line, set()).add(test)

    def _covering(self, module: str, first: int, last: int) -> set[str]:
        table = self.by_line.get(module, {})
        return {t for line in range(first, last + 1) for t in table.get(line, ())}

    def tests_for(self, site: Site) -> list[str]:
        """The tests that run the mutated lines. A line no test runs here may still run in a worker
        process a test forks (which inherits the mutant): those tests are tried. A default argument
        or a module-level value: the tests that run the functions reading it."""
        if site.in_body:
            chosen = self._covering(site.module, site.line, site.end_line)
            if not chosen:
                chosen = {t for t in self.forking if self.lines.get(t, {}).get(site.module)}
        else:
            chosen = set().union(*(self._covering(site.module, *span) for span in site.spans))
        return sorted(chosen, key=lambda t: (self.durations.get(t, 0.0), t))


# ------------------------------------------------------------------------------------------ report


def load_equivalents() -> list[dict[str, Any]]:
    if not EQUIVALENTS.exists():
        return []
    entries = yaml.safe_load(EQUIVALENTS.read_text(encoding="utf-8")) or []
    for entry in entries:
        missing = {"module", "function", "code", "change", "why"} - set(entry)
        if missing:
            sys.exit(f"mutate: {EQUIVALENTS.name}: entry {entry} lacks {', '.join(sorted(missing))}")
    return entries


def _equivalent_key(entry: dict[str, Any]) -> tuple[str, str, str, str, int]:
    return (entry["module"], entry["function"], entry["code"], entry["change"], int(entry.get("occurrence", 1)))


def report(results: list[Result], modules: list[str], stale: list[dict[str, Any]], seconds: float) -> bool:
    print(f"\nMutation testing of the logic modules over the fast tests ({seconds:.0f} s)\n")
    header = f"{'module':<10} {'mutants':>8} {'equivalent':>10} {'killed':>7} {'survived':>8} {'score':>7}"
    print(header)
    print("-" * len(header))
    ok = True
    for module in modules:
        rows = [r for r in results if r.site.module == module]
        equivalent = sum(r.status == "equivalent" for r in rows)
        killed = sum(r.status in ("killed", "timeout") for r in rows)
        survived = sum(r.status in ("survived", "error") for r in rows)
        counted = killed + survived
        score = killed / counted if counted else 1.0
        ok &= score >= TARGET
        print(f"{module:<10} {len(rows):>8} {equivalent:>10} {killed:>7} {survived:>8} {score:>6.1%}"
              + ("" if score >= TARGET else "  < target"))
    timeouts = sum(r.status == "timeout" for r in results)
    if timeouts:
        print(f"({timeouts} of the killed mutants were killed by the time limit)")
    survivors = [r for r in results if r.status in ("survived", "error")]
    if survivors:
        print(f"\nSurvivors ({len(survivors)}): no selected test failed")
        for r in survivors:
            note = " [error running the tests]" if r.status == "error" else " [no test runs it]" if not r.tests else ""
            print(f"  {r.site.where()}: {r.site.function}: {r.site.change}{note}\n      {r.site.code}")
    if stale:
        print(f"\nStale entries in {EQUIVALENTS.name} (no such mutant any more; review and remove):")
        for entry in stale:
            print(f"  {entry['module']}: {entry['function']}: {entry['change']}\n      {entry['code']}")
    print(f"\nTarget: ≥ {TARGET:.0%} killed per module (equivalent mutants excluded): "
          + ("met" if ok else "NOT met"))
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--module", action="append", choices=MODULES, help="module to mutate (repeatable; default all)")
    parser.add_argument("--line", action="append", default=[], metavar="MODULE:LINE",
                        help="only the mutants on this line, with the test that kills each (repeatable)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="mutants run at once")
    parser.add_argument("--list", action="store_true", help="list the mutants and exit")
    parser.add_argument("--json", type=Path, help="also write every result here")
    parser.add_argument("--fresh", action="store_true", help="trace the suite again even if nothing changed")
    args = parser.parse_args(argv)
    os.chdir(ROOT)
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # `kill` cleans up like Ctrl-C
    os.environ.setdefault("HYPOTHESIS_PROFILE", "ci")  # the same examples every run
    sys.path[:0] = [str(ROOT / "scripts"), str(TESTS)]
    lines_wanted: dict[str, set[int]] = {}
    for item in args.line:
        module, _, number = item.partition(":")
        if module not in MODULES or not number.isdigit():
            parser.error(f"--line wants MODULE:LINE with MODULE one of {', '.join(MODULES)}, got {item!r}")
        lines_wanted.setdefault(module, set()).add(int(number))
    modules = args.module or (sorted(lines_wanted) if lines_wanted else list(MODULES))

    sites = [s for m in modules for s in enumerate_sites(m)]
    if lines_wanted:
        sites = [s for s in sites if s.line in lines_wanted.get(s.module, set())]
    if args.list:
        for s in sites:
            print(f"{s.where()}: {s.function}: {s.change}")
        print(f"{len(sites)} mutants")
        return 0

    equivalents = load_equivalents()
    known = {_equivalent_key(e): e for e in equivalents}
    all_keys = {s.key() for m in modules for s in enumerate_sites(m)}
    stale = [e for e in equivalents if e["module"] in modules and _equivalent_key(e) not in all_keys]

    # Import everything the tests use once; every forked child starts from here.
    import click.testing  # noqa: F401
    import hypothesis  # noqa: F401
    import pytest  # noqa: F401

    for name in ("schema", "load", "graph", "plan", "checklist", "export", "pages", "render", "brief", "cli",
                 "bench", "hooks"):
        importlib.import_module(f"fieldguide.{name}")

    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="fieldguide-mutate-") as tmpname:
        workdir = Path(tmpname)
        print(f"mutate: {len(sites)} mutants in {', '.join(modules)}; tracing the fast suite…", flush=True)
        traced = baseline(list(MODULES), workdir, args.fresh)  # all of them: one cached trace serves every run
        plan = Plan(traced["lines"], traced["durations"], set(traced["forking"]))
        print(f"mutate: baseline passed ({len(plan.durations)} tests, {time.monotonic() - started:.0f} s); "
              f"running mutants, {args.jobs} at a time…", flush=True)
        preload(workdir)
        results = run_all(sites, plan, known, workdir, args.jobs, verbose=bool(lines_wanted))
    if args.json:
        args.json.write_text(json.dumps([{**r.site.__dict__, "status": r.status, "tests": r.tests,
                                          "seconds": round(r.seconds, 2), "killer": r.killer} for r in results],
                                        indent=1), encoding="utf-8")
    ok = report(results, modules, stale, time.monotonic() - started)
    return 0 if ok else 1


def preload(workdir: Path) -> None:
    """Import (and assertion-rewrite) the test modules once, here, by letting pytest collect them:
    every forked child then finds them imported. Code a test module runs at import sees the
    unmutated package, as it did under the tracer (which attributes only what tests run)."""
    import gc

    import pytest

    log = workdir / "collect.log"
    saved = os.dup(1), os.dup(2)
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    try:
        code = pytest.main([*PYTEST_ARGS, "--collect-only", *fast_test_files()])
    finally:
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        os.close(fd)
    if code != 0:
        sys.exit(f"mutate: collecting the fast suite failed:\n{log.read_text()[-3000:]}")
    gc.collect()
    gc.freeze()  # children neither sweep nor copy the parent's objects


def run_all(sites: list[Site], plan: Plan, known: dict[Any, Any], workdir: Path, jobs: int,
            verbose: bool) -> list[Result]:
    """Run the mutants `jobs` at a time (each in its own forked process)."""
    import pytest

    results: dict[int, Result] = {}
    pending: list[int] = []
    queue: list[int] = []
    for n, site in enumerate(sites):
        if site.key() in known:
            results[n] = Result(site, "equivalent")
        else:
            pending.append(n)
    queue.extend(pending)
    running: dict[int, tuple[int, float, float, list[str]]] = {}  # pid -> (n, started, budget, tests)
    retried: set[int] = set()
    done = 0

    def start(n: int) -> None:
        site = sites[n]
        tests = plan.tests_for(site)
        files = sorted({t.split("::")[0] for t in tests})
        # Generous: a busy machine can slow a run several times over. A second chance gets 3x more.
        budget = (30.0 + 5 * sum(plan.durations.get(t, 0.0) for t in tests)) * (3 if n in retried else 1)
        log = workdir / f"m{n}.log"

        def work() -> int:
            apply(site)
            return int(pytest.main([*PYTEST_ARGS, *files], plugins=[Select(tests)]))

        if not tests:  # no test runs the mutated code: it survives without a run
            record(n, Result(site, "survived"))
            return
        pid = _fork(work, log)
        running[pid] = (n, time.monotonic(), budget, tests)

    def record(n: int, result: Result) -> None:
        nonlocal done
        results[n] = result
        done += 1
        site = sites[n]
        if verbose:
            print(f"  {site.where()}: {site.change}: {result.status.upper()}"
                  + (f" by {result.killer}" if result.status == "killed" else "") + f" ({result.tests} tests)",
                  flush=True)
        elif done % 50 == 0 or done == len(pending):
            print(f"mutate: {done}/{len(pending)} mutants run", flush=True)

    def finish(pid: int, code: int, timed_out: bool) -> None:
        n, began, _, tests = running.pop(pid)
        site = sites[n]
        log = workdir / f"m{n}.log"
        text = log.read_text(errors="replace") if log.exists() else ""
        if timed_out and n not in retried:  # perhaps only a load spike: once more before calling it killed
            retried.add(n)
            queue.append(n)
            return
        if timed_out:
            status, killer = "timeout", ""
        elif code == 0:
            status, killer = "survived", ""
        elif code in (5, 70):
            status, killer = "error", text[-300:]
        else:
            match = re.search(r"^(?:FAILED|ERROR) (\S+)", text, re.MULTILINE)
            status, killer = "killed", match.group(1) if match else f"exit {code}"
        with contextlib.suppress(OSError):
            log.unlink()
        record(n, Result(site, status, len(tests), time.monotonic() - began, killer))

    try:
        _run_queue(queue, running, start, finish, jobs)
    finally:  # interrupted: leave no child behind
        for pid in list(running):
            with contextlib.suppress(ProcessLookupError, ChildProcessError):
                os.killpg(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
    return [results[n] for n in range(len(sites))]


def _run_queue(queue: list[int], running: dict[int, Any], start: Any, finish: Any, jobs: int) -> None:
    while queue or running:
        while queue and len(running) < max(1, jobs):
            start(queue.pop(0))
        if not running:
            continue
        pid, status = os.waitpid(-1, os.WNOHANG)
        if pid:
            finish(pid, os.waitstatus_to_exitcode(status), False)
            continue
        now = time.monotonic()
        for pid, (_, began, budget, _) in list(running.items()):
            if now - began > budget:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                finish(pid, -9, True)
        time.sleep(0.01)


if __name__ == "__main__":
    sys.exit(main())
