"""Read the catalog folder into validated models, collecting every problem with its file and line.

Parsing uses libyaml's safe loader only. Each file is composed to a node tree first, so that every
key and list item keeps its line number and anchors/aliases (the "billion laughs" vector, never
needed in this catalog) are refused before anything is constructed.
"""

from __future__ import annotations

import contextlib
import functools
import math
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from . import controls, rules
from .catalog import Catalog
from .files import Unreadable, read_bytes
from .kinds import FILED
from .problems import Loc, Problem, Source, display_path, dotted, unknown
from .schema import (
    ENTITY_DIRS,
    PATTERN_TEXT,
    Deployment,
    DeploymentList,
    Facets,
    Profile,
    RetiredList,
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


class CatalogError(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problem(s) in the catalog")
        self.problems = problems


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
            problems.append(Problem(source.path, source.lines.get(loc, line), entity, dotted(loc),
                                    "anchors and aliases are not allowed"))
        return None
    seen.add(id(node))
    source.lines.setdefault(loc, line)
    tag = node.tag
    if tag == _STR:  # by far the most common node: no constructor call
        return _text(node, loc, source, problems, entity)
    if tag not in SAFE_TAGS:
        shown = tag.replace("tag:yaml.org,2002:", "!!")
        problems.append(Problem(source.path, line, entity, dotted(loc), f"YAML tag '{shown}' is not allowed"))
        return None
    if depth > MAX_DEPTH:
        problems.append(Problem(source.path, line, entity, dotted(loc), f"nested deeper than {MAX_DEPTH} levels"))
        return None
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        keys: dict[Any, int] = {}
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode):
                problems.append(Problem(source.path, key_line, entity, dotted(loc), "keys must be plain text"))
                continue
            if key_node.tag != _STR:  # `1:`, `yes:`, `null:`, `2020-02-30:` and tagged keys
                shown = _short(key_node.value)
                problems.append(Problem(source.path, key_line, entity, dotted(loc),
                                        f"key '{shown}' must be text: write it in quotes"))
                continue
            key = _text(key_node, loc, source, problems, entity)
            if key is None:
                continue
            if key in keys:
                problems.append(Problem(source.path, key_line, entity, dotted(loc + (key,)),
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
    problems.append(Problem(source.path, node.start_mark.line + 1, entity, dotted(loc),
                            f"control character {controls.describe(char)} is not allowed in text"))
    return None


def _scalar(node: yaml.Node, tag: str, loc: Loc, source: Source, problems: list[Problem], entity: str,
            loader: yaml.CSafeLoader) -> Any:
    """An int, float, bool or null scalar; a value its constructor refuses is a problem, not a crash."""
    def refuse(message: str) -> None:
        problems.append(Problem(source.path, node.start_mark.line + 1, entity, dotted(loc), message))

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
            problems.append(Problem(source.path, source.line(loc), entity, dotted(err["loc"]),
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


def deployment_files(root: Path) -> list[tuple[Path, str, str, str]]:
    """The files that list deployments, in reading order: `deployments.yaml`, then every file of
    `deployments/` by name, each a list under `deployments:`. One file per author keeps each far below
    the size limit of a catalog file as the list grows, and keeps two authors' additions out of the same
    file. (path, name under the catalog, path as shown in messages, why it is refused or "")."""
    single = root / "deployments.yaml"
    out = [(single, "deployments.yaml", display_path(single), "")] if os.path.lexists(single) else []
    for path, shown, is_dir in iter_entity_files(root, "deployments"):
        if path.suffix == ".md":
            continue  # the folder's README
        refused = ("not a deployments file: deployments are listed in .yaml files" if path.suffix != ".yaml"
                   else "not a regular file: it is a folder" if is_dir else "")
        out.append((path, f"deployments/{path.name}", shown, refused))
    return out


def load(root: str | os.PathLike[str] = "catalog", keep_files: bool = False) -> Catalog:
    """Load and cross-check the catalog; raise CatalogError listing every problem found.
    `keep_files`: keep each file's data as read (`Catalog.files`), for the changelog of a build."""
    catalog, problems = load_with_problems(root, keep_files=keep_files)
    if problems:
        raise CatalogError(problems)
    return catalog


def load_with_problems(root: str | os.PathLike[str] = "catalog", timings: dict[str, float] | None = None,
                       keep_files: bool = False) -> tuple[Catalog, list[Problem]]:
    """Load everything, collecting problems instead of raising. `timings`, when given, receives the
    seconds spent reading and validating files (`parse`, in worker processes for large catalogs),
    validating the single files (`validate`) and checking links (`links`).

    Two stages: `read` (the single files: stages, facets, then the optional vocabulary and retired
    ids; then the entity folders, one file per entity of each kind in `kinds.FILED`), then the rules
    that span files (`rules.RULES`: links resolve, ids are unique, each relation is written once)."""
    clock = _Clock(timings)
    catalog, problems, broken = read(root, clock, keep_files)
    if not Path(root).is_dir():
        return catalog, problems
    with clock("links"):
        for found in rules.check(catalog, broken).values():
            problems += found
    return catalog, sorted(set(problems))


def read(root: str | os.PathLike[str], clock: _Clock | None = None,
         keep_files: bool = False) -> tuple[Catalog, list[Problem], set[str]]:
    """The read stage alone: the files of the catalog folder as models, before any rule that spans
    files. Returns the catalog, the problems found in single files, and the ids of the files that
    failed (links to them are then not reported again)."""
    root = Path(root)
    reader = _Reader(root, clock or _Clock(None), keep_files)
    if not root.is_dir():
        return reader.catalog, [Problem(display_path(root), 0, "-", "-", "catalog folder not found")], set()
    reader.read_single_files()
    reader.read_entity_folders()
    return reader.catalog, reader.problems, reader.broken


class _Reader:
    """One catalog being read: the catalog so far, the problems found, and the ids of files that
    failed (`broken`: links to them are not reported again)."""

    def __init__(self, root: Path, clock: _Clock, keep_files: bool):
        self.root, self.clock, self.keep_files = root, clock, keep_files
        self.catalog = Catalog(root)
        self.problems: list[Problem] = []
        self.broken: set[str] = set()

    def register(self, entity_id: str, source: Source, loc: Loc) -> bool:
        """Claim an id in the catalog-wide namespace; report it if already taken."""
        catalog = self.catalog
        if entity_id not in catalog.sources:
            catalog.sources[entity_id] = (source, loc)
            return True
        other, oloc = catalog.sources[entity_id]
        if entity_id in catalog.retired:
            stub = catalog.retired[entity_id]
            message = (f"id was retired on {stub.retired} ({other.path}:{other.line(oloc)}); "
                       f"ids are never reused: choose a new id")
        else:
            message = f"duplicate id (also at {other.path}:{other.line(oloc)})"
        self.problems.append(Problem(source.path, source.line(loc + ("id",)), entity_id, "id", message))
        return False

    def single(self, name: str, model: type[BaseModel], entity: str,
               optional: bool = False) -> tuple[Any, Source | None]:
        """One of the single files at the top of the catalog: (model or None, its source)."""
        path = self.root / name
        if optional and not path.exists() and not path.is_symlink():
            return None, None
        with self.clock("parse"):
            data, source, found = _read_single(path)
        self.problems += found
        if data is None:
            return None, source
        if self.keep_files:
            self.catalog.files[name] = data
        with self.clock("validate"):
            obj, found = validate(data, model, source, entity)
        self.problems += found
        return obj, source

    def read_single_files(self) -> None:
        catalog = self.catalog
        workflow, source = self.single("stages.yaml", Workflow, "stages")
        if workflow is not None:
            catalog.stages = list(workflow.stages)
            for i, stage in enumerate(workflow.stages):
                self.register(stage.id, source, ("stages", i))
                for j, step in enumerate(stage.steps):
                    self.register(step.id, source, ("stages", i, "steps", j))
        facets, source = self.single("facets.yaml", Facets, "facets")
        if facets is not None:
            catalog.facets = facets
            for group in ("industries", "traits"):
                for i, facet in enumerate(getattr(facets, group)):
                    self.register(facet.id, source, (group, i))
        # Optional: without vocabulary.yaml search matches the catalog's own words only; a catalog
        # that never removed anything has no retired.yaml.
        vocabulary, source = self.single("vocabulary.yaml", Vocabulary, "vocabulary", optional=True)
        if vocabulary is not None:
            catalog.vocabulary, catalog.vocabulary_source = vocabulary, source
        self.read_deployments()
        stubs, source = self.single("retired.yaml", RetiredList, "retired", optional=True)
        for i, stub in enumerate(stubs.retired if stubs else []):
            if self.register(stub.id, source, ("retired", i)):
                catalog.retired[stub.id] = stub

    def read_deployments(self) -> None:
        """The deployments (optional: without any the planner reads a description against the challenges
        alone), file by file (`deployment_files`); each deployment is validated on its own, so a problem
        names the deployment it is in, and an id is unique across the files."""
        for path, name, shown, refused in deployment_files(self.root):
            if refused:
                self.problems.append(Problem(shown, 1, path.stem, "-", refused))
            else:
                self.read_deployments_file(path, name)

    def read_deployments_file(self, path: Path, name: str) -> None:
        with self.clock("parse"):
            data, source, found = _read_single(path)
        self.problems += found
        if data is None:
            return
        if self.keep_files:
            self.catalog.files[name] = data
        items = data.get("deployments") if isinstance(data, dict) else None
        if not isinstance(items, list):  # the file's own shape is wrong: say so as for any single file
            self.problems += validate(data, DeploymentList, source, "deployments")[1]
            return
        self.problems += validate({**data, "deployments": []}, DeploymentList, source, "deployments")[1]
        deployments = self.catalog.deployments
        for i, item in enumerate(items):
            named = item.get("id") if isinstance(item, dict) else None
            entity = named if isinstance(named, str) and named.strip() else f"deployments[{i}]"
            with self.clock("validate"):
                deployment, found = validate(item, Deployment, source, entity, ("deployments", i))
            self.problems += found
            if deployment is None:
                continue
            if deployment.id in deployments:
                other, loc = self.catalog.deployment_line(deployment.id, ("id",))
                self.problems.append(Problem(source.path, source.line(("deployments", i, "id")), deployment.id,
                                             "id", f"duplicate id (also at {other.path}:{other.line(loc)})"))
                continue
            deployments[deployment.id] = deployment
            self.catalog.deployments_at[deployment.id] = (source, i)

    def read_entity_folders(self) -> None:
        jobs: list[tuple[str, str, str, str, bool]] = []
        for kind in FILED:
            for path, shown, is_dir in iter_entity_files(self.root, kind.folder):
                if path.suffix == ".md":
                    continue  # folder READMEs
                if path.suffix != ".yaml":
                    self.problems.append(Problem(shown, 1, path.stem, "-",
                                                 "not a catalog entry: entries are <id>.yaml files"))
                elif is_dir:
                    self.problems.append(Problem(shown, 1, path.stem, "-", "not a regular file: it is a folder"))
                else:
                    jobs.append((str(path), shown, kind.folder, str(self.root), self.keep_files))
        with self.clock("parse"):  # parse + validate, in parallel for large catalogs
            results = _read_entities(jobs)
        pools = {kind.folder: self.catalog.pool(kind.id) for kind in FILED}
        for (path_text, _, folder, _, _), (entity, obj, source, found, data) in zip(jobs, results, strict=True):
            self.problems += found
            path = Path(path_text)
            if obj is None:
                self.broken.update((entity, path.stem))
                continue
            if self.keep_files:
                self.catalog.files[f"{folder}/{path.name}"] = data
            if obj.id != path.stem:
                self.problems.append(Problem(source.path, source.line(("id",)), obj.id, "id",
                                             f"file must be named {obj.id}.yaml"))
            if self.register(obj.id, source, ()):
                pools[folder][obj.id] = obj
            elif obj.id in self.catalog.retired:
                self.broken.add(obj.id)  # reported once, as a reused id; links to it are not reported again


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


def _read_entity(job: tuple[str, str, str, str, bool]) -> tuple[str, Any, Source, list[Problem], Any]:
    """Parse and validate one entity file: (entity id, model or None, source, problems, its data
    when the job asks to keep it)."""
    path_text, shown, folder, root, keep = job
    path = Path(path_text)
    data, source, problems = parse_file(path, shown, inside=Path(root))
    if data is None:
        return path.stem, None, source, problems, None
    entity = data.get("id") if isinstance(data.get("id"), str) else path.stem
    obj, problems = validate(data, ENTITY_DIRS[folder], source, entity)
    return entity, obj, source, problems, data if keep else None


def _read_entity_lean(job: tuple[str, str, str, str, bool]) -> tuple[str, Any, Source, list[Problem], Any]:
    """As `_read_entity`, for a worker process: a valid file's line map is dropped (it is rebuilt
    from the file only if a later check needs a line), so little has to travel back."""
    entity, obj, source, problems, data = _read_entity(job)
    if obj is not None and not problems:
        source = Source(source.path, None, functools.partial(_line_map, job[0], source.path))
    return entity, obj, source, problems, data


def _line_map(path_text: str, shown: str) -> dict[Loc, int]:
    """The line of every key and item of a file read before (a worker dropped its map)."""
    return parse_file(Path(path_text), shown)[1].lines or {}


def _read_entities(jobs: list[tuple[str, str, str, str, bool]]) -> list[tuple[str, Any, Source, list[Problem], Any]]:
    workers = min(os.cpu_count() or 1, 8)
    if len(jobs) < PARALLEL_FROM or workers < 2:
        return [_read_entity(job) for job in jobs]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(method)) as pool:
        return list(pool.map(_read_entity_lean, jobs, chunksize=max(50, len(jobs) // (workers * 8))))


def _read_single(path: Path) -> tuple[Any, Source, list[Problem]]:
    if not os.path.lexists(path):
        return None, Source(display_path(path)), [Problem(display_path(path), 1, path.stem, "-", "file is missing")]
    return parse_file(path, inside=path.parent)


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
    for pool in [*(cat.pool(kind.id) for kind in FILED), cat.retired]:
        pools += list(pool.items())
    for entity_id, obj in pools:
        if entity_id not in cat.sources:
            continue
        for loc, text in strings(obj, ()):
            path, line = cat.where(entity_id, loc)
            yield f"{path}:{line}: {entity_id}: {dotted(loc)}", text
    if cat.vocabulary_source is not None:
        for loc, text in strings(cat.vocabulary, ()):
            yield f"{cat.vocabulary_source.path}:{cat.vocabulary_source.line(loc)}: vocabulary: {dotted(loc)}", text
    for pid, deployment in cat.deployments.items():
        for loc, text in strings(deployment, ()):
            source, at = cat.deployment_line(pid, loc)
            yield f"{source.path}:{source.line(at)}: {pid}: {dotted(loc)}", text


def load_profile(path: Path, cat: Catalog) -> tuple[Profile | None, list[Problem]]:
    """Read a project profile; every problem carries the profile's file and line like the catalog's."""
    data, source, problems = parse_file(path)
    if problems:
        return None, problems
    profile, problems = validate(data, Profile, source, path.stem)
    if profile is None:
        return None, problems

    def check(loc: Loc, value: str, pool: dict[str, Any] | list[str], what: str) -> None:
        if value not in pool:
            problems.append(Problem(source.path, source.line(loc), path.stem, dotted(loc),
                                    unknown(what, value, pool)))

    if profile.industry:
        check(("industry",), profile.industry, cat.industries, "industry")
    for i, trait in enumerate(profile.traits):
        check(("traits", i), trait, cat.traits, "trait")
    stage_ids = [s.id for s in cat.stages]
    for i, stage in enumerate(profile.stages):
        check(("stages", i), stage, stage_ids, "stage")
    return (None if problems else profile), problems
