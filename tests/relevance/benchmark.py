"""`make relevance`: how often search and the planner lead to the right challenge (a benchmark, not a test).

For the questions in questions.yaml (dev, holdout and the blind set) and the profiles (the catalog's
deployments, dev and holdout), each split apart, and within a split each outside author's entries again on
their own (AUTHOR_ROWS: blind/2 is the original blind set, blind/5 and holdout/5 the fresh held-out data of
round 6, blind/7 and holdout/7 that of round 7, dev/8 the planner dev profiles of round 7, blind/11,
holdout/11 and holdout/12 the fresh sets of round 8, holdout/13 and holdout/14 those of round 9, dev/15 the
dev questions of round 9, blind/16, holdout/17 to holdout/20, holdout/22 and holdout/23 the fresh sets of
round 10, dev/21 the dev questions of round 10, holdout/24 to holdout/26 and blind/28 the fresh sets of
round 11, dev/27 the dev questions of round 11). A profile is ranked by a planner that has never seen its author's
deployments (relevance.held_out_index):
- site: the page's engine (content/assets/javascripts/engine/search.js) run under Node;
- cli: `fieldguide search` (fieldguide.search in Python);
- material: Material for MkDocs' own search (its lunr worker under Node) over the index its search
  plugin writes for this site with the configuration the guide used before (the baseline);
- planner: `fieldguide plan` (and the planner page's engine under Node), principal challenge in the
  top 5, any challenge that bit in the top 5.
Search counts a hit at k when an accepted challenge is among the first k challenges shown (the header
box lists challenges first); Material's results are pages of any kind, in the order it shows them.
Also prints the index size and the page engine's query times. Tune only on dev; holdout and blind are
the estimates (blind: questions written without reading our vocabulary, see README.md).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from fieldguide import plan, search  # noqa: E402
from relevance import (  # noqa: E402
    AUTHORS,
    ROOT,
    accept_all,
    author_of,
    catalog_without,
    held_out_index,
    profile_of,
    profiles,
    questions,
    rank_held_out,
    root_catalog,
)

SPLITS = ("dev", "holdout", "blind")  # the order rows are printed in; a split with no entries is skipped
MATERIAL_SEPARATOR = r'[\s\-,:!=\[\]()"/]+|(?!\b)(?=[A-Z][a-z])|\.(?!\d)|&[lg]t;'  # the old mkdocs.yml's


def node(script: str, job: dict[str, Any]) -> Any:
    proc = subprocess.run(["node", str(HERE / script)], input=json.dumps(job), capture_output=True, text=True,
                          check=False)
    if proc.returncode:
        raise SystemExit(f"{script} failed:\n{proc.stderr}")
    return json.loads(proc.stdout)


def scores(ranked: list[list[str]], accepted: list[list[str]]) -> tuple[float, float, float]:
    """hit@1, hit@5 and mean reciprocal rank of the best-ranked accepted id."""
    h1 = h5 = mrr = 0.0
    for ids, ok in zip(ranked, accepted, strict=True):
        ranks = [ids.index(a) + 1 for a in ok if a in ids]
        if ranks:
            best = min(ranks)
            h1 += best == 1
            h5 += best <= 5
            mrr += 1 / best
    n = len(ranked) or 1
    return h1 / n, h5 / n, mrr / n


# Issue 21's outside authors, each also scored alone (relevance.AUTHORS: the one table of them).
AUTHOR_ROWS = tuple((a.name, f"/{a.number}") for a in AUTHORS)


def groups(entries: list[dict[str, Any]], split: str) -> list[tuple[str, list[dict[str, Any]]]]:
    """The split's entries, then (when the split mixes authors) each outside author's alone, e.g. "holdout/2"."""
    rows = [(split, entries)]
    for author, suffix in AUTHOR_ROWS:
        theirs = [e for e in entries if e.get("author") == author]
        if theirs and len(theirs) < len(entries):
            rows.append((split + suffix, theirs))
    return rows


def only_material_index_refused(stderr: str) -> bool:
    """True when the build failed only because the site's output check (hooks.py) refused Material's own
    search index, whose texts hold HTML. The guide never ships that file (it has its own index); the
    baseline build writes it before the check runs, and the benchmark only reads it."""
    head, sep, problems = stderr.partition("unsafe output in the built site:\n")
    lines = [line for line in problems.splitlines() if line.strip()]
    return bool(sep and lines) and "ERROR" in head and all(
        line.startswith("search/search_index.json: ") for line in lines)


def material_index(tmp: Path) -> Path:
    """Build the site with Material's search plugin as configured before issue 9; return its index."""
    config = ROOT / ".relevance-baseline.yml"
    config.write_text(f"INHERIT: mkdocs.yml\nplugins:\n  - search:\n      separator: '{MATERIAL_SEPARATOR}'\n",
                      encoding="utf-8")
    try:
        env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
        proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(config), "--site-dir",
                               str(tmp / "site")], cwd=ROOT, env=env, capture_output=True, text=True, check=False)
        if proc.returncode and not only_material_index_refused(proc.stderr):
            raise SystemExit(f"baseline build failed:\n{proc.stderr}")
    finally:
        config.unlink()
    return tmp / "site" / "search" / "search_index.json"


def material_worker() -> Path:
    import material

    workers = Path(material.__file__).parent / "templates" / "assets" / "javascripts" / "workers"
    return next(workers.glob("search.*.min.js"))


def page_to_challenge(location: str) -> str | None:
    path = location.split("#")[0]
    parts = path.strip("/").split("/")
    return parts[1] if len(parts) == 2 and parts[0] == "challenges" else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-material", action="store_true", help="skip the baseline (it needs a site build)")
    args = parser.parse_args()
    cat, g = root_catalog()
    data = search.build_index(cat, g)
    index = search.index_for(cat, g)  # with the contexts' and the deployments' indexes
    rows: list[tuple[str, str, int, tuple[float, float, float]]] = []
    times: list[float] = []
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        entry = search.write_layout(data, tmp)
        worker, baseline = (None, None) if args.no_material else (material_worker(), material_index(tmp))
        for split, qs in [grp for name in SPLITS for grp in groups(questions(name), name) if grp[1]]:
            accepted = [q["accept"] for q in qs]
            site = node("run_engine.js", {"index": str(entry), "repeat": 7,
                                          "queries": [{"text": q["q"]} for q in qs]})
            times += [] if "/" in split else [r["ms"] for r in site["queries"]]  # each question once
            rows.append(("site (engine/search.js under Node)", split, len(qs), scores(
                [[h[1] for h in r["hits"] if h[0] == "challenge"] for r in site["queries"]], accepted)))
            cli = [[h.id for h in search.run(index, q["q"], prefix=False) if h.type == "challenge"] for q in qs]
            rows.append(("cli (fieldguide search)", split, len(qs), scores(cli, accepted)))
            if baseline:
                pages = node("run_material.js", {"worker": str(worker), "index": str(baseline),
                                                 "queries": [q["q"] for q in qs]})
                rows.append(("material (lunr, before issue 9)", split, len(qs),
                             scores([[page_to_challenge(p) or p for p in r] for r in pages], accepted)))
        # Each profile is ranked by a planner that has never seen its author's deployments (relevance.py):
        # by `fieldguide plan` and by the page's engine under Node, one author at a time.
        everyone = [p for name in SPLITS for p in profiles(name)]
        py_of = {p["id"]: rank_held_out(p) for p in everyone}
        table = plan.facet_terms(cat, index)
        taken_of = {p["id"]: rank_held_out(p, accept_all(cat, index, profile_of(p), table)) for p in everyone}
        page_of: dict[str, list[str]] = {}
        for author in sorted({author_of(p) for p in everyone}):
            mine = [p for p in everyone if author_of(p) == author]
            (tmp / "plan.json").write_text(json.dumps({"ranking": plan.weights_for_page(
                catalog_without(author), g, held_out_index(author))}), encoding="utf-8")
            js = node("run_engine.js", {"index": str(entry), "plan": {
                "data": str(tmp / "plan.json"), "profiles": [profile_of(p).model_dump() for p in mine]}})["plans"]
            page_of.update({p["id"]: [r[0] for r in ranked] for p, ranked in zip(mine, js, strict=True)})
        for split, ps in [grp for name in SPLITS for grp in groups(profiles(name), name) if grp[1]]:
            py, page = [py_of[p["id"]] for p in ps], [page_of[p["id"]] for p in ps]
            for name, ranked in (("planner (fieldguide plan)", py), ("planner page (Node)", page)):
                rows.append((name + ", principal", split, len(ps), scores(ranked, [[p["bit"][0]] for p in ps])))
                rows.append((name + ", any that bit", split, len(ps), scores(ranked, [p["bit"] for p in ps])))
            # What the suggestions could add: every one accepted (profiles are scored as written above).
            rows.append(("planner, all suggestions accepted, principal", split, len(ps),
                         scores([taken_of[p["id"]] for p in ps], [[p["bit"][0]] for p in ps])))
    print(f"{'engine':46} {'split':8} {'n':>4} {'hit@1':>6} {'hit@5':>6} {'MRR':>6}")
    for name, split, n, (h1, h5, mrr) in rows:
        print(f"{name:46} {split:8} {n:4d} {h1:6.3f} {h5:6.3f} {mrr:6.3f}")
    files = search.layout(data)
    raw = files["search/index.json"].encode()
    print(f"\nindex: entry file {len(raw) / 1024:.1f} KB, {len(gzip.compress(raw, 9)) / 1024:.1f} KB gzipped, and "
          f"{len(files) - 1} parts ({len(data['terms'])} terms, {len(data['docs'])} documents)")
    print(f"page engine query time (Node, fastest of 7 runs per question, {len(times)} questions): median "
          f"{statistics.median(times):.2f} ms, 95th percentile {sorted(times)[int(0.95 * len(times))]:.2f} ms, "
          f"max {max(times):.2f} ms")


if __name__ == "__main__":
    main()
