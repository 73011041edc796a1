"""`make bench`: how the pipeline and the site scale with synthetic catalogs at 1×, 3×, 10× and 30× the real one.

Each measurement runs in a fresh process (so start-up and peak memory are real) and is repeated;
the tables show medians. Full `mkdocs build` runs at the build scales: the first build fills the
caches, then a build after a catalog change (one challenge edited: a full render, as a contributor's
edit causes) and builds with nothing changed. The built site's sizes are set beside the budgets of
issue 23 ("built to grow": every page ≤ 1 MB raw at 10×, the build after a change ≤ 60 s at 30×).
`--bare` adds a bare mkdocs-material build of the very same generated Markdown (no hooks) as the
floor to compare with. Nothing here is a test: targets are printed as met or missed.
"""

from __future__ import annotations

import gzip
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from .schema import ENTITY_DIRS

TARGETS = {
    "check_real_s": 1.0,  # `fieldguide check` on the real catalog, wall, start-up included
    "check_100x_s": 10.0,  # the 100× catalog checked
    "linear_ratio": 12.0,  # 100× time ÷ 10× time for load + validate + graph + render
    "build_ratio": 1.10,  # our full build ÷ the bare build of the same pages
    "search_index_mb": 1.5,  # search index of the real catalog (every file under search/, uncompressed)
}
ID_FIELDS = {"references", "challenges", "related"}
MB = 1_000_000
Measure = Callable[[Path], "int | None"]  # bytes of one part of the built site (None: not there)


def _raw(path: str) -> Measure:
    return lambda site: (site / path).stat().st_size if (site / path).is_file() else None


def _largest_page(site: Path) -> int:
    return max(p.stat().st_size for p in site.rglob("*.html"))


# Questions a reader types first: the search box's own examples (views/search.js EXAMPLES).
FIRST_QUESTIONS = ("model accuracy dropping in production", "labelling needs doctors", "GPU bill too high",
                   "users ignore the predictions")


def _first_search_download(site: Path) -> int | None:
    """Bytes (each file gzipped) the page fetches on a first visit for a question typed letter by letter:
    the entry file, the chunks of every prefix's words and the fragments of every list shown on the way
    (`search.files_for`, which a browser test holds the page to); the largest over `FIRST_QUESTIONS`."""
    from . import search, searchfiles

    folder = site / searchfiles.FOLDER
    if not (folder / searchfiles.ENTRY).is_file():
        return None
    texts: dict[str, bytes] = {}

    def read(name: str) -> str:
        texts[name] = (folder / name).read_bytes()
        return texts[name].decode("utf-8")

    index = search.Index(searchfiles.read(read))
    entry = json.loads(texts[searchfiles.ENTRY])
    sizes = {name: len(gzip.compress(text, 9)) for name, text in texts.items()}
    fetched = []
    for question in FIRST_QUESTIONS:
        files: set[str] = set()
        for k in range(1, len(question) + 1):
            files |= search.files_for(index, entry, question[:k])
        fetched.append(sum(sizes[name] for name in files))
    return max(fetched)


def _search_index(site: Path) -> int:
    """Bytes of the whole search index as shipped (entry file and every part)."""
    return sum(p.stat().st_size for p in (site / "search").glob("*.json"))


def _largest(pattern: str) -> Measure:
    """The largest file of the built site matching `pattern` (None: none there)."""
    return lambda site: max((p.stat().st_size for p in site.glob(pattern) if p.is_file()), default=None)


def _planner_first_download(site: Path) -> int | None:
    """Bytes (gzip, each file apart, as a host compresses them) the planner fetches before it shows a
    plan: its core file and every challenge's texts (`pagedata`); a brief's sections come later."""
    core = site / "planner" / "data.json"
    if not core.is_file():
        return None
    files = [core, *(site / name for name in json.loads(core.read_bytes()).get("parts", {})
                                               .get("challenges", {}).get("files", []))]
    return sum(len(gzip.compress(f.read_bytes(), 9)) for f in files)


# The rows of issue 23's table that a build measures: (label, measure of the built site, budget in
# bytes, scale the budget holds at). Browser rows (status change, Lighthouse) come from `make bench-browser`.
SITE_ROWS: list[tuple[str, Measure, int, int]] = [
    ("`/checklists/` (all stages), raw HTML", _raw("checklists/index.html"), MB, 10),
    ("largest page, raw HTML", _largest_page, MB, 10),
    ("`planner/data.json` (its core), raw", _raw("planner/data.json"), MB, 10),
    ("`citations/data.json` (its core), raw", _raw("citations/data.json"), MB, 10),
    ("largest planner data file, raw", _largest("planner/*.json"), MB, 10),
    ("largest citations data file, raw", _largest("citations/*.json"), MB, 10),
    # at 1× no larger than before the split (planner/data.json whole: 120.6 KB gzipped)
    ("planner's first download (core and challenges), gzip", _planner_first_download, 120_000, 1),
    ("bibliography index (`/references/`), raw HTML", _raw("references/index.html"), MB, 10),
    ("largest bibliography page, raw HTML", _largest("references/*/index.html"), MB, 10),
    ("first search download, gzip", _first_search_download, 100_000, 10),
]
BUILD_BUDGET = (60.0, 30)  # seconds for the build after a catalog change, and the scale it holds at


# ---------------------------------------------------------------- synthetic catalogs


def synthesize(src: Path, dest: Path, scale: int) -> int:
    """Write `scale` copies of every entity (same shape and links, ids suffixed); return the entity count."""
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns(*ENTITY_DIRS))
    entity_ids: set[str] = set()
    raw: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for folder in ENTITY_DIRS:
        raw[folder] = []
        for path in sorted((src / folder).glob("*.yaml")):
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
            raw[folder].append((path.stem, data))
            entity_ids.add(data["id"])
    count = 0
    for folder, entries in raw.items():
        (dest / folder).mkdir(parents=True, exist_ok=True)
        for k in range(scale):
            def rename(value: str, k: int = k) -> str:
                return value if k == 0 or value not in entity_ids else f"{value}-x{k}"

            for _, data in entries:
                copy = json.loads(json.dumps(data))  # deep copy of plain data
                copy["id"] = rename(copy["id"])
                if k:
                    copy["title"] = f"{copy['title']} (copy {k})"
                    if "survey_ref" in copy:
                        copy["survey_ref"] = None
                    if "order" in copy:  # copies follow the originals within their step
                        copy["order"] += 10 * k
                for item in copy.get("checklist", []):
                    item["id"] = item["id"].replace(data["id"], copy["id"], 1)
                for name in ID_FIELDS & copy.keys():
                    copy[name] = [rename(v) if isinstance(v, str) else {**v, "challenge": rename(v["challenge"])}
                                  for v in copy[name]]
                for item in copy.get("corrections", []):
                    item["reference"] = rename(item["reference"])
                if copy.get("sources"):  # a framework's further references
                    copy["sources"] = [rename(v) for v in copy["sources"]]
                if copy.get("published_version"):
                    copy["published_version"] = rename(copy["published_version"])
                text = yaml.dump(copy, Dumper=yaml.CSafeDumper, allow_unicode=True, sort_keys=False)
                (dest / folder / f"{copy['id']}.yaml").write_text(text, encoding="utf-8")
                count += 1
    _scale_deployments(src, dest, scale, entity_ids)
    return count


def _scale_deployments(src: Path, dest: Path, scale: int, entity_ids: set[str]) -> None:
    """The deployments the planner reads, `scale` times (copy k of each file in `deployments/<file>-xk.yaml`,
    each deployment naming the challenges of its own copy), so that the planner's deployments index grows
    with the catalog and no file outgrows the loader's limit."""
    from .load import deployment_files

    (dest / "deployments").mkdir(exist_ok=True)
    for path, _, _, refused in deployment_files(src):
        listed = [] if refused else yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)["deployments"]
        for k in range(1, scale if listed else 1):
            copies = [{**d, "id": f"{d['id']}-x{k}", "name": f"{d['name']} (copy {k})",
                       "bit": [f"{c}-x{k}" if c in entity_ids else c for c in d["bit"]]} for d in listed]
            text = yaml.dump({"deployments": copies}, Dumper=yaml.CSafeDumper, allow_unicode=True, sort_keys=False)
            (dest / "deployments" / f"{path.stem}-x{k}.yaml").write_text(text, encoding="utf-8")


# ---------------------------------------------------------------- one measurement, in its own process


def worker(catalog: Path) -> dict[str, Any]:
    """Time load, validate, graph and render once, in this (fresh) process."""
    from . import graph, load, render

    timings: dict[str, float] = {}
    cat, problems = load.load_with_problems(catalog, timings)
    if problems:
        raise SystemExit(f"synthetic catalog is invalid: {problems[0]}")
    start = time.perf_counter()
    g = graph.build(cat)
    assert graph.integrity(cat, g) == []
    timings["graph"] = time.perf_counter() - start
    start = time.perf_counter()
    files = render.render(cat, g)
    timings["render"] = time.perf_counter() - start
    entities = len(cat.challenges) + len(cat.case_studies) + len(cat.references) + len(cat.mitigations)
    timings.setdefault("validate", 0.0)  # large catalogs validate inside the parallel parse
    return {**timings, "entities": entities, "pages": sum(p.endswith(".md") for p in files),
            "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def _run(cmd: list[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> tuple[float, float, str]:
    """Run a command; return (wall seconds, peak RSS of the child in MB, stdout)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    if proc.returncode:
        raise SystemExit(f"bench: {' '.join(cmd[:4])} failed:\n{proc.stderr[-2000:]}")
    peak = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    return wall, peak, proc.stdout


def _median(values: list[float]) -> float:
    return statistics.median(values)


# ---------------------------------------------------------------- builds


def _project(root: Path, catalog: Path, where: Path) -> Path:
    """A project folder that builds `catalog` with the real mkdocs.yml, content and hooks."""
    where.mkdir(parents=True)
    for name in ("mkdocs.yml", "content", "scripts", "node_modules"):
        if (root / name).exists():
            (where / name).symlink_to(root / name)
    if (root / "releases.yaml").is_file():  # read under the file rules: a link out of the project is refused
        shutil.copyfile(root / "releases.yaml", where / "releases.yaml")
    (where / "catalog").symlink_to(catalog)
    return where


def _bare_project(root: Path, catalog: Path, where: Path) -> Path:
    """The same generated Markdown plus the hand-written pages, under a plain Material config."""
    docs = where / "docs"
    subprocess.run([sys.executable, "-m", "fieldguide", "render", "--catalog", str(catalog), "--out", str(docs)],
                   check=True, capture_output=True)
    for page in (root / "content").glob("*.md"):
        shutil.copy(page, docs / page.name)
    config = yaml.load((root / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_IgnoreTags)
    bare = {"site_name": config["site_name"], "docs_dir": "docs", "theme": {"name": "material", "font": False},
            "markdown_extensions": config["markdown_extensions"], "nav": config["nav"],
            "not_in_nav": config["not_in_nav"]}
    fence = "pymdownx.superfences.fence_code_format"
    text = yaml.safe_dump(bare, sort_keys=False).replace(f"format: {fence}", f"format: !!python/name:{fence}")
    (where / "mkdocs.yml").write_text(text, encoding="utf-8")
    return where


class _IgnoreTags(yaml.SafeLoader):
    """Reads mkdocs.yml's `!ENV` and `!!python/name` tags as plain text."""


_IgnoreTags.add_multi_constructor("", lambda loader, suffix, node: f"{suffix}")
_IgnoreTags.add_multi_constructor("tag:yaml.org,2002:python/name:",
                                  lambda loader, suffix, node: f"pymdownx.superfences.{suffix.split('.')[-1]}")


def _edit_catalog(catalog: Path, run: int) -> None:
    """A contributor's edit: one challenge's description gains a sentence (valid, and new each run)."""
    path = sorted((catalog / "challenges").glob("*.yaml"))[0]
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    data["description"] = data["description"].rstrip() + f"\n\nEdited for the benchmark, run {run}.\n"
    path.write_text(yaml.dump(data, Dumper=yaml.CSafeDumper, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _build(project: Path, out: Path) -> tuple[float, float, float]:
    """(wall s, peak MB, CPU s). CPU time (user + system of the build process) is what the build
    costs whatever else the machine is doing; wall time is what a person waits."""
    # Each scale's project keeps its caches beside the project (outside it), gone with the temporary folder.
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1",
           "FIELDGUIDE_CACHE_DIR": str(project.parent / f"{project.name}-cache")}
    shutil.rmtree(out, ignore_errors=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall, peak, _ = _run([sys.executable, "-m", "mkdocs", "build", "--quiet", "--site-dir", str(out)], project, env)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, peak, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


# ---------------------------------------------------------------- the table


def main(scales: list[int], build_scales: list[int], runs: int, bare: bool = False) -> int:
    root = Path.cwd()
    src = root / "catalog"
    results: dict[int, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="fieldguide-bench-") as tmpname:
        tmp = Path(tmpname)
        for scale in scales:
            catalog = tmp / f"catalog-{scale}x"
            entities = synthesize(src, catalog, scale) if scale != 1 else None
            if scale == 1:
                shutil.copytree(src, catalog)
            print(f"bench: {scale}× catalog written ({entities or 'real'} entities); measuring…", file=sys.stderr)
            samples = []
            for _ in range(runs):
                _, _, out = _run([sys.executable, "-m", "fieldguide.bench", "--worker", str(catalog)])
                samples.append(json.loads(out))
            row: dict[str, Any] = {k: _median([s[k] for s in samples]) for k in samples[0]}
            row["check_s"] = _median([_run([sys.executable, "-m", "fieldguide", "check", "--catalog",
                                            str(catalog)])[0] for _ in range(runs)])
            if scale in build_scales:
                # One project folder per scale, as a developer's or CI's checkout: the first build fills
                # the build caches (outside the project) and is reported apart; the runs after it reuse them.
                project = _project(root, catalog, tmp / f"p{scale}")
                site_dir = tmp / f"site{scale}"
                row["cold_build_s"] = _build(project, site_dir)[0]
                changed = []
                for run in range(runs):
                    _edit_catalog(catalog, run)
                    changed.append(_build(project, site_dir))
                row["change_build_s"] = _median([w for w, _, _ in changed])
                row["change_build_cpu_s"] = _median([c for _, _, c in changed])
                ours = [_build(project, site_dir) for _ in range(runs)]
                row["build_s"] = _median([w for w, _, _ in ours])
                row["build_cpu_s"] = _median([c for _, _, c in ours])
                row["build_peak_mb"] = max(p for _, p, _ in ours + changed)
                row["search_index_mb"] = _search_index(site_dir) / 1e6
                row["sizes"] = [measure(site_dir) for _, measure, _, _ in SITE_ROWS]
                if bare:
                    bare_project = _bare_project(root, catalog, tmp / f"bare{scale}")
                    floor = [_build(bare_project, tmp / f"bare-site{scale}") for _ in range(runs)]
                    row["bare_s"] = _median([w for w, _, _ in floor])
                    row["bare_cpu_s"] = _median([c for _, _, c in floor])
                    row["build_ratio"] = row["build_s"] / row["bare_s"]
                    row["cpu_ratio"] = row["build_cpu_s"] / row["bare_cpu_s"]
            results[scale] = row
            shutil.rmtree(catalog)
    print(table(results, runs))
    return 0 if all(ok for _, _, ok in verdicts(results)) else 1


def _pipeline(row: dict[str, Any]) -> float:
    return row["parse"] + row.get("validate", 0.0) + row["links"] + row["graph"] + row["render"]


def verdicts(results: dict[int, dict[str, Any]]) -> list[tuple[str, str, bool]]:
    out = []
    if 1 in results:
        out.append(("`fieldguide check`, real catalog", f"{results[1]['check_s']:.2f} s ≤ {TARGETS['check_real_s']} s",
                    results[1]["check_s"] <= TARGETS["check_real_s"]))
        if "search_index_mb" in results[1]:
            size = results[1]["search_index_mb"]
            out.append(("search index, real catalog", f"{size:.2f} MB ≤ {TARGETS['search_index_mb']} MB",
                        size <= TARGETS["search_index_mb"]))
    if 100 in results:
        seconds = results[100]["check_s"]
        out.append(("`fieldguide check`, 100× catalog", f"{seconds:.2f} s ≤ {TARGETS['check_100x_s']} s",
                    seconds <= TARGETS["check_100x_s"]))
    if 10 in results and 100 in results:
        ratio = _pipeline(results[100]) / _pipeline(results[10])
        out.append(("100× ÷ 10× (load+validate+graph+render)", f"{ratio:.1f} ≤ {TARGETS['linear_ratio']}",
                    ratio <= TARGETS["linear_ratio"]))
    for i, (label, _, budget, at) in enumerate(SITE_ROWS):
        size = results.get(at, {}).get("sizes", [None] * len(SITE_ROWS))[i]
        if size is not None:
            out.append((f"{label}, {at}×", f"{_size(size)} ≤ {_size(budget)}", size <= budget))
    seconds, at = BUILD_BUDGET
    if "change_build_s" in results.get(at, {}):
        took = results[at]["change_build_s"]
        out.append((f"build after a catalog change, {at}×", f"{took:.1f} s ≤ {seconds:.0f} s", took <= seconds))
    for scale, row in results.items():
        if "build_ratio" in row:
            out.append((f"full build ÷ bare build, {scale}×", f"{row['build_ratio']:.2f} ≤ {TARGETS['build_ratio']}",
                        row["build_ratio"] <= TARGETS["build_ratio"]))
            out.append((f"the same in CPU time (load on the machine left out), {scale}×",
                        f"{row['cpu_ratio']:.2f} ≤ {TARGETS['build_ratio']}",
                        row["cpu_ratio"] <= TARGETS["build_ratio"]))
    return out


def table(results: dict[int, dict[str, Any]], runs: int) -> str:
    cols = ["scale", "entities", "pages", "load+validate s", "links s", "graph s", "render s", "entities/s",
            "check s", "peak MB", "first build s", "build s", "bare s", "build/bare", "CPU build/bare",
            "search index MB"]
    lines = [f"Medians of {runs} runs, each in a fresh process.", "",
             "| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for scale, r in results.items():
        def opt(key: str, fmt: str, r: dict[str, Any] = r) -> str:
            return format(r[key], fmt) if key in r else "–"

        lines.append("| " + " | ".join([
            f"{scale}×", f"{r['entities']:.0f}", f"{r['pages']:.0f}", f"{r['parse'] + r.get('validate', 0):.3f}",
            f"{r['links']:.3f}", f"{r['graph']:.3f}", f"{r['render']:.2f}", f"{r['entities'] / _pipeline(r):,.0f}",
            f"{r['check_s']:.2f}", f"{max(r['maxrss_mb'], r.get('build_peak_mb', 0)):.0f}",
            opt("cold_build_s", ".1f"), opt("build_s", ".1f"),
            opt("bare_s", ".1f"), opt("build_ratio", ".2f"), opt("cpu_ratio", ".2f"),
            opt("search_index_mb", ".2f")]) + " |")
    lines += budget_table(results)
    lines += ["", "| target | measured | met |", "|---|---|---|"]
    lines += [f"| {name} | {value} | {'yes' if ok else '**no**'} |" for name, value, ok in verdicts(results)]
    return "\n".join(lines)


def _size(n: int | None) -> str:
    if n is None:
        return "–"
    return f"{n / MB:.1f} MB" if n >= MB else f"{n / 1000:.0f} KB"


def budget_table(results: dict[int, dict[str, Any]]) -> list[str]:
    """Issue 23's table: each part at every scale built, beside its budget."""
    built = [s for s, r in results.items() if "sizes" in r]
    if not built:
        return []
    lines = ["", "| part | " + " | ".join(f"{s}×" for s in built) + " | budget |",
             "|---|" + "---|" * len(built) + "---|"]
    for i, (label, _, budget, at) in enumerate(SITE_ROWS):
        cells = [_size(results[s]["sizes"][i]) for s in built]
        lines.append(f"| {label} | " + " | ".join(cells) + f" | ≤ {_size(budget)} at {at}× |")
    seconds, at = BUILD_BUDGET
    cells = [f"{results[s]['change_build_s']:.1f} s" for s in built]
    lines.append("| build after a catalog change (wall) | " + " | ".join(cells) + f" | ≤ {seconds:.0f} s at {at}× |")
    cells = [f"{results[s]['change_build_cpu_s']:.1f} s" for s in built]
    lines.append("| the same in CPU time | " + " | ".join(cells) + " | |")
    cells = [f"{results[s]['build_s']:.1f} s" for s in built]
    lines.append("| build with nothing changed (wall) | " + " | ".join(cells) + " | |")
    return lines


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--worker":
        print(json.dumps(worker(Path(sys.argv[2]))))
