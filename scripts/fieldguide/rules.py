"""The rules a catalog keeps across its files, checked once `load` has read every file.

Each rule is one small function over a `Check` (the catalog, the ids of files that failed to read, the
problems found so far) and has a broken catalog of its own in tests/catalogs/broken/ that it reports
(tests/test_rules.py holds the list). They share three helpers: `resolve` (a link names something of the
right kind: "unknown challenge 'x' (did you mean 'y'?)", or a retired id's successor), `no_repeats`
("'x' is listed twice") and `report` (the file and line of a field). Rules run in the order of `RULES`;
the two that claim ids in the catalog-wide namespace (checklist items, framework items) come first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from .catalog import Catalog
from .kinds import KIND, RETIRABLE
from .pages import FRAMEWORK_SECTION_PREFIX, RESERVED_ID_PREFIXES, collisions
from .problems import Loc, Problem, Source, did_you_mean, dotted, repeats, unknown


@dataclass
class Check:
    """What every rule works with: the catalog, the ids of files that failed (links to them are not
    reported again) and the problems found."""

    cat: Catalog
    broken: set[str]
    problems: list[Problem] = field(default_factory=list)

    def report(self, entity: str, loc: Loc, message: str) -> None:
        """A problem at a field of an entity, on the line where that field stands."""
        path, line = self.cat.where(entity, loc)
        self.problems.append(Problem(path, line, entity, dotted(loc), message))

    def report_at(self, source: Source, loc: Loc, entity: str, message: str, field_name: str | None = None) -> None:
        """A problem in a file that is not an entity (vocabulary.yaml, retired.yaml)."""
        self.problems.append(Problem(source.path, source.line(loc), entity, field_name or dotted(loc), message))

    def resolve(self, entity: str, loc: Loc, target: str, pool: dict[str, Any], what: str, where: str = "") -> None:
        """A link must name an entity of `pool`: else it is unknown (with the closest id as a hint), or
        retired (with its successor)."""
        if target in pool or target in self.broken:
            return
        if target in self.cat.retired:
            stub = self.cat.retired[target]
            self.report(entity, loc, f"{what} '{target}' was retired on {stub.retired}; link its successor "
                                     f"'{stub.replaced_by}' instead")
            return
        self.report(entity, loc, unknown(what, target, pool, where))

    def no_repeats(self, entity: str, field_name: str, values: Iterable[str]) -> None:
        for i, value in repeats(values):
            self.report(entity, (field_name, i), f"'{value}' is listed twice")


Rule = Callable[[Check], None]


# ---------------------------------------------------------------- ids


def checklist_item_ids(ck: Check) -> None:
    """Checklist items share the id namespace with the entities (a stored tick is keyed by the id)."""
    cat = ck.cat
    for challenge in cat.challenges.values():
        for i, item in enumerate(challenge.checklist):
            loc = ("checklist", i, "id")
            if item.id in cat.sources:
                other, oloc = cat.sources[item.id]
                ck.report(challenge.id, loc, f"duplicate id '{item.id}' (also at {other.path}:{other.line(oloc)})")
            else:
                cat.sources[item.id] = (cat.sources[challenge.id][0], ("checklist", i))


def framework_items(ck: Check) -> None:
    """A framework's items are unique within it and avoid the page's section anchors; each claims its
    qualified id (`deon:b-1`: the colon keeps it apart from the catalog's own ids)."""
    cat = ck.cat
    known: set[str] = set()
    for fw in cat.frameworks.values():
        source = cat.sources[fw.id][0]
        for i, section in enumerate(fw.sections):
            for j, item in enumerate(section.items):
                loc = ("sections", i, "items", j)
                if item.id.startswith(FRAMEWORK_SECTION_PREFIX):
                    ck.report(fw.id, (*loc, "id"),
                              f"item ids beginning with '{FRAMEWORK_SECTION_PREFIX}' are reserved for the "
                              "framework page's section anchors: choose another id")
                qualified = fw.qualified(item)
                if qualified in known:
                    ck.report(fw.id, (*loc, "id"), f"item id '{item.id}' is used twice in this framework")
                    continue
                known.add(qualified)
                cat.sources[qualified] = (source, loc)


def reserved_prefixes(ck: Check) -> None:
    """An id that is also one of the pages' own element ids (`fg-planner`, `done-<item>`) would be the
    same id twice on a page, which the build refuses: said here, at the id."""
    for entity, (source, loc) in list(ck.cat.sources.items()):
        prefix = next((p for p in RESERVED_ID_PREFIXES if entity.startswith(p)), None)
        if prefix and ":" not in entity:
            ck.report_at(source, loc + ("id",), entity, f"ids beginning with '{prefix}' are reserved for the pages' "
                                                        "own elements: choose another id")


def page_collisions(ck: Check) -> None:
    """An id whose page path is already a generated page would overwrite it (`id: index`)."""
    pages = {kind.id: list(ck.cat.pool(kind.id)) for kind in KIND.values() if kind.own_page}
    for entity, path, what in collisions(pages):
        ck.report(entity, ("id",), f"id '{entity}' is reserved: its page {path} would replace {what}")


def survey_numbers(ck: Check) -> None:
    """Each number of the survey's bibliography belongs to one reference."""
    numbers: dict[int, str] = {}
    for r in ck.cat.references.values():
        if r.survey_ref is None:
            continue
        if r.survey_ref in numbers:
            ck.report(r.id, ("survey_ref",), f"survey_ref {r.survey_ref} is also used by '{numbers[r.survey_ref]}'")
        numbers.setdefault(r.survey_ref, r.id)


# ---------------------------------------------------------------- links


def cited_references(ck: Check) -> None:
    """Everything cites references that exist, each once (stages, challenges, case studies,
    mitigations, findings; a framework's own reference and the sources read to grade it)."""
    cat = ck.cat
    citing = [*cat.stages, *cat.challenges.values(), *cat.case_studies.values(), *cat.mitigations.values(),
              *cat.findings.values()]
    for e in citing:
        for i, ref in enumerate(e.references):
            ck.resolve(e.id, ("references", i), ref, cat.references, "reference")
        ck.no_repeats(e.id, "references", e.references)
    for fw in cat.frameworks.values():
        if fw.reference:
            ck.resolve(fw.id, ("reference",), fw.reference, cat.references, "reference")
        for k, ref in enumerate(fw.sources):
            ck.resolve(fw.id, ("sources", k), ref, cat.references, "reference")
        ck.no_repeats(fw.id, "sources", fw.sources)


def challenge_steps(ck: Check) -> None:
    """A challenge stands in a step of stages.yaml."""
    cat = ck.cat
    if not cat.stages:  # without a valid stages.yaml every step would be reported again
        return
    steps = cat.steps
    for c in cat.challenges.values():
        ck.resolve(c.id, ("step",), c.step, steps, "step", ": not a step of any stage in stages.yaml")


def step_positions(ck: Check) -> None:
    """Two challenges of one step cannot share a position."""
    taken: dict[tuple[str, int], str] = {}
    for c in sorted(ck.cat.challenges.values(), key=lambda c: c.id):
        other = taken.setdefault((c.step, c.order), c.id)
        if other != c.id:
            ck.report(c.id, ("order",), f"order {c.order} is also used by '{other}' in step '{c.step}'")


def facet_links(ck: Check) -> None:
    """Challenges and case studies are tagged with facets of facets.yaml, each once; a case study's
    industry is one of its industries."""
    cat = ck.cat
    facet_ids = {**cat.industries, **cat.traits}
    for s in cat.case_studies.values():
        ck.resolve(s.id, ("industry",), s.industry, cat.industries, "industry")
    for e in (*cat.challenges.values(), *cat.case_studies.values()):
        for i, f in enumerate(e.facets):
            ck.resolve(e.id, ("facets", i), f, facet_ids, "facet")
        ck.no_repeats(e.id, "facets", e.facets)


def related_challenges(ck: Check) -> None:
    """A challenge's related challenges exist, are not itself, and each relation is written once
    (on one of the two challenges)."""
    cat = ck.cat
    for c in cat.challenges.values():
        for i, link in enumerate(c.related):
            loc = ("related", i, "challenge")
            ck.resolve(c.id, loc, link.challenge, cat.challenges, "challenge")
            if link.challenge == c.id:
                ck.report(c.id, loc, "a challenge cannot be related to itself")
            other = cat.challenges.get(link.challenge)
            if other and any(r.challenge == c.id for r in other.related) and c.id > other.id:
                ck.report(c.id, loc, f"relation already written on '{other.id}'; write each relation once")
        ck.no_repeats(c.id, "related", [r.challenge for r in c.related])


def challenge_links(ck: Check) -> None:
    """Case studies, mitigations and findings link challenges that exist, each once."""
    cat = ck.cat
    for e in (*cat.case_studies.values(), *cat.mitigations.values(), *cat.findings.values()):
        links = getattr(e, "challenges", [])
        for i, link in enumerate(links):
            ck.resolve(e.id, ("challenges", i, "challenge"), link.challenge, cat.challenges, "challenge")
        ck.no_repeats(e.id, "challenges", [x.challenge for x in links])


def corrections(ck: Check) -> None:
    """A correction cites one of its entity's own references."""
    cat = ck.cat
    for e in (*cat.challenges.values(), *cat.case_studies.values()):
        for i, corr in enumerate(e.corrections):
            if corr.reference in e.references:
                continue
            loc = ("corrections", i, "reference")
            ck.resolve(e.id, loc, corr.reference, cat.references, "reference")
            if corr.reference in cat.references:
                ck.report(e.id, loc, f"'{corr.reference}' must also be listed in this entity's references")


def published_versions(ck: Check) -> None:
    """A preprint points to its peer-reviewed version, another reference."""
    cat = ck.cat
    for r in cat.references.values():
        if not r.published_version:
            continue
        ck.resolve(r.id, ("published_version",), r.published_version, cat.references, "reference")
        if r.published_version == r.id:
            ck.report(r.id, ("published_version",), "a reference cannot be its own published version")


def retired_successors(ck: Check) -> None:
    """A retired id's successor is a live entity of the same kind, so an old link lands somewhere useful."""
    cat = ck.cat
    pools = {kind: cat.pool(kind) for kind in RETIRABLE}
    for i, stub in enumerate(cat.retired.values()):
        if stub.replaced_by in pools[stub.kind] or stub.replaced_by in ck.broken:
            continue
        if stub.replaced_by in cat.retired:
            what = "is itself retired; point to its successor"
        elif stub.replaced_by in cat.sources:
            what = f"is not a {KIND[stub.kind].label}"
        else:
            what = "is not in the catalog"
        source, loc = cat.sources[stub.id]
        ck.report_at(source, loc + ("replaced_by",), stub.id, f"successor '{stub.replaced_by}' {what}",
                     f"retired[{i}].replaced_by")


def vocabulary_phrases(ck: Check) -> None:
    """vocabulary.yaml's phrases and contexts belong to challenges that exist, each once per challenge."""
    cat, source = ck.cat, ck.cat.vocabulary_source
    if source is None:
        return
    for section in ("phrases", "contexts"):
        for cid, texts in getattr(cat.vocabulary, section).items():
            if cid not in cat.challenges and cid not in ck.broken:
                ck.report_at(source, (section, cid), "vocabulary", unknown("challenge", cid, cat.challenges))
            for i, text in repeats(texts, key=str.lower):
                ck.report_at(source, (section, cid, i), "vocabulary", f"'{text}' is listed twice")


def deployment_links(ck: Check) -> None:
    """The deployments name challenges, industries, traits and stages that exist (a deployment whose `bit`
    names no challenge would move nothing, silently); the loader reports a repeated id."""
    cat = ck.cat
    industries = {f.id: f for f in cat.facets.industries} if cat.facets else {}
    traits = {f.id: f for f in cat.facets.traits} if cat.facets else {}
    stages = {s.id: s for s in cat.stages}
    for pid, p in cat.deployments.items():
        source, at = cat.deployment_line(pid)
        links = [("bit", k, c, cat.challenges, "challenge") for k, c in enumerate(p.bit)]
        links += [("traits", k, t, traits, "trait") for k, t in enumerate(p.traits)]
        links += [("stages", k, s, stages, "stage") for k, s in enumerate(p.stages)]
        if p.industry is not None:
            links.append(("industry", None, p.industry, industries, "industry"))
        for name, k, target, pool, what in links:
            if target not in pool and target not in ck.broken:
                loc = (*at, name) if k is None else (*at, name, k)
                ck.report_at(source, loc, p.id, unknown(what, target, pool), name if k is None else f"{name}[{k}]")


def synonym_groups(ck: Check) -> None:
    """A word appears once in its synonym group, and in one group only: a group is one sense, and a word
    in two groups would make each group's words stand for the other's."""
    source = ck.cat.vocabulary_source
    if source is None:
        return
    groups = ck.cat.vocabulary.synonyms
    first: dict[str, int] = {}
    for g, group in enumerate(groups):
        for i, word in repeats(group, key=str.lower):
            ck.report_at(source, ("synonyms", g, i), "vocabulary", f"'{word}' is listed twice in this group")
        for i, word in enumerate(group):
            other = first.setdefault(word.lower(), g)
            if other != g:
                ck.report_at(source, ("synonyms", g, i), "vocabulary",
                             f"'{word}' is already in the group of '{groups[other][0]}' (synonyms[{other}]): "
                             "a word belongs to one group")


# ---------------------------------------------------------------- frameworks


def _framework_asks(cat: Catalog) -> dict[str, list[str]]:
    """Each framework item (its first entry when listed twice) with the ids of its asks."""
    known: dict[str, list[str]] = {}
    for fw in cat.frameworks.values():
        for _, item in fw.items():
            known.setdefault(fw.qualified(item), [a.id for a in item.asks])
    return known


def framework_sections(ck: Check) -> None:
    """Section ids are unique within their framework (they are the page's anchors)."""
    for fw in ck.cat.frameworks.values():
        for i, _ in repeats(s.id for s in fw.sections):
            ck.report(fw.id, ("sections", i, "id"), f"section id '{fw.sections[i].id}' is used twice in this framework")


def ask_wording(ck: Check) -> None:
    """An item asks each thing once; two items that share an ask's id word it alike (the same id
    means the same requirement)."""
    wording: dict[str, tuple[str, str]] = {}  # ask id -> (its text, the first item asking it)
    seen: set[str] = set()
    for fw in ck.cat.frameworks.values():
        for i, section in enumerate(fw.sections):
            for j, item in enumerate(section.items):
                qualified = fw.qualified(item)
                if qualified in seen:
                    continue  # an item listed twice: reported by `framework_items`
                seen.add(qualified)
                loc = ("sections", i, "items", j, "asks")
                twice = dict(repeats(a.id for a in item.asks))
                for k, ask in enumerate(item.asks):
                    if k in twice:
                        ck.report(fw.id, (*loc, k, "id"), f"ask id '{ask.id}' is used twice in this item")
                        continue
                    text, first = wording.setdefault(ask.id, (ask.text, qualified))
                    if text != ask.text:
                        ck.report(fw.id, (*loc, k, "text"),
                                  f"ask '{ask.id}' is also asked by '{first}' in other words; the same id means "
                                  f"the same requirement, so word it alike or give it another id")


def covers_mappings(ck: Check) -> None:
    """A check's `covers` names framework items that exist, each once, and meets only asks they have."""
    cat = ck.cat
    known = _framework_asks(cat)
    items = sorted(known)
    for c in cat.challenges.values():
        for i, check in enumerate(c.checklist):
            for k, _ in repeats(cover.item for cover in check.covers):
                ck.report(c.id, ("checklist", i, "covers", k, "item"), f"'{check.covers[k].item}' is listed twice")
            for k, cover in enumerate(check.covers):
                loc = ("checklist", i, "covers", k)
                if cover.item not in known:
                    framework = cover.item.split(":", 1)[0]
                    if framework in ck.broken:
                        continue
                    if framework not in cat.frameworks:
                        message = unknown("framework", framework, cat.frameworks, f" in '{cover.item}'")
                    else:
                        message = unknown("framework item", cover.item, items)
                    ck.report(c.id, (*loc, "item"), message)
                    continue
                twice = dict(repeats(cover.meets))
                for m, ask in enumerate(cover.meets):
                    if m in twice:
                        ck.report(c.id, (*loc, "meets", m), f"'{ask}' is listed twice")
                    elif ask not in known[cover.item]:
                        ck.report(c.id, (*loc, "meets", m),
                                  f"'{cover.item}' asks no '{ask}'{did_you_mean(ask, known[cover.item])}")


def shared_asks_judged_alike(ck: Check) -> None:
    """A requirement two items share (the same ask id) is met by a check for both of them or for neither."""
    cat = ck.cat
    known = _framework_asks(cat)
    for c in cat.challenges.values():
        for i, check in enumerate(c.checklist):
            judged: dict[str, dict[str, bool]] = {}  # ask id -> {item: whether the check meets it there}
            for cover in check.covers:
                for ask in known.get(cover.item, []):
                    judged.setdefault(ask, {})[cover.item] = ask in cover.meets
            for ask, verdicts in judged.items():
                met = [item for item, yes in verdicts.items() if yes]
                if met and len(met) < len(verdicts):
                    k = next(k for k, cover in enumerate(check.covers) if cover.item in verdicts
                             and not verdicts[cover.item])
                    ck.report(c.id, ("checklist", i, "covers", k, "meets"),
                              f"does not meet '{ask}' here but meets it for '{met[0]}', which asks the same; "
                              f"a requirement two items share is met for both or for neither")


# The rules in the order they run: the two that claim ids first (checklist items, framework items),
# so that every later rule sees the whole namespace.
RULES: tuple[Rule, ...] = (
    checklist_item_ids, framework_items, reserved_prefixes, page_collisions, survey_numbers,
    cited_references, challenge_steps, step_positions, facet_links, related_challenges, challenge_links,
    corrections, published_versions, retired_successors, vocabulary_phrases, deployment_links, synonym_groups,
    framework_sections, ask_wording, covers_mappings, shared_asks_judged_alike,
)


def check(cat: Catalog, broken: set[str]) -> dict[str, list[Problem]]:
    """Run every rule; the problems each found, by the rule's name."""
    if cat.facets is None:  # facets.yaml failed: do not report every facet again
        broken = broken | {f for e in (*cat.challenges.values(), *cat.case_studies.values()) for f in e.facets}
        broken |= {s.industry for s in cat.case_studies.values()}
    out = {}
    for rule in RULES:
        ck = Check(cat, broken)
        rule(ck)
        out[rule.__name__] = ck.problems
    return out
