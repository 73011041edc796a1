"""Decision support: rank challenges for a project profile.

A challenge's score adds up what each part of the profile says about it:
  evidence (per case study of any industry) + trait weights of the ticked traits (IMPLIED of it for a
  trait the description already implies, `implied_traits`)
  + industry weight (tagged with the industry, case studies from it)
  + DESCRIPTION x how well the project's description matches the challenge, read twice by the
    relevance engine: against the challenge's own words and against its contexts (vocabulary.yaml:
    how a project in which it bites is described at kickoff), each score divided by the best such
    score (so the best-matching challenge gets the full weight) and the two mixed by CONTEXTS
  + SIMILAR x how much the real deployments most like the project (catalog/deployments/, read a third
    time by the same engine) were bitten by the challenge (`similar`).
`weights()` and `rank()` are the single implementation; the planner page receives the same weights
and the contexts' and deployments' indexes, and computes the description parts with the same engine
(engine/search.js, `rankProfile`).
The weights were calibrated on the labelled profiles (tests/relevance/calibrate.py), not per case.
"""

from __future__ import annotations

import itertools
import json
import math
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from . import search
from .catalog import Catalog, order_key
from .graph import incoming
from .schema import DESCRIPTION_CHARS, Profile

# Calibrated on the dev profiles (issue 21, tests/relevance/calibrate.py, after the search changes of the
# same issue): the description weighs more than a closely fitting trait, and an industry counts only
# through its case studies, so a profile's own words can outrank its industry's usual concern (with
# 6 / 3 / 2 / 0.5, a healthcare profile ticking personal data ranked country-level regulations first
# whatever its description said). The tag alone added nothing on dev; its weight is 0.
# Round 8 chose 3 / 0.5 / 0 / 0.25 / 0.05 / 6 / 0.5 on the pooled dev and spent holdout profiles: on the
# fresh sets written afterwards it found the principal challenge for 29 of 41 profiles, these weights 31,
# so these were kept (tests/relevance/README.md, round 8).
TRAIT_MATCH = 3.0  # the challenge is tagged with a trait the project has
TRAIT_FIT = 2.0  # ... plus this times how closely it matches the trait's own words (1 for the closest)
INDUSTRY_TAG = 0.0  # the challenge is tagged with the project's industry
INDUSTRY_CASE = 0.25  # per case study from the project's industry that illustrates the challenge
EVIDENCE = 0.1  # per case study of any industry: better-evidenced challenges first among equals
# Issue 21, round 7: a description names the project, not the problem, so it is also read against the
# challenges' contexts. Chosen on the 80 dev profiles (tests/relevance/README.md, round 7): the best
# match gets 10 (was 8 on the challenges' own words alone), half of it from the contexts. Round 10 (284
# profiles, each ranked without its author's deployments): 8, with NEIGHBOURS 20 (see below).
DESCRIPTION = 8.0  # the challenge that best matches the project's description
CONTEXTS = 0.5  # the share of DESCRIPTION read against the contexts (a challenge without any: its own words)
# Issue 21, round 8: the description is also read against the deployments (catalog/deployments/), real
# deployments described as their teams knew them beforehand. The NEIGHBOURS closest count, each for the
# challenge that bit it first; a challenge's share is what its deployments among them score, as a share of
# the best challenge's. Chosen leaving one author out (tests/relevance/calibrate.py, README.md round 8).
# Round 10, with 284 deployments: 20 neighbours (and DESCRIPTION 8) chosen in 11 of the 12 author folds;
# more deployments, more of them worth reading.
# Issue 21, round 12: a ticked trait that the description already implies (one `suggest` would offer)
# counts at IMPLIED of its weight, since the description's reading counts the same words. Accepting every
# suggestion cost the planner 5.6 points (0.732 -> 0.676 on the 451 profiles, principal in the top five);
# at IMPLIED 0.5 it costs 2.2 (0.727 -> 0.705) and the profiles as written lose a point in 200
# (tests/relevance/README.md, round 12).
IMPLIED = 0.5
SIMILAR = 6.0  # the challenge whose deployments best match the project's description
NEIGHBOURS = 20  # how many of the closest deployments count
NAMED = 2  # deployments a reason names
# How far to trust the order, as measured (issue 21, round 12; tests/relevance/README.md): on the natural-set
# deployments (written up from the news, post-mortems and regulators' reports by people who never saw the
# planner), each ranked without its writer's own, how many there were and the percentage whose principal
# challenge is among the first five and among the first ten. The planner page and the brief state it
# (brief.RANKED_NOTE), and so does the user guide; tests/test_relevance_floor.py holds them to the measurement.
TRUST = (144, 62, 78)


@dataclass(frozen=True)
class Weights:
    base: float
    traits: dict[str, float]
    industries: dict[str, float]
    industry_cases: dict[str, int]


def trait_fit(cat: Catalog, index: search.Index) -> dict[str, dict[str, float]]:
    """Per trait, how closely each challenge matches the trait's title and summary, as a share of the
    closest: of the challenges tagged with "large-scale-training", computational cost is the one
    that is about exactly that. The trait's words are read as a description (full idf), as the
    planner's weights were calibrated with, not as a typed question."""
    out = {}
    for tid, trait in cat.traits.items():
        hits = search.run(index, f"{trait.title}. {trait.summary}", prefix=False, types=("challenge",),
                          description=True)
        out[tid] = {h.id: h.score / hits[0].score for h in hits}
    return out


def weights(cat: Catalog, g: nx.MultiDiGraph, index: search.Index | None = None) -> dict[str, Weights]:
    """Per challenge, what each facet adds to its score."""
    out = {}
    trait_ids = set(cat.traits)
    fit = trait_fit(cat, index or search.index_for(cat, g))
    for c in cat.challenges.values():
        cases = [cat.case_studies[s] for s in incoming(g, c.id, "illustrates")]
        per_industry: dict[str, int] = {}
        for case in cases:
            per_industry[case.industry] = per_industry.get(case.industry, 0) + 1
        industries = {i: INDUSTRY_TAG * (i in c.facets) + INDUSTRY_CASE * per_industry.get(i, 0)
                      for i in cat.industries}
        out[c.id] = Weights(
            base=EVIDENCE * len(cases),
            traits={t: TRAIT_MATCH + TRAIT_FIT * fit[t].get(c.id, 0.0) for t in c.facets if t in trait_ids},
            industries={i: w for i, w in industries.items() if w},
            industry_cases=per_industry,
        )
    return out


def round2(x: float) -> float:
    """Two decimals, rounding halves up: the same as JavaScript's Math.round(x * 100) / 100."""
    return math.floor(x * 100 + 0.5) / 100


@dataclass
class Ranked:
    id: str
    score: float
    matched_traits: list[str] = field(default_factory=list)
    industry_tagged: bool = False
    industry_cases: int = 0
    industry: str | None = None
    words: list[str] = field(default_factory=list)  # words of the description this challenge matched
    cases: int = 0  # case studies of any industry (the evidence part of the score)
    similar: list[str] = field(default_factory=list)  # names of the close deployments it bit
    sources: list[str] = field(default_factory=list)  # the address of each one's public source, in that order

    def reasons(self, cat: Catalog, whose: str = "your", links: bool = False) -> list[str]:
        """Why the challenge is where it is: the description's words, the facets, the evidence.
        `whose`: "your" on the planner, "the project's" in the brief (a document in the third person).
        `links`: each similar deployment's name as a Markdown link to its source (the brief), so that a
        reviewer can check the precedent; names are plain text (schema.PlainName), safe as link text."""
        out = []
        if self.words:
            out.append(f"{whose} description mentions " + ", ".join(f"“{w}”" for w in self.words))
        if self.similar:
            names = [f"[“{name}”](<{url}>)" if links else f"“{name}”"
                     for name, url in zip(self.similar, self.sources, strict=True)]
            out.append("it bit similar projects: " + ", ".join(names))
        if self.matched_traits:
            out.append("matches " + ", ".join(cat.traits[t].title.lower() for t in self.matched_traits))
        industry = cat.industries[self.industry].title.lower() if self.industry in cat.industries else ""
        if self.industry_tagged:
            out.append(f"typical of {industry}")
        if self.industry_cases:
            out.append(f"{self.industry_cases} case {'study' if self.industry_cases == 1 else 'studies'} "
                       f"in {industry}")
        if not out and self.cases:
            out.append(f"nothing in {whose} profile points to it; ranked by its {self.cases} "
                       f"case {'study' if self.cases == 1 else 'studies'}")
        return out or [f"nothing in {whose} profile points to it; listed in workflow order"]


MAX_WORDS = 4  # matched description words named in a reason


def describe(index: search.Index, description: str) -> dict[str, tuple[float, list[str]]]:
    """Per challenge: the description's relevance to it, as a share of the best challenge's, mixed from its
    own words and its contexts (`index.contexts`), and the words matched by either."""
    own = relevance(index, description)
    if index.contexts is None:
        return own
    contexts = relevance(index.contexts, description)
    held = {d[1] for d in index.contexts.docs}  # a challenge without contexts is read on its own words alone
    out = {}
    for cid in [*own, *(c for c in contexts if c not in own)]:
        share, words = own.get(cid, (0.0, []))
        more, also = contexts.get(cid, (0.0, [])) if cid in held else (share, [])
        both: list[str] = []  # taken in turn from each reading, so that both show among the words named
        for pair in itertools.zip_longest(words, also):
            for w in pair:
                if w is not None and w not in both:
                    both.append(w)
        out[cid] = ((1 - CONTEXTS) * share + CONTEXTS * more, both[:MAX_WORDS])
    return out


def relevance(index: search.Index, description: str) -> dict[str, tuple[float, list[str]]]:
    """Per challenge of this index: relevance to the description as a share of the best one, and the
    words matched."""
    if not description.strip():
        return {}
    hits = search.run(index, description, prefix=False, types=("challenge",), description=True)
    if not hits:
        return {}
    top = hits[0].score
    out = {}
    for h in hits:
        seen: list[str] = []
        terms: set[str] = set()
        # The words that weighed most first; one word per index term ("loan", not "loans" too).
        for k in sorted(range(len(h.matched)), key=lambda k: -h.parts[k]):
            if h.stems[k] not in terms and len(seen) < MAX_WORDS:
                seen.append(h.matched[k])
                terms.add(h.stems[k])
        out[h.id] = (h.score / top, seen)
    return out


def similar(index: search.Index, description: str) -> dict[str, tuple[float, list[tuple[str, str]]]]:
    """Per challenge: what its deployments among the description's NEIGHBOURS closest score, as a share of
    the best challenge's, and those deployments as (name, source address), closest first, at most NAMED."""
    if index.deployments is None or not description.strip():
        return {}
    hits = search.run(index.deployments, description, prefix=False, types=("challenge",), description=True)
    total: dict[str, float] = {}
    names: dict[str, list[tuple[str, str]]] = {}
    for h in hits[:NEIGHBOURS]:
        total[h.id] = total.get(h.id, 0.0) + h.score
        names.setdefault(h.id, []).append((h.title, index.deployments.docs[h.doc][3]))
    if not total:
        return {}
    top = max(total.values())
    return {cid: (score / top, names[cid][:NAMED]) for cid, score in total.items()}


def rank(cat: Catalog, g: nx.MultiDiGraph, profile: Profile, index: search.Index | None = None) -> list[Ranked]:
    """Challenges in the profile's stages, most likely to bite first; ties in workflow order.
    `index` (a search.Index) is built from the catalog when the profile has a description."""
    index = index or search.index_for(cat, g)
    table = weights(cat, g, index)
    stages = set(profile.stages) or {s.id for s in cat.stages}
    order = order_key(cat)
    relevance = describe(index, profile.description)
    like = similar(index, profile.description)
    implied = implied_traits(cat, index, profile)
    ranked = []
    for c in cat.challenges.values():
        if cat.stage_of(c.step).id not in stages:
            continue
        w = table[c.id]
        traits = [t for t in profile.traits if t in w.traits]
        score = w.base
        for t in traits:
            score += w.traits[t] * (IMPLIED if t in implied else 1.0)
        # A reason names only what added to the score: with no weight on the tag, "typical of" is no reason.
        industry_tagged = INDUSTRY_TAG > 0 and bool(profile.industry) and profile.industry in c.facets
        cases = w.industry_cases.get(profile.industry, 0) if profile.industry else 0
        if profile.industry:
            score += w.industries.get(profile.industry, 0.0)
        share, words = relevance.get(c.id, (0.0, []))
        score += DESCRIPTION * share
        near, named = like.get(c.id, (0.0, []))
        score += SIMILAR * near
        ranked.append(Ranked(c.id, round2(score), traits, industry_tagged, cases, profile.industry, words,
                             sum(w.industry_cases.values()), [n for n, _ in named], [u for _, u in named]))
    ranked.sort(key=lambda r: (-r.score, order[r.id]))
    return ranked


# ---------------------------------------------------------------- suggestions from the description

SUGGEST_MIN = 3.0  # a facet is suggested when the description's words that match it add up to this
FACET_TITLE = 1.5  # a word of a facet's title or cues counts this much; of its summary, 0.5
GENERIC = 0.06  # a word in more than this share of the guide's documents ("model", "data") suggests nothing


@dataclass(frozen=True)
class Suggestion:
    kind: str  # "industry" or "trait"
    id: str
    title: str
    score: float
    words: list[str]  # the description's words that triggered it, strongest first


def facet_terms(cat: Catalog, index: search.Index) -> dict[str, dict[str, dict[str, float]]]:
    """Per kind ("industry", "trait") and facet, the index terms of its title, cues and summary with
    their weights: rarer among all facets weighs more (idf); title and cues count FACET_TITLE times, the
    summary half; words common across the guide count for nothing. Shipped to the page as data
    (`ranking.suggest`), so both languages score with the same table."""
    facets = [("industry", f) for f in cat.industries.values() if f.id != "cross-industry"]
    facets += [("trait", f) for f in cat.traits.values()]
    common = {t for t, postings in index.terms.items() if len(postings) > GENERIC * len(index.docs)}
    texts = []
    for kind, f in facets:
        strong = {t for x in (f.title, *f.cues) for t in search.doc_terms(x)} - common
        weak = set(search.doc_terms(f.summary)) - common - strong
        texts.append((kind, f, strong, weak))
    df: dict[str, int] = {}
    for *_, strong, weak in texts:
        for t in strong | weak:
            df[t] = df.get(t, 0) + 1
    n = len(texts)
    out: dict[str, dict[str, dict[str, float]]] = {"industry": {}, "trait": {}}
    for kind, f, strong, weak in texts:
        out[kind][f.id] = {t: round(math.log(1 + (n - df[t] + 0.5) / (df[t] + 0.5))
                                    * (FACET_TITLE if t in strong else 0.5), 4)
                           for t in sorted(strong | weak)}
    return out


def facet_scores(index: search.Index, description: str,
                 table: dict[str, dict[str, dict[str, float]]]) -> dict[str, dict[str, tuple[float, list[str]]]]:
    """Per kind and facet of `table` (facet_terms), how strongly the description implies it: the weights of
    the facet's terms that its words match, each term once (by its best word), summed; and those words,
    strongest first. The engine reads the description as it does for the ranking (its words, stems,
    synonyms and spelling variants). Read by `suggest` and, for the traits a profile ticked, by `rank`."""
    question = search.slots(index, description, prefix=False, description=True) if description.strip() else []
    out: dict[str, dict[str, tuple[float, list[str]]]] = {}
    for kind, facets in table.items():
        out[kind] = {}
        for fid, terms in facets.items():
            best: dict[str, tuple[float, str]] = {}  # facet term -> (weight, the word that matched it)
            for slot in question:
                for t, factor in [(search.term(slot.word), 1.0), *slot.alternatives]:
                    if t in terms and factor * terms[t] > best.get(t, (0.0, ""))[0]:
                        best[t] = (factor * terms[t], slot.word)
            words: list[str] = []
            for _, word in sorted(best.values(), key=lambda x: -x[0]):
                if word not in words and len(words) < MAX_WORDS:
                    words.append(word)
            out[kind][fid] = (sum(w for w, _ in best.values()), words)
    return out


def implied_traits(cat: Catalog, index: search.Index, profile: Profile) -> set[str]:
    """The profile's ticked traits that its description implies (what `suggest` would offer, were they not
    ticked): the ranking counts them at IMPLIED, since the description's own reading already counts."""
    if not profile.traits or not profile.description.strip():
        return set()
    scores = facet_scores(index, profile.description, facet_terms(cat, index))["trait"]
    return {t for t in profile.traits if t in scores and scores[t][0] >= SUGGEST_MIN}


def suggest(cat: Catalog, index: search.Index, profile: Profile,
            table: dict[str, dict[str, dict[str, float]]] | None = None) -> list[Suggestion]:
    """The industry and traits the description implies that the profile has not chosen, best first,
    each with the words that triggered it (`facet_scores`). An industry is suggested only when none is
    chosen, and only the best one (the form takes one)."""
    table = table or facet_terms(cat, index)
    found: list[Suggestion] = []
    for kind, facets in facet_scores(index, profile.description, table).items():
        for fid, (score, words) in facets.items():
            if fid == profile.industry or fid in profile.traits or (kind == "industry" and profile.industry):
                continue
            if score >= SUGGEST_MIN:
                title = (cat.industries if kind == "industry" else cat.traits)[fid].title
                found.append(Suggestion(kind, fid, title, round2(score), words))
    found.sort(key=lambda x: (x.kind != "industry", -x.score, x.id))
    industries = [x for x in found if x.kind == "industry"][:1]
    return industries + [x for x in found if x.kind == "trait"]


def reading_files(data: dict[str, Any] | None) -> dict[str, Any]:
    """An index the planner also reads (the contexts', the deployments') as its layout's files (`index.json`
    and the parts it names), parsed, by name; empty when the catalog gives none. The entry leaves out what
    the search index's entry already holds (`search.SHARED_KEYS`): the page reads them from there
    (engine/search.js `sharing`)."""
    if data is None:
        return {}
    files = {name.partition("/")[2]: json.loads(text) for name, text in search.layout(data, top_hit=False).items()}
    files["index.json"] = {k: v for k, v in files["index.json"].items() if k not in search.SHARED_KEYS}
    return files


def weights_for_page(cat: Catalog, g: nx.MultiDiGraph, index: search.Index | None = None) -> dict[str, Any]:
    """The planner page's data: the same weights, the description weight, the workflow order and the
    suggestions' table."""
    order = order_key(cat)
    index = index or search.index_for(cat, g)
    return {
        "weights": {cid: {"base": w.base, "traits": w.traits, "industries": w.industries,
                          "industry_cases": w.industry_cases, "cases": sum(w.industry_cases.values()),
                          "industry_tags": [f for f in cat.challenges[cid].facets
                                            if f in cat.industries and INDUSTRY_TAG > 0]}
                    for cid, w in weights(cat, g, index).items()},
        "description": DESCRIPTION,
        "contexts_share": CONTEXTS,
        "with_contexts": sorted(cid for cid in cat.challenges if cat.vocabulary.contexts.get(cid)),
        # the contexts' and the deployments' indexes as the files their layouts write (searchfiles), by name:
        # the page reads them with the same engine, fetching them only once a description is written
        # (pagedata.TABLES)
        "contexts": reading_files(search.contexts_data(cat, g)),
        "deployments": reading_files(search.deployments_data(cat, g)),
        "similar": SIMILAR,
        "neighbours": NEIGHBOURS,
        "named": NAMED,
        "max_words": MAX_WORDS,
        "suggest": {"facets": facet_terms(cat, index), "min": SUGGEST_MIN},
        "implied": IMPLIED,
        "max_description_chars": DESCRIPTION_CHARS,
        "order": sorted(cat.challenges, key=lambda cid: order[cid]),
        "stage_of": {c.id: cat.stage_of(c.step).id for c in cat.challenges.values()},
    }
