"""mkdocs hook: an adapter over `site` and `postbuild`, the builder-neutral site and its output check.

What another builder gets from `fieldguide site --out DIR` and `fieldguide postbuild SITE`, mkdocs gets
here in memory: the generated files (`site.generate`, from the build cache outside the checkout when
no input changed) and the Mermaid library are handed to mkdocs as files; every generated file that is
not a page is checked before mkdocs sees it; every page, head included, before mkdocs writes it
(`postbuild.check_page`; the verdict on an unchanged page or data file is remembered, by digest);
and at the end the rest of the site folder, which catches what the theme and mkdocs write themselves
(sitemap, 404 page). A finding stops the build with the page and, when it came from an input file,
that file's `path:line: id: field`. Each page's Markdown is converted once and then kept by content
(`pagecache`): a catalog edit reconverts only the pages it changed.
"""

from __future__ import annotations

import html
import logging
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from fieldguide import DEFAULT_SITE_URL, buildcache, htmlcheck, pagecache, postbuild, publish, site

log = logging.getLogger("mkdocs.hooks.fieldguide")
_state: dict[str, object] = {}


def on_startup(command: str, dirty: bool) -> None:
    # `mkdocs serve` keeps modules imported across rebuilds, so what it renders after a code edit
    # may come from the old code: only `mkdocs build` stores its output for reuse.
    _state["command"] = command


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    try:
        publish.check_site_url(config.site_url)
    except publish.PublishError as exc:
        raise PluginError(str(exc)) from None
    root = Path(config.config_file_path).parent
    site_url = config.site_url or DEFAULT_SITE_URL
    patterns = htmlcheck.theme_script_patterns(Path(d) for d in config.theme.dirs)
    cache = buildcache.cache_dir(root)
    _state.update(pages={}, checked=set(), root=root, site_url=site_url, theme_scripts=patterns,
                  cache=cache, verdicts=postbuild.Verdicts(cache, site_url, patterns))
    return config


def on_files(files: Files, config: MkDocsConfig) -> Files:
    root: Path = _state["root"]  # type: ignore[assignment]
    site_url: str = _state["site_url"]  # type: ignore[assignment]
    verdicts: postbuild.Verdicts = _state["verdicts"]  # type: ignore[assignment]
    try:
        generated = site.generate(root, site_url, _state["cache"], store=_build())
        for path, text in generated.items():
            site.collision(path, files.get_file_from_path(path) is not None)
            if not path.endswith(".md"):  # JSON and downloads, rendered now or cached: checked unless this
                digest = verdicts.file_digest(path, text)  # very file passed before (verdicts by digest)
                if not verdicts.passed(digest):
                    site.check_generated(path, text, site_url, root)
                    verdicts.add(digest)
                _state["checked"].add(path)
            files.append(File.generated(config, path, content=text))
    except site.SiteError as exc:
        raise PluginError(str(exc)) from None
    vendored = site.vendor_files(root)
    if not vendored:
        log.info("Mermaid not found in node_modules (run `make`); diagrams show as text")
    for dest, src in vendored.items():
        files.append(File(src.name, str(src.parent), config.site_dir, config.use_directory_urls, dest_uri=dest))
    _state["conversions"] = pagecache.Conversions(_state["cache"], config)
    return files


def _build() -> bool:
    return _state.get("command", "build") == "build"


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    _state["conversions"].attach(page)  # type: ignore[attr-defined]
    return markdown


def on_post_page(output: str, page: Page, config: MkDocsConfig) -> str:
    src = page.file.src_uri
    info = site.PageInfo(src, page.file.generated_by is not None, *_meta(page))
    verdicts: postbuild.Verdicts = _state["verdicts"]  # type: ignore[assignment]
    digest = verdicts.digest(output, info)
    if not verdicts.passed(digest):
        problems = postbuild.check_page(output, info, _state["site_url"], _state["theme_scripts"])
        if problems:
            raise PluginError("\n".join(site.explain(src, problems, _state["root"])))
        verdicts.add(digest)
    _state["checked"].add(page.file.dest_uri)
    _state["pages"][page.file.dest_uri] = info
    return postbuild.add_robots(output, info)


def _meta(page: Page) -> tuple[str | None, str | None, str | None]:
    """Title, description and robots from the page's front matter, as mkdocs read it."""
    meta = page.meta or {}

    def field(name: str) -> str | None:
        return html.unescape(str(meta[name])) if meta.get(name) is not None else None

    return field("title"), field("description"), str(meta["robots"]) if meta.get("robots") else None


def on_post_build(config: MkDocsConfig) -> None:
    problems = postbuild.finish(Path(config.site_dir), _state["site_url"], _state["pages"], _state["theme_scripts"],
                                done=_state["checked"])
    if problems:
        raise PluginError("unsafe output in the built site:\n" + "\n".join(problems))
    if _build():
        _state["verdicts"].save()
        _state["conversions"].finish()
