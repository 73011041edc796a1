"""The data files page scripts read, written so that a page fetches only what it shows.

A page's data (the planner's, the citation basket's) is one logical JSON object; its large tables
(records by id: challenges' texts, brief sections, BibTeX, formatted citations) grow with the
catalog, so they are split out of it into chunks. `split` writes the object without those tables
as `<folder>/data.json` (the file the page fetches first) and each table in chunks of at most
16 or 64 KB (`TABLES`), records kept in their order, each chunk named by the hash of its content
(`<folder>/<table>-<hash>.json`): a cached chunk can never be read for a newer build's. The core
file says where each record is: `parts[table] = {"files": [...], "at": {id: file index}}`, where
`table` is the dotted path of the table in the logical object (`brief.sections`).

The one reader is the page's (`engine/parts.js`): it fetches the chunks holding the records it
needs and puts them back at their path, so the page's engines see the logical object. The
command line (`fieldguide plan`, `brief`, `cite`) works from the catalog and reads none of this.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

# Raw bytes of a chunk (a record larger than that gets a chunk of its own). Small chunks waste little
# when a page needs a few records; large ones compress better and take fewer requests when it needs
# them all. At 1× a basket of one page then fetches 17 KB (gzip) instead of 56 KB, one of every page 73.
WHOLE, FEW = 64_000, 16_000
CORE = "data.json"


def dumps(value: object) -> str:
    """JSON as the site ships it: compact, UTF-8 as is, one final newline."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")) + "\n"


def _chunks(table: dict[str, Any], limit: int) -> list[dict[str, Any]]:
    """The table's records in order, cut into consecutive chunks of at most `limit` bytes."""
    out: list[dict[str, Any]] = []
    size = 0  # bytes of the last chunk's text
    for rid, record in table.items():
        alone = len(dumps({rid: record}).encode())  # `{"id":{...}}` and the newline
        if out and size + alone - 2 <= limit:  # joined by a comma, without its own braces and newline
            out[-1][rid] = record
            size += alone - 2
        else:
            out.append({rid: record})
            size = alone
    return out


def split(folder: str, data: dict[str, Any], tables: dict[str, int]) -> dict[str, str]:
    """`{site path: text}`: `folder/data.json` (the object without `tables`, plus `parts`) and the
    chunks of each table (a dotted path in `data` to a dict of records by id), each chunk at most
    the table's limit in bytes."""
    core: dict[str, Any] = json.loads(json.dumps(data))  # a deep copy: the caller's object stays whole
    files: dict[str, str] = {}
    parts: dict[str, Any] = {}
    for table, limit in tables.items():
        *parents, key = table.split(".")
        holder = core
        for name in parents:
            holder = holder[name]
        records = holder.pop(key)
        names, at = [], {}
        for chunk in _chunks(records, limit):
            text = dumps(chunk)
            name = f"{folder}/{key.replace('_', '-')}-{hashlib.sha256(text.encode()).hexdigest()[:12]}.json"
            files[name] = text
            at.update(dict.fromkeys(chunk, len(names)))
            names.append(name)
        parts[table] = {"files": names, "at": at}
    if "parts" in core:
        raise ValueError(f"{folder}/{CORE} has its own 'parts' key")
    core["parts"] = parts
    return {f"{folder}/{CORE}": dumps(core), **files}


def is_part(name: str) -> bool:
    """Whether a site path is a page data file (a core file or a chunk) of `split`."""
    folder, _, file = name.partition("/")
    return folder in FOLDERS and "/" not in file and file.endswith(".json")


FOLDERS = frozenset({"planner", "citations"})
# What is split out of each, in the logical object, with its chunks' size: what the page needs only
# for what it shows.
TABLES: dict[str, dict[str, int]] = {
    # the ranking (weights, order, suggestions) stays in the core; the planner lists every challenge
    # (their texts are fetched whole, as the checklists' exports need them); a brief's sections and
    # BibTeX are fetched for the challenges, case studies and mitigations chosen; of the index of the
    # challenges' contexts and of the deployments, the entry and the parts a description needs, once one
    # is written
    "planner": {"challenges": WHOLE, "brief.sections": FEW, "brief.case_studies": FEW, "brief.mitigations": FEW,
                "brief.references": FEW, "ranking.contexts": FEW, "ranking.deployments": FEW},
    # pages and references are fetched for the pages in the reader's basket and their sources
    "citations": {"pages": FEW, "references": FEW},
}
