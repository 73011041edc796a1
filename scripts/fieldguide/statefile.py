"""The checklist state file: read it (validate, convert versions 1 and 2, clamp clocks), merge any
number of them field by field (a join), report what a merge changes, write it.

The page does the same in `content/assets/javascripts/engine/statefile.js`; one corpus of files, one set of
golden merge cases (`tests/golden/merge/`) and property tests over generated files hold both to the
same verdicts and results.

Reading refuses, before the schema, what a JSON Schema cannot say: over 1 MiB, not UTF-8, not JSON
(NaN and Infinity included), a key repeated in an object, a lone surrogate (`"\\ud800"`), nesting
deeper than 20 levels; after it, an item id listed twice. Numbers follow JSON Schema: 1.0 is 1.

The data model (version 3). Each item has four fields that change independently: its status (with
its reason), owner, note and evidence link. Each field's last change is a `Change`: the value, when
(`at`, UTC to the second, None when unknown), by whom, whether it is a *default* the guide set (weak:
a plan's scope, a conversion's placeholder text) or a person's value (strong), and the earlier
changes its author had seen (`replaces`, newest first). Merging takes, per field, the greatest change
in one total order: strong before weak, then the later time, then author, value and `replaces` as
tie-breaks. A maximum in a total order is commutative, associative and idempotent, so everyone who
has seen the same files shows the same state, whatever the order. `replaces` never decides a merge;
it tells a plain later edit (the newer value was made over the older one) from a conflict (both
sides changed the field since they last agreed), for the preview and the CLI's report.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from .files import Unreadable, read_bytes
from .load import validate
from .problems import Loc, Problem, Source, display_path, dotted
from .schema import (
    FIELDS,
    NEEDS_REASON,
    REASON_PATTERN,
    STATE_FORMAT,
    STATE_VERSION,
    V1_NA_REASON,
    V2_BLANK_REASON,
    Changes,
    ChecklistState,
    ChecklistStateV1,
    ChecklistStateV2,
    ItemState,
    ItemStateV1,
    ItemStateV2,
    Replaced,
    Stamp,
)

MAX_BYTES = 1024 * 1024  # the same limit as catalog files, and the page's import
MAX_DEPTH = 20
ENTITY = "checklist"  # the entity column of problem lines
AHEAD = timedelta(hours=24)  # a change time further ahead of this computer's clock is counted as now
PLAN_REASON = "out of scope for "  # the planner's default reason (version 2 files wrote it as a person's)


@dataclass
class StateFile:
    """A valid state file, converted to version 3 items."""

    path: str
    version: int
    items: list[ItemState]
    scope: list[str] = field(default_factory=list)
    exported: str | None = None
    catalog_version: str | None = None
    warnings: list[str] = field(default_factory=list)  # change times counted as now (clock sanity)


# ---------------------------------------------------------------- reading


def read(path: Path, now: datetime | None = None) -> tuple[StateFile | None, list[Problem]]:
    """Read and validate one state file; every problem as `path:line: checklist: field: message`.
    Change times more than a day ahead of `now` (this computer's clock) are counted as `now`."""
    shown = display_path(path)
    try:
        # Regular files only (never a FIFO or a device); one byte over the limit so `parse` says "too big".
        raw = read_bytes(path, MAX_BYTES + 1)
    except Unreadable as exc:
        return None, [Problem(shown, 1, ENTITY, "-", str(exc))]
    return parse(raw, shown, now)


def parse(raw: bytes, shown: str, now: datetime | None = None) -> tuple[StateFile | None, list[Problem]]:
    """Validate the bytes of a state file (the page runs the same steps in the same order)."""
    source = Source(shown)

    def fail(message: str, line: int = 1, loc: Loc = ()) -> tuple[None, list[Problem]]:
        return None, [Problem(shown, line, ENTITY, dotted(loc), message)]

    if len(raw) > MAX_BYTES:
        return fail(f"file is larger than {MAX_BYTES} bytes (1 MiB)")
    try:
        text = raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        return fail("file is not UTF-8 text", raw.count(b"\n", 0, exc.start) + 1)
    try:
        data = json.loads(text, parse_constant=_no_constant, parse_int=_int, parse_float=_float)
    except json.JSONDecodeError as exc:
        return fail(f"not valid JSON: {exc.msg}", exc.lineno)
    except ValueError as exc:  # NaN, Infinity
        return fail(f"not valid JSON: {exc}", _line_of(text, str(exc).split()[0]))
    except RecursionError:
        return fail(f"nested deeper than {MAX_DEPTH} levels")
    source.lines, repeated = json_lines(text)
    if repeated:
        loc, line, first = repeated[0]
        return fail(f"key repeated (first at line {first})", line, loc)
    found = _walk(data)
    if found:
        loc, message = found
        return fail(message, source.line(loc), loc)
    if not isinstance(data, dict):
        return fail("expected a JSON object")
    version = data.get("version")  # the schema's if/then/else
    old = version if type(version) is int and version in (1, 2) else None
    model = {1: ChecklistStateV1, 2: ChecklistStateV2}.get(old, ChecklistState)
    parsed, problems = validate(data, model, source, ENTITY)
    if parsed is None:
        return None, problems
    seen: dict[str, int] = {}
    for i, item in enumerate(parsed.items):
        if item.id in seen:
            return fail(f"'{item.id}' is listed twice (first at items[{seen[item.id]}])",
                        source.line(("items", i, "id")), ("items", i, "id"))
        seen[item.id] = i
    # Version 3 items normalised too (a redundant change entry dropped), as the page does.
    items = [_upgrade(i) if old else item_of(i.id, fields_of(i)) for i in parsed.items]
    items, warnings = clamp(items, now or datetime.now(UTC))
    return StateFile(shown, parsed.version, items, list(parsed.scope), parsed.exported if old != 1 else None,
                     parsed.catalog_version, warnings), []


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


def _int(text: str) -> int | float:
    return int(text) if len(text) < 300 else float(text)  # as JavaScript reads it: huge is Infinity


def _float(text: str) -> int | float:
    value = float(text)
    return int(value) if value.is_integer() and abs(value) < 2**53 else value  # 1.0 is the integer 1


def _line_of(text: str, token: str) -> int:
    at = text.find(token)
    return text.count("\n", 0, at) + 1 if at >= 0 else 1


def _walk(data: Any) -> tuple[Loc, str] | None:
    """Strings that are not Unicode text (lone surrogates), and nesting deeper than MAX_DEPTH."""
    stack: list[tuple[Any, Loc]] = [(data, ())]
    while stack:
        value, loc = stack.pop()
        if len(loc) > MAX_DEPTH:
            return loc, f"nested deeper than {MAX_DEPTH} levels"
        if isinstance(value, dict):
            for key, inner in value.items():
                if _lone_surrogate(key):
                    return loc, "a key contains a lone surrogate (such as \\ud800): not Unicode text"
                stack.append((inner, loc + (key,)))
        elif isinstance(value, list):
            stack.extend((inner, loc + (i,)) for i, inner in enumerate(value))
        elif isinstance(value, str) and _lone_surrogate(value):
            return loc, "contains a lone surrogate (such as \\ud800): not Unicode text"
    return None


def _lone_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]:,]|[ \t\r\n]+|[^ \t\r\n{}\[\]:,"]+')


def json_lines(text: str) -> tuple[dict[Loc, int], list[tuple[Loc, int, int]]]:
    """Line of every key and list item of a valid JSON text, and its repeated keys as
    (location, line, line of the first occurrence). Iterative: any depth is fine."""
    lines: dict[Loc, int] = {(): 1}
    repeated: list[tuple[Loc, int, int]] = []
    stack: list[list[Any]] = []  # [location, is object, next index, {key: line}, current key]
    line, expect_key = 1, False
    for match in _TOKEN.finditer(text):
        token = match.group()
        first = token[0]
        if first in " \t\r\n":
            line += token.count("\n")
            continue
        if first in ",:":
            expect_key = first == "," and bool(stack) and stack[-1][1]
            continue
        if first in "}]":
            stack.pop()
            expect_key = False
            continue
        if expect_key:
            frame = stack[-1]
            key = json.loads(token)
            frame[4] = key
            if key in frame[3]:
                repeated.append((frame[0] + (key,), line, frame[3][key]))
            else:
                frame[3][key] = line
                lines.setdefault(frame[0] + (key,), line)
            expect_key = False
            continue
        loc: Loc = ()
        if stack:
            frame = stack[-1]
            if frame[1]:
                loc = frame[0] + (frame[4],)
            else:
                loc = frame[0] + (frame[2],)
                frame[2] += 1
                lines.setdefault(loc, line)
        if first == "{":
            stack.append([loc, True, 0, {}, None])
            expect_key = True
        elif first == "[":
            stack.append([loc, False, 0, {}, None])
    return lines, repeated


# ---------------------------------------------------------------- the data model

EMPTY: dict[str, tuple[str, ...]] = {"status": ("open", ""), "owner": ("",), "note": ("",), "evidence": ("",)}


@dataclass(frozen=True)
class Change:
    """One field's last change. `value` is (status, reason) for the status, (text,) for the others."""

    value: tuple[str, ...]
    at: str | None = None
    by: str = ""
    weak: bool = False
    replaces: tuple[tuple[str, str], ...] = ()

    def key(self) -> tuple[Any, ...]:
        """The merge's total order (strings compare by code point, as the page's code does)."""
        return (not self.weak, self.at or "", self.by, self.value, self.replaces)

    def over(self, other: Change) -> bool:
        """Whether this value was made over `other` (its author had seen it)."""
        return other.at is not None and (other.at, other.by) in self.replaces


Fields = dict[str, Change]  # field -> its last change; a field never set is absent


def fields_of(item: ItemState) -> Fields:
    """An item's fields: a value without a change entry is set at an unknown time unless it is empty."""
    out: Fields = {}
    for name in FIELDS:
        value = (item.status, item.reason) if name == "status" else (getattr(item, name),)
        stamp: Stamp | None = getattr(item.changed, name)
        if stamp is None:
            if value != EMPTY[name]:
                out[name] = Change(value)
        else:
            out[name] = Change(value, stamp.at, stamp.by, stamp.default, tuple((r.at, r.by) for r in stamp.replaces))
    return out


def item_of(item_id: str, fields: Fields) -> ItemState:
    """The item as written: values, and a change entry for every field except one whose value alone
    says all there is (set, not empty, at an unknown time by nobody named)."""
    values = {name: (fields[name].value if name in fields else EMPTY[name]) for name in FIELDS}
    changed = {}
    for name, c in fields.items():
        if c.at is None and not c.by and not c.weak and not c.replaces and c.value != EMPTY[name]:
            continue
        changed[name] = Stamp.model_construct(at=c.at, by=c.by, default=c.weak, replaces=[
            Replaced.model_construct(at=at, by=by) for at, by in c.replaces])
    status, reason = values["status"]
    return ItemState.model_construct(id=item_id, status=status, reason=reason, owner=values["owner"][0],
                                     note=values["note"][0], evidence=values["evidence"][0],
                                     changed=Changes.model_construct(**changed))


def state_of(items: list[ItemState]) -> dict[str, Fields]:
    return {i.id: fields_of(i) for i in items}


def items_of(state: dict[str, Fields]) -> list[ItemState]:
    """Items in code point order of their ids: the same file whatever order the inputs came in."""
    return [item_of(i, state[i]) for i in sorted(state)]


def _weak_status(status: str, reason: str) -> bool:
    """Values older versions wrote as a person's that the guide had set: the planner's scope stamp and
    the version 1 conversion text."""
    return status == "na" and (reason == V1_NA_REASON or reason.startswith(PLAN_REASON))


def _upgrade(old: ItemStateV1 | ItemStateV2) -> ItemState:
    """Version 1 and 2 items as version 3. Their item-level time (none in version 1) becomes the time of
    every field that holds a value; an empty field stays unset, so an old file never erases anything
    (it cannot say which fields changed). A status that needs a reason and has none visible gets a
    placeholder reason, marked as a default."""
    at = getattr(old, "updated", None)
    by = getattr(old, "by", "")
    fields: Fields = {}
    status, reason = old.status, old.reason
    weak = _weak_status(status, reason)
    if status in NEEDS_REASON and not re.search(REASON_PATTERN, reason):
        reason, weak = (V2_BLANK_REASON if isinstance(old, ItemStateV2) else V1_NA_REASON), True
    if (status, reason) != EMPTY["status"]:
        fields["status"] = Change((status, reason), at, by, weak)
    for name in ("owner", "note", "evidence"):
        value = getattr(old, name, "")
        if value:
            fields[name] = Change((value,), at, by)
    return item_of(old.id, fields)


def _text(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def clamp(items: list[ItemState], now: datetime) -> tuple[list[ItemState], list[str]]:
    """Change times more than a day ahead of `now` counted as `now` (a wrong clock or a hand-edited
    file would otherwise win every later merge), each with a warning."""
    limit, current = _text(now + AHEAD), _text(now)
    out, warnings = [], []
    for i, item in enumerate(items):
        fields = fields_of(item)
        late = {name: c for name, c in fields.items() if c.at is not None and c.at > limit}
        if not late:
            out.append(item)
            continue
        for name, c in late.items():
            warnings.append(f"items[{i}] ({item.id}): {name}: change time {c.at} is more than a day ahead of this "
                            f"computer's clock; counted as {current}")
            fields[name] = Change(c.value, current, c.by, c.weak, c.replaces)
        out.append(item_of(item.id, fields))
    return out, warnings


# ---------------------------------------------------------------- merging: a join, field by field


def join(*states: dict[str, Fields]) -> dict[str, Fields]:
    """Per item and field, the greatest change (Change.key). Every id of every input is kept."""
    out: dict[str, Fields] = {}
    for state in states:
        for item_id, fields in state.items():
            mine = out.setdefault(item_id, {})
            for name, c in fields.items():
                if name not in mine or c.key() > mine[name].key():
                    mine[name] = c
    return out


def conflict(winner: Change, loser: Change | None) -> bool:
    """Both are a person's values, they differ, and the winner was not made over the loser: both sides
    changed the field since they last agreed, and the loser's value is about to disappear."""
    return (loser is not None and not winner.weak and not loser.weak and winner.value != loser.value
            and not winner.over(loser))


@dataclass
class FieldChange:
    """One field an import changes, or a conflict (then `kept` says whose value the join keeps)."""

    id: str
    field: str
    kind: str  # "changed" or "conflict"
    mine: Change | None
    theirs: Change
    kept: str  # "mine" or "theirs"


@dataclass
class Report:
    merged: dict[str, Fields]
    fields: list[FieldChange]
    new: list[str]
    changed: list[str]
    conflicts: list[str]
    unchanged: list[str]

    def counts(self) -> dict[str, list[str]]:
        return {"new": self.new, "changed": self.changed, "unchanged": self.unchanged, "conflicts": self.conflicts}


def compare(local: dict[str, Fields], incoming: dict[str, Fields]) -> Report:
    """What merging `incoming` into `local` does, field by field: the preview of an import."""
    merged = join(local, incoming)
    found: list[FieldChange] = []
    for item_id in sorted(incoming):
        mine = local.get(item_id, {})
        for name in FIELDS:
            theirs = incoming[item_id].get(name)
            m = mine.get(name)
            if theirs is None or theirs == m:
                continue
            if merged[item_id][name] is theirs:
                if m is not None and m.value == theirs.value:
                    continue  # the same value, only its stamp differs
                found.append(FieldChange(item_id, name, "conflict" if conflict(theirs, m) else "changed", m, theirs,
                                         "theirs"))
            elif conflict(m, theirs):
                found.append(FieldChange(item_id, name, "conflict", m, theirs, "mine"))
    new, changed, conflicts = [], [], []
    for item_id in dict.fromkeys(f.id for f in found):
        kinds = {f.kind for f in found if f.id == item_id}
        if "conflict" in kinds:
            conflicts.append(item_id)
        elif not local.get(item_id):
            new.append(item_id)
        else:
            changed.append(item_id)
    reported = set(new + changed + conflicts)
    unchanged = [i for i in sorted(incoming) if i not in reported and (incoming[i] or i in local)]
    return Report(merged, found, new, changed, conflicts, unchanged)


def losers(states: list[dict[str, Fields]], merged: dict[str, Fields]) -> list[tuple[str, str, int, Change]]:
    """Every person's value, in any input, that the merge drops in a conflict: (id, field, input, change)."""
    out = []
    for n, state in enumerate(states):
        for item_id in sorted(state):
            for name in FIELDS:
                c = state[item_id].get(name)
                if c is not None and c != merged[item_id][name] and conflict(merged[item_id][name], c):
                    out.append((item_id, name, n, c))
    return out


# ---------------------------------------------------------------- writing


def item_json(item: ItemState) -> dict[str, Any]:
    """An item as written to files: id and status always, other values when set, then the changes."""
    out: dict[str, Any] = {"id": item.id, "status": item.status}
    for name in ("reason", "owner", "note", "evidence"):
        if getattr(item, name):
            out[name] = getattr(item, name)
    changed = {}
    for name in FIELDS:
        stamp: Stamp | None = getattr(item.changed, name)
        if stamp is None:
            continue
        entry: dict[str, Any] = {}
        if stamp.at:
            entry["at"] = stamp.at
        if stamp.by:
            entry["by"] = stamp.by
        if stamp.default:
            entry["default"] = True
        if stamp.replaces:
            entry["replaces"] = [{"at": r.at, **({"by": r.by} if r.by else {})} for r in stamp.replaces]
        changed[name] = entry
    if changed:
        out["changed"] = changed
    return out


def now() -> str:
    return _text(datetime.now(UTC))


def dump(items: list[ItemState], scope: list[str] | None = None, exported: str | None = None,
         catalog_version: str | None = None, stamp: bool = True) -> str:
    """A version 3 state file. `stamp`: without `exported`, say it was exported now (an export); a merge
    passes False, so that its file stays a pure function of its inputs."""
    body: dict[str, Any] = {"format": STATE_FORMAT, "version": STATE_VERSION}
    if exported or stamp:
        body["exported"] = exported or now()
    if catalog_version:
        body["catalog_version"] = catalog_version
    if scope:
        body["scope"] = scope
    body["items"] = [item_json(i) for i in items]
    return json.dumps(body, indent=2, ensure_ascii=False) + "\n"
