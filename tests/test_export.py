"""Export formats a reader takes into other tools: BibTeX, formatted citations and CSL-JSON."""

from __future__ import annotations

from pybtex.database import parse_string

from fieldguide import export
from fieldguide.schema import Reference

REPORT = Reference(id="wiggers2019algorithmia", entry_type="misc", authors=["Kyle Wiggers"],
                   title="Algorithmia: 50% of companies spend between 8 and 90 days deploying a single AI model",
                   year=2019, howpublished="VentureBeat", survey_ref=5)
ORG = Reference(id="dotscience2019state", entry_type="misc", title="The state of AI applications",
                year=2019, howpublished="Dotscience", url="https://example.org/Survey_Report-2019.pdf", survey_ref=9)
CORPORATE = Reference(id="ico2019project", entry_type="misc", title="Project ExplAIn interim report",
                      corporate_author="Information Commissioner's Office", year=2019, survey_ref=77)


def test_bibtex_escapes_latex_specials_but_keeps_urls_verbatim() -> None:
    text = export.to_bibtex([REPORT, ORG])
    assert "50\\% of companies" in text, "an unescaped % would start a BibTeX comment"
    assert 'url = "https://example.org/Survey_Report-2019.pdf"' in text
    parsed = parse_string(text, "bibtex")
    assert set(parsed.entries) == {"wiggers2019algorithmia", "dotscience2019state"}


def test_formatted_citation_keeps_the_whole_title() -> None:
    cites = export.citations([REPORT, ORG, CORPORATE])
    assert "50% of companies spend between 8 and 90 days" in cites["wiggers2019algorithmia"]
    assert cites["dotscience2019state"].startswith("The state of {AI} applications".replace("{AI}", "AI"))
    assert "Dotscience" in cites["dotscience2019state"], "an authorless report still names its publisher"
    assert cites["ico2019project"].startswith("Information Commissioner's Office")


def test_csl_json_items_carry_type_authors_and_year() -> None:
    report, org, corporate = export.to_csl([REPORT, ORG, CORPORATE])
    assert report["type"] == "document" and report["author"] == [{"family": "Wiggers", "given": "Kyle"}]
    assert report["issued"] == {"date-parts": [[2019]]}
    assert org["type"] == "document" and "author" not in org
    assert corporate["author"] == [{"literal": "Information Commissioner's Office"}]


def test_bibtex_of_several_references_is_the_join_of_each() -> None:
    """The generator formats each reference once and joins; the text must equal a one-shot export."""
    refs = [REPORT, ORG, CORPORATE]
    assert export.join_bibtex([export.to_bibtex([r]) for r in refs]) == export.to_bibtex(refs)
