"""Releases: `fieldguide diff` over folders and git refs, and the changelog built from releases.yaml."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from conftest import REAL, VALID
from fieldguide import RELEASED, __version__, release
from fieldguide.cli import main

ROOT = REAL.parent


def run(*args: str):
    """`fieldguide ARGS` in-process; a crash (anything but a clean exit) fails the test here."""
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def two_catalogs(tmp_path: Path) -> tuple[Path, Path]:
    old, new = tmp_path / "old", tmp_path / "new"
    shutil.copytree(VALID, old)
    shutil.copytree(VALID, new)
    edit(new / "challenges" / "data-profiling.yaml", "summary:", "summary: Revised.\nx_old_summary:")
    (new / "references" / "wiggers2019idc.yaml").unlink()
    shutil.copy(new / "references" / "lin2013scaling.yaml", new / "references" / "lin2014extra.yaml")
    edit(new / "references" / "lin2014extra.yaml", "id: lin2013scaling", "id: lin2014extra")
    return old, new


def test_diff_lists_added_changed_with_fields_and_removed(two_catalogs: tuple[Path, Path]) -> None:
    old, new = two_catalogs
    result = run("diff", str(old), str(new), "--format", "json")
    assert result.exception is None, result.output
    data = json.loads(result.output)
    assert [c["id"] for c in data["added"]] == ["lin2014extra"]
    assert [c["id"] for c in data["removed"]] == ["wiggers2019idc"]
    (changed,) = data["changed"]
    assert changed["id"] == "data-profiling" and changed["kind"] == "challenge"
    assert changed["fields"] == ["summary", "x_old_summary"], "compared as raw YAML, whatever the schema"
    text = run("diff", str(old), str(new)).output
    assert text.splitlines()[0].endswith("1 added, 1 changed, 1 removed")
    assert "  challenge   data-profiling: Data profiling [summary, x_old_summary]" in text


def test_diff_of_two_git_refs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(VALID, repo / "catalog")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "-C", str(repo)]
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "first"], check=True)
    practice = repo / "catalog" / "mitigations" / "data-catalog-practice.yaml"
    edit(practice, "title:", "title: Data catalogue (revised)\nx:")
    subprocess.run([*git, "commit", "-qam", "second"], check=True)
    monkeypatch.chdir(repo / "catalog")  # any folder inside the repository
    result = run("diff", "HEAD~1", "HEAD")
    assert result.exception is None, result.output
    assert "HEAD~1 -> HEAD: 0 added, 1 changed, 0 removed" in result.output
    assert "mitigation  data-catalog-practice: Data catalogue (revised) [title, x]" in result.output
    bad = run("diff", "no-such-ref", "HEAD")
    assert bad.exit_code == 1 and isinstance(bad.exception, SystemExit)
    assert "'no-such-ref' is neither a catalog folder nor a git ref" in bad.stderr


def test_diff_reports_yaml_that_does_not_parse(two_catalogs: tuple[Path, Path]) -> None:
    old, new = two_catalogs
    (new / "challenges" / "data-discovery.yaml").write_text("id: [unclosed\n", encoding="utf-8")
    result = run("diff", str(old), str(new))
    assert result.exit_code == 1 and "data-discovery.yaml:" in result.stderr and "does not parse" in result.stderr


def test_real_history_diff_between_the_first_release_and_now() -> None:
    """The repository's own releases: what this release added and changed since 0.1.0."""
    (first,) = [r for r in release.releases(ROOT) if r.version == "0.1.0"]
    assert release.resolve_commit(ROOT, first.commit), "the clone lacks the history of release 0.1.0"
    d = release.compare(first.commit, str(REAL), ROOT)
    assert "paleyes2022challenges" in [c.id for c in d.added]
    changed = {c.id: c.fields for c in d.changed}
    assert changed["alibi-detect"] == ["summary"] and "corrections" in changed["model-stealing"]


def test_changelog_of_the_real_repository() -> None:
    log = release.changelog(ROOT, REAL)
    assert [e["version"] for e in log][:2] == [__version__, "0.1.0"]
    assert log[0]["date"] == RELEASED and log[0]["since"] == "0.1.0"
    assert any(c["id"] == "paleyes2022challenges" for c in log[0]["diff"]["added"])
    assert log[-1]["note"] == "The first release listed."


def test_changelog_without_the_history_says_so_and_does_not_fail(tmp_path: Path) -> None:
    """A shallow clone lacks old commits; the build goes on with a note."""
    root = tmp_path / "project"
    shutil.copytree(VALID, root / "catalog")
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    releases = {"releases": [{"version": "2026.01.01", "date": "2026-01-01", "commit": "0" * 40}]}
    (root / release.RELEASES_FILE).write_text(yaml.safe_dump(releases), encoding="utf-8")
    log = release.changelog(root, root / "catalog", tmp_path / "cache")
    assert log[0]["diff"] is None and "git fetch --unshallow" in log[0]["note"]
    assert release.changelog(tmp_path / "no-git-here", root / "catalog")[0]["version"] == __version__


def test_changelog_caches_old_snapshots_and_survives_a_corrupt_cache(tmp_path: Path) -> None:
    (first,) = [r for r in release.releases(ROOT) if r.version == "0.1.0"]
    cache = tmp_path / "cache"
    release.changelog(ROOT, REAL, cache)
    cached = cache / f"snapshot-{first.commit}.json"
    assert cached.is_file()
    cached.write_text("{torn", encoding="utf-8")
    again = release.changelog(ROOT, REAL, cache)
    assert any(c["id"] == "paleyes2022challenges" for c in again[0]["diff"]["added"])
