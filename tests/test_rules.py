"""The rules that span files (`rules.RULES`): each has a broken catalog of its own that it reports, says
nothing about a valid catalog, and shares the hints every reader gives."""

from __future__ import annotations

import shutil
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
    "deployment_links": ["deployment-links"],
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
    """Files name the closest id; a command line lists the three closest."""
    pool = ["data-discovery", "data-profiling", "data-dispersion", "feedback-loops"]
    assert problems.unknown("challenge", "data-discovry", pool) == \
        "unknown challenge 'data-discovry' (did you mean 'data-discovery'?)"
    assert problems.unknown("step", "x", pool, ": not a step") == "unknown step 'x': not a step"
    assert problems.unknown("id", "data-dipsersion", pool + ["data-dispersal"], many=True) == \
        "unknown id 'data-dipsersion'; did you mean data-dispersion, data-dispersal, data-discovery?"


def test_listed_twice_names_each_repeat_after_the_first() -> None:
    assert list(problems.repeats(["a", "b", "a", "B", "a"])) == [(2, "a"), (4, "a")]
    assert list(problems.repeats(["Retrain", "x", "retrain"], key=str.lower)) == [(2, "retrain")]


# ---------------------------------------------------------------- rule details the broken cases leave open


def _problems(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, edits: dict[str, tuple[str, str]]) -> list[str]:
    """`check`'s problem lines for the valid catalog with `edits` (file -> (old text, new text)) applied."""
    catalog = assemble(BROKEN / "alias", tmp_path)  # any case: its files are replaced below
    shutil.rmtree(catalog)
    shutil.copytree(VALID, catalog)
    for rel, (old, new) in edits.items():
        path = catalog / rel
        text = path.read_text(encoding="utf-8")
        assert old in text, (rel, old)
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return [str(p) for p in load.load_with_problems(Path("catalog"))[1]]


RUBRIC = "frameworks/example-rubric.yaml"
INVARIANTS = """      - id: invariants
        label: M2
        title: Data invariants hold for inputs
        asks:
          - {id: expectations-checked, text: Inputs are checked against written expectations.}"""


def test_a_framework_source_listed_twice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    found = _problems(tmp_path, monkeypatch, {RUBRIC: ("graded_from:", "sources: [lin2013scaling, lin2013scaling]\n"
                                                                       "graded_from:")})
    assert found == ["catalog/frameworks/example-rubric.yaml:11: example-rubric: sources[1]: "
                     "'lin2013scaling' is listed twice"]


def test_an_item_listed_twice_is_reported_once_whatever_its_asks_say(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """The second entry of an item is not an item: its asks are not compared with anyone's wording."""
    twice = INVARIANTS + "\n" + INVARIANTS.replace("M2", "M9").replace("Inputs are checked", "Inputs get checked")
    found = _problems(tmp_path, monkeypatch, {RUBRIC: (INVARIANTS, twice)})
    assert found == ["catalog/frameworks/example-rubric.yaml:42: example-rubric: sections[1].items[2].id: "
                     "item id 'invariants' is used twice in this framework"]


def test_an_ask_listed_twice_in_an_item_is_reported_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    twice = INVARIANTS + "\n          - {id: expectations-checked, text: Something else entirely.}"
    found = _problems(tmp_path, monkeypatch, {RUBRIC: (INVARIANTS, twice)})
    assert found == ["catalog/frameworks/example-rubric.yaml:42: example-rubric: sections[1].items[1].asks[1].id: "
                     "ask id 'expectations-checked' is used twice in this item"]


def test_a_shared_ask_judged_apart_is_reported_at_the_item_the_check_fails(tmp_path: Path,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Three items ask the same thing; the check meets it for the first two and not for the third: the
    problem stands at the third mapping and names the first item that meets it."""
    third = INVARIANTS + "\n" + INVARIANTS.replace("invariants", "drift").replace("M2", "M3")
    covers = ("      - item: example-rubric:schema\n        meets: [data-described]",
              "      - item: example-rubric:invariants\n        meets: [expectations-checked]\n"
              "      - item: example-rubric:drift\n        meets: [expectations-checked]\n"
              "      - item: example-rubric:schema\n        meets: [data-described]")
    found = _problems(tmp_path, monkeypatch, {RUBRIC: (INVARIANTS, third), "challenges/data-profiling.yaml": covers})
    assert found == ["catalog/challenges/data-profiling.yaml:17: data-profiling: checklist[0].covers[2].meets: "
                     "does not meet 'expectations-checked' here but meets it for 'example-rubric:invariants', which "
                     "asks the same; a requirement two items share is met for both or for neither"]
