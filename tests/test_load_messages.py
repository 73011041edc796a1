"""The loader's refusals, in-process and one by one: the exact line and message a contributor reads.

test_hostile.py runs the dangerous inputs (alias bombs, huge nesting) in a memory-capped process;
here the small ones go through `parse_file` and `validate` directly, so every branch is pinned.
"""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from conftest import VALID
from fieldguide import DEFAULT_SITE_URL, load, pipeline, schema
from fieldguide.schema import (
    CaseStudy,
    Challenge,
    ChecklistItem,
    ChecklistState,
    Framework,
    Mitigation,
    Profile,
    Reference,
    Vocabulary,
)

DEEP = "".join(f"{'  ' * i}k{i}:\n" for i in range(23)) + "  " * 23 + "leaf: 1\n"
DEEP_LIST = "k:\n" + "".join(f"{'  ' * i}- \n" for i in range(1, 24)) + "  " * 24 + "- leaf\n"


@pytest.mark.parametrize(("text", "line", "message"), [
    (b"id: a\ntitle: b\x00c\n", 2, "file contains a NUL byte (binary?)"),
    (b"id: a\ntitle: ok\nnote: caf\xe9\n", 3, "file is not UTF-8 text"),
    (b"id: a\ntitle: \x07bell\n", 2, "character #x0007 is not allowed in YAML (control character?)"),
    (b"# only a comment\n", 1, "file is empty"),
    (b"   \n\n", 1, "file is empty"),
    (b"- a\n- b\n", 1, "expected a mapping of keys to values, found list"),
    (b"id: a\n? [x, y]\n: z\n", 2, "keys must be plain text"),
    (b"id: a\ntitle: !!set {x, y}\n", 2, "YAML tag '!!set' is not allowed"),
    (b"a: &x 1\nb: *x\nc: *x\n", 2, "anchors and aliases are not allowed"),  # reported once, not per alias
    (DEEP.encode(), 22, "nested deeper than 20 levels"),
    (DEEP_LIST.encode(), 22, "nested deeper than 20 levels"),
    # Line numbers count from the top of the file, blank first lines included.
    (b"\nid: a\ntitle: b\x00c\n", 3, "file contains a NUL byte (binary?)"),
    (b"\n\nid: a\nnote: caf\xe9\n", 4, "file is not UTF-8 text"),
    (b"\nid: a\ntitle: \x07bell\n", 3, "character #x0007 is not allowed in YAML (control character?)"),
    # An error that starts where it is found says no "started at"; one that spans lines does.
    (b"id: a\ntitle: @b\n", 2, "YAML does not parse: while scanning for the next token found character that "
                                "cannot start any token"),
    (b"id: a\n\ttitle: b\n", 2, "YAML does not parse: while scanning a plain scalar found a tab character that "
                                "violates indentation (started at line 1)"),
    # Values PyYAML cannot build are quoted safely (escape sequences made visible) and briefly.
    (b'n: !!int "\\e[31mx"\n', 1, "'\\x1b[31mx' is not a valid !!int value"),
    (b'n: !!int "' + b"x" * 41 + b'"\n', 1, "'" + "x" * 40 + "…' is not a valid !!int value"),
    (b'n: !!int "' + b"x" * 40 + b'"\n', 1, "'" + "x" * 40 + "' is not a valid !!int value"),
    # Integers must fit in 64 bits (JSON readers lose precision beyond).
    (b"n: 9223372036854775808\n", 1, "number is too large (more than 64 bits)"),
    (b"n: -9223372036854775809\n", 1, "number is too large (more than 64 bits)"),
    # A refused key's value is not even read (its bad tag goes unreported): one problem per mistake.
    (b"id: a\n1: !!binary aGk=\n", 2, "key '1' must be text: write it in quotes"),
    (b'id: a\n"b\\a": !!binary aGk=\n', 2, "control character U+0007 is not allowed in text"),
    (b"id: a\nid: !!binary aGk=\n", 2, "duplicate key (first at line 1)"),
])
def test_parse_file_refuses_with_line_and_reason(tmp_path: Path, text: bytes, line: int, message: str) -> None:
    path = tmp_path / "entry.yaml"
    path.write_bytes(text)
    data, _, problems = load.parse_file(path, "entry.yaml")
    assert data is None
    assert [(p.path, p.line, p.entity, p.message) for p in problems] == [("entry.yaml", line, "entry", message)]


def test_parse_file_refuses_a_file_over_the_size_limit_before_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_bytes(b"#" * (load.MAX_FILE_BYTES + 1))
    _, _, problems = load.parse_file(path, "big.yaml")
    assert [(p.line, p.message) for p in problems] == [
        (1, f"file is {load.MAX_FILE_BYTES + 1} bytes; the limit is 1048576 bytes")]
    path.write_bytes(b"id: a\n" + b"#" * (load.MAX_FILE_BYTES - 6))  # exactly at the limit: fine
    data, _, problems = load.parse_file(path, "big.yaml")
    assert problems == [] and data == {"id": "a"}


def test_parse_file_keeps_plain_values_and_the_line_of_every_key(tmp_path: Path) -> None:
    path = tmp_path / "entry.yaml"
    path.write_text("id: a\nyear: 2020\nflags: [true, null]\nitems:\n  - x: 1.5\nlow: -9223372036854775808\n",
                    encoding="utf-8")
    data, source, problems = load.parse_file(path, "entry.yaml")
    assert problems == []
    assert data == {"id": "a", "year": 2020, "flags": [True, None], "items": [{"x": 1.5}], "low": -2**63}
    assert source.line(("items", 0, "x")) == 5 and source.line(("flags", 1)) == 3
    assert source.line(("items", 3, "missing")) == 4, "an absent key: the line of its nearest parent"
    assert load.Source("gone.yaml", {}).line(("id",)) == 1, "no line known at all: the top of the file"


@pytest.mark.parametrize(("model", "data", "field", "message"), [
    (Challenge, {"survey_section": "three"}, "survey_section", 'must be a section number such as "3.1" (quote it)'),
    (Challenge, {"title": "  "}, "title", "must not be empty"),
    (Challenge, {"title": 5}, "title", 'must be text; write it in quotes ("5")'),
    (Challenge, {"title": ["a"]}, "title", "input should be a valid string"),
    (Challenge, {"step": "Data_Collection"}, "step", "must be a lowercase kebab-case id such as 'data-discovery'"),
    (Challenge, {"checklist": []}, "checklist", "needs at least 1 item(s)"),
    (Challenge, {"colour": "blue"}, "colour", "unknown key"),
    (Challenge, {"description": "a\x07b"}, "description", "must be text without control characters"),
    (Mitigation, {"url": "ftp://example.org/"}, "url",
     "must be an http:// or https:// URL without spaces, quotes, braces or backslashes"),
    (Mitigation, {"kind": "gadget"}, "kind", "must be one of 'tool', 'service', 'practice', 'framework', "
                                             "'architecture' or 'technique'"),
    (Mitigation, {"references": []}, "references", "must cite at least one reference: the survey where it names "
     "this, or the paper, documentation, study or regulation it rests on"),
    (Reference, {"doi": "doi.org/10.1/x"}, "doi",
     "must be a DOI such as 10.1145/3533378 (after the slash only letters, digits and - . _ ; ( ) / :)"),
    # Braces, quotes and backslashes would end the BibTeX field or the export (a traceback before).
    (Reference, {"doi": "10.1145/35}33378"}, "doi",
     "must be a DOI such as 10.1145/3533378 (after the slash only letters, digits and - . _ ; ( ) / :)"),
    (Reference, {"url": "https://example.org/{x"}, "url",
     "must be an http:// or https:// URL without spaces, quotes, braces or backslashes"),
    (CaseStudy, {"year": 1850}, "year", "input should be greater than or equal to 1900"),
])
def test_validation_messages_say_what_to_write(model: type, data: dict, field: str, message: str) -> None:
    valid = {Challenge: {"id": "a", "title": "T", "step": "s", "summary": "S.", "description": "D.",
                         "checklist": [{"id": "a-x", "text": "X."}], "survey_section": "3.1", "order": 1},
             Mitigation: {"id": "m", "title": "T", "kind": "tool", "summary": "S.", "beyond_survey": False,
                          "challenges": [{"challenge": "a", "how": "H."}], "references": ["r"]},
             Reference: {"id": "r", "entry_type": "misc", "title": "T", "year": 2020},
             CaseStudy: {"id": "c", "title": "T", "organization": "O", "industry": "i", "year": 2020,
                         "summary": "S.", "what_happened": "W.", "lessons": ["L."],
                         "challenges": [{"challenge": "a", "how": "H."}], "references": ["r"],
                         "survey_section": "1"}}[model]
    source = load.Source("x.yaml", {(): 1, (field,): 7})
    obj, problems = load.validate({**valid, **data}, model, source, "x")
    assert obj is None
    assert [str(p) for p in problems] == [f"x.yaml:7: x: {field}: {message}"]


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"format": "checklist"}, "format", "must be 'fieldguide-checklist'"),  # one allowed value: no "one of"
    ({"version": 4}, "version", "must be 3"),
])
def test_a_state_file_hears_what_its_header_must_say(data: dict, field: str, message: str) -> None:
    source = load.Source("s.json", {(): 1, (field,): 2})
    state = {"format": "fieldguide-checklist", "version": 3, "items": [], **data}
    _, problems = load.validate(state, ChecklistState, source, "checklist")
    assert [str(p) for p in problems] == [f"s.json:2: checklist: {field}: {message}"]


def test_a_choice_of_two_reads_as_one_of_two() -> None:
    framework = yaml.safe_load((VALID / "frameworks" / "example-rubric.yaml").read_text(encoding="utf-8"))
    source = load.Source("f.yaml", {(): 1, ("kind",): 4})
    _, problems = load.validate({**framework, "kind": "paper"}, Framework, source, "f")
    assert [str(p) for p in problems] == ["f.yaml:4: f: kind: must be one of 'publication' or 'software'"]


@pytest.mark.parametrize(("model", "data", "loc", "message"), [
    # A framework item is "<framework>:<item>", not a plain id: the message says so, not "kebab-case id".
    (ChecklistItem, {"id": "a-x", "text": "X.", "covers": [{"item": "Deon-b1", "meets": ["x"]}]}, "covers[0].item",
     "must be a framework item such as 'deon:d-2' (the framework's id, a colon and the item's id, "
     "both lowercase kebab-case)"),
    (Vocabulary, {"synonyms": [["launch", "--"]]}, "synonyms[0][1]",
     "must be one line of text with at least one letter or digit"),
])
def test_every_pattern_has_its_own_explanation(model: type, data: dict, loc: str, message: str) -> None:
    _, problems = load.validate(data, model, load.Source("x.yaml", {(): 1}), "x")
    assert [f"{p.field}: {p.message}" for p in problems] == [f"{loc}: {message}"]


def test_every_pattern_is_explained_unless_clearest_as_written() -> None:
    """No pattern of a catalog, profile or state file falls back to printing the regular expression,
    except the few whose expected form (a DOI, an arXiv id, a commit, a date) reads best as written."""
    def patterns(node: object) -> Iterator[str]:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "pattern" and isinstance(value, str):
                    yield value
                elif key != "not":  # a pattern an id must not match: `check` words that rule itself
                    yield from patterns(value)
        elif isinstance(node, list):
            for value in node:
                yield from patterns(value)

    documents = [*schema.json_schemas().values(), schema.state_json_schema(DEFAULT_SITE_URL),
                 Profile.model_json_schema()]
    as_written = {r"^\d{4}\.\d{4,5}$", r"^[0-9a-f]{40}$", r"^\d{4}(?:-\d{2}-\d{2})?$",
                  r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}
    found = {p for document in documents for p in patterns(document)}
    assert schema.FRAMEWORK_ITEM in found and schema.PHRASE in found
    assert found - set(schema.PATTERN_TEXT) <= as_written


def test_a_problem_prints_on_one_line() -> None:
    problem = load.Problem("a.yaml", 3, "a", "title", "first line\n   second   line")
    assert str(problem) == "a.yaml:3: a: title: first line second line"


def test_paths_are_shown_as_the_user_would_type_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path)
    assert load.display_path(tmp_path / "x.yaml") == "x.yaml"
    assert load.display_path(tmp_path / "sub" / "x.yaml") == os.path.join("sub", "x.yaml")
    monkeypatch.chdir(tmp_path / "sub")
    assert load.display_path(tmp_path / "x.yaml") == os.path.join("..", "x.yaml")


def test_load_raises_with_every_problem(tmp_path: Path) -> None:
    missing = tmp_path / "nothing-here"
    with pytest.raises(load.CatalogError) as err:
        load.load(missing)
    assert str(err.value) == "1 problem(s) in the catalog"
    assert [p.message for p in err.value.problems] == ["catalog folder not found"]


def test_phase_timings_add_up_per_phase(monkeypatch: pytest.MonkeyPatch) -> None:
    """`fieldguide bench` reads these; a clock that ticks once per call makes them exact."""
    ticks = itertools.count()
    monkeypatch.setattr(load.time, "perf_counter", lambda: float(next(ticks)))
    timings: dict[str, float] = {}
    _, problems = load.load_with_problems(VALID, timings)
    assert problems == []
    # parse: stages.yaml, facets.yaml, retired.yaml, then every entity file at once (the valid catalog
    # has no vocabulary.yaml); validate: the same single files
    assert timings == {"parse": 4.0, "validate": 3.0, "links": 1.0}


def test_a_catalog_without_findings_is_fine_and_the_root_may_be_text(tmp_path: Path) -> None:
    """An entity folder may be missing altogether; the catalog folder may be given as a string."""
    catalog = tmp_path / "catalog"
    shutil.copytree(VALID, catalog)
    shutil.rmtree(catalog / "findings")
    cat, problems = load.load_with_problems(str(catalog))
    assert problems == [] and cat.findings == {} and len(cat.challenges) == 3


def test_parse_bytes_refuses_bytes_over_the_size_limit() -> None:
    """`fieldguide diff` hands a git blob's bytes to parse_bytes; the cap holds there too (the size from
    the tree refuses a large blob first; this is the check behind it)."""
    _, _, problems = load.parse_bytes(b"#" * (load.MAX_FILE_BYTES + 1), "ref:x.yaml", "x")
    assert [str(p) for p in problems] == [f"ref:x.yaml:1: x: -: file is {load.MAX_FILE_BYTES + 1} bytes; "
                                          "the limit is 1048576 bytes"]


def test_a_pattern_without_words_of_its_own_is_shown_as_it_is() -> None:
    """Every pattern of the catalog has a sentence (schema.PATTERN_TEXT); one without still says what it wants."""
    from typing import Annotated

    from pydantic import BaseModel, StringConstraints

    class Code(BaseModel):
        code: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]

    _, problems = load.validate({"code": "abc"}, Code, load.Source("c.yaml", {(): 1, ("code",): 2}), "c")
    assert [str(p) for p in problems] == ["c.yaml:2: c: code: does not match the expected form ^[A-Z]{3}$"]


def test_only_a_build_keeps_the_files_it_read() -> None:
    """`check` keeps no copy of the files' data (at 100x that was 40 % more memory); a build keeps it for
    the changelog, which then reads nothing twice."""
    assert load.load(VALID).files == {}
    assert load.load_with_problems(VALID)[0].files == {}
    assert load.read(VALID)[0].files == {}
    kept = load.load(VALID, keep_files=True).files
    assert "stages.yaml" in kept and "challenges/data-discovery.yaml" in kept


def test_text_fields_name_every_string_with_its_file_and_line() -> None:
    """Where the build looks for the input behind a finding in its output: facets included."""
    fields = [(where.split("/")[-1], text) for where, text in load.text_fields(load.load(VALID))]
    assert ("facets.yaml:6: healthcare: title", "Healthcare") in fields
    assert ("data-discovery.yaml:2: data-discovery: title", "Data discovery") in fields


# ---------------------------------------------------------------- deployments, one file per author

def _deployment(pid: str, bit: str = "data-profiling") -> str:
    return f"""  - id: {pid}
    name: "Deployment {pid}"
    description: >-
      Shoppers click on the items we rank highest.
    bit: [{bit}]
    split: dev
    source:
      title: "Source of {pid}"
      url: "https://example.org/{pid}"
      says: >-
        Its ranking fed on its own clicks.
"""


def _write_deployments(catalog: Path, files: dict[str, list[str]]) -> None:
    for rel, entries in files.items():
        path = catalog / rel
        path.parent.mkdir(exist_ok=True)
        path.write_text("deployments:\n" + "".join(entries), encoding="utf-8")


def test_every_file_of_the_deployments_folder_is_read_in_name_order(valid_catalog: Path) -> None:
    """Two authors' files, the folder's README and a deployments.yaml beside it: every deployment is read,
    the single file first and then the folder by name, and a problem names the file and line it is in."""
    _write_deployments(valid_catalog, {"deployments.yaml": [_deployment("old")],
                                       "deployments/zeta.yaml": [_deployment("z1"), _deployment("z2")],
                                       "deployments/alpha.yaml": [_deployment("a1")]})
    (valid_catalog / "deployments" / "README.md").write_text("# Deployments\n", encoding="utf-8")
    cat, problems = pipeline.check(valid_catalog)
    assert problems == []
    assert list(cat.deployments) == ["old", "a1", "z1", "z2"]
    assert load.load(valid_catalog, keep_files=True).files.keys() >= {"deployments.yaml", "deployments/alpha.yaml",
                                                                      "deployments/zeta.yaml"}
    _write_deployments(valid_catalog, {"deployments/zeta.yaml": [_deployment("z1"), _deployment("z2", "nope")]})
    messages = [str(p) for p in pipeline.check(valid_catalog)[1]]
    assert messages == ["catalog/deployments/zeta.yaml:17: z2: bit[0]: unknown challenge 'nope'"]


@pytest.mark.parametrize(("first", "second"), [("alpha", "zeta"), ("zeta", "alpha")])
def test_an_id_used_in_two_deployments_files_is_refused_where_it_is_read_second(
        valid_catalog: Path, first: str, second: str) -> None:
    """Two authors who pick the same id, whichever file sorts first: the later one is refused with the
    place of the earlier, and the earlier one is kept as it is."""
    _write_deployments(valid_catalog, {f"deployments/{first}.yaml": [_deployment("same", "data-profiling")],
                                       f"deployments/{second}.yaml": [_deployment("other"), _deployment("same")]})
    later, earlier = sorted([first, second], reverse=True)
    where = {first: 2, second: 13}
    cat, problems = load.load_with_problems(valid_catalog)
    assert [str(p) for p in problems] == [
        f"catalog/deployments/{later}.yaml:{where[later]}: same: id: "
        f"duplicate id (also at catalog/deployments/{earlier}.yaml:{where[earlier]})"]
    assert cat.deployments["same"].source.url == "https://example.org/same"
    source, loc = cat.deployment_line("same", ("id",))
    assert (source.path, source.line(loc)) == (f"catalog/deployments/{earlier}.yaml", where[earlier])


def test_anything_but_a_yaml_file_in_the_deployments_folder_is_refused(valid_catalog: Path) -> None:
    """A stray file or folder is named, not skipped: deployments a contributor meant to add would
    otherwise be missing from the planner without a word."""
    _write_deployments(valid_catalog, {"deployments/alpha.yaml": [_deployment("a1")]})
    (valid_catalog / "deployments" / "beta.yml").write_text("deployments: []\n", encoding="utf-8")
    (valid_catalog / "deployments" / "gamma.yaml").mkdir()
    assert sorted(str(p) for p in load.load_with_problems(valid_catalog)[1]) == [
        "catalog/deployments/beta.yml:1: beta: -: not a deployments file: deployments are listed in .yaml files",
        "catalog/deployments/gamma.yaml:1: gamma: -: not a regular file: it is a folder"]
