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
    repo, git = _repo(tmp_path)
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


# ---------------------------------------------------------------- diff under check's file rules


def _repo(tmp_path: Path) -> tuple[Path, list[str]]:
    repo = tmp_path / "repo"
    shutil.copytree(VALID, repo / "catalog")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "-C", str(repo)]
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "first"], check=True)
    return repo, git


def test_diff_refuses_a_folder_whose_file_links_out_of_it(two_catalogs: tuple[Path, Path], tmp_path: Path) -> None:
    old, new = two_catalogs
    secret = tmp_path / "secret.yaml"
    secret.write_text("id: data-discovery\ntitle: read from outside\n", encoding="utf-8")
    target = new / "challenges" / "data-discovery.yaml"
    target.unlink()
    target.symlink_to(secret)
    result = run("diff", str(old), str(new))
    assert result.exit_code == 1 and "data-discovery.yaml:1: data-discovery: -: symbolic link leads outside the " \
                                     "catalog folder" in result.stderr
    assert "read from outside" not in result.output


@pytest.mark.parametrize(("link", "message"), [
    ("../../outside.yaml", "symbolic link leads outside the catalog folder"),
    ("/etc/hostname", "symbolic link leads outside the catalog folder"),
    ("loop.yaml", "symbolic link loop"),
    ("missing.yaml", "symbolic link to a file that does not exist"),
])
def test_diff_of_a_git_ref_never_follows_a_link_out_of_the_catalog(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                   link: str, message: str) -> None:
    repo, git = _repo(tmp_path)
    (repo / "outside.yaml").write_text("id: data-discovery\ntitle: read from outside\n", encoding="utf-8")
    challenge = repo / "catalog" / "challenges" / "data-discovery.yaml"
    challenge.unlink()
    challenge.symlink_to(link)
    if link == "loop.yaml":
        (repo / "catalog" / "challenges" / "loop.yaml").symlink_to("data-discovery.yaml")
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "link"], check=True)
    monkeypatch.chdir(repo)
    result = run("diff", "HEAD~1", "HEAD")
    assert result.exit_code == 1, result.output
    assert f"HEAD:catalog/challenges/data-discovery.yaml:1: data-discovery: -: {message}" in result.stderr
    assert "read from outside" not in result.output + result.stderr


def test_diff_of_a_git_ref_follows_a_link_that_stays_inside(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo, git = _repo(tmp_path)
    practice = repo / "catalog" / "mitigations" / "data-catalog-practice.yaml"
    (repo / "catalog" / "shared").mkdir()
    practice.rename(repo / "catalog" / "shared" / "practice.yaml")
    practice.symlink_to("../shared/practice.yaml")
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "moved"], check=True)
    monkeypatch.chdir(repo)
    result = run("diff", "HEAD~1", "HEAD")
    assert result.exit_code == 0 and "0 added, 0 changed, 0 removed" in result.output, result.output


def test_diff_refuses_a_huge_blob_from_its_size_without_reading_it(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The blob is made with `git hash-object` in a temporary repository (64 MiB of zeros, which git
    compresses to almost nothing); its size comes from the tree, and its bytes are never fetched."""
    repo, git = _repo(tmp_path)
    size = 64 * 1024 * 1024
    proc = subprocess.run([*git, "hash-object", "-w", "--stdin"], input=b"\0" * size, capture_output=True, check=True)
    oid = proc.stdout.decode().strip()
    subprocess.run([*git, "update-index", "--add", "--cacheinfo", f"100644,{oid},catalog/challenges/huge.yaml"],
                   check=True)
    subprocess.run([*git, "commit", "-qm", "huge"], check=True)
    fetched: list[str] = []
    real = release._cat_file
    monkeypatch.setattr(release, "_cat_file", lambda repo_, oids: fetched.extend(oids) or real(repo_, oids))
    monkeypatch.chdir(repo)
    result = run("diff", "HEAD~1", "HEAD")
    assert result.exit_code == 1
    assert f"HEAD:catalog/challenges/huge.yaml:1: huge: -: file is {size} bytes; the limit is 1048576 bytes" \
        in result.stderr
    assert oid not in fetched and fetched, "the other files were read, the huge one never"


@pytest.mark.parametrize("catalog_path", [":(glob)**", ":!catalog", ":(top)catalog", "*", ".", "./catalog", "..",
                                          "../catalog", "catalog/../catalog", "/etc", "", "-p", "catalog/"])
def test_diff_refuses_a_catalog_path_that_is_not_a_plain_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                               catalog_path: str) -> None:
    """Pathspec magic gave a traceback; `.` or an absolute path compared the working tree with itself
    and reported 0 changes. Now: one clear line, exit 1."""
    repo, _ = _repo(tmp_path)
    monkeypatch.chdir(repo)
    result = run("diff", "HEAD", "HEAD", "--catalog-path", catalog_path)
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    assert f"error: --catalog-path '{catalog_path}' must be a folder inside the repository" in result.stderr
    assert "0 added" not in result.output


@pytest.mark.parametrize("spec", [".", "--output=/tmp/x", "-h", "HEAD\x1b[31m"])
def test_diff_refuses_a_version_that_is_neither_a_catalog_nor_a_ref(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                   spec: str) -> None:
    repo, _ = _repo(tmp_path)
    monkeypatch.chdir(repo)
    result = run("diff", "--", spec, "HEAD")
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    assert "is not a catalog folder" in result.stderr or "is neither a catalog folder nor a git ref" in result.stderr


def test_the_changelog_shows_old_text_only_as_todays_rules_allow(tmp_path: Path) -> None:
    """An old release's catalog never passed today's `check`: a title with a script link or raw HTML
    is left out, an id that is no id and field names are escaped, and the page holds nothing active."""
    from fieldguide import graph, htmlcheck, load, prose, render

    repo, git = _repo(tmp_path)
    practice = repo / "catalog" / "mitigations" / "old-practice.yaml"
    shutil.copy(repo / "catalog" / "mitigations" / "data-catalog-practice.yaml", practice)
    edit(practice, "id: data-catalog-practice", "id: old-practice")
    edit(practice, "title: Data catalogue", "title: '[x](javascript:alert(1)) <img src=x onerror=alert(1)>'")
    (repo / "catalog" / "findings" / "odd.yaml").write_text(
        "id: '`x` <b>y</b>'\ntitle: '*odd* [z](http://evil.example/)'\n'<i onclick=1>': 1\n", encoding="utf-8")
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "old release"], check=True)
    commit = subprocess.run([*git, "rev-parse", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
    shutil.rmtree(repo / "catalog")
    shutil.copytree(VALID, repo / "catalog")
    (repo / release.RELEASES_FILE).write_text(
        yaml.safe_dump({"releases": [{"version": "2026.01.01", "date": "2026-01-01", "commit": commit}]}),
        encoding="utf-8")
    log = release.changelog(repo, repo / "catalog", tmp_path / "cache")
    shown = {c["id"]: c for group in log[0]["diff"].values() for c in group}
    assert shown["old-practice"]["title"] is None, "a title that fails today's rules is not shown"
    cat = load.load(repo / "catalog")
    page = render.render(cat, graph.build(cat), changelog=log)["changelog.md"]
    html_text = prose.site_markdown().reset().convert(page.split("---\n", 2)[2])
    assert htmlcheck.scan(html_text) == []
    assert "javascript:" not in html_text and "<img" not in html_text and "<b>" not in html_text
    assert "(title not shown: it breaks the current catalog rules)" in html_text


def test_a_cached_snapshot_from_elsewhere_is_not_read(tmp_path: Path) -> None:
    """Snapshots of old releases carry this machine's cache tag; a planted one is read again from git."""
    from fieldguide import buildcache

    (first,) = [r for r in release.releases(ROOT) if r.version == "0.1.0"]
    cache = tmp_path / "cache"
    planted = {"tag": "not this machine", "entities": {"x": {"id": "x", "kind": "challenge",
                                                              "title": "[x](javascript:alert(1))", "fields": {}}}}
    cache.mkdir()
    (cache / f"snapshot-{first.commit}.json").write_text(json.dumps(planted), encoding="utf-8")
    log = release.changelog(ROOT, REAL, cache)
    assert not any(c["id"] == "x" for group in log[0]["diff"].values() for c in group)
    assert json.loads((cache / f"snapshot-{first.commit}.json").read_text())["tag"] == buildcache.tag(cache)
