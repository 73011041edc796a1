"""How far the guide's checklist covers an external framework (ML Test Score, deon, ...).

One computation, used by the framework pages, the "also covers" notes, the checklist filter's data,
the exports and `fieldguide coverage`, so they cannot disagree. Mappings are written once, on the
checklist items (`covers`); the graph holds them as `check -covers-> framework item` edges and this
module reads them backwards: for each framework item, the checks that cover it.

The grading rule (CONTRIBUTING.md): each framework item lists what its full text asks (`asks`), and
each mapping says which of those asks the check meets (`meets`). An item is covered *fully* only when
the checks mapped onto it meet every ask between them, *partly* when some asks are met by no check,
and not at all without a mapping. What a check leaves out is derived from the asks it does not meet,
so no note can claim more than the data. With a team's checklist state, an item is *done* when the
checks marked done meet every ask between them.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx

from .catalog import Catalog, check_order
from .pages import cell
from .schema import ChecklistItem, Coverage

# Written once: the framework pages print it, and a test holds CONTRIBUTING.md to the same words.
GRADING_RULE = ("A framework item counts as covered fully only when the checks mapped onto it, together, do "
                "everything the item's full text asks. Each item lists what it asks, in this guide's words; each "
                "mapping names the asks its check meets; an ask that no check meets is shown as left out, and "
                "the item then counts as covered partly.")
LEVEL_TEXT = {"full": "covered fully", "partial": "covered partly", "none": "not covered"}
PROGRESS = ("done", "partly done", "not applicable", "open")
PROGRESS_MARK = {"done": "[x]", "partly done": "[~]", "not applicable": "[-]", "open": "[ ]"}


@dataclass(frozen=True)
class Ask:
    """One thing a framework item asks, in the guide's words."""

    id: str
    text: str


@dataclass(frozen=True)
class Cover:
    """One of our checks mapped onto a framework item, with the item's asks it meets and leaves out."""

    check: str
    challenge: str
    text: str
    meets: tuple[str, ...]
    left_out: tuple[Ask, ...]  # the item's asks this check does not meet, in the item's order

    @property
    def full(self) -> bool:
        """The check meets every ask of the item on its own."""
        return not self.left_out

    @property
    def partial(self) -> str | None:
        """What the check leaves out, as one line; None when it meets every ask."""
        return " ".join(a.text for a in self.left_out) or None


@dataclass(frozen=True)
class ItemCoverage:
    """A framework item with its asks and the checks mapped onto it, the most complete first."""

    id: str  # qualified: `ml-test-score:monitor-3`
    label: str  # the framework's own number: "Monitor 3"
    title: str  # the framework's own short name
    section_id: str
    section: str
    asks: tuple[Ask, ...]
    covered_by: tuple[Cover, ...]
    other_versions: tuple[tuple[str, str, str], ...] = ()  # (version, label, title)

    @property
    def anchor(self) -> str:
        """The item's anchor on its framework page (its id within the framework)."""
        return self.id.split(":", 1)[1]

    def met_by(self, ask: str) -> tuple[str, ...]:
        """The checks that meet one ask, in the order they are listed."""
        return tuple(c.check for c in self.covered_by if ask in c.meets)

    @property
    def missing(self) -> tuple[Ask, ...]:
        """The asks no mapped check meets."""
        return tuple(a for a in self.asks if not self.met_by(a.id))

    @property
    def level(self) -> str:
        if not self.covered_by:
            return "none"
        return "partial" if self.missing else "full"

    def progress(self, statuses: dict[str, str]) -> str:
        """done / partly done / not applicable / open, from a team's checklist statuses."""
        done = [c for c in self.covered_by if statuses.get(c.check) == "done"]
        met = {ask for c in done for ask in c.meets}
        if self.covered_by and all(a.id in met for a in self.asks):
            return "done"
        if done:
            return "partly done"
        if self.covered_by and all(statuses.get(c.check) == "na" for c in self.covered_by):
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


def framework_coverage(cat: Catalog, g: nx.MultiDiGraph, framework_id: str) -> list[ItemCoverage]:
    """Every item of a framework, in the framework's order, with the checks mapped onto it."""
    fw = cat.frameworks[framework_id]
    order = check_order(cat)
    out = []
    for section, item in fw.items():
        qualified = fw.qualified(item)
        asks = tuple(Ask(a.id, a.text) for a in item.asks)
        covers = []
        for check, _, key, data in g.in_edges(qualified, keys=True, data=True):
            if key == "covers":
                meets = tuple(a.id for a in asks if a.id in data["meets"])
                covers.append(Cover(check, g.nodes[check]["challenge"], g.nodes[check]["title"], meets,
                                    tuple(a for a in asks if a.id not in meets)))
        covers.sort(key=lambda c: (len(c.left_out), order[c.check]))
        out.append(ItemCoverage(qualified, item.label, item.title, section.id, section.title, asks, tuple(covers),
                                tuple((v.version, v.label, v.title) for v in item.other_versions)))
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


def left_out(cat: Catalog, cover: Coverage) -> str | None:
    """What a check leaves out of a framework item it covers (the asks it does not meet), as one
    line; None when it meets them all. `Cover.partial` says the same from the item's side."""
    item = cat.framework_items[cover.item][2]
    return " ".join(a.text for a in item.asks if a.id not in cover.meets) or None


def notes(cat: Catalog, check: ChecklistItem) -> list[tuple[str, str, str | None]]:
    """(qualified id, display name, what it leaves out or None) for each framework item a check covers."""
    return [(c.item, display_name(cat, c.item), left_out(cat, c))
            for c in check.covers if c.item in cat.framework_items]


def check_entry(cat: Catalog, check: ChecklistItem) -> dict[str, object]:
    """A check as data, the same in catalog.json and in the data of the planner and checklist pages:
    its id and text, and each framework item it covers with the asks it meets and what it leaves out
    (`partial`, null when it meets them all)."""
    return {"id": check.id, "text": check.text,
            "covers": [{"item": c.item, "meets": list(c.meets), "partial": left_out(cat, c)}
                       for c in check.covers if c.item in cat.framework_items]}


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
    """`fieldguide coverage --format json` (and each framework's items in `catalog.json`)."""
    out = []
    for i in items:
        entry: dict[str, object] = {
            "id": i.id, "label": i.label, "title": i.title, "section": i.section, "coverage": i.level,
            "asks": [{"id": a.id, "text": a.text, "met_by": list(i.met_by(a.id))} for a in i.asks],
            "missing": [a.id for a in i.missing],
            "covered_by": [{"check": c.check, "challenge": c.challenge, "meets": list(c.meets),
                            "left_out": [a.id for a in c.left_out], "partial": c.partial} for c in i.covered_by],
        }
        if i.other_versions:
            entry["other_versions"] = [{"version": v, "label": label, "title": title}
                                       for v, label, title in i.other_versions]
        if statuses is not None:
            entry["done"] = i.progress(statuses) == "done"
            entry["progress"] = i.progress(statuses)
            for cover in entry["covered_by"]:
                cover["status"] = statuses.get(cover["check"], "open")
        out.append(entry)
    return out


def to_text(cat: Catalog, framework_id: str, items: list[ItemCoverage],
            statuses: dict[str, str] | None = None) -> str:
    """The coverage table for a terminal: each item's asks with the checks that meet them, then each
    mapped check, full or partial with what it leaves out; a summary line (and progress with a state)."""
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
        pad = f"  {' ' * len(mark)}{' ' * width}    "

        def status(check: str) -> str:
            return f" ({statuses.get(check, 'open')})" if statuses is not None else ""

        lines += [f"{pad}in {version}: {label}, {title}" for version, label, title in i.other_versions]
        for a in i.asks:
            by = i.met_by(a.id)
            lines.append(f"{pad}asks {a.id}: {a.text}")
            lines.append(f"{pad}     met by {', '.join(c + status(c) for c in by)}" if by else
                         f"{pad}     met by no check")
        for c in i.covered_by:
            left = f": leaves out {', '.join(a.id for a in c.left_out)}" if c.left_out else ""
            lines.append(f"{pad}{'full   ' if c.full else 'partial'}  {c.check}{status(c.check)}{left}")
    lines += ["", summary_line(cat, framework_id, summarize(items))]
    if statuses is not None:
        lines.append(summary_line(cat, framework_id, summarize(items, statuses)))
    return "\n".join(lines) + "\n"


def to_markdown(cat: Catalog, framework_id: str, items: list[ItemCoverage]) -> str:
    """The grading table for a review: each item with what it asks, the checks meeting each ask, and
    its coverage; a partial item names what no check meets."""
    fw = cat.frameworks[framework_id]
    lines = [f"# {fw.short_title}: {fw.title} ({fw.version})", "", GRADING_RULE, "",
             "| Item | What it asks (this guide's words) | Met by | Coverage |", "| --- | --- | --- | --- |"]
    for i in items:
        for n, a in enumerate(i.asks):
            by = ", ".join(f"`{c}`" for c in i.met_by(a.id)) or "**no check**"
            elsewhere = "".join(f" (in {cell(version)}: {cell(label)}, {cell(title)})"
                                for version, label, title in i.other_versions)
            head = f"{i.label}: {cell(i.title)}{elsewhere}" if n == 0 else ""
            level = LEVEL_TEXT[i.level] if n == 0 else ""
            lines.append(f"| {head} | {cell(a.text)} (`{a.id}`) | {by} | {level} |")
    lines += ["", summary_line(cat, framework_id, summarize(items))]
    return "\n".join(lines) + "\n"
