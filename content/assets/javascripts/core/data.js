// The site's data files, each fetched once per visit (however many pages instant navigation shows):
// what the planner and checklists compute with, the published state-file schema the import validates
// with, the search index, and the citation basket's entries.

import { Index } from "../engine/search.js";
import { SITE_ROOT, loadJson } from "./site.js";

export const loadData = () => loadJson("planner/data.json");
export const loadStateSchema = () => loadJson("downloads/schema/checklist-state.schema.json");
export const loadCitations = () => loadJson("citations/data.json");

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
  indexPromise ??= loadJson("search/index.json").then((data) => new Index(data, loadSearchPart));
  return indexPromise;
};
