"""The exported bibliography in the tools its readers use: pybtex's plain, unsrt and alpha styles.

Those styles abort a whole bibliography on the first entry that lacks a field its type requires,
so every entry of the real catalog must carry them (`schema.REQUIRED_FIELDS`, checked by `check`).
"""

from __future__ import annotations

import pybtex.errors
import pytest
from pybtex.database import parse_string
from pybtex.plugin import find_plugin

from conftest import REAL, cli
from fieldguide import load
from fieldguide.schema import REQUIRED_FIELDS


@pytest.fixture(scope="module")
def bibliography():
    result = cli("export", "--catalog", REAL, "--format", "bibtex")
    return parse_string(result.stdout, "bibtex")


@pytest.mark.parametrize("style_name", ["plain", "unsrt", "alpha"])
def test_the_whole_bibliography_formats_in_the_standard_styles(bibliography, style_name: str,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pybtex.errors, "strict", True)  # a warning is an error here
    style = find_plugin("pybtex.style.formatting", style_name)()
    backend = find_plugin("pybtex.backends", "text")()
    formatted = list(style.format_bibliography(bibliography))
    assert len(formatted) == len(bibliography.entries) == len(load.load(REAL).references)
    assert all(entry.text.render(backend).strip() for entry in formatted)


def test_every_entry_has_the_fields_its_type_requires(bibliography) -> None:
    for key, entry in bibliography.entries.items():
        for field in REQUIRED_FIELDS[entry.type]:
            present = entry.persons.get("author") if field == "author" else entry.fields.get(field)
            assert present, f"{key}: @{entry.type} without {field}"
