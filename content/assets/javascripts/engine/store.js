// The checklist as this browser stores it (local storage key `…fieldguide-checklist`):
// { version: 3, items: { id: the item as written to files, without its id } }. Its shape, how a stored
// text is read (older versions converted like files of those versions), and the orphans. Pure: the
// page's storage module (core/storage.js) does the reading and writing, Node runs this in the tests.

import * as StateFile from "./statefile.js";

export const emptyStore = () => ({ version: 3, items: {} });

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

// Item ids come from the page and from imported files: only the store's own keys are items.
export const stateOf = (store, id) => StateFile.item({ ...(Object.hasOwn(store.items, id) ? store.items[id] : {}), id });

export const putState = (store, id, state) => {
  if (StateFile.isBlank(state)) delete store.items[id];
  else {
    const { id: _, ...rest } = StateFile.itemJson({ ...state, id }); // eslint-disable-line no-unused-vars
    store.items[id] = rest;
  }
};

// A store holding these items (what an import into an empty checklist stores).
export const storeOf = (items) => {
  const store = emptyStore();
  for (const it of items) putState(store, it.id, it);
  return store;
};

// The stored text `raw` as version 3: { store, converted (it was older), warnings (change times
// clamped to `now`, a Date) }, or null when it is unreadable. `v1`: read from the version 1 key.
export const parseStore = (raw, v1, now) => {
  let parsed;
  try { parsed = JSON.parse(raw); } catch { return null; }
  if (!parsed || typeof parsed !== "object" || !parsed.items || typeof parsed.items !== "object") return null;
  const version = v1 ? 1 : parsed.version;
  if (parsed.version !== version || ![1, 2, 3].includes(version)) return null;
  if (!Object.values(parsed.items).every((s) => wellFormed(s, version))) return null;
  if (version === 3) return { store: parsed, converted: false, warnings: [] };
  // Versions 1 and 2: converted as files of those versions are (StateFile.upgrade), times clamped.
  const items = Object.entries(parsed.items).map(([id, s]) => StateFile.upgrade({ ...s, id }, version));
  const clamped = StateFile.clamp(items, now);
  return { store: storeOf(clamped.items), converted: true, warnings: clamped.warnings };
};

// A state (StateFile.stateOf's shape: id -> fields) of everything stored, for the import's merge.
export const localState = (store) => new Map(Object.keys(store.items)
  .map((id) => [id, StateFile.fieldsOf(stateOf(store, id))]));

export const knownItems = (data) => new Set(Object.values(data.challenges).flatMap((c) => c.checklist.map((i) => i.id)));

// Stored items the catalog no longer has, in code point order: kept and listed, never dropped.
export const orphansOf = (data, store) => {
  const known = knownItems(data);
  return Object.keys(store.items).filter((id) => !known.has(id)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
};

// A short fingerprint of a stored text: enough to tell whether it changed since an undo step, without
// keeping a second full copy per step (ten steps of a large checklist would crowd the origin's quota).
export const hashOf = (text) => {
  const s = text ?? "";
  let h = 5381;
  for (let i = 0; i < s.length; i += 1) h = (Math.imul(h, 33) + s.charCodeAt(i)) | 0;
  return `${s.length}:${h >>> 0}`;
};

// A name (recorded with every change) follows the file format's rule for one line of text: no control
// character (bidi overrides such as U+202E included), at most MAX_LINE characters. A problem, or "".
const LINE_REFUSED = new RegExp(`[\\t\\n${StateFile.CONTROL}]`, "u");
export const nameProblem = (text) => {
  const bad = text.match(LINE_REFUSED);
  if (bad) {
    return "Not saved: a name is one line of text without control characters; this one contains "
      + `U+${bad[0].codePointAt(0).toString(16).toUpperCase().padStart(4, "0")}.`;
  }
  if ([...text.trim()].length > StateFile.MAX_LINE) return `Not saved: a name has at most ${StateFile.MAX_LINE} characters.`;
  return "";
};
