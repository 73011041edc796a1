"""The models accept the catalog's shapes and refuse what would corrupt the site or the graph."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from fieldguide import schema

CHALLENGE = {
    "id": "data-discovery", "title": "Data discovery", "step": "data-collection", "order": 1,
    "summary": "Nobody knows where the data is.", "description": "Text.",
    "checklist": [{"id": "data-discovery-owners", "text": "Every source has an owner."}],
    "survey_section": "3.1",
}
CASE = {
    "id": "x-case", "title": "X — did Y", "organization": "X", "industry": "healthcare", "year": 2019,
    "summary": "S.", "what_happened": "W.", "lessons": ["L."],
    "key_figures": [{"value": 150, "unit": "models", "measures": "deployed"}],
    "challenges": [{"challenge": "data-discovery", "how": "H."}], "references": ["ref2019x"],
    "survey_section": "5.1",
}
REFERENCE = {"id": "ref2019x", "entry_type": "article", "authors": ["A B"], "title": "T", "year": 2019,
             "journal": "J", "volume": 14, "survey_ref": 3}
MITIGATION = {"id": "tool-x", "title": "Tool X", "kind": "tool", "summary": "S.", "url": "https://example.org/x",
              "beyond_survey": True, "challenges": [{"challenge": "data-discovery", "how": "H."}],
              "references": ["ref2019x"]}
FINDING = {"id": "f-x", "title": "F", "summary": "S.", "references": ["ref2019x"], "survey_section": "1"}
FRAMEWORK = {"id": "rubric-x", "title": "Rubric X", "short_title": "Rubric", "kind": "software", "version": "1.0",
             "date": "2026-02-18", "url": "https://example.org/rubric", "summary": "S.", "names_from": "rubric.yml",
             "commit": "457aa9822676d54821a99fc0897fe9ae5cc67c31",
             "graded_from": "rubric.yml, every item's full text.",
             "sections": [{"id": "data", "title": "Data", "items": [
                 {"id": "a-1", "label": "A.1", "title": "T",
                  "asks": [{"id": "owner-named", "text": "An owner is named."}]}]}]}

MODELS = [(schema.Challenge, CHALLENGE), (schema.CaseStudy, CASE), (schema.Reference, REFERENCE),
          (schema.Mitigation, MITIGATION), (schema.Finding, FINDING), (schema.Framework, FRAMEWORK)]


@pytest.mark.parametrize(("model", "data"), MODELS, ids=lambda v: getattr(v, "__name__", ""))
def test_model_accepts_a_complete_entry(model, data) -> None:
    assert model.model_validate(data).id == data["id"]


@pytest.mark.parametrize(("model", "data"), MODELS, ids=lambda v: getattr(v, "__name__", ""))
def test_model_refuses_unknown_keys(model, data) -> None:
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        model.model_validate({**data, "colour": "blue"})


@pytest.mark.parametrize(("model", "data"), MODELS, ids=lambda v: getattr(v, "__name__", ""))
def test_model_refuses_ids_that_are_not_slugs(model, data) -> None:
    with pytest.raises(ValidationError):
        model.model_validate({**data, "id": "Data Discovery"})


def test_key_figures_keep_numbers_as_printed() -> None:
    assert schema.CaseStudy.model_validate(CASE).key_figures[0].value == "150"
    assert schema.Reference.model_validate(REFERENCE).volume == "14"


def test_checklist_ids_carry_their_challenge_prefix() -> None:
    bad = {**CHALLENGE, "checklist": [{"id": "owners", "text": "T."}]}
    with pytest.raises(ValidationError, match="must start with 'data-discovery-'"):
        schema.Challenge.model_validate(bad)


@pytest.mark.parametrize("prose", ["<script>alert(1)</script>", "a <img src=x onerror=alert(1)> b",
                                   "[x](javascript:alert(1))", "[x]( data:text/html,hi)"])
def test_prose_refuses_raw_html_and_unsafe_links(prose: str) -> None:
    with pytest.raises(ValidationError):
        schema.Challenge.model_validate({**CHALLENGE, "description": prose})


@pytest.mark.parametrize("prose", ["p < 0.05 and q > 1", "[docs](https://example.org/a)", "[see](../x.md)"])
def test_prose_allows_plain_comparisons_and_safe_links(prose: str) -> None:
    assert schema.Challenge.model_validate({**CHALLENGE, "description": prose}).description == prose


@pytest.mark.parametrize(("field", "text"), [
    ("description", r"Read \input{/etc/passwd} first."), ("description", r"$\write18{rm -rf ~}$"),
    ("summary", r"Written by \o ystein"), ("title", r"A \csname x\endcsname title"),
])
def test_tex_commands_in_catalog_text_are_refused(field: str, text: str) -> None:
    """Briefs go through pandoc to LaTeX and references into BibTeX, where a control word would run."""
    with pytest.raises(ValidationError, match="TeX command"):
        schema.Challenge.model_validate({**CHALLENGE, field: text})


@pytest.mark.parametrize("text", [r"Write \{ for a brace", r"a \\input stays text", "C:/data, 5 \\ 3"])
def test_escapes_that_start_no_tex_command_are_fine(text: str) -> None:
    assert schema.Challenge.model_validate({**CHALLENGE, "description": text}).description == text


@pytest.mark.parametrize(("field", "value"), [("title", r"On \input{x}"), ("journal", r"\def\x{y}"),
                                              ("authors", [r"J\o rgen Smith"])])
def test_tex_commands_in_reference_fields_are_refused(field: str, value: object) -> None:
    ref = {"id": "smith2020x", "entry_type": "misc", "title": "X", "year": 2020, field: value}
    with pytest.raises(ValidationError, match="TeX command"):
        schema.Reference.model_validate(ref)


def test_mitigation_urls_must_be_http() -> None:
    with pytest.raises(ValidationError):
        schema.Mitigation.model_validate({**MITIGATION, "url": "javascript:alert(1)"})


def test_json_schema_covers_every_file_type() -> None:
    schemas = schema.json_schemas()
    assert set(schemas) == {"challenges/<id>.yaml", "case-studies/<id>.yaml", "references/<id>.yaml",
                            "mitigations/<id>.yaml", "findings/<id>.yaml", "frameworks/<id>.yaml", "stages.yaml",
                            "facets.yaml", "vocabulary.yaml", "retired.yaml", "deployments/<author>.yaml"}
    assert schemas["challenges/<id>.yaml"]["additionalProperties"] is False


def _with_covers(*covers: dict) -> dict:
    return {**CHALLENGE, "checklist": [{**CHALLENGE["checklist"][0], "covers": list(covers)}]}


def test_a_mapping_names_the_asks_of_the_item_its_check_meets() -> None:
    c = schema.Challenge.model_validate(_with_covers({"item": "ml-test-score:monitor-3", "meets": ["skew-compared"]},
                                                     {"item": "deon:b-1", "meets": ["encryption", "access-logs"]}))
    assert [(x.item, x.meets) for x in c.checklist[0].covers] == [("ml-test-score:monitor-3", ["skew-compared"]),
                                                                  ("deon:b-1", ["encryption", "access-logs"])]


@pytest.mark.parametrize("item", ["monitor-3", "ml-test-score:", "ML-Test-Score:monitor-3", "a:b:c", "deon: b-1"])
def test_a_mapping_names_a_framework_item_as_framework_colon_item(item: str) -> None:
    with pytest.raises(ValidationError):
        schema.Challenge.model_validate(_with_covers({"item": item, "meets": ["x"]}))


@pytest.mark.parametrize("cover", [
    {"item": "deon:b-1"},  # a mapping says which asks it meets: none written is not "all"
    {"item": "deon:b-1", "meets": []},  # a mapping that meets nothing is no mapping
    {"item": "deon:b-1", "meets": ["Encryption"]},  # asks are ids
    {"item": "deon:b-1", "meets": ["encryption"], "partial": "Encryption only."},  # left out is derived, not written
    {"item": "deon:b-1", "full": True},
])
def test_a_mapping_cannot_claim_coverage_by_default_or_in_free_text(cover: dict) -> None:
    with pytest.raises(ValidationError):
        schema.Challenge.model_validate(_with_covers(cover))


def test_a_framework_item_says_what_it_asks() -> None:
    item = FRAMEWORK["sections"][0]["items"][0]
    for asks in ([], None, [{"id": "owner-named"}], [{"id": "Owner", "text": "An owner."}]):
        bad = {**FRAMEWORK, "sections": [{**FRAMEWORK["sections"][0], "items": [{**item, "asks": asks}]}]}
        with pytest.raises(ValidationError):
            schema.Framework.model_validate(bad)


def test_survey_challenges_need_a_section_and_additions_have_none() -> None:
    survey_less = {k: v for k, v in CHALLENGE.items() if k != "survey_section"}
    with pytest.raises(ValidationError, match="required field is missing"):
        schema.Challenge.model_validate(survey_less)
    assert schema.Challenge.model_validate({**survey_less, "beyond_survey": True}).survey_section is None
    with pytest.raises(ValidationError, match="no survey section"):
        schema.Challenge.model_validate({**CHALLENGE, "beyond_survey": True})


@pytest.mark.parametrize(("field", "value"), [("kind", "blog"), ("date", "Feb 2026"), ("commit", "457aa98"),
                                              ("sections", []), ("url", "ftp://example.org")])
def test_framework_fields_are_checked(field: str, value: object) -> None:
    with pytest.raises(ValidationError):
        schema.Framework.model_validate({**FRAMEWORK, field: value})
