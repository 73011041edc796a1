// The checklist state file, as the page reads and merges it: the same rules, in the same order, as
// scripts/fieldguide/statefile.py (one corpus of files and the golden merge cases in tests/ hold the
// two to the same results). Pure functions, no page access: Node runs this file in the tests.
//
// Validation interprets the published JSON Schema (downloads/schema/checklist-state.schema.json)
// with a small reader of the keywords that schema uses; a schema with any other keyword is refused
// outright rather than half-checked.

const StateFile = (() => {
  const MAX_BYTES = 1024 * 1024;
  const MAX_DEPTH = 20;
  const STATUSES = ["open", "in-progress", "done", "accepted-risk", "na"];
  const NEEDS_REASON = ["accepted-risk", "na"];
  const REASON_GIVEN = /[^\t\n\r ]/u;
  const V1_NA_REASON = "no reason recorded (converted from a version 1 file)";
  const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

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
  const join = (path, key) => (typeof key === "number" ? `${path}[${key}]` : path ? `${path}.${key}` : key);

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
      if (node.items !== undefined) value.forEach((v, i) => check(compiled, node.items, v, join(path, i), errors));
    }
    if (kind(value) === "object") {
      for (const key of node.required || []) {
        if (!Object.hasOwn(value, key)) errors.push([join(path, key), "required field is missing"]);
      }
      for (const [key, v] of Object.entries(value)) {
        if (node.properties && Object.hasOwn(node.properties, key)) {
          check(compiled, node.properties[key], v, join(path, key), errors);
        } else if (node.additionalProperties === false) {
          errors.push([join(path, key), "unknown key"]);
        } else if (node.additionalProperties !== undefined) {
          check(compiled, node.additionalProperties, v, join(path, key), errors);
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
        if (frame.keys.has(frame.key)) return join(frame.path, frame.key);
        frame.keys.add(frame.key);
        expectKey = false;
        continue;
      }
      let path = "";
      if (frame) path = frame.keys ? join(frame.path, frame.key) : join(frame.path, frame.next++);
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
      const path = loc.reduce(join, "") || "-";
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

  // ---------------------------------------------------------------- reading

  const item = (fields) => ({ id: fields.id, status: "open", reason: "", owner: "", note: "", evidence: "",
    updated: null, by: "", ...fields });

  const upgrade = (v1) => {
    const out = item(v1);
    if (out.status === "na" && !REASON_GIVEN.test(out.reason)) out.reason = V1_NA_REASON;
    return out;
  };

  // bytes: a Uint8Array. Returns { items, version, scope } or { errors: ["where: message", ...] }.
  const read = (bytes, schema) => {
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
    const items = data.version === 1 ? data.items.map(upgrade) : data.items.map(item);
    return { items, version: data.version, scope: data.scope || [] };
  };

  // ---------------------------------------------------------------- merging (rule table in statefile.py)

  const isBlank = (s) => s.status === "open" && !s.reason && !s.owner && !s.note && !s.evidence;
  const sameContent = (a, b) => ["status", "reason", "owner", "note", "evidence"].every((k) => a[k] === b[k]);

  const decide = (local, incoming) => {
    if (sameContent(local, incoming)) return [local, "same"];
    if (isBlank(incoming)) return [local, "incoming-blank"];
    if (isBlank(local)) return [incoming, "local-blank"];
    const mine = local.updated || "";
    const theirs = incoming.updated || "";
    if (theirs > mine) return [incoming, "incoming-later"];
    if (theirs < mine) return [local, "local-later"];
    return [local, "conflict"];
  };
  const REPORTED_AS = { same: "unchanged", "incoming-blank": "unchanged", "local-blank": "changed",
    "incoming-later": "changed", "local-later": "unchanged", conflict: "conflicts" };

  // local, incoming: lists of items. Conflicts: [{ local, incoming }], the local one kept.
  const merge = (local, incoming) => {
    const theirs = new Map(incoming.map((i) => [i.id, i]));
    const mine = new Set(local.map((i) => i.id));
    const out = { items: [], new: [], changed: [], unchanged: [], conflicts: [] };
    for (const it of local) {
      const other = theirs.get(it.id);
      if (!other) { out.items.push(it); continue; }
      const [kept, rule] = decide(it, other);
      out.items.push(kept);
      if (REPORTED_AS[rule] === "conflicts") out.conflicts.push({ local: it, incoming: other });
      else out[REPORTED_AS[rule]].push(it.id);
    }
    for (const it of incoming) {
      if (mine.has(it.id)) continue;
      out.items.push(it);
      if (!isBlank(it)) out.new.push(it.id);
    }
    return out;
  };

  // An item as written to files: the five version 1 fields always, the others when set.
  const itemJson = (s) => Object.fromEntries(Object.entries(item(s))
    .filter(([k, v]) => ["id", "status", "reason", "owner", "note"].includes(k) || v));

  return { MAX_BYTES, STATUSES, NEEDS_REASON, REASON_GIVEN, validate, read, item, upgrade, merge, decide, isBlank,
    sameContent, itemJson };
})();

if (typeof module !== "undefined") module.exports = StateFile;
