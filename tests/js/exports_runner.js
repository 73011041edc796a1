// Runs the page's checklist exports (content/assets/javascripts/engine/checklist.js) under Node for
// pytest, on a state file imported as the page imports it (read, checked against the published
// schema, merged into an empty checklist):
//   node exports_runner.js < {data, schema, index, jobs: [{state, format, title, stages, order, ranked,
//                                                          compact, exported}]}  ->  [text or {errors}]
// `order`: challenge ids in the planner's order (a plan export); otherwise the rows of `stages`
// (all when empty) in workflow order. Format "brief" (engine/plan.js): {profile, top, date,
// withPreprint, caseStudies, mitigations, state} ranked by the page's engine over the search index ->
// {markdown, bibtex}. `data` is planner/data.json in a folder of the site's files: the data is read as
// the page reads it (engine/parts.js), the challenges' chunks first, a brief's sections when one is made.
import fs from "node:fs";
import { dirname, join } from "node:path";
import * as StateFile from "../../content/assets/javascripts/engine/statefile.js";
import { rowsOf, toCsv, toJson, toMarkdown } from "../../content/assets/javascripts/engine/checklist.js";
import { assemble } from "../../content/assets/javascripts/engine/parts.js";
import { brief, readingIndex, withBrief } from "../../content/assets/javascripts/engine/plan.js";
import { Index, prepareDescription, rankProfile } from "../../content/assets/javascripts/engine/search.js";
import { emptyStore, localState, putState } from "../../content/assets/javascripts/engine/store.js";

const input = JSON.parse(fs.readFileSync(0, "utf8"));
const root = dirname(dirname(input.data));
const load = async (file) => JSON.parse(fs.readFileSync(join(root, file), "utf8"));
const data = await assemble(await load("planner/data.json"), { challenges: null }, load);
const schema = JSON.parse(fs.readFileSync(input.schema, "utf8"));
// The search index as the site ships it: the entry file, its parts read beside it when a description needs them.
const index = input.index ? new Index(JSON.parse(fs.readFileSync(input.index, "utf8")),
  async (name) => JSON.parse(fs.readFileSync(join(dirname(input.index), name), "utf8"))) : null;

const imported = (path) => {
  const store = emptyStore();
  if (!path) return store;
  const result = StateFile.read(new Uint8Array(fs.readFileSync(path)), schema, new Date());
  if (result.errors) return { errors: result.errors };
  const report = StateFile.compare(localState(store), StateFile.stateOf(result.items));
  for (const [id, fields] of report.merged) putState(store, id, StateFile.itemOf(id, fields));
  return store;
};

// The challenges' contexts and the deployments, fetched from the planner's chunks as the page fetches them
// (core/data.js loadReading).
const contexts = index && await readingIndex(data, "ranking.contexts", load, index);
const deployments = index && await readingIndex(data, "ranking.deployments", load, index);

const out = [];
for (const job of input.jobs) {
  if (job.format === "brief") {
    for (const x of [index, contexts, deployments]) if (x) await prepareDescription(x, job.profile.description);
  }
  out.push(await answer(job));
}

async function answer(job) {
  if (job.format === "brief") {
    const ranked = rankProfile(data.ranking, index, job.profile, contexts, deployments).slice(0, job.top);
    const store = job.state ? imported(job.state) : null;
    if (store?.errors) return store;
    const ids = { challenges: ranked.map((r) => r.id), caseStudies: job.caseStudies, mitigations: job.mitigations };
    const { markdown, bibtex } = brief(await withBrief(data, ids, load), job.profile, ranked, { date: job.date, withPreprint: job.withPreprint,
      caseStudies: job.caseStudies || [], mitigations: job.mitigations || [], store });
    return { markdown, bibtex };
  }
  const store = imported(job.state);
  if (store.errors) return store;
  const rows = rowsOf(data, job.stages || [], job.order || null);
  if (job.order) rows.sort((a, b) => job.order.indexOf(a.challenge) - job.order.indexOf(b.challenge));
  if (job.format === "md") return toMarkdown(data, rows, store, job.title, { ranked: Boolean(job.ranked), compact: job.compact });
  if (job.format === "csv") return toCsv(data, rows, store);
  if (job.format === "json") return toJson(data, rows, store, job.exported);
  throw new Error(`unknown format ${job.format}`);
}
process.stdout.write(JSON.stringify(out));
