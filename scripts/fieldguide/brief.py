"""The design-review brief: chosen challenges with checklists, precedents, mitigations and sources.

One pandoc-ready Markdown document a team attaches to a design review as it is: a YAML metadata block
(title, project, date, `bibliography: brief.bib`, optionally `csl:`), sources cited as `[@key]`, and
an empty References section that `pandoc --citeproc` fills, so in-text citations and bibliography
come from one CSL style (pandoc's built-in Chicago author-date unless the reader names another).
Plus the BibTeX of everything it cites. The document is written in the third person and carries no
tool instructions: how to render it is said by the CLI (stderr, `--help`) and the planner page's help.

Each challenge's section is rendered once, here; the planner page assembles the same sections
(shipped as data) for the challenges a team picks, so the brief has a single implementation and the
page's brief is byte-identical to `fieldguide brief`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import networkx as nx

from . import RELEASED, __version__, bib
from .catalog import Catalog
from .checklist import STATUS_TEXT, State
from .cite import cited_survey, expand, page_key, survey_family
from .escape import pandoc_markdown, pandoc_metadata, pandoc_text, yaml_scalar
from .graph import incoming
from .pages import entity_url, environment
from .plan import TRUST, Ranked
from .schema import ItemState, Reference

TITLE = "Design-review brief"
WHOSE = "the project's"  # reasons in the third person: "the project's description mentions ..."
# Where citeproc writes the bibliography (pandoc's `refs` div), in the style of the in-text citations.
REFERENCES = "## References\n\n::: {#refs}\n:::"
# After the profile line of a ranked brief: how far a reviewer can trust the ranking (plan.TRUST). The page
# receives it as data (`brief.ranked_note`), so both write the same words.
RANKED_NOTE = (f"The guide's planner ranked the challenges for this profile, and each section says why it is on "
               f"the list. On {TRUST[0]} real deployments it had not seen, the challenge that bit first was among "
               f"its first five for {TRUST[1]} % of them and among its first ten for {TRUST[2]} %: its ranking is "
               f"where a review starts, not its verdict.")


@dataclass(frozen=True)
class Section:
    heading: str  # "## [Title](url)"
    body: str
    refs: tuple[str, ...]  # reference ids cited in the body, in order of first citation


def cite_keys(cat: Catalog, ref_ids: list[str]) -> list[str]:
    """The keys a brief cites for `ref_ids`: a preprint is cited by its peer-reviewed version."""
    return [k for k in expand(cat, ref_ids) if k in cat.references]


def pandoc_cite(keys: list[str]) -> str:
    return "[" + "; ".join(f"@{k}" for k in keys) + "]" if keys else ""


def section(cat: Catalog, g: nx.MultiDiGraph, cid: str, site_url: str) -> Section:
    c = cat.challenges[cid]
    cited: dict[str, None] = {}

    def cite(ref_ids: list[str]) -> str:
        keys = cite_keys(cat, ref_ids)
        cited.update(dict.fromkeys(keys))
        return pandoc_cite(keys)

    cases = [cat.case_studies[s] for s in incoming(g, cid, "illustrates")]
    mitigations = [cat.mitigations[m] for m in incoming(g, cid, "addresses")]
    context = {
        "c": c, "cite": cite(list(c.references)),
        "cases": [{"s": s, "how": next(link.how for link in s.challenges if link.challenge == cid),
                   "url": entity_url(site_url, "case_study", s.id), "cite": cite(list(s.references))}
                  for s in cases],
        "mitigations": [{"m": m, "how": next(link.how for link in m.challenges if link.challenge == cid),
                         "url": entity_url(site_url, "mitigation", m.id)} for m in mitigations],
    }
    body = pandoc_markdown(environment().get_template("brief_section.md.j2").render(**context).strip()) + "\n"
    heading = f"## [{pandoc_markdown(c.title)}]({entity_url(site_url, 'challenge', cid)})"
    return Section(heading, body, tuple(cited))


def entity_section(cat: Catalog, kind: str, eid: str, site_url: str) -> Section:
    """A case study or mitigation the reader chose (`kind`: "case_study" or "mitigation"): what it
    is, its sources, and the challenges it illustrates or addresses."""
    entity = cat.case_studies[eid] if kind == "case_study" else cat.mitigations[eid]
    keys = cite_keys(cat, list(entity.references))
    linked = list(dict.fromkeys(link.challenge for link in entity.challenges))
    context = {"s": entity if kind == "case_study" else None, "m": entity if kind == "mitigation" else None,
               "cite": pandoc_cite(keys),
               "challenges": [{"title": cat.challenges[c].title, "url": entity_url(site_url, "challenge", c)}
                              for c in linked]}
    body = pandoc_markdown(environment().get_template("brief_entity.md.j2").render(**context).strip()) + "\n"
    label = "Case study" if kind == "case_study" else "Mitigation"
    heading = f"## {label}: [{pandoc_markdown(entity.title)}]({entity_url(site_url, kind, eid)})"
    return Section(heading, body, tuple(dict.fromkeys(keys)))


BLANK = "- [ ] "  # a checklist line without state: the template's `- [ ] text `id``
# With the team's state, only done is ticked; accepted risk and not applicable get no box at all
# (an open box would read as a gap, a tick as done). Shipped to the page, which does the same.
BOXES = {"done": "[x] ", "open": "[ ] ", "in-progress": "[ ] "}


def stated(check: str, state: ItemState) -> str:
    """A checklist line with the team's state: `check` is the item's text and id as the section lists
    them; the status, reason, owner, note and evidence follow, each escaped for pandoc (a person's text:
    it reads as typed, on one line; a note's line breaks become spaces)."""
    reason = pandoc_text(state.reason)
    said = STATUS_TEXT[state.status] + (f": {reason}" if reason else "")
    for label, value in (("owner", state.owner), ("note", state.note), ("evidence", state.evidence)):
        if text := pandoc_text(value):
            said += f"; {label}: {text}"
    return f"- {BOXES.get(state.status, '')}{check} ({said})"


def with_state(cat: Catalog, sec: Section, cid: str, state: State) -> Section:
    """The section with each of its checklist lines given the team's state; the planner page does
    exactly this in JavaScript (`withState`)."""
    lines = sec.body.split("\n")
    for item in cat.challenges[cid].checklist:
        at = next(i for i, line in enumerate(lines) if line.startswith(BLANK) and line.endswith(f" `{item.id}`"))
        lines[at] = stated(lines[at][len(BLANK):], state.of(item.id))
    return Section(sec.heading, "\n".join(lines), sec.refs)


def why_line(reasons: list[str]) -> str:
    return f"*Why it is on this list:* {'; '.join(reasons)}." if reasons else ""


def title_of(project: str) -> str:
    return f"{TITLE}: {project}" if project else TITLE


def head_template(cat: Catalog, site_url: str, with_preprint: bool = False) -> str:
    """The brief's opening with `{title}`, `{date}` and `{bibliography}` (values of the metadata block),
    and `{project}`, `{csl}` and `{profile}` (whole lines, dropped when empty) left to fill in. It cites the survey's
    peer-reviewed version, and the preprint the catalog follows too when the reader asks for both."""
    return environment().get_template("brief_head.md.j2").render(
        title="{title}", project_line="{project}", csl_line="{csl}", date="{date}", profile_line="{profile}",
        bibliography="{bibliography}",
        version=__version__, released=RELEASED, site_url=site_url,
        survey=cited_survey(cat, with_preprint), published=len(survey_family(cat)) > 1).strip()


# The six slots, filled in one pass: text filled into one slot is never read as another slot.
HEAD_SLOTS = re.compile(r"\{(title|date|bibliography)\}|\{(project|csl|profile)\}\n")
BIB = "brief.bib"  # the BibTeX file's name beside the brief (the page's download; the CLI's default)


def fill_head(template: str, title: str, project: str, date: str, profile_text: str, csl: str = "",
              bibliography: str = BIB) -> str:
    """Fill the head template; the planner page does exactly this in JavaScript (`fillHead`).

    The title, project name and file paths are a person's text: escaped for pandoc, whose metadata
    values are Markdown, then quoted for YAML. The profile line is escaped for pandoc's body text."""
    values = {"title": pandoc_metadata(title), "date": yaml_scalar(date), "bibliography": pandoc_metadata(bibliography),
              "project": f"project: {pandoc_metadata(project)}\n" if project else "",
              "csl": f"csl: {pandoc_metadata(csl)}\n" if csl else "",
              "profile": f"Project profile: {pandoc_text(profile_text)}.\n\n{RANKED_NOTE}\n\n" if profile_text else ""}
    return HEAD_SLOTS.sub(lambda m: values[m.group(1) or m.group(2)], template)


def ordered(refs: list[Reference]) -> list[Reference]:
    return sorted(refs, key=lambda r: (bib.label(r), r.id))


def brief(cat: Catalog, g: nx.MultiDiGraph, challenge_ids: list[str], site_url: str,
          ranked: list[Ranked] | None = None, profile_text: str = "", project: str = "",
          date: str = RELEASED, with_preprint: bool = False, csl: str = "",
          bibliography: str = BIB, state: State | None = None, case_study_ids: list[str] | None = None,
          mitigation_ids: list[str] | None = None) -> tuple[str, str]:
    """Return (Markdown, BibTeX) for the chosen challenges, in the order given. `csl` and
    `bibliography`: the style and BibTeX files named in the metadata block, as paths pandoc run
    beside the brief reads (no `csl`: pandoc's built-in Chicago author-date). `state`: the team's
    checklist state, shown on every item (without it, every item is an open box). Case studies and
    mitigations the reader chose follow the challenges, each in the order given."""
    reasons = {r.id: r.reasons(cat, WHOSE, links=True) for r in ranked or []}
    sections = [section(cat, g, cid, site_url) for cid in challenge_ids]
    if state is not None:
        sections = [with_state(cat, sec, cid, state) for sec, cid in zip(sections, challenge_ids, strict=True)]
    chosen = [entity_section(cat, "case_study", s, site_url) for s in case_study_ids or []] + [
        entity_section(cat, "mitigation", m, site_url) for m in mitigation_ids or []]
    ref_ids = list(dict.fromkeys(cited_survey(cat, with_preprint) + [r for s in sections + chosen for r in s.refs]))
    refs = ordered([cat.references[r] for r in ref_ids])
    parts = [fill_head(head_template(cat, site_url, with_preprint), title_of(project), project, date, profile_text,
                       csl, bibliography)]
    for sec, cid in zip(sections, challenge_ids, strict=True):
        parts.append("\n\n".join(filter(None, [sec.heading, why_line(reasons.get(cid, [])), sec.body.strip()])))
    parts.extend(f"{sec.heading}\n\n{sec.body.strip()}" for sec in chosen)
    parts.append(REFERENCES)
    return "\n\n".join(parts) + "\n", bib.join_bibtex([bib.to_bibtex([r]) for r in refs])


def page_data(cat: Catalog, g: nx.MultiDiGraph, site_url: str, bibtex: dict[str, str]) -> dict[str, Any]:
    """Sections and sources for the planner page, which assembles briefs for any selection.
    `bibtex` (per reference id) comes from the site generator, computed once. The label only orders
    brief.bib; the bibliography itself is citeproc's."""
    sections = {cid: section(cat, g, cid, site_url) for cid in cat.challenges}
    # What "Add my citations" brings in from the citation basket, as --case-study and --mitigation do.
    chosen = {kind: {eid: entity_section(cat, kind, eid, site_url) for eid in pool}
              for kind, pool in (("case_study", cat.case_studies), ("mitigation", cat.mitigations))}
    everything = [*sections.values(), *chosen["case_study"].values(), *chosen["mitigation"].values()]
    used = sorted(set(cited_survey(cat, True)) | {r for s in everything for r in s.refs})
    refs = [cat.references[r] for r in used]
    return {
        "head": head_template(cat, site_url),
        "always": cited_survey(cat),
        # The reader's "also cite the 2020 arXiv text" option: the same brief with the preprint too.
        "head_with_preprint": head_template(cat, site_url, True),
        "always_with_preprint": cited_survey(cat, True),
        "references_section": REFERENCES,
        "ranked_note": RANKED_NOTE,
        "page_key": page_key(""),  # a basket key is this prefix and the entity's id
        "whose": WHOSE,
        "blank": BLANK,
        "boxes": BOXES,
        "sections": {cid: _shipped(s) for cid, s in sections.items()},
        "case_studies": {eid: _shipped(s) for eid, s in chosen["case_study"].items()},
        "mitigations": {eid: _shipped(s) for eid, s in chosen["mitigation"].items()},
        "references": {r.id: {"label": bib.label(r), "bibtex": bibtex[r.id]}
                       for r in refs},
    }


def _shipped(sec: Section) -> dict[str, Any]:
    return {"heading": sec.heading, "body": sec.body, "refs": list(sec.refs)}
