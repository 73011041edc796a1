// Runs the page's search engine (content/assets/javascripts/engine/search.js) under Node for the
// parity tests and `make relevance`. Reads {index: path, queries: [{text, prefix}], repeat, stems: [words],
// plan: {data: path, profiles: [...]}, suggest: {data: path, profiles: [...]}} as JSON on stdin; writes the results as JSON on stdout.
import fs from "node:fs";
import * as engine from "../../content/assets/javascripts/engine/search.js";
import { suggest } from "../../content/assets/javascripts/engine/suggest.js";

const job = JSON.parse(fs.readFileSync(0, "utf8"));
const index = new engine.Index(JSON.parse(fs.readFileSync(job.index, "utf8")));
const out = { queries: [], stems: [], terms: [], plans: [] };
// With `repeat`, each question runs that many times and the fastest time is kept: on a shared
// machine the slower runs measure other processes, not the engine.
for (const q of job.queries || []) {
  let hits;
  let ms = Infinity;
  for (let k = 0; k < (job.repeat || 1); k += 1) {
    const started = process.hrtime.bigint();
    hits = engine.run(index, q.text, { prefix: q.prefix !== false });
    ms = Math.min(ms, Number(process.hrtime.bigint() - started) / 1e6);
  }
  const top = engine.topHit(index, q.text, hits);
  out.queries.push({ ms, hits: hits.map((h) => [h.type, h.id, h.score, h.matched]), top: top && top.id });
}
for (const w of job.stems || []) out.stems.push(engine.stem(w));
for (const w of job.terms || []) out.terms.push(index.term(w));
if (job.plan) {
  const data = JSON.parse(fs.readFileSync(job.plan.data, "utf8"));
  for (const profile of job.plan.profiles) {
    out.plans.push(engine.rankProfile(data.ranking, index, profile).map((r) => [r.id, r.score, r.words]));
  }
}
// {suggest: {data: path, profiles: [...]}}: the planner page's suggestions (engine/suggest.js) per profile.
if (job.suggest) {
  const data = JSON.parse(fs.readFileSync(job.suggest.data, "utf8"));
  out.suggestions = job.suggest.profiles.map((profile) => suggest(data.ranking, index, profile, data.titles)
    .map((x) => [x.kind, x.id, x.title, x.score, x.words]));
}
process.stdout.write(JSON.stringify(out));
