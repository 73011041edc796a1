"""Text people typed (notes, owners, reasons), made safe for the files we write.

The page has the same two helpers in `store.js` (`csvCell`, `markdownText`).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable

# OWASP, CSV Injection: a cell starting with one of these is read as a formula by spreadsheets.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def csv_cell(value: object) -> str:
    """A spreadsheet-safe cell: a leading single quote when the text could start a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_text(rows: Iterable[Iterable[object]]) -> str:
    """CSV (RFC 4180 quoting, `\\n` line ends) with every cell passed through `csv_cell`."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
    return out.getvalue()


_BLANKS = re.compile(r"[ \t\n\r]+")
_MARKDOWN = re.compile(r"([\\`\[\]()!])")


def markdown_text(text: str) -> str:
    """User text inline in Markdown: one line, and inert: no link, image, code span or HTML tag can
    start in it (backslash escapes for \\ ` [ ] ( ) !, and `<` as an entity)."""
    one_line = _BLANKS.sub(" ", text).strip(" ")
    return _MARKDOWN.sub(r"\\\1", one_line).replace("<", "&lt;")
