"""Shared by `make relevance`, the calibration script and the relevance tests: the dev sets, split.

The search questions are in questions.yaml here; the planner's profiles are the catalog's deployments
(catalog/deployments/), which the planner also reads. So a profile is always ranked as by a planner
that has never seen its author's deployments (`held_out_index`): no profile is its own deployment, and
no author's way of writing leaks into their own measurement."""

from __future__ import annotations

import dataclasses
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from fieldguide import graph, load, plan, search
from fieldguide.schema import Profile

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent


@cache
def root_catalog() -> tuple[load.Catalog, Any]:
    cat = load.load(ROOT / "catalog")
    return cat, graph.build(cat)


def _read(name: str) -> list[dict[str, Any]]:
    return yaml.load((HERE / name).read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)


def questions(split: str) -> list[dict[str, Any]]:
    return [q for q in _read("questions.yaml") if q["split"] == split]


def all_profiles() -> list[dict[str, Any]]:
    """The catalog's deployments as written (plain data, `author` and `split` included), in the loader's
    order (load.deployment_files)."""
    out: list[dict[str, Any]] = []
    for path, _, _, refused in load.deployment_files(ROOT / "catalog"):
        assert not refused, f"{path}: {refused}"
        out += yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)["deployments"]
    return out


def profiles(split: str) -> list[dict[str, Any]]:
    return [p for p in all_profiles() if p["split"] == split]


def author_of(raw: dict[str, Any]) -> str:
    return raw.get("author", "first")  # no author field: the engine's own team


@cache
def full_index() -> search.Index:
    cat, g = root_catalog()
    return search.index_for(cat, g)


def catalog_without(author: str) -> load.Catalog:
    """The catalog as it would be without this author's deployments."""
    cat, _ = root_catalog()
    return dataclasses.replace(cat, deployments={pid: p for pid, p in cat.deployments.items()
                                                 if (p.author or "first") != author})


@cache
def held_out_index(author: str) -> search.Index:
    """The planner's indexes as they would be without this author's deployments (the search index and the
    contexts' as they are: no profile is in them)."""
    _, g = root_catalog()
    full = full_index()
    data = search.deployments_data(catalog_without(author), g)
    return search.Index(full.data, full.contexts, search.Index(data) if data else None)


def rank_held_out(raw: dict[str, Any], profile: Profile | None = None) -> list[str]:
    """Challenge ids as the planner ranks this profile (or `profile`, a variant of it) without its
    author's deployments."""
    cat, g = root_catalog()
    return [r.id for r in plan.rank(cat, g, profile or profile_of(raw), held_out_index(author_of(raw)))]


def profile_of(raw: dict[str, Any]) -> Profile:
    return Profile(name=raw.get("name"), industry=raw.get("industry"), traits=raw.get("traits") or [],
                   stages=raw.get("stages") or [], description=raw.get("description") or "")
