// Shared by the checklist pages and the planner: saved state (localStorage, keyed by each item's
// stable id), the site's data (planner/data.json, computed by the Python package) and small helpers.
// Classic scripts: loaded in order (statefile.js, store.js, checklists.js, planner.js) they share one
// global scope.
//
// Storage never loses state silently: a write that fails (quota, private mode) is announced and the
// page shows what is really stored; unreadable stored data is kept aside under one key (the newest
// replaces an older copy, so copies never pile up) before a fresh checklist starts.

const STORE = "fieldguide-checklist"; // { version: 2, items: { id: item without its id } }
const STORE_V1 = "fieldguide-checklist-v1"; // read once and converted
const ASIDE = "fieldguide-checklist.unreadable";
const UNDO = "fieldguide-checklist.before-import"; // the store as it was before the last import
const NAME = "fieldguide-name";
const PROFILE = "fieldguide-profile-v1";
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

const emptyStore = () => ({ version: 2, items: {} });
let storeBlocked = false; // unreadable data could not be kept aside: never write over it

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

const wellFormed = (s) => s && typeof s === "object" && !Array.isArray(s) && StateFile.STATUSES.includes(s.status)
  && ["reason", "owner", "note", "evidence", "by"].every((k) => s[k] === undefined || typeof s[k] === "string")
  && (s.updated === undefined || s.updated === null || typeof s.updated === "string");

const parseStore = (raw, v1) => {
  let parsed;
  try { parsed = JSON.parse(raw); } catch { return null; }
  if (!parsed || typeof parsed !== "object" || !parsed.items || typeof parsed.items !== "object") return null;
  if (parsed.version !== (v1 ? 1 : 2) || !Object.values(parsed.items).every(wellFormed)) return null;
  if (!v1) return parsed;
  const store = emptyStore(); // version 1: converted as a version 1 file is (StateFile.upgrade)
  for (const [id, s] of Object.entries(parsed.items)) putState(store, id, StateFile.upgrade({ ...s, id }));
  return store;
};

const readStore = () => {
  let key = STORE;
  let raw = localStorage.getItem(STORE);
  if (raw === null) {
    key = STORE_V1;
    raw = localStorage.getItem(STORE_V1);
    if (raw === null) return emptyStore();
  }
  const store = parseStore(raw, key === STORE_V1);
  if (store) {
    if (key === STORE_V1 && !storeBlocked && trySet(STORE, JSON.stringify(store))) localStorage.removeItem(STORE_V1);
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

// Applies a person's change to one item, stamped with the time and their name; false if not saved.
const updateItem = (id, changes) => {
  const store = readStore();
  const before = stateOf(store, id);
  const after = { ...before, ...changes };
  if (StateFile.sameContent(before, after)) return true;
  putState(store, id, { ...after, updated: nowUtc(), by: userName() });
  return writeStore(store);
};

// ------------------------------------------------------------------ shared helpers

// The site's root, resolved once against the page the scripts were loaded on: Material's `base` is
// relative to that page, and instant navigation keeps both the scripts and the first page's config.
const SITE_ROOT = new URL((JSON.parse(document.getElementById("__config")?.textContent || "{}").base || ".") + "/",
  location.href);
const siteRoot = () => SITE_ROOT;

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
