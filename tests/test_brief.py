"""The design-review brief as a reader uses it: rendered by pandoc with citeproc and its brief.bib."""

from __future__ import annotations

import json
import os
import re
import subprocess
from html import unescape
from pathlib import Path

import pypandoc
import pytest
import yaml
from click.testing import CliRunner
from pybtex.database import parse_string

from conftest import HERE, REAL, VALID
from fieldguide import brief, graph, load, plan
from fieldguide.cli import main
from fieldguide.plan import Ranked

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


def test_brief_has_one_bibliography_written_by_citeproc(tmp_path: Path) -> None:
    """No hand-made list beside citeproc's: the brief ends with an empty References section
    (pandoc's `refs` div), and citeproc fills it in the style of the in-text citations."""
    markdown, _ = write_brief(tmp_path, "--challenge", "concept-drift", "--challenge", "data-dispersion")
    assert markdown.endswith("## References\n\n::: {#refs}\n:::\n")
    assert "suppress-bibliography" not in markdown and "## Bibliography" not in markdown
    assert re.findall(r"^## \[(.+?)\]", markdown, re.MULTILINE) == ["Concept drift", "Data dispersion"]
    proc = pandoc(tmp_path, "-t", "plain", "--wrap=none")
    assert proc.returncode == 0 and "WARNING" not in proc.stderr, proc.stderr
    references = proc.stdout.split("References")[-1]
    assert "Paleyes, Andrei, Raoul-Gabriel Urma, and Neil D. Lawrence. 2022." in references, "Chicago author-date"
    assert "ACM Computing Surveys" in references, "the survey's peer-reviewed version is listed"


CSL_NUMERIC = """<?xml version="1.0" encoding="utf-8"?>
<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0">
  <info><title>Test numeric</title><id>test-numeric</id><updated>2026-12-01T00:00:00+00:00</updated></info>
  <citation><layout prefix="[" suffix="]" delimiter=", "><text variable="citation-number"/></layout></citation>
  <bibliography><layout><text variable="citation-number" prefix="[" suffix="] "/><text variable="title"/></layout>
  </bibliography>
</style>
"""


def test_brief_to_docx_with_a_citation_style_of_the_readers_choice(tmp_path: Path) -> None:
    """`--csl FILE` names the style in the metadata block: citations and references both follow it,
    with no option on pandoc's command line and nothing of the default style left."""
    (tmp_path / "styles").mkdir()
    (tmp_path / "styles" / "numeric.csl").write_text(CSL_NUMERIC, encoding="utf-8")
    markdown, _ = write_brief(tmp_path, "--challenge", "model-stealing",
                              "--csl", str(tmp_path / "styles" / "numeric.csl"))
    assert 'csl: "styles/numeric.csl"' in markdown, "relative to the brief, where pandoc runs"
    proc = pandoc(tmp_path, "-t", "plain", "--wrap=none")
    assert proc.returncode == 0 and "WARNING" not in proc.stderr, proc.stderr
    assert re.search(r"\[\d+(, \d+)*\]", proc.stdout) and "et al. 20" not in proc.stdout, "numeric in-text citations"
    assert re.search(r"^\[\d+\] Stealing machine learning models via prediction APIs$", proc.stdout,
                     re.MULTILINE | re.IGNORECASE)
    proc = pandoc(tmp_path, "-o", "brief.docx")
    assert proc.returncode == 0 and "WARNING" not in proc.stderr, proc.stderr


@pytest.mark.parametrize("content, message", [
    ("<style>not csl</style>", "not a CSL style: its root element is not a CSL <style>"),
    ("<style", "not a CSL style: the XML is not well formed"),
    ('<?xml version="1.0"?><!DOCTYPE style [<!ENTITY a "aaaaaaaaaa">]>'
     '<style xmlns="http://purl.org/net/xbiblio/csl">&a;</style>', "not a CSL style: it declares a document type"),
    ("<!-- padding -->" * 70000, "cannot read it (file is"),
    ("fifo", "cannot read it (not a regular file: it is a named pipe (FIFO))"),
    (None, "cannot read it")])
def test_brief_refuses_a_csl_file_that_is_not_a_style(tmp_path: Path, content: str | None, message: str) -> None:
    """Refused before pandoc sees it, under the file rules of every input: a FIFO never blocks, a
    file over the cap is not read, and no document type may declare entities."""
    if content == "fifo":
        os.mkfifo(tmp_path / "x.csl")
    elif content is not None:
        (tmp_path / "x.csl").write_text(content, encoding="utf-8")
    result = CliRunner().invoke(main, ["brief", "--catalog", str(REAL), "--challenge", "concept-drift",
                                       "--csl", str(tmp_path / "x.csl"), "--out", str(tmp_path / "brief.md")])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), "a clear error, not a traceback"
    assert message in result.output and "--csl" in result.output
    assert not (tmp_path / "brief.md").exists(), "nothing written"


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
    data = brief.page_data(CAT, G, "https://guide.example.org/", {r: "" for r in CAT.references})
    assert data["head"] == brief.head_template(CAT, "https://guide.example.org/")
    assert data["head_with_preprint"] == brief.head_template(CAT, "https://guide.example.org/", True)
    assert data["always"] == ["paleyes2022challenges"]
    assert data["always_with_preprint"] == ["paleyes2022challenges", "paleyes2020challenges"]
    assert "paleyes2020challenges" in data["references"], "the preprint's entry is there for the option"



SECOND_PERSON = re.compile(r"\b(you|your|yours|yourself|yourselves)\b", re.IGNORECASE)
# Words of tool instructions: how to render or edit the file belongs to the CLI and the page's help.
INSTRUCTIONS = re.compile(r"pandoc|citeproc|--csl|\.csl\b|suppress-bibliography|\.bib\b|\bdelete (the|this|it)\b|"
                          r"\brender (it|this|the brief)\b|\bcite (it|its|the)\b", re.IGNORECASE)
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def docx_paragraphs(path: Path) -> list[tuple[str, str]]:
    """(style, text) of each paragraph of a .docx, as Word shows it."""
    import xml.etree.ElementTree as ET
    import zipfile

    root = ET.fromstring(zipfile.ZipFile(path).read("word/document.xml"))
    out = []
    for p in root.iter(f"{W}p"):
        style = p.find(f"{W}pPr/{W}pStyle")
        out.append(("" if style is None else style.get(f"{W}val"), "".join(t.text or "" for t in p.iter(f"{W}t"))))
    return out


def team_state(path: Path) -> Path:
    """A version 3 state file touching every challenge: its first check done, the second an accepted
    risk, the third not applicable, each with an owner or a reason."""
    items = []
    for c in CAT.challenges.values():
        for item, status in zip(c.checklist, ("done", "accepted-risk", "na"), strict=False):
            items.append({"id": item.id, "status": status, "owner": "Ana Díaz",
                          "reason": "" if status == "done" else "decided at the design review on 2026-11-30"})
    path.write_text(json.dumps({"format": "fieldguide-checklist", "version": 3, "items": items}), encoding="utf-8")
    return path


CHOSEN = ["--case-study", "epic-sepsis-alerts-covid-19", "--mitigation", "evidently", "--mitigation", "alibi-detect"]


def full_brief(tmp_path: Path, *more: str) -> tuple[str, str]:
    """A brief with every part a team can ask for: a profile with a description, the top challenges,
    the team's state, chosen case studies and mitigations."""
    (tmp_path / "p.yaml").write_text(yaml.safe_dump({
        "name": "Ward triage", "industry": "healthcare", "traits": ["regulated"],
        "description": "triage model deployed to new hospitals; labels need radiologists and the data drifts"}),
        encoding="utf-8")
    return write_brief(tmp_path, "--profile", str(tmp_path / "p.yaml"), "--top", "8", "--date", "2026-12-01",
                       "--state", str(team_state(tmp_path / "state.json")), *CHOSEN, *more)


def test_brief_as_html_and_docx_has_every_citation_resolved_in_one_style(tmp_path: Path) -> None:
    """The issue's "done when": pandoc --citeproc to HTML and docx, every [@key] formatted in
    Chicago author-date, one bibliography (citeproc's) with exactly the entries of brief.bib."""
    markdown, bibtex = full_brief(tmp_path)
    assert "## Case study: [Epic Sepsis Model" in markdown and "## Mitigation: [Alibi Detect]" in markdown
    assert "[@klaise2020monitoring]" in markdown and "- [x] " in markdown and "(accepted risk: decided" in markdown
    assert "it bit similar projects: [“" in markdown, "a deployment's name is quoted in a reason, and still renders"
    keys = set(parse_string(bibtex, "bibtex").entries)
    assert keys == set(re.findall(r"@([a-z0-9]+)", markdown.split("\n---\n", 1)[1]))
    html = pandoc(tmp_path, "-s", "-t", "html", "-o", "brief.html")
    assert html.returncode == 0 and "WARNING" not in html.stderr, html.stderr  # "citation x not found"
    page = (tmp_path / "brief.html").read_text(encoding="utf-8")
    assert "[@" not in page and "???" not in page and not re.search(r"\(\w+\?\)", page), "no unresolved citation"
    assert set(re.findall(r'id="ref-([a-z0-9]+)"', page)) == keys, "one entry per source, from citeproc"
    assert page.count('id="refs"') == 1 and "Bibliography" not in page
    assert re.search(r'<span class="citation"[^>]*>\(Paleyes et al\. 2022', page), "author-date in the text"
    sources = {d.name.replace("'", "’"): d.source.url for d in CAT.deployments.values()}  # pandoc curls quotes
    linked = re.findall(r'<a\s+href="([^"]*)">“([^”<]*)”</a>', page)
    assert linked and all(sources[" ".join(name.split())] == unescape(url) for url, name in linked), (
        "a named precedent links its source")
    docx = pandoc(tmp_path, "-o", "brief.docx")
    assert docx.returncode == 0 and "WARNING" not in docx.stderr, docx.stderr
    paragraphs = docx_paragraphs(tmp_path / "brief.docx")
    text = "\n".join(t for _, t in paragraphs)
    assert "[@" not in text and "???" not in text
    assert "(Paleyes et al. 2022" in text
    entries = [t for style, t in paragraphs if style == "Bibliography"]
    assert len(entries) == len(keys), "citeproc's bibliography, one paragraph per source"
    assert any(t.startswith("Paleyes, Andrei, Raoul-Gabriel Urma, and Neil D. Lawrence. 2022.") for t in entries)


def test_brief_is_in_the_third_person_without_tool_instructions(tmp_path: Path) -> None:
    """What a reviewer reads (the rendered document up to its References, whose titles are the
    sources' own) says "the project's", never "you"; nothing in it tells anyone how to run a tool.
    Every challenge, case study and mitigation of the catalog is in it, so no template and no catalog
    text it carries escapes the check. The CLI says how to render it, on stderr."""
    every = [a for c in CAT.challenges for a in ("--challenge", c)] + [a for s in CAT.case_studies for a in (
        "--case-study", s)] + [a for m in CAT.mitigations for a in ("--mitigation", m)]
    markdown, _ = full_brief(tmp_path, *every)
    assert len(re.findall(r"^## ", markdown, re.MULTILINE)) == len(CAT.challenges) + len(CAT.case_studies) + len(
        CAT.mitigations) + 1
    assert "the project's description mentions" in markdown, "the reasons are there, in the third person"
    proc = pandoc(tmp_path, "-t", "plain", "--wrap=none")
    assert proc.returncode == 0 and "WARNING" not in proc.stderr, proc.stderr
    document = proc.stdout.rsplit("References", 1)[0]
    body = markdown.split("\n---\n", 1)[1].rsplit("## References", 1)[0]
    for text in (document, body):
        assert not SECOND_PERSON.search(text), SECOND_PERSON.search(text)
        assert not INSTRUCTIONS.search(text), INSTRUCTIONS.search(text)
    result = CliRunner().invoke(main, ["brief", "--catalog", str(REAL), "--challenge", "concept-drift",
                                       "--out", str(tmp_path / "b.md")])
    assert "pandoc --citeproc b.md -o b.docx" in result.output, "the instruction is the CLI's output"


def test_every_deployment_name_reaches_a_rendered_brief_as_written_and_links_its_source(tmp_path: Path) -> None:
    """A reason quotes a deployment's name as it is, linked to its source (plan.Ranked.reasons with links, as
    the brief has it): pandoc must print every one of the catalog's names back unchanged but for curled quotes,
    none read as a citation, emphasis or HTML, and each a link to exactly its own source's address."""
    deployments = list(CAT.deployments.values())
    lines = [Ranked("x", 0, similar=[d.name], sources=[d.source.url]).reasons(CAT, links=True)[0] for d in deployments]
    (tmp_path / "names.md").write_text("".join(f"- {line}\n" for line in lines), encoding="utf-8")
    proc = subprocess.run([PANDOC, "names.md", "--citeproc", "-t", "plain", "--wrap=none"], cwd=tmp_path,
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0 and "WARNING" not in proc.stderr, proc.stderr
    printed = [line.removeprefix("-").strip() for line in proc.stdout.splitlines() if line.strip()]
    # pandoc curls straight quotes and keeps an abbreviation with its word ("St.\xa0Michael's"): a typesetter's
    # changes only
    typography = str.maketrans({"’": "'", "‘": "'", "\xa0": " "})
    assert [line.translate(typography) for line in printed] == [f"it bit similar projects: “{d.name}”"
                                                               for d in deployments]
    html = subprocess.run([PANDOC, "names.md", "-t", "html"], cwd=tmp_path, capture_output=True, text=True,
                          check=True).stdout
    hrefs = [unescape(h) for h in re.findall(r'<a\s+href="([^"]*)"', html)]
    assert hrefs == [d.source.url for d in deployments]


def test_brief_names_the_bibtex_file_it_writes_whatever_its_name(tmp_path: Path) -> None:
    """`--out my_review.md` writes my_review.bib and the metadata names that file (a name pandoc could
    misread as Markdown included), and `--bib` elsewhere is named relative to the brief."""
    (tmp_path / "out").mkdir()
    result = CliRunner().invoke(main, ["brief", "--catalog", str(REAL), "--challenge", "model-stealing",
                                       "--out", str(tmp_path / "out" / "my_review.md")])
    assert result.exit_code == 0, result.output
    assert "pandoc --citeproc my_review.md -o my_review.docx" in result.output
    proc = subprocess.run([PANDOC, "--citeproc", "my_review.md", "-t", "plain"], cwd=tmp_path / "out",
                          capture_output=True, text=True, check=False, timeout=120)
    assert proc.returncode == 0 and "WARNING" not in proc.stderr and "Tramèr" in proc.stdout, proc.stderr
    result = CliRunner().invoke(main, ["brief", "--catalog", str(REAL), "--challenge", "model-stealing",
                                       "--out", str(tmp_path / "out" / "b.md"), "--bib", str(tmp_path / "refs.bib")])
    assert result.exit_code == 0, result.output
    proc = subprocess.run([PANDOC, "--citeproc", "b.md", "-t", "plain"], cwd=tmp_path / "out",
                          capture_output=True, text=True, check=False, timeout=120)
    assert proc.returncode == 0 and "WARNING" not in proc.stderr and "Tramèr" in proc.stdout, proc.stderr


def test_brief_shows_the_teams_checklist_state_and_ticks_only_what_is_done(tmp_path: Path) -> None:
    """`--state` (a version 2 file with hostile text): each item carries its status, reason, owner, note
    and evidence; only the done item is ticked, in HTML and in Word; an accepted risk has no box at all;
    what the team typed reads as typed (no link, no image, no code, no citation)."""
    result = CliRunner().invoke(main, ["brief", "--catalog", str(VALID), "--out", str(tmp_path / "brief.md"),
                                       "--state", str(HERE / "states" / "team.json"), "--challenge", "data-discovery",
                                       "--challenge", "data-profiling", "--challenge", "feedback-loops"])
    assert result.exit_code == 0, result.output
    html = pandoc(tmp_path, "-t", "html", "--wrap=none")
    assert html.returncode == 0 and "WARNING" not in html.stderr, html.stderr
    items = {re.search(r"<code>([a-z-]+)</code>", li).group(1): li
             for li in re.findall(r"<li>(.*?)</li>", html.stdout, re.DOTALL) if "<code>" in li}
    assert "checked" in items["data-discovery-source-owners"] and (
        '(done; owner: Ana; note: =HYPERLINK("http://x.example/?"&amp;A1,"go"); '
        "evidence: https://git.example.org/team/model/pull/12)") in items["data-discovery-source-owners"]
    risk = items["data-discovery-catalogue"]
    assert "checkbox" not in risk, "an accepted risk is neither ticked nor an open box"
    assert "(accepted risk: One source system [see](javascript:alert(1)); owner: @raj)" in risk, "as typed"
    assert "<input type=\"checkbox\" />" in items["data-profiling-report"] and (
        "(in progress; owner: -Kim; note: ![x](http://x.example/p.png) `rm -rf`)") in items["data-profiling-report"]
    assert "<img" not in html.stdout and "<code>rm" not in html.stdout, "a note is text, not an image or code"
    assert 'href="https://git.example.org' not in html.stdout and 'href="http://x.example' not in html.stdout
    assert "(open; owner: Raj)" in items["feedback-loops-holdout"] and "checked" not in items["feedback-loops-holdout"]
    assert html.stdout.count("checked") == 1
    assert pandoc(tmp_path, "-o", "brief.docx").returncode == 0
    status = re.compile(r"\((done|open|in progress|accepted)")
    lines = [t for _, t in docx_paragraphs(tmp_path / "brief.docx") if status.search(t)]
    assert len(lines) == 4, "one paragraph per checklist item"
    ticked = [t for t in lines if t.startswith("☒")]
    assert len(ticked) == 1 and "data-discovery-source-owners" in ticked[0]
    risk = next(t for t in lines if "data-discovery-catalogue" in t)
    assert not risk.startswith(("☒", "☐")) and "accepted risk" in risk


@pytest.mark.parametrize("version", [1, 3])
def test_brief_reads_every_state_file_version_and_never_ticks_what_does_not_apply(tmp_path: Path,
                                                                                  version: int) -> None:
    """Version 1 (no times) and 3 (per-field changes) files through the same reader: a check marked
    not applicable keeps its reason and has no box."""
    item = {"id": "concept-drift-drift-alerts", "status": "na", "reason": "batch scoring, reviewed weekly"}
    if version == 3:
        item["changed"] = {"status": {"at": "2026-11-30T10:00:00Z", "by": "Ana"}}
    done = {"id": "concept-drift-retraining-trigger", "status": "done", "owner": "Ana"}
    (tmp_path / "s.json").write_text(json.dumps({"format": "fieldguide-checklist", "version": version,
                                                 "items": [item, done]}), encoding="utf-8")
    markdown, _ = write_brief(tmp_path, "--challenge", "concept-drift", "--state", str(tmp_path / "s.json"))
    assert ("- Input and prediction distributions are compared with a training-time reference on a fixed schedule, "
            "and an alert fires when the difference crosses a set threshold. `concept-drift-drift-alerts` "
            "(not applicable: batch scoring, reviewed weekly)") in markdown
    assert "- [x] A written policy states" in markdown and "(done; owner: Ana)" in markdown
    assert markdown.count("- [ ] ") == 4 and markdown.count("(open)") == 4, "the other items: open"
    html = pandoc(tmp_path, "-t", "html")
    assert html.returncode == 0 and "WARNING" not in html.stderr and html.stdout.count("checked") == 1


def test_brief_refuses_a_bad_state_file_and_writes_nothing(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["brief", "--catalog", str(REAL), "--challenge", "concept-drift",
                                       "--state", str(HERE / "states" / "malformed.json"),
                                       "--out", str(tmp_path / "brief.md")])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), "a clear error, not a traceback"
    assert re.search(r"malformed\.json:\d+: checklist: ", result.output)
    assert not (tmp_path / "brief.md").exists()


def test_brief_presents_the_case_studies_and_mitigations_the_reader_chose(tmp_path: Path) -> None:
    """`--case-study` and `--mitigation` (repeatable, in the order given, a repeat once) come after the
    challenges with their sources, which brief.bib then holds: nothing to merge by hand."""
    markdown, bibtex = write_brief(tmp_path, "--challenge", "model-stealing", "--mitigation", "evidently",
                                   "--case-study", "epic-sepsis-alerts-covid-19", "--mitigation", "alibi-detect",
                                   "--mitigation", "evidently")
    headings = re.findall(r"^## (.+?)(?:\]|$)", markdown, re.MULTILINE)
    assert headings == ["[Model stealing", "Case study: [Epic Sepsis Model at 24 hospitals — alert volume jumped "
                        "when COVID-19 arrived", "Mitigation: [Evidently", "Mitigation: [Alibi Detect", "References"]
    entries = set(parse_string(bibtex, "bibtex").entries)
    assert {"wong2021quantification", "evidently2026data", "klaise2020monitoring", "tramer2016stealing"} <= entries
    assert "Challenges it addresses: [Outlier detection](https://guide.example.org/challenges/outlier-detection/)" in (
        markdown)
    proc = pandoc(tmp_path, "-t", "plain", "--wrap=none")
    assert proc.returncode == 0 and "WARNING" not in proc.stderr, proc.stderr
    assert "(Wong et al. 2021" in proc.stdout and "(Klaise et al. 2020)" in proc.stdout
    only, _ = write_brief(tmp_path, "--mitigation", "evidently")
    assert re.findall(r"^## (.+?)(?:\]|$)", only, re.MULTILINE) == ["Mitigation: [Evidently", "References"]


def test_brief_refuses_an_unknown_case_study_or_mitigation(tmp_path: Path) -> None:
    for option, value, what in (("--case-study", "epic-sepsis", "case study"), ("--mitigation", "evidentlyy",
                                                                               "mitigation")):
        result = CliRunner().invoke(main, ["brief", "--catalog", str(REAL), option, value,
                                           "--out", str(tmp_path / "brief.md")])
        assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
        assert f"unknown {what} '{value}'" in result.output
        assert not (tmp_path / "brief.md").exists()


def test_a_profile_takes_what_the_planner_page_takes_and_the_brief_shows_the_name_as_typed(tmp_path: Path) -> None:
    """A profile is the team's text, as on the planner page: a Windows path, `<10 ms`, a Markdown link or
    a brace are accepted (they were refused as "catalog prose"), and the brief shows the name as typed in
    HTML and in LaTeX: no TeX command runs, no tag or link is made."""
    name = r"Scoring C:\data\input <b>fast</b> [wiki](javascript:x) {: .x}"
    (tmp_path / "p.yaml").write_text(yaml.safe_dump({"name": name, "industry": "finance", "description":
                                                     "Latency <10 ms; files under C:\\data; see [the plan](http://x)"}),
                                     encoding="utf-8")
    write_brief(tmp_path, "--profile", str(tmp_path / "p.yaml"))
    html = pandoc(tmp_path, "-s", "-t", "html")
    assert html.returncode == 0 and "WARNING" not in html.stderr, html.stderr
    shown = r"Scoring C:\data\input &lt;b&gt;fast&lt;/b&gt; [wiki](javascript:x) {: .x}"
    assert f"<title>Design-review brief: {shown}</title>" in html.stdout
    assert "javascript:x" not in re.findall(r'href="([^"]*)"', html.stdout)
    latex = pandoc(tmp_path, "-s", "-t", "latex")
    assert latex.returncode == 0, latex.stderr
    assert r"Scoring C:\textbackslash data\textbackslash input" in latex.stdout and r"\data" not in latex.stdout


def test_a_brief_written_where_no_folder_exists_makes_it_and_one_that_cannot_be_written_is_an_error(
        tmp_path: Path) -> None:
    out = tmp_path / "new" / "brief.md"
    result = CliRunner().invoke(main, ["brief", "--catalog", str(REAL), "--challenge", "concept-drift",
                                       "--out", str(out)])
    assert result.exit_code == 0 and out.is_file() and out.with_suffix(".bib").is_file(), result.output
    (tmp_path / "a-file").write_text("keep", encoding="utf-8")
    result = CliRunner().invoke(main, ["brief", "--catalog", str(REAL), "--challenge", "concept-drift",
                                       "--out", str(tmp_path / "a-file" / "brief.md")])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), "an error line, not a traceback"
    assert result.stderr.startswith(f"error: {tmp_path / 'a-file' / 'brief.md'}: cannot write")
    assert (tmp_path / "a-file").read_text(encoding="utf-8") == "keep"


def test_a_ranked_brief_says_how_far_to_trust_the_ranking_and_a_chosen_one_does_not(tmp_path: Path) -> None:
    """A reviewer reading a planner's brief learns, in the document itself, how often the planner's ranking
    held what bit real projects (plan.TRUST, as measured); a brief of challenges the reader chose by hand
    makes no claim about a ranking."""
    markdown, _ = full_brief(tmp_path)
    count, five, ten = plan.TRUST
    note = " ".join(markdown.split("\n---\n", 1)[1].split())
    assert note.count(f"On {count} real deployments it had not seen, the challenge that bit first was among its "
                      f"first five for {five} % of them and among its first ten for {ten} %") == 1
    assert note.index("Project profile: Healthcare, regulated.") < note.index(f"On {count} real deployments")
    proc = pandoc(tmp_path, "-t", "plain", "--wrap=none")
    assert f"among its first five for {five} % of them" in proc.stdout, "the note reaches the rendered document"
    chosen, _ = write_brief(tmp_path, "--challenge", "concept-drift")
    assert "real deployments it had not seen" not in chosen
