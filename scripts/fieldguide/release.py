"""Releases of the catalog: what changed between two versions (`fieldguide diff`) and the changelog.

A version is a catalog folder or a git ref (`HEAD~3`, a tag, a commit). Versions are compared as
raw YAML, not through the current schema, so an old catalog written for an older schema still
compares. An entity is keyed by its id; "changed" lists the top-level fields whose value differs.

Releases: the current one is `fieldguide.__version__` / `RELEASED`; earlier ones are listed, newest
first, in `releases.yaml` at the repository root, each with the commit it was cut from.
"""

from __future__ import annotations

import io
import json
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from . import RELEASED, __version__
from .files import write_atomic
from .load import iter_entity_files, parse_file

FOLDERS = {"challenges": "challenge", "case-studies": "case_study", "mitigations": "mitigation",
           "references": "reference", "findings": "finding"}
RELEASES_FILE = "releases.yaml"


class DiffError(Exception):
    """A version that cannot be read: not a folder, not a git ref, or YAML that does not parse."""


@dataclass(frozen=True)
class Entity:
    id: str
    kind: str
    title: str
    fields: dict[str, str]  # field name -> its value as canonical JSON


@dataclass
class Change:
    id: str
    kind: str
    title: str
    fields: list[str] = field(default_factory=list)


@dataclass
class Diff:
    added: list[Change]
    changed: list[Change]
    removed: list[Change]

    def to_dict(self) -> dict[str, list[dict[str, Any]]]:
        return {k: [asdict(c) for c in getattr(self, k)] for k in ("added", "changed", "removed")}


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def _entity(kind: str, data: dict[str, Any], skip: tuple[str, ...] = ()) -> Entity:
    fields = {k: _canonical(v) for k, v in data.items() if k not in skip}
    return Entity(str(data["id"]), kind, str(data.get("title", data["id"])), fields)


def snapshot(folder: Path) -> dict[str, Entity]:
    """Every entity of a catalog folder (stages, steps, facets and the entity files), by id."""
    if not folder.is_dir():
        raise DiffError(f"{folder}: not a catalog folder")
    out: dict[str, Entity] = {}
    problems: list[str] = []

    def read(path: Path) -> Any:
        data, _, found = parse_file(path)
        problems.extend(str(p) for p in found)
        return data

    stages = read(folder / "stages.yaml") if (folder / "stages.yaml").is_file() else None
    for stage in (stages or {}).get("stages") or []:
        if isinstance(stage, dict) and "id" in stage:
            out[str(stage["id"])] = _entity("stage", stage, skip=("steps",))
            for step in stage.get("steps") or []:
                if isinstance(step, dict) and "id" in step:
                    out[str(step["id"])] = _entity("step", {**step, "stage": stage["id"]})
    facets = read(folder / "facets.yaml") if (folder / "facets.yaml").is_file() else None
    for group, kind in (("industries", "industry"), ("traits", "trait")):
        for facet in (facets or {}).get(group) or []:
            if isinstance(facet, dict) and "id" in facet:
                out[str(facet["id"])] = _entity(kind, facet)
    for name, kind in FOLDERS.items():
        for path, _, is_dir in iter_entity_files(folder, name):
            if is_dir or path.suffix != ".yaml":
                continue
            data = read(path)
            if isinstance(data, dict) and "id" in data:
                out[str(data["id"])] = _entity(kind, data)
    if problems:
        raise DiffError("\n".join(problems))
    return out


def diff(old: dict[str, Entity], new: dict[str, Entity]) -> Diff:
    def order(ids: set[str], pool: dict[str, Entity]) -> list[str]:
        return sorted(ids, key=lambda i: (pool[i].kind, i))

    added = [Change(i, new[i].kind, new[i].title) for i in order(set(new) - set(old), new)]
    removed = [Change(i, old[i].kind, old[i].title) for i in order(set(old) - set(new), old)]
    changed = []
    for i in order(set(old) & set(new), new):
        a, b = old[i].fields, new[i].fields
        fields = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
        if fields or old[i].kind != new[i].kind:
            changed.append(Change(i, new[i].kind, new[i].title, fields or ["kind"]))
    return Diff(added, changed, removed)


# ---------------------------------------------------------------- versions: folders and git refs


def _git(repo: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, check=False, timeout=60)
    except FileNotFoundError:
        raise DiffError("git is not installed, so git refs cannot be read") from None


def git_root(start: Path) -> Path | None:
    proc = _git(start, "rev-parse", "--show-toplevel")
    return Path(proc.stdout.decode().strip()) if proc.returncode == 0 else None


def resolve_commit(repo: Path, ref: str) -> str | None:
    proc = _git(repo, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    return proc.stdout.decode().strip() if proc.returncode == 0 else None


@contextmanager
def checkout(spec: str, repo: Path, catalog_path: str = "catalog") -> Iterator[Path]:
    """A catalog folder for `spec`: the folder itself, or the catalog tree of a git ref extracted
    (with `git archive`) into a temporary folder."""
    if Path(spec).is_dir():
        yield Path(spec)
        return
    commit = resolve_commit(repo, spec)
    if commit is None:
        raise DiffError(f"'{spec}' is neither a catalog folder nor a git ref of {repo}")
    proc = _git(repo, "archive", "--format=tar", commit, "--", catalog_path)
    if proc.returncode != 0:
        raise DiffError(f"'{spec}' has no {catalog_path}/ folder: {proc.stderr.decode().strip()}")
    with tempfile.TemporaryDirectory(prefix="fieldguide-diff-") as tmp:
        with tarfile.open(fileobj=io.BytesIO(proc.stdout)) as tar:
            tar.extractall(tmp, filter="data")
        yield Path(tmp) / catalog_path


def compare(old: str, new: str, repo: Path, catalog_path: str = "catalog") -> Diff:
    with checkout(old, repo, catalog_path) as a, checkout(new, repo, catalog_path) as b:
        return diff(snapshot(a), snapshot(b))


def format_text(d: Diff, old: str, new: str) -> str:
    lines = [f"{old} -> {new}: {len(d.added)} added, {len(d.changed)} changed, {len(d.removed)} removed"]
    for group in ("added", "changed", "removed"):
        changes = getattr(d, group)
        if changes:
            lines.append(f"{group}:")
            for c in changes:
                extra = f" [{', '.join(c.fields)}]" if c.fields else ""
                lines.append(f"  {c.kind:<11} {c.id}: {c.title}{extra}")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- the changelog page


@dataclass(frozen=True)
class Release:
    version: str
    date: str
    commit: str | None  # None for the current release: the working catalog


def releases(root: Path) -> list[Release]:
    """The current release, then those in releases.yaml, newest first."""
    listed: list[Release] = []
    path = root / RELEASES_FILE
    if path.is_file():
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader) or {}
        for item in data.get("releases") or []:
            listed.append(Release(str(item["version"]), str(item["date"]), str(item["commit"])))
    return [Release(__version__, RELEASED, None)] + [r for r in listed if r.version != __version__]


def changelog(root: Path, catalog_dir: Path, cache_dir: Path | None = None) -> list[dict[str, Any]]:
    """Each release with its changes since the one before. Builds never fail on history: without git
    or in a shallow clone, a release whose commit is missing gets a note instead of a list."""
    out: list[dict[str, Any]] = []
    chain = releases(root)
    repo = git_root(root) if any(r.commit for r in chain) else None
    current = snapshot(catalog_dir)
    snapshots: dict[str | None, dict[str, Entity] | None] = {None: current}

    def at(commit: str | None) -> dict[str, Entity] | None:
        if commit not in snapshots:
            snapshots[commit] = _cached_snapshot(repo, commit, catalog_dir, cache_dir) if repo else None
        return snapshots[commit]

    for newer, older in zip(chain, chain[1:] + [None], strict=True):
        entry: dict[str, Any] = {"version": newer.version, "date": newer.date, "since": None, "diff": None,
                                 "note": ""}
        if older is None:
            entry["note"] = "The first release listed."
        else:
            a, b = at(older.commit), at(newer.commit)
            if a is None or b is None:
                entry["note"] = (f"What changed since {older.version} cannot be shown: this copy of the "
                                 f"repository lacks that release's history (a shallow clone, or no git). "
                                 f"Run `git fetch --unshallow` and build again.")
            else:
                entry["since"] = older.version
                entry["diff"] = diff(a, b).to_dict()
        out.append(entry)
    return out


def _cached_snapshot(repo: Path, commit: str, catalog_dir: Path, cache_dir: Path | None) -> dict[str, Entity] | None:
    """A commit's catalog never changes, so its snapshot is kept between builds."""
    cached = cache_dir / f"snapshot-{commit}.json" if cache_dir else None
    if cached and cached.is_file():
        try:
            return {k: Entity(**v) for k, v in json.loads(cached.read_text(encoding="utf-8")).items()}
        except (ValueError, TypeError):
            pass  # unreadable: read the commit again
    if resolve_commit(repo, commit) is None:
        return None
    try:
        rel = catalog_dir.resolve().relative_to(repo.resolve()).as_posix()
        with checkout(commit, repo, rel) as folder:
            snap = snapshot(folder)
    except (DiffError, ValueError):
        return None
    if cached:
        write_atomic(cached, json.dumps({k: asdict(v) for k, v in snap.items()}))
    return snap
