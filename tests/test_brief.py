"""The design-review brief as a reader uses it: rendered by pandoc with citeproc and its brief.bib."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pypandoc
import pytest
import yaml
from click.testing import CliRunner
from pybtex.database import parse_string

from conftest import HERE, REAL
from fieldguide import brief, graph, load
from fieldguide.cli import main

CAT = load.load(REAL)
G = graph.build(CAT)
PANDOC = pypandoc.get_pandoc_path()


def write_brief(tmp_path: Path, *args: str) -> tuple[str, str]:
    result = CliRunner().invoke(main, ["brief", "--catalog", str(REAL), "--out", str(tmp_path / "brief.md"),
                                       "--site-url", "https://guide.example.org/", *args])
    assert result.exception is None and result.exit_code == 0, result.output
    return (tmp_path / "brief.md").read_text(encoding="utf-8"), (tmp_path / "brief.bib").read_text(encoding="utf-8")


def pandoc(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([PANDOC, "--citeproc", "brief.md", *args], cwd=tmp_path, capture_output=True,
                          text=True, check=False, timeout=120)


def test_brief_renders_with_pandoc_and_citeproc_without_a_missing_citation(tmp_path: Path) -> None:
    markdown, bib = write_brief(tmp_path, "--profile", str(HERE / "profiles" / "clinic.yaml"), "--top", "6",
                                "--date", "2026-12-01")
    proc = pandoc(tmp_path, "-t", "plain", "--wrap=none")
    assert proc.returncode == 0, proc.stderr
    assert "WARNING" not in proc.stderr, proc.stderr  # e.g. "[WARNING] Citeproc: citation x not found"
    assert "@" not in re.sub(r"\S+@\S+", "", proc.stdout), "every [@key] became a formatted citation"
    keys = set(re.findall(r"@([a-z0-9]+)", markdown))
    assert keys == set(parse_string(bib, "bibtex").entries), "brief.bib holds exactly what the brief cites"
    assert "(Paleyes et al. 2022)" in proc.stdout, "citeproc formatted the survey's citation"


def test_brief_metadata_block_names_title_project_date_and_bibliography(tmp_path: Path) -> None:
    markdown, _ = write_brief(tmp_path, "--profile", str(HERE / "profiles" / "clinic.yaml"), "--date", "2026-12-01")
    front = yaml.safe_load(markdown.split("---\n")[1])
    assert front["title"] == "Design-review brief: Clinic triage"
    assert front["project"] == "Clinic triage" and front["date"] == "2026-12-01"
    assert front["bibliography"] == "brief.bib"
    assert len(re.findall(r"^## \[", markdown, re.MULTILINE)) == 5, "--top defaults to five challenges"


def test_brief_bibliography_is_plain_text_without_markdown_escapes(tmp_path: Path) -> None:
    markdown, _ = write_brief(tmp_path, "--challenge", "concept-drift", "--challenge", "data-dispersion")
    bibliography = markdown.split("## Bibliography")[1]
    assert "\\" not in bibliography, "no Markdown escapes such as 'Xu\\.'"
    assert "ACM Computing Surveys" in bibliography, "the survey's peer-reviewed version is listed"
    assert re.findall(r"^## \[(.+?)\]", markdown, re.MULTILINE) == ["Concept drift", "Data dispersion"]


def test_brief_to_docx_with_a_citation_style_of_the_readers_choice(tmp_path: Path) -> None:
    """Deleting `suppress-bibliography`, as the brief explains, lets citeproc write the bibliography."""
    markdown, _ = write_brief(tmp_path, "--challenge", "model-stealing")
    (tmp_path / "brief.md").write_text(markdown.replace("suppress-bibliography: true\n", ""), encoding="utf-8")
    proc = pandoc(tmp_path, "-t", "plain", "--wrap=none")
    assert proc.returncode == 0 and "WARNING" not in proc.stderr, proc.stderr
    assert "Tramèr, Florian" in proc.stdout and "Stealing Machine Learning Models via Prediction APIs" in proc.stdout


@pytest.mark.parametrize("bad", ["2026-13-01", "yesterday"])
def test_brief_rejects_a_bad_date(tmp_path: Path, bad: str) -> None:
    result = CliRunner().invoke(main, ["brief", "--catalog", str(REAL), "--challenge", "concept-drift",
                                       "--date", bad])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), "a clear error, not a traceback"
    assert f"'{bad}' is not a date" in result.output


def test_head_template_filled_in_python_matches_the_pages_placeholders() -> None:
    """The planner page fills the same template with JSON.stringify; both sides need every placeholder."""
    template = brief.head_template(CAT, "https://guide.example.org/")
    for placeholder in ("{title}", "{project}\n", "{date}", "{profile}\n"):
        assert template.count(placeholder) == 1, placeholder
    filled = brief.fill_head(template, "T", "", "2026-01-02", "")
    assert "project:" not in filled and "Project profile" not in filled


def test_brief_cites_the_survey_by_its_peer_reviewed_version_unless_asked_for_both(tmp_path: Path) -> None:
    """ACM Computing Surveys 2022 alone by default; `--with-preprint` adds the 2020 arXiv text."""
    markdown, bib = write_brief(tmp_path, "--challenge", "concept-drift")
    assert "[@paleyes2022challenges]" in markdown and "paleyes2020challenges" not in markdown
    assert set(parse_string(bib, "bibtex").entries) & {"paleyes2020challenges", "paleyes2022challenges"} == {
        "paleyes2022challenges"}
    assert "third arXiv version (2022), copy-edited" in markdown
    markdown, bib = write_brief(tmp_path, "--challenge", "concept-drift", "--with-preprint")
    assert "[@paleyes2022challenges]" in markdown and "[@paleyes2020challenges]" in markdown
    assert {"paleyes2020challenges", "paleyes2022challenges"} <= set(parse_string(bib, "bibtex").entries)
    proc = pandoc(tmp_path, "-t", "plain", "--wrap=none")
    assert proc.returncode == 0 and "WARNING" not in proc.stderr, proc.stderr
    assert "(Paleyes et al. 2022)" in proc.stdout and "(Paleyes et al. 2020)" in proc.stdout


def test_planner_page_offers_both_heads_the_cli_writes() -> None:
    """The planner's "also cite the arXiv text" box swaps in the head `--with-preprint` writes."""
    data = brief.page_data(CAT, G, "https://guide.example.org/", {r: _Text(r) for r in CAT.references},
                           {r: "" for r in CAT.references})
    assert data["head"] == brief.head_template(CAT, "https://guide.example.org/")
    assert data["head_with_preprint"] == brief.head_template(CAT, "https://guide.example.org/", True)
    assert data["always"] == ["paleyes2022challenges"]
    assert data["always_with_preprint"] == ["paleyes2022challenges", "paleyes2020challenges"]
    assert "paleyes2020challenges" in data["references"], "the preprint's entry is there for the option"


class _Text:
    def __init__(self, text: str) -> None:
        self.text = text
