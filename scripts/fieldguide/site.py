"""The builder-neutral site folder: `content/` plus every generated page and asset, in one folder.

Any builder that reads `mkdocs.yml` with `docs_dir` pointed at this folder builds the whole guide from
it (MkDocs, or Zensical, which runs no hooks). `fieldguide site --out DIR` writes it; the mkdocs hook
uses the same functions (`generate`, `vendor_files`, `check_generated`) and hands the files to mkdocs
in memory instead. `postbuild` then checks what the builder wrote, whichever it was.

What is written: the generated files (`render`, reused from `buildcache` when no input changed; every
file that is not a page is checked by `htmlcheck` first), the Mermaid library from `node_modules`
(served by the site itself), the hand-written `content/` folder, and a manifest (`MANIFEST`, a
dot-file both builders leave out of the site) that tells `postbuild` which pages are generated, the
title and description each was given, and which ask search engines to stay away.
"""

from __future__ import annotations

import html
import json
import shutil
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import yaml

from . import buildcache, htmlcheck
from .files import Unreadable, read_bytes

MANIFEST = ".fieldguide-site.json"
# Third-party code the site serves itself: name -> (folder in the project, files in it).
VENDOR = {"mermaid": ("node_modules/mermaid/dist", ("mermaid.esm.min.mjs", "chunks/mermaid.esm.min/*.mjs"))}
VENDOR_DIR = "assets/vendor"
_FRONT_MATTER_CAP = 1 << 20


class SiteError(Exception):
    """The site folder cannot be made; `problems` are the lines to show, one finding each."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def generate(root: Path, site_url: str, cache: Path | None = None, store: bool = True) -> dict[str, str]:
    """Every generated file of the project at `root`, keyed by its path in the docs folder: from the
    build cache when no input changed since the last build, else rendered now (and kept, if `store`)."""
    build_key = buildcache.key(root, site_url, cache)
    files = buildcache.load(cache, build_key)
    if files is not None:
        return files
    from . import load, pipeline, release

    try:
        files = pipeline.generate(root, root / "catalog", site_url, cache)
    except (load.CatalogError, release.ReleaseError) as exc:
        lines = [str(p) for p in exc.problems]
        raise SiteError([f"the catalog has {len(lines)} problem(s):", *lines]) from None
    if store:
        buildcache.save(cache, build_key, files)
    return files


def check_generated(path: str, text: str, site_url: str, root: Path) -> None:
    """A generated file that is no page (JSON the page scripts read, a download), checked before any
    builder sees it: SiteError with the findings and the input they came from."""
    if not path.endswith(".md"):
        problems = htmlcheck.check_file(path, text, site_url)
        if problems:
            raise SiteError(explain(path, problems, root))


def explain(path: str, problems: list[str], root: Path) -> list[str]:
    """The lines that stop a build: the file, what is wrong, and the input it came from when it can be
    found (`path:line: id: field`)."""
    origins = origins_of(problems, root)
    return [f"unsafe output in {path} (input that got past `fieldguide check`?):", *problems,
            *([f"it comes from {o}" for o in origins] if origins else
              ["it is in no catalog file: from the build cache, a template or the theme?"])]


def origins_of(problems: list[str], root: Path) -> list[str]:
    """Where in the input files the offending text stands (`path:line: id: field`), found by searching
    every text field of the catalog and releases.yaml for it."""
    needles = {p.needle for p in problems if isinstance(p, htmlcheck.Problem) and len(p.needle) >= 2}
    if not needles:
        return []
    from . import load, release

    catalog, _ = load.load_with_problems(root / "catalog")
    found = []
    for where, text in [*load.text_fields(catalog), *release.text_fields(root)]:
        unescaped = html.unescape(text)
        if any(n in text or n in unescaped for n in needles):
            found.append(where)
    return found[:10]


def vendor_files(root: Path) -> dict[str, Path]:
    """Third-party files the site serves itself, by their path in the site (empty when `make` has not
    installed them: the diagrams then stay readable as their source text)."""
    out = {}
    for name, (folder, patterns) in VENDOR.items():
        src = root / folder
        for path in (p for pattern in patterns for p in sorted(src.glob(pattern))):
            out[f"{VENDOR_DIR}/{name}/{path.relative_to(src).as_posix()}"] = path
    return out


def collision(path: str, existing: bool) -> None:
    if existing:
        raise SiteError([f"generated page {path} would replace content/{path}: rename the entity or the page"])


# ---------------------------------------------------------------- the folder and its manifest

def page_dest(src: str) -> str | None:
    """Where a builder with directory URLs (both builders' default) writes the page of `src`."""
    path = PurePosixPath(src)
    if path.suffix != ".md":
        return None
    if path.stem == "index":
        return (path.parent / "index.html").as_posix().removeprefix("./")
    return (path.parent / path.stem / "index.html").as_posix().removeprefix("./")


def front_matter(text: str) -> dict[str, object]:
    """The YAML front matter of a Markdown page (empty when it has none or it does not parse)."""
    if not text.startswith("---\n"):
        return {}
    end = text.find("\n---", 4)
    if end < 0:
        return {}
    try:
        data = yaml.load(text[4:end], Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        return {}
    return data if isinstance(data, dict) else {}


@dataclass(frozen=True)
class PageInfo:
    """What the built page must show, as `postbuild` checks it."""

    source: str
    generated: bool
    title: str | None = None
    description: str | None = None
    robots: str | None = None

    @staticmethod
    def of(source: str, text: str, generated: bool) -> PageInfo:
        meta = front_matter(text)

        def field(name: str) -> str | None:
            return html.unescape(str(meta[name])) if meta.get(name) is not None else None

        robots = meta.get("robots")
        return PageInfo(source, generated, field("title"), field("description"), str(robots) if robots else None)


def write(root: Path, out: Path, site_url: str, cache: Path | None = None) -> dict[str, PageInfo]:
    """Write the site folder of the project at `root` into `out` (replacing what an earlier run wrote
    there) and return its pages by their path in the built site. Nothing is written when a generated
    file fails its check or would replace a hand-written page."""
    content = root / "content"
    _refuse_out(out, root, content)
    generated = generate(root, site_url, cache)
    hand = {p.relative_to(content).as_posix() for p in content.rglob("*") if p.is_file()}
    for path, text in generated.items():
        collision(path, path in hand)
        check_generated(path, text, site_url, root)
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(content, out)  # symbolic links followed: the folder stands on its own
    for path, text in generated.items():
        target = out / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    for dest, src in vendor_files(root).items():
        (out / dest).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, out / dest)
    pages = {}
    for rel in sorted(hand | set(generated)):
        dest = page_dest(rel)
        if dest is not None:
            text = generated[rel] if rel in generated else (out / rel).read_text(encoding="utf-8")
            pages[dest] = PageInfo.of(rel, text, rel in generated)
    manifest = {"site_url": site_url, "vendor": VENDOR_DIR,
                "pages": {dest: info.__dict__ for dest, info in pages.items()}}
    (out / MANIFEST).write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return pages


def _refuse_out(out: Path, root: Path, content: Path) -> None:
    """Only a new or empty folder, or one this command wrote before, is (re)written: never the project,
    its content, or a folder holding anything else."""
    target = out.resolve()
    for keep, what in ((root.resolve(), "the project folder"), (content.resolve(), "the content folder")):
        if target == keep or target in keep.parents or (what == "the content folder" and keep in target.parents):
            raise SiteError([f"{out}: is or holds {what}; write the site folder somewhere else (e.g. build/docs)"])
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / MANIFEST).is_file())):
        raise SiteError([f"{out}: exists and was not written by `fieldguide site`; name a new or empty folder"])


def read_manifest(docs: Path) -> tuple[str, str, dict[str, PageInfo]]:
    """The site address, vendor folder and pages recorded by `write` in a site folder."""
    try:
        data = json.loads(read_bytes(docs / MANIFEST, 1 << 28, inside=docs).decode("utf-8"))
        pages = {dest: PageInfo(**info) for dest, info in data["pages"].items()}
        return str(data["site_url"]), str(data["vendor"]), pages
    except (Unreadable, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise SiteError([f"{docs}: not a folder written by `fieldguide site` ({MANIFEST}: {exc})"]) from None
