"""One ranking, not two: the page's engine (engine/search.js, run under Node) and the Python engine
behind `fieldguide search` and `fieldguide plan` return the same ids, scores and reasons."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import HERE, REAL
from fieldguide import graph, load, plan, search, searchfiles
from fieldguide.schema import Profile

sys.path.insert(0, str(HERE / "relevance"))
from relevance import profile_of, profiles, questions  # noqa: E402

RUNNER = HERE / "relevance" / "run_engine.js"
CAT = load.load(REAL)
G = graph.build(CAT)
DATA = search.build_index(CAT, G)
INDEX = search.index_for(CAT, G)  # with the contexts' and the deployments' indexes
assert INDEX.data == DATA

# Edge cases beyond the dev set: typos, British spellings, prefixes, stop words only, symbols, accents.
EXTRA = ["concpet drift", "hyperparamter tuning takes to long", "organisation of the data catalogue", "retrai",
         "labellin", "the of and", "", "   ", "GDPR!!", "Langenkämper marine gear", "naïve café résumé screening",
         "x", "sim2real", "A/B test shows no lift", "ci/cd for ml", "re-train weekly", "model-extraction",
         "ОЧЕНЬ", "數據", "Booking.com", "Uber Michelangelo", "model cards", "Sculley", "feature store",
         "Hidden technical debt in machine learning systems", "Air Canada chatbot", "Apple Card", "SyRI",
         "model", "Breck 2019", "Michelangelo", "Booking", "Tramèr stealing", "Tramer et al. 2016", "Paleyes",
         "Goldman Sachs", "Amazon", "Kumar", "Sculley hidden technical debt", "et al", "ML technical debt",
         "Jagielski et al.", "Sepsis Watch — earning clinicians' trust in a sepsis risk model",
         "machine learning",
         "explainability vs interpretability", "data data data data", "behaviour colour centre",
         # Words that name Object.prototype's members (the page threw on them), and questions longer than
         # the engine reads: both engines cut them at the same place (search.QUERY's caps).
         "constructor __proto__ toString hasOwnProperty valueOf", "__proto__", "prototype constructor drift",
         " ".join(f"zq{i}unknownword" for i in range(10000)), "drift " * 40 + "labels", "ö" * 400 + " drift"]


def run_node(job: dict, tmp_path: Path) -> dict:
    job = {"index": str(search.write_layout(DATA, tmp_path)), **job}
    proc = subprocess.run(["node", str(RUNNER)], input=json.dumps(job), capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def dev_questions() -> list[str]:
    return [q["q"] for q in questions("dev")]


def test_page_and_cli_return_the_same_results_for_every_dev_question(tmp_path: Path) -> None:
    texts = dev_questions() + EXTRA
    jobs = [{"text": t} for t in texts] + [{"text": t, "prefix": False} for t in texts]
    out = run_node({"queries": jobs}, tmp_path)["queries"]
    compared = 0
    for job, result in zip(jobs, out, strict=True):
        py = search.run(INDEX, job["text"], prefix=job.get("prefix", True))
        js = result["hits"]
        assert [(h.type, h.id) for h in py] == [(h[0], h[1]) for h in js], job
        assert all(abs(h.score - j[2]) <= 1e-9 for h, j in zip(py, js, strict=True)), job
        assert [h.matched for h in py] == [j[3] for j in js], job
        top = search.top_hit(INDEX, job["text"], py)
        assert (top.id if top else None) == result["top"], job
        compared += len(py)
    assert compared > 1000, "the comparison covered real rankings"


def _words() -> list[str]:
    """Every word of the catalog and the dev set, those words with every suffix the stemmer knows,
    and random letter strings: each rule of the stemmer and of the spelling map is exercised."""
    text = json.dumps(load.load(REAL).vocabulary.model_dump()) + " ".join(dev_questions())
    for folder in ("challenges", "case-studies", "mitigations", "references"):
        text += " ".join(p.read_text(encoding="utf-8") for p in (REAL / folder).glob("*.yaml"))
    words = sorted(set(search.words(text)))
    suffixes = ["s", "es", "ies", "sses", "ed", "eed", "ing", "ly", "y", "ational", "tional", "enci", "anci", "izer",
                "bli", "alli", "entli", "eli", "ousli", "ization", "ation", "ator", "alism", "iveness", "fulness",
                "ousness", "aliti", "iviti", "biliti", "logi", "icate", "ative", "alize", "iciti", "ical", "ful",
                "ness", "al", "ance", "ence", "er", "ic", "able", "ible", "ant", "ement", "ment", "ent", "sion",
                "tion", "ou", "ism", "ate", "iti", "ous", "ive", "ize", "ise", "ised", "isation", "our", "ours",
                "tre", "ogue", "yse", "mme", "e", "ll", "at", "bl", "iz"]
    roots = words[::7]
    rng = random.Random(9)
    noise = ["".join(rng.choice("aeiouybcdlmnrstzvw") for _ in range(rng.randint(1, 12))) for _ in range(20000)]
    return words + [r + s for r in roots for s in suffixes] + noise


def test_stemmer_and_spelling_map_are_identical_in_both_languages(tmp_path: Path) -> None:
    words = _words()
    assert len(words) > 50000
    out = run_node({"stems": words, "terms": words}, tmp_path)
    assert out["stems"] == [search.stem(w) for w in words]
    assert out["terms"] == [search.term(w) for w in words]


@pytest.mark.parametrize("split", ["dev"])
def test_planner_page_ranks_every_dev_profile_as_fieldguide_plan_does(tmp_path: Path, split: str) -> None:
    (tmp_path / "plan.json").write_text(json.dumps({"ranking": plan.weights_for_page(CAT, G, INDEX)}),
                                        encoding="utf-8")
    raws = profiles(split)
    extra = [{"name": "stages only", "stages": ["model-deployment"]}, {"name": "nothing"},
             {"name": "industry", "industry": "healthcare", "traits": ["regulated"], "description": "x-ray triage"}]
    picked = [profile_of(p) for p in raws + extra]
    # What a shared link may carry that no form offers: names of Object.prototype's members as industry
    # and traits (NaN scores on the page before), and a description far over the profile's limit.
    picked += [Profile.model_construct(name="prototype", industry="constructor", traits=["constructor", "tostring"],
                                       stages=[], description="constructor __proto__ drift"),
               Profile.model_construct(name="long", industry=None, traits=[], stages=[],
                                       description=" ".join(f"concept drift zq{i}word" for i in range(2000)))]
    out = run_node({"plan": {"data": str(tmp_path / "plan.json"),
                             "profiles": [p.model_dump() for p in picked]}}, tmp_path)["plans"]
    for profile, js in zip(picked, out, strict=True):
        py = plan.rank(CAT, G, profile, INDEX)
        assert [(r.id, r.score, r.words, r.similar, r.sources) for r in py] == [tuple(x) for x in js], profile.name


def _page_and_cli(tmp_path: Path, cat: load.Catalog, picked: list[Profile]) -> list[tuple[list, list]]:
    """Per profile: `fieldguide plan`'s ranking of this catalog and the planner page's (under Node, on the
    data the build ships), as (id, score, words, similar deployments, their sources) rows."""
    g = graph.build(cat)
    index = search.index_for(cat, g)
    (tmp_path / "plan.json").write_text(json.dumps({"ranking": plan.weights_for_page(cat, g, index)}),
                                        encoding="utf-8")
    out = run_node({"plan": {"data": str(tmp_path / "plan.json"),
                             "profiles": [p.model_dump() for p in picked]}}, tmp_path)["plans"]
    rows = [[(r.id, r.score, r.words, r.similar, r.sources) for r in plan.rank(cat, g, profile, index)]
            for profile in picked]
    return [(py, [tuple(x) for x in js]) for py, js in zip(rows, out, strict=True)]


def test_the_planner_page_reads_a_challenge_without_contexts_on_its_own_words_as_fieldguide_plan_does(
        tmp_path: Path) -> None:
    """A catalog where some challenges have no contexts yet (a contributor's new challenge): both
    engines give those challenges the whole description weight from their own words, in one way."""
    cat = load.load(REAL)
    for cid in sorted(cat.vocabulary.contexts)[::4]:
        del cat.vocabulary.contexts[cid]
    assert search.build_index(cat, graph.build(cat)) == DATA, "the search index does not hold the contexts"
    picked = [profile_of(p) for p in profiles("dev")[:30]]
    for profile, (py, js) in zip(picked, _page_and_cli(tmp_path, cat, picked), strict=True):
        assert py == js, profile.name


def test_the_planner_page_ranks_as_fieldguide_plan_does_without_deployments(tmp_path: Path) -> None:
    """A catalog without deployments.yaml (a fork, a fixture): both engines rank by the description's other
    two readings alone, in one way, and name no similar deployment."""
    cat = load.load(REAL)
    cat.deployments.clear()
    picked = [profile_of(p) for p in profiles("dev")[:20]]
    for profile, (py, js) in zip(picked, _page_and_cli(tmp_path, cat, picked), strict=True):
        assert not any(row[3] for row in py)
        assert py == js, profile.name


@pytest.mark.parametrize("reading", ["contexts", "deployments"])
def test_a_reading_index_ships_only_what_the_search_index_does_not_already_hold(reading: str) -> None:
    """The page builds the contexts' and the deployments' indexes from their own entries and the search
    index's shared tables: those tables are left out of their entries, and they are the same in every
    index, word for word."""
    data = getattr(search, f"{reading}_data")(CAT, G)
    entry = plan.reading_files(data)["index.json"]
    assert not set(search.SHARED_KEYS) & set(entry)
    assert {"terms", "levels", "counts", "chunks", "parts"} <= set(entry), "what is its own stays"
    assert data is not None and all(data[k] == DATA[k] for k in search.SHARED_KEYS)


def test_the_engine_reads_a_bounded_part_of_any_question() -> None:
    """10,000 unknown words cost 28 s of CPU in the page before: both engines read at most
    max_query_words words of a question (within max_query_chars) and a description's first
    max_description_chars characters; the page gets the numbers from the index."""
    q = DATA["query"]
    many = " ".join(f"zq{i}" for i in range(10000))
    assert len(search.slots(INDEX, many)) == q["max_query_words"] == 32
    assert search.capped(INDEX, "x" * 10000) == "x" * q["max_query_chars"]
    assert len(search.capped(INDEX, "x" * 10000, description=True)) == q["max_description_chars"] == 4000


# ---------------------------------------------------------------- the index in parts (search/, issue 23)


def test_the_parts_hold_exactly_the_index_and_refuse_a_stranger(tmp_path: Path) -> None:
    """What the site ships under search/ reads back as the very index `fieldguide search` ranks from;
    an altered, missing or left-over part is named, not read as an empty result."""
    files = search.layout(DATA)
    assert searchfiles.read(lambda name: files[f"search/{name}"]) == DATA
    entry = json.loads(files["search/index.json"])
    assert "docs" not in entry and set(entry["terms"]) == set(DATA["terms"]), "no postings or titles in the entry"
    chunk = next(name for name in files if "/p-" in name)
    altered = {**files, chunk: files[chunk].replace('"postings":["', '"postings":["AB', 1)}
    with pytest.raises(ValueError, match="do not match their names"):
        searchfiles.read(lambda name: altered[f"search/{name}"])
    site = tmp_path / "site"
    search.write_layout(DATA, site)
    assert searchfiles.check_folder(site) == []
    (site / "search" / "p-000000000000-0.json").write_text("{}", encoding="utf-8")  # left from another build
    (site / chunk).unlink()
    assert searchfiles.check_folder(site) == [
        "search/p-000000000000-0.json: not part of the search index (search/index.json names no such file)",
        f"{chunk}: named by search/index.json but missing"]


def test_a_question_fetches_only_the_parts_it_needs(tmp_path: Path) -> None:
    """The page's engine (a new index per question, as on a first visit) reads exactly the files
    fieldguide.search.files_for predicts: the entry, the chunks of the terms the words may stand for,
    and the fragments of the titles the top hit rule reads and of the results shown. Never a title it
    did not fetch (the engine throws on one); even at 1x, most questions read under half of the parts."""
    texts = dev_questions()[::3] + EXTRA[:30] + ["model accuracy dro", "labelling needs doc", "Booking.c"]
    jobs = [{"text": t} for t in texts] + [{"text": t, "prefix": False} for t in texts[:20]]
    out = run_node({"queries": jobs, "fresh": True}, tmp_path)["queries"]
    entry = json.loads((tmp_path / "search" / "index.json").read_text(encoding="utf-8"))
    sizes = {p.name: p.stat().st_size for p in (tmp_path / "search").iterdir()}
    for job, result in zip(jobs, out, strict=True):
        assert set(result["files"]) == search.files_for(INDEX, entry, job["text"], job.get("prefix", True)), job
    parts = sum(sizes.values()) - sizes["index.json"]
    fetched = sorted(sum(sizes[name] for name in result["files"] if name != "index.json") for result in out)
    assert fetched[len(fetched) // 2] < parts / 2, "a question reads a part of the index, not all of it"


def test_the_top_hit_reads_every_title_it_could_lead_with() -> None:
    """The top hit rule reads only the titles `_TitleRule` admits (the page fetches no others): for every
    dev question, typed letter by letter, and the edge cases, it picks the same hit as when it reads
    every title."""
    texts = {q[:k] for q in dev_questions() for k in range(1, len(q) + 1)} | set(EXTRA[:-4])
    leads = [search.top_hit(INDEX, t, search.run(INDEX, t)) for t in sorted(texts)]
    everything = search._TitleRule.reads
    try:
        search._TitleRule.reads = lambda self, h: True
        unfiltered = [search.top_hit(INDEX, t, search.run(INDEX, t)) for t in sorted(texts)]
    finally:
        search._TitleRule.reads = everything
    assert [h and h.doc for h in leads] == [h and h.doc for h in unfiltered]
    assert sum(h is not None for h in leads) > 100, "top hits were exercised"
