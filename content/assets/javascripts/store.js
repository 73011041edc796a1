// Shared by the checklist pages and the planner: saved state (localStorage, keyed by each item's
// stable id), the site's data (planner/data.json, computed by the Python package) and small helpers.
// Classic scripts: loaded in order (statefile.js, store.js, checklists.js, planner.js) they share one
// global scope.
//
// Storage never loses state silently: a write that fails (quota, private mode) is announced and the
// page shows what is really stored; unreadable stored data is kept aside under one key (the newest
// replaces an older copy, so copies never pile up) before a fresh checklist starts.
//
// Every key is scoped by the site's path, as Material scopes its own ("/guide/.__palette"): two copies
// of the guide on one origin (two projects on owner.github.io) never share checklists, names, plans
// or citations.

// The site's root, resolved once against the page the scripts were loaded on: Material's `base` is
// relative to that page, and instant navigation keeps both the scripts and the first page's config.
const SITE_ROOT = new URL((JSON.parse(document.getElementById("__config")?.textContent || "{}").base || ".") + "/",
  location.href);
const siteRoot = () => SITE_ROOT;
const storageKey = (name) => `${SITE_ROOT.pathname}.${name}`;

const STORE = storageKey("fieldguide-checklist"); // { version: 3, items: { id: item without its id } }
const ASIDE = storageKey("fieldguide-checklist.unreadable");
const UNDO = storageKey("fieldguide-checklist.undo"); // [{ label, at, before, after: hashOf(the store after) }]
const NAME = storageKey("fieldguide-name");
const PROFILE = storageKey("fieldguide-profile-v1");
const MIGRATED = storageKey("fieldguide-migrated");
const UNDO_STEPS = 10; // at least 5 are kept; older ones go first when storage is short
const STATUS_TEXT = { open: "open", "in-progress": "in progress", done: "done", "accepted-risk": "accepted risk",
  na: "not applicable" };

// ------------------------------------------------------------------ messages

function notify(text) {
  for (const el of document.querySelectorAll(".fg-message")) el.textContent = text;
}

// Storage problems go to a role=alert element: a screen reader announces them at once.
function storageAlert(text) {
  const targets = document.querySelectorAll(".fg-alert");
  for (const el of targets) el.textContent = text;
  if (!targets.length && text) notify(text);
}

// ------------------------------------------------------------------ storage

const emptyStore = () => ({ version: 3, items: {} });
let storeBlocked = false; // unreadable data could not be kept aside: never write over it

const quietSet = (key, value) => {
  try {
    localStorage.setItem(key, value);
    return true;
  } catch {
    return false;
  }
};

// Writes one key; returns false (and says why) when the browser refuses.
const trySet = (key, value) => {
  try {
    localStorage.setItem(key, value);
    return true;
  } catch (error) {
    const full = error && (error.name === "QuotaExceededError" || error.code === 22);
    storageAlert(`Not saved: this browser refused to store the change (${full
      ? "its storage for this site is full" : (error && error.name) || "storage error"}). `
      + "What you see now is what is stored. Export JSON to keep your work, then free some space "
      + "(for example by clearing other sites' data) and try again.");
    return false;
  }
};

// Keys from before they were scoped by the site's path. Each guide on the origin copies them once into
// its own keys; the old ones stay in place (read-only) so that every other guide there can do the same.
const LEGACY = { "fieldguide-checklist": STORE, "fieldguide-checklist-v1": storageKey("fieldguide-checklist-v1"),
  "fieldguide-checklist.unreadable": ASIDE, "fieldguide-name": NAME, "fieldguide-profile-v1": PROFILE,
  "fieldguide-citations-v1": storageKey("fieldguide-citations-v1"),
  "fieldguide-citations-v1.unreadable": storageKey("fieldguide-citations-v1.unreadable") };
const migrateLegacy = () => {
  if (localStorage.getItem(MIGRATED) !== null) return;
  let complete = true;
  for (const [old, scoped] of Object.entries(LEGACY)) {
    const value = localStorage.getItem(old);
    if (value !== null && localStorage.getItem(scoped) === null) complete = quietSet(scoped, value) && complete;
  }
  const undo = localStorage.getItem("fieldguide-checklist.before-import"); // the old single undo slot
  if (undo !== null && localStorage.getItem(UNDO) === null) {
    try {
      const { label, at, store } = JSON.parse(undo);
      complete = quietSet(UNDO, JSON.stringify([{ label, at, before: store, after: hashOf(localStorage.getItem(STORE)) }]))
        && complete;
    } catch { /* an unreadable undo slot: nothing to restore */ }
  }
  if (complete) quietSet(MIGRATED, "1");
};
try { migrateLegacy(); } catch { /* storage unavailable: every read below says so */ }

// A stored item, loosely checked (the store is ours; files get the full schema check on import).
const STAMP_KEYS = ["at", "by", "default", "replaces"];
const wellFormedStamp = (s) => s && typeof s === "object" && Object.keys(s).every((k) => STAMP_KEYS.includes(k))
  && (s.at === undefined || s.at === null || typeof s.at === "string") && (s.by === undefined || typeof s.by === "string")
  && (s.replaces === undefined || (Array.isArray(s.replaces) && s.replaces.every((r) => r && typeof r.at === "string")));
const wellFormed = (s, version) => s && typeof s === "object" && !Array.isArray(s) && StateFile.STATUSES.includes(s.status)
  && ["reason", "owner", "note", "evidence", "by"].every((k) => s[k] === undefined || typeof s[k] === "string")
  && (s.updated === undefined || s.updated === null || typeof s.updated === "string")
  && (version < 3 || s.changed === undefined || (typeof s.changed === "object" && s.changed !== null
    && Object.entries(s.changed).every(([k, v]) => StateFile.FIELDS.includes(k) && wellFormedStamp(v))));

let migrationWarnings = [];
// The store in `raw` as version 3 (with `converted` set when it was older), or null when unreadable.
const parseStore = (raw, v1) => {
  let parsed;
  try { parsed = JSON.parse(raw); } catch { return null; }
  if (!parsed || typeof parsed !== "object" || !parsed.items || typeof parsed.items !== "object") return null;
  const version = v1 ? 1 : parsed.version;
  if (parsed.version !== version || ![1, 2, 3].includes(version)) return null;
  if (!Object.values(parsed.items).every((s) => wellFormed(s, version))) return null;
  if (version === 3) return { store: parsed, converted: false };
  // Versions 1 and 2: converted as files of those versions are (StateFile.upgrade), times clamped.
  const items = Object.entries(parsed.items).map(([id, s]) => StateFile.upgrade({ ...s, id }, version));
  const clamped = StateFile.clamp(items, new Date());
  migrationWarnings = clamped.warnings;
  const store = emptyStore();
  for (const it of clamped.items) putState(store, it.id, it);
  return { store, converted: true };
};

const readStore = () => {
  let key = STORE;
  let raw = localStorage.getItem(STORE);
  if (raw === null) {
    key = LEGACY["fieldguide-checklist-v1"];
    raw = localStorage.getItem(key);
    if (raw === null) return emptyStore();
  }
  const parsed = parseStore(raw, key !== STORE);
  if (parsed) {
    const { store, converted } = parsed;
    if (converted && !storeBlocked && trySet(STORE, JSON.stringify(store))) {
      if (key !== STORE) localStorage.removeItem(key);
      if (migrationWarnings.length) {
        notify(`Saved checklist data was converted; ${migrationWarnings.length} change time(s) more than a day `
          + `ahead of this computer's clock now count as the time of the conversion.`);
        migrationWarnings = [];
      }
    }
    return store;
  }
  // Unreadable: keep one copy aside (replacing an older one), then start afresh. If even that is
  // refused, leave the data where it is and save nothing over it.
  if (!trySet(ASIDE, raw)) {
    storeBlocked = true;
    storageAlert("Saved checklist data in this browser is unreadable and there is no room to keep a copy "
      + "aside, so nothing will be saved over it. Export anything you need, then free some storage.");
    return emptyStore();
  }
  localStorage.removeItem(key);
  notify(`Saved checklist data in this browser was unreadable; it is kept aside (local storage key "${ASIDE}", `
    + "replacing any older copy) and a fresh checklist started.");
  return emptyStore();
};

const writeStore = (store) => {
  if (storeBlocked) {
    storageAlert("Not saved: unreadable checklist data is still in this browser's storage and there is no "
      + "room to keep it aside. Free some storage and reload.");
    return false;
  }
  if (!trySet(STORE, JSON.stringify(store))) return false;
  storageAlert("");
  return true;
};

// Item ids come from the page and from imported files: only the store's own keys are items.
const stateOf = (store, id) => StateFile.item({ ...(Object.hasOwn(store.items, id) ? store.items[id] : {}), id });

const putState = (store, id, state) => {
  if (StateFile.isBlank(state)) delete store.items[id];
  else {
    const { id: _, ...rest } = StateFile.itemJson({ ...state, id });
    store.items[id] = rest;
  }
};

const nowUtc = () => new Date().toISOString().replace(/\.\d+Z$/, "Z");
const userName = () => (localStorage.getItem(NAME) || "").trim();

// ------------------------------------------------------------------ a person's changes

// Typing makes one change per field, not one per key press: while the same field of the same item is
// being typed in (and nothing was exported or imported since), each key press amends the change the
// previous one made in this tab. Otherwise intermediate values would crowd out the earlier changes a
// value remembers having replaced.
let draft = null; // { id, field, at, by } of the change the last key press made
const endDraft = () => { draft = null; };

const GROUP = { status: "status", reason: "status", owner: "owner", note: "note", evidence: "evidence" };

// Applies a person's change to one item: each field touched gets its own change time and author.
// Returns false if it could not be saved.
const updateItem = (id, changes, typing = false) => {
  const store = readStore();
  const before = stateOf(store, id);
  const after = { ...before, ...changes };
  const fields = StateFile.fieldsOf(before);
  const now = nowUtc();
  const by = userName();
  let touched = false;
  for (const name of new Set(Object.keys(changes).map((k) => GROUP[k]))) {
    const value = name === "status" ? [after.status, after.reason] : [after[name]];
    const current = fields[name];
    if (current ? StateFile.sameValue(current.value, value) : StateFile.sameValue(value, StateFile.EMPTY[name])) continue;
    const amend = typing && current && draft && draft.id === id && draft.field === name && draft.at === current.at
      && draft.by === current.by && current.by === by;
    fields[name] = amend ? StateFile.change(value, current.at > now ? current.at : now, by, false, current.replaces)
      : StateFile.edit(current, value, now, by);
    draft = typing ? { id, field: name, at: fields[name].at, by } : null;
    touched = true;
  }
  if (!touched) return true;
  putState(store, id, StateFile.itemOf(id, fields));
  return writeStore(store);
};

// A name (recorded with every change) follows the file format's rule for one line of text: no control
// character (bidi overrides such as U+202E included), at most 200 characters. Returns a problem or "".
const LINE_REFUSED = new RegExp(`[\\t\\n${StateFile.CONTROL}]`, "u");
const nameProblem = (text) => {
  const bad = text.match(LINE_REFUSED);
  if (bad) {
    return `Not saved: a name is one line of text without control characters; this one contains `
      + `U+${bad[0].codePointAt(0).toString(16).toUpperCase().padStart(4, "0")}.`;
  }
  if ([...text.trim()].length > StateFile.MAX_LINE) return `Not saved: a name has at most ${StateFile.MAX_LINE} characters.`;
  return "";
};

// ------------------------------------------------------------------ undo: a labelled stack

// A short fingerprint of a stored state: enough to tell whether it changed since a step, without
// keeping a second full copy per step (ten steps of a large checklist would crowd the origin's quota).
function hashOf(text) {
  const s = text ?? "";
  let h = 5381;
  for (let i = 0; i < s.length; i += 1) h = (Math.imul(h, 33) + s.charCodeAt(i)) | 0;
  return `${s.length}:${h >>> 0}`;
}

const readUndo = () => {
  try {
    const entries = JSON.parse(localStorage.getItem(UNDO));
    return Array.isArray(entries) ? entries.filter((e) => e && typeof e.label === "string") : [];
  } catch {
    return [];
  }
};

// Replaces the store, keeping the state before it on the undo stack (the oldest steps go first when
// storage is short). False, with nothing changed, if the new state cannot be saved.
const replaceStore = (store, label) => {
  const before = localStorage.getItem(STORE);
  const entries = readUndo().concat([{ label, at: nowUtc(), before, after: hashOf(JSON.stringify(store)) }])
    .slice(-UNDO_STEPS);
  while (!quietSet(UNDO, JSON.stringify(entries))) {
    if (entries.length === 1) return trySet(UNDO, JSON.stringify(entries)); // says why in the alert
    entries.shift();
  }
  if (!writeStore(store)) {
    entries.pop();
    quietSet(UNDO, JSON.stringify(entries));
    return false;
  }
  return true;
};

// Restores the state from before the newest step. Changes made after that step are undone too: the
// caller asks first (`changedSince`).
const undoStep = () => {
  const entries = readUndo();
  const top = entries.pop();
  if (!top) return null;
  const ok = top.before === null ? (localStorage.removeItem(STORE), true) : trySet(STORE, top.before);
  if (!ok) return null;
  quietSet(UNDO, JSON.stringify(entries));
  return top;
};
const changedSince = (entry) => hashOf(localStorage.getItem(STORE)) !== entry.after;

// ------------------------------------------------------------------ shared helpers

// A JSON file of the site, fetched once (the promise is kept; a failed fetch rejects with the reason).
const jsonPromises = new Map();
const loadJson = (path) => {
  if (!jsonPromises.has(path)) {
    jsonPromises.set(path, fetch(new URL(path, SITE_ROOT)).then((r) => {
      if (!r.ok) throw new Error(`${path} could not be loaded (HTTP ${r.status})`);
      return r.json();
    }));
  }
  return jsonPromises.get(path);
};
const loadData = () => loadJson("planner/data.json");
// The published schema of state files: the import validates with exactly this file.
const loadStateSchema = () => loadJson("downloads/schema/checklist-state.schema.json");

const download = (name, text, type) => {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = Object.assign(document.createElement("a"), { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
};

const percent = (x) => (x === null ? "n/a" : `${Math.round(100 * x)}%`);

// One escaping function per target format, the same rules as fieldguide/escape.py (tests/test_escape.py
// runs both on the same hostile strings).
// User text inline in Markdown: one line; no link, image, code span, HTML tag, attribute list or
// emphasis can start in it.
const markdownText = (text) => text.replace(/[ \t\n\r]+/g, " ").replace(/^ +| +$/g, "").replace(/&/g, "&amp;")
  .replace(/[\\`[\]()!*_{}]/g, "\\$&").replace(/</g, "&lt;");

// An http(s) address as an autolink, with every character a Markdown reader could act on there
// percent-encoded; anything else is inert text, never a link.
const markdownUrl = (url) => {
  if (!/^https?:\/\/[^\x00-\x20\x7f<>]+$/i.test(url)) return markdownText(url);
  return `<${[...url].map((c) => (/[A-Za-z0-9\-._~:/?#@!$&'()*+,;=%]/.test(c) ? c
    : [...new TextEncoder().encode(c)].map((b) => `%${b.toString(16).toUpperCase().padStart(2, "0")}`).join(""))).join("")}>`;
};

// Text in a Markdown table cell: one line, the pipe as an entity (a backslash before it cannot split the cell).
const markdownCell = (text) => String(text).replace(/[ \t\n\r]+/g, " ").replace(/\|/g, "&#124;");

// User text in pandoc Markdown (body or metadata value): no raw attribute, raw TeX, math, citation,
// span, link, list or HTML can start, and pandoc reads back exactly the characters typed.
const pandocText = (text) => text.replace(/[ \t\n\r]+/g, " ").replace(/^ +| +$/g, "")
  .replace(/[\\`*_[\]{}<>$@^~&#|"'!]|-(?=-)|\.(?=\.)/g, "\\$&")
  .replace(/^(?:[-+:%]|\(?(?:\d+|[A-Za-z]|[ivxlcdmIVXLCDM]+)[.)])/, (m) => `${m.slice(0, -1)}\\${m.slice(-1)}`);

// One double-quoted YAML scalar (JSON quoting; control characters YAML cannot hold raw escaped).
const yamlScalar = (text) => JSON.stringify(String(text))
  .replace(/[\x7f-\x9f\u2028\u2029\ufeff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);

// OWASP's rule against CSV formula injection (fieldguide.escape.csv_cell): a cell that could start a
// formula gets a leading single quote; then RFC 4180 quoting.
const csvCell = (v) => {
  let s = v === null || v === undefined ? "" : String(v);
  if (/^[=+\-@\t\r\n]/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};
const byCodePoint = (a, b) => (a < b ? -1 : a > b ? 1 : 0);

// Items of a scope in workflow order, from data.json.
const itemsOf = (data, stageIds, challengeIds = null) => {
  const rows = [];
  for (const stage of data.stages) {
    if (stageIds.length && !stageIds.includes(stage.id)) continue;
    for (const cid of data.ranking.order) {
      const c = data.challenges[cid];
      if (c.stage !== stage.id || (challengeIds && !challengeIds.includes(cid))) continue;
      for (const item of c.checklist) rows.push({ stage: stage.id, step: c.step, challenge: cid, item });
    }
  }
  return rows;
};

// Per stage: resolved (done or accepted risk) ÷ applicable (all but not applicable); overall, the lowest.
const readiness = (data, rows, store) => {
  const perStage = {};
  for (const row of rows) {
    const r = (perStage[row.stage] ??= { done: 0, accepted: 0, applicable: 0, counts: {} });
    const s = stateOf(store, row.item.id);
    r.counts[s.status] = (r.counts[s.status] || 0) + 1;
    if (s.status !== "na") r.applicable += 1;
    if (s.status === "done") r.done += 1;
    if (s.status === "accepted-risk") r.accepted += 1;
  }
  for (const r of Object.values(perStage)) {
    r.resolved = r.done + r.accepted;
    r.score = r.applicable ? r.resolved / r.applicable : null;
  }
  const scores = Object.values(perStage).map((r) => r.score).filter((x) => x !== null);
  return { overall: scores.length ? Math.min(...scores) : null, stages: perStage };
};

const knownItems = (data) => new Set(Object.values(data.challenges).flatMap((c) => c.checklist.map((i) => i.id)));
const orphansOf = (data, store) => {
  const known = knownItems(data);
  return Object.keys(store.items).filter((id) => !known.has(id)).sort(byCodePoint);
};
