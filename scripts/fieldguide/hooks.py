"""mkdocs hook: hands the generated files to mkdocs and checks every byte the build writes.

All generation lives in `render` and `publish`. Unchanged inputs reuse the last build's generated
files (`buildcache`, outside the checkout and bound to this machine); the pipeline modules are
imported only when something must be rendered.

Nothing is written unchecked (`htmlcheck`), whether it was rendered now or came from the cache:
every generated file that is not a page (JSON the page scripts read, downloads) before mkdocs sees
it; every page, head included, before mkdocs writes it, with the strictness it deserves (generated
pages: every rule; hand-written pages from `content/`: all but the content rules); and at the end
the whole site folder, which catches what the theme and mkdocs write themselves (sitemap, 404
page). A finding stops the build with the page and, when it came from an input file, that file's
`path:line: id: field`.

It also serves the Mermaid library from node_modules (installed by `make`), so diagrams render
without asking any other origin; without it the diagrams stay readable as their source text.
"""

from __future__ import annotations

import hashlib
import html
import json
import logging
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from fieldguide import DEFAULT_SITE_URL, buildcache, htmlcheck, publish
from fieldguide.files import write_atomic

log = logging.getLogger("mkdocs.hooks.fieldguide")
VENDOR = {"mermaid": ("node_modules/mermaid/dist", ("mermaid.esm.min.mjs", "chunks/mermaid.esm.min/*.mjs"))}
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
    theme_scripts = htmlcheck.theme_script_patterns(Path(d) for d in config.theme.dirs)
    cache = buildcache.cache_dir(root)
    rules = hashlib.sha256("\0".join([Path(htmlcheck.__file__).read_text(encoding="utf-8"), site_url,
                                      *(p.pattern for p in theme_scripts)]).encode()).hexdigest()
    _state.update(noindex=set(), checked=set(), root=root, site_url=site_url, theme_scripts=theme_scripts,
                  cache=cache, verdicts=Verdicts(cache, rules))
    return config


def on_files(files: Files, config: MkDocsConfig) -> Files:
    root: Path = _state["root"]  # type: ignore[assignment]
    site_url: str = _state["site_url"]  # type: ignore[assignment]
    cache: Path | None = _state["cache"]  # type: ignore[assignment]
    build_key = buildcache.key(root, site_url, cache)
    generated = buildcache.load(cache, build_key)
    if generated is None:
        generated = _generate(root, site_url, cache)
        if _state.get("command", "build") == "build":
            buildcache.save(cache, build_key, generated)
    for path, text in generated.items():
        if files.get_file_from_path(path) is not None:
            raise PluginError(f"generated page {path} would replace content/{path}: rename the entity or the page")
        if not path.endswith(".md"):  # JSON and downloads: checked here, rendered now or taken from the cache
            _fail_on(path, htmlcheck.check_file(path, text, site_url))
            _state["checked"].add(path)
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


def _generate(root: Path, site_url: str, cache: Path | None) -> dict[str, str]:
    from fieldguide import load, pipeline, release

    try:
        return pipeline.generate(root, root / "catalog", site_url, cache)
    except (load.CatalogError, release.ReleaseError) as exc:
        lines = "\n".join(str(p) for p in exc.problems)
        raise PluginError(f"the catalog has {len(exc.problems)} problem(s):\n{lines}") from None


def on_post_page(output: str, page: Page, config: MkDocsConfig) -> str:
    # Generated pages carry catalog text: every rule. Hand-written pages: all but the content rules.
    meta = page.meta or {}
    expected = htmlcheck.Expected(
        title=html.unescape(str(meta["title"])) if "title" in meta else None,
        description=html.unescape(str(meta["description"])) if "description" in meta else None)
    generated = page.file.generated_by is not None
    verdicts: Verdicts = _state["verdicts"]  # type: ignore[assignment]
    digest = verdicts.digest(output, generated, expected)
    if not verdicts.passed(digest):
        problems = htmlcheck.check_page(output, content_rules=generated, site_url=_state["site_url"],
                                        theme_scripts=_state["theme_scripts"], expected=expected)
        _fail_on(page.file.src_uri, problems)
        verdicts.add(digest)
    _state["checked"].add(page.file.dest_uri)
    robots = meta.get("robots")
    if robots:
        _state["noindex"].add(page.url)
    return publish.robots_meta(output, robots)


def on_post_build(config: MkDocsConfig) -> None:
    site = Path(config.site_dir)
    publish.drop_from_sitemap(site, _state["noindex"])
    # What the pages above did not cover: files the theme and mkdocs write themselves.
    problems = htmlcheck.check_site(site, _state["site_url"], theme_scripts=_state["theme_scripts"],
                                    hand_written=_theme_pages(site), skip=["assets/vendor"], done=_state["checked"])
    if problems:
        raise PluginError("unsafe output in the built site:\n" + "\n".join(problems))
    if _state.get("command", "build") == "build":
        _state["verdicts"].save()


class Verdicts:
    """Pages that passed the check, by a digest of their exact HTML, the rules they were held to and
    the check's own code: an unchanged page is not parsed again on the next build. Kept with the
    build cache, bound to this machine like it (a verdict file from elsewhere is ignored)."""

    FILE = "page-verdicts.json"

    def __init__(self, cache: Path | None, rules: str):
        self.path = cache / self.FILE if cache else None
        self.tag = buildcache.tag(cache)
        self.rules = rules
        self.known: set[str] = set()
        self.used: set[str] = set()
        self.new: set[str] = set()
        if self.path and self.tag:
            try:
                data = json.loads(self.path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                return
            if isinstance(data, dict) and data.get("tag") == self.tag and data.get("rules") == rules:
                self.known = {d for d in data.get("passed", []) if isinstance(d, str)}

    def digest(self, page: str, generated: bool, expected: htmlcheck.Expected) -> str:
        parts = [self.rules, str(generated), repr(expected.title), repr(expected.description), page]
        return hashlib.sha256("\0".join(parts).encode()).hexdigest()

    def passed(self, digest: str) -> bool:
        if digest in self.known:
            self.used.add(digest)
            return True
        return False

    def add(self, digest: str) -> None:
        self.new.add(digest)

    def save(self) -> None:
        """Keep the verdicts of this build's pages only (the file never grows with old pages)."""
        if self.path and self.tag and (self.new or self.used != self.known):
            passed = sorted(self.used | self.new)
            write_atomic(self.path, json.dumps({"tag": self.tag, "rules": self.rules, "passed": passed}))


def _theme_pages(site: Path) -> list[str]:
    """Pages no Markdown file made (Material's 404 page): the theme's own, like a hand-written page."""
    return [p.relative_to(site).as_posix() for p in site.glob("*.html")]


def _fail_on(path: str, problems: list[str]) -> None:
    """Stop the build: the file, what is wrong, and the input it came from when it can be found."""
    if not problems:
        return
    origins = _origins(problems)
    raise PluginError(f"unsafe output in {path} (input that got past `fieldguide check`?):\n"
                      + "\n".join(problems)
                      + ("\n" + "\n".join(f"it comes from {o}" for o in origins) if origins else
                         "\nit is in no catalog file: from the build cache, a template or the theme?"))


def _origins(problems: list[str]) -> list[str]:
    """Where in the input files the offending text stands (`path:line: id: field`), found by searching
    every text field of the catalog and releases.yaml for it."""
    from fieldguide import load, release

    needles = {p.needle for p in problems if isinstance(p, htmlcheck.Problem) and len(p.needle) >= 2}
    if not needles:
        return []
    root: Path = _state["root"]  # type: ignore[assignment]
    catalog, _ = load.load_with_problems(root / "catalog")
    found = []
    for where, text in [*load.text_fields(catalog), *release.text_fields(root)]:
        unescaped = html.unescape(text)
        if any(n in text or n in unescaped for n in needles):
            found.append(where)
    return found[:10]
