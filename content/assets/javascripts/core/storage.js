// The checklist saved in this browser (local storage, keyed by each item's stable id), the reader's
// name, and the labelled undo stack. Every key is scoped by the site's path (core/site.js).
//
// Storage never loses state silently: a write that fails (quota, private mode) is announced and the
// page shows what is really stored; unreadable stored data is kept aside under one key (the newest
// replaces an older copy, so copies never pile up) before a fresh checklist starts.

import * as StateFile from "../engine/statefile.js";
import { emptyStore, hashOf, parseStore, putState, stateOf } from "../engine/store.js";
import { nowUtc } from "./dom.js";
import { notify, storageAlert } from "./messages.js";
import { storageKey } from "./site.js";

export const STORE = storageKey("fieldguide-checklist"); // { version: 3, items: { id: item without its id } }
const ASIDE = storageKey("fieldguide-checklist.unreadable");
export const UNDO = storageKey("fieldguide-checklist.undo"); // [{ label, at, before, after: hashOf(the store after) }]
export const NAME = storageKey("fieldguide-name");
export const PROFILE = storageKey("fieldguide-profile-v1");
export const CITATIONS = storageKey("fieldguide-citations-v1"); // { version: 1, pages: [page keys] }
const MIGRATED = storageKey("fieldguide-migrated");
const UNDO_STEPS = 10; // at least 5 are kept; older ones go first when storage is short

// ------------------------------------------------------------------ writing

// Writes one key; false when the browser refuses (quota, private mode), without a word.
export const quietSet = (key, value) => {
  try {
    localStorage.setItem(key, value);
    return true;
  } catch {
    return false;
  }
};

// Writes one key; returns false (and says why) when the browser refuses.
export const trySet = (key, value) => {
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

// ------------------------------------------------------------------ keys from before they were scoped

// Each guide on the origin copies them once into its own keys; the old ones stay in place (read-only)
// so that every other guide there can do the same.
const LEGACY = { "fieldguide-checklist": STORE, "fieldguide-checklist-v1": storageKey("fieldguide-checklist-v1"),
  "fieldguide-checklist.unreadable": ASIDE, "fieldguide-name": NAME, "fieldguide-profile-v1": PROFILE,
  "fieldguide-citations-v1": CITATIONS, "fieldguide-citations-v1.unreadable": `${CITATIONS}.unreadable` };
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

// ------------------------------------------------------------------ the checklist

let storeBlocked = false; // unreadable data could not be kept aside: never write over it

export const readStore = () => {
  let key = STORE;
  let raw = localStorage.getItem(STORE);
  if (raw === null) {
    key = LEGACY["fieldguide-checklist-v1"];
    raw = localStorage.getItem(key);
    if (raw === null) return emptyStore();
  }
  const parsed = parseStore(raw, key !== STORE, new Date());
  if (parsed) {
    const { store, converted, warnings } = parsed;
    if (converted && !storeBlocked && trySet(STORE, JSON.stringify(store))) {
      if (key !== STORE) localStorage.removeItem(key);
      if (warnings.length) {
        notify(`Saved checklist data was converted; ${warnings.length} change time(s) more than a day `
          + "ahead of this computer's clock now count as the time of the conversion.");
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

export const userName = () => (localStorage.getItem(NAME) || "").trim();

// ------------------------------------------------------------------ a person's changes

// Typing makes one change per field, not one per key press: while the same field of the same item is
// being typed in (and nothing was exported or imported since), each key press amends the change the
// previous one made in this tab. Otherwise intermediate values would crowd out the earlier changes a
// value remembers having replaced.
let draft = null; // { id, field, at, by } of the change the last key press made
export const endDraft = () => { draft = null; };

const GROUP = { status: "status", reason: "status", owner: "owner", note: "note", evidence: "evidence" };

// Applies a person's change to one item: each field touched gets its own change time and author.
// Returns false if it could not be saved.
export const updateItem = (id, changes, typing = false) => {
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

// ------------------------------------------------------------------ undo: a labelled stack

export const readUndo = () => {
  try {
    const entries = JSON.parse(localStorage.getItem(UNDO));
    return Array.isArray(entries) ? entries.filter((e) => e && typeof e.label === "string") : [];
  } catch {
    return [];
  }
};

// Replaces the store, keeping the state before it on the undo stack (the oldest steps go first when
// storage is short). False, with nothing changed, if the new state cannot be saved.
export const replaceStore = (store, label) => {
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
export const undoStep = () => {
  const entries = readUndo();
  const top = entries.pop();
  if (!top) return null;
  const ok = top.before === null ? (localStorage.removeItem(STORE), true) : trySet(STORE, top.before);
  if (!ok) return null;
  quietSet(UNDO, JSON.stringify(entries));
  return top;
};
export const changedSince = (entry) => hashOf(localStorage.getItem(STORE)) !== entry.after;
