// Shared by the checklist pages and the planner: saved state (localStorage, keyed by each item's
// stable id), the site's data (planner/data.json, computed by the Python package) and small helpers.
// Classic scripts: loaded in order (store.js, checklists.js, planner.js) they share one global scope.

const STORE = "fieldguide-checklist-v1";
const PROFILE = "fieldguide-profile-v1";
const STATUSES = ["open", "done", "na"];
const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

// ------------------------------------------------------------------ storage

const readStore = () => {
  const raw = localStorage.getItem(STORE);
  if (raw === null) return { version: 1, items: {} };
  try {
    const parsed = JSON.parse(raw);
    if (parsed && parsed.version === 1 && parsed.items && typeof parsed.items === "object") return parsed;
  } catch { /* handled below */ }
  // Never lose what was there: keep the unreadable value aside before starting afresh.
  localStorage.setItem(`${STORE}.unreadable-${Date.now()}`, raw);
  notify("Saved checklist data in this browser was unreadable; it was kept aside and a fresh checklist started.");
  return { version: 1, items: {} };
};

const writeStore = (store) => localStorage.setItem(STORE, JSON.stringify(store));

const stateOf = (store, id) => ({ status: "open", reason: "", owner: "", note: "", ...(store.items[id] || {}) });

const isBlank = (s) => s.status === "open" && !s.reason && !s.owner && !s.note;

const putState = (store, id, state) => {
  if (isBlank(state)) delete store.items[id];
  else store.items[id] = { status: state.status, reason: state.reason, owner: state.owner, note: state.note };
};

// ------------------------------------------------------------------ shared helpers

let dataPromise;
const siteRoot = () => {
  const config = JSON.parse(document.getElementById("__config")?.textContent || "{}");
  return new URL((config.base || ".") + "/", location.href);
};
const loadData = () => {
  dataPromise ??= fetch(new URL("planner/data.json", siteRoot())).then((r) => r.json());
  return dataPromise;
};

function notify(text) {
  for (const el of document.querySelectorAll(".fg-message")) el.textContent = text;
}

const download = (name, text, type) => {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = Object.assign(document.createElement("a"), { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
};

const percent = (x) => (x === null ? "n/a" : `${Math.round(100 * x)}%`);
const oneLine = (text) => text.replace(/</g, "&lt;").split(/\s+/).filter(Boolean).join(" ");
const csvCell = (v) => (/[",\n\r]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));
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

const readiness = (data, rows, store) => {
  const perStage = {};
  for (const row of rows) {
    const r = (perStage[row.stage] ??= { done: 0, applicable: 0 });
    const s = stateOf(store, row.item.id);
    if (s.status !== "na") r.applicable += 1;
    if (s.status === "done") r.done += 1;
  }
  for (const r of Object.values(perStage)) r.score = r.applicable ? r.done / r.applicable : null;
  const scores = Object.values(perStage).map((r) => r.score).filter((x) => x !== null);
  return { overall: scores.length ? Math.min(...scores) : null, stages: perStage };
};

const orphansOf = (data, store) => {
  const known = new Set(Object.values(data.challenges).flatMap((c) => c.checklist.map((i) => i.id)));
  return Object.keys(store.items).filter((id) => !known.has(id)).sort(byCodePoint);
};

