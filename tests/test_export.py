"""Export formats a reader takes into other tools: BibTeX, formatted citations and CSL-JSON.

The real catalog's BibTeX is checked with the tools its users run: pybtex parses it back, and its
`plain`, `unsrt` and `alpha` styles (ports of BibTeX's) format every entry without a missing field.
"""

from __future__ import annotations

import calendar
import json
import re
from pathlib import Path

import pytest
from pybtex.database import parse_string
from pybtex.plugin import find_plugin

from conftest import REAL
from fieldguide import GUIDE_AUTHOR, RELEASED, __version__, bib, cite, graph, load
from fieldguide.schema import Reference

REPORT = Reference(id="wiggers2019algorithmia", entry_type="misc", authors=["Kyle Wiggers"],
                   title="Algorithmia: 50% of companies spend between 8 and 90 days deploying a single AI model",
                   year=2019, howpublished="VentureBeat", survey_ref=5)
ORG = Reference(id="dotscience2019state", entry_type="misc", title="The state of AI applications",
                year=2019, howpublished="Dotscience", url="https://example.org/Survey_Report-2019.pdf", survey_ref=9)
CORPORATE = Reference(id="ico2019project", entry_type="misc", title="Project ExplAIn interim report",
                      corporate_author="Information Commissioner's Office", year=2019, survey_ref=77)
DATED = Reference(id="kim2017data", entry_type="article", authors=["Miryung Kim", "Thomas Zimmermann"],
                  title="Data scientists in software teams", year=2017, month="Jul", pages="1024–1038",
                  journal="IEEE Transactions on Software Engineering", survey_ref=28)
PREPRINT = Reference(id="northcutt2019confident", entry_type="misc", authors=["Curtis G. Northcutt"],
                     title="Confident learning", year=2019, howpublished="arXiv preprint", arxiv="1911.00068")

CAT = load.load(REAL)
REAL_BIB = bib.to_bibtex(list(CAT.references.values()))


def test_bibtex_escapes_latex_specials_but_keeps_urls_verbatim() -> None:
    text = bib.to_bibtex([REPORT, ORG])
    assert "50\\% of companies" in text, "an unescaped % would start a BibTeX comment"
    assert 'url = "https://example.org/Survey_Report-2019.pdf"' in text
    parsed = parse_string(text, "bibtex")
    assert set(parsed.entries) == {"wiggers2019algorithmia", "dotscience2019state"}


def test_page_ranges_use_double_hyphens_and_months_are_macros() -> None:
    text = bib.to_bibtex([DATED])
    assert 'pages = "1024--1038"' in text, "an en dash in pages makes BibTeX print 'page' for a range"
    assert re.search(r"^\s*month = jul,?$", text, re.MULTILINE), "a quoted month is not BibTeX's macro"
    entry = parse_string(text, "bibtex").entries["kim2017data"]
    assert entry.fields["month"] == "July", "pybtex expands the macro, as BibTeX does"


def test_the_whole_export_parses_back_with_keys_months_and_pages() -> None:
    parsed = parse_string(REAL_BIB, "bibtex")  # raises on a repeated key or broken syntax
    assert list(parsed.entries) == list(CAT.references)
    for rid, ref in CAT.references.items():
        entry = parsed.entries[rid]
        if ref.pages and re.search(r"\d\s*[–-]\s*\d", ref.pages):
            assert "--" in entry.fields["pages"] and "–" not in entry.fields["pages"], rid
        if ref.month:
            assert entry.fields["month"] == calendar.month_name[bib.month_number(ref.month)], rid
        assert "note" not in entry.fields or "survey" not in entry.fields["note"].lower(), (
            f"{rid}: an editorial remark would print in the reader's bibliography")


@pytest.mark.parametrize("style_name", ["plain", "unsrt", "alpha"])
def test_bibtex_styles_format_every_entry_without_a_missing_field(style_name: str) -> None:
    """The styles stop on the first entry that lacks a field its type requires (author, journal,
    booktitle, institution...); the whole bibliography must go through in one piece."""
    parsed = parse_string(REAL_BIB, "bibtex")
    style = find_plugin("pybtex.style.formatting", style_name)()
    formatted = list(style.format_bibliography(parsed).entries)
    assert len(formatted) == len(CAT.references)
    text = " ".join(e.text.render_as("text") for e in formatted)
    assert "Paleyes" in text and "ACM Computing Surveys" in text


def test_the_survey_is_cited_as_published_with_the_preprint_beside_it() -> None:
    parsed = parse_string(REAL_BIB, "bibtex")
    published = parsed.entries["paleyes2022challenges"]
    assert published.type == "article" and published.fields["doi"] == "10.1145/3533378"
    assert published.fields["journal"] == "ACM Computing Surveys" and published.fields["year"] == "2022"
    assert parsed.entries["paleyes2020challenges"].fields["eprint"] == "2011.09926"
    assert cite.expand(CAT, ["paleyes2020challenges"]) == ["paleyes2022challenges"], "the peer-reviewed one only"
    assert cite.expand(CAT, ["paleyes2020challenges"], with_preprints=True) == [
        "paleyes2022challenges", "paleyes2020challenges"], "both when the reader asks, published first"
    assert cite.cited_survey(CAT) == ["paleyes2022challenges"]
    assert cite.preprints(CAT) == {"paleyes2022challenges": "paleyes2020challenges"}


def test_exports_cite_the_survey_by_its_peer_reviewed_version_only() -> None:
    """The cite boxes and the basket's data: a page citing the arXiv text is cited with the ACM version
    alone; the basket ships the preprint separately, for its "cite both" option."""
    g = graph.build(CAT)
    bib = cite.prepare(CAT)
    box = cite.box(CAT, bib, "https://x.org/concept-drift/", "Concept drift", "fieldguide-concept-drift",
                   list(CAT.challenges["concept-drift"].references))
    listed = [rid for rid, _, _ in box["sources"]]
    assert "paleyes2022challenges" in listed and "paleyes2020challenges" not in listed
    data = cite.basket_data(CAT, bib, {"fieldguide-concept-drift": (
        "Concept drift", "https://x.org/concept-drift/", graph.outgoing(g, "concept-drift", "cites"))})
    assert "paleyes2020challenges" not in data["pages"]["fieldguide-concept-drift"]["refs"]
    assert data["preprints"] == {"paleyes2022challenges": "paleyes2020challenges"}
    assert "paleyes2020challenges" in data["references"], "still there for readers who want both"


def test_formatted_citation_keeps_the_whole_title() -> None:
    cites = bib.citations([REPORT, ORG, CORPORATE])
    assert "50% of companies spend between 8 and 90 days" in cites["wiggers2019algorithmia"]
    assert "The state of AI applications" in bib.formatted([ORG])["dotscience2019state"].text
    assert cites["ico2019project"].startswith("Information Commissioner's Office")


def test_plain_text_citations_carry_no_markdown_escapes() -> None:
    text = bib.formatted([DATED])["kim2017data"].text
    assert "\\" not in text and text.startswith("Miryung Kim and Thomas Zimmermann. Data scientists")


def test_csl_json_items_carry_type_authors_dates_and_urls() -> None:
    report, org, corporate, dated, preprint = bib.to_csl([REPORT, ORG, CORPORATE, DATED, PREPRINT])
    assert report["type"] == "document" and report["author"] == [{"family": "Wiggers", "given": "Kyle"}]
    assert report["issued"] == {"date-parts": [[2019]]}
    assert org["type"] == "document" and org["publisher"] == "Dotscience" and "author" not in org
    assert corporate["author"] == [{"literal": "Information Commissioner's Office"}]
    assert dated["issued"] == {"date-parts": [[2017, 7]]} and dated["page"] == "1024-1038"
    assert preprint["URL"] == "https://arxiv.org/abs/1911.00068", "an arXiv-only work still gets an address"
    assert preprint["type"] == "article" and preprint["number"] == "arXiv:1911.00068"


def test_bibtex_of_several_references_is_the_join_of_each() -> None:
    """The generator formats each reference once and joins; the text must equal a one-shot export."""
    refs = [REPORT, ORG, CORPORATE]
    assert bib.join_bibtex([bib.to_bibtex([r]) for r in refs]) == bib.to_bibtex(refs)


def test_page_citation_has_a_corporate_author_version_and_one_address_but_no_access_date() -> None:
    url = "https://guide.example.org/challenges/concept-drift/"
    text = bib.page_bibtex("fieldguide-concept-drift", "Concept drift", url)
    assert text.count(url) == 1, "the address appears once"
    entry = parse_string(text, "bibtex").entries["fieldguide-concept-drift"]
    assert [str(p) for p in entry.persons["author"]] == ["{" + GUIDE_AUTHOR + "}"], "braced: never split into names"
    assert "urldate" not in entry.fields, "the release date is no access date; the page adds the reader's"
    assert __version__ in entry.fields["howpublished"]
    assert "accessed" not in bib.page_csl("k", "Concept drift", url)
    assert entry.fields["year"] == RELEASED[:4] and entry.fields["url"] == url
    style = find_plugin("pybtex.style.formatting", "plain")()
    rendered = next(iter(style.format_entries([entry]))).text.render_as("text")
    assert rendered.startswith(GUIDE_AUTHOR + ". Concept drift.") and __version__ in rendered


def test_citation_cache_survives_corruption_and_changes_with_the_entry(tmp_path: Path) -> None:
    path = tmp_path / "citations.json"
    path.write_text("{not json", encoding="utf-8")
    cache = bib.CitationCache(path)
    first = bib.formatted([DATED], cache)
    assert json.loads(path.read_text(encoding="utf-8"))["entries"], "a corrupt cache is rewritten"
    again = bib.formatted([DATED], bib.CitationCache(path))
    assert again == first
    changed = DATED.model_copy(update={"title": "Data scientists in software teams, revised"})
    assert "revised" in bib.formatted([changed], bib.CitationCache(path))["kim2017data"].text


def test_the_survey_family_is_the_preprint_then_its_published_version() -> None:
    """One list: the preprint the catalog follows, then its peer-reviewed version (the one exports cite)."""
    assert cite.survey_family(CAT) == ["paleyes2020challenges", "paleyes2022challenges"]
    assert CAT.references["paleyes2020challenges"].published_version == "paleyes2022challenges"


def test_pasting_two_cite_boxes_repeats_no_entry() -> None:
    """Every page cites the survey; its entry is left out of the boxes, so the boxes of two pages that
    share nothing else concatenate into a valid .bib (pybtex, like BibTeX, refuses a repeated key)."""
    g = graph.build(CAT)
    survey = set(cite.survey_family(CAT))
    cites = {cid: set(graph.outgoing(g, cid, "cites")) for cid in CAT.challenges}
    pair = next((a, b) for a in cites for b in cites
                if a < b and cites[a] & cites[b] and not (cites[a] & cites[b]) - survey)
    bib = cite.prepare(CAT)
    boxes = [cite.box(CAT, bib, f"https://x.org/{cid}/", CAT.challenges[cid].title, cite.page_key(cid),
                      list(CAT.challenges[cid].references)) for cid in pair]
    assert all(b["survey_left_out"] == cite.cited_survey(CAT) for b in boxes), "the box says where its entry is"
    pasted = "\n".join(b["page_bibtex"] + b["sources_bibtex"] for b in boxes)
    assert len(parse_string(pasted, "bibtex").entries) == 2 + sum(len(cites[c] - survey) for c in pair)
