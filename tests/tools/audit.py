"""`make audit`: build the site, serve it, score pages with Lighthouse and validate their HTML with the Nu checker.

Run from the project folder: `python tests/tools/audit.py [--runs N] [--port N] [--reports DIR] [--plain]`.
Developer tooling, not part of the installed `fieldguide` package.
Exits 0 when every median score is >= THRESHOLD and the only validator errors are known ones, else 1.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

# Pages Lighthouse scores: (label, candidate paths). The first candidate that exists in the build is used;
# a path with `*` picks the first match in sorted order. A page with no existing candidate is skipped with a note.
LIGHTHOUSE_PAGES: list[tuple[str, tuple[str, ...]]] = [
    ("home", ("/",)),
    ("challenge", ("/challenges/concept-drift/",)),
    ("checklist", ("/checklists/data-management/", "/stages/data-management/")),
]
# Pages only the Nu Html Checker reads, on top of the Lighthouse pages.
VALIDATOR_PAGES: list[tuple[str, tuple[str, ...]]] = [
    ("case study", ("/case-studies/booking-com-business-metrics/", "/case-studies/*/")),
    ("bibliography", ("/references/",)),
]

THRESHOLD = 0.95
LIGHTHOUSE_PASS = 0.9  # Lighthouse's own line between a passed and a failed audit
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
LIGHTHOUSE_VERSION = "12.2.3"  # the newest Lighthouse that runs on Node 20
VNU_VERSION = "26.9.27"
TOOLS_DIR = ".audit-tools"
CHROME_FLAGS = ("--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage --disable-background-networking"
                " --disable-component-update --disable-sync --no-first-run")
KNOWN_LABEL = "known (Material search input)"
GZIP_TYPES = {".html", ".css", ".js", ".mjs", ".json", ".xml", ".svg", ".txt"}


class AuditError(Exception):
    """A problem that ends the audit with a one-line message (a missing tool, a failed build)."""


def is_known(message: dict[str, Any]) -> bool:
    """Material's own `<input ... autocomplete="off">` on its toggles and search box: accepted, not ours to fix."""
    extract = message.get("extract", "")
    return (message.get("message", "").startswith("Attribute “autocomplete” is only allowed")
            and ('class="md-toggle"' in extract or 'class="md-search__input"' in extract))


# --------------------------------------------------------------------------------------------------- tools


def require(tool: str, hint: str) -> str:
    """Path of an executable on PATH, or AuditError naming what is missing."""
    found = shutil.which(tool)
    if not found:
        raise AuditError(f"missing tool: {tool} ({hint})")
    return found


def installed_version(tools: Path, package: str) -> str | None:
    """Version of an npm package under the tools folder, or None."""
    try:
        return json.loads((tools / "node_modules" / package / "package.json").read_text())["version"]
    except (OSError, ValueError, KeyError):
        return None


def ensure_tools(root: Path) -> tuple[Path, Path]:
    """Install Lighthouse and vnu-jar into TOOLS_DIR on first use; return (lighthouse cli, vnu.jar)."""
    tools = root / TOOLS_DIR
    wanted = {"lighthouse": LIGHTHOUSE_VERSION, "vnu-jar": VNU_VERSION}
    if any(installed_version(tools, name) != version for name, version in wanted.items()):
        npm = require("npm", "install Node.js 18+ with npm")
        print(f"audit: installing {', '.join(f'{n}@{v}' for n, v in wanted.items())} into {TOOLS_DIR}/ ...")
        tools.mkdir(exist_ok=True)
        # --ignore-scripts: vnu-jar's postinstall would download a Java runtime; the system's java is used.
        cmd = [npm, "install", "--no-save", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error",
               "--prefix", str(tools), *(f"{n}@{v}" for n, v in wanted.items())]
        result = run(cmd, timeout=900)
        if result.returncode != 0:
            last = (result.stderr.strip().splitlines() or ["no output"])[-1]
            raise AuditError(f"npm install of the audit tools failed: {last}")
    cli = tools / "node_modules" / "lighthouse" / "cli" / "index.js"
    jar = tools / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
    for path in (cli, jar):
        if not path.is_file():
            raise AuditError(f"missing tool: {path.relative_to(root)} (delete {TOOLS_DIR}/ and run again)")
    return cli, jar


def run(cmd: Sequence[str], timeout: float, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run a command capturing text output; a missing executable or a time-out becomes AuditError."""
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env, check=False)
    except FileNotFoundError:
        raise AuditError(f"missing tool: {cmd[0]}") from None
    except subprocess.TimeoutExpired:
        raise AuditError(f"timed out after {timeout:.0f} s: {' '.join(cmd[:3])} ...") from None


# --------------------------------------------------------------------------------------------------- site


def build(root: Path, out: Path, site_url: str) -> None:
    """`mkdocs build --strict` into `out` with site_url set to the serving origin."""
    mkdocs = root / ".venv" / "bin" / "mkdocs"
    if not mkdocs.exists():
        raise AuditError(f"missing tool: {mkdocs.relative_to(root)} (run `make check` first)")
    env = {**os.environ, "SITE_URL": site_url, "NO_MKDOCS_2_WARNING": "1"}
    started = time.monotonic()
    result = run([str(mkdocs), "build", "--strict", "--quiet", "-d", str(out)], timeout=900, env=env)
    if result.returncode != 0:
        print(result.stdout + result.stderr, file=sys.stderr)
        raise AuditError("mkdocs build --strict failed (output above)")
    print(f"audit: built the site for {site_url} in {time.monotonic() - started:.1f} s")


class QuietHandler(SimpleHTTPRequestHandler):
    """Static files, no request log."""

    def log_message(self, format: str, *args: Any) -> None:
        pass


class GzipHandler(QuietHandler):
    """Static files, text types gzip-compressed as most hosts serve them (the default; `--plain` turns it off)."""

    def send_head(self) -> Any:
        path = Path(self.translate_path(self.path))
        path = path / "index.html" if path.is_dir() else path
        if "gzip" not in self.headers.get("Accept-Encoding", "") or path.suffix not in GZIP_TYPES or not path.is_file():
            return super().send_head()
        if path.name == "index.html" and not self.path.split("?")[0].endswith(("/", ".html")):
            return super().send_head()  # the base class redirects /dir to /dir/
        data = gzip.compress(path.read_bytes(), 6)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        return io.BytesIO(data)


class StaticServer(ThreadingHTTPServer):
    """A plain static file server on 127.0.0.1, bound at once (port 0: any free port), serving once started."""

    daemon_threads = True

    def __init__(self, port: int, compress: bool = False) -> None:
        self.directory = os.devnull
        self.handler = GzipHandler if compress else QuietHandler
        self.thread: threading.Thread | None = None
        try:
            super().__init__(("127.0.0.1", port), QuietHandler)
        except OSError as exc:
            raise AuditError(f"cannot listen on 127.0.0.1:{port}: {exc.strerror}") from None

    def finish_request(self, request: Any, client_address: Any) -> None:
        """Serve from `self.directory`."""
        self.handler(request, client_address, self, directory=self.directory)

    def start(self, directory: Path) -> None:
        """Serve `directory` from a daemon thread."""
        self.directory = str(directory)
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        """Stop serving and close the socket."""
        if self.thread:
            self.shutdown()
            self.thread.join()
        self.server_close()


@contextmanager
def static_server(port: int, compress: bool = False) -> Iterator[StaticServer]:
    """A StaticServer that is stopped on exit."""
    server = StaticServer(port, compress)
    try:
        yield server
    finally:
        server.stop()


def resolve(site: Path, pages: list[tuple[str, tuple[str, ...]]], notes: list[str]) -> list[tuple[str, str]]:
    """(label, url path) for every page whose candidate exists in the build; a note for each that does not."""
    found: list[tuple[str, str]] = []
    for label, candidates in pages:
        for candidate in candidates:
            rel = candidate.strip("/")
            if "*" in rel:
                matches = sorted(p.parent for p in site.glob(f"{rel}/index.html"))
                if matches:
                    found.append((label, "/" + matches[0].relative_to(site).as_posix() + "/"))
                    break
            elif (site / rel / "index.html").is_file():
                found.append((label, candidate))
                break
        else:
            notes.append(f"skipped {label}: none of {', '.join(candidates)} exists in the build")
    return found


# --------------------------------------------------------------------------------------------------- lighthouse


@dataclass
class PageResult:
    """Lighthouse runs of one page."""

    label: str
    path: str
    reports: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def scores(self, category: str) -> list[float]:
        """The category's score in every successful run."""
        return [s for r in self.reports if (s := r["categories"].get(category, {}).get("score")) is not None]

    def median(self, category: str) -> float | None:
        """Median score over the runs, None if no run scored it."""
        scores = self.scores(category)
        return statistics.median_low(scores) if scores else None

    def median_report(self, category: str) -> dict[str, Any] | None:
        """The run whose score is the median (median_low, so it is one of the runs)."""
        med = self.median(category)
        return next((r for r in self.reports if r["categories"].get(category, {}).get("score") == med), None)


def lighthouse(cli: Path, url: str, out: Path, chrome: str) -> dict[str, Any]:
    """One Lighthouse run (default mobile config); the report, or AuditError with the reason."""
    node = require("node", "install Node.js 18+")
    cmd = [node, str(cli), url, "--output=json", f"--output-path={out}", "--quiet",
           f"--only-categories={','.join(CATEGORIES)}", f"--chrome-flags={CHROME_FLAGS}"]
    result = run(cmd, timeout=300, env={**os.environ, "CHROME_PATH": chrome})
    if result.returncode != 0 or not out.is_file():
        last = (result.stderr.strip().splitlines() or [f"exit status {result.returncode}"])[-1]
        raise AuditError(f"lighthouse failed on {url}: {last}")
    try:
        report = json.loads(out.read_text())
    except ValueError:
        raise AuditError(f"lighthouse wrote no readable report for {url}") from None
    if error := report.get("runtimeError"):
        raise AuditError(f"lighthouse runtime error on {url}: {error.get('code')}: {error.get('message')}")
    return report


def describe_items(audit: dict[str, Any], accessibility: bool) -> list[str]:
    """Offending elements (selectors, grouped under axe's reason) for accessibility, else up to 3 URLs or texts."""
    by_reason: dict[str, list[str]] = {}
    others: list[str] = []
    for item in (audit.get("details") or {}).get("items", []):
        node = item.get("node") if isinstance(item.get("node"), dict) else None
        if node:
            reason = " ".join(node.get("explanation", "").replace("Fix any of the following:", "").split())
            text = f"{node.get('selector')}  {' '.join(node.get('snippet', '').split())[:120]}"
            elements = by_reason.setdefault(reason[:300] if accessibility else "", [])
            if text not in elements:
                elements.append(text)
        elif isinstance(item.get("url"), str):
            saving = item.get("wastedBytes") or item.get("wastedMs")
            unit = " B" if item.get("wastedBytes") else " ms" if item.get("wastedMs") else ""
            others.append(item["url"] + (f"  (saving {saving:,.0f}{unit})" if saving else ""))
        elif isinstance(item.get("description"), str):
            others.append(item["description"][:200])
    limit = 30 if accessibility else 3
    lines: list[str] = []
    for reason, elements in by_reason.items():
        lines += ([f"because: {reason}"] if reason else []) + [f"  {e}" for e in elements[:limit]]
        lines += [f"  ... and {len(elements) - limit} more"] if len(elements) > limit else []
    lines += others[:limit] + ([f"... and {len(others) - limit} more"] if len(others) > limit else [])
    return lines


def failing_audits(report: dict[str, Any], category: str) -> list[str]:
    """Audits of the category that Lighthouse marks failed (score < 0.9), metrics first, with offending items."""
    audits = report["audits"]
    out: list[str] = []
    refs = sorted(report["categories"][category]["auditRefs"], key=lambda r: -r.get("weight", 0))
    for ref in refs:
        audit = audits.get(ref["id"], {})
        score = audit.get("score")
        if score is None or score >= LIGHTHOUSE_PASS or audit.get("scoreDisplayMode") in ("manual", "notApplicable"):
            continue
        value = f" — {audit['displayValue']}" if audit.get("displayValue") else ""
        kind = f"weight {ref.get('weight', 0)}" if ref.get("weight") else "diagnostic, weight 0"
        out.append(f"    {ref['id']}: {audit.get('title')}{value} (score {score:.2f}, {kind})")
        out += [f"        {line}" for line in describe_items(audit, category == "accessibility")]
    return out


def run_lighthouse(cli: Path, origin: str, pages: list[tuple[str, str]], runs: int, chrome: str, tmp: Path,
                   reports_dir: Path | None) -> list[PageResult]:
    """`runs` Lighthouse runs of every page, one after the other (parallel runs would skew performance)."""
    results = []
    for label, path in pages:
        page = PageResult(label, path)
        for i in range(runs):
            out = tmp / f"lh-{len(results)}-{i}.json"
            started = time.monotonic()
            try:
                page.reports.append(lighthouse(cli, origin.rstrip("/") + path, out, chrome))
            except AuditError as exc:
                page.errors.append(str(exc))
                print(f"audit: {exc}")
                continue
            perf = page.reports[-1]["categories"]["performance"]["score"]
            print(f"audit: lighthouse {path} run {i + 1}/{runs}: performance {perf}"
                  f" ({time.monotonic() - started:.0f} s)")
            if reports_dir:
                reports_dir.mkdir(parents=True, exist_ok=True)
                slug = path.strip("/").replace("/", "_") or "home"
                shutil.copy(out, reports_dir / f"{slug}-{i + 1}.json")
        results.append(page)
    return results


def print_scores(results: list[PageResult], runs: int) -> int:
    """The score table and the failing audits of every category below THRESHOLD; returns the low-score count."""
    width = max(len(f"{r.path} ({r.label})") for r in results) + 2
    print(f"\nLighthouse {LIGHTHOUSE_VERSION}, mobile, median of {runs} run(s); pass mark {THRESHOLD:.2f}\n")
    print("page".ljust(width) + "".join(c.rjust(16) for c in CATEGORIES) + "   performance runs")
    low = 0
    for r in results:
        cells = []
        for category in CATEGORIES:
            med = r.median(category)
            low += med is None or med < THRESHOLD
            mark = "" if med is not None and med >= THRESHOLD else " *"
            cells.append(("err" if med is None else f"{med:.2f}") + mark)
        perf_runs = " ".join(f"{s:.2f}" for s in r.scores("performance"))
        print(f"{r.path} ({r.label})".ljust(width) + "".join(c.rjust(16) for c in cells) + f"   {perf_runs}")
    print("(* below the pass mark)")
    bench = [r["environment"]["benchmarkIndex"] for page in results for r in page.reports]
    if bench:
        print(f"CPU: Lighthouse benchmarkIndex {min(bench):.0f}-{max(bench):.0f} (higher is faster; a busy machine"
              f" lowers it and the performance scores), load average {os.getloadavg()[0]:.1f}")
    errored: dict[str, str] = {}
    for page in results:
        for report in page.reports:
            for audit_id, audit in report["audits"].items():
                if audit.get("scoreDisplayMode") == "error":
                    message = audit.get("errorMessage") or "?"
                    errored.setdefault(audit_id, message.split("exception: ")[-1].splitlines()[0])
    if errored:
        print(f"Lighthouse could not compute {len(errored)} audit(s) ({next(iter(errored.values()))[:100]}):"
              f" {', '.join(errored)}")
    for r in results:
        for error in r.errors:
            print(f"\n{r.path}: {error}")
        for category in CATEGORIES:
            med = r.median(category)
            report = r.median_report(category)
            if med is None or med >= THRESHOLD or report is None:
                continue
            print(f"\n{r.path} — {category} {med:.2f}, failing audits:")
            print("\n".join(failing_audits(report, category)) or "    (none below 0.9; many small losses)")
    return low


# --------------------------------------------------------------------------------------------------- validator


def validate(jar: Path, site: Path, pages: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """Nu Html Checker errors (and non-document errors) of the pages' HTML files."""
    java = require("java", "install a Java 11+ runtime, e.g. apt-get install openjdk-17-jre-headless")
    files = [str(site / path.strip("/") / "index.html") for _, path in pages]
    result = run([java, "-jar", str(jar), "--format", "json", "--errors-only", *files], timeout=600)
    try:
        messages = json.loads(result.stderr)["messages"]
    except (ValueError, KeyError):
        last = (result.stderr.strip().splitlines() or [f"exit status {result.returncode}"])[-1]
        raise AuditError(f"the Nu Html Checker gave no JSON report: {last}") from None
    return [m for m in messages if m.get("type") in ("error", "non-document-error")]


def print_validation(messages: list[dict[str, Any]], site: Path, pages: list[tuple[str, str]]) -> int:
    """Errors grouped by message, with count and one location; returns the number of unexpected errors."""
    print(f"\nNu Html Checker {VNU_VERSION}, errors only, on {len(pages)} page(s): "
          + ", ".join(f"{path} ({label})" for label, path in pages))
    groups: dict[str, list[dict[str, Any]]] = {}
    for m in messages:
        groups.setdefault(m.get("message", "?"), []).append(m)
    if not groups:
        print("  no errors")
    unexpected = 0
    for text, group in sorted(groups.items(), key=lambda g: -len(g[1])):
        known = all(is_known(m) for m in group)
        unexpected += 0 if known else len(group)
        first = group[0]
        where = re.sub(r"^file:", "", first.get("url", "?"))
        where = os.path.relpath(where, site) if where.startswith("/") else where
        line = first.get("lastLine", first.get("firstLine", "?"))
        snippet = " ".join(first.get("extract", "").split())[:160]
        tag = f"  [{KNOWN_LABEL}]" if known else ""
        print(f"\n  {len(group)}× {text}{tag}\n     e.g. {where}:{line}:{first.get('firstColumn', '?')}  {snippet}")
    return unexpected


# --------------------------------------------------------------------------------------------------- main


def main(argv: Sequence[str] | None = None) -> int:
    """Run the audit; print the table, the failing audits, the validator errors and a verdict."""
    parser = argparse.ArgumentParser(prog="fieldguide-audit", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="Lighthouse runs per page (median reported)")
    parser.add_argument("--port", type=int, default=0, help="port to serve on (default: any free port)")
    parser.add_argument("--reports", type=Path, help="keep every Lighthouse JSON report in this folder")
    parser.add_argument("--plain", dest="gzip", action="store_false",
                        help="serve without compression (default: gzip text files, as static hosts do)")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    started = time.monotonic()
    root = Path.cwd()
    notes: list[str] = []
    try:
        if not (root / "mkdocs.yml").is_file():
            raise AuditError(f"no mkdocs.yml in {root}: run from the project folder (make audit)")
        chrome = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
        if not (os.path.isfile(chrome) and os.access(chrome, os.X_OK)):
            raise AuditError(f"missing tool: Chromium at {chrome} (apt-get install chromium, or set CHROME_PATH)")
        require("java", "install a Java 11+ runtime, e.g. apt-get install openjdk-17-jre-headless")
        require("node", "install Node.js 18+")
        cli, jar = ensure_tools(root)
        with (tempfile.TemporaryDirectory(prefix="fieldguide-audit-") as tmpname,
              static_server(args.port, args.gzip) as server):
            tmp = Path(tmpname)
            site = tmp / "site"
            origin = f"http://127.0.0.1:{server.server_address[1]}/"
            build(root, site, origin)
            print(f"audit: serving {origin} {'with gzip' if args.gzip else 'plain (no compression)'}")
            server.start(site)
            pages = resolve(site, LIGHTHOUSE_PAGES, notes)
            checked = pages + resolve(site, VALIDATOR_PAGES, notes)
            if not pages:
                raise AuditError("none of the Lighthouse pages exists in the build")
            results = run_lighthouse(cli, origin, pages, args.runs, chrome, tmp, args.reports)
            low = print_scores(results, args.runs)
            unexpected = print_validation(validate(jar, site, checked), site, checked)
    except AuditError as exc:
        print(f"audit: {exc}")
        return 1
    except KeyboardInterrupt:
        print("audit: interrupted")
        return 1
    for note in notes:
        print(f"\nnote: {note}")
    elapsed = time.monotonic() - started
    ok = low == 0 and unexpected == 0
    problems = [f"{low} score(s) below {THRESHOLD:.2f}"] if low else []
    problems += [f"{unexpected} unexpected validator error(s)"] if unexpected else []
    verdict = "PASS: every score ≥ 0.95, only the known validator error" if ok else "FAIL: " + ", ".join(problems)
    print(f"\naudit: {verdict} ({elapsed:.0f} s)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
