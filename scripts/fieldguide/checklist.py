"""A team's checklist: rows in workflow order, saved state, readiness, its Markdown/CSV/JSON exports
and the gate.

Readiness is computed here and only here (the page gets the same rule, tested against the same golden
files): per stage, resolved items (done or accepted risk) over applicable ones (all but not
applicable); the overall readiness is the lowest stage's.

State files are the JSON the site exports (`statefile` reads, merges and writes them). Items the
catalog no longer has are kept (and listed) as orphans, never dropped; a malformed file is an error
that changes nothing.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import networkx as nx

from . import __version__, statefile
from .catalog import Catalog, order_key
from .coverage import covers_text
from .escape import csv_text, markdown_cell, markdown_text, markdown_url
from .graph import incoming
from .pages import entity_url
from .problems import Problem
from .schema import ChecklistItem, ItemState

STATUS_TEXT = {"open": "open", "in-progress": "in progress", "done": "done", "accepted-risk": "accepted risk",
               "na": "not applicable"}
CSV_COLUMNS = ("stage", "step", "challenge", "item_id", "text", "status", "reason", "owner", "note", "evidence",
               "updated", "by", "covers")
READINESS_RULE = "Readiness = resolved items (done or accepted risk) ÷ applicable items (all but not applicable)."
SUMMARY_COLUMNS = (("done", "Done"), ("accepted-risk", "Accepted risk"), ("in-progress", "In progress"),
                   ("open", "Open"), ("na", "Not applicable"))
PRECEDENTS_SHOWN = 3  # case studies named beside a challenge in the full Markdown


def page_labels() -> dict[str, object]:
    """The words and caps the page's exports share with this module, shipped to it as data
    (`labels` in planner/data.json) rather than written twice."""
    return {"status": STATUS_TEXT, "csv_columns": list(CSV_COLUMNS), "readiness_rule": READINESS_RULE,
            "summary_columns": [list(c) for c in SUMMARY_COLUMNS], "precedents_shown": PRECEDENTS_SHOWN}


@dataclass(frozen=True)
class Row:
    stage: str
    step: str
    challenge: str
    item: ChecklistItem


@dataclass
class State:
    """Saved progress: one ItemState per item id, plus the ids the catalog does not know."""

    items: dict[str, ItemState] = field(default_factory=dict)
    orphans: list[ItemState] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # change times counted as now when read

    def of(self, item_id: str) -> ItemState:
        return self.items.get(item_id) or ItemState(id=item_id)

    @property
    def statuses(self) -> dict[str, str]:
        return {i: s.status for i, s in self.items.items()}


def rows(cat: Catalog, stages: list[str] | None = None, challenges: list[str] | None = None) -> list[Row]:
    """Checklist items in workflow order (stage, step, challenge), each challenge's items as listed."""
    order = order_key(cat)
    picked = sorted((c for c in cat.challenges.values()
                     if (not stages or cat.stage_of(c.step).id in stages)
                     and (not challenges or c.id in challenges)), key=lambda c: order[c.id])
    return [Row(cat.stage_of(c.step).id, c.step, c.id, item) for c in picked for item in c.checklist]


def read_state(path: Path, cat: Catalog) -> tuple[State, list[Problem]]:
    """Read a state file (version 1, 2 or 3); items the catalog does not know become orphans."""
    parsed, problems = statefile.read(path)
    if parsed is None:
        return State(), problems
    state = split(cat, parsed.items)
    state.warnings = parsed.warnings
    return state, []


def split(cat: Catalog, items: list[ItemState]) -> State:
    """Items the catalog knows, and the orphans in id order (as the page lists them, whatever the
    order of the file or of the merges that made it)."""
    known = {i.id for c in cat.challenges.values() for i in c.checklist}
    state = State()
    for item in items:
        if item.id in known:
            state.items[item.id] = item
        else:
            state.orphans.append(item)
    state.orphans.sort(key=lambda o: o.id)
    return state


def _percent(value: float | None) -> str:
    """Half up, as the page's Math.round (Python's round() would give 12% for 12.5%, the page 13%)."""
    return "n/a" if value is None else f"{math.floor(100 * value + 0.5)}%"


# ---------------------------------------------------------------- readiness


@dataclass(frozen=True)
class Readiness:
    done: int
    applicable: int  # items minus those marked not applicable
    accepted: int = 0  # accepted risks (with a reason): resolved like done items, counted apart

    @classmethod
    def of(cls, counts: Counter[str]) -> Readiness:
        """From how many items have each status."""
        return cls(counts["done"], counts.total() - counts["na"], counts["accepted-risk"])

    @property
    def resolved(self) -> int:
        return self.done + self.accepted

    @property
    def score(self) -> float | None:
        """(done + accepted risk) ÷ (items − not applicable); None when nothing applies."""
        return self.resolved / self.applicable if self.applicable else None


def status_counts(picked: list[Row], statuses: dict[str, str]) -> dict[str, Counter[str]]:
    """Per stage (in the order of `picked`), how many items have each status (unset: open)."""
    out: dict[str, Counter[str]] = {}
    for row in picked:
        out.setdefault(row.stage, Counter())[statuses.get(row.item.id, "open")] += 1
    return out


def stage_readiness(picked: list[Row], statuses: dict[str, str]) -> dict[str, Readiness]:
    """Readiness of each stage of `picked`, in their order."""
    return {stage: Readiness.of(n) for stage, n in status_counts(picked, statuses).items()}


def readiness(cat: Catalog, statuses: dict[str, str], stages: list[str] | None = None) -> dict[str, Readiness]:
    """Per stage in scope (all when none is given), in workflow order."""
    return stage_readiness(rows(cat, stages), statuses)


def overall(per_stage: dict[str, Readiness]) -> float | None:
    """The lowest stage's readiness (the ML Test Score's rule); None when nothing applies anywhere."""
    scores = [r.score for r in per_stage.values() if r.score is not None]
    return min(scores) if scores else None


def _summary(g: nx.MultiDiGraph, picked: list[Row], state: State, per_stage: dict[str, Readiness]) -> list[str]:
    """A table of readiness per stage: the part of a pull-request comment a reviewer reads first."""
    lines = ["| Stage | Ready | " + " | ".join(label for _, label in SUMMARY_COLUMNS) + " |",
             "| --- | ---: | " + " | ".join("---:" for _ in SUMMARY_COLUMNS) + " |"]
    for stage, n in status_counts(picked, state.statuses).items():
        lines.append(f"| {markdown_cell(g.nodes[stage]['title'])} | {_percent(per_stage[stage].score)} | "
                     + " | ".join(str(n[s]) for s, _ in SUMMARY_COLUMNS) + " |")
    return lines


RESOLVED = ("done", "accepted-risk", "na")


def _item_line(text: str, s: ItemState, item_id: str) -> str:
    """One item. Only open, in-progress and done items are task-list boxes: an accepted risk or a
    not-applicable item is not done, so it is never drawn as a ticked box."""
    extra = "".join(f" — {label}: {markdown_text(value)}" for label, value in (("owner", s.owner), ("note", s.note))
                    if value)
    if s.evidence:
        extra += f" — evidence: {markdown_url(s.evidence)}"
    if s.status == "na":
        return f"- **Not applicable:** ~~{text}~~ (reason: {markdown_text(s.reason)}){extra} `{item_id}`"
    if s.status == "accepted-risk":
        return f"- **Accepted risk:** {text} (reason: {markdown_text(s.reason)}){extra} `{item_id}`"
    box = "x" if s.status == "done" else " "
    return f"- [{box}] {text}{' (in progress)' if s.status == 'in-progress' else ''}{extra} `{item_id}`"


def _orphan_line(o: ItemState) -> str:
    if o.status in ("na", "accepted-risk"):
        return f"- **{STATUS_TEXT[o.status].capitalize()}:** `{o.id}`"
    return f"- [{'x' if o.status == 'done' else ' '}] `{o.id}` ({STATUS_TEXT[o.status]})"


def to_markdown(cat: Catalog, g: nx.MultiDiGraph, picked: list[Row], state: State, site_url: str,
                title: str = "Deployment checklist", ranked: bool = False, compact: bool = False) -> str:
    """Markdown for a pull-request comment: the readiness table, then the items. `compact`: only open and
    in-progress items, the rest folded in a <details> block. `ranked`: the rows are in the planner's
    order; one list of challenges instead of stage sections."""
    per_stage = stage_readiness(picked, state.statuses)
    lowest = ", the lowest stage's" if len(per_stage) > 1 else ""
    lines = [f"# {markdown_text(title)}", "",
             f"Readiness: **{_percent(overall(per_stage))}**{lowest}. {READINESS_RULE} "
             f"From the [ML Deployment Field Guide]({site_url}) {__version__}.", ""]
    lines += _summary(g, picked, state, per_stage)
    if compact:
        lines += _compact(g, picked, state, per_stage, site_url)
    else:
        lines += _full(cat, g, picked, state, per_stage, site_url, ranked)
    if state.orphans:
        lines += ["", "## Items no longer in the catalog", ""]
        lines += [_orphan_line(o) for o in state.orphans]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)) + "\n"


def _challenge_link(g: nx.MultiDiGraph, challenge: str, site_url: str) -> str:
    return f"[{g.nodes[challenge]['title']}]({entity_url(site_url, 'challenge', challenge)})"


def _compact(g: nx.MultiDiGraph, picked: list[Row], state: State, per_stage: dict[str, Readiness],
             site_url: str) -> list[str]:
    """Open and in-progress items by stage and challenge; everything resolved or not applicable folded."""
    still = [r for r in picked if state.of(r.item.id).status not in RESOLVED]
    rest = [r for r in picked if state.of(r.item.id).status in RESOLVED]
    lines = ["", f"## Still open ({len(still)})", ""]
    if not still:
        lines.append("Nothing: every item is done, accepted as a risk or not applicable.")

    def group(rows: list[Row], with_scores: bool) -> list[str]:
        out: list[str] = []
        last: dict[str, str] = {}
        for row in rows:
            if last.get("stage") != row.stage:
                r = per_stage[row.stage]
                score = f" — {_percent(r.score)} ({r.resolved}/{r.applicable} resolved)" if with_scores else ""
                out += ["", f"### {g.nodes[row.stage]['title']}{score}", ""]
                last = {"stage": row.stage}
            if last.get("challenge") != row.challenge:
                out += ["", f"**{_challenge_link(g, row.challenge, site_url)}**", ""]
                last["challenge"] = row.challenge
            out.append(_item_line(row.item.text, state.of(row.item.id), row.item.id))
        return out

    lines += group(still, True)
    if rest:
        lines += ["", f"<details><summary>Done, accepted risk or not applicable ({len(rest)})</summary>", ""]
        lines += group(rest, False)
        lines += ["", "</details>"]
    return lines


def _full(cat: Catalog, g: nx.MultiDiGraph, picked: list[Row], state: State, per_stage: dict[str, Readiness],
          site_url: str, ranked: bool) -> list[str]:
    """Every item under its stage, step and challenge (or in rank order), with precedents and notes."""
    lines = ["", "## Challenges, most likely to matter first", ""] if ranked else []
    last: dict[str, str] = {}
    rank = 0
    for row in picked:
        if not ranked and last.get("stage") != row.stage:
            r = per_stage[row.stage]
            lines += ["", f"## {g.nodes[row.stage]['title']} — {_percent(r.score)} "
                          f"({r.resolved}/{r.applicable} resolved)", ""]
            last = {"stage": row.stage}
        if not ranked and last.get("step") != row.step:
            lines += ["", f"### {g.nodes[row.step]['title']}", ""]
            last["step"] = row.step
        if last.get("challenge") != row.challenge:
            cases = incoming(g, row.challenge, "illustrates")
            precedent = (f"precedents: {', '.join(g.nodes[c]['title'] for c in cases[:PRECEDENTS_SHOWN])}"
                         if cases else "")
            if ranked:
                rank += 1
                where = f"{g.nodes[row.stage]['title']} › {g.nodes[row.step]['title']}"
                lines += ["", f"### {rank}. {_challenge_link(g, row.challenge, site_url)}", "",
                          " · ".join(filter(None, [where, precedent])), ""]
            else:
                lines += ["", f"**{_challenge_link(g, row.challenge, site_url)}**"
                          + (f" · {precedent}" if precedent else ""), ""]
            last["challenge"] = row.challenge
        covers = covers_text(cat, row.item)
        lines.append(_item_line(row.item.text, state.of(row.item.id), row.item.id)
                     + (f" · also covers: {covers}" if covers else ""))
    return lines


def to_csv(cat: Catalog, g: nx.MultiDiGraph, picked: list[Row], state: State) -> str:
    """One row per item (orphans last, with empty stage/step/challenge); formula-safe cells."""
    out: list[tuple[object, ...]] = [CSV_COLUMNS]
    for row in picked:
        s = state.of(row.item.id)
        out.append((g.nodes[row.stage]["title"], g.nodes[row.step]["title"], g.nodes[row.challenge]["title"],
                    row.item.id, row.item.text, s.status, s.reason, s.owner, s.note, s.evidence, s.updated, s.by,
                    covers_text(cat, row.item)))
    for o in state.orphans:
        out.append(("", "", "", o.id, "", o.status, o.reason, o.owner, o.note, o.evidence, o.updated, o.by, ""))
    return csv_text(out)


def to_json(cat: Catalog, picked: list[Row], state: State, now: datetime | None = None) -> str:
    """The state file (version 3) the site and `--state` import; orphans are written back, never dropped."""
    scope = list(dict.fromkeys(r.stage for r in picked))
    items = [state.of(r.item.id) for r in picked] + state.orphans
    exported = (now or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return statefile.dump(items, scope=scope, exported=exported, catalog_version=__version__)


# ---------------------------------------------------------------- the deployment gate


def gate(cat: Catalog, picked: list[Row], state: State, min_readiness: float) -> tuple[bool, list[str]]:
    """Whether every stage of `picked` is ready, and a report listing what is still open.

    A stage is ready when its readiness (done or accepted risk, over items not marked not applicable)
    is at least `min_readiness`, or when none of its items applies."""
    per_stage = stage_readiness(picked, state.statuses)
    titles = {s.id: s.title for s in cat.stages}
    lines, failing = [], 0
    for stage, r in per_stage.items():
        ready = r.score is None or r.score >= min_readiness - 1e-9
        verdict = "ready" if ready else f"below {_percent(min_readiness)}"
        lines.append(f"{stage}: {titles[stage]}: {_percent(r.score)} ({r.resolved}/{r.applicable} resolved)"
                     f" — {verdict}")
        if ready:
            continue
        failing += 1
        for row in picked:
            s = state.of(row.item.id)
            if row.stage == stage and s.status in ("open", "in-progress"):
                owner = f" (owner: {s.owner})" if s.owner else ""
                lines.append(f"  {STATUS_TEXT[s.status]:<11} {row.item.id}: {row.item.text}{owner}")
    if failing:
        lines.append(f"gate failed: {failing} of {len(per_stage)} stage(s) below {_percent(min_readiness)} readiness")
    else:
        lines.append(f"gate passed: {len(per_stage)} stage(s) at or above {_percent(min_readiness)} readiness")
    return not failing, lines

