// The citation basket's exports (BibTeX, CSL-JSON, Markdown with pandoc citations) and formatted
// list, from citations/data.json (formatted by pybtex when the site is built): this module only
// collects, orders and joins. Pure: no page access.

import { byCodePoint, pandocText } from "./escape.js";
import { records } from "./parts.js";

export const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

// The page keys saved in the basket's storage value ({ version: 1, pages: [...] }); null when the
// value is unreadable (the basket keeps such a value aside; other readers take it as empty).
export const savedKeys = (raw) => {
  try {
    const parsed = JSON.parse(raw);
    if (parsed && parsed.version === 1 && Array.isArray(parsed.pages)) {
      return parsed.pages.filter((k) => typeof k === "string" && SLUG.test(k));
    }
  } catch { /* unreadable */ }
  return null;
};

// citations/data.json's core with the pages `keys` (the basket's; unknown ones left out) and every
// source they cite, with the preprints of peer-reviewed versions (the "cite both" option), fetched by
// `load` from the chunks the core names (fieldguide.pagedata): what the functions below read.
export const basketData = async (core, keys, load) => {
  const pages = await records(core, "pages", keys, load);
  const cited = Object.values(pages).flatMap((p) => p.refs);
  const preprints = cited.filter((id) => Object.hasOwn(core.preprints, id)).map((id) => core.preprints[id]);
  return { ...core, pages, references: await records(core, "references", cited.concat(preprints), load) };
};

// Pages in the order added, then each page's sources after it; every entry once. Saved keys are the
// reader's storage: looked up among the data's own keys only ("constructor" is no page). `preprints`:
// each peer-reviewed version brings its preprint (data.preprints).
export const collect = (data, keys, preprints) => {
  const pages = keys.filter((k) => Object.hasOwn(data.pages, k));
  const missing = keys.filter((k) => !Object.hasOwn(data.pages, k));
  const refs = [];
  const add = (id) => { if (!refs.includes(id)) refs.push(id); };
  for (const key of pages) {
    for (const id of data.pages[key].refs) {
      add(id);
      if (preprints && data.preprints?.[id]) add(data.preprints[id]);
    }
  }
  return { pages, refs, missing };
};

// A page is cited with the day the reader looked at it (BibTeX `urldate`, CSL `accessed`), never with
// the release date: the build cannot know it, so the static citations carry none and the page adds
// the reader's local date (YYYY-MM-DD).
export const withUrldate = (bibtex, date) => bibtex.trim().replace(/\n}$/, `,\n    urldate = "${date}"\n}`);
const withAccessed = (csl, date) => ({ ...csl, accessed: { "date-parts": [date.split("-").map(Number)] } });

const entries = (data, picked, date) => picked.pages
  .map((key) => ({ key, ...data.pages[key], bibtex: withUrldate(data.pages[key].bibtex, date),
    csl: withAccessed(data.pages[key].csl, date), text: `${data.pages[key].text} Accessed ${date}.` }))
  .concat(picked.refs.map((key) => ({ key, ...data.references[key] })));

export const toBibtex = (data, picked, date) => entries(data, picked, date).map((e) => e.bibtex.trim()).join("\n\n") + "\n";

export const toCsl = (data, picked, date) => JSON.stringify(entries(data, picked, date).map((e) => e.csl), null, 2) + "\n";

export const toMarkdown = (data, picked) => {
  const out = ["---", "bibliography: citations.bib", "---", "",
    `Collected from the ${data.guide} (catalog version ${data.version}, released ${data.released}).`,
    "Render with `pandoc --citeproc notes.md -o notes.docx`, with `citations.bib` beside it.", ""];
  for (const key of picked.pages) {
    const page = data.pages[key];
    const sources = page.refs.map((id) => `@${id}`).join("; ");
    out.push(`- ${pandocText(page.title)} [@${key}]` + (sources ? `, drawing on [${sources}]` : ""));
  }
  out.push("", "## References", "", "::: {#refs}", ":::");
  return out.join("\n") + "\n";
};

// The list as text in one of three styles: numbered (plain), alpha labels, author-year.
export const formatted = (data, picked, style, date) => {
  const all = entries(data, picked, date);
  if (style === "alpha") {
    // Labels repeated within the list get a, b, c… as the alpha style does (pages share theirs).
    const sorted = all.map((e) => ({ label: e.alpha, text: e.text }))
      .sort((a, b) => byCodePoint(a.label, b.label) || byCodePoint(a.text, b.text));
    const counts = new Map();
    for (const e of sorted) counts.set(e.label, (counts.get(e.label) || 0) + 1);
    const seen = new Map();
    return sorted.map((e) => {
      let suffix = "";
      if (counts.get(e.label) > 1) {
        seen.set(e.label, (seen.get(e.label) ?? -1) + 1);
        suffix = String.fromCharCode(97 + seen.get(e.label));
      }
      return `[${e.label}${suffix}] ${e.text}`;
    }).join("\n\n");
  }
  if (style === "authoryear") {
    return all.map((e) => ({ label: e.label, text: e.text }))
      .sort((a, b) => byCodePoint(a.label, b.label) || byCodePoint(a.text, b.text))
      .map((e) => `${e.label}. ${e.text}`).join("\n\n");
  }
  return all.map((e, i) => `[${i + 1}] ${e.text}`).join("\n\n");
};
