"""mkdocs hook: hands the generated files to mkdocs. All logic lives in `render`.

It also serves the Mermaid library from node_modules (installed by `make`), so diagrams render
without asking any other origin; without it the diagrams stay readable as their source text.
Every page mkdocs writes is checked by `htmlcheck` first: the build fails rather than publish an
executable link or an event handler.
"""

from __future__ import annotations

import logging
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from fieldguide import graph, htmlcheck, load, pages, render

log = logging.getLogger("mkdocs.hooks.fieldguide")
VENDOR = {"mermaid": ("node_modules/mermaid/dist", ("mermaid.esm.min.mjs", "chunks/mermaid.esm.min/*.mjs"))}


def on_files(files: Files, config: MkDocsConfig) -> Files:
    root = Path(config.config_file_path).parent
    try:
        catalog = load.load(root / "catalog")
    except load.CatalogError as exc:
        lines = "\n".join(str(p) for p in exc.problems)
        raise PluginError(f"the catalog has {len(exc.problems)} problem(s):\n{lines}") from None
    g = graph.build(catalog)
    for path, text in render.render(catalog, g, site_url=config.site_url or pages.DEFAULT_SITE_URL).items():
        if files.get_file_from_path(path) is not None:
            raise PluginError(f"generated page {path} would replace content/{path}: rename the entity or the page")
        files.append(File.generated(config, path, content=text))
    for name, (folder, patterns) in VENDOR.items():
        src = root / folder
        found = [p for pattern in patterns for p in sorted(src.glob(pattern))]
        if not found:
            log.info("%s not found in %s (run `make`); diagrams show as text", name, src)
        for path in found:
            rel = path.relative_to(src).as_posix()
            files.append(File(rel, str(src), config.site_dir, config.use_directory_urls,
                              dest_uri=f"assets/vendor/{name}/{rel}"))
    return files


def on_post_page(output: str, page: Page, config: MkDocsConfig) -> str:
    problems = htmlcheck.check_page(output)
    if problems:
        raise PluginError(f"unsafe HTML in {page.file.src_uri} (catalog text that got past `fieldguide check`?):\n"
                          + "\n".join(problems))
    return output
