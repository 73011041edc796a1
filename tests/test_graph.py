"""Graph: typed nodes and edges, integrity rules, and the facts derived from links."""

from __future__ import annotations

from pathlib import Path

from conftest import VALID
from fieldguide import graph, load


def _graph(catalog: Path):
    cat = load.load(catalog)
    return cat, graph.build(cat)


def test_nodes_and_edges_are_typed(valid_catalog: Path) -> None:
    cat, g = _graph(valid_catalog)
    assert g.nodes["data-discovery"]["kind"] == "challenge"
    assert g.nodes["twitter-data-discovery"]["kind"] == "case_study"
    assert g.has_edge("data-collection", "data-management", key="part_of")
    assert g.has_edge("data-discovery", "data-collection", key="in_step")
    assert g.has_edge("twitter-data-discovery", "data-discovery", key="illustrates")
    assert g.has_edge("data-catalog-practice", "data-discovery", key="addresses")
    assert g.has_edge("data-discovery", "lin2013scaling", key="cites")
    assert g.has_edge("data-profiling", "data-discovery", key="related")


def test_backlinks_are_derived_not_stored(valid_catalog: Path) -> None:
    """The challenge file names no case study; the graph still lists the one that illustrates it."""
    cat, g = _graph(valid_catalog)
    links = graph.backlinks(g, "data-discovery")
    assert links["illustrates"] == ["twitter-data-discovery"]
    assert links["addresses"] == ["data-catalog-practice"]
    assert links["related"] == ["data-profiling"]
    assert graph.backlinks(g, "lin2013scaling")["cites"] == ["data-catalog-practice", "data-discovery",
                                                             "twitter-data-discovery"]


def test_valid_catalog_has_no_integrity_problem(valid_catalog: Path) -> None:
    cat, g = _graph(valid_catalog)
    assert graph.integrity(cat, g) == []


def test_integrity_flags_a_challenge_with_no_evidence(valid_catalog: Path) -> None:
    path = valid_catalog / "challenges" / "feedback-loops.yaml"
    text = path.read_text().replace("references: [paleyes2020challenges, sculley2015hidden]", "references: []")
    path.write_text(text)
    cat, g = _graph(valid_catalog)
    messages = [f"{p.entity}: {p.message}" for p in graph.integrity(cat, g)]
    assert "feedback-loops: no case study illustrates it and it cites no reference" in messages


def test_related_ranks_shared_case_studies_above_shared_references(valid_catalog: Path) -> None:
    cat, g = _graph(valid_catalog)
    ranked = graph.related(g, "data-discovery")
    assert [r.id for r in ranked] == ["data-profiling", "feedback-loops"]
    top = ranked[0]
    # explicit link (5) + shared case study (3) + shared mitigation (2)
    assert top.score == 10
    assert "Shared case study: Twitter — finding data across many services." in top.reasons
    assert ranked[1].reasons == ("Shared mitigation: Data catalogue.",)


def test_related_ignores_the_survey_every_challenge_cites(valid_catalog: Path) -> None:
    cat, g = _graph(valid_catalog)
    reasons = [reason for r in graph.related(g, "feedback-loops") for reason in r.reasons]
    assert not any("paleyes2020challenges" in reason for reason in reasons)


def test_evidence_level_counts_case_studies_and_industries(valid_catalog: Path) -> None:
    cat, g = _graph(valid_catalog)
    assert graph.evidence(g, "data-discovery") == graph.Evidence(1, 1, "limited")
    assert graph.evidence(g, "feedback-loops") == graph.Evidence(0, 0, "literature")


def test_stage_citations_are_counted(valid_catalog: Path) -> None:
    """A stage's background reading is a citation like any other: it shows in `cited_by`."""
    cat, g = _graph(valid_catalog)
    assert graph.backlinks(g, "sculley2015hidden")["cites"] == ["feedback-loops", "model-deployment"]


def test_a_reference_cited_only_by_a_stage_is_cited(valid_catalog: Path) -> None:
    challenge = valid_catalog / "challenges" / "feedback-loops.yaml"
    challenge.write_text(challenge.read_text(encoding="utf-8").replace(", sculley2015hidden]", "]"),
                         encoding="utf-8")
    cat, g = _graph(valid_catalog)
    assert graph.incoming(g, "sculley2015hidden", "cites") == ["model-deployment"]
    assert graph.integrity(cat, g) == [], "cited by the model-deployment stage, so not 'cited by nothing'"


def test_framework_coverage_is_derived_from_the_checks(valid_catalog: Path) -> None:
    """Only the check names the framework item it covers; the graph answers the reverse question."""
    cat, g = _graph(valid_catalog)
    assert g.nodes["example-rubric:holdout"]["kind"] == "framework_item"
    assert g.has_edge("example-rubric:holdout", "example-rubric", key="item_of")
    assert g.has_edge("feedback-loops-holdout", "feedback-loops", key="check_of")
    assert graph.backlinks(g, "example-rubric:holdout") == {"covers": ["feedback-loops-holdout"]}
    assert g.edges["data-profiling-report", "example-rubric:schema", "covers"]["meets"] == ("data-described",)
    assert graph.backlinks(g, "example-rubric:invariants") == {}, "an uncovered item stays in the graph, uncovered"


def test_a_framework_cannot_take_the_index_pages_name(valid_catalog: Path) -> None:
    folder = valid_catalog / "frameworks"
    text = (folder / "example-rubric.yaml").read_text(encoding="utf-8")
    (folder / "index.yaml").write_text(text.replace("id: example-rubric", "id: index"), encoding="utf-8")
    _, problems = load.load_with_problems(valid_catalog)
    assert [f"{p.line}: {p.entity}: {p.field}: {p.message}" for p in problems] == [
        "1: index: id: id 'index' is reserved: its page frameworks/index.md would replace the framework coverage index"]


def test_survey_ids_without_the_survey_in_the_catalog() -> None:
    """A catalog that does not cite the survey at all (a team's own catalog) still has its sourcing rule."""
    cat = load.load(VALID)
    assert graph.survey_ids(cat) == {graph.SURVEY}
    del cat.references[graph.SURVEY]
    assert graph.survey_ids(cat) == {graph.SURVEY}
    assert graph.unsourced(cat) == []
