"""`make audit` (tests/tools/audit.py): the parts that decide its verdict without running Lighthouse,
the Nu checker or a browser — which pages it scores, which validator errors it forgives, how it
reads scores and failing audits out of Lighthouse reports."""

from __future__ import annotations

from pathlib import Path

import pytest

from tools import audit

KNOWN = {"type": "error", "message": "Attribute “autocomplete” is only allowed when the input type is …",
         "extract": '<input class="md-toggle" type="checkbox" id="__drawer" autocomplete="off">',
         "url": "file:/site/index.html", "lastLine": 12, "firstColumn": 3}
OURS = {"type": "error", "message": "Duplicate ID “checklist”.", "extract": '<h2 id="checklist">',
        "url": "file:/site/challenges/x/index.html", "lastLine": 40, "firstColumn": 1}


def test_only_materials_own_autocomplete_attribute_is_forgiven() -> None:
    assert audit.is_known(KNOWN)
    assert not audit.is_known(OURS)
    assert not audit.is_known({**KNOWN, "extract": '<input id="fg-import" autocomplete="off">'})


def test_validation_counts_every_unexpected_error(capsys: pytest.CaptureFixture[str]) -> None:
    unexpected = audit.print_validation([KNOWN, KNOWN, OURS], Path("/site"), [("home", "/")])
    assert unexpected == 1
    out = capsys.readouterr().out
    assert f"2× {KNOWN['message']}  [{audit.KNOWN_LABEL}]" in out
    assert "1× Duplicate ID “checklist”." in out and "e.g. challenges/x/index.html:40:1" in out
    assert audit.print_validation([KNOWN], Path("/site"), [("home", "/")]) == 0


def test_pages_resolve_to_the_first_candidate_the_build_has(tmp_path: Path) -> None:
    for page in ("challenges/concept-drift", "case-studies/b-case", "case-studies/a-case", "stages/data-management"):
        (tmp_path / page).mkdir(parents=True)
        (tmp_path / page / "index.html").write_text("<html></html>")
    notes: list[str] = []
    pages = [("challenge", ("/challenges/concept-drift/",)),
             ("checklist", ("/checklists/data-management/", "/stages/data-management/")),
             ("case study", ("/case-studies/missing/", "/case-studies/*/")),
             ("bibliography", ("/references/",))]
    assert audit.resolve(tmp_path, pages, notes) == [("challenge", "/challenges/concept-drift/"),
                                                     ("checklist", "/stages/data-management/"),
                                                     ("case study", "/case-studies/a-case/")]
    assert notes == ["skipped bibliography: none of /references/ exists in the build"]


def _report(performance: float, audits: dict | None = None) -> dict:
    return {"categories": {"performance": {"score": performance, "auditRefs": [
                {"id": "lcp", "weight": 25}, {"id": "unused-css", "weight": 0}, {"id": "cls", "weight": 25}]}},
            "audits": audits or {}}


def test_scores_are_the_median_run_and_failing_audits_come_heaviest_first() -> None:
    page = audit.PageResult("home", "/", [_report(0.97), _report(0.81), _report(0.93)])
    assert page.scores("performance") == [0.97, 0.81, 0.93]
    assert page.median("performance") == 0.93
    assert page.median_report("performance") is page.reports[2]
    assert page.median("seo") is None
    audits = {"lcp": {"title": "Largest Contentful Paint", "score": 0.5, "displayValue": "4.1 s"},
              "cls": {"title": "Layout shift", "score": 0.95},
              "unused-css": {"title": "Reduce unused CSS", "score": 0.2, "details": {"items": [
                  {"url": "https://x.example/a.css", "wastedBytes": 12000}]}}}
    assert audit.failing_audits(_report(0.8, audits), "performance") == [
        "    lcp: Largest Contentful Paint — 4.1 s (score 0.50, weight 25)",
        "    unused-css: Reduce unused CSS (score 0.20, diagnostic, weight 0)",
        "        https://x.example/a.css  (saving 12,000 B)",
    ]
