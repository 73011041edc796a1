"""The relevance engine: one ranking for the header search box, `fieldguide search` and the planner.

Document side (here, once per build): every challenge becomes one document made of its title,
aliases, the vocabulary phrases teams use for it, summary, signals, checklist and description, plus
the titles, summaries and *how* sentences of its case studies and mitigations; case studies,
mitigations and references are secondary documents. Each field is tokenised (lowercase, diacritics
folded, British spellings mapped to American, English stop words dropped, Porter-stemmed) and
scored with BM25F; the weight of every (term, document) pair is precomputed and quantised into one
compact JSON index, together with the synonym groups of `catalog/vocabulary.yaml`.

Query side: tokenise and stem the question the same way, give each word its alternatives (the
word itself, its synonyms at a lower weight, completions of the word being typed, near spellings of
an unknown word), take each document's best alternative per word, add them up and scale by the
share of the question's words the document matched. These steps exist twice, here and in
`content/assets/javascripts/engine/search.js`, written line for line alike and run over the same
index; `tests/test_search_parity.py` proves they return the same ids and scores.
"""

from __future__ import annotations

import bisect
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import networkx as nx

from . import searchfiles
from .catalog import Catalog, order_key
from .graph import incoming
from .kinds import SEARCHED
from .pages import url_template
from .schema import DESCRIPTION_CHARS

INDEX_VERSION = 1
# The document types, in the order their groups are shown (challenges first), their headings and the
# page of each document relative to the site root: from the table of kinds.
TYPES: tuple[str, ...] = tuple(k.search for k in SEARCHED if k.search)
HEADINGS: dict[str, str] = {k.search: k.plural for k in SEARCHED if k.search}
URLS: dict[str, str] = {k.search: url_template(k.id) for k in SEARCHED if k.search}
LIMITS = {"challenge": 8, "case-study": 4, "mitigation": 4, "reference": 3}  # results shown per group

# Document side: BM25F field weights per document type, saturation k1 and length normalisation b.
FIELDS: dict[str, dict[str, float]] = {
    "challenge": {"title": 6.0, "aliases": 5.0, "phrases": 3.0, "summary": 2.0, "signals": 0.75,
                  "checklist": 0.5, "description": 0.5, "linked": 0.3},
    "case-study": {"title": 4.0, "summary": 2.0, "body": 1.0},
    "mitigation": {"title": 4.0, "summary": 2.0},
    "reference": {"title": 3.0, "body": 1.0},
}
# The planner's second reading of a project's description (plan.describe): the challenges' contexts
# (vocabulary.yaml) alone, in an index of their own, so that questions typed into search never meet them.
CONTEXT_FIELDS: dict[str, dict[str, float]] = {"challenge": {"contexts": 1.0}}
# Its third reading: the deployments (catalog/deployments/), one document per real deployment, filed
# under the challenge that bit it first (`deployment_documents`: the document's id is that challenge's).
DEPLOYMENT_FIELDS: dict[str, dict[str, float]] = {"challenge": {"deployment": 1.0}}
# What the contexts' and the deployments' indexes share with the search index, word for word (all are built
# from the same catalog and parameters): the page takes these from the search index's entry, which a plan
# with a description has already fetched, rather than download them twice (plan.reading_files).
SHARED_KEYS = ("version", "query", "stop", "description_stop", "spelling", "families", "synonyms", "settings")
K1 = 2.0
B = 0.5
# Postings are stored as text, two characters per (document, weight): the gap to the previous
# document number and one of 64 weight levels spaced evenly on a log scale (about 5 % apart).
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
LEVELS = 64

# Query side, shipped inside the index so that the page uses exactly the same numbers.
QUERY: dict[str, float] = {
    "synonym": 0.5,  # weight of a synonym relative to the word typed
    "setting": 0.5,  # weight of a setting noun (vocabulary `settings`: hospital, bank) relative to a problem word
    "prefix": 0.8,  # completion of the word being typed, times typed length / completion length
    "fuzzy": 0.5,  # a near spelling of a word the index does not know
    "coord_floor": 0.4,  # share of the score kept by a document matching none of the other words
    "coord_power": 1,  # integer: how sharply matching more of the question's words is rewarded
    "top_ratio": 2.0,  # a case study, mitigation or reference this many times the best challenge's score leads
    # A question that more case studies, mitigations and references hold word for word than this names none
    # of them by its title, part of its name or its byline ("machine learning" is in dozens of titles).
    "top_among": 8,
    "min_prefix": 3,  # letters typed before completions are tried
    "fuzzy1": 5,  # letters from which one edit is tolerated
    "fuzzy2": 8,  # letters from which two edits are tolerated
    # How much a rare word counts: the index's weights hold BM25's idf, and a question's word weighs
    # idf ** (power - 1) times that, idf worked out from the term's postings (the documents of a type
    # that hold it). Below 1, a word found in one challenge's text cannot outweigh the words that name
    # the problem (problem words such as "label" or "cost" are in many challenges' texts); a project
    # description keeps BM25's idf, which the planner's weights were calibrated with.
    "idf_power": 0.5,
    "idf_power_description": 1.0,
    # What one question may cost, the same in `fieldguide search`, the search box and the planner: a
    # question is cut to its first characters and words (stop words aside); a project description to
    # the length a profile may have. Unknown words are the expensive part (each is compared with every
    # term), and each distinct one is worked out once per index.
    "max_query_chars": 300,
    "max_query_words": 32,
    "max_description_chars": DESCRIPTION_CHARS,
}

STOP_WORDS = frozenset([
    "a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and", "any", "anyone",
    "anything", "are", "aren", "as", "at", "be", "because", "been", "before", "being", "below", "between",
    "both", "but", "by", "can", "cannot", "cant", "could", "couldn", "did", "didn", "do", "does", "doesn",
    "doing", "don", "done", "down", "during", "each", "eg", "eight", "else", "etc", "even", "every", "everyone",
    "everything", "few", "five", "for", "four", "from", "further", "get", "gets", "getting", "go", "going",
    "good", "got", "had", "hadn", "happen", "happens", "has", "hasn", "have", "haven", "having", "he", "her",
    "here", "hers", "herself", "him", "himself", "his", "how", "however", "i", "ie", "if", "im", "in", "into",
    "is", "isn", "it", "its", "itself", "ive", "just", "kind", "know", "let", "lets", "like", "lot", "lots",
    "may", "me", "might", "more", "most", "much", "must", "my", "myself", "need", "needed", "needs", "nine",
    "no", "nor", "not", "now", "of", "off", "on", "once", "one", "only", "or", "other", "others", "our", "ours",
    "ourselves", "over", "per", "please", "re", "really", "seven", "shall", "she",
    "should", "shouldn", "since", "six", "so", "some", "someone", "something", "still", "such", "ten", "than",
    "that", "thats", "the", "their", "theirs", "them", "themselves", "then", "there", "these", "they", "thing",
    "things", "this", "those", "though", "three", "through", "thus", "to", "too", "two", "under", "until", "up",
    "upon", "us", "very", "via", "vs", "want", "wanted", "wants", "was", "wasn", "way", "ways", "we", "were",
    "weren", "what", "whats", "when", "where", "whether", "which", "while",
    "will", "with", "within", "won", "would", "wouldn", "yet", "you", "your", "yours", "yourself", "yourselves",
])

# Words a project description uses to tell its story, not its problems ("we will first put the model
# in front of...", "many of them come back"): left out of a description (the planner), kept in a
# question. Rare in the guide's text, they carried a high idf and came first among the words a
# plan's "Why" line names (76 of 1,594 words named for the dev profiles' first five challenges).
DESCRIPTION_STOP_WORDS = frozenset([
    "able", "almost", "along", "already", "among", "another", "around", "back", "became", "become",
    "becomes", "came", "come", "comes", "currently", "either", "enough", "far", "first", "gave", "give",
    "given", "gives", "goes", "instead", "keep", "keeps", "kept", "later", "made", "mainly", "make",
    "makes", "making", "many", "mostly", "neither", "often", "ones", "part", "put", "puts", "quite",
    "rather", "said", "saw", "say", "says", "see", "seem", "seems", "seen", "sees", "soon", "take",
    "taken", "takes", "tell", "told", "took", "tried", "tries", "try", "use", "used", "uses", "using",
    "usually", "well", "went", "whole",
])

# British spellings mapped to American ones before stemming (applied to every word on both sides).
# Written with JavaScript's `$1` references: the index ships them to the page as they are.
SPELLING: tuple[tuple[str, str], ...] = (
    (r"^([a-z0-9]{2,}[abd-uxyz])is(e|ed|es|ing|er|ers|ation|ations)$", "$1iz$2"),
    (r"^([a-z0-9]{3,})our(s|ed|ing|ite|ites|able|er|ers)?$", "$1or$2"),
    (r"^([a-z0-9]{2,})([tb])re(s|d)?$", "$1$2er$3"),
    (r"^([a-z0-9]{3,})ogue(s)?$", "$1og$2"),
    (r"^([a-z0-9]{2,})ys(e|ed|es|ing|er|ers)$", "$1yz$2"),
    (r"^([a-z0-9]+)mme(s)?$", "$1m$2"),
    (r"^([a-z0-9]*)dgement(s)?$", "$1dgment$2"),
    (r"^(de|of|pre)fence(s)?$", "$1fense$2"),
    (r"^licence(s|d)?$", "license$1"),
    (r"^ageing$", "aging"),
)
_SPELLING = tuple((re.compile(p), lambda m, r=r: re.sub(r"\$(\d)", lambda k: m.group(int(k.group(1))) or "", r))
                  for p, r in SPELLING)
_WORD = re.compile(r"[a-z0-9]+")
_COMPOUND = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)+")
_MARKS = re.compile("[\u0300-\u036f]")


def fold(text: str) -> str:
    """Lowercase with diacritics removed (NFKD, then combining marks dropped): `Langenkämper` -> `langenkamper`."""
    return _MARKS.sub("", unicodedata.normalize("NFKD", text)).lower()


def words(text: str) -> list[str]:
    """The words of a text, folded, in order (stop words included)."""
    return [w for w in _WORD.findall(fold(text)) if len(w) > 1]


def american(word: str) -> str:
    for pattern, repl in _SPELLING:
        word = pattern.sub(repl, word)
    return word


# ---------------------------------------------------------------- Porter stemmer (1980, reference version)


def _cons(w: str, i: int) -> bool:
    ch = w[i]
    if ch in "aeiou":
        return False
    if ch == "y":
        return i == 0 or not _cons(w, i - 1)
    return True


def _measure(stem: str) -> int:
    """Number of vowel-consonant sequences: [C](VC)^m[V]."""
    m, i, n = 0, 0, len(stem)
    while i < n and _cons(stem, i):
        i += 1
    while i < n:
        while i < n and not _cons(stem, i):
            i += 1
        if i >= n:
            break
        while i < n and _cons(stem, i):
            i += 1
        m += 1
    return m


def _has_vowel(stem: str) -> bool:
    return any(not _cons(stem, i) for i in range(len(stem)))


def _double(w: str) -> bool:
    return len(w) >= 2 and w[-1] == w[-2] and _cons(w, len(w) - 1)


def _cvc(w: str) -> bool:
    n = len(w)
    return n >= 3 and _cons(w, n - 3) and not _cons(w, n - 2) and _cons(w, n - 1) and w[-1] not in "wxy"


_STEP2 = (("ational", "ate"), ("tional", "tion"), ("enci", "ence"), ("anci", "ance"), ("izer", "ize"),
          ("bli", "ble"), ("alli", "al"), ("entli", "ent"), ("eli", "e"), ("ousli", "ous"), ("ization", "ize"),
          ("ation", "ate"), ("ator", "ate"), ("alism", "al"), ("iveness", "ive"), ("fulness", "ful"),
          ("ousness", "ous"), ("aliti", "al"), ("iviti", "ive"), ("biliti", "ble"), ("logi", "log"))
_STEP3 = (("icate", "ic"), ("ative", ""), ("alize", "al"), ("iciti", "ic"), ("ical", "ic"), ("ful", ""),
          ("ness", ""))
_STEP4 = ("al", "ance", "ence", "er", "ic", "able", "ible", "ant", "ement", "ment", "ent", "ion", "ou", "ism",
          "ate", "iti", "ous", "ive", "ize")


def _longest(w: str, suffixes: tuple[str, ...]) -> str | None:
    best = None
    for s in suffixes:
        if w.endswith(s) and (best is None or len(s) > len(best)):
            best = s
    return best


def _replace(w: str, rules: tuple[tuple[str, str], ...], min_m: int) -> str:
    """Rule of the longest matching suffix, applied if the stem's measure exceeds min_m."""
    suffix = _longest(w, tuple(s for s, _ in rules))
    if suffix is None:
        return w
    stem = w[: len(w) - len(suffix)]
    return stem + dict(rules)[suffix] if _measure(stem) > min_m else w


@cache
def stem(w: str) -> str:
    """Porter's stemmer, as in his reference implementation (`bli`->`ble`, `logi`->`log`)."""
    if len(w) <= 2:
        return w
    # step 1a
    if w.endswith("sses") or w.endswith("ies"):
        w = w[:-2]
    elif w.endswith("ss"):
        pass
    elif w.endswith("s"):
        w = w[:-1]
    # step 1b
    if w.endswith("eed"):
        if _measure(w[:-3]) > 0:
            w = w[:-1]
    else:
        for suffix in ("ed", "ing"):
            if w.endswith(suffix) and _has_vowel(w[: -len(suffix)]):
                w = w[: -len(suffix)]
                if w.endswith(("at", "bl", "iz")):
                    w += "e"
                elif _double(w) and w[-1] not in "lsz":
                    w = w[:-1]
                elif _measure(w) == 1 and _cvc(w):
                    w += "e"
                break
    # step 1c
    if w.endswith("y") and _has_vowel(w[:-1]):
        w = w[:-1] + "i"
    w = _replace(w, _STEP2, 0)
    w = _replace(w, _STEP3, 0)
    # step 4
    suffix = _longest(w, _STEP4)
    if suffix is not None:
        stem_ = w[: len(w) - len(suffix)]
        if _measure(stem_) > 1 and (suffix != "ion" or stem_.endswith(("s", "t"))):
            w = stem_
    # step 5
    if w.endswith("e"):
        m = _measure(w[:-1])
        if m > 1 or (m == 1 and not _cvc(w[:-1])):
            w = w[:-1]
    if w.endswith("ll") and _measure(w) > 1:
        w = w[:-1]
    return w


# Porter's suffix rules merge some unrelated words ("production" and "product", "personalization" and
# "person", "generalization", "general" and "generate"). The guard: a word family whose stem would
# fall onto a different word keeps a stem of its own. Keys are the stems, values the words (American
# spelling, as `american` leaves them) that take it; shipped in the index, so the page uses the same table.
STEM_FAMILIES: dict[str, tuple[str, ...]] = {
    "production": ("production", "productions", "productive", "productivity", "productionize", "productionized",
                   "productionizes", "productionizing", "productionization"),
    "personal": ("personal", "personally", "personalize", "personalized", "personalizes", "personalizing",
                 "personalization", "personalizations"),
    "general": ("general", "generally", "generalize", "generalized", "generalizes", "generalizing",
                "generalization", "generalizations", "generality", "generalizable", "generalizability"),
    "generic": ("generic", "generics", "generically"),
    "experience": ("experience", "experiences", "experienced", "experiencing"),
    "community": ("community", "communities"),
    "university": ("university", "universities"),
    "authority": ("authority", "authorities"),
    "executive": ("executive", "executives"),
    "digital": ("digital", "digitally"),
    "department": ("department", "departments"),
    "informal": ("informal", "informally"),
    "responsib": ("responsible", "responsibly", "responsibility", "responsibilities"),
    "successive": ("successive", "successively"),
    "relative": ("relative", "relatively", "relatives"),
    "news": ("news",),
    "organic": ("organic", "organically"),
}
_FAMILY = {w: s for s, family in STEM_FAMILIES.items() for w in family}


def term(word: str) -> str:
    """A folded word as the index stores it: American spelling, stemmed (with the family guard)."""
    w = american(word)
    return _FAMILY.get(w) or stem(w)


def doc_terms(text: str) -> list[str]:
    """Index terms of a document field: stop words dropped; hyphenated compounds also joined ("re-train")."""
    folded = fold(text)
    out = [term(w) for w in _WORD.findall(folded) if len(w) > 1 and w not in STOP_WORDS]
    out += [term(c.replace("-", "")) for c in _COMPOUND.findall(folded)]
    return out


# ---------------------------------------------------------------- documents


@dataclass
class Doc:
    type: str
    id: str
    title: str
    meta: str  # stage and step, organisation, kind, authors
    snippet: str
    fields: dict[str, list[str]] = field(default_factory=dict)  # field -> texts


def _clip(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def documents(cat: Catalog, g: nx.MultiDiGraph) -> list[Doc]:
    """Every searchable document: challenges in workflow order, then case studies, mitigations, references."""
    order = order_key(cat)
    docs = []
    phrases = cat.vocabulary.phrases
    for c in sorted(cat.challenges.values(), key=lambda c: order[c.id]):
        linked = []
        for s in incoming(g, c.id, "illustrates"):
            case = cat.case_studies[s]
            linked += [case.title, case.summary] + [x.how for x in case.challenges if x.challenge == c.id]
        for m in incoming(g, c.id, "addresses"):
            mit = cat.mitigations[m]
            linked += [mit.title, mit.summary] + [x.how for x in mit.challenges if x.challenge == c.id]
        stage = cat.stage_of(c.step)
        docs.append(Doc("challenge", c.id, c.title,
                        f"{stage.title} › {cat.steps[c.step].title}", _clip(c.summary), {
                            "title": [c.title], "aliases": list(c.aliases), "phrases": list(phrases.get(c.id, [])),
                            "contexts": list(cat.vocabulary.contexts.get(c.id, [])),
                            "summary": [c.summary], "signals": list(c.signals),
                            "checklist": [i.text for i in c.checklist], "description": [c.description],
                            "linked": linked}))
    # Secondary documents carry less text: what they say about a challenge is already in its document.
    for s in cat.case_studies.values():
        docs.append(Doc("case-study", s.id, s.title, f"{s.organization}, {s.year}",
                        _clip(s.summary), {"title": [s.title, s.organization], "summary": [s.summary],
                                           "body": list(s.lessons)}))
    for m in cat.mitigations.values():
        docs.append(Doc("mitigation", m.id, m.title, m.kind.capitalize(), _clip(m.summary),
                        {"title": [m.title], "summary": [m.summary]}))
    # A preprint comes right after its published version: on an equal score (same title and authors)
    # the version the guide cites is listed, and leads, first.
    for r in sorted(cat.references.values(),
                    key=lambda r: (r.survey_ref or 0, r.published_version or r.id, r.published_version is not None)):
        names = [a.split(",")[0].split()[-1] if "," in a or " " in a else a for a in r.authors if a != "others"]
        who = names[0] if names else (r.corporate_author or "")
        if len(r.authors) > 2 or "others" in r.authors:
            who += " et al."
        elif len(names) == 2:
            who += f" and {names[1]}"
        docs.append(Doc("reference", r.id, r.title, f"{who} ({r.year})".strip(), "",
                        {"title": [r.title], "body": [*names, r.corporate_author or ""]}))
    return docs


# ---------------------------------------------------------------- the index


def bm25_idf(n: int, df: int) -> float:
    """BM25's idf of a term held by `df` of `n` documents: one formula for the index's weights and for
    the query's rarity factor (`_rarity`), which must agree; engine/search.js's `rarity` writes it again."""
    return math.log(1 + (n - df + 0.5) / (df + 0.5))


def build_index(cat: Catalog, g: nx.MultiDiGraph, fields: dict[str, dict[str, float]] | None = None,
                docs: list[Doc] | None = None) -> dict[str, Any]:
    """The compact index both engines query: documents, quantised BM25F weights, synonyms, parameters.
    `fields`: the document types and fields indexed (FIELDS; CONTEXT_FIELDS for the planner's contexts);
    `docs`: the documents (the catalog's own by default; `deployment_documents` for the deployments)."""
    fields = fields or FIELDS
    # Only documents with something in an indexed field: the contexts' index holds the challenges that have some.
    docs = [d for d in (documents(cat, g) if docs is None else docs)
            if d.type in fields and any(d.fields.get(f) for f in fields[d.type])]
    tokenised = [{f: [t for text in texts for t in doc_terms(text)] for f, texts in d.fields.items()} for d in docs]
    raw: dict[str, list[tuple[int, float]]] = {}
    for kind in TYPES:
        members = [i for i, d in enumerate(docs) if d.type == kind]
        if not members:
            continue
        weights = fields[kind]
        avg = {f: max(1.0, sum(len(tokenised[i][f]) for i in members) / len(members)) for f in weights}
        tfs = {i: {f: Counter(tokenised[i][f]) for f in weights} for i in members}
        df: Counter[str] = Counter()
        for i in members:
            df.update({t for f in weights for t in tfs[i][f]})
        n = len(members)
        for i in members:
            lengths = {f: len(tokenised[i][f]) for f in weights}
            for t in sorted({t for f in weights for t in tfs[i][f]}):
                tf = sum(weights[f] * tfs[i][f][t] / (1 - B + B * lengths[f] / avg[f]) for f in weights)
                idf = bm25_idf(n, df[t])
                raw.setdefault(t, []).append((i, idf * tf * (K1 + 1) / (K1 + tf)))
    levels = _levels([w for plist in raw.values() for _, w in plist])
    terms = {t: encode(raw[t], levels) for t in sorted(raw)}
    return {
        "version": INDEX_VERSION,
        "query": dict(QUERY),
        "stop": sorted(STOP_WORDS),
        "description_stop": sorted(DESCRIPTION_STOP_WORDS),
        "spelling": [list(rule) for rule in SPELLING],
        "families": dict(sorted(_FAMILY.items())),
        "types": list(TYPES),
        "levels": levels,
        "urls": dict(URLS),
        "limits": dict(LIMITS),
        "docs": [[TYPES.index(d.type), d.id, d.title, d.meta, d.snippet] for d in docs],
        "terms": terms,
        "synonyms": synonym_map(cat),
        "settings": sorted({term(w) for p in cat.vocabulary.settings for w in words(p)}),
    }


def _levels(values: list[float]) -> list[float]:
    """64 weights spaced evenly on a log scale between the smallest and the largest value."""
    lo, hi = max(min(values), 0.01), max(values)
    ratio = (hi / lo) ** (1 / (LEVELS - 1))
    return [round(lo * ratio**i, 4) for i in range(LEVELS)]


def encode(plist: list[tuple[int, float]], levels: list[float]) -> str:
    """Postings (ascending document numbers) as text: per posting the gap (63 = add 63 and read on)
    and the nearest weight level."""
    out, previous = [], 0
    log_levels = [math.log(v) for v in levels]
    for doc, w in plist:
        gap = doc - previous
        previous = doc
        while gap >= LEVELS - 1:
            out.append(ALPHABET[LEVELS - 1])
            gap -= LEVELS - 1
        out.append(ALPHABET[gap])
        out.append(ALPHABET[_nearest(log_levels, math.log(max(w, levels[0])))])
    return "".join(out)


def _nearest(log_levels: list[float], lw: float) -> int:
    """The first level nearest to `lw`, as `min(range(LEVELS), key=distance)` picks it, by bisection:
    the levels ascend, so the nearest is the last one below `lw` or the first one at or above it (a
    64-way scan per posting cost 2.8 s of CPU at 30× the catalog)."""
    at = bisect.bisect_left(log_levels, lw)
    if at == len(log_levels) or (at > 0 and abs(log_levels[at - 1] - lw) <= abs(log_levels[at] - lw)):
        at -= 1
        while at > 0 and log_levels[at - 1] == log_levels[at]:  # equal levels: the first, as min() gives
            at -= 1
    return at


def decode(text: str, levels: list[float]) -> list[tuple[int, float]]:
    out, doc, k = [], 0, 0
    while k < len(text):
        gap = ALPHABET.index(text[k])
        k += 1
        while gap == LEVELS - 1:
            doc += gap
            gap = ALPHABET.index(text[k])
            k += 1
        doc += gap
        out.append((doc, levels[ALPHABET.index(text[k + 0])]))
        k += 1
    return out


def _phrase_terms(phrase: str) -> list[str]:
    return [term(w) for w in words(phrase) if w not in STOP_WORDS]


def synonym_map(cat: Catalog) -> dict[str, list[str]]:
    """For each word or phrase of a synonym group (as stems joined by spaces), the stems of the others.
    A phrase that shrinks to one word without its one-letter or stop words ("A/B test", "go live") is
    left out: as a bare "test" or "live" it would stand for the whole group."""
    out: dict[str, set[str]] = {}
    for group in cat.vocabulary.synonyms:
        entries = [[] if len(_WORD.findall(fold(p))) > 1 and len(_phrase_terms(p)) <= 1 else _phrase_terms(p)
                   for p in group]
        for entry in entries:
            if not entry or len(entry) > 3:
                continue
            key = " ".join(entry)
            others = {t for e in entries if e != entry and len(e) == 1 for t in e} - set(entry)
            out.setdefault(key, set()).update(others)
    return {k: sorted(v) for k, v in sorted(out.items()) if v}


# ---------------------------------------------------------------- query time (mirrored in engine/search.js)


class Index:
    """The decoded index: postings as [(document, weight)] per term, and everything a query needs."""

    def __init__(self, data: dict[str, Any], contexts: Index | None = None, deployments: Index | None = None):
        self.data = data
        self.contexts = contexts  # the index of the challenges' contexts, read by the planner only
        self.deployments = deployments  # the index of the deployments, read by the planner only
        self.query = data["query"]
        self.stop = set(data["stop"])
        self.description_stop = set(data["description_stop"])
        self.docs = data["docs"]
        self.synonyms = data["synonyms"]
        self.settings = set(data["settings"])
        self.terms = {t: decode(text, data["levels"]) for t, text in data["terms"].items()}
        self.sorted_terms = sorted(self.terms)
        self.near: dict[str, list[tuple[str, float]]] = {}  # unknown word -> its stand-ins (`_near`)
        self.counts = Counter(d[0] for d in self.docs)  # documents per type
        self.rarity: dict[tuple[str, float], list[float]] = {}  # (term, power - 1) -> factor per type
        self._titles: tuple[list[tuple[int, str]], set[str]] | None = None

    @property
    def names(self) -> list[tuple[int, str]]:
        """Per document: how many terms its name has (`name_terms`) and its rarest one. Shipped in the
        entry file, so that the page knows which titles `top_hit` may read before it fetches any."""
        return self._title_facts()[0]

    @property
    def line_only(self) -> set[str]:
        """Terms of a title line (with its meta: a year, "et al.") not in that document's postings."""
        return self._title_facts()[1]

    def _title_facts(self) -> tuple[list[tuple[int, str]], set[str]]:
        if self._titles is None:
            held: list[set[str]] = [set() for _ in self.docs]
            for t, postings in self.terms.items():
                for doc, _ in postings:
                    held[doc].add(t)
            names, line_only = [], set()
            for doc in range(len(self.docs)):
                name, line = name_terms(self, doc)
                names.append((len(name), min(name, key=lambda t: (len(self.terms.get(t, ())), t), default="")))
                line_only |= line - held[doc]
            self._titles = names, line_only
        return self._titles


def osa_distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance (a swap of neighbours counts 1); limit + 1 once it exceeds limit."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        low = cur[0]
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            v = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                v = min(v, prev2[j - 2] + 1)
            cur[j] = v
            low = min(low, v)
        if low > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[len(b)]


@dataclass
class Slot:
    """One word of the question and the index terms that may stand for it, with their factors."""

    word: str
    alternatives: list[tuple[str, float]]


def capped(index: Index, text: str, description: bool = False) -> str:
    """The part of a question (or a project description) the engine reads: its first characters."""
    return text[:int(index.query["max_description_chars" if description else "max_query_chars"])]


def slots(index: Index, text: str, prefix: bool = True, description: bool = False) -> list[Slot]:
    """The question's words (stop words dropped, and in a description DESCRIPTION_STOP_WORDS too; at most
    `max_query_words` of a question), each with its alternatives, in order."""
    q = index.query
    folded = fold(capped(index, text, description))
    tokens = [w for w in _WORD.findall(folded) if len(w) > 1 and w not in index.stop]
    if description:
        tokens = [w for w in tokens if w not in index.description_stop]
    else:
        tokens = tokens[:int(q["max_query_words"])]
    typing = prefix and bool(re.search(r"[a-z0-9]$", folded))
    stems = [term(w) for w in tokens]
    # A word inside a synonym phrase of the question ("edge case") is read with the phrase, not alone
    # ("edge" is not "device" there): cover[i] is the length of the longest phrase holding word i.
    cover = [1] * len(stems)
    for i in range(len(stems)):
        for n in (2, 3):
            if i + 1 >= n and " ".join(stems[i + 1 - n: i + 1]) in index.synonyms:
                for k in range(i + 1 - n, i + 1):
                    cover[k] = max(cover[k], n)
    out = []
    for i, word in enumerate(tokens):
        s = stems[i]
        alts: dict[str, float] = {}
        if s in index.terms:
            alts[s] = 1.0
        for n in (1, 2, 3):
            if i + 1 >= n and n >= cover[i]:
                for t in index.synonyms.get(" ".join(stems[i + 1 - n: i + 1]), []):
                    if t in index.terms and t not in alts:
                        alts[t] = q["synonym"]
        # Only a word still being typed is completed: not a known word ("model" is not "mode" half-typed).
        if typing and i == len(tokens) - 1 and len(word) >= q["min_prefix"] and s not in index.terms:
            w = american(word)
            for t in index.sorted_terms:
                if t not in alts and (t.startswith(w) or (w.startswith(t) and len(t) >= 4 and len(w) - len(t) <= 3)):
                    alts[t] = q["prefix"] * min(len(w), len(t)) / max(len(w), len(t))
        if s not in index.terms and len(word) >= q["fuzzy1"]:
            for t, factor in _near(index, word, s):
                if t not in alts:
                    alts[t] = factor
        if s in index.settings:  # where or for whom, not what went wrong: weighs less
            alts = {t: factor * q["setting"] for t, factor in alts.items()}
        out.append(Slot(word, list(alts.items())))
    return out


def _near(index: Index, word: str, s: str) -> list[tuple[str, float]]:
    """An unknown word's stand-ins: a near spelling of a known term, or a known term it starts with
    ("explainabilty" starts with "explain"), weighted by how much of the word that covers; only what
    looks like a typo of a known word, not another word the index does not hold. The same
    for every occurrence of the word, so worked out once per index."""
    if word in index.near:
        return index.near[word]
    q = index.query
    limit = 2 if len(s) >= q["fuzzy2"] else 1  # counted on the stem: "stuttering" is not "scatter" mistyped
    w = american(word)
    out = []
    for t in index.sorted_terms:
        # A likely typo keeps its first letter ("drove" is not "prove" mistyped) and is not a short
        # known word with letters added ("plant" is not "plan").
        if t[0] != s[0] or (len(t) < q["fuzzy1"] and s.startswith(t)):
            continue
        if osa_distance(s, t, limit) <= limit:
            out.append((t, q["fuzzy"]))
        elif len(t) >= q["fuzzy1"] and w.startswith(t):
            out.append((t, q["fuzzy"] * len(t) / len(w)))
    index.near[word] = out
    return out


@dataclass
class Hit:
    doc: int
    type: str
    id: str
    title: str
    score: float
    matched: list[str]  # the question's words this document matched, in question order
    stems: list[str]  # the index term that matched each of them
    parts: list[float]  # what each of them added to the score (before the coordination factor)


def run(index: Index, text: str, prefix: bool = True, types: tuple[str, ...] = TYPES,
        description: bool = False) -> list[Hit]:
    """Documents matching the question (or, with `description`, a project description), grouped by
    type (challenges first), best first within a type."""
    q = index.query
    allowed = {TYPES.index(t) for t in types}
    question = slots(index, text, prefix, description)
    known = [s for s in question if s.alternatives]
    if not known:
        return []
    n = len(index.docs)
    total = [0.0] * n
    matched = [0] * n
    best_stems: list[list[str]] = [[] for _ in range(n)]
    words_hit: list[list[str]] = [[] for _ in range(n)]
    parts: list[list[float]] = [[] for _ in range(n)]
    idf_power = q["idf_power_description" if description else "idf_power"] - 1
    for slot in known:
        best: dict[int, float] = {}
        best_term: dict[int, str] = {}
        for t, factor in slot.alternatives:
            rarity = _rarity(index, t, idf_power)
            for doc, w in index.terms[t]:
                v = factor * w * rarity[index.docs[doc][0]]
                if v > best.get(doc, 0.0):
                    best[doc] = v
                    best_term[doc] = t
        for doc in sorted(best):
            total[doc] += best[doc]
            matched[doc] += 1
            words_hit[doc].append(slot.word)
            best_stems[doc].append(best_term[doc])
            parts[doc].append(best[doc])
    hits = []
    for doc in range(n):
        if not matched[doc] or index.docs[doc][0] not in allowed:
            continue
        share = matched[doc] / len(question)  # words the index does not know count as not matched
        power = share
        for _ in range(int(q["coord_power"]) - 1):
            power *= share
        score = total[doc] * (q["coord_floor"] + (1 - q["coord_floor"]) * power)
        d = index.docs[doc]
        hits.append(Hit(doc, TYPES[d[0]], d[1], d[2], score, words_hit[doc], best_stems[doc], parts[doc]))
    hits.sort(key=lambda h: (TYPES.index(h.type), -h.score, h.doc))
    return hits


def _rarity(index: Index, t: str, power: float) -> list[float]:
    """Per document type, the factor idf ** power for this term, its idf as the index computed it
    (`build_index`: documents of the type, and those of them in the term's postings)."""
    if (t, power) not in index.rarity:
        held = Counter(index.docs[doc][0] for doc, _ in index.terms[t])
        index.rarity[(t, power)] = [
            bm25_idf(index.counts[k], held[k]) ** power if held[k] and power else 1.0
            for k in range(len(TYPES))]
    return index.rarity[(t, power)]


def name_terms(index: Index, doc: int) -> tuple[set[str], set[str]]:
    """A document's name as terms, and every term of its title line. The name is the title up to
    " — " (a case study's organisation), words of three letters or more ("et al." and "ML" are not what
    makes a name); the title line adds what follows and, for case studies and references, the
    organisation or authors and the year shown beside the title."""
    d = index.docs[doc]
    head = d[2].split(" \u2014 ")[0]
    name = {term(w) for w in words(head) if len(w) > 2 and w not in index.stop}
    line = d[2] + (" " + d[3] if TYPES[d[0]] in ("case-study", "reference") else "")
    return name, {term(w) for w in words(line) if w not in index.stop}


def byline_terms(index: Index, doc: int) -> set[str]:
    """Whom a case study or reference is credited to, as terms: a reference's authors; a case study's
    organisation ("Booking.com, 2019"), or the part of it in brackets when there is one, which names the
    study's authors or the product ("ML practitioners (Sculley et al.), 2015": not "ML practitioners").
    Not the year, not "et al."."""
    d = index.docs[doc]
    kind = TYPES[d[0]]
    if kind not in ("case-study", "reference"):
        return set()
    cut = d[3].rfind(", " if kind == "case-study" else " (")
    who = d[3][:cut] if cut >= 0 else d[3]
    if kind == "case-study" and who.endswith(")") and "(" in who:
        who = who[who.rfind("(") + 1:-1]
    return {term(w) for w in words(who.replace("et al.", " ")) if w not in index.stop}


def _direct(index: Index, question: set[str]) -> Counter[int]:
    """Per document, how many of these terms it holds (from the terms' own postings)."""
    out: Counter[int] = Counter()
    for t in question:
        if t in index.terms:
            out.update(doc for doc, _ in index.terms[t])
    return out


class _TitleRule:
    """Which documents' titles `top_hit` must read, from postings and the entry file alone. A named
    document holds every term of its name, and its name is at least half the question, so it holds its
    name's key term (`Index.names`) and at least that many of the question's terms. Every other way to
    lead by title (a byline, part of a name, a title line) needs the document's title line to hold the
    whole question, so the document holds each of the question's terms in its postings, but for the few
    terms only title lines carry (`Index.line_only`: years, "et al."); and at most `top_among` documents
    do (the question singles them out: "machine learning", in half the titles, names none of them). No
    other document can lead by its title, and the page fetches only these titles (with those shown)."""

    def __init__(self, index: Index, question: set[str], hits: list[Hit]):
        self.index, self.question = index, question
        self.titled_from = index.query["top_ratio"] * max((h.score for h in hits if h.type == "challenge"),
                                                          default=0.0)
        self.plain = question - index.line_only
        self.direct, self.plain_direct = _direct(index, question), _direct(index, self.plain)
        held = sum(1 for h in hits if h.type != "challenge" and self.plain_direct[h.doc] >= len(self.plain))
        self.few = bool(self.plain) and held <= index.query["top_among"]

    def named(self, h: Hit) -> bool:
        n, key = self.index.names[h.doc]
        return n > 0 and key in self.question and 2 * n >= len(self.question) and self.direct[h.doc] >= n

    def reads(self, h: Hit) -> bool:
        return self.named(h) or (self.few and self.plain_direct[h.doc] >= len(self.plain))


def top_candidates(index: Index, text: str, hits: list[Hit]) -> set[int]:
    """The documents whose titles `top_hit` reads for these hits (the page fetches their fragments)."""
    rule = _TitleRule(index, {term(s.word) for s in slots(index, text, False)}, hits)
    return {h.doc for h in hits if h.type != "challenge" and rule.reads(h)}


def top_hit(index: Index, text: str, hits: list[Hit]) -> Hit | None:
    """The case study, mitigation or reference to show above the groups, the best-scoring of the first
    kind found:

    1. one the question names: it holds every term of the name, and the name is at least half of the
       question ("Booking.com", "Uber Michelangelo"); or it holds the whole title (a case study's title
       pasted, name and what follows it);
    2. one that scores `top_ratio` times every challenge and every other document ("SyRI"; a word found
       in many titles, such as "model", leads to none of them);
    3. one whose title line holds the whole question and its byline part of it ("Tramèr stealing",
       "Booking": the authors or the organisation it is credited to, `byline_terms`);
    4. one whose name the question is at least half of, scoring `top_ratio` times the best challenge
       ("Michelangelo");
    5. one whose title line holds every word of a question of two words or more and that scores
       `top_ratio` times the best challenge ("Apple Card").

    3, 4 and 5 hold only when at most `top_among` documents hold every word of the question: words that
    many titles share ("machine learning", "model monitoring") single out none of them."""
    question = {term(s.word) for s in slots(index, text, False)}
    ratio = index.query["top_ratio"]
    rule = _TitleRule(index, question, hits)
    best: Hit | None = None
    runner_up = 0.0
    found: list[Hit | None] = [None, None, None, None]  # rules 1, 3, 4 and 5
    for h in hits:
        if h.type == "challenge":
            continue
        if best is None or h.score > best.score:
            runner_up = best.score if best else 0.0
            best = h
        else:
            runner_up = max(runner_up, h.score)
        if not rule.reads(h):
            continue  # it cannot lead by its title: its title is not read (the page never fetched it)
        name, line = name_terms(index, h.doc)
        single = rule.few and question <= line  # the question singles it out, and its title line holds it
        whole_title = single and {term(w) for w in words(index.docs[h.doc][2]) if len(w) > 2 and w not in index.stop}
        met = [(bool(name) and name <= question and 2 * len(name) >= len(question))
               or (bool(whole_title) and whole_title <= question),
               single and bool(question & byline_terms(index, h.doc)),
               single and question <= name and 2 * len(question) >= len(name) and h.score >= rule.titled_from,
               single and len(question) > 1 and h.score >= rule.titled_from]
        for k, ok in enumerate(met):
            if ok and (found[k] is None or h.score > found[k].score):
                found[k] = h
    if found[0] is not None:
        return found[0]
    if best is not None and best.score >= rule.titled_from and best.score >= ratio * runner_up:
        return best
    return next((h for h in found if h is not None), None)


def shown(hits: list[Hit], limits: dict[str, int] | None = None) -> list[Hit]:
    """The hits a reader sees: at most `limits[type]` of each group, so no group pushes another out."""
    limits = limits or LIMITS
    count: Counter[str] = Counter()
    out = []
    for h in hits:
        count[h.type] += 1
        if count[h.type] <= limits[h.type]:
            out.append(h)
    return out


def listing(index: Index, text: str, hits: list[Hit], limits: dict[str, int] | None = None,
            top: bool = True) -> tuple[Hit | None, list[Hit]]:
    """What a reader sees, in order: the top hit (if `top` and there is one), then the groups without it."""
    lead = top_hit(index, text, hits) if top else None
    return lead, ([lead] if lead else []) + shown([h for h in hits if h is not lead], limits)


def contexts_data(cat: Catalog, g: nx.MultiDiGraph) -> dict[str, Any] | None:
    """The index of the challenges' contexts (CONTEXT_FIELDS), or None when the catalog gives none."""
    return build_index(cat, g, CONTEXT_FIELDS) if any(cat.vocabulary.contexts.values()) else None


def deployment_documents(cat: Catalog) -> list[Doc]:
    """One document per deployment, under the id of the challenge that bit it first (what a hit on it
    counts for), titled with its name (what the planner's reason quotes), its source's address as meta."""
    return [Doc("challenge", p.bit[0], p.name, p.source.url, "", {"deployment": [p.description]})
            for p in cat.deployments.values()]


def deployments_data(cat: Catalog, g: nx.MultiDiGraph) -> dict[str, Any] | None:
    """The index of the deployments (DEPLOYMENT_FIELDS), or None when the catalog has none."""
    return build_index(cat, g, DEPLOYMENT_FIELDS, deployment_documents(cat)) if cat.deployments else None


def index_for(cat: Catalog, g: nx.MultiDiGraph) -> Index:
    """The search index, carrying the indexes of the challenges' contexts and of the deployments that the
    planner also reads."""
    contexts, deployments = contexts_data(cat, g), deployments_data(cat, g)
    return Index(build_index(cat, g), Index(contexts) if contexts else None,
                 Index(deployments) if deployments else None)


# ---------------------------------------------------------------- the index as the site ships it (search/)


def layout(data: dict[str, Any], index: Index | None = None, top_hit: bool = True) -> dict[str, str]:
    """`build_index`'s data as the files under `search/` (`searchfiles`: the entry file and the chunks
    and fragments it names), with what the top hit rule needs per document (`Index.names`, `line_only`;
    `index`: this data's Index, if one is at hand). Without `top_hit` (an index nobody searches for a
    name, such as the contexts'), no document has a name to read."""
    if not top_hit:
        return searchfiles.split(data, _name_code(0, "", {}) * len(data["docs"]), [])
    index = index or Index(data)
    position = {t: i for i, t in enumerate(index.sorted_terms)}
    return searchfiles.split(data, "".join(_name_code(n, key, position) for n, key in index.names),
                             sorted(index.line_only))


def _name_code(n: int, key: str, position: dict[str, int]) -> str:
    """Four characters per document: how many terms its name has (0-63), and its key term's place in
    the lexicon (three characters: up to 262,144 terms)."""
    k = position[key] if n else 0
    if n >= LEVELS or k >= LEVELS**3:
        raise ValueError("a name of 64 terms or more, or a lexicon of 262,144 terms: widen the name code")
    return ALPHABET[n] + ALPHABET[k // LEVELS**2] + ALPHABET[k // LEVELS % LEVELS] + ALPHABET[k % LEVELS]


def files_for(index: Index, entry: dict[str, Any], text: str, prefix: bool = True) -> set[str]:
    """The files under `search/` the page fetches to answer `text` (engine/search.js, views/search.js):
    the entry, the chunks of every term the question's words may stand for, and the fragments of the
    documents whose titles the top hit rule reads and of the documents shown."""
    names = searchfiles.parts(entry)
    chunk_of, k = {}, 0
    for i, t in enumerate(entry["terms"]):
        while k + 1 < len(entry["chunks"]) and entry["chunks"][k + 1] <= i:
            k += 1
        chunk_of[t] = names[k]
    fragments = names[len(entry["chunks"]):]
    out = {searchfiles.ENTRY} | {chunk_of[t] for s in slots(index, text, prefix) for t, _ in s.alternatives}
    hits = run(index, text, prefix)
    _, listed = listing(index, text, hits)
    docs: Iterable[int] = top_candidates(index, text, hits) | {h.doc for h in listed}
    return out | {fragments[doc // entry["fragment_docs"]] for doc in docs}


def write_layout(data: dict[str, Any], folder: Path) -> Path:
    """The layout's files written under `folder` (as a site holds them); returns the entry file's path."""
    for name, text in layout(data).items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    return folder / searchfiles.FOLDER / searchfiles.ENTRY
