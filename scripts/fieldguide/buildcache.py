"""The generated site kept between builds, keyed by everything it is made from, and where every
cache of the build lives.

`render` is a pure function of the catalog, the release list, this package's code and templates, the
site's address, the libraries' versions and the git history the changelog reads. When none of these
changed since the last build, the hook reuses its output and skips loading, checking and rendering
(and even importing pydantic and networkx). Any change, or a missing or unreadable cache file, means
a full build. Deliberately light: it imports nothing but the standard library.

Nothing from the checkout is trusted as build output. The caches (this one, the formatted
citations, old releases' snapshots) live outside the project folder, in
`$XDG_CACHE_HOME/fieldguide/<hash of the project's path>` (`~/.cache/...`), or in
`$FIELDGUIDE_CACHE_DIR` (for CI), never inside the project; and every key and file is bound to a
secret this machine creates on first use (`secret` beside the caches, readable by its owner only).
The key is computable from public inputs plus that secret, so a cache file committed to the
repository, or copied from another machine, never matches. A hit is not trusted either: the hook
checks every page and file it writes, whether rendered now or taken from the cache.
"""

from __future__ import annotations

import hashlib
import hmac
import importlib.metadata
import json
import os
import re
import secrets
import subprocess
from pathlib import Path, PurePosixPath

from .files import Unreadable, read_bytes, write_atomic

FILE = "site-files.json"
ENV = "FIELDGUIDE_CACHE_DIR"
SECRET = "secret"
LIBRARIES = ("pybtex", "pydantic", "markdown", "jinja2", "networkx", "pyyaml", "mkdocs")
PACKAGE = Path(__file__).parent
# What a generated file may be called: a relative path of plain names (no "..", no absolute path).
_PATH = re.compile(r"^[a-z0-9][a-z0-9._-]*(?:/[a-z0-9][a-z0-9._-]*)*\.(?:md|json|bib)$")


def _base() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "fieldguide"


def cache_dir(root: Path) -> Path | None:
    """The caches of the project at `root`, or None when the only place offered is inside the project
    (a checkout is contributed input: a cache there could be planted)."""
    override = os.environ.get(ENV)
    folder = Path(override) if override else _base() / hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:16]
    try:
        folder = folder.resolve()
        if folder == root.resolve() or root.resolve() in folder.parents:
            return None
    except OSError:
        return None
    return folder


def _secret() -> bytes | None:
    """This machine's cache secret: `secret` in `$FIELDGUIDE_CACHE_DIR`, else in the folder holding every
    project's caches; created on first use. None when it can be neither read nor made (no cache then)."""
    path = (Path(os.environ[ENV]) if os.environ.get(ENV) else _base()) / SECRET
    for _ in range(2):
        try:
            raw = read_bytes(path, 256)
            if len(raw) >= 32:
                return raw
        except Unreadable:
            pass
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
        except FileExistsError:
            continue  # made by a build running at the same time, or unreadable: read it again once
        except OSError:
            return None
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_hex(32))
    return None


def tag(folder: Path | None) -> str | None:
    """A label bound to this machine's secret, written into every cache file and checked on reading."""
    if folder is None:
        return None
    key = _secret()
    return hmac.new(key, b"fieldguide cache files", "sha256").hexdigest() if key else None


def _git_state(root: Path) -> str:
    """What the changelog sees of the history: whether this is a git clone, and a shallow one."""
    if not (root / ".git").exists():
        return "no git"
    try:
        proc = subprocess.run(["git", "-C", str(root), "rev-parse", "--is-shallow-repository"],
                              capture_output=True, text=True, check=False, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return "git unavailable"
    return f"shallow={proc.stdout.strip()}:{proc.returncode}"


def inputs(root: Path, site_url: str) -> str:
    """A digest of every input of the generated site (public: anyone can compute it)."""
    digest = hashlib.sha256()

    def add(label: str, data: bytes) -> None:
        digest.update(f"{label}\0{len(data)}\0".encode())
        digest.update(data)

    def content(path: Path, inside: Path) -> bytes:
        # Under the file rules (a link out, a device, a huge file): what `load` will then refuse.
        try:
            return read_bytes(path, 1 << 24, inside)
        except Unreadable as exc:
            return f"unreadable: {exc}".encode()

    catalog = root / "catalog"
    for base, folder in ((catalog, "catalog"), (PACKAGE, "package")):
        found = (p for p in base.rglob("*") if (p.is_file() or p.is_symlink()) and "__pycache__" not in p.parts)
        for path in sorted(found):
            add(f"{folder}/{path.relative_to(base).as_posix()}", content(path, base))
    releases = root / "releases.yaml"
    add("releases.yaml", content(releases, root) if os.path.lexists(releases) else b"")
    add("site_url", site_url.encode())
    for name in LIBRARIES:
        try:
            add(name, importlib.metadata.version(name).encode())
        except importlib.metadata.PackageNotFoundError:
            add(name, b"")
    add("git", _git_state(root).encode())
    return digest.hexdigest()


def key(root: Path, site_url: str, folder: Path | None = None) -> str | None:
    """The build's cache key: the inputs' digest signed with this machine's secret (None: no cache)."""
    folder = folder if folder is not None else cache_dir(root)
    secret = _secret() if folder is not None else None
    if secret is None:
        return None
    return hmac.new(secret, inputs(root, site_url).encode(), "sha256").hexdigest()


def safe_path(path: object) -> bool:
    """A generated file's path as `render` writes them: relative, plain names, a known suffix."""
    return isinstance(path, str) and bool(_PATH.match(path)) and ".." not in PurePosixPath(path).parts


def load(folder: Path | None, build_key: str | None) -> dict[str, str] | None:
    if folder is None or build_key is None:
        return None
    try:
        raw = read_bytes(folder / FILE, 1 << 30)
        # `save` writes the key first: a file for other inputs (every build after an edit) is not
        # parsed at all (at 30× the catalog it is over 100 MB). The key is compared again below.
        if not raw.startswith(b'{"key": ' + json.dumps(build_key).encode() + b", "):
            return None
        data = json.loads(raw.decode("utf-8"))
    except (Unreadable, ValueError):
        return None
    if (not isinstance(data, dict) or not isinstance(data.get("key"), str)
            or not hmac.compare_digest(data["key"], build_key) or not isinstance(data.get("files"), dict)):
        return None
    files = data["files"]
    return files if all(safe_path(k) and isinstance(v, str) for k, v in files.items()) else None


def save(folder: Path | None, build_key: str | None, files: dict[str, str]) -> None:
    if folder is not None and build_key is not None:
        write_atomic(folder / FILE, json.dumps({"key": build_key, "files": files}, ensure_ascii=False))


class Entries:
    """A cache of many small entries, one file each in `folder/name/`, for output that is a pure
    function of its inputs (a page's Markdown converted to HTML). An entry's file name is the HMAC of
    its inputs under this machine's secret, so no entry can be planted or predicted without the
    secret; its file repeats the machine's tag and is read under the file rules (a regular file, a
    size cap). A missing, torn, foreign or malformed entry is a miss, never an error. `prune` keeps
    only the entries this build used or wrote, so the folder never grows with old pages."""

    CAP = 1 << 26  # one page's entry: the 30× all-stages checklist page's content is about 6 MB

    def __init__(self, folder: Path | None, name: str):
        self.tag = tag(folder)
        self.secret = _secret() if self.tag else None
        self.path = folder / name if folder is not None and self.tag else None
        self.kept: set[str] = set()

    def name(self, material: bytes) -> str | None:
        if self.secret is None:
            return None
        return hmac.new(self.secret, material, "sha256").hexdigest()

    def get(self, name: str | None) -> object:
        """The value stored under `name` (from `self.name`), or None."""
        if self.path is None or name is None:
            return None
        try:
            data = json.loads(read_bytes(self.path / f"{name}.json", self.CAP).decode("utf-8"))
        except (Unreadable, ValueError):
            return None
        if not isinstance(data, dict) or data.get("tag") != self.tag or data.get("name") != name:
            return None
        self.kept.add(name)
        return data.get("value")

    def put(self, name: str | None, value: object) -> None:
        if self.path is not None and name is not None:
            self.kept.add(name)
            write_atomic(self.path / f"{name}.json",
                         json.dumps({"tag": self.tag, "name": name, "value": value}, ensure_ascii=False))

    def prune(self) -> None:
        """Remove the entries this build neither used nor wrote (a page edited or gone)."""
        if self.path is None or not self.path.is_dir():
            return
        for entry in self.path.iterdir():
            if entry.name.endswith(".json") and entry.name[:-5] not in self.kept:
                entry.unlink(missing_ok=True)
