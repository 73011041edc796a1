"""Publishing the site: its public address, pages kept out of search engines, compressed copies.

The public address is set in one place, the `SITE_URL` environment variable (read by `mkdocs.yml`,
`make` and the CLI); pages, canonical links, the sitemap, page citations and briefs all use it.
A build for publication (`make build`, `make publish`: `FIELDGUIDE_PUBLISH=1`) with a local address
stops with a message saying what to set; `make serve` and the tests build for 127.0.0.1 on purpose.
"""

from __future__ import annotations

import gzip
import ipaddress
import os
import re
import urllib.parse
from pathlib import Path

from . import DEFAULT_SITE_URL

PUBLISH_FLAG = "FIELDGUIDE_PUBLISH"
COMPRESSIBLE = {".html", ".css", ".js", ".mjs", ".json", ".xml", ".svg", ".bib", ".txt", ".map"}


class PublishError(Exception):
    pass


def site_url() -> str:
    """The public address from the environment, else the local one `make serve` uses."""
    return os.environ.get("SITE_URL") or DEFAULT_SITE_URL


def is_local(url: str) -> bool:
    host = urllib.parse.urlsplit(url).hostname or ""
    if host in ("localhost", "") or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


def check_site_url(url: str | None, publishing: bool | None = None) -> None:
    """Stop a build for publication whose address is local or missing."""
    if publishing is None:
        publishing = os.environ.get(PUBLISH_FLAG) == "1"
    if not publishing:
        return
    if not url or is_local(url):
        what = f"{url}, a local address" if url else "not set"
        raise PublishError(
            f"the site's public address is {what}: every canonical link, the "
            f"sitemap, the page citations and the briefs would point readers at their own machine. Set it "
            f"with SITE_URL, e.g. `make build SITE_URL=https://guide.example.org/` (use `make serve` to "
            f"preview locally).")
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise PublishError(f"the site's public address {url} must start with https:// (or http://)")


def robots_meta(html: str, robots: object) -> str:
    """Add `<meta name="robots">` for pages whose front matter asks for it (retired entries)."""
    if not robots:
        return html
    tag = f'<meta name="robots" content="{str(robots).replace(chr(34), "")}">'
    head = html[:html.find("</head>")]
    if tag in head:  # already added (the mkdocs hook adds it as the page is written; postbuild may run after)
        return html
    return re.sub(r"<head>", "<head>" + tag, html, count=1)


def drop_from_sitemap(site_dir: Path, page_urls: set[str]) -> None:
    """Remove pages (by their URL relative to the site) from sitemap.xml and sitemap.xml.gz."""
    sitemap = site_dir / "sitemap.xml"
    if not page_urls or not sitemap.is_file():
        return
    text = sitemap.read_text(encoding="utf-8")

    def keep(match: re.Match[str]) -> str:
        loc = re.search(r"<loc>([^<]*)</loc>", match.group(0))
        path = urllib.parse.urlsplit(loc.group(1)).path if loc else ""
        return "" if any(path.endswith("/" + u.lstrip("/")) for u in page_urls if u) else match.group(0)

    text = re.sub(r"\s*<url>.*?</url>", keep, text, flags=re.DOTALL)
    sitemap.write_text(text, encoding="utf-8")
    if (site_dir / "sitemap.xml.gz").is_file():  # MkDocs writes one, Zensical does not
        _gzip(site_dir / "sitemap.xml.gz", text.encode("utf-8"))


def precompress(site_dir: Path) -> int:
    """Write `name.gz` beside every text file, for static hosts that serve precompressed files
    (nginx `gzip_static`, Caddy `precompressed`). Returns how many were written."""
    site_dir = Path(site_dir)
    count = 0
    for path in site_dir.rglob("*"):
        if path.is_file() and path.suffix in COMPRESSIBLE:
            target = path.with_name(path.name + ".gz")
            _gzip(target, path.read_bytes())
            stat = path.stat()  # nginx recommends the same modification time for both
            os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))
            count += 1
    return count


def _gzip(target: Path, data: bytes) -> None:
    with open(target, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9, mtime=0) as out:
        out.write(data)
