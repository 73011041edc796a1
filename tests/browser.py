"""Shared browser-test support: build the real site once per builder, serve it on 127.0.0.1, drive Chromium.

Every browser test that takes `site` runs twice: on the MkDocs build (the one published) and on the
Zensical build (Material's successor, built the way `make build-zensical` builds it). Set
`FIELDGUIDE_BUILDERS=mkdocs` (or `zensical`) to run one. Debian's Chromium (`make test` installs it),
launched by Playwright through `executable_path`: Playwright's own browser download cannot work on this
network.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import shutil
import socket
import subprocess
import sys
import threading
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROME_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-dev-shm-usage",
               "--disable-component-update", "--disable-sync", "--no-first-run"]


ENTITY_FOLDERS = ("challenges", "case-studies", "mitigations")  # one page per entity: most of the site


@dataclass
class Site:
    root: Path
    url: str  # with a trailing slash
    builder: str = "mkdocs"

    def pages(self) -> list[str]:
        """Every HTML page of the built site, as a path relative to its root (404 page excluded)."""
        return sorted(p.relative_to(self.root).as_posix().removesuffix("index.html")
                      for p in self.root.rglob("*.html") if p.name != "404.html")

    def sweep(self) -> list[str]:
        """The pages a test that visits "every page" visits: all of them on the MkDocs build; on the
        second builder in `make test`, every page outside the entity folders and the first three of
        each (the entity pages differ only in their catalog text; the MkDocs sweep reads all of it),
        or all of them with FIELDGUIDE_EVERY_PAGE=1 (`make test-zensical` sets it)."""
        every = self.pages()
        if self.builder == "mkdocs" or os.environ.get("FIELDGUIDE_EVERY_PAGE") == "1":
            return every
        seen: dict[str, int] = {}
        picked = []
        for path in every:
            folder = path.split("/")[0] if path.count("/") > 1 else ""
            seen[folder] = seen.get(folder, 0) + 1
            if folder not in ENTITY_FOLDERS or seen[folder] <= 3:
                picked.append(path)
        return picked


def _settled(navigate):
    """Playwright's `networkidle` (no request for 500 ms) is independent of the `load` event: on a busy
    machine it came first, while the page was still parsing and before its deferred scripts (the page
    code is ES modules) had run, so a test typed into a page that saved nothing. Navigations that wait
    for `networkidle` here wait for `load` too, which follows the page code's set-up."""

    @functools.wraps(navigate)
    def wrapper(self, *args, **kwargs):
        response = navigate(self, *args, **kwargs)
        if kwargs.get("wait_until") == "networkidle":
            self.wait_for_load_state("load")
        return response
    return wrapper


def _settle_navigations() -> None:
    from playwright.sync_api import Page

    if not getattr(Page.goto, "__wrapped__", None):
        Page.goto = _settled(Page.goto)
        Page.reload = _settled(Page.reload)
        Page.go_back = _settled(Page.go_back)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:  # keep test output clean
        pass


BUILDERS = tuple(b for b in os.environ.get("FIELDGUIDE_BUILDERS", "mkdocs,zensical").split(",") if b)


def build(project: Path, out: Path, url: str) -> None:
    """`mkdocs build --strict` of a project folder (mkdocs.yml, content/, catalog/) for `url`."""
    env = {**os.environ, "SITE_URL": url, "NO_MKDOCS_2_WARNING": "1"}
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
                          cwd=project, env=env, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr


def zensical_project(project: Path, work: Path) -> Path:
    """A folder Zensical can build `project` in: it keeps docs_dir and site_dir inside the folder of its
    config file, so the repository's zensical.yml and the project's mkdocs.yml are linked into `work`."""
    work.mkdir(parents=True, exist_ok=True)
    # A copy: Zensical follows a linked config file to its folder and would build there.
    shutil.copyfile(ROOT / "zensical.yml", work / "zensical.yml")
    for name in ("mkdocs.yml", "scripts"):
        (work / name).symlink_to(project / name)
    return work


ZENSICAL_DOCS = "build/zensical/docs"  # as zensical.yml and the Makefile say
ZENSICAL_SITE = "build/zensical/site"


def run(args: list[str], cwd: Path, url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SITE_URL": url}
    return subprocess.run([sys.executable, "-m", *args], cwd=cwd, env=env, capture_output=True, text=True, check=False)


def build_zensical(project: Path, work: Path, url: str) -> Path:
    """What `make build-zensical` does, for any project folder: `fieldguide site`, `zensical build
    --strict --clean` (its exit code checked), `fieldguide postbuild`. Returns the built site folder."""
    work = zensical_project(project, work)
    docs, built = work / ZENSICAL_DOCS, work / ZENSICAL_SITE
    for args in (["fieldguide", "site", "--project", str(project), "--out", str(docs)],
                 ["zensical", "build", "--strict", "--clean", "-f", "zensical.yml"],
                 ["fieldguide", "postbuild", str(built), "--docs", str(docs), "--builder", "zensical",
                  "--project", str(project)]):
        proc = run(args, work, url)
        assert proc.returncode == 0, f"{' '.join(args[:2])} exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}"
    return built


@contextlib.contextmanager
def serve(folder: Path, port: int, handler_class: type | None = None) -> Iterator[None]:
    """A plain static file server on 127.0.0.1, like any host the site could be put on (`handler_class`:
    a `_QuietHandler` subclass for a host with other headers)."""
    handler = functools.partial(handler_class or _QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()


def built_site(project: Path, out: Path, builder: str = "mkdocs") -> Iterator[Site]:
    """The project built by `builder` into (a folder under) `out`, served on a free port."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    if builder == "zensical":
        out = build_zensical(project, out, url)
    else:
        build(project, out, url)
    with serve(out, port):
        yield Site(out, url, builder)


@pytest.fixture(scope="session", params=BUILDERS)
def site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The real catalog built with each builder, served by a plain static file server."""
    yield from built_site(ROOT, tmp_path_factory.mktemp(f"served-site-{request.param}"), request.param)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: `make test` installs Debian's chromium"
    _settle_navigations()
    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROME_ARGS)
        yield instance
        instance.close()


@dataclass
class Watch:
    """What a page did that a user would notice: console errors and requests to other origins."""

    console_errors: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)


def _origin(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@pytest.fixture
def page(browser):
    """A fresh browser context per test. Any request to an origin other than the page's own is
    recorded in `page.watch.foreign_requests` and blocked; console errors are recorded too."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    watch = Watch()

    def guard(route) -> None:
        request = route.request
        url = request.url
        if url.startswith(("data:", "blob:")) or request.is_navigation_request():
            route.continue_()  # tests navigate on purpose; what a page loads by itself is checked
            return
        try:
            own = _origin(request.frame.url)
        except Exception:  # a worker's request has no frame: judge it by the opener's page
            own = _origin(tab.url)
        if _origin(url) == own:
            route.continue_()
        else:
            watch.foreign_requests.append(url)
            route.abort()

    context.route("**/*", guard)
    tab = context.new_page()
    tab.on("console", lambda m: watch.console_errors.append(f"{tab.url}: {m.text}") if m.type == "error" else None)
    tab.on("pageerror", lambda exc: watch.console_errors.append(f"{tab.url}: {exc}"))
    tab.watch = watch
    yield tab
    context.close()


def storage_key(site: Site, name: str = "fieldguide-checklist") -> str:
    """The page's localStorage key for `name`: scoped by the site's path ("/guide/.fieldguide-checklist")."""
    return f"{urllib.parse.urlsplit(site.url).path}.{name}"


def search(tab, site: Site, query: str, path: str = "") -> list[tuple[str, str]]:
    """Open the header search box on a page, type a query and return the (title, href) of the results
    in the order shown (challenges first, then case studies, mitigations, references)."""
    tab.goto(site.url + path, wait_until="networkidle")
    tab.locator(".fg-search-open").click()
    box = tab.locator("#fg-search-input")
    box.press_sequentially(query, delay=10)
    tab.locator("#fg-search-status").filter(has_text=query.strip()).wait_for()
    links = tab.locator("#fg-search-results a.fg-search-hit")
    return [(links.nth(i).locator(".fg-search-hit-title").inner_text(), links.nth(i).get_attribute("href"))
            for i in range(links.count())]


def axe_violations(tab, impacts: tuple[str, ...] = ("serious", "critical")) -> list[str]:
    """Run axe-core on the current page; return the violations of the given impacts, readably."""
    tab.add_script_tag(path=str(AXE))
    result = tab.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"] if v["impact"] in impacts]


def item_field(page, name: str, item: str):
    """A checklist item's control (`status`, `reason`, `owner`, `note`, `evidence`), reached as a person
    reaches it: the pointer goes to the item first, which is when the page makes its controls."""
    page.locator(f'li[data-item="{item}"] .fg-item-main').hover()
    return page.locator(f"#{name}-{item}")


def show_every_check(page) -> None:
    """On the all-stages overview, put every stage's checks on the page, as its button does."""
    from playwright.sync_api import expect

    page.locator("[data-fg-show-all]").focus()  # by keyboard: a pointer left over an item would make its controls
    page.keyboard.press("Enter")
    expect(page.locator(".fg-stage-summary")).to_have_count(0)


def local_date(page) -> str:
    """The browser's own calendar day (YYYY-MM-DD), as the page stamps briefs and access dates."""
    return page.evaluate("(() => { const d = new Date(); return [d.getFullYear(), String(d.getMonth() + 1)"
                         ".padStart(2, '0'), String(d.getDate()).padStart(2, '0')].join('-'); })()")
