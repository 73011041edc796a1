"""Each folder under catalogs/broken/ breaks a valid catalog one way (`valid`, or the one its BASE file
names); `check` must say exactly where."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import BROKEN, assemble, cli

CASES = sorted(p.name for p in BROKEN.iterdir() if p.is_dir())


@pytest.mark.parametrize("case", CASES)
def test_check_reports_every_problem_with_file_and_line(case: str, tmp_path: Path, monkeypatch) -> None:
    assemble(BROKEN / case, tmp_path)
    monkeypatch.chdir(tmp_path)
    result = cli("check", code=1)  # exit 1 by SystemExit: a clean failure, not a crash
    expected = (BROKEN / case / "expected.txt").read_text(encoding="utf-8").splitlines()
    lines = result.stderr.splitlines()
    assert result.stdout == ""
    assert lines[:-1] == expected
    assert lines[-1].startswith(f"{len(expected)} problem(s) in ")


def test_corpus_covers_the_documented_failure_kinds() -> None:
    """Unknown keys, missing fields, wrong types, bad/duplicate ids, dangling links, unknown steps,
    empty files and unparsable YAML each have a case (the foundation issue's list), and so do issue 11's
    classes: reserved ids, control characters, braces, YAML values, hidden links, BibTeX fields."""
    messages = "\n".join((BROKEN / c / "expected.txt").read_text(encoding="utf-8") for c in CASES)
    for needle in ("unknown key", "required field is missing", "whole number", "kebab-case id",
                   "duplicate id", "unknown reference", "unknown step", "file is empty", "does not parse",
                   "is reserved", "control character", "unbalanced braces", "is not a valid !!int value",
                   "link target", "attribute lists", "entry needs", "must cite"):
        assert needle in messages, needle


def test_valid_catalog_passes(valid_catalog: Path) -> None:
    result = cli("check")
    assert "catalog OK: 2 stages, 3 steps, 3 challenges" in result.output


def test_check_as_a_real_process_prints_no_traceback(tmp_path: Path) -> None:
    """The installed command, not just the click runner: exit 1 and plain lines on stderr."""
    import subprocess
    import sys

    assemble(BROKEN / "unsafe-tag", tmp_path)
    proc = subprocess.run([sys.executable, "-m", "fieldguide", "check"], cwd=tmp_path,
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert "YAML tag '!!python/object/apply:os.system' is not allowed" in proc.stderr
