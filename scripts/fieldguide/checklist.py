"""A team's checklist: rows in workflow order, saved state, and its Markdown/CSV/JSON exports.

State files are the JSON the site exports. Import is forgiving and honest: items the catalog no
longer has are kept (and listed) as orphans, never dropped; a malformed file is an error that
changes nothing.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import networkx as nx

from . import __version__
from .coverage import covers_text
from .graph import incoming
from .load import Catalog, Problem, parse_file, validate
from .pages import page_url
from .plan import order_key, overall, readiness
from .schema import ChecklistItem, ChecklistState, ItemState

STATUS_TEXT = {"open": "open", "done": "done", "na": "not applicable"}
CSV_COLUMNS = ("stage", "step", "challenge", "item_id", "text", "status", "reason", "owner", "note", "covers")


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
    """Read an exported checklist JSON (parsed as YAML, which keeps line numbers for errors)."""
    data, source, problems = parse_file(path)
    if problems:
        return State(), problems
    parsed, problems = validate(data, ChecklistState, source, "checklist")
    if parsed is None:
        return State(), problems
    return merge(cat, parsed.items), []


def merge(cat: Catalog, items: list[ItemState]) -> State:
    known = {i.id for c in cat.challenges.values() for i in c.checklist}
    state = State()
    for item in items:
        if item.id in known:
            state.items[item.id] = item
        else:
            state.orphans.append(item)
    return state


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{round(100 * value)}%"


def _md(text: str) -> str:
    """User text inside Markdown: no raw HTML, no line breaks that would end the list item."""
    return " ".join(text.replace("<", "&lt;").split())


def to_markdown(cat: Catalog, g: nx.MultiDiGraph, picked: list[Row], state: State, site_url: str,
                title: str = "Deployment checklist") -> str:
    """A GitHub-flavoured task list, ready to paste into an issue or a design doc."""
    scope = list(dict.fromkeys(r.stage for r in picked))
    per_stage = readiness(cat, state.statuses, scope)
    lines = [f"# {title}", "",
             f"Readiness: **{_percent(overall(per_stage))}** (the lowest stage; done ÷ applicable items). "
             f"From the [ML Deployment Field Guide]({site_url}) {__version__}.", ""]
    last: dict[str, str] = {}
    for row in picked:
        if last.get("stage") != row.stage:
            r = per_stage[row.stage]
            lines += ["", f"## {g.nodes[row.stage]['title']} — {_percent(r.score)} ({r.done}/{r.applicable} done)", ""]
            last = {"stage": row.stage}
        if last.get("step") != row.step:
            lines += ["", f"### {g.nodes[row.step]['title']}", ""]
            last["step"] = row.step
        if last.get("challenge") != row.challenge:
            url = page_url(site_url, f"challenges/{row.challenge}.md")
            cases = incoming(g, row.challenge, "illustrates")
            precedent = f" · precedents: {', '.join(g.nodes[c]['title'] for c in cases[:3])}" if cases else ""
            lines += ["", f"**[{g.nodes[row.challenge]['title']}]({url})**{precedent}", ""]
            last["challenge"] = row.challenge
        s = state.of(row.item.id)
        box = "x" if s.status in ("done", "na") else " "
        text = f"~~{row.item.text}~~ (not applicable: {_md(s.reason) or 'no reason given'})" if s.status == "na" \
            else row.item.text
        extra = "".join(f" — {label}: {_md(value)}" for label, value in (("owner", s.owner), ("note", s.note)) if value)
        covers = covers_text(cat, row.item)
        lines.append(f"- [{box}] {text}{extra} `{row.item.id}`" + (f" · also covers: {covers}" if covers else ""))
    if state.orphans:
        lines += ["", "## Items no longer in the catalog", ""]
        lines += [f"- [{'x' if o.status != 'open' else ' '}] `{o.id}` ({STATUS_TEXT[o.status]})" for o in state.orphans]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)) + "\n"


def to_csv(cat: Catalog, g: nx.MultiDiGraph, picked: list[Row], state: State) -> str:
    """One row per item (orphans last, with empty stage/step/challenge)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in picked:
        s = state.of(row.item.id)
        writer.writerow((g.nodes[row.stage]["title"], g.nodes[row.step]["title"], g.nodes[row.challenge]["title"],
                         row.item.id, row.item.text, s.status, s.reason, s.owner, s.note, covers_text(cat, row.item)))
    for o in state.orphans:
        writer.writerow(("", "", "", o.id, "", o.status, o.reason, o.owner, o.note, ""))
    return out.getvalue()


def to_json(cat: Catalog, picked: list[Row], state: State, now: datetime | None = None) -> str:
    """The state file the site and `--state` import; orphans are written back, never dropped."""
    scope = list(dict.fromkeys(r.stage for r in picked))
    per_stage = readiness(cat, state.statuses, scope)
    items = [state.of(r.item.id) for r in picked] + state.orphans
    body = {
        "format": "fieldguide-checklist",
        "version": 1,
        "exported": (now or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "catalog_version": __version__,
        "scope": scope,
        "readiness": {"overall": overall(per_stage),
                      "stages": {k: {"done": v.done, "applicable": v.applicable, "score": v.score}
                                 for k, v in per_stage.items()}},
        "items": [i.model_dump() for i in items],
    }
    return json.dumps(body, indent=2, ensure_ascii=False) + "\n"
