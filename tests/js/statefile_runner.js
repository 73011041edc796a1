// Runs the page's state-file code (content/assets/javascripts/statefile.js) under Node for pytest:
//   node statefile_runner.js read SCHEMA.json FILE...   -> [{file, accepted, errors, items}]
//   node statefile_runner.js merge CASE.json...         -> [{file, items, new, changed, unchanged, conflicts}]
//   node statefile_runner.js ajv SCHEMA.json FILE...    -> [{file, accepted}] by ajv (the reference validator)
"use strict";
const fs = require("fs");
const path = require("path");
const StateFile = require(path.join(__dirname, "..", "..", "content", "assets", "javascripts", "statefile.js"));

const [command, ...args] = process.argv.slice(2);
const out = [];
if (command === "read") {
  const schema = JSON.parse(fs.readFileSync(args[0], "utf8"));
  for (const file of args.slice(1)) {
    const result = StateFile.read(new Uint8Array(fs.readFileSync(file)), schema);
    out.push({ file, accepted: !result.errors, errors: result.errors || [], items: result.items || [] });
  }
} else if (command === "merge") {
  for (const file of args) {
    const golden = JSON.parse(fs.readFileSync(file, "utf8"));
    const result = StateFile.merge(golden.local.map(StateFile.item), golden.incoming.map(StateFile.item));
    out.push({ file, items: result.items.map(StateFile.item), new: result.new, changed: result.changed,
      unchanged: result.unchanged, conflicts: result.conflicts.map((c) => c.local.id) });
  }
} else if (command === "ajv") {
  const Ajv2020 = require("ajv/dist/2020");
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  const validate = ajv.compile(JSON.parse(fs.readFileSync(args[0], "utf8")));
  for (const file of args.slice(1)) {
    let data;
    try { data = JSON.parse(fs.readFileSync(file, "utf8").replace(/^\uFEFF/, "")); } catch { out.push({ file, accepted: null }); continue; }
    out.push({ file, accepted: validate(data), errors: (validate.errors || []).map((e) => `${e.instancePath} ${e.message}`) });
  }
} else {
  throw new Error(`unknown command ${command}`);
}
process.stdout.write(JSON.stringify(out));
