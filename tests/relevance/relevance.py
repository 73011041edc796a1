"""Shared by `make relevance`, the calibration script and the relevance tests: the dev sets, split.

The search questions are in questions.yaml here; the planner's profiles are the catalog's deployments
(catalog/deployments/), which the planner also reads. So a profile is always ranked as by a planner
that has never seen its author's deployments (`held_out_index`): no profile is its own deployment, and
no author's way of writing leaks into their own measurement."""

from __future__ import annotations

import dataclasses
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

import yaml

from fieldguide import graph, load, plan, search
from fieldguide.schema import Profile

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent


class Author(NamedTuple):
    """An outside author of the relevance data (an entry without an author field is the engine's own team's)."""

    name: str
    number: int  # their rows' suffix in `make relevance` ("holdout/24")
    blind: bool  # may write blind questions
    long: bool  # may write entries of up to 25 words instead of 15
    undrawn: bool  # outside the seeded dev/holdout draw: dev by design, or fresh held-out data written after tuning
    natural: bool  # natural-set deployments (from the news, post-mortems, regulators' reports): plan.TRUST's


# The one table of the outside authors, read by the data tests, the floor tests and `make relevance`; a new
# author is one row here (README.md, "Adding entries"). Rounds of issue 21: third 2; fifth 6; seventh and
# eighth 7; eleventh and twelfth 8; thirteenth to fifteenth 9; sixteenth to twentythird 10; then 11.
AUTHORS: tuple[Author, ...] = (
    Author("second", 2, True, False, False, False),  # the original blind set and profiles
    Author("third", 3, False, True, True, False),  # dev by design
    Author("fifth", 5, True, True, True, False),
    Author("seventh", 7, True, True, True, False),
    Author("eighth", 8, False, False, True, False),  # planner dev profiles
    Author("eleventh", 11, True, True, True, False),
    Author("twelfth", 12, False, True, True, False),
    Author("thirteenth", 13, False, True, True, False),
    Author("fourteenth", 14, False, True, True, False),
    Author("fifteenth", 15, False, True, True, False),  # dev questions by design
    Author("sixteenth", 16, True, True, True, False),
    Author("seventeenth", 17, False, True, True, False),
    Author("eighteenth", 18, False, True, True, False),
    Author("nineteenth", 19, False, True, True, False),
    Author("twentieth", 20, False, True, True, True),
    Author("twentyfirst", 21, False, True, True, False),  # dev questions by design
    Author("twentysecond", 22, False, True, True, True),
    Author("twentythird", 23, False, True, True, True),
    Author("twentyfourth", 24, False, True, True, True),
    Author("twentyfifth", 25, False, True, True, True),
    Author("twentysixth", 26, False, True, True, True),
    Author("twentyseventh", 27, False, True, True, False),  # dev questions by design
    Author("twentyeighth", 28, True, True, True, False),  # a fresh blind set (round 11)
)


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


def accept_all(cat: load.Catalog, index: search.Index, profile: Profile,
               table: dict[str, Any] | None = None) -> Profile:
    """The profile as it would be with every suggestion from its description accepted (`make relevance`'s
    "all suggestions accepted" row, and the floor test that holds it near the profiles as written)."""
    found = plan.suggest(cat, index, profile, table)
    industry = profile.industry or next((x.id for x in found if x.kind == "industry"), None)
    return profile.model_copy(update={"industry": industry,
                                      "traits": [*profile.traits, *(x.id for x in found if x.kind == "trait")]})
