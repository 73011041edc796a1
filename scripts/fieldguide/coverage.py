"""How far the guide's checklist covers an external framework (ML Test Score, deon, ...).

One computation, used by the framework pages, the "also covers" notes, the checklist filter's data,
the exports and `fieldguide coverage`, so they cannot disagree. Mappings are written once, on the
checklist items (`covers`); the graph holds them as `check -covers-> framework item` edges and this
module reads them backwards: for each framework item, the checks that cover it.

A framework item is covered *fully* when at least one check covers it without a `partial` note (a
reviewer verifying that check has verified what the item asks), *partly* when only partial
mappings reach it, and not at all otherwise. With a team's checklist state, an item is *done* when
a check that covers it fully is done.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx

from .load import Catalog
from .plan import order_key
from .schema import ChecklistItem

LEVEL_TEXT = {"full": "covered fully", "partial": "covered partly", "none": "not covered"}
PROGRESS = ("done", "partly done", "not applicable", "open")
PROGRESS_MARK = {"done": "[x]", "partly done": "[~]", "not applicable": "[-]", "open": "[ ]"}


@dataclass(frozen=True)
class Cover:
    """One of our checks covering a framework item."""

    check: str
    challenge: str
    text: str
    partial: str | None  # what the check leaves out; None when it covers the item fully

    @property
    def full(self) -> bool:
        return self.partial is None


@dataclass(frozen=True)
class ItemCoverage:
    """A framework item with the checks that cover it, fully covering checks first."""

    id: str  # qualified: `ml-test-score:monitor-3`
    label: str  # the framework's own number: "Monitor 3"
    title: str  # the framework's own short name
    section_id: str
    section: str
    covered_by: tuple[Cover, ...]

    @property
    def anchor(self) -> str:
        """The item's anchor on its framework page (its id within the framework)."""
        return self.id.split(":", 1)[1]

    @property
    def level(self) -> str:
        if any(c.full for c in self.covered_by):
            return "full"
        return "partial" if self.covered_by else "none"

    def progress(self, statuses: dict[str, str]) -> str:
        """done / partly done / not applicable / open, from a team's checklist statuses."""
        full = [statuses.get(c.check, "open") for c in self.covered_by if c.full]
        if "done" in full:
            return "done"
        if any(statuses.get(c.check) == "done" for c in self.covered_by):
            return "partly done"
        if full and all(s == "na" for s in full):
            return "not applicable"
        return "open"


@dataclass(frozen=True)
class Summary:
    total: int
    full: int
    partial: int
    none: int
    progress: dict[str, int] | None = None  # counts per PROGRESS value, with a state

    @property
    def done(self) -> int | None:
        return None if self.progress is None else self.progress["done"]


def check_order(cat: Catalog) -> dict[str, tuple]:
    """Workflow order of checklist items: their challenge's order, then their place in its list."""
    order = order_key(cat)
    return {item.id: (*order[c.id], i) for c in cat.challenges.values() for i, item in enumerate(c.checklist)}


def framework_coverage(cat: Catalog, g: nx.MultiDiGraph, framework_id: str) -> list[ItemCoverage]:
    """Every item of a framework, in the framework's order, with the checks that cover it."""
    fw = cat.frameworks[framework_id]
    order = check_order(cat)
    out = []
    for section, item in fw.items():
        qualified = fw.qualified(item)
        covers = [Cover(check, g.nodes[check]["challenge"], g.nodes[check]["title"], data.get("partial"))
                  for check, _, key, data in g.in_edges(qualified, keys=True, data=True) if key == "covers"]
        covers.sort(key=lambda c: (not c.full, order[c.check]))
        out.append(ItemCoverage(qualified, item.label, item.title, section.id, section.title, tuple(covers)))
    return out


def summarize(items: list[ItemCoverage], statuses: dict[str, str] | None = None) -> Summary:
    levels = [i.level for i in items]
    progress = None
    if statuses is not None:
        states = [i.progress(statuses) for i in items]
        progress = {p: states.count(p) for p in PROGRESS}
    return Summary(len(items), levels.count("full"), levels.count("partial"), levels.count("none"), progress)


def display_name(cat: Catalog, qualified: str) -> str:
    """How a framework item is named in notes: "ML Test Score Monitor 3", "deon B.1"."""
    fw, _, item = cat.framework_items[qualified]
    return f"{fw.short_title} {item.label}"


def notes(cat: Catalog, check: ChecklistItem) -> list[tuple[str, str, str | None]]:
    """(qualified id, display name, partial note) for each framework item a check covers."""
    return [(c.item, display_name(cat, c.item), c.partial) for c in check.covers if c.item in cat.framework_items]


def covers_text(cat: Catalog, check: ChecklistItem) -> str:
    """One line for exports: "ML Test Score Data 1, deon A.3 (partly)"."""
    return ", ".join(name + (" (partly)" if partial else "") for _, name, partial in notes(cat, check))


def summary_line(cat: Catalog, framework_id: str, summary: Summary) -> str:
    """"ML Test Score: 27 of 28 items covered fully, 1 partly, 0 not covered" (+ done with a state)."""
    name = cat.frameworks[framework_id].short_title
    if summary.progress is not None:
        extra = [f"{summary.progress[p]} {p}" for p in PROGRESS[1:3] if summary.progress[p]]
        return f"{name}: {summary.done}/{summary.total} done" + (f" ({', '.join(extra)})" if extra else "")
    return (f"{name}: {summary.full} of {summary.total} items covered fully, {summary.partial} partly, "
            f"{summary.none} not covered")


def to_json(items: list[ItemCoverage], statuses: dict[str, str] | None = None) -> list[dict[str, object]]:
    """`fieldguide coverage --format json`: one entry per framework item."""
    out = []
    for i in items:
        entry: dict[str, object] = {
            "id": i.id, "label": i.label, "title": i.title, "section": i.section, "coverage": i.level,
            "covered_by": [{"check": c.check, "challenge": c.challenge, "partial": c.partial} for c in i.covered_by],
        }
        if statuses is not None:
            entry["done"] = i.progress(statuses) == "done"
            entry["progress"] = i.progress(statuses)
            for cover in entry["covered_by"]:
                cover["status"] = statuses.get(cover["check"], "open")
        out.append(entry)
    return out


def to_text(cat: Catalog, framework_id: str, items: list[ItemCoverage],
            statuses: dict[str, str] | None = None) -> str:
    """The coverage table for a terminal, with a summary line (and progress with a state)."""
    fw = cat.frameworks[framework_id]
    lines = [f"{fw.short_title}: {fw.title} ({fw.version})", ""]
    width = max(len(i.label) for i in items)
    section = None
    for i in items:
        if i.section != section:
            lines += ([""] if section else []) + [i.section]
            section = i.section
        mark = f"{PROGRESS_MARK[i.progress(statuses)]} " if statuses is not None else ""
        lines.append(f"  {mark}{i.label.ljust(width)}  {i.title}  [{LEVEL_TEXT[i.level]}]")
        for c in i.covered_by:
            status = f" ({statuses.get(c.check, 'open')})" if statuses is not None else ""
            left = f": {c.partial}" if c.partial else ""
            lines.append(f"  {' ' * len(mark)}{' ' * width}    {'full   ' if c.full else 'partial'}  "
                         f"{c.check}{status}{left}")
    lines += ["", summary_line(cat, framework_id, summarize(items))]
    if statuses is not None:
        lines.append(summary_line(cat, framework_id, summarize(items, statuses)))
    return "\n".join(lines) + "\n"
