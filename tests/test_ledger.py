"""`fieldguide ledger`: every sentence stating a number, date, organisation or licence, where it stands
and what it rests on. Expectations are worked out by hand from the rich catalog (and small additions
to a copy of it), never read back from the command."""

from __future__ import annotations

import csv
import io
import subprocess
from pathlib import Path

import pytest

from conftest import cli
from fieldguide import ledger

RICH_ROWS = [
    # path:line, entity, field, facts: the case studies' organisations are named ("Example Bank"...),
    # and one "how" says "twice".
    ("case-studies/bank-merge-duplicates.yaml:2", "bank-merge-duplicates", "title", "organisation"),
    ("case-studies/bank-merge-duplicates.yaml:3", "bank-merge-duplicates", "organization", "organisation"),
    ("case-studies/bank-merge-duplicates.yaml:14", "bank-merge-duplicates", "challenges[1].how", "number"),
    ("case-studies/clinic-form-change.yaml:2", "clinic-form-change", "title", "organisation"),
    ("case-studies/clinic-form-change.yaml:3", "clinic-form-change", "organization", "organisation"),
    ("case-studies/retail-crowd-labels.yaml:2", "retail-crowd-labels", "title", "organisation"),
    ("case-studies/retail-crowd-labels.yaml:3", "retail-crowd-labels", "organization", "organisation"),
    ("case-studies/retail-feed-migration.yaml:2", "retail-feed-migration", "title", "organisation"),
    ("case-studies/retail-feed-migration.yaml:3", "retail-feed-migration", "organization", "organisation"),
    ("case-studies/retail-returns-labels.yaml:2", "retail-returns-labels", "title", "organisation"),
    ("case-studies/retail-returns-labels.yaml:3", "retail-returns-labels", "organization", "organisation"),
    ("case-studies/retail-search-clicks.yaml:2", "retail-search-clicks", "title", "organisation"),
    ("case-studies/retail-search-clicks.yaml:3", "retail-search-clicks", "organization", "organisation"),
]


def _parsed(text: str) -> list[tuple[str, str, str, str, str]]:
    """(path:line, entity, field, facts, rests on) per row of the text format."""
    lines = text.splitlines()
    out = []
    for first, second in zip(lines[0:-2:2], lines[1:-2:2], strict=True):
        where, entity, field, rest = first.split(": ", 3)
        facts = rest[1:rest.index("]")]
        assert second.startswith("    rests on: ")
        out.append((where, entity, field, facts, second.removeprefix("    rests on: ")))
    return out


def test_the_rich_catalog_ledger_lists_each_fact_sentence_once(rich_catalog: Path) -> None:
    out = cli("ledger").output
    rows = _parsed(out)
    assert [(w.removeprefix("catalog/"), e, f, facts) for w, e, f, facts, _ in rows] == RICH_ROWS
    refs = {e: r for _, e, _, _, r in rows}
    assert refs["retail-feed-migration"] == "example2019schemas"  # the case study's own references
    assert refs["bank-merge-duplicates"] == "paleyes2020challenges"
    assert out.splitlines()[-2:] == [
        "13 sentence(s) stating a number, date, organisation or licence in 6 entities; 0 rest on no reference",
        "0 of 0 journal and conference references carry a DOI"]


def _add_facts(catalog: Path) -> None:
    """Facts the rich catalog lacks: a sentence that starts mid-block, an unsourced step, a licence,
    journal articles with and without a DOI."""
    drift = catalog / "challenges" / "schema-drift.yaml"
    text = drift.read_text(encoding="utf-8")
    drift.write_text(text.replace(
        "description: Synthetic description of schema-drift.\n",
        "description: |\n"
        "  Feeds change without notice, e.g. a renamed field. In\n"
        "  March 2024 a supplier renamed 12 columns at once, and Smith et al. noticed\n"
        "  it a week later.\n"
        "\n"
        "  The model may keep running.\n"), encoding="utf-8")
    stages = catalog / "stages.yaml"
    stages.write_text(stages.read_text(encoding="utf-8").replace(
        "summary: Watching the model at work.", "summary: Watching the model at work, 24 hours a day."),
        encoding="utf-8")
    rubric = catalog / "frameworks" / "fixture-rubric.yaml"
    rubric.write_text(rubric.read_text(encoding="utf-8").replace(
        "names_from: Written for the tests.\n", "names_from: Written for the tests.\nlicence: CC BY 4.0\n"),
        encoding="utf-8")
    for rid, doi in (("journal2022notes", "doi: 10.1234/fixture.2022\n"), ("journal2023notes", "")):
        (catalog / "references" / f"{rid}.yaml").write_text(
            f"id: {rid}\nentry_type: article\nauthors: [Ed Journal]\ntitle: Fixture notes\nyear: 2022\n"
            f"journal: Fixture Journal\n{doi}", encoding="utf-8")
    review = catalog / "mitigations" / "label-review.yaml"
    review.write_text(review.read_text(encoding="utf-8").replace(
        "references: [paleyes2020challenges]", "references: [journal2022notes, journal2023notes]"), encoding="utf-8")


def test_a_sentence_is_placed_on_its_own_line_and_an_entity_without_references_is_flagged(
        rich_catalog: Path) -> None:
    _add_facts(rich_catalog)
    cli("check")
    rows = {(e, f, facts): (w, r) for w, e, f, facts, r in _parsed(cli("ledger").output)}
    # "e.g." ends no sentence; the second sentence starts at the end of line 7, on "In".
    assert rows[("schema-drift", "description", "number, date")] == (
        "catalog/challenges/schema-drift.yaml:7", "paleyes2020challenges, example2019schemas, sample2020pipelines")
    assert ("schema-drift", "description", "number") not in rows  # "The model may keep running." states nothing
    assert rows[("monitoring", "summary", "number")] == ("catalog/stages.yaml:30", "NO REFERENCE")
    assert rows[("fixture-rubric", "licence", "number, licence")] == ("catalog/frameworks/fixture-rubric.yaml:12",
                                                             "fixture2021rubric")
    out = cli("ledger").output
    assert "; 1 rest on no reference" in out
    assert out.endswith("1 of 2 journal and conference references carry a DOI\n")
    assert cli("check").output.endswith("1 of 2 journal and conference references carry a DOI\n")


def test_the_csv_is_read_back_by_a_csv_reader_with_every_row_and_the_flag(rich_catalog: Path) -> None:
    _add_facts(rich_catalog)
    text_rows = _parsed(cli("ledger").output)
    table = list(csv.DictReader(io.StringIO(cli("ledger", "--format", "csv").output)))
    assert list(table[0]) == list(ledger.CSV_HEADER)
    assert [(f"{r['path']}:{r['line']}", r["entity"], r["field"]) for r in table] == [
        (w, e, f) for w, e, f, _, _ in text_rows]
    step = next(r for r in table if r["entity"] == "monitoring")
    assert (step["unsourced"], step["references"], step["facts"]) == ("yes", "", "number")
    assert step["sentence"] == "Watching the model at work, 24 hours a day."
    assert {r["unsourced"] for r in table if r["entity"] != "monitoring"} == {"no"}


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True,
                   env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
                        "GIT_COMMITTER_EMAIL": "t@example.org", "HOME": str(repo), "PATH": "/usr/bin:/bin"})


def test_since_limits_the_ledger_to_entities_changed_or_added_since_a_ref(rich_catalog: Path) -> None:
    repo = rich_catalog.parent
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "rich")
    assert "0 sentence(s)" in cli("ledger", "--since", "HEAD").output  # nothing changed yet
    _add_facts(rich_catalog)  # edits a challenge, stages.yaml, the framework, a mitigation; adds references
    entities = {e for _, e, _, _, _ in _parsed(cli("ledger", "--since", "HEAD").output)}
    # stages.yaml changed, so its stages and steps are in; the untouched case studies are not.
    assert entities == {"schema-drift", "monitoring", "fixture-rubric"}
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "facts")
    assert {e for _, e, _, _, _ in _parsed(cli("ledger", "--since", "HEAD~1").output)} == entities
    assert "0 sentence(s)" in cli("ledger", "--since", "HEAD").output


@pytest.mark.parametrize("ref", ["no-such-ref", "HEAD~5"])
def test_since_with_a_ref_that_is_no_commit_is_a_clear_error(rich_catalog: Path, ref: str) -> None:
    _git(rich_catalog.parent, "init", "-q")
    _git(rich_catalog.parent, "add", "-A")
    _git(rich_catalog.parent, "commit", "-q", "-m", "rich")
    result = cli("ledger", "--since", ref, code=1)
    assert result.stdout == ""
    assert result.stderr.startswith(f"error: --since: '{ref}' is not a commit of ")


def test_since_outside_a_git_repository_is_a_clear_error(rich_catalog: Path, monkeypatch) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(rich_catalog.parent.parent))
    result = cli("ledger", "--since", "HEAD", code=1)
    assert "is not inside a git repository" in result.stderr


@pytest.mark.parametrize(("text", "expected"), [
    ("Strubell et al. estimated five cars. The survey says four.",
     ["Strubell et al. estimated five cars.", "The survey says four."]),
    ("Tools such as DVC, e.g. for data. It works.", ["Tools such as DVC, e.g. for data.", "It works."]),
    ("- First item with 2 parts\n- Second item", ["First item with 2 parts", "Second item"]),
    ("One paragraph.\n\nAnother (short) one.", ["One paragraph.", "Another (short) one."]),
])
def test_sentences_split_at_sentence_ends_not_at_abbreviations(text: str, expected: list[str]) -> None:
    assert ledger.sentences(text) == expected


@pytest.mark.parametrize(("sentence", "facts"), [
    ("It took from 70 s to 2088 s.", ("number",)),  # 2088 is not a year
    ("Reported in March 2019 by the bank.", ("number", "date")),
    ("The model may drift.", ()),  # "may" the verb is no month
    ("Published on 2 May.", ("number", "date")),
    ("Released under the Apache 2.0 licence.", ("number", "licence")),
    ("A team at the University of Cambridge built it.", ("organisation",)),
    ("Booking.com ran about 150 models.", ("number", "organisation")),
    ("No one noticed for twice as long.", ("number",)),  # "one" alone counts for nothing, "twice" does
])
def test_facts_are_recognised_by_kind(sentence: str, facts: tuple[str, ...]) -> None:
    assert ledger.facts_in(sentence, ("Booking.com",)) == facts
