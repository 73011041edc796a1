// The baseline of `make relevance`: Material for MkDocs' own search worker (lunr), run under Node
// against the search index that Material's search plugin wrote for the site. Reads
// {worker: path, index: path, queries: [text]} as JSON on stdin; writes, per query, the page
// addresses of the results in the order Material shows them.
import fs from "node:fs";
import vm from "node:vm";

const job = JSON.parse(fs.readFileSync(0, "utf8"));
let handler = null;
let reply = null;
// What a dedicated worker sees of its global scope, as far as Material's worker uses it.
globalThis.self = globalThis;
globalThis.addEventListener = (type, fn) => { if (type === "message") handler = fn; };
globalThis.postMessage = (message) => { reply = message; };
vm.runInThisContext(fs.readFileSync(job.worker, "utf8"), { filename: job.worker });

const send = async (message) => {
  reply = null;
  await handler({ data: message });
  for (let i = 0; i < 100 && reply === null; i += 1) await new Promise((r) => setImmediate(r));
  return reply;
};

(async () => {
  const index = JSON.parse(fs.readFileSync(job.index, "utf8"));
  // As Material's page sends it (bundle.js): config and docs, with the site's search features (none).
  const ready = await send({ type: 0, data: { config: index.config, docs: index.docs, options: { suggest: false } } });
  if (!ready || ready.type !== 1) throw new Error("Material's worker did not become ready");
  const out = [];
  for (const query of job.queries) {
    const result = await send({ type: 2, data: query });
    out.push((result.data.items || []).map((item) => (Array.isArray(item) ? item[0] : item).location));
  }
  process.stdout.write(JSON.stringify(out));
})().catch((error) => { console.error(error); process.exit(1); });
