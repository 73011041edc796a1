"""A problem and where it stands: `path:line: entity: field: message`, the one shape every reader of
input (catalog, profiles, state files, releases.yaml) reports in, and the two hints they share.

Kept below the catalog model and its readers so that both can use it: the catalog says where each
entity came from (`Source`), the readers and the cross-file rules report through `Problem`.
"""

from __future__ import annotations

import difflib
import functools
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from . import controls

Loc = tuple[str | int, ...]


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the input, printed as `path:line: entity: field: message`."""

    path: str
    line: int
    entity: str
    field: str
    message: str

    def __str__(self) -> str:
        message = " ".join(self.message.split())  # always one line, whatever a library said
        # File names, keys and values quoted in messages may hold line breaks or escape sequences.
        return controls.visible(f"{self.path}:{self.line}: {self.entity}: {self.field}: {message}")


@dataclass
class Source:
    """Where an entity came from: its file and the line of every key and list item in it.

    A worker process reading a large catalog drops the line map of a valid file (`lines` None) and
    leaves `reread`, which rebuilds it from the file if a later check ever needs a line."""

    path: str
    lines: dict[Loc, int] | None = field(default_factory=dict)
    reread: Callable[[], dict[Loc, int]] | None = None

    def line(self, loc: Loc = ()) -> int:
        """Line of `loc`, or of its nearest enclosing key when `loc` itself is absent."""
        if self.lines is None:
            self.lines = self.reread() if self.reread else {}
        while loc not in self.lines and loc:
            loc = loc[:-1]
        return self.lines.get(loc, 1)


def dotted(loc: Iterable[str | int]) -> str:
    """A field's place as messages show it: `checklist[0].covers[1].item`, or `-` for the whole entity."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "-"


def display_path(path: Path) -> str:
    """The path as the user would type it from here (relative when possible)."""
    folder = _display_folder(str(path.parent), os.getcwd())
    return path.name if folder == "." else os.path.join(folder, path.name)


@functools.lru_cache(maxsize=256)
def _display_folder(folder: str, cwd: str) -> str:
    try:
        return os.path.relpath(folder, cwd)
    except ValueError:  # another drive on Windows
        return folder


# ---------------------------------------------------------------- the two hints every reader gives


def unknown(what: str, value: str, pool: Iterable[str], where: str = "", many: bool = False) -> str:
    """"unknown challenge 'x' (did you mean 'y'?)": the message for an id nothing else has; `where`
    goes after the value (": not a step of any stage in stages.yaml").

    Files name the one closest id; a command line (`many`) lists up to three after a semicolon,
    as `fieldguide show` and the other commands that take an id have always done."""
    if many:
        hints = difflib.get_close_matches(value, list(pool), n=3)
        return f"unknown {what} '{value}'{where}" + (f"; did you mean {', '.join(hints)}?" if hints else "")
    return f"unknown {what} '{value}'{where}{did_you_mean(value, pool)}"


def did_you_mean(value: str, pool: Iterable[str]) -> str:
    """` (did you mean 'y'?)` with the closest id of `pool`, or nothing when none is close."""
    hint = difflib.get_close_matches(value, list(pool), n=1)
    return f" (did you mean '{hint[0]}'?)" if hint else ""


def repeats(values: Iterable[str], key: Callable[[str], str] | None = None) -> Iterator[tuple[int, str]]:
    """(position, value) of every value already listed before it (compared by `key` when given):
    what "'x' is listed twice" reports."""
    seen: set[str] = set()
    for i, value in enumerate(values):
        k = key(value) if key else value
        if k in seen:
            yield i, value
        seen.add(k)
