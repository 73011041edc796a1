"""Rule 1 (own words): no run of 10 words in the catalog or the hand-written pages repeats the survey."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "tools"))

import own_words  # noqa: E402


def test_catalog_and_pages_are_in_our_own_words() -> None:
    found = own_words.repeats([str(ROOT / "catalog"), str(ROOT / "content")], own_words.survey_hashes())
    assert found == [], "\n".join(found)


def test_a_sentence_from_the_survey_is_caught(tmp_path: Path) -> None:
    # Eleven words of the survey's section 3.2, quoted here (outside catalog/ and content/) on purpose.
    page = tmp_path / "page.md"
    page.write_text("Intro line.\nThe preprocessing step normally involves a range of data cleaning activities.\n")
    found = own_words.repeats([str(page)], own_words.survey_hashes())
    assert len(found) == 1
    assert found[0].startswith(f"{page}:2: 11 words as in the survey")


def test_paraphrase_passes(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("Preprocessing usually covers cleaning: filling gaps, simplifying and reformatting raw data.\n")
    assert own_words.repeats([str(page)], own_words.survey_hashes()) == []
