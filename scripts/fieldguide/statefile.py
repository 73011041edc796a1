"""The checklist state file: read it (validate, convert version 1), merge two of them, write it.

The page does the same in `content/assets/javascripts/statefile.js`; one corpus of files and one set
of golden merge cases (`tests/golden/merge/`) hold both to the same verdicts and results.

Reading refuses, before the schema, what a JSON Schema cannot say: over 1 MiB, not UTF-8, not JSON
(NaN and Infinity included), a key repeated in an object, a lone surrogate (`"\\ud800"`), nesting
deeper than 20 levels; after it, an item id listed twice. Numbers follow JSON Schema: 1.0 is 1.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .files import Unreadable, read_bytes
from .load import Loc, Problem, Source, _dotted, display_path, validate
from .schema import STATE_FORMAT, STATE_VERSION, ChecklistState, ChecklistStateV1, ItemState

MAX_BYTES = 1024 * 1024  # the same limit as catalog files, and the page's import
MAX_DEPTH = 20
ENTITY = "checklist"  # the entity column of problem lines


@dataclass
class StateFile:
    """A valid state file, converted to version 2 items."""

    path: str
    version: int
    items: list[ItemState]
    scope: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- reading


def read(path: Path) -> tuple[StateFile | None, list[Problem]]:
    """Read and validate one state file; every problem as `path:line: checklist: field: message`."""
    shown = display_path(path)
    try:
        # Regular files only (never a FIFO or a device); one byte over the limit so `parse` says "too big".
        raw = read_bytes(path, MAX_BYTES + 1)
    except Unreadable as exc:
        return None, [Problem(shown, 1, ENTITY, "-", str(exc))]
    return parse(raw, shown)


def parse(raw: bytes, shown: str) -> tuple[StateFile | None, list[Problem]]:
    """Validate the bytes of a state file (the page runs the same steps in the same order)."""
    source = Source(shown)

    def fail(message: str, line: int = 1, loc: Loc = ()) -> tuple[None, list[Problem]]:
        return None, [Problem(shown, line, ENTITY, _dotted(loc), message)]

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
    v1 = type(data.get("version")) is int and data["version"] == 1  # the schema's if/then/else
    model = ChecklistStateV1 if v1 else ChecklistState
    parsed, problems = validate(data, model, source, ENTITY)
    if parsed is None:
        return None, problems
    seen: dict[str, int] = {}
    for i, item in enumerate(parsed.items):
        if item.id in seen:
            return fail(f"'{item.id}' is listed twice (first at items[{seen[item.id]}])",
                        source.line(("items", i, "id")), ("items", i, "id"))
        seen[item.id] = i
    items = [i.upgrade() for i in parsed.items] if v1 else list(parsed.items)
    return StateFile(shown, parsed.version, items, list(parsed.scope)), []


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


# ---------------------------------------------------------------- merging

# The rule table, per item id present on both sides (local = what you have, incoming = the file):
#
#   same content (status, reason, owner, note, evidence)      -> keep local      "unchanged"
#   incoming blank (open, nothing written)                     -> keep local      "unchanged"
#   local blank, incoming not                                  -> take incoming   "changed"
#   incoming.updated later than local.updated                  -> take incoming   "changed"
#   incoming.updated earlier                                   -> keep local      "unchanged"
#   same updated (or both unknown), different content          -> keep local      "conflict"
#
# An unknown `updated` (version 1 files) is older than any time. Ids on one side only are kept:
# incoming-only ones are "new" unless blank; local-only ones (orphans included) stay as they are.
RULES = ("same", "incoming-blank", "local-blank", "incoming-later", "local-later", "conflict")


def decide(local: ItemState, incoming: ItemState) -> tuple[ItemState, str]:
    """The rule that applies to one item present on both sides, and the item it keeps."""
    if local.content == incoming.content:
        return local, "same"
    if incoming.blank:
        return local, "incoming-blank"
    if local.blank:
        return incoming, "local-blank"
    mine, theirs = local.updated or "", incoming.updated or ""
    if theirs > mine:
        return incoming, "incoming-later"
    if theirs < mine:
        return local, "local-later"
    return local, "conflict"


REPORTED_AS = {"same": "unchanged", "incoming-blank": "unchanged", "local-blank": "changed",
               "incoming-later": "changed", "local-later": "unchanged", "conflict": "conflict"}


@dataclass
class Merged:
    items: list[ItemState]
    new: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    conflicts: list[tuple[ItemState, ItemState]] = field(default_factory=list)  # (kept local, incoming)

    def report(self) -> dict[str, list[str]]:
        return {"new": self.new, "changed": self.changed, "unchanged": self.unchanged,
                "conflicts": [local.id for local, _ in self.conflicts]}


def merge(local: list[ItemState], incoming: list[ItemState]) -> Merged:
    """Merge incoming items into local ones, item by item (see RULES); local order first."""
    theirs = {i.id: i for i in incoming}
    mine = {i.id for i in local}
    out = Merged([])
    for item in local:
        other = theirs.get(item.id)
        if other is None:
            out.items.append(item)
            continue
        kept, rule = decide(item, other)
        out.items.append(kept)
        kind = REPORTED_AS[rule]
        if kind == "conflict":
            out.conflicts.append((item, other))
        else:
            getattr(out, kind).append(item.id)
    for item in incoming:
        if item.id not in mine:
            out.items.append(item)
            if not item.blank:
                out.new.append(item.id)
    return out


# ---------------------------------------------------------------- writing


def item_json(item: ItemState) -> dict[str, Any]:
    """An item as written to files: the five v1 fields always, the others when set."""
    body = item.model_dump()
    return {k: v for k, v in body.items() if k in ("id", "status", "reason", "owner", "note") or v}


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def dump(items: list[ItemState], scope: list[str] | None = None, exported: str | None = None,
         catalog_version: str | None = None) -> str:
    """A version 2 state file."""
    body: dict[str, Any] = {"format": STATE_FORMAT, "version": STATE_VERSION, "exported": exported or now()}
    if catalog_version:
        body["catalog_version"] = catalog_version
    if scope:
        body["scope"] = scope
    body["items"] = [item_json(i) for i in items]
    return json.dumps(body, indent=2, ensure_ascii=False) + "\n"
