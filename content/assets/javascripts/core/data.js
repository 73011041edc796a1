// The site's data files, each fetched once per visit (however many pages instant navigation shows):
// what the planner and checklists compute with, the published state-file schema the import validates
// with, the search index, and the citation basket's entries.

import { Index } from "../engine/search.js";
import { loadJson } from "./site.js";

export const loadData = () => loadJson("planner/data.json");
export const loadStateSchema = () => loadJson("downloads/schema/checklist-state.schema.json");
export const loadCitations = () => loadJson("citations/data.json");

// The search index (search/index.json) as the engine's Index: fetched the first time the search box or
// the planner's description needs it, never on page load.
let indexPromise = null;
export const loadIndex = () => {
  indexPromise ??= loadJson("search/index.json").then((data) => new Index(data));
  return indexPromise;
};
