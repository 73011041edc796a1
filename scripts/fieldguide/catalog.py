"""The catalog in memory: every entity by kind, where each came from, and the workflow order.

`load` fills it from the catalog folder (and refuses one that breaks a rule); everything after that
reads it. The pools follow the table of kinds (`kinds.KINDS`): `catalog.pool(kind)` reaches any of
them by its kind id.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from .kinds import KIND
from .problems import Loc, Source
from .schema import (
    CaseStudy,
    Challenge,
    Deployment,
    Facets,
    Finding,
    Framework,
    FrameworkItem,
    FrameworkSection,
    Mitigation,
    Reference,
    Retired,
    Stage,
    Step,
    Vocabulary,
)

# Where a challenge stands in the workflow: stage, step, position within the step (survey Table 1), id.
OrderKey = tuple[int, int, int, str]


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
    # Real deployments the planner reads a description against (catalog/deployments/*.yaml and
    # catalog/deployments.yaml, all optional), by id.
    deployments: dict[str, Deployment] = field(default_factory=dict)
    # id -> the file it is in and its position in that file's list (for lines)
    deployments_at: dict[str, tuple[Source, int]] = field(default_factory=dict)
    # Removed or merged entities (catalog/retired.yaml): their ids stay taken; none is in the pools above.
    retired: dict[str, Retired] = field(default_factory=dict)
    sources: dict[str, tuple[Source, Loc]] = field(default_factory=dict)
    # The data of every file read, by its path under the catalog folder (`stages.yaml`,
    # `challenges/x.yaml`), as YAML gave it: what the changelog compares. Kept only when the
    # loader is asked to (`load(..., keep_files=True)`, a site build); empty otherwise.
    files: dict[str, Any] = field(default_factory=dict, repr=False)

    def pool(self, kind: str) -> dict[str, Any]:
        """The entities of one kind (`kinds.KINDS`) by id."""
        if kind == "stage":
            return {s.id: s for s in self.stages}
        return getattr(self, KIND[kind].attribute)

    @property
    def steps(self) -> dict[str, Step]:
        return {step.id: step for stage in self.stages for step in stage.steps}

    def challenges_in(self, step_id: str) -> list[Challenge]:
        """The challenges of a step in their order (survey Table 1 order), id as the tie-break."""
        return sorted((c for c in self.challenges.values() if c.step == step_id), key=lambda c: (c.order, c.id))

    def stage_of(self, step_id: str) -> Stage:
        return next(stage for stage in self.stages if any(s.id == step_id for s in stage.steps))

    @cached_property
    def framework_items(self) -> dict[str, tuple[Framework, FrameworkSection, FrameworkItem]]:
        """Every framework item by its qualified id (`ml-test-score:monitor-3`), in framework order.
        Computed once: a catalog's frameworks do not change after loading."""
        return {fw.qualified(item): (fw, section, item)
                for fw in self.frameworks.values() for section, item in fw.items()}

    @property
    def industries(self) -> dict[str, Any]:
        return {f.id: f for f in self.facets.industries} if self.facets else {}

    @property
    def traits(self) -> dict[str, Any]:
        return {f.id: f for f in self.facets.traits} if self.facets else {}

    def deployment_line(self, deployment_id: str, loc: Loc = ()) -> tuple[Source, Loc]:
        """The file a deployment is in, and where in that file a field of it is."""
        source, i = self.deployments_at[deployment_id]
        return source, ("deployments", i, *loc)

    def where(self, entity_id: str, loc: Loc = ()) -> tuple[str, int]:
        """File and line of an entity (or of a field inside it)."""
        source, base = self.sources[entity_id]
        return source.path, source.line(base + loc)


def order_key(cat: Catalog) -> dict[str, OrderKey]:
    """Workflow order of challenges: stage, step, position within the step (survey Table 1), id.
    Every list of challenges (pages, checklists, search, ties in the planner) sorts by it."""
    position = {}
    for si, stage in enumerate(cat.stages):
        for ti, step in enumerate(stage.steps):
            position[step.id] = (si, ti)
    return {c.id: (*position[c.step], c.order, c.id) for c in cat.challenges.values()}


def check_order(cat: Catalog) -> dict[str, tuple[int, int, int, str, int]]:
    """Workflow order of checklist items: their challenge's order, then their place in its list."""
    order = order_key(cat)
    return {item.id: (*order[c.id], i) for c in cat.challenges.values() for i, item in enumerate(c.checklist)}
