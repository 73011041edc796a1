// Runs the page's state-file module (content/assets/javascripts/engine/statefile.js) under Node for pytest:
//   node statefile_runner.js read SCHEMA.json NOW FILE...     -> [{file, accepted, errors, items, warnings}]
//   node statefile_runner.js merge CASE.json...               -> [{file, items, fields, new, changed, unchanged, conflicts}]
//   node statefile_runner.js groups SCHEMA.json NOW PLAN.json -> per group of files: the merged items, and for
//                                                                a pair the import report (PLAN: [[FILE, ...], ...])
//   node statefile_runner.js ajv SCHEMA.json FILE...          -> [{file, accepted}] by ajv (the reference validator)
//   node statefile_runner.js constants                        -> the constants the Python side must share
//   node statefile_runner.js script FILE.js                   -> runs a test script with StateFile in scope
// NOW is this computer's clock as the page would see it ("…Z"): change times a day ahead of it are clamped.
import fs from "node:fs";
import Ajv2020 from "ajv/dist/2020.js";
import * as StateFile from "../../content/assets/javascripts/engine/statefile.js";

const report = (r) => ({
  fields: r.fields.map((f) => [f.id, f.field, f.kind, f.kept]),
  new: r.new, changed: r.changed, unchanged: r.unchanged, conflicts: r.conflicts,
});

const [command, ...args] = process.argv.slice(2);
let out = [];
if (command === "read") {
  const schema = JSON.parse(fs.readFileSync(args[0], "utf8"));
  const now = new Date(args[1]);
  for (const file of args.slice(2)) {
    const result = StateFile.read(new Uint8Array(fs.readFileSync(file)), schema, now);
    out.push({ file, accepted: !result.errors, errors: result.errors || [],
      items: (result.items || []).map(StateFile.itemJson), warnings: result.warnings || [] });
  }
} else if (command === "merge") {
  for (const file of args) {
    const golden = JSON.parse(fs.readFileSync(file, "utf8"));
    const result = StateFile.compare(StateFile.stateOf(golden.local.map(StateFile.item)),
      StateFile.stateOf(golden.incoming.map(StateFile.item)));
    out.push({ file, items: StateFile.itemsOf(result.merged).map(StateFile.itemJson), ...report(result) });
  }
} else if (command === "groups") {
  const schema = JSON.parse(fs.readFileSync(args[0], "utf8"));
  const now = new Date(args[1]);
  const plan = JSON.parse(fs.readFileSync(args[2], "utf8"));
  const states = new Map();
  const stateOf = (file) => {
    if (!states.has(file)) {
      const result = StateFile.read(new Uint8Array(fs.readFileSync(file)), schema, now);
      if (result.errors) throw new Error(`${file}: ${result.errors.join("; ")}`);
      states.set(file, StateFile.stateOf(result.items));
    }
    return states.get(file);
  };
  out = plan.map((group) => {
    const parts = group.map(stateOf);
    const entry = { items: StateFile.itemsOf(StateFile.join(...parts)).map(StateFile.itemJson) };
    if (parts.length === 2) entry.report = report(StateFile.compare(parts[0], parts[1]));
    return entry;
  });
} else if (command === "ajv") {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  const validate = ajv.compile(JSON.parse(fs.readFileSync(args[0], "utf8")));
  for (const file of args.slice(1)) {
    let data;
    try { data = JSON.parse(fs.readFileSync(file, "utf8").replace(/^\uFEFF/, "")); } catch { out.push({ file, accepted: null }); continue; }
    out.push({ file, accepted: validate(data), errors: (validate.errors || []).map((e) => `${e.instancePath} ${e.message}`) });
  }
} else if (command === "constants") {
  const { REASON_GIVEN, V1_NA_REASON, V2_BLANK_REASON, PLAN_REASON, FIELDS, MAX_REPLACES, STATUSES, NEEDS_REASON,
    CONTROL, LINE_PATTERN, MAX_LINE } = StateFile;
  out = { REASON_PATTERN: REASON_GIVEN.source, V1_NA_REASON, V2_BLANK_REASON, PLAN_REASON, FIELDS, MAX_REPLACES,
    STATUSES, NEEDS_REASON, CONTROL, LINE_PATTERN, MAX_LINE };
} else if (command === "script") {
  out = new Function("StateFile", fs.readFileSync(args[0], "utf8"))(StateFile);
} else {
  throw new Error(`unknown command ${command}`);
}
process.stdout.write(JSON.stringify(out));
