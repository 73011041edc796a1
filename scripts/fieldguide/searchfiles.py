"""The search index as the site ships it, under `search/`: written, read back and checked.

Pagefind's layout (an entry file, postings in chunks by term range, document fragments), not its
ranking. The entry file `search/index.json` holds what every question needs before any postings: the
parameters, the lexicon (for completions and near spellings), the synonyms, the maps of chunks and
fragments, the number of documents of each type (documents are numbered type by type) and, per
document, what the top hit rule needs to know which titles it must read. A question then fetches the
chunks of the terms its words may stand for and the fragments of the documents it shows
(`content/assets/javascripts/engine/search.js`).

The parts are named by a hash of their kind's contents, so a cached part is never from another build;
`check_folder` holds a built site to exactly these files. Standard library only: the output check
imports it, and a build whose inputs did not change imports nothing heavier.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

LAYOUT_VERSION = 2  # engine/search.js reads this version only
FOLDER = "search"
ENTRY = "index.json"  # the one file with a fixed name
# A chunk closes once its terms and postings reach this many characters (a term's postings are never
# split; Pagefind closes its chunks by a count of postings the same way): about 1 KB gzipped at 1x.
CHUNK_CHARS = 2000
FRAGMENT_DOCS = 8  # documents per fragment: [type, id, title, meta, snippet] each
# Keys of the entry that are the layout's own; every other key is `search.build_index`'s, as it was.
OWN = ("layout", "counts", "names", "line_only", "terms", "chunks", "fragment_docs", "parts")


def dump(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")) + "\n"


def _names(kind: str, texts: list[str]) -> list[str]:
    """The file names of one kind of part: its letter, the hash of all of them (one hash in the entry,
    not one per part: the entry stays small) and its number."""
    digest = hashlib.sha256("\0".join(texts).encode()).hexdigest()[:12]
    return [f"{kind}-{digest}-{k}.json" for k in range(len(texts))]


def split(data: dict[str, Any], names: str, line_only: list[str]) -> dict[str, str]:
    """`search.build_index`'s data as files under `search/` (path -> text); `names` and `line_only` are
    the top hit rule's per-document codes and title-only terms (`search.layout` works them out)."""
    docs, terms = data["docs"], list(data["terms"])
    if terms != sorted(terms) or [d[0] for d in docs] != sorted(d[0] for d in docs):
        raise ValueError("the index must list its terms in order and its documents type by type")
    chunks: list[str] = []
    starts: list[int] = []
    start, size = 0, 0
    for i, t in enumerate(terms):
        size += len(t) + len(data["terms"][t])
        if size >= CHUNK_CHARS or i == len(terms) - 1:
            chunks.append(dump({"first": start, "postings": [data["terms"][x] for x in terms[start:i + 1]]}))
            starts.append(start)
            start, size = i + 1, 0
    fragments = [dump({"first": first, "docs": docs[first:first + FRAGMENT_DOCS]})
                 for first in range(0, len(docs), FRAGMENT_DOCS)]
    chunk_names, fragment_names = _names("p", chunks), _names("d", fragments)
    entry = {k: v for k, v in data.items() if k not in ("docs", "terms")}
    entry.update({"layout": LAYOUT_VERSION, "counts": [sum(d[0] == k for d in docs) for k in range(len(data["types"]))],
                  "names": names, "line_only": line_only, "terms": terms, "chunks": starts,
                  "fragment_docs": FRAGMENT_DOCS,
                  "parts": {kind: found[0].split("-")[1] if found else ""
                            for kind, found in (("p", chunk_names), ("d", fragment_names))}})
    out = {f"{FOLDER}/{ENTRY}": dump(entry)}
    out.update({f"{FOLDER}/{n}": t for n, t in zip(chunk_names + fragment_names, chunks + fragments, strict=True)})
    return out


def parts(entry: dict[str, Any]) -> list[str]:
    """The part files an entry names: chunks, then fragments."""
    docs = sum(entry["counts"])
    count = {"p": len(entry["chunks"]), "d": -(-docs // entry["fragment_docs"])}
    return [f"{kind}-{entry['parts'][kind]}-{k}.json" for kind in ("p", "d") for k in range(count[kind])]


def read(read_file: Callable[[str], str]) -> dict[str, Any]:
    """`search.build_index`'s data again from the files `split` wrote (`read_file(name)`: a file's text,
    by its name under `search/`). A part that is missing, altered or from another build raises
    ValueError (OSError from `read_file` passes through)."""
    try:
        entry = json.loads(read_file(ENTRY))
        if not isinstance(entry, dict) or entry.get("layout") != LAYOUT_VERSION:
            raise ValueError(f"{ENTRY}: not a layout {LAYOUT_VERSION} search index")
        names = parts(entry)
    except (KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"{ENTRY}: not a search index entry ({exc})") from exc
    texts = {name: read_file(name) for name in names}
    for kind in ("p", "d"):
        mine = [n for n in names if n.startswith(kind)]
        if mine != _names(kind, [texts[n] for n in mine]):
            raise ValueError(f"{kind}-*.json: the parts do not match their names (altered, or from another build)")
    lexicon, bounds = entry["terms"], [*entry["chunks"], len(entry["terms"])]
    data = {k: v for k, v in entry.items() if k not in OWN}
    terms: dict[str, str] = {}
    docs: list[Any] = []
    for name in names:
        part = json.loads(texts[name])
        k = int(name.rsplit("-", 1)[1].removesuffix(".json"))
        if name.startswith("p"):
            if part.get("first") != bounds[k] or len(part.get("postings", [])) != bounds[k + 1] - bounds[k]:
                raise ValueError(f"{name}: holds other terms than {ENTRY} says")
            terms.update(zip(lexicon[bounds[k]:bounds[k + 1]], part["postings"], strict=True))
        else:
            if part.get("first") != k * entry["fragment_docs"]:
                raise ValueError(f"{name}: holds other documents than {ENTRY} says")
            docs += part["docs"]
    data.update(docs=docs, terms=terms)
    return data


def check_folder(site: Path) -> list[str]:
    """Problems with a built site's `search/` folder, as `path: message` lines: it holds the entry file
    and exactly the parts it names, each as written (no part missing, altered or left from another
    build, and no other file, which no check of its kind would otherwise catch)."""
    folder = site / FOLDER
    if not folder.is_dir():
        return []
    present = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if not p.is_dir()}
    if ENTRY not in present:
        return [f"{FOLDER}/{ENTRY}: missing, but {FOLDER}/ holds {len(present)} other files"]
    try:
        entry = json.loads((folder / ENTRY).read_text(encoding="utf-8"))
        named = {ENTRY, *parts(entry)}
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        return [f"{FOLDER}/{ENTRY}: not a search index entry ({exc})"]
    out = [f"{FOLDER}/{name}: not part of the search index ({FOLDER}/{ENTRY} names no such file)"
           for name in sorted(present - named)]
    out += [f"{FOLDER}/{name}: named by {FOLDER}/{ENTRY} but missing" for name in sorted(named - present)]
    if not out:
        try:
            read(lambda name: (folder / name).read_text(encoding="utf-8"))
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            out.append(f"{FOLDER}/: {exc}")
    return out
