"""The pipeline, stage by stage: read, check, link, history, write, verify (docs/architecture.md).

`check` is what `fieldguide check` runs; `generate` is what every site build runs (the mkdocs hook,
`fieldguide render`), so the two cannot drift apart; `verify` is the output check of the files a
builder serves as they are (the hook runs it file by file, on cached files too, to name the input a
finding came from).
"""

from __future__ import annotations

from pathlib import Path

from . import graph, load
from .catalog import Catalog
from .problems import Problem

# The writing stages import what they need when they run: `fieldguide check` imports this module and
# must start fast (render brings pybtex, Jinja2 and Markdown).


def check(catalog_dir: str | Path, timings: dict[str, float] | None = None) -> tuple[Catalog, list[Problem]]:
    """Read (with the rules that span files), then, on a clean read, the rules of the graph."""
    cat, problems = load.load_with_problems(catalog_dir, timings)  # read + the cross-file rules
    if not problems:
        problems = graph.integrity(cat, graph.build(cat))
    return cat, problems


def generate(root: Path, catalog_dir: Path, site_url: str, cache_dir: Path | None = None) -> dict[str, str]:
    """Every generated file of the site, by its path under the docs folder: read, history, link, write.

    Raises load.CatalogError for a catalog with problems, release.ReleaseError for a bad
    releases.yaml and release.DiffError when git cannot be read."""
    from . import release, render

    catalog = load.load(catalog_dir, keep_files=True)  # read, and the rules that span files
    changes = release.changelog(root, catalog, cache_dir)  # history: each release against the one before
    g = graph.build(catalog)  # link
    return render.render(catalog, g, site_url=site_url, cache_dir=cache_dir, changelog=changes)  # write


def verify(files: dict[str, str], site_url: str) -> list[str]:
    """The files a site builder serves as they are (JSON the pages read, downloads), through the
    output check; pages are checked once the builder has made them HTML."""
    from . import htmlcheck

    return [f"{rel}: {p}" for rel, text in files.items() if not rel.endswith(".md")
            for p in htmlcheck.check_file(rel, text, site_url)]
