"""The generated site kept between builds, keyed by everything it is made from.

`render` is a pure function of the catalog, the release list, this package's code and templates, the
site's address, the libraries' versions and the git history the changelog reads. When none of these
changed since the last build, the hook reuses its output and skips loading, checking and rendering
(and even importing pydantic and networkx). Any change, or a missing or unreadable cache file, means
a full build. Deliberately light: it imports nothing but the standard library.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import subprocess
from pathlib import Path

from .files import write_atomic

FILE = "site-files.json"
LIBRARIES = ("pybtex", "pydantic", "markdown", "jinja2", "networkx", "pyyaml", "mkdocs")
PACKAGE = Path(__file__).parent


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


def key(root: Path, site_url: str) -> str:
    digest = hashlib.sha256()

    def add(label: str, data: bytes) -> None:
        digest.update(f"{label}\0{len(data)}\0".encode())
        digest.update(data)

    catalog = root / "catalog"
    for base, folder in ((catalog, "catalog"), (PACKAGE, "package")):
        for path in sorted(p for p in base.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            add(f"{folder}/{path.relative_to(base).as_posix()}", path.read_bytes())
    releases = root / "releases.yaml"
    add("releases.yaml", releases.read_bytes() if releases.is_file() else b"")
    add("site_url", site_url.encode())
    for name in LIBRARIES:
        try:
            add(name, importlib.metadata.version(name).encode())
        except importlib.metadata.PackageNotFoundError:
            add(name, b"")
    add("git", _git_state(root).encode())
    return digest.hexdigest()


def load(cache_dir: Path, build_key: str) -> dict[str, str] | None:
    try:
        data = json.loads((cache_dir / FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("key") != build_key or not isinstance(data.get("files"), dict):
        return None
    files = data["files"]
    return files if all(isinstance(k, str) and isinstance(v, str) for k, v in files.items()) else None


def save(cache_dir: Path, build_key: str, files: dict[str, str]) -> None:
    write_atomic(cache_dir / FILE, json.dumps({"key": build_key, "files": files}, ensure_ascii=False))
