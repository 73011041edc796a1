"""The fact ledger: every sentence of the catalog that states something a reviewer can check.

A sentence is listed when it carries a number (digits or a number word), a date, a named organisation
or a licence, with the entity, the field, the file and line it stands on, and the references it rests
on: the entity's own (a correction's note rests on the correction's reference). A sentence whose entity
cites nothing is flagged. References themselves are the sources, so they are not listed; the DOI share
of the journal and conference references is reported with the ledger and by `fieldguide check`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import controls
from .catalog import Catalog
from .escape import csv_text

FACTS = ("number", "date", "organisation", "licence")
JOURNAL_OR_CONFERENCE = ("article", "inproceedings")

_NUMBER_WORDS = (
    "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "thirteen",
    "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty", "thirty", "forty", "fifty",
    "sixty", "seventy", "eighty", "ninety", "hundreds?", "thousands?", "millions?", "billions?", "trillion",
    "dozens?", "twice", "thrice", "double", "triple", "half", "quarter", "percent")
# "one" is left out: "one of", "no one" and "one team" would list most of the catalog.
NUMBER = re.compile(r"\d|\b(?:" + "|".join(_NUMBER_WORDS) + r")\b", re.IGNORECASE)
_MONTHS = ("January", "February", "March", "April", "June", "July", "August", "September", "October",
           "November", "December")
# "May" only next to a day or a year: otherwise it is the verb.
DATE = re.compile(r"\b(?:" + "|".join(_MONTHS) + r")\b|\bMay\s+\d|\d\s+May\b|\b(?:19\d\d|20[0-3]\d)\b")
LICENCE = re.compile(r"\blicen[cs]e[ds]?\b|\bApache[- ]2(?:\.0)?\b|\bMIT\b|\b[AL]?GPL(?:v\d)?\b|\bBSD\b|"
                     r"\bCreative Commons\b|\bCC[- ]BY\b|\bcopyright", re.IGNORECASE)
# Organisations the sentence names by a telling word (a university, a court, a department...).
ORG_WORD = re.compile(
    r"\b(?:[A-Z][\w.&'-]*\s+){0,4}(?:University|Institute|Department|Agency|Commission|Council|Court|"
    r"Ministry|Hospital|Police|Bank|Office|Foundation|Association|Society|Authority|Inc\.?|Ltd\.?|"
    r"Corporation|Company|Laboratory|Lab)\b(?:\s+of\s+[A-Z][\w.&'-]*(?:\s+[A-Z][\w.&'-]*){0,3})?")
_ABBREVIATIONS = ("al.", "e.g.", "i.e.", "etc.", "vs.", "cf.", "Dr.", "St.", "No.", "Fig.", "U.S.", "Inc.", "Ltd.")
_BOUNDARY = re.compile(r"(?<=[.!?])[\"”')\]]*\s+(?=[\"“(\[]?[A-Z0-9`*])")
_BLOCK = re.compile(r"\n\s*\n|\n(?=\s*(?:[-*+]|\d+\.)\s)")


@dataclass(frozen=True)
class Row:
    """One sentence of the ledger."""

    path: str
    line: int
    entity: str
    kind: str  # challenge, case study, mitigation, finding, framework, stage, step
    field: str  # `summary`, `lessons[2]`, `challenges[0].how`, `corrections[0].source_says`
    facts: tuple[str, ...]
    sentence: str
    references: tuple[str, ...]

    @property
    def unsourced(self) -> bool:
        return not self.references


def doi_share(cat: Catalog) -> tuple[int, int]:
    """(journal and conference references carrying a DOI, all journal and conference references)."""
    refs = [r for r in cat.references.values() if r.entry_type in JOURNAL_OR_CONFERENCE]
    return sum(1 for r in refs if r.doi), len(refs)


def doi_share_line(cat: Catalog) -> str:
    have, total = doi_share(cat)
    return f"{have} of {total} journal and conference references carry a DOI"


def organisations(cat: Catalog) -> list[str]:
    """Organisation names the catalog itself records: case studies' organisations, references'
    corporate authors, institutions and publishers, frameworks' corporate authors. Longest first."""
    names: set[str] = set()
    for study in cat.case_studies.values():
        text = re.sub(r"\([^)]*\)", "", study.organization)  # "(Tramèr et al.)" names the authors
        names.update(re.split(r",\s*|\s+and\s+|\s*;\s*", text))
    for ref in cat.references.values():
        names.update(filter(None, (ref.corporate_author, ref.institution, ref.organization, ref.publisher)))
    for fw in cat.frameworks.values():
        if fw.corporate_author:
            names.add(fw.corporate_author)
    # A name looks like one: every word capitalised ("Royal Free NHS Foundation Trust", "Booking.com"),
    # unlike the descriptions some case studies give instead ("Two US police departments").
    small = {"of", "and", "the", "for", "in", "on", "de"}
    named = {n.strip() for n in names
             if len(n.strip()) > 2 and all(w[0].isupper() or w[0].isdigit() or w in small for w in n.split())}
    return sorted(named, key=lambda n: (-len(n), n))


@functools.cache
def _org_pattern(names: tuple[str, ...]) -> re.Pattern[str] | None:
    if not names:
        return None
    return re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(n) for n in names) + r")(?![\w-])")


def facts_in(sentence: str, orgs: tuple[str, ...]) -> tuple[str, ...]:
    """Which kinds of checkable fact a sentence states."""
    found = []
    if NUMBER.search(sentence):
        found.append("number")
    if DATE.search(sentence):
        found.append("date")
    org = _org_pattern(orgs)
    if (org and org.search(sentence)) or ORG_WORD.search(sentence):
        found.append("organisation")
    if LICENCE.search(sentence):
        found.append("licence")
    return tuple(found)


def sentences(text: str) -> list[str]:
    """Sentences of a catalog text: paragraphs and list items first, then sentence ends (a full stop
    after "et al." or "e.g." ends nothing)."""
    out: list[str] = []
    for block in _BLOCK.split(text):
        block = " ".join(block.split())
        block = re.sub(r"^(?:[-*+]|\d+\.)\s+", "", block)
        if not block:
            continue
        pieces = _BOUNDARY.split(block)
        current = ""
        for piece in pieces:
            current = f"{current} {piece}" if current else piece
            if not current.endswith(_ABBREVIATIONS):
                out.append(current)
                current = ""
        if current:
            out.append(current)
    return out


# ---------------------------------------------------------------- walking the catalog


@dataclass(frozen=True)
class _Text:
    entity: str
    kind: str
    loc: tuple[str | int, ...]
    text: str
    references: tuple[str, ...]


def _field_name(loc: tuple[str | int, ...]) -> str:
    name = ""
    for part in loc:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else part)
    return name


def _fields(entity: Any, kind: str, names: Iterable[str], refs: tuple[str, ...]) -> Iterator[_Text]:
    for name in names:
        value = getattr(entity, name, None)
        if isinstance(value, str):
            yield _Text(entity.id, kind, (name,), value, refs)
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, str):
                    yield _Text(entity.id, kind, (name, i), item, refs)


def _links(entity: Any, kind: str, name: str, attr: str, refs: tuple[str, ...]) -> Iterator[_Text]:
    for i, link in enumerate(getattr(entity, name)):
        yield _Text(entity.id, kind, (name, i, attr), getattr(link, attr), refs)


def _corrections(entity: Any, kind: str) -> Iterator[_Text]:
    """A correction's note rests on the correction's own reference."""
    for i, c in enumerate(entity.corrections):
        for attr in ("says", "source_says"):
            yield _Text(entity.id, kind, ("corrections", i, attr), getattr(c, attr), (c.reference,))


def _figures(entity: Any, kind: str, refs: tuple[str, ...]) -> Iterator[_Text]:
    for i, f in enumerate(entity.key_figures):
        text = f"{f.value} {f.unit}: {f.measures}".replace(" :", ":")
        yield _Text(entity.id, kind, ("key_figures", i), text, refs)


def _texts(cat: Catalog) -> Iterator[_Text]:
    """Every prose field of every entity, with the references it rests on."""
    for stage in cat.stages:
        refs = tuple(stage.references)
        yield from _fields(stage, "stage", ("summary",), refs)
        for step in stage.steps:
            yield from _fields(step, "step", ("summary",), ())
    for c in cat.challenges.values():
        refs = tuple(c.references)
        yield from _fields(c, "challenge", ("title", "summary", "description", "signals"), refs)
        yield from _links(c, "challenge", "checklist", "text", refs)
        yield from _links(c, "challenge", "related", "why", refs)
        yield from _corrections(c, "challenge")
    for s in cat.case_studies.values():
        refs = tuple(s.references)
        yield from _fields(s, "case study", ("title", "organization", "summary", "what_happened", "lessons"), refs)
        yield from _figures(s, "case study", refs)
        yield from _links(s, "case study", "challenges", "how", refs)
        yield from _corrections(s, "case study")
    for m in cat.mitigations.values():
        refs = tuple(m.references)
        yield from _fields(m, "mitigation", ("title", "summary"), refs)
        yield from _links(m, "mitigation", "challenges", "how", refs)
    for f in cat.findings.values():
        refs = tuple(f.references)
        yield from _fields(f, "finding", ("title", "summary"), refs)
        yield from _figures(f, "finding", refs)
    for fw in cat.frameworks.values():
        refs = (fw.reference,) if fw.reference else ()
        yield from _fields(fw, "framework", ("summary", "names_from", "licence"), refs)


@functools.cache
def _file_lines(path: str) -> tuple[str, ...]:
    try:
        return tuple(Path(path).read_text(encoding="utf-8").splitlines())
    except OSError:
        return ()


def _line_of(path: str, start: int, sentence: str) -> int:
    """The line a sentence starts on: its first words searched from the field's own line on, across
    the line breaks of a folded or literal block. Falls back to the field's line."""
    lines = _file_lines(path)
    words = [w.strip("'\"") for w in sentence.split()[:5]]
    flat: list[str] = []  # the file's words from the field on, and the line of each
    owner: list[int] = []
    for number in range(max(start, 1), min(len(lines), start + 400) + 1):
        for word in lines[number - 1].split():
            flat.append(word.strip("'\""))
            owner.append(number)
    for i in range(len(flat) - len(words) + 1):
        if words and flat[i:i + len(words)] == words:
            return owner[i]
    return start


def rows(cat: Catalog, only: set[str] | None = None) -> list[Row]:
    """The ledger: every sentence stating a checkable fact, in catalog order. `only`, when given,
    limits it to those entity ids (`--since`)."""
    orgs = tuple(organisations(cat))
    out: list[Row] = []
    for item in _texts(cat):
        if only is not None and item.entity not in only:
            continue
        path, field_line = cat.where(item.entity, item.loc)
        for sentence in sentences(item.text):
            facts = facts_in(sentence, orgs)
            if facts:
                out.append(Row(path, _line_of(path, field_line, sentence), item.entity, item.kind,
                               _field_name(item.loc), facts, sentence, item.references))
    return out


def summary_line(found: list[Row]) -> str:
    entities = len({r.entity for r in found})
    unsourced = sum(1 for r in found if r.unsourced)
    return (f"{len(found)} sentence(s) stating a number, date, organisation or licence in {entities} "
            f"entit{'y' if entities == 1 else 'ies'}; {unsourced} rest on no reference")


def to_text(found: list[Row], doi_line: str) -> str:
    lines = []
    for r in found:
        refs = ", ".join(r.references) if r.references else "NO REFERENCE"
        lines.append(f"{r.path}:{r.line}: {r.entity}: {r.field}: [{', '.join(r.facts)}] {r.sentence}")
        lines.append(f"    rests on: {refs}")
    lines += [summary_line(found), doi_line]
    return "\n".join(controls.visible(line) for line in lines) + "\n"


CSV_HEADER = ("path", "line", "entity", "kind", "field", "facts", "sentence", "references", "unsourced")


def to_csv(found: list[Row]) -> str:
    return csv_text([CSV_HEADER, *([r.path, r.line, r.entity, r.kind, r.field, " ".join(r.facts), r.sentence,
                                    " ".join(r.references), "yes" if r.unsourced else "no"] for r in found)])


# ---------------------------------------------------------------- --since


class SinceError(Exception):
    """A `--since` ref that cannot be compared: not a git repository, or not a commit."""


def changed_entities(cat: Catalog, catalog_dir: Path, ref: str) -> set[str]:
    """Ids of the entities whose file differs from `ref` (committed or not) or is new since it."""
    from .release import DiffError, _git, git_root, resolve_commit

    try:
        repo = git_root(catalog_dir)
        if repo is None:
            raise SinceError(f"{catalog_dir} is not inside a git repository")
        if resolve_commit(repo, ref) is None:
            raise SinceError(f"'{ref}' is not a commit of {repo}")
        changed = _git(repo, "diff", "--name-only", "-z", ref, "--")
        new = _git(repo, "ls-files", "--others", "--exclude-standard", "-z")
    except DiffError as exc:
        raise SinceError(str(exc)) from None
    names = (changed.stdout + new.stdout).decode("utf-8", "surrogateescape").split("\0")
    paths = {(repo / n).resolve() for n in names if n}
    return {eid for eid, (source, _) in cat.sources.items() if Path(source.path).resolve() in paths}
