"""Each page's Markdown converted to HTML once, then kept by content (the mkdocs builder).

MkDocs has no incremental build: every build converts every page, which at 30× the catalog was most
of the build's time, although a catalog edit changes a handful of pages. A page's conversion is a
function of its Markdown, its place in the site, the Markdown configuration and the libraries'
versions, and of which files its relative links find; the hook (`hooks.on_page_markdown`) makes
mkdocs ask `Conversions.render` instead of converting, which looks the page up by all of these
(`buildcache.Entries`: outside the checkout, bound to this machine's secret) and converts only on a
miss. What a conversion hands mkdocs is stored whole and given back on a hit: the HTML, the table of
contents, the title, the anchors and links to anchors mkdocs validates after all pages, and every
message mkdocs logged (a broken link warns again, and `strict` fails again). Each link target the
conversion looked up is looked up again on a hit, and any difference (a page added, removed or
moved) makes it a miss. A hit is no trusted output either: the page built from it goes through the
output check (`postbuild.check_page`) like any other.

This module is the only one that knows mkdocs' page internals (`Page.render` in mkdocs 1.6).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc

from . import buildcache

FOLDER = "page-html"
# This module's code as imported: `mkdocs serve` keeps running the code it started with, so entries it
# stores after an edit to this file are filed under the old code and never found by the new one.
CODE = Path(__file__).read_text(encoding="utf-8")
# Libraries whose code converts a page: a new version of any may convert it differently.
LIBRARIES = ("mkdocs", "markdown", "pymdown-extensions", "pygments", "mkdocs-material")
Lookup = list[Any]  # [path looked up, None or [src_uri, url, excluded]]


def _stable(value: object) -> object:
    """The Markdown configuration as text that is the same in every process (a function by its name,
    not its address)."""
    if callable(value):
        return f"{getattr(value, '__module__', '')}.{getattr(value, '__qualname__', repr(value))}"
    if isinstance(value, dict):
        return {str(k): _stable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_stable(v) for v in value]
    return value if isinstance(value, (str, int, float, bool, type(None))) else repr(value)


def fingerprint(config: MkDocsConfig) -> str:
    """Everything besides the page itself that its conversion depends on."""
    versions = {}
    for name in LIBRARIES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = ""
    return json.dumps({
        "python": sys.version, "libraries": versions, "code": CODE,
        "extensions": _stable(config["markdown_extensions"]), "mdx_configs": _stable(config["mdx_configs"]),
        "use_directory_urls": config.use_directory_urls, "validation": repr(config.validation),
    }, sort_keys=True)


def _describe(found: File | None) -> list[Any] | None:
    return None if found is None else [found.src_uri, found.url, found.inclusion.is_excluded()]


class _Recording:
    """The site's files as a conversion sees them, noting every path it looks up and what it found."""

    def __init__(self, files: Files):
        self._files = files
        self.lookups: dict[str, list[Any] | None] = {}

    def get_file_from_path(self, path: str) -> File | None:
        found = self._files.get_file_from_path(path)
        self.lookups[path] = _describe(found)
        return found

    def __getattr__(self, name: str) -> Any:
        return getattr(self._files, name)


class _Messages(logging.Handler):
    """Collects what mkdocs logs while a page converts (link warnings), to log it again on a hit."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[list[Any]] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno > logging.DEBUG:
            self.records.append([record.name, record.levelno, record.getMessage()])


class Conversions:
    """The conversion cache of one build: `render` in place of `Page.render`, `finish` after the build."""

    def __init__(self, cache: Path | None, config: MkDocsConfig):
        self.entries = buildcache.Entries(cache, FOLDER)
        self.config_key = fingerprint(config).encode()
        self.hits = 0
        self.misses = 0

    def attach(self, page: Page) -> None:
        """Make mkdocs convert `page` through this cache (mkdocs calls `page.render(config, files)`)."""
        convert = page.render
        page.render = lambda config, files: self.render(page, convert, config, files)  # type: ignore[method-assign]

    def _name(self, page: Page) -> str | None:
        f = page.file
        head = json.dumps([f.src_uri, f.dest_uri, f.url, f.inclusion.is_excluded()]).encode()
        digest = hashlib.sha256()
        for part in (self.config_key, head, (page.markdown or "").encode()):
            digest.update(len(part).to_bytes(8, "big"))
            digest.update(part)
        return self.entries.name(digest.digest())

    def render(self, page: Page, convert: Callable[[MkDocsConfig, Files], None], config: MkDocsConfig,
               files: Files) -> None:
        name = self._name(page)
        if self._reuse(page, self.entries.get(name), files):
            self.hits += 1
            return
        self.misses += 1
        recording, messages = _Recording(files), _Messages()
        logger = logging.getLogger("mkdocs")
        logger.addHandler(messages)
        try:
            convert(config, recording)  # type: ignore[arg-type]
        finally:
            logger.removeHandler(messages)
        self.entries.put(name, self._entry(page, recording, messages))

    @staticmethod
    def _entry(page: Page, recording: _Recording, messages: _Messages) -> dict[str, Any]:
        return {
            "content": page.content, "toc": _tokens(page), "title": page._title_from_render,
            "anchors": sorted(page.present_anchor_ids or ()),
            "links_to_anchors": None if page.links_to_anchors is None else
            {f.src_uri: links for f, links in page.links_to_anchors.items()},
            "lookups": [[path, found] for path, found in recording.lookups.items()],
            "messages": messages.records,
        }

    def _reuse(self, page: Page, entry: object, files: Files) -> bool:
        """Give `page` what its stored conversion made, if the entry is well formed and every link
        target it looked up is still what it was."""
        if not (isinstance(entry, dict) and isinstance(entry.get("content"), str)
                and isinstance(entry.get("toc"), list) and isinstance(entry.get("anchors"), list)
                and isinstance(entry.get("lookups"), list) and isinstance(entry.get("messages"), list)
                and (entry.get("title") is None or isinstance(entry["title"], str))):
            return False
        try:
            for path, found in entry["lookups"]:
                if _describe(files.get_file_from_path(path)) != found:
                    return False
            links = entry.get("links_to_anchors")
            targets = None if links is None else {files.get_file_from_path(src): dict(anchors)
                                                  for src, anchors in links.items()}
            if targets is not None and None in targets:
                return False
            toc = get_toc(entry["toc"])
            for logger, level, _message in entry["messages"]:
                if not (isinstance(logger, str) and logger.startswith("mkdocs") and isinstance(level, int)):
                    return False
            for logger, level, message in entry["messages"]:
                logging.getLogger(logger).log(level, str(message))
        except (TypeError, ValueError, KeyError, AttributeError):
            return False
        page.content = entry["content"]
        page.toc = toc
        page._title_from_render = entry["title"]
        page.present_anchor_ids = {a for a in entry["anchors"] if isinstance(a, str)}
        if logging.getLogger("mkdocs").getEffectiveLevel() > logging.DEBUG:  # as Page.render does
            page.links_to_anchors = targets  # type: ignore[assignment]
        return True

    def finish(self) -> None:
        """Drop the entries of pages this build no longer has (or whose Markdown changed). Only after
        a full build: `mkdocs serve --dirty` converts only some pages."""
        self.entries.prune()


def _tokens(page: Page) -> list[dict[str, Any]]:
    """The table of contents as the tokens `get_toc` reads back."""

    def token(link: Any) -> dict[str, Any]:
        return {"level": link.level, "id": link.id, "name": link.title, "children": [token(c) for c in link.children]}

    return [token(link) for link in page.toc]
