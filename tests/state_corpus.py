"""The one corpus of checklist state files that the CLI, the page's import (Node and Chromium) and
ajv are all run over: `states/corpus/accept/` and `refuse/`, plus a few files too large to commit,
written on demand."""

from __future__ import annotations

import json
from pathlib import Path

CORPUS = Path(__file__).parent / "states" / "corpus"
ONE_MIB = 1024 * 1024

# Refused for what a JSON Schema cannot express (the readers check it before or after the schema),
# so ajv, which only applies the schema, accepts these. Every other verdict is the schema's own.
BEYOND_SCHEMA = {
    "lone-surrogate-in-note", "lone-surrogate-in-v1-readiness-key", "surrogates-in-wrong-order",
    "repeated-top-level-key", "repeated-item-key", "repeated-key-escaped-differently", "item-id-listed-twice",
    "v1-readiness-nested-too-deep", "not-utf8", "encoded-surrogate-bytes", "over-1-mib",
}


def _padded(size: int) -> bytes:
    """A valid version 2 file of exactly `size` bytes (the padding is a long note)."""
    head = '{"format": "fieldguide-checklist", "version": 2, "items": [{"id": "data-discovery-source-owners", "note": "'
    tail = '"}]}\n'
    body = head + "x" * (size - len(head) - len(tail)) + tail
    assert len(body.encode()) == size
    return body.encode()


def _spaced(size: int) -> bytes:
    """A valid file of exactly `size` bytes: JSON whitespace after the object."""
    body = b'{"format": "fieldguide-checklist", "version": 2, "items": []}'
    return body + b" " * (size - len(body))


def generated() -> dict[str, tuple[str, bytes]]:
    """name -> (accept|refuse, bytes) for the files too large to keep in git."""
    many = {"format": "fieldguide-checklist", "version": 2, "items": [{"id": f"i{n}"} for n in range(20001)]}
    return {
        "exactly-1-mib": ("accept", _spaced(ONE_MIB)),
        "over-1-mib": ("refuse", _spaced(ONE_MIB + 1)),
        "note-pads-file-to-1-mib": ("refuse", _padded(ONE_MIB)),  # a 1 MiB note: too long for a note, not too big
        "20001-items": ("refuse", json.dumps(many).encode()),
    }


def corpus(tmp: Path) -> list[tuple[str, str, Path]]:
    """(name, accept|refuse, path) for every file: the committed ones and the generated ones in `tmp`."""
    out = [(p.stem, p.parent.name, p) for p in sorted(CORPUS.glob("*/*.json"))]
    for name, (verdict, data) in generated().items():
        path = tmp / f"{name}.json"
        path.write_bytes(data)
        out.append((name, verdict, path))
    return out
