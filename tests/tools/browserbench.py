"""`make bench-browser`: the checklist page in a browser at 1× and 10× the catalog (issue 23's browser rows).

For each scale: write the synthetic catalog (`fieldguide.bench.synthesize`), build the site, serve it
gzip-compressed (as static hosts do) and measure on `/checklists/` (all stages):
- a status change: real pointer input on an item's box, from `pointerdown` to the frame after the
  change was handled (a `requestAnimationFrame`, then a task: the frame is presented), median of N items;
- Lighthouse performance (default mobile config, the runner of `tests/tools/audit.py`), median of runs.
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

BUDGETS = {"status_ms": (100.0, 10), "lighthouse": (0.95, 10)}  # (budget, scale it holds at)
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


def status_changes(url: str, items: int, chrome: str) -> list[float]:
    """Milliseconds per status change, one per item, spread over the page (a desktop window)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chrome, args=["--disable-dev-shm-usage"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(url, wait_until="networkidle")
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
                    url = origin.rstrip("/") + PAGE
                    times = status_changes(url, args.items, chrome)
                    row = {"status_ms": statistics.median(times), "status_max_ms": max(times),
                           "raw_kb": (site / PAGE.strip("/") / "index.html").stat().st_size / 1000}
                    print(f"browserbench: {scale}× status change ms: {', '.join(f'{t:.0f}' for t in times)}",
                          file=sys.stderr)
                    if cli:
                        scores = []
                        for run in range(args.runs):
                            try:  # a page too heavy for Lighthouse's time limits scores 0 (and says why)
                                report = audit.lighthouse(cli, url, tmp / f"lh-{scale}-{run}.json", chrome)
                                scores.append(report["categories"]["performance"]["score"] or 0.0)
                            except audit.AuditError as exc:
                                print(f"browserbench: {scale}× Lighthouse failed, counted 0: {exc}", file=sys.stderr)
                                scores.append(0.0)
                        print(f"browserbench: {scale}× Lighthouse performance: {scores}", file=sys.stderr)
                        row["lighthouse"] = statistics.median_low(scores)
                    rows[scale] = row
                shutil.rmtree(catalog)
    except audit.AuditError as exc:
        print(f"browserbench: {exc}")
        return 1
    print(table(rows, args))
    return 0 if all(ok for *_, ok in verdicts(rows)) else 1


def verdicts(rows: dict[int, dict[str, float]]) -> list[tuple[str, str, bool]]:
    out = []
    budget, at = BUDGETS["status_ms"]
    if at in rows:
        ms = rows[at]["status_ms"]
        out.append((f"status change on `{PAGE}`, {at}×", f"{ms:.0f} ms ≤ {budget:.0f} ms", ms <= budget))
    budget, at = BUDGETS["lighthouse"]
    if "lighthouse" in rows.get(at, {}):
        score = rows[at]["lighthouse"]
        out.append((f"Lighthouse performance of `{PAGE}`, {at}×, gzip", f"{score:.2f} ≥ {budget}", score >= budget))
    return out


def table(rows: dict[int, dict[str, float]], args: argparse.Namespace) -> str:
    scales = list(rows)
    lines = [f"Status change: median of {args.items} items; Lighthouse: median of {args.runs} runs (mobile, gzip).", "",
             "| part | " + " | ".join(f"{s}×" for s in scales) + " | budget |", "|---|" + "---|" * len(scales) + "---|"]
    lines.append(f"| `{PAGE}` raw HTML | " + " | ".join(f"{rows[s]['raw_kb']:.0f} KB" for s in scales) + " | |")
    lines.append("| status change, pointer down to next frame (median; max) | "
                 + " | ".join(f"{rows[s]['status_ms']:.0f}; {rows[s]['status_max_ms']:.0f} ms" for s in scales)
                 + f" | ≤ {BUDGETS['status_ms'][0]:.0f} ms at {BUDGETS['status_ms'][1]}× |")
    if all("lighthouse" in rows[s] for s in scales):
        scores = " | ".join(f"{rows[s]['lighthouse']:.2f}" for s in scales)
        lines.append(f"| Lighthouse performance, `{PAGE}` | {scores}"
                     + f" | ≥ {BUDGETS['lighthouse'][0]} at {BUDGETS['lighthouse'][1]}× |")
    lines += ["", "| target | measured | met |", "|---|---|---|"]
    lines += [f"| {name} | {value} | {'yes' if ok else '**no**'} |" for name, value, ok in verdicts(rows)]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
