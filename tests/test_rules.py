"""The rules that span files (`rules.RULES`): each has a broken catalog of its own that it reports, says
nothing about a valid catalog, and shares the hints every reader gives."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import BROKEN, REAL, RICH, VALID, assemble
from fieldguide import load, problems, rules

# Each rule and a case of tests/catalogs/broken/ it reports (test_broken_catalogs.py checks the whole
# output of every case; here, that this rule's part of it is there). A new rule needs a case.
RULE_CASES = {
    "checklist_item_ids": ["item-id-clash", "item-id-twice"],
    "framework_items": ["reserved-element-ids", "framework-mappings"],
    "reserved_prefixes": ["reserved-element-ids"],
    "page_collisions": ["reserved-ids", "reserved-stage-id"],
    "survey_numbers": ["survey-ref-twice"],
    "cited_references": ["dangling-links", "listed-twice", "file-name-mismatch", "framework-mappings"],
    "challenge_steps": ["unknown-step"],
    "step_positions": ["order-taken"],
    "facet_links": ["unknown-links", "dangling-links", "listed-twice"],
    "related_challenges": ["related-twice", "unknown-links", "listed-twice"],
    "challenge_links": ["dangling-links", "listed-twice"],
    "corrections": ["reference-links"],
    "published_versions": ["reference-links"],
    "retired_successors": ["retired-successor"],
    "vocabulary_phrases": ["vocabulary-links"],
    "synonym_groups": ["vocabulary-links"],
    "framework_sections": ["framework-sections-twice"],
    "ask_wording": ["framework-mappings"],
    "covers_mappings": ["framework-mappings"],
    "shared_asks_judged_alike": ["framework-mappings"],
}


def test_every_rule_has_a_broken_catalog() -> None:
    assert sorted(RULE_CASES) == sorted(rule.__name__ for rule in rules.RULES)
    for cases in RULE_CASES.values():
        assert all((BROKEN / case / "expected.txt").exists() for case in cases)


@pytest.mark.parametrize(("rule", "case"), [(r, c) for r, cases in RULE_CASES.items() for c in cases])
def test_each_rule_reports_its_broken_catalog(rule: str, case: str, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    assemble(BROKEN / case, tmp_path)
    monkeypatch.chdir(tmp_path)
    cat, _, broken = load.read(Path("catalog"))
    found = [str(p) for p in rules.check(cat, broken)[rule]]
    expected = (BROKEN / case / "expected.txt").read_text(encoding="utf-8").splitlines()
    assert found, f"{rule} finds nothing in {case}"
    assert set(found) <= set(expected), f"{rule} reports what {case}/expected.txt does not list"


@pytest.mark.parametrize("catalog", [VALID, RICH, REAL], ids=["valid", "rich", "real"])
def test_no_rule_reports_a_valid_catalog(catalog: Path) -> None:
    cat, found, broken = load.read(catalog)
    assert found == [] and broken == set()
    assert {name: [str(p) for p in ps] for name, ps in rules.check(cat, broken).items() if ps} == {}


def test_one_hint_for_an_unknown_id_in_two_styles() -> None:
    """Files name the closest id; a command line lists up to three."""
    pool = ["data-discovery", "data-profiling", "data-dispersion", "feedback-loops"]
    assert problems.unknown("challenge", "data-discovry", pool) == \
        "unknown challenge 'data-discovry' (did you mean 'data-discovery'?)"
    assert problems.unknown("step", "x", pool, ": not a step") == "unknown step 'x': not a step"
    assert problems.unknown("id", "data-dipsersion", pool, many=True) == \
        "unknown id 'data-dipsersion'; did you mean data-dispersion, data-discovery, data-profiling?"


def test_listed_twice_names_each_repeat_after_the_first() -> None:
    assert list(problems.repeats(["a", "b", "a", "B", "a"])) == [(2, "a"), (4, "a")]
    assert list(problems.repeats(["Retrain", "x", "retrain"], key=str.lower)) == [(2, "retrain")]
