"""Shared by `make relevance`, the calibration script and the relevance tests: the dev sets, split."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

from fieldguide import graph, load
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


def profiles(split: str) -> list[dict[str, Any]]:
    return [p for p in _read("profiles.yaml") if p["split"] == split]


def dev_profiles() -> list[dict[str, Any]]:
    return profiles("dev")


def profile_of(raw: dict[str, Any]) -> Profile:
    return Profile(name=raw.get("name"), industry=raw.get("industry"), traits=raw.get("traits") or [],
                   stages=raw.get("stages") or [], description=raw.get("description") or "")
