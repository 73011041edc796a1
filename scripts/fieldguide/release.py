"""Releases of the catalog: what changed between two versions (`fieldguide diff`) and the changelog.

A version is a catalog folder or a git ref (`HEAD~3`, a tag, a commit). Versions are compared as
raw YAML, not through the current schema, so an old catalog written for an older schema still
compares. An entity is keyed by its id; "changed" lists the top-level fields whose value differs.

Both kinds of version are read under `check`'s file rules: regular files only, no link out of the
catalog folder, the size cap known before a byte is read (for a git ref, from the object's size in
the tree: a 2 GB blob is never fetched), the safe YAML loader, every problem at `path:line`.

Releases: the current one is `fieldguide.__version__` / `RELEASED`; earlier ones are listed, newest
first, in `releases.yaml` at the repository root, each with the commit it was cut from (validated by
`schema.ReleaseList`: a full 40-character commit id, so it can name nothing else).
"""

from __future__ import annotations

import json
import os
import posixpath
import re
import subprocess
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from . import RELEASED, __version__, buildcache
from .catalog import Catalog
from .escape import markdown_text
from .files import write_atomic
from .kinds import FILED
from .load import MAX_FILE_BYTES, iter_entity_files, parse_bytes, parse_file, validate
from .problems import Problem

FOLDERS = {k.folder: k.id for k in FILED if k.folder}  # every entity folder: a change in any kind is shown
RELEASES_FILE = "releases.yaml"
MAX_FILES = 100_000  # entries of one catalog tree in a git ref; the real catalog has about 300
# A catalog folder inside the repository, as `--catalog-path` names it: plain names separated by
# slashes. No "." or "..", no absolute path, no git pathspec magic (":(glob)", ":!x").
_CATALOG_PATH = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._-]*(?:/[A-Za-z0-9_][A-Za-z0-9._-]*)*$")


class DiffError(Exception):
    """A version that cannot be read: not a folder, not a git ref, or files that break the rules."""


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


# ---------------------------------------------------------------- versions: folders and git refs


class Version:
    """A catalog to compare: its files listed and read under the file rules."""

    def read(self, rel: str) -> tuple[Any, list[Problem]]:
        """The parsed YAML of the file at `rel` (relative to the catalog folder), or None."""
        raise NotImplementedError

    def exists(self, rel: str) -> bool:
        raise NotImplementedError

    def entries(self, folder: str) -> list[tuple[str, bool]]:
        """(name, is a folder) for every entry of a folder of the catalog, by name."""
        raise NotImplementedError


class FolderVersion(Version):
    def __init__(self, folder: Path):
        self.folder = folder

    def read(self, rel: str) -> tuple[Any, list[Problem]]:
        data, _, problems = parse_file(self.folder / rel, inside=self.folder)
        return data, problems

    def exists(self, rel: str) -> bool:
        return os.path.lexists(self.folder / rel)

    def entries(self, folder: str) -> list[tuple[str, bool]]:
        return [(path.name, is_dir) for path, _, is_dir in iter_entity_files(self.folder, folder)]


class CatalogVersion(Version):
    """A catalog `load` has read already: its files' data as they were parsed, nothing read again."""

    def __init__(self, cat: Catalog):
        self.folder = cat.root
        self.files = cat.files

    def read(self, rel: str) -> tuple[Any, list[Problem]]:
        return self.files.get(rel), []

    def exists(self, rel: str) -> bool:
        return rel in self.files

    def entries(self, folder: str) -> list[tuple[str, bool]]:
        prefix = folder + "/"
        return sorted((rel[len(prefix):], False) for rel in self.files if rel.startswith(prefix))


@dataclass(frozen=True)
class _Blob:
    mode: str
    kind: str  # blob, tree or commit (a submodule)
    oid: str
    size: int


class GitVersion(Version):
    """The catalog folder of a commit, read object by object: sizes come from the tree listing, so a
    file over the cap is refused without reading it, and a symbolic link is followed only while it
    stays inside the catalog folder."""

    def __init__(self, repo: Path, commit: str, spec: str, catalog_path: str):
        self.repo, self.commit, self.spec, self.root = repo, commit, spec, catalog_path
        self._blobs: dict[str, bytes] | None = None
        proc = _git(repo, "ls-tree", "-r", "-t", "-l", "-z", "--full-tree", commit, "--", catalog_path)
        if proc.returncode != 0:
            raise DiffError(f"'{spec}': cannot list {catalog_path}/: {_stderr(proc)}")
        self.tree: dict[str, _Blob] = {}
        for count, record in enumerate(proc.stdout.split(b"\0")):
            if not record:
                continue
            if count > MAX_FILES:
                raise DiffError(f"'{spec}': {catalog_path}/ holds more than {MAX_FILES} files")
            meta, _, path = record.partition(b"\t")
            mode, kind, oid, size = meta.decode().split()
            rel = path.decode("utf-8", "replace")
            if rel == catalog_path or not rel.startswith(catalog_path + "/"):
                continue
            self.tree[rel[len(catalog_path) + 1:]] = _Blob(mode, kind, oid, int(size) if size.isdigit() else 0)

    def shown(self, rel: str) -> str:
        return f"{self.spec}:{self.root}/{rel}"

    def exists(self, rel: str) -> bool:
        return rel in self.tree

    def entries(self, folder: str) -> list[tuple[str, bool]]:
        prefix = folder + "/"
        return sorted((rel[len(prefix):], blob.kind == "tree") for rel, blob in self.tree.items()
                      if rel.startswith(prefix) and "/" not in rel[len(prefix):]
                      and not rel[len(prefix):].startswith("."))

    def read(self, rel: str) -> tuple[Any, list[Problem]]:
        shown = self.shown(rel)
        entity = posixpath.splitext(posixpath.basename(rel))[0]

        def fail(message: str) -> tuple[None, list[Problem]]:
            return None, [Problem(shown, 1, entity, "-", message)]

        target, seen = rel, set()
        while True:
            blob = self.tree.get(target)
            if blob is None:
                return fail("symbolic link to a file that does not exist" if seen else "file is missing")
            if blob.mode != "120000":
                break
            if target in seen or len(seen) > 8:
                return fail("symbolic link loop")
            seen.add(target)
            if blob.size > 4096:
                return fail("symbolic link target is too long")
            link = self._blob(blob.oid).decode("utf-8", "replace")
            resolved = posixpath.normpath(posixpath.join(posixpath.dirname(target), link))
            if link.startswith("/") or resolved == ".." or resolved.startswith("../"):
                return fail("symbolic link leads outside the catalog folder")
            target = resolved
        if blob.kind == "tree":
            return fail("not a regular file: it is a folder")
        if blob.kind != "blob":
            return fail(f"not a regular file: it is a {'submodule' if blob.kind == 'commit' else blob.kind}")
        if blob.size > MAX_FILE_BYTES:
            return fail(f"file is {blob.size} bytes; the limit is {MAX_FILE_BYTES} bytes")
        data, _, problems = parse_bytes(self._blob(blob.oid), shown, entity)
        return data, problems

    def _blob(self, oid: str) -> bytes:
        if self._blobs is None:
            # Every YAML file under the cap, fetched by one `git cat-file --batch` (a process per
            # file made the changelog take seconds); each size is known from the listing already.
            wanted = sorted({b.oid for rel, b in self.tree.items() if b.kind == "blob" and b.mode != "120000"
                             and rel.endswith(".yaml") and b.size <= MAX_FILE_BYTES})
            self._blobs = _cat_file(self.repo, wanted)
        if oid not in self._blobs:
            self._blobs.update(_cat_file(self.repo, [oid]))
        return self._blobs[oid]


def snapshot(version: Version | Path | Catalog) -> dict[str, Entity]:
    """Every entity of a catalog (stages, steps, facets and the entity files), by id."""
    if isinstance(version, Path):
        version = FolderVersion(version)
    elif isinstance(version, Catalog):  # its files as load read them, or read again when it kept none
        version = CatalogVersion(version) if version.files else FolderVersion(version.root)
    if not version.exists("stages.yaml"):
        if isinstance(version, GitVersion):
            raise DiffError(f"'{version.spec}' has no catalog in {version.root}/ (no stages.yaml there)")
        raise DiffError(f"'{version.folder}' is not a catalog folder (it has no stages.yaml)")
    out: dict[str, Entity] = {}
    problems: list[str] = []

    def read(rel: str) -> Any:
        data, found = version.read(rel)
        problems.extend(str(p) for p in found)
        return data

    stages = read("stages.yaml")
    for stage in _items(stages, "stages"):
        if "id" in stage:
            out[str(stage["id"])] = _entity("stage", stage, skip=("steps",))
            for step in _items(stage, "steps"):
                if "id" in step:
                    out[str(step["id"])] = _entity("step", {**step, "stage": stage["id"]})
    facets = read("facets.yaml") if version.exists("facets.yaml") else None
    for group, kind in (("industries", "industry"), ("traits", "trait")):
        for facet in _items(facets, group):
            if "id" in facet:
                out[str(facet["id"])] = _entity(kind, facet)
    for name, kind in FOLDERS.items():
        for entry, is_dir in version.entries(name):
            if is_dir or not entry.endswith(".yaml"):
                continue
            data = read(f"{name}/{entry}")
            if isinstance(data, dict) and "id" in data:
                out[str(data["id"])] = _entity(kind, data)
    if problems:
        raise DiffError("\n".join(problems))
    return out


def _items(data: Any, key: str) -> list[dict[str, Any]]:
    found = data.get(key) if isinstance(data, dict) else None
    return [item for item in found if isinstance(item, dict)] if isinstance(found, list) else []


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


def _git(repo: Path, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    # Paths given to git are literal (no pathspec magic), and git's own options cannot be smuggled in.
    env = {**os.environ, "GIT_LITERAL_PATHSPECS": "1"}
    try:
        return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, check=False, timeout=60,
                              env=env, input=stdin)
    except FileNotFoundError:
        raise DiffError("git is not installed, so git refs cannot be read") from None
    except subprocess.TimeoutExpired:
        raise DiffError(f"git {args[0]} took more than a minute") from None


def _cat_file(repo: Path, oids: list[str]) -> dict[str, bytes]:
    """The contents of blobs (whose sizes the caller has checked), by object id."""
    if not oids:
        return {}
    proc = _git(repo, "cat-file", "--batch", stdin=("\n".join(oids) + "\n").encode())
    out, data, at = {}, proc.stdout, 0
    for oid in oids:
        end = data.index(b"\n", at)
        header = data[at:end].decode().split()
        if len(header) != 3 or header[1] != "blob":
            raise DiffError(f"cannot read object {oid}: {' '.join(header)}")
        size = int(header[2])
        out[oid] = data[end + 1:end + 1 + size]
        at = end + 1 + size + 1
    return out


def _stderr(proc: subprocess.CompletedProcess[bytes]) -> str:
    return " ".join(proc.stderr.decode("utf-8", "replace").split())[:200]


def git_root(start: Path) -> Path | None:
    proc = _git(start, "rev-parse", "--show-toplevel")
    return Path(proc.stdout.decode().strip()) if proc.returncode == 0 else None


def resolve_commit(repo: Path, ref: str) -> str | None:
    if not ref or ref.startswith("-") or any(ord(c) < 32 or ord(c) == 127 for c in ref):
        return None
    proc = _git(repo, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}")
    out = proc.stdout.decode().strip()
    return out if proc.returncode == 0 and re.fullmatch(r"[0-9a-f]{40}(?:[0-9a-f]{24})?", out) else None


def check_catalog_path(catalog_path: str) -> str:
    """`--catalog-path` as given, if it names a folder inside the repository; DiffError otherwise."""
    if not _CATALOG_PATH.match(catalog_path) or ".." in catalog_path.split("/"):
        raise DiffError(f"--catalog-path '{catalog_path}' must be a folder inside the repository such as "
                        "'catalog' (no '.', '..', absolute path or git pathspec magic): with '.' or an absolute "
                        "path both versions would be read from the same place")
    return catalog_path


def open_version(spec: str, repo: Path, catalog_path: str = "catalog") -> Version:
    """A catalog folder for `spec`: the folder itself, or the catalog folder of a git ref."""
    if Path(spec).is_dir():
        return FolderVersion(Path(spec))
    check_catalog_path(catalog_path)
    commit = resolve_commit(repo, spec)
    if commit is None:
        raise DiffError(f"'{spec}' is neither a catalog folder nor a git ref of {repo}")
    return GitVersion(repo, commit, spec, catalog_path)


def compare(old: str, new: str, repo: Path, catalog_path: str = "catalog") -> Diff:
    check_catalog_path(catalog_path)
    return diff(snapshot(open_version(old, repo, catalog_path)), snapshot(open_version(new, repo, catalog_path)))


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


class ReleaseError(Exception):
    """releases.yaml breaks the file rules or its schema; `problems` says where."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


def read_releases(root: Path) -> tuple[list[Release], list[Problem]]:
    """The releases listed in releases.yaml (none when there is no such file), read like a catalog
    file (regular file in `root`, size cap, safe loader) and validated by `schema.ReleaseList`."""
    from .schema import ReleaseList

    path = root / RELEASES_FILE
    if not os.path.lexists(path):
        return [], []
    data, source, problems = parse_file(path, inside=root)
    if data is None:
        return [], problems
    model, problems = validate(data, ReleaseList, source, "releases")
    if model is None:
        return [], problems
    return [Release(r.version, r.date, r.commit) for r in model.releases], []


def text_fields(root: Path) -> list[tuple[str, str]]:
    """(`path:line: releases: field`, text) for every string in releases.yaml, valid or not."""
    path = root / RELEASES_FILE
    if not os.path.lexists(path):
        return []
    data, source, _ = parse_file(path, inside=root)
    out = []
    for i, item in enumerate(data.get("releases") or [] if isinstance(data, dict) else []):
        for key, value in item.items() if isinstance(item, dict) else []:
            if isinstance(value, str):
                out.append((f"{source.path}:{source.line(('releases', i, key))}: releases: releases[{i}].{key}", value))
    return out


def releases(root: Path) -> list[Release]:
    """The current release, then those in releases.yaml, newest first; ReleaseError if it is bad."""
    listed, problems = read_releases(root)
    if problems:
        raise ReleaseError(problems)
    return [Release(__version__, RELEASED, None)] + [r for r in listed if r.version != __version__]


_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def _shown(change: Change) -> dict[str, Any]:
    """A change as the changelog page shows it. Old releases' catalogs never passed today's `check`,
    so their text is held to today's rules: a title that fails them is not shown at all, and the
    template escapes what it shows (title, an id that is no id, field names) as plain text."""
    from . import prose

    title: str | None = change.title
    try:
        if "\n" in title or len(title) > 400:
            raise ValueError("not one line")
        prose.check(title)
    except ValueError:
        title = None
    return {"id": change.id, "kind": change.kind, "title": title, "fields": list(change.fields),
            "slug": bool(_SLUG.match(change.id))}


def changelog(root: Path, catalog: Path | Catalog, cache_dir: Path | None = None) -> list[dict[str, Any]]:
    """Each release with its changes since the one before. Builds never fail on history: without git
    or in a shallow clone, a release whose commit is missing gets a note instead of a list (and so
    does one whose catalog breaks the file rules). releases.yaml itself must be valid (ReleaseError).

    `catalog` is the working catalog: its folder, or the catalog `load` has read from it (whose
    files are then compared as they were read, not read again)."""
    out: list[dict[str, Any]] = []
    chain = releases(root)
    repo = git_root(root) if any(r.commit for r in chain) else None
    current = snapshot(catalog)
    catalog_dir = catalog.root if isinstance(catalog, Catalog) else catalog
    snapshots: dict[str | None, tuple[dict[str, Entity] | None, str]] = {None: (current, "")}

    def at(commit: str | None) -> tuple[dict[str, Entity] | None, str]:
        if commit not in snapshots:
            snapshots[commit] = _cached_snapshot(repo, commit, catalog_dir, cache_dir) if repo else (None, "")
        return snapshots[commit]

    for newer, older in zip(chain, chain[1:] + [None], strict=True):
        entry: dict[str, Any] = {"version": newer.version, "date": newer.date, "since": None, "diff": None,
                                 "note": ""}
        if older is None:
            entry["note"] = "The first release listed."
        else:
            (a, why_a), (b, why_b) = at(older.commit), at(newer.commit)
            if a is None or b is None:
                why = why_a or why_b
                entry["note"] = (f"What changed since {older.version} cannot be shown: " + (
                    why or "this copy of the repository lacks that release's history (a shallow clone, or no "
                           "git). Run `git fetch --unshallow` and build again."))
            else:
                entry["since"] = older.version
                entry["diff"] = {group: [_shown(c) for c in getattr(diff(a, b), group)]
                                 for group in ("added", "changed", "removed")}
        out.append(entry)
    return out


def _cached_snapshot(repo: Path, commit: str, catalog_dir: Path,
                     cache_dir: Path | None) -> tuple[dict[str, Entity] | None, str]:
    """A commit's catalog never changes, so its snapshot is kept between builds, in the build cache
    (outside the checkout) and signed with this machine's cache secret: a snapshot file from
    anywhere else is never read. Returns (snapshot or None, why it is missing when that is known)."""
    cached = cache_dir / f"snapshot-{commit}.json" if cache_dir and re.fullmatch(r"[0-9a-f]{40}", commit) else None
    if cached:
        hit = _read_snapshot(cached, cache_dir)
        if hit is not None:
            return hit, ""
    if resolve_commit(repo, commit) is None:
        return None, ""
    try:
        rel = catalog_dir.resolve().relative_to(repo.resolve()).as_posix()
        snap = snapshot(GitVersion(repo, commit, commit[:12], rel))
    except ValueError:
        return None, ""
    except DiffError as exc:
        first = markdown_text(str(exc).splitlines()[0][:200])  # quotes the old file: shown as plain text
        return None, f"its catalog at commit {commit[:12]} breaks the file rules ({first})."
    if cached:
        body = {k: asdict(v) for k, v in snap.items()}
        write_atomic(cached, json.dumps({"tag": buildcache.tag(cache_dir), "entities": body}))
    return snap, ""


def _read_snapshot(path: Path, cache_dir: Path) -> dict[str, Entity] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None  # missing or unreadable: read the commit again
    if not isinstance(data, dict) or data.get("tag") != buildcache.tag(cache_dir):
        return None
    entities = data.get("entities")
    if not isinstance(entities, dict):
        return None
    out = {}
    for key, value in entities.items():
        if not (isinstance(value, dict) and set(value) == {"id", "kind", "title", "fields"}
                and all(isinstance(value[k], str) for k in ("id", "kind", "title"))
                and isinstance(value["fields"], dict)
                and all(isinstance(k, str) and isinstance(v, str) for k, v in value["fields"].items())):
            return None
        out[key] = Entity(**value)
    return out
