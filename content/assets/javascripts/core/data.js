// The site's data files, each fetched once per visit (however many pages instant navigation shows):
// what the planner and checklists compute with, the published state-file schema the import validates
// with, the search index, and the citation basket's entries. The planner's and the basket's data come
// as a small core file and chunks (fieldguide.pagedata, read by engine/parts.js): a page fetches the
// chunks of what it shows or exports, never the whole catalog's texts.

import { basketData } from "../engine/citations.js";
import { assemble } from "../engine/parts.js";
import { readingIndex, withBrief } from "../engine/plan.js";
import { Index } from "../engine/search.js";
import { SITE_ROOT, loadJson } from "./site.js";

// Files whose name stays the same from one deploy to the next: revalidated on each visit (core/site.js).
const FIXED = { revalidate: true };

// planner/data.json with every challenge's texts (what the planner lists and the checklists export);
// the brief's sections and BibTeX stay out until a brief is made (`loadBrief`).
let dataPromise = null;
export const loadData = () => {
  dataPromise ??= loadJson("planner/data.json", FIXED).then((core) => assemble(core, { challenges: null }, loadJson));
  return dataPromise;
};

// The planner's data with what a brief of these challenges, case studies and mitigations needs (engine/plan.js).
export const loadBrief = (data, ids) => withBrief(data, ids, loadJson);

export const loadStateSchema = () => loadJson("downloads/schema/checklist-state.schema.json", FIXED);

// citations/data.json with the pages `keys` (the basket's) and their sources (engine/citations.js).
export const loadCitations = async (keys) => basketData(await loadJson("citations/data.json", FIXED), keys, loadJson);

// The search index as the engine's Index: its entry file (search/index.json) fetched the first time the
// search box or the planner's description needs it, never on page load; the chunks and fragments it
// names fetched by the engine as queries need them. A part that is missing or is not JSON rejects with
// the reason (the engine does not keep the failure: the next query tries again).
const loadSearchPart = async (name) => {
  const response = await fetch(new URL(`search/${name}`, SITE_ROOT));
  if (!response.ok) throw new Error(`search/${name} could not be loaded (HTTP ${response.status})`);
  try {
    return await response.json();
  } catch {
    throw new Error(`search/${name} is damaged (not JSON)`);
  }
};

let indexPromise = null;
export const loadIndex = () => {
  indexPromise ??= loadJson("search/index.json", FIXED).then((data) => new Index(data, loadSearchPart));
  return indexPromise;
};

// The indexes the planner also reads a description against (engine/plan.js readingIndex): the challenges'
// contexts (`ranking.contexts`) and the deployments (`ranking.deployments`), each fetched once a description
// is written. Null when the catalog gives none.
const readings = new Map();
export const loadReading = (data, table) => {
  if (!readings.has(table)) {
    const promise = loadIndex().then((main) => readingIndex(data, table, loadJson, main));
    promise.catch(() => readings.delete(table)); // a failure is not kept: the next plan tries again
    readings.set(table, promise);
  }
  return readings.get(table);
};
