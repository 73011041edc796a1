"""Control characters: which ones stored text may not hold, and how terminal output shows them.

Catalog, profile and checklist-state text is checked after YAML has unescaped it (`"\\e"` and
`"\\x7f"` are one character each by then). Refused: C0 controls except tab and line feed, DEL,
C1 controls, the line/paragraph separators and the bidirectional embeddings, overrides and
isolates (they reorder what a reader sees: "Trojan source"). Tab and line feed stay allowed
because prose needs them; one-line fields refuse line breaks through their own pattern.
"""

from __future__ import annotations

import re

# One character class, written with escapes only, valid in Python `re`, Rust `regex` (pydantic's
# pattern engine) and ECMAScript in Unicode mode (the JSON Schemas reuse it).
CLASS = r"\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069"
_REFUSED = re.compile(f"[{CLASS}]")
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def find(text: str) -> str | None:
    """The first refused character in `text`, or None."""
    match = _REFUSED.search(text)
    return match.group(0) if match else None


def describe(char: str) -> str:
    """`U+001B` for a message."""
    return f"U+{ord(char):04X}"


def refuse(text: str) -> str:
    """Validator: `text` unchanged, or ValueError naming the first refused character."""
    char = find(text)
    if char is not None:
        raise ValueError(f"control character {describe(char)} is not allowed in text")
    return text


def visible(text: str) -> str:
    """`text` for a terminal: every control character (line breaks and tabs included) shown as an
    escape such as `\\n` or `\\x1b`, so output can neither move the cursor nor span lines."""
    return _UNPRINTABLE.sub(_escape, text) if _UNPRINTABLE.search(text) else text


def _escape(match: re.Match[str]) -> str:
    char = match.group(0)
    named = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
    if char in named:
        return named[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
