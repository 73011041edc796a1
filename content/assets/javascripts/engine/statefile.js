// The checklist state file, as the page reads and merges it: the same rules, in the same order, as
// scripts/fieldguide/statefile.py (one corpus of files, the golden merge cases and property tests over
// generated files in tests/ hold the two to the same results). Pure functions, no page access: Node
// imports this module in the tests.
//
// Validation interprets the published JSON Schema (downloads/schema/checklist-state.schema.json)
// with a small reader of the keywords that schema uses; a schema with any other keyword is refused
// outright rather than half-checked.
//
// The data model (version 3, statefile.py explains it): per item, four fields (status with its
// reason, owner, note, evidence), each with its last change { value, at, by, weak, replaces }. A merge
// takes, per field, the greatest change in one total order (strong before weak, later time, then
// author, value and replaces as tie-breaks): commutative, associative, idempotent.

const MAX_BYTES = 1024 * 1024;
const MAX_DEPTH = 20;
const STATUSES = ["open", "in-progress", "done", "accepted-risk", "na"];
const NEEDS_REASON = ["accepted-risk", "na"];
// A reason is given: at least one visible character (schema.REASON_PATTERN; a test compares the two).
// The class lists the invisible characters (controls, joiners, variation selectors) one by one.
// eslint-disable-next-line no-control-regex, no-misleading-character-class
const REASON_GIVEN = /[^\t\n\x0b\x0c\r \x85\u00a0\u00ad\u034f\u061c\u115f\u1160\u1680\u17b4\u17b5\u180b-\u180f\u2000-\u200f\u2028-\u202f\u205f-\u206f\u2800\u3000\u3164\ufe00-\ufe0f\ufeff\uffa0]/u;
const V1_NA_REASON = "no reason recorded (converted from a version 1 file)";
const V2_BLANK_REASON = "no visible reason recorded (converted from a version 2 file)";
const PLAN_REASON = "out of scope for "; // the planner's default reason
const FIELDS = ["status", "owner", "note", "evidence"];
const MAX_REPLACES = 8;
const AHEAD_MS = 24 * 3600 * 1000; // change times further ahead of this computer's clock count as now
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;
// Control characters no text may hold, bidi overrides included (controls.CLASS), and one line of text
// (schema.LINE_PATTERN, at most MAX_LINE characters): names are checked with these as they are typed.
const CONTROL = "\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069";
const LINE_PATTERN = `^[^\\t\\n${CONTROL}]*$`;
const MAX_LINE = 200;

// ---------------------------------------------------------------- JSON Schema (the subset in use)

const ANNOTATIONS = ["$schema", "$id", "title", "description", "default", "examples", "$comment"];
const KEYWORDS = new Set([...ANNOTATIONS, "$defs", "$ref", "type", "enum", "const", "properties", "required",
  "additionalProperties", "items", "maxItems", "minItems", "maxLength", "minLength", "pattern", "minimum",
  "maximum", "anyOf", "if", "then", "else"]);

// Checks every keyword once and compiles the patterns (ECMAScript, Unicode mode, as JSON Schema says).
const compile = (schema) => {
  const patterns = new Map();
  const visit = (node, where) => {
    if (typeof node === "boolean") return;
    for (const key of Object.keys(node)) {
      if (!KEYWORDS.has(key)) throw new Error(`schema keyword '${key}' at ${where} is not supported by this reader`);
    }
    if (node.$ref !== undefined && !/^#\/\$defs\/[A-Za-z0-9_]+$/.test(node.$ref)) {
      throw new Error(`schema reference '${node.$ref}' at ${where} is not supported by this reader`);
    }
    if (node.pattern !== undefined) patterns.set(node.pattern, new RegExp(node.pattern, "u"));
    for (const key of ["items", "additionalProperties", "if", "then", "else"]) {
      if (node[key] && typeof node[key] === "object") visit(node[key], `${where}/${key}`);
    }
    for (const group of ["properties", "$defs"]) {
      for (const [name, sub] of Object.entries(node[group] || {})) visit(sub, `${where}/${group}/${name}`);
    }
    (node.anyOf || []).forEach((sub, i) => visit(sub, `${where}/anyOf/${i}`));
  };
  visit(schema, "#");
  return { root: schema, patterns };
};

const kind = (v) => (v === null ? "null" : Array.isArray(v) ? "array" : typeof v);
const isType = (v, type) => {
  if (type === "integer") return Number.isInteger(v);
  if (type === "number") return typeof v === "number" && Number.isFinite(v);
  return kind(v) === type;
};
const TYPE_TEXT = { string: "text", integer: "a whole number", number: "a number", boolean: "true or false",
  object: "an object", array: "a list", null: "null" };
const equal = (a, b) => {
  if (kind(a) !== kind(b)) return false;
  if (kind(a) === "array") return a.length === b.length && a.every((x, i) => equal(x, b[i]));
  if (kind(a) === "object") {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => k in b && equal(a[k], b[k]));
  }
  return a === b;
};
const show = (v) => (typeof v === "string" ? `'${v}'` : JSON.stringify(v));
const oneOf = (values) => values.length === 1 ? show(values[0])
  : `${values.slice(0, -1).map(show).join(", ")} or ${show(values[values.length - 1])}`;
const codePoints = (s) => [...s].length; // JSON Schema lengths count characters, not UTF-16 units
const pathJoin = (path, key) => (typeof key === "number" ? `${path}[${key}]` : path ? `${path}.${key}` : key);

const check = (compiled, node, value, path, errors) => {
  if (node === true) return;
  if (node === false) { errors.push([path, "is not allowed"]); return; }
  if (node.$ref) check(compiled, compiled.root.$defs[node.$ref.split("/").pop()], value, path, errors);
  if (node.type !== undefined) {
    const types = [].concat(node.type);
    if (!types.some((t) => isType(value, t))) {
      errors.push([path, `must be ${types.map((t) => TYPE_TEXT[t]).join(" or ")}`]);
      return;
    }
  }
  if ("const" in node && !equal(value, node.const)) errors.push([path, `must be ${show(node.const)}`]);
  if (node.enum && !node.enum.some((e) => equal(value, e))) errors.push([path, `must be one of ${oneOf(node.enum)}`]);
  if (typeof value === "string") {
    const text = node.description ? `must be ${node.description}` : "does not have the expected form";
    if (node.maxLength !== undefined && codePoints(value) > node.maxLength) {
      errors.push([path, `must be at most ${node.maxLength} characters`]);
    }
    if (node.minLength !== undefined && codePoints(value) < node.minLength) {
      errors.push([path, `must be at least ${node.minLength} characters`]);
    }
    if (node.pattern !== undefined && !compiled.patterns.get(node.pattern).test(value)) errors.push([path, text]);
  }
  if (typeof value === "number") {
    if (node.minimum !== undefined && value < node.minimum) errors.push([path, `must be at least ${node.minimum}`]);
    if (node.maximum !== undefined && value > node.maximum) errors.push([path, `must be at most ${node.maximum}`]);
  }
  if (Array.isArray(value)) {
    if (node.maxItems !== undefined && value.length > node.maxItems) {
      errors.push([path, `must have at most ${node.maxItems} items`]);
    }
    if (node.minItems !== undefined && value.length < node.minItems) {
      errors.push([path, `must have at least ${node.minItems} items`]);
    }
    if (node.items !== undefined) value.forEach((v, i) => check(compiled, node.items, v, pathJoin(path, i), errors));
  }
  if (kind(value) === "object") {
    for (const key of node.required || []) {
      if (!Object.hasOwn(value, key)) errors.push([pathJoin(path, key), "required field is missing"]);
    }
    for (const [key, v] of Object.entries(value)) {
      if (node.properties && Object.hasOwn(node.properties, key)) {
        check(compiled, node.properties[key], v, pathJoin(path, key), errors);
      } else if (node.additionalProperties === false) {
        errors.push([pathJoin(path, key), "unknown key"]);
      } else if (node.additionalProperties !== undefined) {
        check(compiled, node.additionalProperties, v, pathJoin(path, key), errors);
      }
    }
  }
  if (node.anyOf) {
    const tries = node.anyOf.map((sub) => { const found = []; check(compiled, sub, value, path, found); return found; });
    if (tries.every((found) => found.length)) {
      // Report the branch whose type fits (a malformed date rather than "must be text or null").
      const typesOf = (sub) => [].concat(sub.type || []);
      const fits = node.anyOf.findIndex((sub) => typesOf(sub).some((t) => isType(value, t)));
      const names = node.anyOf.flatMap(typesOf).map((t) => TYPE_TEXT[t]);
      errors.push(...(fits >= 0 ? tries[fits] : [[path, `must be ${names.join(" or ")}`]]));
    }
  }
  if (node.if !== undefined) {
    const probe = [];
    check(compiled, node.if, value, path, probe);
    const branch = probe.length ? node.else : node.then;
    if (branch !== undefined) check(compiled, branch, value, path, errors);
  }
};

const cache = new WeakMap();
// Errors of a value against the schema, or against one of its definitions (`def`, e.g. "ItemState").
const validate = (schema, value, def = null) => {
  if (!cache.has(schema)) cache.set(schema, compile(schema));
  const errors = [];
  check(cache.get(schema), def ? { $ref: `#/$defs/${def}` } : schema, value, "", errors);
  return errors.map(([path, message]) => `${path || "-"}: ${message}`);
};

// ---------------------------------------------------------------- what a schema cannot say

const TOKEN = /"(?:[^"\\]|\\.)*"|[{}[\]:,]|[ \t\r\n]+|[^ \t\r\n{}[\]:,"]+/gy;

// The first key repeated within one object of a valid JSON text (JSON.parse keeps the last silently),
// as its path. Iterative, like json_lines() in statefile.py: any depth is fine.
const repeatedKey = (text) => {
  const stack = []; // { path, keys: Set | null (a list), next index, key }
  let expectKey = false;
  TOKEN.lastIndex = 0;
  for (let m = TOKEN.exec(text); m; m = TOKEN.exec(text)) {
    const token = m[0];
    const first = token[0];
    if (" \t\r\n".includes(first)) continue;
    if (first === "," || first === ":") {
      expectKey = first === "," && stack.length > 0 && stack.at(-1).keys !== null;
      continue;
    }
    if (first === "}" || first === "]") { stack.pop(); expectKey = false; continue; }
    const frame = stack.at(-1);
    if (expectKey) {
      frame.key = JSON.parse(token);
      if (frame.keys.has(frame.key)) return pathJoin(frame.path, frame.key);
      frame.keys.add(frame.key);
      expectKey = false;
      continue;
    }
    let path = "";
    if (frame) path = frame.keys ? pathJoin(frame.path, frame.key) : pathJoin(frame.path, frame.next++);
    if (first === "{") { stack.push({ path, keys: new Set(), next: 0, key: null }); expectKey = true; }
    if (first === "[") stack.push({ path, keys: null, next: 0, key: null });
  }
  return null;
};

// Lone surrogates (not Unicode text) and nesting deeper than MAX_DEPTH.
const walk = (data) => {
  const stack = [[data, []]];
  while (stack.length) {
    const [value, loc] = stack.pop();
    const path = loc.reduce(pathJoin, "") || "-";
    if (loc.length > MAX_DEPTH) return `${path}: nested deeper than ${MAX_DEPTH} levels`;
    if (Array.isArray(value)) value.forEach((v, i) => stack.push([v, loc.concat(i)]));
    else if (kind(value) === "object") {
      for (const [key, v] of Object.entries(value)) {
        if (LONE_SURROGATE.test(key)) return `${path}: a key contains a lone surrogate (such as \\ud800): not Unicode text`;
        stack.push([v, loc.concat(key)]);
      }
    } else if (typeof value === "string" && LONE_SURROGATE.test(value)) {
      return `${path}: contains a lone surrogate (such as \\ud800): not Unicode text`;
    }
  }
  return null;
};

// ---------------------------------------------------------------- the data model

const EMPTY = { status: ["open", ""], owner: [""], note: [""], evidence: [""] };
const sameValue = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

// Strings in code point order, as Python compares them (UTF-16 units differ above U+FFFF).
const unit = (c) => (c >= 0xd800 && c <= 0xdfff ? c + 0x2000 : c >= 0xe000 ? c - 0x800 : c);
const cmpText = (a, b) => {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i += 1) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return unit(x) < unit(y) ? -1 : 1;
  }
  return a.length < b.length ? -1 : 1;
};
const cmpList = (a, b, cmp) => {
  for (let i = 0; i < Math.min(a.length, b.length); i += 1) {
    const c = cmp(a[i], b[i]);
    if (c) return c;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
};

// { value: [status, reason] or [text], at: "…Z" or null (unknown), by, weak, replaces: [[at, by], …] }
const change = (value, at = null, by = "", weak = false, replaces = []) => ({ value, at, by, weak, replaces });

// The merge's total order (Change.key in statefile.py): strong first, then time, author, value, replaces.
const cmpChange = (a, b) => (a.weak === b.weak ? 0 : a.weak ? -1 : 1)
  || cmpText(a.at || "", b.at || "") || cmpText(a.by, b.by) || cmpList(a.value, b.value, cmpText)
  || cmpList(a.replaces, b.replaces, (x, y) => cmpList(x, y, cmpText));
const over = (a, b) => b.at !== null && a.replaces.some(([at, by]) => at === b.at && by === b.by);

// An item's fields: a value without a change entry is set at an unknown time unless it is empty.
const fieldsOf = (it) => {
  const out = {};
  for (const name of FIELDS) {
    const value = name === "status" ? [it.status ?? "open", it.reason ?? ""] : [it[name] ?? ""];
    const stamp = it.changed ? it.changed[name] : null;
    if (stamp === null || stamp === undefined) {
      if (!sameValue(value, EMPTY[name])) out[name] = change(value);
    } else {
      out[name] = change(value, stamp.at ?? null, stamp.by ?? "", stamp.default === true,
        (stamp.replaces || []).map((r) => [r.at, r.by ?? ""]));
    }
  }
  return out;
};

// The item with every value, and a change entry for every field except one whose value says all
// there is (set, not empty, at an unknown time by nobody named).
const itemOf = (id, fields) => {
  const value = (name) => (fields[name] ? fields[name].value : EMPTY[name]);
  const out = { id, status: value("status")[0], reason: value("status")[1], owner: value("owner")[0],
    note: value("note")[0], evidence: value("evidence")[0], changed: {} };
  for (const name of FIELDS) {
    const c = fields[name];
    if (!c || (c.at === null && !c.by && !c.weak && !c.replaces.length && !sameValue(c.value, EMPTY[name]))) continue;
    out.changed[name] = { at: c.at, by: c.by, default: c.weak, replaces: c.replaces.map(([at, by]) => ({ at, by })) };
  }
  return out;
};
const item = (fields) => itemOf(fields.id, fieldsOf(fields)); // any item-like object, normalised

const weakStatus = (status, reason) => status === "na" && (reason === V1_NA_REASON || reason.startsWith(PLAN_REASON));

// Version 1 and 2 items as version 3 (statefile._upgrade): the item's time (none in version 1) for
// every field holding a value; empty fields unset, so an old file never erases anything.
const upgrade = (old, version) => {
  const at = old.updated ?? null;
  const by = old.by ?? "";
  const fields = {};
  const status = old.status ?? "open";
  let reason = old.reason ?? "";
  let weak = weakStatus(status, reason);
  if (NEEDS_REASON.includes(status) && !REASON_GIVEN.test(reason)) {
    reason = version === 2 ? V2_BLANK_REASON : V1_NA_REASON;
    weak = true;
  }
  if (!sameValue([status, reason], EMPTY.status)) fields.status = change([status, reason], at, by, weak);
  for (const name of ["owner", "note", "evidence"]) if (old[name]) fields[name] = change([old[name]], at, by);
  return itemOf(old.id, fields);
};

const isoSecond = (ms) => new Date(ms).toISOString().replace(/\.\d+Z$/, "Z");
const LAST = "9999-12-31T23:59:59Z";
const plusSecond = (at) => (at >= LAST ? LAST : isoSecond(Date.parse(at) + 1000));

// Change times more than a day ahead of `now` (a Date) counted as now, each with a warning.
const clamp = (items, now) => {
  const limit = now.getTime() + AHEAD_MS > Date.parse(LAST) ? LAST : isoSecond(now.getTime() + AHEAD_MS);
  const current = isoSecond(now.getTime());
  const warnings = [];
  const out = items.map((it, i) => {
    const fields = fieldsOf(it);
    let late = false;
    for (const name of FIELDS) {
      const c = fields[name];
      if (!c || c.at === null || c.at <= limit) continue;
      warnings.push(`items[${i}] (${it.id}): ${name}: change time ${c.at} is more than a day ahead of this `
        + `computer's clock; counted as ${current}`);
      fields[name] = change(c.value, current, c.by, c.weak, c.replaces);
      late = true;
    }
    return late ? itemOf(it.id, fields) : it;
  });
  return { items: out, warnings };
};

// ---------------------------------------------------------------- reading

// bytes: a Uint8Array; now: this computer's clock (a Date). Returns { items, version, scope, exported,
// catalogVersion, warnings } or { errors: ["where: message", ...] }.
const read = (bytes, schema, now = new Date()) => {
  const fail = (...errors) => ({ errors });
  if (bytes.length > MAX_BYTES) return fail(`-: file is larger than ${MAX_BYTES} bytes (1 MiB)`);
  let text;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes); // drops one leading BOM, as Python does
  } catch {
    return fail("-: file is not UTF-8 text");
  }
  let data;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return fail(`-: not valid JSON: ${error.message}`);
  }
  const repeated = repeatedKey(text);
  if (repeated !== null) return fail(`${repeated}: key repeated in one object`);
  const bad = walk(data);
  if (bad) return fail(bad);
  if (kind(data) !== "object") return fail("-: expected a JSON object");
  const errors = validate(schema, data);
  if (errors.length) return fail(...errors);
  const seen = new Map();
  for (const [i, it] of data.items.entries()) {
    if (seen.has(it.id)) return fail(`items[${i}].id: '${it.id}' is listed twice (first at items[${seen.get(it.id)}])`);
    seen.set(it.id, i);
  }
  const old = data.version === 1 || data.version === 2 ? data.version : null;
  const items = data.items.map((it) => (old ? upgrade(it, old) : item(it)));
  const clamped = clamp(items, now);
  return { items: clamped.items, version: data.version, scope: data.scope || [],
    exported: old === 1 ? null : data.exported ?? null, catalogVersion: data.catalog_version ?? null,
    warnings: clamped.warnings };
};

// ---------------------------------------------------------------- merging: a join, field by field

// A state is a Map from item id to its fields (a Map: ids such as "constructor" are valid slugs).
const stateOf = (items) => new Map(items.map((it) => [it.id, fieldsOf(it)]));
const sortedIds = (ids) => [...ids].sort(cmpText);
const itemsOf = (state) => sortedIds(state.keys()).map((id) => itemOf(id, state.get(id)));

const join = (...states) => {
  const out = new Map();
  for (const state of states) {
    for (const [id, fields] of state) {
      if (!out.has(id)) out.set(id, {});
      const mine = out.get(id);
      for (const [name, c] of Object.entries(fields)) if (!mine[name] || cmpChange(c, mine[name]) > 0) mine[name] = c;
    }
  }
  return out;
};

// Both are a person's values, they differ, and the winner was not made over the loser.
const conflict = (winner, loser) => Boolean(loser) && !winner.weak && !loser.weak
  && !sameValue(winner.value, loser.value) && !over(winner, loser);

// What merging `incoming` into `local` does, field by field (statefile.compare): the import's preview.
const compare = (local, incoming) => {
  const merged = join(local, incoming);
  const fields = [];
  for (const id of sortedIds(incoming.keys())) {
    const mine = local.get(id) || {};
    for (const name of FIELDS) {
      const theirs = incoming.get(id)[name];
      const m = mine[name];
      if (!theirs || (m && cmpChange(theirs, m) === 0)) continue;
      const kept = merged.get(id)[name] === theirs ? "theirs" : "mine";
      if (kept === "theirs") {
        if (m && sameValue(m.value, theirs.value)) continue;
        fields.push({ id, field: name, kind: conflict(theirs, m) ? "conflict" : "changed", mine: m || null, theirs, kept });
      } else if (conflict(m, theirs)) {
        fields.push({ id, field: name, kind: "conflict", mine: m, theirs, kept });
      }
    }
  }
  const out = { merged, fields, new: [], changed: [], conflicts: [], unchanged: [] };
  for (const id of new Set(fields.map((f) => f.id))) {
    const kinds = fields.filter((f) => f.id === id).map((f) => f.kind);
    if (kinds.includes("conflict")) out.conflicts.push(id);
    else if (!local.get(id) || !Object.keys(local.get(id)).length) out.new.push(id);
    else out.changed.push(id);
  }
  const reported = new Set([...out.new, ...out.changed, ...out.conflicts]);
  out.unchanged = sortedIds(incoming.keys()).filter((id) => !reported.has(id)
    && (Object.keys(incoming.get(id)).length || local.has(id)));
  return out;
};

// ---------------------------------------------------------------- a person's changes (the page only)

// The time of a new change: now, or one second after the latest change it replaces when that one is
// not earlier (a teammate's clock ahead of ours must not make our later edit lose).
const bump = (now, ...changes) => changes.reduce((t, c) => (c && c.at && c.at >= t ? plusSecond(c.at) : t), now);
const remember = (changes) => {
  const seen = new Set();
  const out = [];
  for (const [at, by] of changes.flatMap((c) => (c ? [...(c.at ? [[c.at, c.by]] : []), ...c.replaces] : []))) {
    const key = JSON.stringify([at, by]);
    if (!seen.has(key)) { seen.add(key); out.push([at, by]); }
  }
  return out.slice(0, MAX_REPLACES);
};
// A new value of a field, made over its current change (now: "…Z").
const edit = (current, value, now, by, weak = false) => change(value, bump(now, current), by, weak, remember([current]));
// A conflict settled by a person: keep mine, take theirs, or keep both notes, made over both.
const both = (mine, theirs) => [`${mine.value[0]}\n\n${theirs.value[0]}`];
const resolve = (mine, theirs, choice, now, by) => change(
  choice === "mine" ? mine.value : choice === "theirs" ? theirs.value : both(mine, theirs),
  bump(now, mine, theirs), by, false, remember([mine, theirs]));

// An item as written to files (statefile.item_json): id and status always, other values when set.
const itemJson = (it) => {
  const full = item(it);
  const out = { id: full.id, status: full.status };
  for (const name of ["reason", "owner", "note", "evidence"]) if (full[name]) out[name] = full[name];
  const changed = {};
  for (const name of FIELDS) {
    const stamp = full.changed[name];
    if (!stamp) continue;
    const entry = {};
    if (stamp.at) entry.at = stamp.at;
    if (stamp.by) entry.by = stamp.by;
    if (stamp.default) entry.default = true;
    if (stamp.replaces.length) entry.replaces = stamp.replaces.map((r) => (r.by ? { at: r.at, by: r.by } : { at: r.at }));
    changed[name] = entry;
  }
  if (Object.keys(changed).length) out.changed = changed;
  return out;
};

const isBlank = (it) => Object.keys(fieldsOf(it)).length === 0;

export {
  MAX_BYTES, STATUSES, NEEDS_REASON, REASON_GIVEN, V1_NA_REASON, V2_BLANK_REASON, PLAN_REASON, FIELDS, MAX_REPLACES,
  CONTROL, LINE_PATTERN, MAX_LINE, EMPTY, validate, read, item, upgrade, clamp, fieldsOf, itemOf, stateOf, itemsOf,
  join, compare, conflict, cmpChange, change, edit, resolve, both, sameValue, itemJson, isBlank,
};
