"""The benchmark's synthetic catalogs keep the real catalog's shape, so its numbers mean something."""

from __future__ import annotations

from pathlib import Path

from conftest import REAL
from fieldguide import bench, graph, load


def test_synthetic_catalog_is_valid_and_scales_every_entity_kind(tmp_path: Path) -> None:
    real = load.load(REAL)
    count = bench.synthesize(REAL, tmp_path / "catalog", 3)
    cat = load.load(tmp_path / "catalog")  # raises if the copies broke any rule
    g = graph.build(cat)
    assert graph.integrity(cat, g) == []
    kinds = ("challenges", "case_studies", "references", "mitigations", "findings", "frameworks")
    for kind in kinds:
        assert len(getattr(cat, kind)) == 3 * len(getattr(real, kind)), kind
    assert count == 3 * sum(len(getattr(real, k)) for k in kinds)
    copy = cat.case_studies["booking-com-business-metrics-x2"]
    assert [link.challenge for link in copy.challenges] == ["business-driven-metrics-x2"], "links stay in their copy"
    assert graph.evidence(g, "business-driven-metrics-x2") == graph.evidence(g, "business-driven-metrics")
    # the planner's deployments grow too, each copy bitten by its own copy of the challenge
    assert len(cat.deployments) == 3 * len(real.deployments)
    first = next(iter(real.deployments.values()))
    assert cat.deployments[f"{first.id}-x1"].bit == [f"{c}-x1" for c in first.bit]


def test_large_catalogs_read_in_parallel_report_the_same_lines(tmp_path: Path) -> None:
    """Above `PARALLEL_FROM` files the loader uses worker processes; messages must not change."""
    catalog = tmp_path / "catalog"
    count = bench.synthesize(REAL, catalog, 10)
    assert count + 2 > load.PARALLEL_FROM, "big enough to take the parallel path"
    case = catalog / "case-studies" / "sepsis-watch-x3.yaml"
    case.write_text(case.read_text(encoding="utf-8").replace("industry: healthcare", "industry: health"),
                    encoding="utf-8")
    ref = catalog / "references" / "lin2013scaling-x7.yaml"
    ref.write_text(ref.read_text(encoding="utf-8") + "colour: blue\n", encoding="utf-8")
    _, problems = load.load_with_problems(catalog)
    lines = [str(p).split(tmp_path.name)[-1] for p in problems]
    industry_line = case.read_text(encoding="utf-8").splitlines().index("industry: health") + 1
    assert lines == [
        f"/catalog/case-studies/sepsis-watch-x3.yaml:{industry_line}: sepsis-watch-x3: industry: "
        "unknown industry 'health' (did you mean 'healthcare'?)",
        f"/catalog/references/lin2013scaling-x7.yaml:{len(ref.read_text().splitlines())}: lin2013scaling-x7: "
        "colour: unknown key",
    ]


def test_first_search_download_is_what_a_typed_question_fetches(tmp_path: Path) -> None:
    """The row "first search download" counts the entry file and the parts a question typed letter by
    letter fetches (each gzipped): more than the entry, less than the whole index."""
    import gzip

    from fieldguide import search

    cat = load.load(REAL)
    search.write_layout(search.build_index(cat, graph.build(cat)), tmp_path)
    sizes = [len(gzip.compress(p.read_bytes(), 9)) for p in (tmp_path / "search").iterdir()]
    entry = len(gzip.compress((tmp_path / "search" / "index.json").read_bytes(), 9))
    assert entry < bench._first_search_download(tmp_path) < sum(sizes) * 0.7
    assert bench._first_search_download(tmp_path / "elsewhere") is None
