"""Hostile values inside well-formed YAML: scalars PyYAML cannot build, control characters, braces.

Catalog files have golden cases in catalogs/broken/ (yaml-values, control-chars, braces,
reserved-ids...); here the same classes in profiles and checklist state files, the output of
`show`, and a property: no generated scalar ever ends in a traceback.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import REAL, VALID
from fieldguide import bib, controls, load, pipeline
from fieldguide.cli import main

LINE = re.compile(r"^\S[^:]*:\d+: [^:]+: \S.*: .+$")  # a field is a key path; a key may hold ":"


def _problems(result) -> list[str]:
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 1, result.output
    lines = result.stderr.splitlines()
    assert lines[-1].startswith(f"{len(lines) - 1} problem(s) in ")
    assert all(LINE.match(p) for p in lines[:-1]), lines
    return lines[:-1]


@pytest.mark.parametrize(("text", "message"), [
    ("name: !!int abc\n", "profile.yaml:1: profile: name: 'abc' is not a valid !!int value"),
    ("name: !!float abc\n", "profile.yaml:1: profile: name: 'abc' is not a valid !!float value"),
    ("name: !!bool maybe\n", "profile.yaml:1: profile: name: 'maybe' is not a valid !!bool value"),
    ("name: !!timestamp x\n", "profile.yaml:1: profile: name: YAML tag '!!timestamp' is not allowed"),
    ("name: 2019-13-45\nindustry: " + "9" * 5000 + "\n",
     "profile.yaml:2: profile: industry: '9999999999999999999999999999999999999999…' is not a valid !!int value"),
    ("2020-02-30: x\n", "profile.yaml:1: profile: 2020-02-30: unknown key"),
    ('name: "Team\\e]0;PWNED\\a"\n', "profile.yaml:1: profile: name: control character U+001B is not allowed in text"),
    ('name: "Team\\x7f"\n', "profile.yaml:1: profile: name: control character U+007F is not allowed in text"),
])
def test_profile_values_are_path_line_problems(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str,
                                                message: str) -> None:
    (tmp_path / "profile.yaml").write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["plan", "--catalog", str(REAL), "--profile", "profile.yaml"])
    assert message in _problems(result)


STATE = '{{"format": "fieldguide-checklist", "version": {version}, "items": [{item}]}}'


# State files are strict JSON (the page and the CLI read them alike): YAML tags are not JSON at all.
@pytest.mark.parametrize(("version", "item", "message"), [
    ("!!int abc", '{"id": "data-discovery-catalogue"}', "-: not valid JSON: Expecting value"),
    ("1", '{"id": "data-discovery-catalogue", "note": "\\u001b]0;PWNED\\u0007"}',
     "items[0].note: must be text without control characters"),
    ("1", '{"id": "data-discovery-catalogue", "owner": "Ana\\u202e"}',
     "items[0].owner: must be one line of text without control characters"),
    ("1", '{"id": "data-discovery-catalogue", "status": "na", "reason": "\\u009b31m"}',
     "items[0].reason: must be text without control characters"),
    ("1", '{"id": "data-discovery-catalogue", "note": !!float x}', "-: not valid JSON: Expecting value"),
    ("1" + "0" * 30, '{"id": "data-discovery-catalogue"}',
     "version: unable to parse input string as an integer, exceeded maximum size"),
])
def test_state_values_are_path_line_problems_and_change_nothing(valid_catalog: Path, tmp_path: Path, version: str,
                                                                 item: str, message: str) -> None:
    state = tmp_path / "state.json"
    state.write_text(STATE.format(version=version, item=item), encoding="utf-8")
    out = tmp_path / "out.md"
    result = CliRunner().invoke(main, ["checklist", "--state", str(state), "--out", str(out)])
    problems = _problems(result)
    assert any(p.endswith(message) for p in problems), problems
    assert not out.exists(), "a refused state file writes nothing"


def test_show_escapes_control_characters(monkeypatch: pytest.MonkeyPatch) -> None:
    """Catalog text cannot hold control characters (check refuses them), and `show` escapes what it
    prints anyway: the terminal never receives an escape sequence from catalog text."""
    from fieldguide import cli

    printed: list[str] = []
    monkeypatch.setattr(cli.click, "echo", lambda text, err=False: printed.append(text))
    cli._say("challenge x: Access\x1b]0;PWNED\x07 granted\x7f\u202e\nsecond line")
    assert printed == ["challenge x: Access\\x1b]0;PWNED\\x07 granted\\x7f\\u202e\\nsecond line"]


def test_visible_leaves_ordinary_text_alone() -> None:
    assert controls.visible("Données — “quoted” ☃") == "Données — “quoted” ☃"


def test_escaped_balanced_braces_are_accepted_and_export() -> None:
    """Braces as text are written escaped (a bare `{...}` is attribute-list syntax); balanced, they
    go through BibTeX and the citation formatter."""
    from fieldguide.schema import Reference

    ref = Reference(id="x2020y", entry_type="misc", title=r"Sets such as \{a, b\} in practice", year=2020)
    assert bib.citations([ref])["x2020y"]
    assert "x2020y" in bib.to_bibtex([ref])


# ---------------------------------------------------------------- property: scalars never crash

TAGS = ["", "!!int ", "!!float ", "!!bool ", "!!null ", "!!str ", "!!timestamp ", "!!binary ", "!!python/none ", "!x "]
SCALARS = st.one_of(
    st.dates().map(str),
    st.builds(lambda y, m, d: f"{y}-{m:02d}-{d:02d}", st.integers(0, 9999), st.integers(0, 99), st.integers(0, 99)),
    st.integers(min_value=-(10 ** 20), max_value=10 ** 20).map(str),
    st.builds(lambda digit, n: digit * n, st.sampled_from("19"), st.integers(1, 6000)),  # over Python's 4300 digits
    st.integers(1, 6000).map(lambda n: "0x" + "f" * n),
    st.sampled_from([".nan", ".inf", "-.inf", "1e400", "0o17", "0b101", "1_000", "1:20", "yes", "no", "on", "~",
                     "maybe", "abc", "", "2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43.10 -5"]),
    st.text(max_size=20).map(lambda t: '"' + t.replace("\\", "\\\\").replace('"', '\\"') + '"'),
)


@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tag=st.sampled_from(TAGS), value=SCALARS, as_key=st.booleans(),
       field=st.sampled_from(["title", "year", "summary", "key_figures", "facets"]))
def test_any_tagged_scalar_is_a_problem_or_valid_never_a_crash(tmp_path_factory, tag: str, value: str, as_key: bool,
                                                               field: str) -> None:
    catalog = tmp_path_factory.mktemp("scalar") / "catalog"
    shutil.copytree(VALID, catalog)
    path = catalog / "case-studies" / "twitter-data-discovery.yaml"
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith(f"{field}:")]
    if field in ("key_figures", "facets"):
        lines = [line for line in lines if not line.startswith(("  - value", "    unit", "    measures"))]
    scalar = f"{tag}{value}"
    lines.append(f"{scalar}: x" if as_key else f"{field}: {scalar}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    problems = [str(p) for p in pipeline.check(catalog)[1]]  # must not raise
    assert all(LINE.match(p) for p in problems), problems
    if not problems:
        load.load(catalog)


def test_front_matter_strings_stay_readable_yaml() -> None:
    """A DEL once broke a page's front matter (its text showed on the page); the writer escapes it."""
    import yaml

    from fieldguide.pages import yaml_str

    for text in ("Access\x7f granted", "C1\x85 and \u2028 separators", 'quote " and \\ backslash'):
        assert yaml.safe_load(f"title: {yaml_str(text)}\n") == {"title": text}
