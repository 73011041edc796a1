"""The documents a newcomer reads: a README short enough to read in five minutes that names every make
target, a command reference that names every `fieldguide` command, and links between the documents
that lead somewhere (a moved section leaves no dead link behind)."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from fieldguide.cli import main

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", ROOT / "CONTRIBUTING.md", ROOT / "CHANGELOG.md", ROOT / "tests" / "README.md",
        ROOT / "catalog" / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def _commands(group: click.Group, prefix: str = "fieldguide") -> list[str]:
    out = []
    for name, cmd in group.commands.items():
        out.append(f"{prefix} {name}")
        if isinstance(cmd, click.Group):
            out += _commands(cmd, f"{prefix} {name}")
    return out


def _anchors(text: str) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation but hyphens and underscores dropped, spaces to hyphens."""
    heads = re.findall(r"^#+ (.+)$", text, flags=re.M)
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in heads}


def test_the_readme_reads_in_five_minutes() -> None:
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    assert len(lines) < 150, f"README.md has {len(lines)} lines: move reference material to docs/"


def test_the_readme_names_every_make_target() -> None:
    make = (ROOT / "Makefile").read_text(encoding="utf-8")
    targets = {t for line in re.findall(r"^\.PHONY:(.*)$", make, flags=re.M) for t in line.split()}
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = sorted(t for t in targets if f"make {t}" not in readme)
    assert not missing, f"make targets the README does not name: {missing}"


def test_the_command_reference_names_every_command() -> None:
    reference = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    missing = [c for c in _commands(main) if f"`{c}" not in reference]
    assert not missing, f"commands docs/cli.md does not describe: {missing}"


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_link_between_documents_leads_somewhere(doc: Path) -> None:
    text = doc.read_text(encoding="utf-8")
    dead = []
    for target in LINK.findall(text):
        if re.match(r"[a-z]+:", target):  # https:, mailto:
            continue
        path, _, anchor = target.partition("#")
        dest = (doc.parent / path).resolve() if path else doc
        missing_anchor = bool(anchor) and dest.suffix == ".md" and dest.exists() \
            and anchor not in _anchors(dest.read_text(encoding="utf-8"))
        if not dest.exists() or missing_anchor:
            dead.append(target)
    assert not dead, f"{doc.relative_to(ROOT)}: links to nothing: {dead}"
