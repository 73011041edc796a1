"""References in the formats citation tools read: BibTeX (pybtex's writer), CSL-JSON, and text
formatted by pybtex's `plain` style; the citation cache that keeps pybtex's slow work between builds.

Shared by every output that cites: the site's pages and downloads (`render`, `cite`), the brief and
`fieldguide export --format bibtex`. A reference is turned into BibTeX once and formatted from that
BibTeX, so what a reader sees is what the .bib file says.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from pybtex.database import BibliographyData, Entry, Person
from pybtex.plugin import find_plugin
from pybtex.style.template import FieldIsMissing

from . import GUIDE_AUTHOR, GUIDE_TITLE, RELEASED, __version__
from .escape import tex_text
from .files import write_atomic
from .schema import Reference

_VENUES = ("institution", "publisher", "organization", "journal", "booktitle")

# Reference fields that go into BibTeX unchanged, in BibTeX's customary order.
_BIB_FIELDS = ("journal", "booktitle", "publisher", "institution", "organization", "howpublished",
               "series", "address", "volume", "number", "pages", "month", "note", "doi", "url")


_CAPITALISED = re.compile(r"[\w.'’-]*[A-Z][\w.'’-]*")


def _protect(title: str) -> str:
    """Brace capitalised words (Twitter, AirBnB, NLP) so BibTeX styles that sentence-case keep them.

    A title written in Title Case is braced whole. Otherwise the first word is left alone when only
    its initial is a capital: styles keep it anyway.
    """
    long_words = [w for w in re.findall(r"[\w'’-]+", title) if len(w) > 3]
    if len(long_words) >= 3 and sum(w[0].isupper() for w in long_words) / len(long_words) >= 0.75:
        return "{" + title + "}"
    def brace(match: re.Match[str]) -> str:
        word = match.group(0)
        if match.start() == 0 and word[1:] == word[1:].lower():
            return word
        return "{" + word + "}"

    return _CAPITALISED.sub(brace, title)


MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_RANGE = re.compile(r"(\w)\s*[-‐‑‒–—]+\s*(\w)")


def month_number(month: str | None) -> int | None:
    """1-12 from a month as written in the catalog ("Jul", "July", "7"), else None."""
    if not month:
        return None
    text = month.strip().lower()
    if text.isdigit() and 1 <= int(text) <= 12:
        return int(text)
    return MONTHS.index(text[:3]) + 1 if text[:3] in MONTHS else None


def page_range(pages: str) -> str:
    """BibTeX page ranges use `--` (an en dash when typeset); the catalog keeps them as printed."""
    return _RANGE.sub(r"\1--\2", pages)


def corporate_author(ref: Reference) -> str | None:
    """The organisation written as the author, when no person is (`check` requires one of the two
    for every entry type whose BibTeX styles need an author: schema.REQUIRED_FIELDS)."""
    return None if ref.authors else ref.corporate_author


# Addresses: validated by the schema (no braces, spaces or backslashes) and written verbatim.
_ADDRESS_FIELDS = ("doi", "url")


def bib_entry(ref: Reference) -> Entry:
    """A reference as a pybtex entry. Text fields go through `escape.tex_text`: `check` refuses TeX
    commands in them, and whatever got past it still cannot run one in the reader's LaTeX."""
    fields = {"title": _protect(tex_text(ref.title)), "year": str(ref.year)}
    for name in _BIB_FIELDS:
        value = getattr(ref, name)
        if value:
            fields[name] = value if name in _ADDRESS_FIELDS else tex_text(value)
    if ref.pages:
        fields["pages"] = page_range(tex_text(ref.pages))
    if "month" in fields:
        number = month_number(ref.month)
        if number:
            fields["month"] = MONTHS[number - 1]  # written as a macro by to_bibtex_entries
    if ref.arxiv:
        fields["eprint"] = ref.arxiv
        fields["archiveprefix"] = "arXiv"
    persons: dict[str, list[Person]] = {}
    if ref.authors:
        persons["author"] = [Person(tex_text(a)) for a in ref.authors]
    elif corporate_author(ref):
        persons["author"] = [Person("{" + tex_text(corporate_author(ref)) + "}")]
    entry_type = "misc" if ref.entry_type == "online" else ref.entry_type
    return Entry(entry_type, fields=fields, persons=persons)


# pybtex escapes LaTeX specials in every field; URLs must stay verbatim for the url package.
_VERBATIM_FIELD = re.compile(r'^(\s*(?:url|doi|eprint) = ")(.*)(",?)$', re.MULTILINE)
# pybtex quotes every value; BibTeX's month macros (jan ... dec) must stay bare to be recognised.
_MONTH_FIELD = re.compile(r'^(\s*month = )"(' + "|".join(MONTHS) + r')"(,?)$', re.MULTILINE)


def to_bibtex(refs: list[Reference]) -> str:
    cache = _active[-1] if _active else None
    if cache is None or len(refs) != 1:
        return to_bibtex_entries({r.id: bib_entry(r) for r in refs})
    # One reference, keyed by its stored fields: no Entry (and no name parsing) on a warm build.
    key = "ref:" + hashlib.sha256(refs[0].model_dump_json().encode()).hexdigest()
    if key not in cache.bibtex:
        cache.bibtex[key] = _write_bibtex({refs[0].id: bib_entry(refs[0])})
        cache.dirty = True
    return cache.bibtex[key]


def join_bibtex(entries: list[str]) -> str:
    """BibTeX of several references from each one's own BibTeX (same text as `to_bibtex` of all)."""
    return "\n".join(entries)


def citations(refs: list[Reference], cache: CitationCache | None = None) -> dict[str, str]:
    """Formatted text citations (pybtex `plain` style) as Markdown, keyed by reference id."""
    return {rid: f.markdown for rid, f in formatted(refs, cache).items()}


@dataclass(frozen=True)
class Formatted:
    """One reference formatted by pybtex's `plain` style, as Markdown (for pages) and plain text."""

    markdown: str
    text: str


def formatted(refs: list[Reference], cache: CitationCache | None = None,
              bibtex: dict[str, str] | None = None) -> dict[str, Formatted]:
    """Each reference formatted by pybtex's `plain` style, keyed by reference id.

    Entries go through their own BibTeX first, so what a reader sees is what the .bib file says.
    Formatting is the slow part of a build (about 4 ms a reference), so results are kept in `cache`
    when one is given, keyed by each entry's BibTeX and the pybtex version. `bibtex` may hold each
    reference's BibTeX already written.
    """
    out: dict[str, Formatted] = {}
    todo = []
    for ref in refs:
        bib = bibtex[ref.id] if bibtex and ref.id in bibtex else to_bibtex([ref])
        hit = cache.get(bib, _stored_addresses(ref)) if cache else None
        if hit:
            out[ref.id] = hit
        else:
            todo.append((ref, bib))
    if todo:
        _writer, parser, style, backends = _pybtex()
        parsed = parser().parse_string("\n".join(bib for _, bib in todo))
        for ref, bib in todo:
            entry = parsed.entries[ref.id]
            for name in ("url", "doi"):  # keep addresses exactly as stored, not LaTeX-decoded
                if getattr(ref, name):
                    entry.fields[name] = getattr(ref, name)
            try:
                rich = style.format_entry(ref.id, entry, bib_data=parsed).text
            except FieldIsMissing:
                # A style demands a field some entries lack; misc needs none.
                venue = next((entry.fields[f] for f in _VENUES if f in entry.fields), None)
                entry.type = "misc"
                if venue:
                    entry.fields.setdefault("howpublished", venue)
                rich = style.format_entry(ref.id, entry, bib_data=parsed).text
            result = Formatted(rich.render(backends["markdown"]).replace("\n", " "),
                               rich.render(backends["text"]).replace("\n", " "))
            out[ref.id] = result
            if cache:
                cache.put(bib, _stored_addresses(ref), result)
        if cache and cache not in _active:
            cache.save()
    return {r.id: out[r.id] for r in refs}


def _stored_addresses(ref: Reference) -> str:
    return f"{ref.url or ''} {ref.doi or ''}"


def alpha_labels(refs: list[Reference]) -> dict[str, str]:
    """BibTeX `alpha` style labels ("LR13", "BBC+19"), made unique over `refs` as that style does."""
    cache = _active[-1] if _active else None
    if cache:
        key = "alpha:" + hashlib.sha256("\0".join(r.model_dump_json() for r in refs).encode()).hexdigest()
        return cache.remember(key, lambda: _alpha_labels(refs),
                              lambda v: isinstance(v, dict) and list(v) == [r.id for r in refs])
    return _alpha_labels(refs)


def _alpha_labels(refs: list[Reference]) -> dict[str, str]:
    labels = find_plugin("pybtex.style.labels", "alpha")()
    entries = [bib_entry(r) for r in refs]
    for ref, entry in zip(refs, entries, strict=True):
        entry.key = ref.id
    return dict(zip((r.id for r in refs), labels.format_labels(entries), strict=True))


def page_alpha_label() -> str:
    """The `alpha` label of a page of the guide (all pages share author and year: "ML26")."""
    entry = page_entry("x", "https://example.org/")
    entry.key = "page"
    return next(iter(find_plugin("pybtex.style.labels", "alpha")().format_labels([entry])))


class CitationCache:
    """Formatted citations and written BibTeX kept between builds in one JSON file. A missing,
    unreadable or stale file costs only time: entries are then formatted again and the file rewritten.

    `tag` binds the file to this machine (`buildcache.tag`): a file written elsewhere is never read.
    The code that writes BibTeX is part of what the file is valid for."""

    VERSION = 3

    def __init__(self, path: Path, tag: str = ""):
        self.path = path
        self.tag = tag
        self.dirty = False
        self.entries: dict[str, list[str]] = {}
        self.bibtex: dict[str, str] = {}
        self.values: dict[str, Any] = {}
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return
        if (isinstance(data, dict) and data.get("version") == self.VERSION and data.get("pybtex") == _PYBTEX
                and data.get("code") == _code() and data.get("tag") == tag):
            if isinstance(data.get("entries"), dict):
                self.entries = data["entries"]
            if isinstance(data.get("bibtex"), dict):
                self.bibtex = {k: v for k, v in data["bibtex"].items() if isinstance(v, str)}
            if isinstance(data.get("values"), dict):
                self.values = data["values"]

    @staticmethod
    def key(bibtex: str, addresses: str) -> str:
        return hashlib.sha256(f"{bibtex}\0{addresses}".encode()).hexdigest()

    def get(self, bibtex: str, addresses: str) -> Formatted | None:
        hit = self.entries.get(self.key(bibtex, addresses))
        if isinstance(hit, list) and len(hit) == 2 and all(isinstance(x, str) for x in hit):
            return Formatted(*hit)
        return None

    def put(self, bibtex: str, addresses: str, value: Formatted) -> None:
        self.entries[self.key(bibtex, addresses)] = [value.markdown, value.text]
        self.dirty = True

    def remember(self, key: str, compute: Callable[[], Any], valid: Callable[[Any], bool]) -> Any:
        """A derived value kept between builds under `key` (which must name everything it derives from)."""
        if key in self.values and valid(self.values[key]):
            return self.values[key]
        self.values[key] = value = compute()
        self.dirty = True
        return value

    def save(self) -> None:
        if not self.dirty:
            return
        body = {"version": self.VERSION, "pybtex": _PYBTEX, "code": _code(), "tag": self.tag,
                "entries": self.entries, "bibtex": self.bibtex, "values": self.values}
        if write_atomic(self.path, json.dumps(body)):  # unwritable (read-only checkout): builds, only slower
            self.dirty = False


@cache
def _code() -> str:
    """This module and the escaping it uses: what a cached entry was written by."""
    from . import escape

    return hashlib.sha256(Path(__file__).read_bytes() + Path(escape.__file__).read_bytes()).hexdigest()


_active: list[CitationCache] = []  # the cache `to_bibtex_entries` writes through, while one is in use


@contextmanager
def using(cache: CitationCache | None) -> Iterator[None]:
    """Write BibTeX through `cache` (pybtex's writer LaTeX-encodes every character: slow) and save
    the cache at the end."""
    if cache is None:
        yield
        return
    _active.append(cache)
    try:
        yield
    finally:
        _active.remove(cache)
        cache.save()


def _entries_key(entries: dict[str, Entry]) -> str:
    parts = [(key, e.type, list(e.fields.items()), {r: [str(p) for p in ps] for r, ps in e.persons.items()})
             for key, e in entries.items()]
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode()).hexdigest()


def label(ref: Reference) -> str:
    """Author-year label for in-text citations: "Lin and Ryaboy, 2013", "Bernardi et al., 2019"."""
    return _label(tuple(ref.authors), ref.corporate_author, ref.institution, ref.howpublished, ref.title, ref.year)


@cache
def _label(authors: tuple[str, ...], corporate: str | None, institution: str | None, howpublished: str | None,
           title: str, year: int) -> str:
    ref = Reference.model_construct(authors=list(authors), corporate_author=corporate, institution=institution,
                                    howpublished=howpublished, title=title, year=year)
    names = [" ".join(Person(a).last_names) for a in ref.authors if a != "others"]
    if not names:
        who = ref.corporate_author or ref.institution or ref.howpublished or " ".join(ref.title.split()[:3]) + "…"
    elif len(names) == 1 and "others" not in ref.authors:
        who = names[0]
    elif len(names) == 2 and "others" not in ref.authors:
        who = f"{names[0]} and {names[1]}"
    else:
        who = f"{names[0]} et al."
    return f"{who}, {ref.year}"


def page_citation(title: str, url: str) -> str:
    """How to cite one page of the guide itself: author, title, release version and date, address."""
    return f"{GUIDE_AUTHOR}. “{title}”. {GUIDE_TITLE}, version {__version__}, released {RELEASED}. {url}"


def page_entry(title: str, url: str) -> Entry:
    """BibTeX of one page: a corporate author (braced, so styles never split it into names), the
    release as version and date, and the address once. No `urldate`: that is the day the reader
    looked at the page, which the page's script adds (views/basket.js); the release date is not it."""
    year, month = int(RELEASED[:4]), int(RELEASED[5:7])
    fields = {"title": _protect(tex_text(title)), "howpublished": f"{GUIDE_TITLE}, version {__version__}",
              "year": str(year), "month": MONTHS[month - 1], "url": url, "key": GUIDE_AUTHOR}
    return Entry("misc", fields=fields, persons={"author": [Person("{" + GUIDE_AUTHOR + "}")]})


@cache
def page_bibtex(key: str, title: str, url: str) -> str:
    return to_bibtex_entries({key: page_entry(title, url)})


def page_csl(key: str, title: str, url: str) -> dict[str, Any]:
    year, month, day = (int(x) for x in RELEASED.split("-"))
    return {"id": key, "type": "webpage", "title": title, "author": [{"literal": GUIDE_AUTHOR}],
            "container-title": GUIDE_TITLE, "version": __version__,
            "issued": {"date-parts": [[year, month, day]]}, "URL": url}  # `accessed`: added by the page


_PYBTEX = importlib.metadata.version("pybtex")


@cache
def _pybtex() -> tuple[Any, Any, Any, dict[str, Any]]:
    """pybtex's BibTeX writer and parser, `plain` style and Markdown and text backends, looked up
    once: pybtex finds plugins through importlib metadata on every call otherwise."""
    from pybtex.backends.markdown import Backend as Markdown
    from pybtex.backends.plaintext import Backend as Text
    from pybtex.database.input.bibtex import Parser
    from pybtex.database.output.bibtex import Writer

    style = find_plugin("pybtex.style.formatting", "plain")()
    return Writer(), Parser, style, {"markdown": Markdown(), "text": Text()}


def to_bibtex_entries(entries: dict[str, Entry]) -> str:
    cache = _active[-1] if _active else None
    key = _entries_key(entries) if cache else ""
    if cache and key in cache.bibtex:
        return cache.bibtex[key]
    text = _write_bibtex(entries)
    if cache:
        cache.bibtex[key] = text
        cache.dirty = True
    return text


def _write_bibtex(entries: dict[str, Entry]) -> str:
    text = _pybtex()[0].to_string(BibliographyData(entries))
    text = _VERBATIM_FIELD.sub(lambda m: m[1] + re.sub(r"\\([%_#&])", r"\1", m[2]) + m[3], text)
    return _MONTH_FIELD.sub(r"\1\2\3", text)


_CSL_TYPES = {"article": "article-journal", "inproceedings": "paper-conference", "incollection": "chapter",
              "book": "book", "techreport": "report", "misc": "document", "online": "webpage"}


@cache
def _csl_name(name: str) -> dict[str, str]:
    person = Person(name)
    family = " ".join(person.prelast_names + person.last_names)
    given = " ".join(person.first_names + person.middle_names)
    return {"family": family, "given": given} if given else {"literal": family}


def to_csl(refs: list[Reference]) -> list[dict[str, Any]]:
    """CSL-JSON items (for Zotero, pandoc and other reference managers)."""
    items = []
    for r in refs:
        issued = [r.year] + ([month_number(r.month)] if month_number(r.month) else [])
        item: dict[str, Any] = {"id": r.id, "type": _CSL_TYPES[r.entry_type], "title": r.title,
                                "issued": {"date-parts": [issued]}}
        names = [_csl_name(a) for a in r.authors if a != "others"]
        if not names and corporate_author(r):
            names = [{"literal": corporate_author(r)}]
        if names:
            item["author"] = names
        url = r.url or (f"https://arxiv.org/abs/{r.arxiv}" if r.arxiv else None)
        publisher = r.publisher or r.institution or r.organization or r.howpublished
        optional = {"container-title": r.journal or r.booktitle, "publisher": publisher,
                    "volume": r.volume, "issue": r.number, "page": r.pages and r.pages.replace("–", "-"),
                    "URL": url, "DOI": r.doi, "note": r.note, "publisher-place": r.address}
        item.update({k: v for k, v in optional.items() if v})
        if r.arxiv:
            item["number"] = f"arXiv:{r.arxiv}"
            item.setdefault("publisher", "arXiv")
            if r.entry_type == "misc":
                item["type"] = "article"  # CSL's type for a preprint
        items.append(item)
    return items
