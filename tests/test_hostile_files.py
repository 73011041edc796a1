"""Files that are not files: devices, FIFOs, folders and symbolic links where YAML is expected.

Each must end in exit 1 with one `path:line: ...` line per problem within seconds and under a
memory cap (a symlink to /dev/zero once grew to 1.9 GB; a FIFO hung forever), for the catalog
folder and for `--profile` and `--state` files.
"""

from __future__ import annotations

import os
import re
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REAL, VALID
from fieldguide import files

LINE = re.compile(r"^\S[^:]*:\d+: [^:]+: \S.*: .+$")  # a field is a key path; a key may hold ":"


def _run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """`fieldguide ARGS` in a fresh process with 512 MB of address space and a 60 s timeout."""
    def cap() -> None:
        limit = 512 * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    return subprocess.run([sys.executable, "-m", "fieldguide", *args], cwd=cwd, capture_output=True, text=True,
                          preexec_fn=cap, timeout=60, check=False)


def _catalog(tmp_path: Path) -> Path:
    catalog = tmp_path / "catalog"
    shutil.copytree(VALID, catalog)
    return catalog


def _plant(catalog: Path, kind: str, outside: Path) -> str:
    """Put one non-file at references/bad.yaml; return the message `check` must give."""
    target = catalog / "references" / "bad.yaml"
    if kind == "dev-zero":
        target.symlink_to("/dev/zero")
        return "symbolic link leads outside the catalog folder"
    if kind == "fifo":
        os.mkfifo(target)
        return "not a regular file: it is a named pipe (FIFO)"
    if kind == "loop":
        target.symlink_to(target)
        return "symbolic link loop"
    if kind == "folder":
        target.mkdir()
        return "not a regular file: it is a folder"
    if kind == "link-to-folder":
        (catalog / "sub").mkdir()
        target.symlink_to(catalog / "sub")
        return "not a regular file: it is a folder"
    if kind == "outside-file":
        (outside / "secret.yaml").write_text("id: bad\n", encoding="utf-8")
        target.symlink_to(outside / "secret.yaml")
        return "symbolic link leads outside the catalog folder"
    if kind == "dangling":
        target.symlink_to(catalog / "references" / "gone.yaml")
        return "symbolic link to a file that does not exist"
    raise AssertionError(kind)


KINDS = ["dev-zero", "fifo", "loop", "folder", "link-to-folder", "outside-file", "dangling"]


@pytest.mark.parametrize("kind", KINDS)
def test_a_non_file_in_the_catalog_is_one_clear_problem(tmp_path: Path, kind: str) -> None:
    catalog = _catalog(tmp_path)
    message = _plant(catalog, kind, tmp_path)
    proc = _run("check", "--catalog", "catalog", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.splitlines() == [f"catalog/references/bad.yaml:1: bad: -: {message}",
                                        "1 problem(s) in 1 file(s)"]


def test_a_linked_folder_that_leads_out_of_the_catalog_is_refused(tmp_path: Path) -> None:
    catalog = _catalog(tmp_path)
    shutil.move(catalog / "findings", tmp_path / "elsewhere")
    (catalog / "findings").symlink_to(tmp_path / "elsewhere")
    proc = _run("check", "--catalog", "catalog", cwd=tmp_path)
    assert proc.returncode == 1
    assert proc.stderr.splitlines() == [
        "catalog/findings/deployment-failure-rate.yaml:1: deployment-failure-rate: -: "
        "symbolic link leads outside the catalog folder", "1 problem(s) in 1 file(s)"]


def test_a_symlink_inside_the_catalog_to_a_catalog_file_is_read(tmp_path: Path) -> None:
    """Links are not refused as such: one that stays inside the folder reads its target."""
    catalog = _catalog(tmp_path)
    original = catalog / "references" / "lin2013scaling.yaml"
    moved = catalog / "lin2013scaling.yaml.txt"
    original.rename(moved)
    original.symlink_to(moved)
    proc = _run("check", "--catalog", "catalog", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize("name", ["stages.yaml", "facets.yaml"])
def test_a_fifo_instead_of_a_single_file_is_not_reported_as_missing(tmp_path: Path, name: str) -> None:
    catalog = _catalog(tmp_path)
    (catalog / name).unlink()
    os.mkfifo(catalog / name)
    proc = _run("check", "--catalog", "catalog", cwd=tmp_path)
    assert proc.returncode == 1
    assert f"catalog/{name}:1: {name[:-5]}: -: not a regular file: it is a named pipe (FIFO)" in proc.stderr


def _plan_with(option: str, path: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    clinic = Path(__file__).parent / "profiles" / "clinic.yaml"
    command = ["--profile", str(path)] if option == "--profile" else ["--profile", str(clinic), "--state", str(path)]
    return _run("plan", *command, "--format", "md", "--catalog", str(REAL), cwd=cwd)


@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "loop"])
@pytest.mark.parametrize("option", ["--profile", "--state"])
def test_profile_and_state_must_be_regular_files(tmp_path: Path, kind: str, option: str) -> None:
    path = tmp_path / "input.yaml"
    expected = {"fifo": "not a regular file: it is a named pipe (FIFO)", "loop": "symbolic link loop",
                "dev-zero": "not a regular file: it is a character device"}[kind]
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "loop":
        path.symlink_to(path)
    else:
        path = Path("/dev/zero")
    proc = _plan_with(option, path, tmp_path)
    assert proc.returncode == 1, proc.stdout[:200]
    problems = proc.stderr.splitlines()[:-1]
    entity = path.stem if option == "--profile" else "checklist"  # a state file's problems name the checklist
    assert problems == [f"{os.path.relpath(path, tmp_path)}:1: {entity}: -: {expected}"]


@pytest.mark.parametrize("option", ["--profile", "--state"])
def test_a_folder_as_profile_or_state_is_a_usage_error(tmp_path: Path, option: str) -> None:
    (tmp_path / "input.yaml").mkdir()
    proc = _plan_with(option, tmp_path / "input.yaml", tmp_path)
    assert proc.returncode == 2
    assert f"Invalid value for '{option}'" in proc.stderr and "is a directory" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_the_byte_cap_holds_while_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Even if the size the file system reports is wrong (or the file grows after it was asked),
    no more than cap + 1 bytes are read."""
    path = tmp_path / "big.yaml"
    path.write_bytes(b"x" * 5000)
    real_lstat = os.lstat

    class Small:
        def __init__(self, info: os.stat_result) -> None:
            self.st_mode, self.st_size = info.st_mode, 10

    monkeypatch.setattr(files.os, "lstat", lambda p: Small(real_lstat(p)))
    reads: list[int] = []
    real_read = os.read
    monkeypatch.setattr(files.os, "read", lambda fd, n: reads.append(n) or real_read(fd, n))
    with pytest.raises(files.Unreadable, match="the limit is 100 bytes"):
        files.read_bytes(path, 100)
    assert sum(reads) <= 101
    assert files.read_bytes(path, 5000) == b"x" * 5000


def test_a_file_name_with_a_line_break_gives_one_line_per_problem(tmp_path: Path) -> None:
    catalog = _catalog(tmp_path)
    (catalog / "references" / "evil\nname.yaml").write_text("id: x\n", encoding="utf-8")
    proc = _run("check", "--catalog", "catalog", cwd=tmp_path)
    assert proc.returncode == 1
    problems = proc.stderr.splitlines()[:-1]
    assert problems and all(LINE.match(p) for p in problems), problems
    assert problems[0].startswith("catalog/references/evil\\nname.yaml:1: ")


def test_a_catalog_path_with_escape_sequences_is_shown_escaped(tmp_path: Path) -> None:
    """`show` prints where an entity lives; a folder name must not retitle the terminal."""
    folder = tmp_path / "cat\x1b]0;PWNED\x07"
    shutil.copytree(VALID, folder)
    proc = _run("show", "data-discovery", "--catalog", str(folder))
    assert proc.returncode == 0, proc.stderr
    assert "\x1b" not in proc.stdout and "\x07" not in proc.stdout
    assert "cat\\x1b]0;PWNED\\x07" in proc.stdout


def test_a_cache_file_is_written_whole_or_not_at_all(tmp_path: Path) -> None:
    """`write_atomic` (the build cache, the citation cache, release snapshots): a new file replaces the
    old in one rename; where it cannot be written it says so and leaves no temporary file behind."""
    target = tmp_path / "new" / "folder" / "cache.json"
    assert files.write_atomic(target, "{}") and target.read_text(encoding="utf-8") == "{}"
    assert files.write_atomic(target, '{"é": 1}') and target.read_text(encoding="utf-8") == '{"é": 1}'
    (tmp_path / "plain").write_text("x", encoding="utf-8")
    assert not files.write_atomic(tmp_path / "plain" / "cache.json", "{}"), "its folder is a file"
    (tmp_path / "taken" / "inside").mkdir(parents=True)
    assert not files.write_atomic(tmp_path / "taken", "{}"), "a folder stands where the file goes"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new", "plain", "taken"]
    assert [p.name for p in target.parent.iterdir()] == ["cache.json"]
