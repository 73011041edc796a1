"""One escaping function per target format, for every writer of the project.

Text a person typed (a project name, an owner, a note, an evidence link) and catalog text placed
where the format would read it as markup go through exactly one of these before they are written:

- HTML text and attribute values (`html_text`, `html_attribute`): no element, attribute or entity.
- Markdown for Python-Markdown and GitHub (`markdown_text`, `markdown_url`, `markdown_cell`): no link,
  image, code span, HTML tag, attribute list or extra table cell.
- pandoc Markdown (`pandoc_text`, `pandoc_metadata`, `pandoc_markdown`): no raw attribute (`{=latex}`),
  raw block, TeX command, math, citation or span, in the body or in the YAML metadata block.
- LaTeX and BibTeX fields (`tex_text`): no control sequence, math or superscript.
- YAML front matter (`yaml_scalar`): one double-quoted string, whatever the text.
- CSV (`csv_cell`, `csv_text`): no spreadsheet formula (OWASP).

The page has the same Markdown and CSV helpers in `engine/escape.js` (`markdownText`, `markdownUrl`,
`markdownCell`, `csvCell`); tests/test_escape.py runs both on the same hostile strings.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
from collections.abc import Iterable

# ---------------------------------------------------------------- HTML


def html_text(value: object) -> str:
    """Text between tags: `&`, `<` and `>` as entities."""
    return html.escape(str(value), quote=False)


def html_attribute(value: object) -> str:
    """A quoted attribute value (single or double quotes): `& < > " '` as entities."""
    return html.escape(str(value), quote=True)


# ---------------------------------------------------------------- Markdown (Python-Markdown, GitHub)

_BLANKS = re.compile(r"[ \t\n\r]+")
# Characters both Python-Markdown and CommonMark honour a backslash escape for, and that start markup:
# links and images ([ ] ( ) !), code spans (`), emphasis (* _), attribute lists ({ }), escapes (\).
_MARKDOWN = re.compile(r"([\\`\[\]()!*_{}])")


def markdown_text(text: str) -> str:
    """User text inline in Markdown: one line, and inert: no link, image, code span, HTML tag,
    attribute list or emphasis can start in it (backslash escapes; `&` and `<` as entities, so an
    entity the person typed stays as typed)."""
    one_line = _BLANKS.sub(" ", text).strip(" ")
    return _MARKDOWN.sub(r"\\\1", one_line.replace("&", "&amp;")).replace("<", "&lt;")


# What may stay as it is inside an autolink: RFC 3986's characters except the brackets. Python-Markdown
# runs its link, image, code and escape patterns *before* autolinks, so `<https://a/)[x](javascript:…)>`
# would otherwise hold a second, live link; without `[` and `]` (and backslash and backtick, which are
# no URL characters) none of those patterns can start.
_URL_KEEP = re.compile(r"[A-Za-z0-9\-._~:/?#@!$&'()*+,;=%]")
_WEB_URL = re.compile(r"^https?://[^\x00-\x20\x7f<>]+$", re.IGNORECASE)


def markdown_url(url: str) -> str:
    """An http(s) address as a Markdown autolink (`<https://...>`), every character a Markdown
    reader could act on percent-encoded (the address still leads to the same place); anything else
    is not made a link at all and comes out as inert text."""
    if not _WEB_URL.match(url):
        return markdown_text(url)
    encoded = "".join(c if _URL_KEEP.match(c) else "".join(f"%{b:02X}" for b in c.encode("utf-8", "replace"))
                      for c in url)
    return f"<{encoded}>"


def markdown_cell(text: object) -> str:
    """Text inside a Markdown table cell: one line, and `|` as an entity, so that neither a pipe nor
    a backslash before one (`a\\|b`) can split the cell."""
    return _BLANKS.sub(" ", str(text)).replace("|", "&#124;")


# ---------------------------------------------------------------- pandoc Markdown

# Backslash-escaped wherever they stand (pandoc's `all_symbols_escapable`): they start raw TeX and
# escapes (\\), code and raw attributes (`), emphasis, sub- and superscript (* _ ~ ^), links, spans,
# citations and footnotes ([ ] @ ^), attributes ({ }), HTML and autolinks (< > &), math ($), and
# curly quotes, ellipses and dashes under `smart` (" ' and a doubled - or .).
_PANDOC = re.compile(r"""([\\`*_\[\]{}<>$@^~&#|"'!]|-(?=-)|\.(?=\.))""")
# At the start of a block: what pandoc would read as a list item (- + 1. 2) a. iv) (c)), a definition
# or a fenced div (:), or at the start of a document a title block (%). The marker's last character is escaped.
_PANDOC_START = re.compile(r"^(?:[-+:%]|\(?(?:[0-9]+|[A-Za-z]|[ivxlcdmIVXLCDM]+)[.)])")


def pandoc_text(text: str) -> str:
    """User text inline in pandoc Markdown (or in a metadata value, which pandoc reads as Markdown):
    one line in which no raw attribute (`` `x`{=latex} ``), raw TeX (`\\input`), math (`$`),
    citation (`@key`), span, link, footnote, list or HTML can start, and which pandoc reads back
    as exactly the characters typed (no curly quotes or dashes either). Common punctuation such as
    `: , ; ( ) -` stays as it is, so the Markdown stays readable."""
    line = _PANDOC.sub(r"\\\1", _BLANKS.sub(" ", text).strip(" "))
    return _PANDOC_START.sub(lambda m: m.group(0)[:-1] + "\\" + m.group(0)[-1], line)


def pandoc_metadata(text: str) -> str:
    """A value in a pandoc YAML metadata block: pandoc reads metadata strings as Markdown, so the
    text is escaped for pandoc first, then written as one YAML double-quoted string."""
    return yaml_scalar(pandoc_text(text))


_CONTROL_WORD = re.compile(r"\\(?=[A-Za-z@])")


def pandoc_markdown(text: str) -> str:
    """Catalog Markdown (already checked: no raw HTML, no attribute list, no TeX command) placed in
    a pandoc document: a backslash that would start a TeX control word is doubled, so pandoc's raw
    TeX can never take it, whatever got past the check."""
    return _CONTROL_WORD.sub(r"\\\\", text)


# ---------------------------------------------------------------- LaTeX and BibTeX

_TEX = {"\\": r"\textbackslash{}", "$": r"\$", "^": r"\textasciicircum{}"}


def tex_text(text: str) -> str:
    """A BibTeX field value for pybtex's writer (which escapes `& % # _ ~` itself but keeps `\\`,
    `$` and `^`): no control sequence, math or superscript can start in it. Braces are kept: they
    group words (protected capitals), and `check` makes them balance."""
    return re.sub(r"[\\$^]", lambda m: _TEX[m.group(0)], text)


# ---------------------------------------------------------------- YAML

_YAML_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff]")


def yaml_scalar(text: object) -> str:
    """One double-quoted YAML scalar (JSON's quoting, which YAML reads the same). Control characters
    are escaped: a raw DEL or C1 would make the whole block unreadable to YAML."""
    quoted = json.dumps(str(text), ensure_ascii=False)
    return _YAML_UNSAFE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", quoted)


# ---------------------------------------------------------------- CSV

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
