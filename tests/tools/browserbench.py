"""`make bench-browser`: the checklist page in a browser at 1× and 10× the catalog (issue 23's browser rows).

For each scale: write the synthetic catalog (`fieldguide.bench.synthesize`), build the site, serve it
gzip-compressed (as static hosts do) and measure the checklist pages: `/checklists/` (the all-stages
overview) and the largest stage page (where a team works; the others are smaller):
- the raw size of every checklist page;
- a status change: real pointer input on an item's box, from `pointerdown` to the frame after the
  change was handled (a `requestAnimationFrame`, then a task: the frame is presented), median of N items,
  on the largest stage page and on `/checklists/` with every check shown (its one-sheet view);
- Lighthouse performance (default mobile config, the runner of `tests/tools/audit.py`), median of runs,
  of `/checklists/`, of the largest stage page and of a plain text page (`--floor`, the team workflow
  page: what any page of the site scores on this machine now, so a miss can be told from load).
A benchmark, not a test: it prints the table beside the budgets and exits 0 when every budget is met.

Run from the project folder: `python tests/tools/browserbench.py [--scales 1,10] [--items 9] [--runs 3]
[--no-lighthouse]`. Developer tooling, not part of the installed `fieldguide` package.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import audit  # noqa: E402  (the Lighthouse runner and the gzip server)

from fieldguide import bench  # noqa: E402

BUDGETS = {"status_ms": (100.0, 10), "lighthouse": (0.95, 10), "raw_kb": (1000.0, 10)}  # (budget, at scale)
PAGE = "/checklists/"

# Armed before each click: resolves with the milliseconds from the pointer going down to the frame after
# the page handled the change.
ARM = """() => { window.__fgTiming = new Promise((resolve) => {
  document.addEventListener("pointerdown", (down) => {
    document.addEventListener("change", () => requestAnimationFrame(() => setTimeout(
      () => resolve(performance.now() - down.timeStamp))), { once: true, capture: true });
  }, { once: true, capture: true });
}); }"""


def build(project: Path, out: Path, origin: str, cache: Path) -> None:
    env = {**os.environ, "SITE_URL": origin, "NO_MKDOCS_2_WARNING": "1", "FIELDGUIDE_CACHE_DIR": str(cache)}
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--quiet", "--site-dir", str(out)], cwd=project,
                          env=env, capture_output=True, text=True, check=False)
    if proc.returncode:
        raise audit.AuditError(f"build failed:\n{proc.stderr[-2000:]}")


def checklist_pages(site: Path) -> dict[str, float]:
    """Raw KB of every checklist page, by address ("/checklists/data-management/")."""
    return {"/" + str(f.parent.relative_to(site)) + "/": f.stat().st_size / 1000
            for f in sorted((site / "checklists").glob("**/index.html"))}


def status_changes(url: str, items: int, chrome: str, show_all: bool = False) -> list[float]:
    """Milliseconds per status change, one per item, spread over the page (a desktop window);
    `show_all`: on the overview with every check shown first."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chrome, args=["--disable-dev-shm-usage"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(url, wait_until="networkidle")
        if show_all:
            page.locator("[data-fg-show-all]").click()
            page.wait_for_selector(".fg-stage-summary", state="detached")
            page.mouse.move(0, 0)
            page.wait_for_timeout(1000)
        ids = page.eval_on_selector_all("li.fg-item", "els => els.map((e) => e.dataset.item)")
        picked = [ids[round(i * (len(ids) - 1) / max(items - 1, 1))] for i in range(items)]
        times = []
        for item in picked:
            label = page.locator(f'label[for="done-{item}"]')
            label.scroll_into_view_if_needed()
            label.hover()  # the pointer arrives first (as a person's does); the change is what is timed
            page.wait_for_timeout(100)
            page.evaluate(ARM)
            label.click()
            times.append(page.evaluate("window.__fgTiming"))
        browser.close()
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="fieldguide-browserbench", description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="1,10")
    parser.add_argument("--items", type=int, default=9, help="status changes per scale (median shown)")
    parser.add_argument("--runs", type=int, default=3, help="Lighthouse runs per scale (median shown)")
    parser.add_argument("--no-lighthouse", dest="lighthouse", action="store_false")
    parser.add_argument("--floor", default="/team-workflow/", help="a plain page scored beside them")
    args = parser.parse_args(argv)
    scales = [int(s) for s in args.scales.split(",") if s.strip()]
    root = Path.cwd()
    chrome = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
    rows: dict[int, dict[str, float]] = {}
    try:
        cli = audit.ensure_tools(root)[0] if args.lighthouse else None
        with tempfile.TemporaryDirectory(prefix="fieldguide-browserbench-") as tmpname:
            tmp = Path(tmpname)
            for scale in scales:
                catalog = tmp / f"catalog-{scale}x"
                if scale == 1:
                    shutil.copytree(root / "catalog", catalog)
                else:
                    bench.synthesize(root / "catalog", catalog, scale)
                project = bench._project(root, catalog, tmp / f"p{scale}")
                with audit.static_server(0, compress=True) as server:
                    origin = f"http://127.0.0.1:{server.server_address[1]}/"
                    site = tmp / f"site{scale}"
                    print(f"browserbench: building the {scale}× site…", file=sys.stderr)
                    build(project, site, origin, tmp / "cache")
                    server.start(site)
                    sizes = checklist_pages(site)
                    stage = max((p for p in sizes if p != PAGE), key=sizes.get)
                    print(f"browserbench: {scale}× checklist pages, raw KB: "
                          + ", ".join(f"{p} {kb:.0f}" for p, kb in sizes.items()), file=sys.stderr)
                    row = {"raw_kb": sizes[PAGE], "stage": stage, "stage_kb": sizes[stage],
                           "largest_kb": max(sizes.values())}
                    for key, path, show_all in (("status", stage, False), ("sheet", PAGE, True)):
                        times = status_changes(origin.rstrip("/") + path, args.items, chrome, show_all)
                        row[f"{key}_ms"], row[f"{key}_max_ms"] = statistics.median(times), max(times)
                        shown = " (every check shown)" if show_all else ""
                        print(f"browserbench: {scale}× status change on {path}{shown} ms: "
                              + ", ".join(f"{t:.0f}" for t in times), file=sys.stderr)
                    audited = (("lighthouse", PAGE), ("lighthouse_stage", stage), ("lighthouse_floor", args.floor))
                    for key, path in audited if cli else ():
                        scores = []
                        for run in range(args.runs):
                            try:  # a page too heavy for Lighthouse's time limits scores 0 (and says why)
                                report = audit.lighthouse(cli, origin.rstrip("/") + path,
                                                          tmp / f"lh-{scale}-{key}-{run}.json", chrome)
                                scores.append(report["categories"]["performance"]["score"] or 0.0)
                                metrics = {a: report["audits"][a]["displayValue"] for a in (
                                    "first-contentful-paint", "largest-contentful-paint", "total-blocking-time",
                                    "cumulative-layout-shift", "dom-size") if a in report["audits"]}
                                print(f"browserbench: {scale}× Lighthouse {path}: {metrics}", file=sys.stderr)
                            except audit.AuditError as exc:
                                print(f"browserbench: {scale}× Lighthouse failed, counted 0: {exc}", file=sys.stderr)
                                scores.append(0.0)
                        print(f"browserbench: {scale}× Lighthouse performance of {path}: {scores}", file=sys.stderr)
                        row[key] = statistics.median_low(scores)
                    rows[scale] = row
                shutil.rmtree(catalog)
    except audit.AuditError as exc:
        print(f"browserbench: {exc}")
        return 1
    print(table(rows, args))
    return 0 if all(ok for *_, ok in verdicts(rows)) else 1


def verdicts(rows: dict[int, dict[str, float]]) -> list[tuple[str, str, bool]]:
    out = []
    budget, at = BUDGETS["raw_kb"]
    if at in rows:
        kb = rows[at]["largest_kb"]
        out.append((f"every checklist page raw, {at}×", f"largest {kb:.0f} KB ≤ {budget:.0f} KB", kb <= budget))
    budget, at = BUDGETS["status_ms"]
    if at in rows:
        for key, where in (("status", f"`{rows[at]['stage']}`"), ("sheet", f"`{PAGE}`, every check shown")):
            ms = rows[at][f"{key}_ms"]
            out.append((f"status change on {where}, {at}×", f"{ms:.0f} ms ≤ {budget:.0f} ms", ms <= budget))
    budget, at = BUDGETS["lighthouse"]
    if "lighthouse" in rows.get(at, {}):
        score = rows[at]["lighthouse"]
        out.append((f"Lighthouse performance of `{PAGE}`, {at}×, gzip", f"{score:.2f} ≥ {budget}", score >= budget))
    return out


def table(rows: dict[int, dict[str, float]], args: argparse.Namespace) -> str:
    scales = list(rows)
    lines = [f"Status change: median of {args.items} items; Lighthouse: median of {args.runs} runs (mobile, gzip).", "",
             "| part | " + " | ".join(f"{s}×" for s in scales) + " | budget |", "|---|" + "---|" * len(scales) + "---|"]
    kb_budget = f"≤ {BUDGETS['raw_kb'][0]:.0f} KB at {BUDGETS['raw_kb'][1]}×"
    lines.append(f"| `{PAGE}` raw HTML | " + " | ".join(f"{rows[s]['raw_kb']:.0f} KB" for s in scales)
                 + f" | {kb_budget} |")
    lines.append("| largest stage checklist raw HTML | " + " | ".join(
        f"{rows[s]['stage_kb']:.0f} KB (`{rows[s]['stage']}`)" for s in scales) + f" | {kb_budget} |")
    ms_budget = f"≤ {BUDGETS['status_ms'][0]:.0f} ms at {BUDGETS['status_ms'][1]}×"
    for key, where in (("status", "the largest stage page"), ("sheet", f"`{PAGE}`, every check shown")):
        lines.append(f"| status change on {where}, pointer down to next frame (median; max) | "
                     + " | ".join(f"{rows[s][f'{key}_ms']:.0f}; {rows[s][f'{key}_max_ms']:.0f} ms" for s in scales)
                     + f" | {ms_budget} |")
    lh_budget = f"≥ {BUDGETS['lighthouse'][0]} at {BUDGETS['lighthouse'][1]}×"
    for key, where, budget in (("lighthouse", f"`{PAGE}`", lh_budget),
                               ("lighthouse_stage", "the largest stage page", ""),
                               ("lighthouse_floor", f"`{args.floor}` (a plain page: the machine's floor)", "")):
        if all(key in rows[s] for s in scales):
            lines.append(f"| Lighthouse performance, {where} | " + " | ".join(f"{rows[s][key]:.2f}" for s in scales)
                         + f" | {budget} |")
    lines += ["", "| target | measured | met |", "|---|---|---|"]
    lines += [f"| {name} | {value} | {'yes' if ok else '**no**'} |" for name, value, ok in verdicts(rows)]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
