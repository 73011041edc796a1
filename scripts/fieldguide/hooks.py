"""mkdocs hook: hands the generated files to mkdocs. All logic lives in `render` and `publish`.

Unchanged inputs reuse the last build's generated files (`buildcache`); the pipeline modules are
imported only when something must be rendered.

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

from fieldguide import DEFAULT_SITE_URL, buildcache, htmlcheck, publish

log = logging.getLogger("mkdocs.hooks.fieldguide")
VENDOR = {"mermaid": ("node_modules/mermaid/dist", ("mermaid.esm.min.mjs", "chunks/mermaid.esm.min/*.mjs"))}
CACHE = ".cache/fieldguide"  # formatted citations and old catalogs between builds (safe to delete)
_noindex: set[str] = set()  # pages of this build that search engines must not index
_command = {"name": "build"}


def on_startup(command: str, dirty: bool) -> None:
    # `mkdocs serve` keeps modules imported across rebuilds, so what it renders after a code edit
    # may come from the old code: only `mkdocs build` stores its output for reuse.
    _command["name"] = command


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    _noindex.clear()
    try:
        publish.check_site_url(config.site_url)
    except publish.PublishError as exc:
        raise PluginError(str(exc)) from None
    return config


def on_files(files: Files, config: MkDocsConfig) -> Files:
    root = Path(config.config_file_path).parent
    site_url = config.site_url or DEFAULT_SITE_URL
    build_key = buildcache.key(root, site_url)
    generated = buildcache.load(root / CACHE, build_key)
    if generated is None:
        generated = _generate(root, site_url)
        if _command["name"] == "build":
            buildcache.save(root / CACHE, build_key, generated)
    for path, text in generated.items():
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


def _generate(root: Path, site_url: str) -> dict[str, str]:
    from fieldguide import graph, load, release, render

    try:
        catalog = load.load(root / "catalog")
    except load.CatalogError as exc:
        lines = "\n".join(str(p) for p in exc.problems)
        raise PluginError(f"the catalog has {len(exc.problems)} problem(s):\n{lines}") from None
    changes = release.changelog(root, root / "catalog", root / CACHE)
    return render.render(catalog, graph.build(catalog), site_url=site_url, cache_dir=root / CACHE,
                         changelog=changes)


def on_post_page(output: str, page: Page, config: MkDocsConfig) -> str:
    # Generated pages carry catalog text: every rule. Hand-written pages: links and handlers only.
    problems = htmlcheck.check_page(output, content_rules=page.file.generated_by is not None)
    if problems:
        raise PluginError(f"unsafe HTML in {page.file.src_uri} (catalog text that got past `fieldguide check`?):\n"
                          + "\n".join(problems))
    robots = page.meta.get("robots")
    if robots:
        _noindex.add(page.url)
    return publish.robots_meta(output, robots)


def on_post_build(config: MkDocsConfig) -> None:
    publish.drop_from_sitemap(Path(config.site_dir), _noindex)
