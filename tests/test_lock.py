"""requirements.lock is in step with pyproject.toml and with what the Makefile installed.

What a user would notice when it is not: a fresh clone that installs other versions than the ones
tested (a dependency added to pyproject.toml but not locked is installed at whatever version is
newest that day), or a lock that pins a version pyproject.toml refuses. `make lock` rewrites it."""

from __future__ import annotations

import importlib.metadata
import re
import tomllib
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements.lock"
EXTRAS = ("test", "zensical")  # what `make test` installs: the whole lock


def locked() -> dict[str, str]:
    pins = {}
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            match = re.fullmatch(r"([A-Za-z0-9._-]+)==([^\s;]+)", line)
            assert match, f"requirements.lock: {line!r} is not an exact pin"
            pins[canonicalize_name(match.group(1))] = match.group(2)
    return pins


def project_requirements() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    listed = list(project["dependencies"])
    for extra in EXTRAS:
        listed += project["optional-dependencies"][extra]
    return [Requirement(r) for r in listed]


def applies(req: Requirement, extras: set[str]) -> bool:
    if req.marker is None:
        return True
    return any(req.marker.evaluate({**default_environment(), "extra": e}) for e in (extras or {""}))


def installed_closure() -> dict[str, str]:
    """Every installed distribution the project's requirements pull in, with its version."""
    found: dict[str, str] = {}
    todo = [(r, set(r.extras)) for r in project_requirements()]
    while todo:
        req, extras = todo.pop()
        name = canonicalize_name(req.name)
        dist = importlib.metadata.distribution(name)
        key = f"{name}[{','.join(sorted(extras))}]"
        if key in found:
            continue
        found[key] = dist.version
        for child in (Requirement(r) for r in dist.requires or []):
            if applies(child, extras):
                todo.append((child, set(child.extras)))
    return {k.split("[")[0]: v for k, v in found.items()}


def test_every_requirement_of_pyproject_is_locked_at_a_version_it_allows() -> None:
    pins = locked()
    for req in project_requirements():
        name = canonicalize_name(req.name)
        assert name in pins, f"{req.name} is in pyproject.toml but not in requirements.lock: run `make lock`"
        assert req.specifier.contains(pins[name], prereleases=True), \
            f"requirements.lock pins {req.name}=={pins[name]}, which pyproject.toml's {req} refuses: run `make lock`"


def test_the_lock_holds_exactly_what_the_project_installs_at_the_versions_installed() -> None:
    """The installed packages the project needs (transitively) are the lock's, version for version: a
    dependency added without `make lock`, or a pin left for a package no longer needed, fails here."""
    pins, installed = locked(), installed_closure()
    assert sorted(set(installed) - set(pins)) == [], "installed but not locked: run `make lock`"
    assert sorted(set(pins) - set(installed)) == [], "locked but needed by nothing: run `make lock`"
    assert {n: v for n, v in installed.items() if pins[n] != v} == {}, "installed at other versions than locked"


def test_the_builders_are_pinned_where_the_readme_says() -> None:
    pins = locked()
    assert pins["mkdocs"] == "1.6.1"
    assert pins["mkdocs-material"].startswith("9.8.")
    assert pins["zensical"] == "0.0.73"
