"""Read the catalog folder into validated models, collecting every problem with its file and line.

Parsing uses libyaml's safe loader only. Each file is composed to a node tree first, so that every
key and list item keeps its line number and anchors/aliases (the "billion laughs" vector, never
needed in this catalog) are refused before anything is constructed.
"""

from __future__ import annotations

import contextlib
import difflib
import functools
import math
import os
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from . import controls
from .files import Unreadable, read_bytes
from .pages import FRAMEWORK_SECTION_PREFIX, RESERVED_ID_PREFIXES, collisions
from .schema import (
    ENTITY_DIRS,
    PATTERN_TEXT,
    CaseStudy,
    Challenge,
    Facets,
    Finding,
    Framework,
    FrameworkItem,
    FrameworkSection,
    Mitigation,
    Profile,
    Reference,
    Retired,
    RetiredList,
    Stage,
    Step,
    Vocabulary,
    Workflow,
)

MAX_FILE_BYTES = 1024 * 1024  # a catalog entry is a few KB; anything near this is a mistake or an attack
MAX_DEPTH = 20  # the deepest real structure is 4 levels
# Plain YAML only: anything else (python/object, binary, set, timestamp) is refused before construction.
SAFE_TAGS = {f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "seq", "map")}
_STR = "tag:yaml.org,2002:str"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
MAX_INT = 2**63  # integers beyond 64 bits are mistakes (and lose precision in JSON readers)


class YamlLoader(yaml.CSafeLoader):
    """libyaml's safe loader without implicit timestamps: an unquoted `2019-05-01` stays text, as in
    YAML 1.2 and the editors' YAML language server. No field holds a date, and date construction
    was a source of crashes (`2019-13-45`, a `2020-02-30:` key)."""


YamlLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _TIMESTAMP]
    for first, resolvers in yaml.CSafeLoader.yaml_implicit_resolvers.items()
}
Loc = tuple[str | int, ...]


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the catalog, printed as `path:line: entity: field: message`."""

    path: str
    line: int
    entity: str
    field: str
    message: str

    def __str__(self) -> str:
        message = " ".join(self.message.split())  # always one line, whatever a library said
        # File names, keys and values quoted in messages may hold line breaks or escape sequences.
        return controls.visible(f"{self.path}:{self.line}: {self.entity}: {self.field}: {message}")


@dataclass
class Source:
    """Where an entity came from: its file and the line of every key and list item in it."""

    path: str
    lines: dict[Loc, int] | None = field(default_factory=dict)
    file: Path | None = None  # set when `lines` was dropped and must be rebuilt on demand

    def line(self, loc: Loc = ()) -> int:
        """Line of `loc`, or of its nearest enclosing key when `loc` itself is absent."""
        if self.lines is None:
            self.lines = parse_file(self.file, self.path)[1].lines if self.file else {}
        while loc not in self.lines and loc:
            loc = loc[:-1]
        return self.lines.get(loc, 1)


@dataclass
class Catalog:
    root: Path
    stages: list[Stage] = field(default_factory=list)
    facets: Facets | None = None
    challenges: dict[str, Challenge] = field(default_factory=dict)
    case_studies: dict[str, CaseStudy] = field(default_factory=dict)
    references: dict[str, Reference] = field(default_factory=dict)
    mitigations: dict[str, Mitigation] = field(default_factory=dict)
    findings: dict[str, Finding] = field(default_factory=dict)
    frameworks: dict[str, Framework] = field(default_factory=dict)
    vocabulary: Vocabulary = field(default_factory=Vocabulary)
    vocabulary_source: Source | None = None
    # Removed or merged entities (catalog/retired.yaml): their ids stay taken; none is in the pools above.
    retired: dict[str, Retired] = field(default_factory=dict)
    sources: dict[str, tuple[Source, Loc]] = field(default_factory=dict)

    @property
    def steps(self) -> dict[str, Step]:
        return {step.id: step for stage in self.stages for step in stage.steps}

    def challenges_in(self, step_id: str) -> list[Challenge]:
        """The challenges of a step in their order (survey Table 1 order), id as the tie-break."""
        return sorted((c for c in self.challenges.values() if c.step == step_id), key=lambda c: (c.order, c.id))

    def stage_of(self, step_id: str) -> Stage:
        return next(stage for stage in self.stages if any(s.id == step_id for s in stage.steps))

    @property
    def framework_items(self) -> dict[str, tuple[Framework, FrameworkSection, FrameworkItem]]:
        """Every framework item by its qualified id (`ml-test-score:monitor-3`), in framework order."""
        return {fw.qualified(item): (fw, section, item)
                for fw in self.frameworks.values() for section, item in fw.items()}

    @property
    def industries(self) -> dict[str, Any]:
        return {f.id: f for f in self.facets.industries} if self.facets else {}

    @property
    def traits(self) -> dict[str, Any]:
        return {f.id: f for f in self.facets.traits} if self.facets else {}

    def where(self, entity_id: str, loc: Loc = ()) -> tuple[str, int]:
        """File and line of an entity (or of a field inside it)."""
        source, base = self.sources[entity_id]
        return source.path, source.line(base + loc)


class CatalogError(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problem(s) in the catalog")
        self.problems = problems


def display_path(path: Path) -> str:
    """The path as the user would type it from here (relative when possible)."""
    folder = _display_folder(str(path.parent), os.getcwd())
    return path.name if folder == "." else os.path.join(folder, path.name)


@functools.lru_cache(maxsize=256)
def _display_folder(folder: str, cwd: str) -> str:
    try:
        return os.path.relpath(folder, cwd)
    except ValueError:  # another drive on Windows
        return folder


# ---------------------------------------------------------------- one file


def parse_file(path: Path, shown: str | None = None, inside: Path | None = None) -> tuple[Any, Source, list[Problem]]:
    """Parse one YAML file safely; returns (data or None, line map, problems).

    Only a regular file is read (at most MAX_FILE_BYTES); `inside` is the folder a symbolic link
    may not lead out of (the catalog folder for catalog files).
    """
    shown = shown or display_path(path)
    try:
        raw = read_bytes(path, MAX_FILE_BYTES, inside)
    except Unreadable as exc:
        return None, Source(shown), [Problem(shown, 1, path.stem, "-", str(exc))]
    return parse_bytes(raw, shown, path.stem)


def parse_bytes(raw: bytes, shown: str, entity: str) -> tuple[Any, Source, list[Problem]]:
    """`parse_file` for bytes already read under the file rules (a blob of a git ref, for `diff`):
    UTF-8, no NUL, plain YAML only, and every problem at `shown:line`."""
    source = Source(shown)

    def fail(line: int, message: str, fld: str = "-") -> tuple[None, Source, list[Problem]]:
        return None, source, [Problem(shown, line, entity, fld, message)]

    if len(raw) > MAX_FILE_BYTES:
        return fail(1, f"file is {len(raw)} bytes; the limit is {MAX_FILE_BYTES} bytes")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return fail(raw.count(b"\n", 0, exc.start) + 1, "file is not UTF-8 text")
    if "\x00" in text:
        return fail(text.count("\n", 0, text.index("\x00")) + 1, "file contains a NUL byte (binary?)")
    if not text.strip():
        return fail(1, "file is empty")

    loader = YamlLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return fail(1, "file is empty")
        problems: list[Problem] = []
        data = _build(node, (), source, problems, set(), entity, 0, loader)
        if problems:
            return None, source, problems
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        message = " ".join(str(part) for part in (exc.context, exc.problem) if part)
        if exc.context_mark and exc.problem_mark and exc.context_mark.line != exc.problem_mark.line:
            message += f" (started at line {exc.context_mark.line + 1})"
        return fail(line, f"YAML does not parse: {message}")
    except yaml.reader.ReaderError as exc:
        what = f"character #x{exc.character:04x}" if isinstance(exc.character, int) else "a character"
        return fail(text.count("\n", 0, exc.position) + 1, f"{what} is not allowed in YAML (control character?)")
    except yaml.YAMLError as exc:
        return fail(1, f"YAML does not parse: {exc}")
    except RecursionError:
        return fail(1, "structure is nested too deeply")
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        return fail(source.line(), f"expected a mapping of keys to values, found {type(data).__name__}")
    return data, source, []


def _build(node: yaml.Node, loc: Loc, source: Source, problems: list[Problem],
           seen: set[int], entity: str, depth: int, loader: yaml.CSafeLoader) -> Any:
    """Turn a node tree into plain data in one pass, recording the line of every key and item and
    refusing aliases, non-plain tags, duplicate keys, keys that are not text, absurd nesting,
    control characters and values a constructor cannot build (`!!int abc`) before anything is built.

    What comes out is JSON-shaped: str keys; str, int (64-bit), finite float, bool, None, list, dict."""
    line = node.start_mark.line + 1
    if id(node) in seen:  # an alias: the composer hands back the anchored node itself
        if not any(p.message.startswith("anchors and aliases") for p in problems):
            problems.append(Problem(source.path, source.lines.get(loc, line), entity, _dotted(loc),
                                    "anchors and aliases are not allowed"))
        return None
    seen.add(id(node))
    source.lines.setdefault(loc, line)
    tag = node.tag
    if tag == _STR:  # by far the most common node: no constructor call
        return _text(node, loc, source, problems, entity)
    if tag not in SAFE_TAGS:
        shown = tag.replace("tag:yaml.org,2002:", "!!")
        problems.append(Problem(source.path, line, entity, _dotted(loc), f"YAML tag '{shown}' is not allowed"))
        return None
    if depth > MAX_DEPTH:
        problems.append(Problem(source.path, line, entity, _dotted(loc), f"nested deeper than {MAX_DEPTH} levels"))
        return None
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        keys: dict[Any, int] = {}
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode):
                problems.append(Problem(source.path, key_line, entity, _dotted(loc), "keys must be plain text"))
                continue
            if key_node.tag != _STR:  # `1:`, `yes:`, `null:`, `2020-02-30:` and tagged keys
                shown = _short(key_node.value)
                problems.append(Problem(source.path, key_line, entity, _dotted(loc),
                                        f"key '{shown}' must be text: write it in quotes"))
                continue
            key = _text(key_node, loc, source, problems, entity)
            if key is None:
                continue
            if key in keys:
                problems.append(Problem(source.path, key_line, entity, _dotted(loc + (key,)),
                                        f"duplicate key (first at line {keys[key]})"))
                continue
            keys[key] = key_line
            source.lines[loc + (key,)] = key_line
            out[key] = _build(value_node, loc + (key,), source, problems, seen, entity, depth + 1, loader)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, loc + (i,), source, problems, seen, entity, depth + 1, loader)
                for i, item in enumerate(node.value)]
    return _scalar(node, tag, loc, source, problems, entity, loader)


def _text(node: yaml.Node, loc: Loc, source: Source, problems: list[Problem], entity: str) -> str | None:
    """A string scalar, unless it holds a control character (checked after YAML unescaped `\\e`, `\\x7f`...)."""
    value = node.value
    char = controls.find(value)
    if char is None:
        return value
    problems.append(Problem(source.path, node.start_mark.line + 1, entity, _dotted(loc),
                            f"control character {controls.describe(char)} is not allowed in text"))
    return None


def _scalar(node: yaml.Node, tag: str, loc: Loc, source: Source, problems: list[Problem], entity: str,
            loader: yaml.CSafeLoader) -> Any:
    """An int, float, bool or null scalar; a value its constructor refuses is a problem, not a crash."""
    def refuse(message: str) -> None:
        problems.append(Problem(source.path, node.start_mark.line + 1, entity, _dotted(loc), message))

    kind = tag.replace("tag:yaml.org,2002:", "!!")
    try:
        value = loader.yaml_constructors[tag](loader, node)
    except Exception:  # noqa: BLE001 - PyYAML raises ValueError, KeyError, OverflowError... on bad text
        refuse(f"'{_short(node.value)}' is not a valid {kind} value")
        return None
    if isinstance(value, int) and not isinstance(value, bool) and not -MAX_INT <= value < MAX_INT:
        refuse("number is too large (more than 64 bits)")
        return None
    if isinstance(value, float) and not math.isfinite(value):
        refuse(f"'{_short(node.value)}' is not a finite number")
        return None
    return value


def _short(text: str, limit: int = 40) -> str:
    """A value quoted in a message: short, and without anything a terminal would act on."""
    text = controls.visible(text)
    return text if len(text) <= limit else text[:limit] + "…"


def _dotted(loc: Iterable[str | int]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "-"


def _friendly(err: dict[str, Any], model: type[BaseModel]) -> str:
    kind, ctx = err["type"], err.get("ctx") or {}
    if kind in ("missing", "too_short") and err["loc"] and err["loc"][-1] == "references":
        # The sourcing rule: case studies, mitigations and findings rest on something a reader can check.
        return ("must cite at least one reference: the survey where it names this, or the paper, "
                "documentation, study or regulation it rests on")
    if kind == "string_type" and isinstance(err.get("input"), (int, float)):
        return f"must be text; write it in quotes (\"{_short(str(err['input']))}\")"
    if kind == "int_type" and isinstance(err.get("input"), str):
        return "must be a whole number such as 2019 (digits only, no quotes)"
    if kind == "bool_type":
        return "must be true or false"
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return "unknown key"
    if kind == "string_pattern_mismatch":
        pattern = ctx.get("pattern", "")
        if pattern in PATTERN_TEXT:
            return f"must be {PATTERN_TEXT[pattern]}"
        return f"does not match the expected form {pattern}"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "too_short":
        return f"needs at least {ctx.get('min_length')} item(s)"
    if kind == "literal_error":
        expected = str(ctx.get("expected"))
        return f"must be {expected}" if "," not in expected and " or " not in expected else f"must be one of {expected}"
    if kind == "value_error":
        return str(ctx.get("error", err["msg"]))
    return err["msg"][0].lower() + err["msg"][1:]


def validate(data: Any, model: type[BaseModel], source: Source, entity: str,
             base: Loc = ()) -> tuple[BaseModel | None, list[Problem]]:
    """Validate parsed data against a model; every error carries the line of its key."""
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        problems = []
        for err in exc.errors(include_url=False):
            loc = base + tuple(err["loc"])
            # An unknown key is reported on its own line; a missing one on its parent's.
            problems.append(Problem(source.path, source.line(loc), entity, _dotted(err["loc"]),
                                    _friendly(err, model)))
        return None, problems


# ---------------------------------------------------------------- the folder


def iter_entity_files(root: Path, folder: str) -> Iterator[tuple[Path, str, bool]]:
    """(path, path as shown in messages, is a folder) for every entry of a catalog folder, by name.
    Symbolic links are not followed here (a loop must not raise); reading the file checks them."""
    directory = root / folder
    if not directory.is_dir():
        return
    shown = display_path(directory / "x")[:-1]
    with os.scandir(directory) as entries:
        found = sorted((e.name, e.is_dir(follow_symlinks=False)) for e in entries if not e.name.startswith("."))
    for name, is_dir in found:
        yield directory / name, shown + name, is_dir


def load(root: str | os.PathLike[str] = "catalog") -> Catalog:
    """Load and cross-check the catalog; raise CatalogError listing every problem found."""
    catalog, problems = load_with_problems(root)
    if problems:
        raise CatalogError(problems)
    return catalog


def load_with_problems(root: str | os.PathLike[str] = "catalog",
                       timings: dict[str, float] | None = None) -> tuple[Catalog, list[Problem]]:
    """Load everything, collecting problems instead of raising. `timings`, when given, receives the
    seconds spent reading and validating files (`parse`, in worker processes for large catalogs),
    validating the two single files (`validate`) and checking links (`links`)."""
    clock = _Clock(timings)
    root = Path(root)
    catalog = Catalog(root)
    problems: list[Problem] = []
    if not root.is_dir():
        return catalog, [Problem(display_path(root), 0, "-", "-", "catalog folder not found")]
    broken: set[str] = set()  # ids of files that failed; links to them are not reported again

    def register(entity_id: str, source: Source, loc: Loc) -> bool:
        """Claim an id in the catalog-wide namespace; report it if already taken."""
        if entity_id in catalog.sources:
            other, oloc = catalog.sources[entity_id]
            if entity_id in catalog.retired:
                stub = catalog.retired[entity_id]
                problems.append(Problem(source.path, source.line(loc + ("id",)), entity_id, "id",
                                        f"id was retired on {stub.retired} ({other.path}:{other.line(oloc)}); "
                                        f"ids are never reused: choose a new id"))
                return False
            problems.append(Problem(source.path, source.line(loc + ("id",)), entity_id, "id",
                                    f"duplicate id (also at {other.path}:{other.line(oloc)})"))
            return False
        catalog.sources[entity_id] = (source, loc)
        return True

    with clock("parse"):
        data, source, found = _read_single(root / "stages.yaml")
    problems += found
    if data is not None:
        with clock("validate"):
            workflow, found = validate(data, Workflow, source, "stages")
        problems += found
        if workflow is not None:
            catalog.stages = list(workflow.stages)
            for i, stage in enumerate(workflow.stages):
                register(stage.id, source, ("stages", i))
                for j, step in enumerate(stage.steps):
                    register(step.id, source, ("stages", i, "steps", j))

    with clock("parse"):
        data, fsource, found = _read_single(root / "facets.yaml")
    problems += found
    if data is not None:
        facets, found = validate(data, Facets, fsource, "facets")
        problems += found
        if facets is not None:
            catalog.facets = facets
            for group in ("industries", "traits"):
                for i, facet in enumerate(getattr(facets, group)):
                    register(facet.id, fsource, (group, i))

    # Optional single files: without vocabulary.yaml search matches the catalog's own words only; a
    # catalog that never removed anything has no retired.yaml.
    vocabulary, vsource, found = _read_optional(root / "vocabulary.yaml", Vocabulary, "vocabulary", clock)
    problems += found
    if vocabulary is not None:
        catalog.vocabulary, catalog.vocabulary_source = vocabulary, vsource
    stubs, rsource, found = _read_optional(root / "retired.yaml", RetiredList, "retired", clock)
    problems += found
    for i, stub in enumerate(stubs.retired if stubs else []):
        if register(stub.id, rsource, ("retired", i)):
            catalog.retired[stub.id] = stub

    registry = {
        "challenges": catalog.challenges,
        "case-studies": catalog.case_studies,
        "references": catalog.references,
        "mitigations": catalog.mitigations,
        "findings": catalog.findings,
        "frameworks": catalog.frameworks,
    }
    jobs: list[tuple[str, str, str, str]] = []
    for folder in ENTITY_DIRS:
        for path, shown, is_dir in iter_entity_files(root, folder):
            if path.suffix == ".md":
                continue  # folder READMEs
            if path.suffix != ".yaml":
                problems.append(Problem(shown, 1, path.stem, "-", "not a catalog entry: entries are <id>.yaml files"))
                continue
            if is_dir:
                problems.append(Problem(shown, 1, path.stem, "-", "not a regular file: it is a folder"))
                continue
            jobs.append((str(path), shown, folder, str(root)))

    with clock("parse"):  # parse + validate, in parallel for large catalogs
        results = _read_entities(jobs)
    for (path_text, _, folder, _), (entity, obj, source, found) in zip(jobs, results, strict=True):
        problems += found
        stem = Path(path_text).stem
        if obj is None:
            broken.update((entity, stem))
            continue
        if obj.id != stem:
            problems.append(Problem(source.path, source.line(("id",)), obj.id, "id",
                                    f"file must be named {obj.id}.yaml"))
        if register(obj.id, source, ()):
            registry[folder][obj.id] = obj
        elif obj.id in catalog.retired:
            broken.add(obj.id)  # reported once, as a reused id; links to it are not reported again

    with clock("links"):
        problems += _cross_check(catalog, broken)
        problems += _check_frameworks(catalog, broken)
    return catalog, sorted(set(problems))


class _Clock:
    """Adds up wall time per phase into a dict (or does nothing without one)."""

    def __init__(self, totals: dict[str, float] | None):
        self.totals = totals

    @contextlib.contextmanager
    def __call__(self, phase: str) -> Iterator[None]:
        if self.totals is None:
            yield
            return
        start = time.perf_counter()
        try:
            yield
        finally:
            self.totals[phase] = self.totals.get(phase, 0.0) + time.perf_counter() - start


PARALLEL_FROM = 2000  # files; below this a worker pool costs more than it saves


def _read_entity(job: tuple[str, str, str, str]) -> tuple[str, Any, Source, list[Problem]]:
    """Parse and validate one entity file: (entity id, model or None, source, problems)."""
    path_text, shown, folder, root = job
    path = Path(path_text)
    data, source, problems = parse_file(path, shown, inside=Path(root))
    if data is None:
        return path.stem, None, source, problems
    entity = data.get("id") if isinstance(data.get("id"), str) else path.stem
    obj, problems = validate(data, ENTITY_DIRS[folder], source, entity)
    return entity, obj, source, problems


def _read_entity_lean(job: tuple[str, str, str, str]) -> tuple[str, Any, Source, list[Problem]]:
    """As `_read_entity`, for a worker process: a valid file's line map is dropped (it is rebuilt
    from the file only if a later check needs a line), so little has to travel back."""
    entity, obj, source, problems = _read_entity(job)
    if obj is not None and not problems:
        source = Source(source.path, None, Path(job[0]))
    return entity, obj, source, problems


def _read_entities(jobs: list[tuple[str, str, str, str]]) -> list[tuple[str, Any, Source, list[Problem]]]:
    workers = min(os.cpu_count() or 1, 8)
    if len(jobs) < PARALLEL_FROM or workers < 2:
        return [_read_entity(job) for job in jobs]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(method)) as pool:
        return list(pool.map(_read_entity_lean, jobs, chunksize=max(50, len(jobs) // (workers * 8))))


def _read_optional(path: Path, model: type[BaseModel], entity: str,
                   clock: _Clock) -> tuple[Any, Source | None, list[Problem]]:
    """A single file that a catalog may leave out: (model or None, its source, problems)."""
    if not path.exists() and not path.is_symlink():
        return None, None, []
    with clock("parse"):
        data, source, problems = _read_single(path)
    if data is None:
        return None, source, problems
    obj, found = validate(data, model, source, entity)
    return obj, source, problems + found


def _read_single(path: Path) -> tuple[Any, Source, list[Problem]]:
    if not os.path.lexists(path):
        return None, Source(display_path(path)), [Problem(display_path(path), 1, path.stem, "-", "file is missing")]
    return parse_file(path, inside=path.parent)


# ---------------------------------------------------------------- links between files


def _cross_check(cat: Catalog, broken: set[str]) -> list[Problem]:
    """Ids unique across the catalog, every link resolves, every relation written once."""
    problems: list[Problem] = []

    def report(entity: str, loc: Loc, message: str) -> None:
        path, line = cat.where(entity, loc)
        problems.append(Problem(path, line, entity, _dotted(loc), message))

    # Checklist items share the id namespace with the entities.
    for challenge in cat.challenges.values():
        for i, item in enumerate(challenge.checklist):
            loc = ("checklist", i, "id")
            if item.id in cat.sources:
                other, oloc = cat.sources[item.id]
                path, line = cat.where(challenge.id, loc)
                problems.append(Problem(path, line, challenge.id, _dotted(loc),
                                        f"duplicate id '{item.id}' (also at {other.path}:{other.line(oloc)})"))
            else:
                cat.sources[item.id] = (cat.sources[challenge.id][0], ("checklist", i))

    def resolve(entity: str, loc: Loc, target: str, pool: dict[str, Any], what: str, where: str = "") -> None:
        if target in pool or target in broken:
            return
        if target in cat.retired:
            stub = cat.retired[target]
            report(entity, loc, f"{what} '{target}' was retired on {stub.retired}; link its successor "
                                f"'{stub.replaced_by}' instead")
            return
        hint = difflib.get_close_matches(target, list(pool), n=1)
        suffix = f" (did you mean '{hint[0]}'?)" if hint else ""
        report(entity, loc, f"unknown {what} '{target}'{where}{suffix}")

    def no_repeats(entity: str, field_name: str, values: list[str]) -> None:
        seen: set[str] = set()
        for i, value in enumerate(values):
            if value in seen:
                report(entity, (field_name, i), f"'{value}' is listed twice")
            seen.add(value)

    steps = cat.steps
    facet_ids = {**cat.industries, **cat.traits}
    if cat.facets is None:  # facets.yaml failed: do not report every facet again
        broken |= {f for e in (*cat.challenges.values(), *cat.case_studies.values()) for f in e.facets}
        broken |= {s.industry for s in cat.case_studies.values()}
    for stage in cat.stages:
        for i, ref in enumerate(stage.references):
            resolve(stage.id, ("references", i), ref, cat.references, "reference")
        no_repeats(stage.id, "references", stage.references)

    for c in cat.challenges.values():
        if cat.stages:  # without a valid stages.yaml every step would be reported again
            resolve(c.id, ("step",), c.step, steps, "step", ": not a step of any stage in stages.yaml")
        for i, f in enumerate(c.facets):
            resolve(c.id, ("facets", i), f, facet_ids, "facet")
        for i, ref in enumerate(c.references):
            resolve(c.id, ("references", i), ref, cat.references, "reference")
        no_repeats(c.id, "references", c.references)
        no_repeats(c.id, "facets", c.facets)
        for i, link in enumerate(c.related):
            resolve(c.id, ("related", i, "challenge"), link.challenge, cat.challenges, "challenge")
            if link.challenge == c.id:
                report(c.id, ("related", i, "challenge"), "a challenge cannot be related to itself")
            other = cat.challenges.get(link.challenge)
            if other and any(r.challenge == c.id for r in other.related) and c.id > other.id:
                report(c.id, ("related", i, "challenge"),
                       f"relation already written on '{other.id}'; write each relation once")
        no_repeats(c.id, "related", [r.challenge for r in c.related])

    # Two challenges of one step cannot share a position.
    taken: dict[tuple[str, int], str] = {}
    for c in sorted(cat.challenges.values(), key=lambda c: c.id):
        other = taken.setdefault((c.step, c.order), c.id)
        if other != c.id:
            report(c.id, ("order",), f"order {c.order} is also used by '{other}' in step '{c.step}'")

    if cat.vocabulary_source is not None:
        vsource = cat.vocabulary_source
        for cid, phrases in cat.vocabulary.phrases.items():
            if cid not in cat.challenges and cid not in broken:
                hint = difflib.get_close_matches(cid, list(cat.challenges), n=1)
                suffix = f" (did you mean '{hint[0]}'?)" if hint else ""
                problems.append(Problem(vsource.path, vsource.line(("phrases", cid)), "vocabulary",
                                        f"phrases.{cid}", f"unknown challenge '{cid}'{suffix}"))
            seen: set[str] = set()
            for i, phrase in enumerate(phrases):
                if phrase.lower() in seen:
                    problems.append(Problem(vsource.path, vsource.line(("phrases", cid, i)), "vocabulary",
                                            f"phrases.{cid}[{i}]", f"'{phrase}' is listed twice"))
                seen.add(phrase.lower())
        for g, group in enumerate(cat.vocabulary.synonyms):
            seen = set()
            for i, word in enumerate(group):
                if word.lower() in seen:
                    problems.append(Problem(vsource.path, vsource.line(("synonyms", g, i)), "vocabulary",
                                            f"synonyms[{g}][{i}]", f"'{word}' is listed twice in this group"))
                seen.add(word.lower())

    for s in cat.case_studies.values():
        resolve(s.id, ("industry",), s.industry, cat.industries, "industry")
        for i, f in enumerate(s.facets):
            resolve(s.id, ("facets", i), f, facet_ids, "facet")
        no_repeats(s.id, "facets", s.facets)

    # Case studies, mitigations and findings link challenges and cite references the same way.
    for e in (*cat.case_studies.values(), *cat.mitigations.values(), *cat.findings.values()):
        for i, link in enumerate(getattr(e, "challenges", [])):
            resolve(e.id, ("challenges", i, "challenge"), link.challenge, cat.challenges, "challenge")
        no_repeats(e.id, "challenges", [x.challenge for x in getattr(e, "challenges", [])])
        for i, ref in enumerate(e.references):
            resolve(e.id, ("references", i), ref, cat.references, "reference")
        no_repeats(e.id, "references", e.references)

    # An id that is also one of the pages' own element ids (`fg-planner`, `done-<item>`): two elements
    # with one id on a page, which the build refuses; said here, at the id.
    for entity, (source, loc) in list(cat.sources.items()):
        prefix = next((p for p in RESERVED_ID_PREFIXES if entity.startswith(p)), None)
        if prefix and ":" not in entity:
            problems.append(Problem(source.path, source.line(loc + ("id",)), entity, _dotted(loc + ("id",)),
                                    f"ids beginning with '{prefix}' are reserved for the pages' own elements: "
                                    "choose another id"))

    # An id whose page path is already a generated page would overwrite it (`id: index`).
    for entity, path, what in collisions({"stage": [s.id for s in cat.stages], "challenge": list(cat.challenges),
                                          "case_study": list(cat.case_studies),
                                          "mitigation": list(cat.mitigations),
                                          "framework": list(cat.frameworks)}):
        report(entity, ("id",), f"id '{entity}' is reserved: its page {path} would replace {what}")

    # A correction cites one of the entity's own references; a preprint points to its published version.
    for e in (*cat.challenges.values(), *cat.case_studies.values()):
        for i, corr in enumerate(e.corrections):
            if corr.reference not in e.references:
                resolve(e.id, ("corrections", i, "reference"), corr.reference, cat.references, "reference")
                if corr.reference in cat.references:
                    report(e.id, ("corrections", i, "reference"),
                           f"'{corr.reference}' must also be listed in this entity's references")
    for r in cat.references.values():
        if r.published_version:
            resolve(r.id, ("published_version",), r.published_version, cat.references, "reference")
            if r.published_version == r.id:
                report(r.id, ("published_version",), "a reference cannot be its own published version")

    # Retired ids: the successor is a live entity of the same kind, so an old link lands somewhere useful.
    pools = {"challenge": cat.challenges, "case_study": cat.case_studies, "mitigation": cat.mitigations,
             "finding": cat.findings, "reference": cat.references}
    for i, stub in enumerate(cat.retired.values()):
        if stub.replaced_by not in pools[stub.kind] and stub.replaced_by not in broken:
            where = cat.where(stub.id, ("replaced_by",))
            if stub.replaced_by in cat.retired:
                what = "is itself retired; point to its successor"
            elif stub.replaced_by in cat.sources:
                what = f"is not a {stub.kind.replace('_', ' ')}"
            else:
                what = "is not in the catalog"
            problems.append(Problem(where[0], where[1], stub.id, f"retired[{i}].replaced_by",
                                    f"successor '{stub.replaced_by}' {what}"))

    numbers: dict[int, str] = {}
    for r in cat.references.values():
        if r.survey_ref is not None:
            if r.survey_ref in numbers:
                report(r.id, ("survey_ref",), f"survey_ref {r.survey_ref} is also used by '{numbers[r.survey_ref]}'")
            numbers.setdefault(r.survey_ref, r.id)
    return problems


def _check_frameworks(cat: Catalog, broken: set[str]) -> list[Problem]:
    """Framework items are unique within their framework, every `covers` mapping names one and
    meets only asks the item has, and a requirement two items share is judged alike for both."""
    problems: list[Problem] = []

    def report(entity: str, loc: Loc, message: str) -> None:
        path, line = cat.where(entity, loc)
        problems.append(Problem(path, line, entity, _dotted(loc), message))

    def hint(value: str, pool: list[str]) -> str:
        match = difflib.get_close_matches(value, pool, n=1)
        return f" (did you mean '{match[0]}'?)" if match else ""

    known: dict[str, list[str]] = {}  # qualified item -> its ask ids
    wording: dict[str, tuple[str, str]] = {}  # ask id -> (its text, the first item asking it)
    for fw in cat.frameworks.values():
        cited = [(("reference",), fw.reference)] if fw.reference else []
        for loc, ref in [*cited, *((("sources", k), ref) for k, ref in enumerate(fw.sources))]:
            if ref not in cat.references and ref not in broken:
                report(fw.id, loc, f"unknown reference '{ref}'{hint(ref, list(cat.references))}")
            elif loc[0] == "sources" and fw.sources.index(ref) != loc[1]:
                report(fw.id, loc, f"'{ref}' is listed twice")
        source = cat.sources[fw.id][0]
        sections: set[str] = set()
        for i, section in enumerate(fw.sections):
            if section.id in sections:
                report(fw.id, ("sections", i, "id"), f"section id '{section.id}' is used twice in this framework")
            sections.add(section.id)
            for j, item in enumerate(section.items):
                qualified = fw.qualified(item)
                if item.id.startswith(FRAMEWORK_SECTION_PREFIX):
                    report(fw.id, ("sections", i, "items", j, "id"),
                           f"item ids beginning with '{FRAMEWORK_SECTION_PREFIX}' are reserved for the "
                           "framework page's section anchors: choose another id")
                if qualified in known:
                    report(fw.id, ("sections", i, "items", j, "id"),
                           f"item id '{item.id}' is used twice in this framework")
                    continue
                known[qualified] = [a.id for a in item.asks]
                # Qualified ids hold a colon, so they cannot collide with the catalog's own ids.
                cat.sources[qualified] = (source, ("sections", i, "items", j))
                for k, ask in enumerate(item.asks):
                    loc = ("sections", i, "items", j, "asks", k)
                    if [a.id for a in item.asks].index(ask.id) != k:
                        report(fw.id, (*loc, "id"), f"ask id '{ask.id}' is used twice in this item")
                        continue
                    text, first = wording.setdefault(ask.id, (ask.text, qualified))
                    if text != ask.text:
                        report(fw.id, (*loc, "text"),
                               f"ask '{ask.id}' is also asked by '{first}' in other words; the same id means "
                               f"the same requirement, so word it alike or give it another id")

    items = sorted(known)
    # check -> ask id -> {item: whether the check meets it there}, for the rule on shared asks
    judged: dict[str, dict[str, dict[str, bool]]] = {}
    for c in cat.challenges.values():
        for i, check in enumerate(c.checklist):
            seen: set[str] = set()
            for k, cover in enumerate(check.covers):
                loc = ("checklist", i, "covers", k, "item")
                if cover.item in seen:
                    report(c.id, loc, f"'{cover.item}' is listed twice")
                seen.add(cover.item)
                framework = cover.item.split(":", 1)[0]
                if cover.item in known:
                    asks = known[cover.item]
                    for m, ask in enumerate(cover.meets):
                        if cover.meets.index(ask) != m:
                            report(c.id, ("checklist", i, "covers", k, "meets", m), f"'{ask}' is listed twice")
                        elif ask not in asks:
                            report(c.id, ("checklist", i, "covers", k, "meets", m),
                                   f"'{cover.item}' asks no '{ask}'{hint(ask, asks)}")
                    for ask in asks:
                        judged.setdefault(check.id, {}).setdefault(ask, {})[cover.item] = ask in cover.meets
                    continue
                if framework in broken:
                    continue
                if framework not in cat.frameworks:
                    report(c.id, loc, f"unknown framework '{framework}' in '{cover.item}'"
                                      f"{hint(framework, list(cat.frameworks))}")
                else:
                    report(c.id, loc, f"unknown framework item '{cover.item}'{hint(cover.item, items)}")
            for ask, verdicts in judged.get(check.id, {}).items():
                met = [item for item, yes in verdicts.items() if yes]
                if met and len(met) < len(verdicts):
                    k = next(k for k, cover in enumerate(check.covers) if cover.item in verdicts
                             and not verdicts[cover.item])
                    report(c.id, ("checklist", i, "covers", k, "meets"),
                           f"does not meet '{ask}' here but meets it for '{met[0]}', which asks the same; "
                           f"a requirement two items share is met for both or for neither")
    return problems


def text_fields(cat: Catalog) -> Iterator[tuple[str, str]]:
    """(`path:line: id: field`, text) for every string of the catalog, keys of maps included: where
    the build looks for the input a finding in its output came from."""
    def strings(value: Any, loc: Loc) -> Iterator[tuple[Loc, str]]:
        if isinstance(value, str):
            yield loc, value
        elif isinstance(value, BaseModel):
            yield from strings(value.model_dump(), loc)
        elif isinstance(value, dict):
            for key, item in value.items():
                yield loc + (key,), str(key)
                yield from strings(item, loc + (key,))
        elif isinstance(value, (list, tuple)):
            for i, item in enumerate(value):
                yield from strings(item, loc + (i,))

    pools: list[tuple[str, Any]] = [(s.id, s) for s in cat.stages]
    pools += [(f.id, f) for f in ([*cat.facets.industries, *cat.facets.traits] if cat.facets else [])]
    for pool in (cat.challenges, cat.case_studies, cat.references, cat.mitigations, cat.findings, cat.frameworks,
                 cat.retired):
        pools += list(pool.items())
    for entity_id, obj in pools:
        if entity_id not in cat.sources:
            continue
        for loc, text in strings(obj, ()):
            path, line = cat.where(entity_id, loc)
            yield f"{path}:{line}: {entity_id}: {_dotted(loc)}", text
    if cat.vocabulary_source is not None:
        for loc, text in strings(cat.vocabulary, ()):
            yield f"{cat.vocabulary_source.path}:{cat.vocabulary_source.line(loc)}: vocabulary: {_dotted(loc)}", text


def load_profile(path: Path, cat: Catalog) -> tuple[Profile | None, list[Problem]]:
    """Read a project profile; every problem carries the profile's file and line like the catalog's."""
    data, source, problems = parse_file(path)
    if problems:
        return None, problems
    profile, problems = validate(data, Profile, source, path.stem)
    if profile is None:
        return None, problems

    def unknown(loc: Loc, value: str, pool: dict[str, Any] | list[str], what: str) -> None:
        hint = difflib.get_close_matches(value, list(pool), n=1)
        suffix = f" (did you mean '{hint[0]}'?)" if hint else ""
        problems.append(Problem(source.path, source.line(loc), path.stem, _dotted(loc),
                                f"unknown {what} '{value}'{suffix}"))

    if profile.industry and profile.industry not in cat.industries:
        unknown(("industry",), profile.industry, cat.industries, "industry")
    for i, trait in enumerate(profile.traits):
        if trait not in cat.traits:
            unknown(("traits", i), trait, cat.traits, "trait")
    stage_ids = [s.id for s in cat.stages]
    for i, stage in enumerate(profile.stages):
        if stage not in stage_ids:
            unknown(("stages", i), stage, stage_ids, "stage")
    return (None if problems else profile), problems
