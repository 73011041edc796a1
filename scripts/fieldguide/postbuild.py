"""After any builder: robots/noindex on retired pages, sitemap pruning, and the check of every file it wrote.

`fieldguide postbuild SITE --docs DIR` runs this on the output of a builder that ran no hook of ours
(Zensical), from the folder `fieldguide site --out DIR` wrote; the mkdocs hook runs the same
functions page by page as mkdocs writes them (`check_page`, `add_robots`) and `finish` at the end.

What is checked is `htmlcheck`'s: every page, head included (generated pages with the content rules,
hand-written pages and the theme's own without them, each page's title and description as given),
the JSON the page scripts read, the downloads, the sitemap; only the third-party code the site serves
as it is (`assets/vendor`) is left out. The inline scripts allowed are those of the theme the builder
used (`THEMES`) and of our template overrides, with their own text.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import re
from pathlib import Path

from . import buildcache, htmlcheck, publish, site
from .files import write_atomic

# The theme templates each builder renders pages with: its inline scripts are the only ones allowed.
THEMES = {"mkdocs": "material", "zensical": "zensical"}
OVERRIDES = Path(__file__).parent / "theme"  # mkdocs.yml's custom_dir


def theme_scripts(builder: str) -> tuple[re.Pattern[str], ...]:
    """The inline scripts a page built by `builder` may carry (its theme's and our overrides')."""
    package = importlib.import_module(THEMES[builder])
    return htmlcheck.theme_script_patterns([OVERRIDES, Path(package.__file__).parent / "templates"])


def expected(info: site.PageInfo) -> htmlcheck.Expected:
    return htmlcheck.Expected(title=info.title, description=info.description)


def check_page(output: str, info: site.PageInfo, site_url: str,
               patterns: tuple[re.Pattern[str], ...]) -> list[htmlcheck.Problem]:
    """One built page: generated pages carry catalog text (every rule); hand-written ones all but the
    content rules."""
    return htmlcheck.check_page(output, content_rules=info.generated, site_url=site_url, theme_scripts=patterns,
                                expected=expected(info))


def add_robots(output: str, info: site.PageInfo) -> str:
    """The page with `<meta name="robots">` when its front matter asks for one (retired entries)."""
    return publish.robots_meta(output, info.robots)


def page_url(dest: str) -> str:
    """A page's address relative to the site, from where it was written (`a/b/index.html` -> `a/b/`)."""
    return dest.removesuffix("index.html")


def theme_pages(folder: Path, pages: dict[str, site.PageInfo]) -> list[str]:
    """Pages no Markdown file made (the theme's 404 page): checked like a hand-written page."""
    return [p.relative_to(folder).as_posix() for p in folder.glob("*.html")
            if p.relative_to(folder).as_posix() not in pages]


def finish(folder: Path, site_url: str, pages: dict[str, site.PageInfo], patterns: tuple[re.Pattern[str], ...],
           vendor: str = site.VENDOR_DIR, done: set[str] | frozenset[str] = frozenset(),
           verdicts: Verdicts | None = None) -> list[str]:
    """Drop the pages that ask for it from the sitemap, then check every file of the built site not in
    `done` (already checked as it was written) and not passed before (`verdicts`): the findings, as
    `path: reason` lines."""
    publish.drop_from_sitemap(folder, {page_url(dest) for dest, info in pages.items() if info.robots})
    hand = [dest for dest, info in pages.items() if not info.generated] + theme_pages(folder, pages)
    return htmlcheck.check_site(folder, site_url, hand_written=hand, theme_scripts=patterns,
                                expected={dest: expected(info) for dest, info in pages.items()},
                                skip=[vendor], done=set(done), memo=verdicts)


def run(folder: Path, docs: Path, builder: str, root: Path) -> list[str]:
    """`fieldguide postbuild`: add robots meta to the pages that ask for it, prune the sitemap, check
    the whole site built from `docs` by `builder`. Returns the findings (empty: publishable), each with
    the input it came from when it can be found."""
    site_url, vendor, pages = site.read_manifest(docs)
    missing = sorted(dest for dest in pages if not (folder / dest).is_file())
    if missing:
        return [f"{dest}: the builder wrote no page for {pages[dest].source}" for dest in missing]
    for dest, info in pages.items():
        if info.robots:
            path = folder / dest
            text = path.read_text(encoding="utf-8")
            marked = add_robots(text, info)
            if marked != text:
                path.write_text(marked, encoding="utf-8")
    patterns = theme_scripts(builder)
    verdicts = Verdicts(buildcache.cache_dir(root), site_url, patterns, builder)
    problems = finish(folder, site_url, pages, patterns, vendor, verdicts=verdicts)
    if not problems:
        verdicts.save()
        return []
    by_file: dict[str, list[str]] = {}
    for problem in problems:
        name, _, _ = problem.partition(": ")
        by_file.setdefault(name, []).append(problem)
    out = []
    for name, found in by_file.items():
        out += site.explain(name, found, root)
    return out


# The check's own code: an edit to either file makes every earlier verdict void.
CHECKER = (Path(htmlcheck.__file__), Path(__file__))


class Verdicts:
    """Pages that passed the check, by a digest of their exact HTML, the rules they were held to and
    the check's own code (`CHECKER`): an unchanged page is not parsed again on the next build, on
    either builder's path (the mkdocs hook, page by page; `fieldguide postbuild`, over the site folder;
    one verdict file each). Kept with the build cache, bound to this machine like it (a verdict file
    from elsewhere is ignored)."""

    FILE = "page-verdicts.json"

    def __init__(self, cache: Path | None, site_url: str, patterns: tuple[re.Pattern[str], ...],
                 builder: str = "mkdocs"):
        name = self.FILE if builder == "mkdocs" else self.FILE.replace(".json", f"-{builder}.json")
        self.path = cache / name if cache else None
        self.tag = buildcache.tag(cache)
        code = [path.read_text(encoding="utf-8") for path in CHECKER]
        self.rules = hashlib.sha256("\0".join([*code, site_url, *(p.pattern for p in patterns)]).encode()).hexdigest()
        self.known: set[str] = set()
        self.used: set[str] = set()
        self.new: set[str] = set()
        if self.path and self.tag:
            try:
                data = json.loads(self.path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                return
            if isinstance(data, dict) and data.get("tag") == self.tag and data.get("rules") == self.rules:
                self.known = {d for d in data.get("passed", []) if isinstance(d, str)}

    def digest(self, page: str, info: site.PageInfo) -> str:
        parts = [self.rules, str(info.generated), repr(info.title), repr(info.description), page]
        return hashlib.sha256("\0".join(parts).encode()).hexdigest()

    def file_digest(self, path: str, text: str) -> str:
        """The same for a generated file that is no page (the page scripts' JSON, downloads): at 30× the
        catalog each data file is megabytes, and parsing it again on every build cost seconds."""
        return hashlib.sha256("\0".join([self.rules, "file", path, text]).encode()).hexdigest()

    def _site_digest(self, name: str, text: str, generated: bool, expected: htmlcheck.Expected | None) -> str:
        """A file of a built site folder, with what it was checked as (`htmlcheck.check_site`)."""
        wanted = (None, None) if expected is None else (expected.title, expected.description)
        return hashlib.sha256("\0".join([self.rules, "site", name, str(generated), repr(wanted), text]).encode()
                              ).hexdigest()

    def passed_file(self, name: str, text: str, generated: bool, expected: htmlcheck.Expected | None) -> bool:
        return self.passed(self._site_digest(name, text, generated, expected))

    def add_file(self, name: str, text: str, generated: bool, expected: htmlcheck.Expected | None) -> None:
        self.add(self._site_digest(name, text, generated, expected))

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
