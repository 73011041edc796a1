// The planner's words and the design-review brief, as fieldguide.plan and fieldguide.brief write them:
// the profile read from a form or a link, the reasons given for each ranked challenge, and the brief
// assembled from sections rendered in Python (planner/data.json `brief`). Pure: no page access.

import * as StateFile from "./statefile.js";
import { byCodePoint, pandocText, yamlScalar } from "./escape.js";
import { has, records } from "./parts.js";
import { sharing } from "./search.js";
import { stateOf } from "./store.js";

// The profile from anything with get/getAll: the planner form's FormData or a page's URL parameters.
export const profileFrom = (source) => ({
  name: (source.get("name") || "").split(/\s+/).filter(Boolean).join(" "),
  industry: source.get("industry") || "",
  traits: source.getAll("trait"),
  stages: source.getAll("stage"),
  description: source.get("description") || "",
});

// A project name as it goes into a reason: one line, no control character, at most MAX_LINE characters
// (a link can carry anything; the reason must still be what an import accepts).
export const projectName = (name) => {
  const clean = name.replace(new RegExp(`[${StateFile.CONTROL}]`, "gu"), " ")
    .split(/\s+/).filter(Boolean).join(" ");
  const chars = [...clean];
  return chars.length > StateFile.MAX_LINE ? `${chars.slice(0, StateFile.MAX_LINE - 1).join("")}…` : clean;
};

// Names from the profile (a shared link may carry anything) that the data knows, by its own keys only.
const known = (table, key) => (Object.hasOwn(table, key) ? table[key] : null);

// The same reasons, in the same words, as fieldguide.plan.Ranked.reasons (`whose`: "your" on the
// planner, the brief's third person from the data; `links`: each similar deployment's name as a Markdown
// link to its source, as the brief has it).
export const reasons = (data, r, whose = "your", links = false) => {
  const out = [];
  if (r.words.length) out.push(`${whose} description mentions ` + r.words.map((w) => `“${w}”`).join(", "));
  if (r.similar && r.similar.length) {
    out.push("it bit similar projects: " + r.similar.map((n, i) => (links ? `[“${n}”](<${r.sources[i]}>)` : `“${n}”`)).join(", "));
  }
  if (r.traits.length) out.push("matches " + r.traits.map((t) => known(data.traits, t).toLowerCase()).join(", "));
  const industry = r.industry && known(data.industries, r.industry) ? data.industries[r.industry].toLowerCase() : "";
  if (r.tagged) out.push(`typical of ${industry}`);
  if (r.industryCases) out.push(`${r.industryCases} case ${r.industryCases === 1 ? "study" : "studies"} in ${industry}`);
  if (!out.length && r.cases) {
    out.push(`nothing in ${whose} profile points to it; ranked by its ${r.cases} case ${r.cases === 1 ? "study" : "studies"}`);
  }
  return out.length ? out : [`nothing in ${whose} profile points to it; listed in workflow order`];
};

export const profileText = (data, profile) => [profile.industry && known(data.industries, profile.industry)]
  .concat(profile.traits.map((t) => known(data.traits, t)?.toLowerCase())).filter(Boolean).join(", ") || "general";

// The brief's head, filled in one pass as fieldguide.brief.fill_head does: text put into one slot is
// never read as another slot (a project called "{date}"), and a function replacement keeps "$'" as typed.
export const fillHead = (template, title, project, date, profile, csl = "", note = "") => {
  const values = {
    title: yamlScalar(pandocText(title)), date: yamlScalar(date), bibliography: yamlScalar("brief.bib"),
    project: project ? `project: ${yamlScalar(pandocText(project))}\n` : "",
    csl: csl ? `csl: ${yamlScalar(pandocText(csl))}\n` : "",
    profile: profile ? `Project profile: ${pandocText(profile)}.\n\n${note ? `${note}\n\n` : ""}` : "",
  };
  return template.replace(/\{(title|date|bibliography)\}|\{(project|csl|profile)\}\n/g, (_, a, b) => values[a || b]);
};

// A section's checklist lines with the team's state, as fieldguide.brief.with_state writes them: only
// done is ticked, accepted risk and not applicable have no box; status, reason, owner, note and evidence follow.
export const withState = (data, body, cid, store) => {
  const b = data.brief;
  const lines = body.split("\n");
  for (const { id } of data.challenges[cid].checklist) {
    const at = lines.findIndex((line) => line.startsWith(b.blank) && line.endsWith(` \`${id}\``));
    const state = stateOf(store, id);
    const reason = pandocText(state.reason || "");
    let said = data.labels.status[state.status] + (reason ? `: ${reason}` : "");
    for (const label of ["owner", "note", "evidence"]) {
      const text = pandocText(state[label] || "");
      if (text) said += `; ${label}: ${text}`;
    }
    lines[at] = `- ${Object.hasOwn(b.boxes, state.status) ? b.boxes[state.status] : ""}${lines[at].slice(b.blank.length)} (${said})`;
  }
  return lines.join("\n");
};

// The planner's data with the brief's sections of the challenges, case studies and mitigations chosen (ids;
// unknown ones left out) and the BibTeX of every source they and the survey cite, fetched by `load` from
// the chunks planner/data.json names (fieldguide.pagedata): what `brief` reads, and nothing more.
export const withBrief = async (data, { challenges = [], caseStudies = [], mitigations = [] }, load) => {
  const [sections, caseSections, mitigationSections] = await Promise.all([
    records(data, "brief.sections", challenges, load),
    records(data, "brief.case_studies", caseStudies, load),
    records(data, "brief.mitigations", mitigations, load)]);
  const cited = new Set(data.brief.always_with_preprint);
  for (const s of [sections, caseSections, mitigationSections].flatMap(Object.values)) for (const id of s.refs) cited.add(id);
  const references = await records(data, "brief.references", [...cited], load);
  return { ...data, brief: { ...data.brief, sections, case_studies: caseSections, mitigations: mitigationSections, references } };
};

// The design-review brief for `picked` (ranked challenges, in order), as `fieldguide brief` writes it:
// { markdown, bibtex, refs }. `date`: the reader's local date (YYYY-MM-DD); `withPreprint`: cite the
// survey's preprint too; `caseStudies`, `mitigations`: ids the reader chose (`--case-study`,
// `--mitigation`), after the challenges in the order given; ids the data does not know are skipped;
// `store`: the team's checklist state (`--state`), or none (every item an open box).
export const brief = (data, profile, picked, { date, withPreprint = false, caseStudies = [], mitigations = [],
  store = null }) => {
  const b = data.brief;
  const title = profile.name ? `Design-review brief: ${profile.name}` : "Design-review brief";
  const template = withPreprint ? b.head_with_preprint : b.head;
  const parts = [fillHead(template, title, profile.name, date, profileText(data, profile), "", b.ranked_note)];
  const refs = [...(withPreprint ? b.always_with_preprint : b.always)];
  for (const r of picked) {
    const s = b.sections[r.id];
    const body = store ? withState(data, s.body, r.id, store) : s.body;
    parts.push([s.heading, `*Why it is on this list:* ${reasons(data, r, b.whose, true).join("; ")}.`, body.trim()].join("\n\n"));
    for (const id of s.refs) if (!refs.includes(id)) refs.push(id);
  }
  const sectionsOf = (table, ids) => [...new Set(ids)].filter((id) => Object.hasOwn(table, id)).map((id) => table[id]);
  const chosen = sectionsOf(b.case_studies, caseStudies).concat(sectionsOf(b.mitigations, mitigations));
  for (const s of chosen) {
    parts.push(`${s.heading}\n\n${s.body.trim()}`);
    for (const id of s.refs) if (!refs.includes(id)) refs.push(id);
  }
  refs.sort((x, y) => byCodePoint(b.references[x].label, b.references[y].label) || byCodePoint(x, y));
  parts.push(b.references_section);  // citeproc writes the bibliography there, in the citations' style
  return { markdown: parts.join("\n\n") + "\n", bibtex: refs.map((id) => b.references[id].bibtex.trim()).join("\n\n") + "\n",
    refs };
};

// An index the planner also reads a description against (fieldguide.plan.reading_files: the planner
// data's table `ranking.contexts`, the challenges' contexts, or `ranking.deployments`, the deployments; its
// layout's files by name): its entry fetched first, then only the chunks holding the parts a description
// needs, so what a plan downloads grows with the description's words, not with the catalog; the tables it
// shares with `main`, the search index, come from there. Null when the catalog gives none.
export const readingIndex = async (core, table, load, main) => {
  if (!has(core, table, "index.json")) return null;
  const part = async (name) => {
    const found = await records(core, table, [name], load);
    if (!Object.hasOwn(found, name)) throw new Error(`the planner's ${table} index names ${name}, which its data lacks`);
    return found[name];
  };
  return sharing(main, await part("index.json"), part);
};
