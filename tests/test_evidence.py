"""Evidence since the survey: case studies this guide adds are marked as additions, rest on their own
published sources (never on the survey), and a reader can tell them apart on every page that lists them."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from conftest import REAL
from fieldguide import graph, load, render, schema

CAT = load.load(REAL)
G = graph.build(CAT)
PAGES = render.render(CAT, G, site_url="https://guide.example.org/")
ADDED = sorted(s.id for s in CAT.case_studies.values() if s.beyond_survey)
SURVEY = {"paleyes2020challenges", "paleyes2022challenges"}
CASE = {"id": "x-case", "title": "X — did Y", "organization": "X", "industry": "healthcare", "year": 2024,
        "summary": "S.", "what_happened": "W.", "lessons": ["L."],
        "challenges": [{"challenge": "data-discovery", "how": "H."}], "references": ["ref2024x"]}


def test_a_case_study_has_a_survey_section_exactly_when_it_is_not_an_addition() -> None:
    with pytest.raises(ValidationError, match="required field is missing"):
        schema.CaseStudy.model_validate(CASE)
    assert schema.CaseStudy.model_validate({**CASE, "survey_section": "5.1"}).beyond_survey is False
    assert schema.CaseStudy.model_validate({**CASE, "beyond_survey": True}).survey_section is None
    with pytest.raises(ValidationError, match="added beyond the survey has no survey section"):
        schema.CaseStudy.model_validate({**CASE, "beyond_survey": True, "survey_section": "5.1"})


def test_the_evidence_since_2020_is_broad_enough_to_find_a_precedent() -> None:
    added = [CAT.case_studies[s] for s in ADDED]
    assert len(added) >= 15
    assert len({s.industry for s in added}) >= 6
    stages = {CAT.stage_of(CAT.challenges[link.challenge].step).id for s in added for link in s.challenges}
    assert stages == {stage.id for stage in CAT.stages}, "every stage has a recent precedent"


@pytest.mark.parametrize("sid", ADDED)
def test_an_added_case_study_rests_on_its_own_recent_sources(sid: str) -> None:
    s = CAT.case_studies[sid]
    assert 2020 <= s.year <= 2026 and s.survey_section is None
    assert not SURVEY & set(s.references), "not the survey: it does not report this case"
    for rid in s.references:
        ref = CAT.references[rid]
        assert ref.survey_ref is None and ref.year >= 2020, rid
        assert ref.doi or ref.url or ref.howpublished, f"{rid}: a reader can find it"
        if ref.entry_type in ("article", "inproceedings"):
            assert ref.doi or ref.url, f"{rid}: a journal or conference paper links to its published version"


@pytest.mark.parametrize("sid", ADDED)
def test_an_added_case_study_says_so_on_its_page(sid: str) -> None:
    page = PAGES[f"case-studies/{sid}.md"]
    assert '!!! note "Added by this guide beyond the survey"' in page
    assert "Added beyond the survey: not reported in it." in page
    assert "Survey section" not in page
    title = CAT.case_studies[sid].title
    assert f"[**{title}**]({sid}.md) ({CAT.case_studies[sid].year}, *added*)" in PAGES["case-studies/index.md"]


def test_the_survey_case_studies_keep_their_section_and_no_mark() -> None:
    page = PAGES["case-studies/booking-com-business-metrics.md"]
    assert "Survey section 5.1." in page and "beyond the survey" not in page
    index = PAGES["case-studies/index.md"]
    survey_count = len(CAT.case_studies) - len(ADDED)
    assert f"{survey_count} the survey reports on, and {len(ADDED)} added by this guide" in index
    assert "(2019, *added*)" not in index
