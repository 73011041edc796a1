"""The published JSON Schemas in the validator editors use (ajv 8, draft 2020-12, Unicode patterns)
agree with `check` on every file: the real catalog, the valid test catalog, every broken case and
the shapes the issue found (`year: "2013"`, `pages: 2503`, block-scalar titles...).

Files go to ajv as the data our own loader made of them, so YAML-level differences (1.1 booleans,
tags, anchors) cannot hide a schema difference. Where `check` refuses a file for a rule a schema
cannot state, the rule is named below and in docs/security.md ("JSON Schemas and `check`").
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import BROKEN, REAL, VALID, assemble
from fieldguide import load, pipeline, schema

HERE = Path(__file__).parent

# Messages of rules a schema cannot express, by docs/security.md's name for them. A problem matching none
# of these is a schema rule: the schema must refuse that file too.
NOT_IN_SCHEMA: dict[str, tuple[str, ...]] = {
    "links to other files": ("unknown reference", "unknown challenge", "unknown step", "unknown facet",
                             "unknown industry", "unknown trait", "unknown stage", "unknown framework",
                             "must also be listed in this entity's references",
                             "cannot be its own published version"),
    "ids unique across files, file named after its id": ("duplicate id", "file must be named",
                                                         "is used twice in this framework"),
    "relations written once": ("relation already written on", "cannot be related to itself"),
    "survey numbers used once": ("is also used by",),
    "retired ids stay retired, successors exist": ("was retired on", "successor '"),
    "graph rules": ("no case study illustrates", "no mitigation addresses", "cited by nothing", "links no challenge",
                    "orphan:", "must cite a source of its own"),
    "prose safety": ("raw HTML", "link target", "images are not allowed", "attribute lists",
                     "catalog prose must not produce"),
    "balanced braces": ("unbalanced braces",),
    "checklist ids start with the challenge id": ("must start with",),
    "framework asks": ("is used twice in this item", "is also asked by", " asks no '",
                       "a requirement two items share"),
}


def _rule(problem: load.Problem) -> str:
    for rule, needles in NOT_IN_SCHEMA.items():
        if any(n in problem.message for n in needles):
            return rule
    covers = ".covers[" in problem.field and ".meets" not in problem.field  # a repeated ask is a schema rule
    if problem.message.endswith("is listed twice") and (problem.field.startswith(("related", "challenges")) or covers):
        return "relations written once"  # unique by one key of an object: not expressible
    if problem.field.startswith(("phrases.", "contexts.", "synonyms[")) and (
            "is listed twice" in problem.message or "a word belongs to one group" in problem.message):
        return "vocabulary words unique"  # compared ignoring case, and across groups: not expressible
    return "schema"


def _schema_name(catalog: Path, path: Path) -> str:
    rel = path.relative_to(catalog)
    return (rel.parts[0] if len(rel.parts) > 1 else rel.stem) + ".schema.json"


def _documents(catalog: Path) -> list[tuple[str, str, object, bool]]:
    """(file, schema name, loader data, check's verdict) for every file the loader can read."""
    problems = pipeline.check(catalog)[1]
    refused = {os.path.realpath(p.path) for p in problems if _rule(p) == "schema"}
    out = []
    for path in sorted(catalog.rglob("*.yaml")):
        if path.is_symlink() or not path.is_file():
            continue
        data, _, parse_problems = load.parse_file(path)
        if parse_problems:  # refused by the loader before any schema (tags, aliases, YAML syntax...)
            continue
        out.append((str(path.relative_to(catalog)), _schema_name(catalog, path), data,
                    os.path.realpath(path) not in refused))
    return out


def _ajv(documents: list[tuple[str, object]]) -> list[dict]:
    payload = {"schemas": schema.json_schema_files(),
               "documents": [{"schema": name, "data": data} for name, data in documents]}
    proc = subprocess.run(["node", str(HERE / "schema_verdicts.mjs")], input=json.dumps(payload), text=True,
                          capture_output=True, check=False, timeout=120, cwd=HERE.parent)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def _overlay(edits: dict[str, Callable[[str], str]]) -> Callable[[Path], None]:
    def apply(catalog: Path) -> None:
        for rel, edit in edits.items():
            path = catalog / rel
            path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    return apply


def _sub(old: str, new: str) -> Callable[[str], str]:
    def edit(text: str) -> str:
        assert old in text, old
        return text.replace(old, new, 1)
    return edit


CASE, REF = "case-studies/twitter-data-discovery.yaml", "references/sculley2015hidden.yaml"
MITIGATION, CHALLENGE = "mitigations/data-catalog-practice.yaml", "challenges/data-discovery.yaml"
# Shapes the issue found, each with the verdict both must give.
SHAPES: dict[str, tuple[Callable[[Path], None], bool]] = {
    "quoted year": (_overlay({CASE: _sub("year: 2013", 'year: "2013"')}), False),
    "quoted survey_ref": (_overlay({REF: _sub("survey_ref: 52", 'survey_ref: "52"')}), False),
    "pages as a number": (_overlay({REF: _sub("pages: 2503–2511", "pages: 2503")}), True),
    "beyond_survey as text": (_overlay({MITIGATION: _sub("beyond_survey: true", 'beyond_survey: "yes"')}), False),
    "beyond_survey: yes": (_overlay({MITIGATION: _sub("beyond_survey: true", "beyond_survey: yes")}), True),
    "summary with trailing spaces": (_overlay({CHALLENGE: _sub(
        "summary: Nobody knows which service holds which data.",
        'summary: "Nobody knows which service holds which data.   "')}), True),
    "block-scalar title": (_overlay({CHALLENGE: _sub("title: Data discovery", "title: |\n  Data discovery\n")}), True),
    "two-line title": (_overlay({CHALLENGE: _sub("title: Data discovery", "title: |\n  Data\n  discovery\n")}), False),
    "blank summary": (_overlay({CHALLENGE: _sub("summary: Nobody knows which service holds which data.",
                                                'summary: "   "')}), False),
    "key figure as a number": (_overlay({CASE: _sub("value: 1", "value: 1.5")}), True),
    "key figure as true": (_overlay({CASE: _sub("value: 1", "value: true")}), False),
    "id with spaces": (_overlay({CASE: _sub("id: twitter-data-discovery", 'id: " twitter-data-discovery"')}), False),
    "reference repeated": (_overlay({CHALLENGE: _sub("references: [paleyes2020challenges, lin2013scaling]",
                                                     "references: [lin2013scaling, lin2013scaling]")}), False),
    "misc without venue": (_overlay({REF: _sub("entry_type: inproceedings", "entry_type: misc")}), True),
    "article without journal": (_overlay({REF: _sub("entry_type: inproceedings", "entry_type: article")}), False),
    "report by an organisation": (_overlay({REF: lambda t: t.replace("entry_type: inproceedings",
                                                                     "entry_type: techreport").replace(
        "authors: [David Sculley, Gary Holt, others]", "corporate_author: Google").replace(
        "booktitle: Advances in neural information processing systems", "institution: Google")}), True),
}


def _catalogs(tmp_path: Path) -> dict[str, Path]:
    out = {"real": REAL, "valid": VALID}
    for case in sorted(p.name for p in BROKEN.iterdir() if p.is_dir()):
        out[f"broken/{case}"] = assemble(BROKEN / case, tmp_path / "broken" / case)
    for name, (apply, _) in SHAPES.items():
        catalog = tmp_path / "shapes" / name.replace(" ", "-") / "catalog"
        shutil.copytree(VALID, catalog)
        apply(catalog)
        out[f"shape/{name}"] = catalog
    return out


@pytest.fixture(scope="module")
def verdicts(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, str, bool, dict]]:
    root = tmp_path_factory.mktemp("schemas")
    old = os.getcwd()
    os.chdir(root)  # problems name files relative to the working directory
    try:
        rows = [(label, *doc) for label, catalog in _catalogs(root).items() for doc in _documents(catalog)]
    finally:
        os.chdir(old)
    results = _ajv([(name, data) for _, _, name, data, _ in rows])
    return [(label, file, check_ok, result) for (label, file, _, _, check_ok), result in zip(rows, results,
                                                                                             strict=True)]


def test_ajv_loads_every_published_schema_with_draft_and_id() -> None:
    assert _ajv([]) == []  # compiling all of them (strict mode, Unicode patterns) raised nothing
    for name, body in schema.json_schema_files().items():
        assert body["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert body["$id"].endswith(f"/downloads/schema/{name}")


def test_ajv_accepts_every_file_of_the_real_and_the_valid_catalog(verdicts) -> None:
    files = [(label, file, r) for label, file, _, r in verdicts if label in ("real", "valid")]
    assert len(files) > 250
    assert [(label, file, r["errors"]) for label, file, r in files if not r["valid"]] == []


def test_schema_and_check_agree_on_every_file(verdicts) -> None:
    """Accepted by check (apart from rules a schema cannot state) exactly when ajv accepts it."""
    disagreements = [(label, file, "check accepts" if check_ok else "check refuses", r["errors"])
                     for label, file, check_ok, r in verdicts if r["valid"] != check_ok]
    assert disagreements == []
    refused = {label for label, _, check_ok, r in verdicts if not check_ok and not r["valid"]}
    assert {"broken/wrong-type", "broken/missing-field", "broken/unknown-key", "broken/bibtex-required",
            "broken/reserved-ids"} <= refused, "the comparison reaches files that fail the schema"


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_each_shape_gets_the_intended_verdict(verdicts, shape: str) -> None:
    edited = {CASE, REF, MITIGATION, CHALLENGE}
    rows = [(check_ok, r["valid"]) for label, file, check_ok, r in verdicts
            if label == f"shape/{shape}" and file in edited]
    expected = SHAPES[shape][1]
    assert rows and all(row == (True, True) for row in rows) if expected else (False, False) in rows, rows


def test_control_characters_are_refused_by_the_schemas_too() -> None:
    """The loader refuses them first; an editor checking a file gets the same answer from the schema."""
    data = load.parse_file(VALID / CHALLENGE)[0]
    docs = []
    for char in ("\x1b", "\x7f", "\x85", "\u202e", "\u2028", "\x00"):
        for field in ("title", "summary", "description"):
            docs.append(("challenges.schema.json", {**data, field: f"Text {char} more"}))
    assert [r["valid"] for r in _ajv(docs)] == [False] * len(docs)
    assert _ajv([("challenges.schema.json", {**data, "description": "Tabs\tand\nlines are fine."})])[0]["valid"]
