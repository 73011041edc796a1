"""Guards against a collapse of relevance (not against noise): floors well below what `make relevance`
measures. The questions and profiles are scored all together, dev and holdout alike, and the blind
questions (the second, fifth, seventh and eleventh authors', written without our vocabulary) on their own; nothing here
looks at a single holdout or blind case."""

from __future__ import annotations

import sys

from conftest import HERE
from fieldguide import search

sys.path.insert(0, str(HERE / "relevance"))
from relevance import profiles, questions, rank_held_out, root_catalog  # noqa: E402


def _search_scores(qs: list[dict]) -> tuple[float, float]:
    """Share of questions with an accepted challenge in the top five, and the mean reciprocal rank."""
    cat, g = root_catalog()
    index = search.index_for(cat, g)
    top5 = mrr = 0.0
    for q in qs:
        ids = [h.id for h in search.run(index, q["q"]) if h.type == "challenge"]
        ranks = [ids.index(a) + 1 for a in q["accept"] if a in ids]
        if ranks:
            top5 += min(ranks) <= 5
            mrr += 1 / min(ranks)
    return top5 / len(qs), mrr / len(qs)


def test_search_finds_the_right_challenge_in_the_top_five_for_most_questions() -> None:
    top5, mrr = _search_scores(questions("dev") + questions("holdout"))
    assert top5 >= 0.80  # measured 1.00 (see docs/search.md)
    assert mrr >= 0.65  # measured 0.92 (round 5b of issue 21)


def test_search_finds_the_right_challenge_for_most_questions_written_blind() -> None:
    top5, mrr = _search_scores(questions("blind"))
    assert top5 >= 0.80  # measured 0.97, the five authors' sets (see docs/search.md)
    assert mrr >= 0.65  # measured 0.85


def test_planner_puts_the_challenge_that_bit_in_the_top_five_for_most_projects() -> None:
    """Each profile is one of the catalog's deployments, ranked by a planner without its author's own
    (relevance.held_out_index): a profile never finds itself."""
    ps = profiles("dev") + profiles("holdout")
    top5 = sum(rank_held_out(p).index(p["bit"][0]) < 5 for p in ps)
    assert top5 / len(ps) >= 0.65  # measured 0.76 (dev 0.93, holdout 0.72; round 10 of issue 21)
