"""The design-review brief: chosen challenges with checklists, precedents, mitigations and sources.

One Markdown document a team attaches to a design review, plus the BibTeX of everything it cites.
Each challenge's section is rendered once, here; the planner page assembles the same sections
(shipped as data) for the challenges a team picks, so the brief has a single implementation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import networkx as nx

from . import __version__, export
from .graph import incoming
from .load import Catalog
from .pages import environment, page_url
from .plan import Ranked


@dataclass(frozen=True)
class Section:
    heading: str  # "## [Title](url)"
    body: str
    refs: tuple[str, ...]  # reference ids cited in the body, in order of first citation


def section(cat: Catalog, g: nx.MultiDiGraph, cid: str, site_url: str) -> Section:
    c = cat.challenges[cid]
    cited: dict[str, None] = {}

    def cite(ref_ids: list[str]) -> str:
        cited.update(dict.fromkeys(ref_ids))
        return "(" + "; ".join(export.label(cat.references[r]) for r in ref_ids) + ")" if ref_ids else ""

    cases = [cat.case_studies[s] for s in incoming(g, cid, "illustrates")]
    mitigations = [cat.mitigations[m] for m in incoming(g, cid, "addresses")]
    context = {
        "c": c, "cite": cite(list(c.references)),
        "cases": [{"s": s, "how": next(link.how for link in s.challenges if link.challenge == cid),
                   "url": page_url(site_url, f"case-studies/{s.id}.md"), "cite": cite(list(s.references))}
                  for s in cases],
        "mitigations": [{"m": m, "how": next(link.how for link in m.challenges if link.challenge == cid),
                         "url": page_url(site_url, f"mitigations/{m.id}.md")} for m in mitigations],
    }
    body = environment().get_template("brief_section.md.j2").render(**context).strip() + "\n"
    heading = f"## [{c.title}]({page_url(site_url, f'challenges/{cid}.md')})"
    return Section(heading, body, tuple(cited))


def why_line(reasons: list[str]) -> str:
    return f"*Why it is on this list:* {'; '.join(reasons)}." if reasons else ""


def brief(cat: Catalog, g: nx.MultiDiGraph, challenge_ids: list[str], site_url: str,
          title: str = "Design-review brief", ranked: list[Ranked] | None = None,
          profile_text: str = "") -> tuple[str, str]:
    """Return (Markdown, BibTeX) for the chosen challenges, in the order given."""
    reasons = {r.id: r.reasons(cat) for r in ranked or []}
    sections = [section(cat, g, cid, site_url) for cid in challenge_ids]
    ref_ids = list(dict.fromkeys(r for s in sections for r in s.refs))
    refs = sorted((cat.references[r] for r in ref_ids), key=lambda r: (export.label(r), r.id))
    citations = export.citations(refs)
    parts = [environment().get_template("brief_head.md.j2").render(
        title=title, profile_text=profile_text, version=__version__, site_url=site_url).strip()]
    for sec, cid in zip(sections, challenge_ids, strict=True):
        parts.append("\n\n".join(filter(None, [sec.heading, why_line(reasons.get(cid, [])), sec.body.strip()])))
    parts.append("## Bibliography\n\n" + "\n".join(f"- {export.label(r)}. {citations[r.id]}" for r in refs))
    return "\n\n".join(parts) + "\n", export.to_bibtex(refs)


def page_data(cat: Catalog, g: nx.MultiDiGraph, site_url: str, citations: dict[str, str],
              bibtex: dict[str, str]) -> dict[str, Any]:
    """Sections and sources for the planner page, which assembles briefs for any selection.
    `citations` and `bibtex` (per reference id) come from the site generator, computed once."""
    sections = {cid: section(cat, g, cid, site_url) for cid in cat.challenges}
    used = sorted({r for s in sections.values() for r in s.refs})
    refs = [cat.references[r] for r in used]
    return {
        "head": environment().get_template("brief_head.md.j2").render(
            title="{title}", profile_text="{profile}", version=__version__, site_url=site_url).strip(),
        "sections": {cid: {"heading": s.heading, "body": s.body, "refs": list(s.refs)} for cid, s in sections.items()},
        "references": {r.id: {"label": export.label(r), "citation": citations[r.id], "bibtex": bibtex[r.id]}
                       for r in refs},
    }
