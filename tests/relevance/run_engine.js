// Runs the page's search engine (content/assets/javascripts/engine/search.js) under Node for the
// parity tests and `make relevance`. Reads {index: path of search/index.json (its parts beside it),
// queries: [{text, prefix}], repeat, fresh, stems: [words], plan: {data: path, profiles: [...]},
// suggest: {data: path, profiles: [...]}} as JSON on stdin; writes the results as JSON on stdout.
// Each question is answered as the page answers it (engine `answer`: the chunks and fragments it
// needs, fetched through the index's loader); with `fresh`, by a new index each time, and the parts it
// read are reported (`files`), so that a test can hold them to fieldguide.search.files_for.
import fs from "node:fs";
import path from "node:path";
import * as engine from "../../content/assets/javascripts/engine/search.js";
import { suggest } from "../../content/assets/javascripts/engine/suggest.js";

const job = JSON.parse(fs.readFileSync(0, "utf8"));
const folder = path.dirname(job.index);
const entry = JSON.parse(fs.readFileSync(job.index, "utf8"));
const texts = new Map();
const open = (read) => new engine.Index(entry, async (name) => {
  read.add(name);
  if (!texts.has(name)) texts.set(name, fs.readFileSync(path.join(folder, name), "utf8"));
  return JSON.parse(texts.get(name));
});
let index = open(new Set());
const out = { queries: [], stems: [], terms: [], plans: [] };
// With `repeat`, each question runs that many times and the fastest time is kept: on a shared
// machine the slower runs measure other processes, not the engine.
for (const q of job.queries || []) {
  const read = new Set();
  if (job.fresh) index = open(read);
  const prefix = q.prefix !== false;
  const { hits, top } = await engine.answer(index, q.text, { prefix });
  const files = ["index.json", ...read].sort();
  let ms = Infinity;
  for (let k = 0; k < (job.repeat || 1); k += 1) {
    const started = process.hrtime.bigint();
    engine.run(index, q.text, { prefix });
    ms = Math.min(ms, Number(process.hrtime.bigint() - started) / 1e6);
  }
  await index.loadDocs(hits.map((h) => h.doc)); // every id, for the comparison (the page reads those shown)
  out.queries.push({ ms, hits: hits.map((h) => [h.type, h.id, h.score, h.matched]), top: top && top.id, files });
}
for (const w of job.stems || []) out.stems.push(engine.stem(w));
for (const w of job.terms || []) out.terms.push(index.term(w));
if (job.plan) {
  const data = JSON.parse(fs.readFileSync(job.plan.data, "utf8"));
  // The challenges' contexts and the deployments: their indexes' files, by name, in the planner's data
  // (whole here; the page fetches them in chunks, engine/plan.js readingIndex).
  const reading = (files = {}) => (files["index.json"]
    ? engine.sharing(index, files["index.json"], async (name) => files[name]) : null);
  const contexts = reading(data.ranking.contexts);
  const deployments = reading(data.ranking.deployments);
  for (const profile of job.plan.profiles) {
    for (const x of [index, contexts, deployments]) if (x) await engine.prepareDescription(x, profile.description);
    out.plans.push(engine.rankProfile(data.ranking, index, profile, contexts, deployments)
      .map((r) => [r.id, r.score, r.words, r.similar, r.sources]));
  }
}
// {suggest: {data: path, profiles: [...]}}: the planner page's suggestions (engine/suggest.js) per profile.
if (job.suggest) {
  const data = JSON.parse(fs.readFileSync(job.suggest.data, "utf8"));
  out.suggestions = job.suggest.profiles.map((profile) => suggest(data.ranking, index, profile, data.titles)
    .map((x) => [x.kind, x.id, x.title, x.score, x.words]));
}
process.stdout.write(JSON.stringify(out));
