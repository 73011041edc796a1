// Stage checklists: status, reason, owner, note and evidence per item, progress and readiness,
// filters, exports, an import that merges (preview, then apply or cancel; the last one can be undone),
// and the plan view the planner links to. State survives reloads and Material's instant navigation.

// ------------------------------------------------------------------ exports (same as fieldguide.checklist)

const READINESS_RULE = "Readiness = resolved items (done or accepted risk) ÷ applicable items (all but not applicable).";

const itemLine = (text, s, id) => {
  const box = ["done", "accepted-risk", "na"].includes(s.status) ? "x" : " ";
  if (s.status === "na") text = `~~${text}~~ (not applicable: ${markdownText(s.reason)})`;
  else if (s.status === "accepted-risk") text = `${text} (accepted risk: ${markdownText(s.reason)})`;
  else if (s.status === "in-progress") text = `${text} (in progress)`;
  let extra = [["owner", s.owner], ["note", s.note]].filter(([, v]) => v)
    .map(([k, v]) => ` — ${k}: ${markdownText(v)}`).join("");
  if (s.evidence) extra += ` — evidence: ${markdownUrl(s.evidence)}`;
  return `- [${box}] ${text}${extra} \`${id}\``;
};

// "ML Test Score Data 1, deon A.3 (partly)": what a check also covers (fieldguide.coverage.covers_text).
const coversText = (data, item) => (item.covers || []).filter((c) => c.item in data.framework_items)
  .map((c) => data.framework_items[c.item].name + (c.partial ? " (partly)" : "")).join(", ");

// ranked: rows in the planner's order, one list of challenges instead of stage sections.
const toMarkdown = (data, rows, store, title, ranked = false) => {
  const ready = readiness(data, rows, store);
  const stageTitle = (id) => data.stages.find((s) => s.id === id).title;
  const lowest = Object.keys(ready.stages).length > 1 ? ", the lowest stage's" : "";
  const out = [`# ${markdownText(title)}`, "",
    `Readiness: **${percent(ready.overall)}**${lowest}. ${READINESS_RULE} `
    + `From the [ML Deployment Field Guide](${data.site_url}) ${data.version}.`, "",
    "| Stage | Ready | Done | Accepted risk | In progress | Open | Not applicable |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"];
  for (const [id, r] of Object.entries(ready.stages)) {
    out.push(`| ${markdownCell(stageTitle(id))} | ${percent(r.score)} | `
      + ["done", "accepted-risk", "in-progress", "open", "na"].map((s) => r.counts[s] || 0).join(" | ") + " |");
  }
  if (ranked) out.push("", "## Challenges, most likely to matter first", "");
  let last = {};
  let rank = 0;
  for (const row of rows) {
    if (!ranked && last.stage !== row.stage) {
      const r = ready.stages[row.stage];
      out.push("", `## ${stageTitle(row.stage)} — ${percent(r.score)} (${r.resolved}/${r.applicable} resolved)`, "");
      last = { stage: row.stage };
    }
    if (!ranked && last.step !== row.step) {
      out.push("", `### ${data.steps[row.step].title}`, "");
      last.step = row.step;
    }
    if (last.challenge !== row.challenge) {
      const c = data.challenges[row.challenge];
      const cases = c.precedents.slice(0, 3);
      const precedent = cases.length ? `precedents: ${cases.map((p) => p.title).join(", ")}` : "";
      if (ranked) {
        rank += 1;
        const where = `${stageTitle(row.stage)} › ${data.steps[row.step].title}`;
        out.push("", `### ${rank}. [${c.title}](${c.url})`, "", [where, precedent].filter(Boolean).join(" · "), "");
      } else {
        out.push("", `**[${c.title}](${c.url})**${precedent ? ` · ${precedent}` : ""}`, "");
      }
      last.challenge = row.challenge;
    }
    const covers = coversText(data, row.item);
    out.push(itemLine(row.item.text, stateOf(store, row.item.id), row.item.id) + (covers ? ` · also covers: ${covers}` : ""));
  }
  const orphans = orphansOf(data, store);
  if (orphans.length) {
    out.push("", "## Items no longer in the catalog", "");
    for (const id of orphans) {
      const s = stateOf(store, id);
      out.push(`- [${["done", "accepted-risk", "na"].includes(s.status) ? "x" : " "}] \`${id}\` (${STATUS_TEXT[s.status]})`);
    }
  }
  return out.join("\n").replace(/\n\n\n+/g, "\n\n") + "\n";
};

const CSV_COLUMNS = ["stage", "step", "challenge", "item_id", "text", "status", "reason", "owner", "note", "evidence",
  "updated", "by", "covers"];
const toCsv = (data, rows, store) => {
  const fields = (s) => [s.status, s.reason, s.owner, s.note, s.evidence, s.updated || "", s.by];
  const lines = [CSV_COLUMNS];
  for (const row of rows) {
    lines.push([data.stages.find((x) => x.id === row.stage).title, data.steps[row.step].title,
      data.challenges[row.challenge].title, row.item.id, row.item.text, ...fields(stateOf(store, row.item.id)),
      coversText(data, row.item)]);
  }
  for (const id of orphansOf(data, store)) lines.push(["", "", "", id, "", ...fields(stateOf(store, id)), ""]);
  return lines.map((l) => l.map(csvCell).join(",")).join("\n") + "\n";
};

// The state file, version 2 (fieldguide.statefile.dump): every item in scope, then orphans.
const toJson = (data, rows, store, scope) => {
  const items = rows.map((r) => stateOf(store, r.item.id)).concat(orphansOf(data, store).map((id) => stateOf(store, id)));
  return JSON.stringify({
    format: "fieldguide-checklist", version: 2, exported: nowUtc(), catalog_version: data.version, scope,
    items: items.map(StateFile.itemJson),
  }, null, 2) + "\n";
};

// ------------------------------------------------------------------ import: validate, preview, apply, undo

let pendingImport = null;

const itemText = (data, id) => {
  for (const c of Object.values(data.challenges)) {
    const found = c.checklist.find((i) => i.id === id);
    if (found) return found.text;
  }
  return `${id} (no longer in the catalog)`;
};

const describe = (s) => [STATUS_TEXT[s.status], s.reason && `reason: ${s.reason}`, s.owner && `owner: ${s.owner}`,
  s.updated ? `changed ${s.updated.replace("T", " ").replace("Z", " UTC")}` : "time unknown", s.by && `by ${s.by}`]
  .filter(Boolean).join(", ");

const listOf = (title, entries) => {
  const section = document.createElement("details");
  section.open = true;
  section.append(Object.assign(document.createElement("summary"), { textContent: `${title} (${entries.length})` }));
  const ul = document.createElement("ul");
  for (const text of entries) ul.append(Object.assign(document.createElement("li"), { textContent: text }));
  section.append(ul);
  return section;
};

const showPreview = (data, name, merged, local) => {
  const box = document.querySelector(".fg-preview");
  const known = knownItems(data);
  const before = new Map(local.map((i) => [i.id, i]));
  const after = new Map(merged.items.map((i) => [i.id, i]));
  const title = Object.assign(document.createElement("p"), { className: "fg-preview-title", id: "fg-preview-title" });
  title.append(Object.assign(document.createElement("strong"), { textContent: `Import preview: ${name}` }));
  const summary = Object.assign(document.createElement("p"), {
    textContent: `${merged.new.length} new, ${merged.changed.length} changed, ${merged.conflicts.length} `
      + `conflict(s), ${merged.unchanged.length} unchanged. Nothing changes until you apply it.`,
  });
  const parts = [title, summary];
  if (merged.conflicts.length) {
    parts.push(listOf("Conflicts: changed at the same time on both sides; your version is kept", merged.conflicts.map(
      ({ local: mine, incoming }) => `${mine.id}: ${itemText(data, mine.id)} — yours: ${describe(mine)}; theirs: ${describe(incoming)}`)));
  }
  if (merged.new.length) parts.push(listOf("New", merged.new.map((id) => `${id}: ${itemText(data, id)} — ${describe(after.get(id))}`)));
  if (merged.changed.length) {
    parts.push(listOf("Changed", merged.changed.map((id) => `${id}: ${itemText(data, id)} — now ${describe(after.get(id))} `
      + `(was ${describe(before.get(id))})`)));
  }
  const orphans = merged.new.filter((id) => !known.has(id));
  if (orphans.length) parts.push(Object.assign(document.createElement("p"), {
    textContent: `${orphans.length} item(s) are no longer in the catalog and are kept as orphans: ${orphans.join(", ")}.` }));
  const buttons = Object.assign(document.createElement("p"), { className: "fg-buttons" });
  buttons.append(
    Object.assign(document.createElement("button"), { type: "button", className: "md-button md-button--primary",
      textContent: "Apply import" }),
    Object.assign(document.createElement("button"), { type: "button", className: "md-button", textContent: "Cancel" }));
  buttons.children[0].dataset.fgImportApply = "";
  buttons.children[1].dataset.fgImportCancel = "";
  parts.push(buttons);
  box.replaceChildren(...parts);
  box.setAttribute("role", "region");
  box.setAttribute("aria-labelledby", "fg-preview-title");
  box.tabIndex = -1;
  box.hidden = false;
  box.focus();
};

const closePreview = () => {
  pendingImport = null;
  const box = document.querySelector(".fg-preview");
  if (box) { box.hidden = true; box.replaceChildren(); }
};

const importFile = async (file) => {
  closePreview();
  if (file.size > StateFile.MAX_BYTES) {
    return notify(`Not imported: ${file.name} is larger than ${StateFile.MAX_BYTES} bytes (1 MiB). Nothing was changed.`);
  }
  let schema;
  try {
    schema = await loadStateSchema();
  } catch (error) {
    return notify(`Not imported: ${error.message}. Nothing was changed.`);
  }
  const result = StateFile.read(new Uint8Array(await file.arrayBuffer()), schema);
  if (result.errors) {
    const more = result.errors.length > 1 ? ` (and ${result.errors.length - 1} more problem(s))` : "";
    return notify(`Not imported: ${file.name}: ${result.errors[0]}${more}. Nothing was changed.`);
  }
  const data = await loadData();
  const store = readStore();
  const local = Object.keys(store.items).map((id) => stateOf(store, id));
  const merged = StateFile.merge(local, result.items);
  pendingImport = { name: file.name, merged };
  notify(`${file.name} is valid: review the preview, then apply or cancel.`);
  showPreview(data, file.name, merged, local);
};

// Keeps the store as it is now under UNDO, then writes the new one; false (nothing changed) on failure.
const replaceStore = (store, label) => {
  const before = localStorage.getItem(STORE);
  if (!trySet(UNDO, JSON.stringify({ label, at: nowUtc(), store: before }))) return false;
  if (!writeStore(store)) {
    localStorage.removeItem(UNDO);
    return false;
  }
  return true;
};

const applyImport = () => {
  if (!pendingImport) return;
  const { name, merged } = pendingImport;
  const store = emptyStore();
  for (const item of merged.items) putState(store, item.id, item);
  closePreview();
  if (!replaceStore(store, `the import of ${name}`)) {
    refreshChecklist();
    return notify(`Not imported: ${name} could not be saved (see the message above). Nothing was changed.`);
  }
  const conflicts = merged.conflicts.map((c) => c.local.id);
  notify(`Imported ${name}: ${merged.new.length} new, ${merged.changed.length} changed, ${merged.unchanged.length} unchanged.`
    + (conflicts.length ? ` ${conflicts.length} conflict(s) kept your version: ${conflicts.join(", ")}.` : "")
    + " Undo last import restores the state from before.");
  refreshChecklist();
  if (typeof refreshPlanner === "function") refreshPlanner();
};

const undoImport = () => {
  let saved;
  try { saved = JSON.parse(localStorage.getItem(UNDO)); } catch { saved = null; }
  if (!saved) return notify("There is no import to undo.");
  const ok = saved.store === null ? (localStorage.removeItem(STORE), true) : trySet(STORE, saved.store);
  if (!ok) return;
  localStorage.removeItem(UNDO);
  notify(`Undone: ${saved.label}. The checklist is as it was before.`);
  refreshChecklist();
};

// ------------------------------------------------------------------ checklist pages

const pageScope = () => (document.querySelector("[data-fg-scope]")?.dataset.fgScope || "").split(" ").filter(Boolean);
const needsReason = (status) => StateFile.NEEDS_REASON.includes(status);

// A status that needs a reason is held here (not saved) until the reason is typed.
const pendingStatus = new Map();
let stateSchema = null; // loaded with the page, so that edits are checked like imports

const warn = (li, text) => {
  const p = li.querySelector(".fg-item-warning");
  p.textContent = text;
  p.hidden = !text;
  for (const field of li.querySelectorAll(".fg-reason")) {
    if (text) field.setAttribute("aria-invalid", "true");
    else field.removeAttribute("aria-invalid");
    if (text) field.setAttribute("aria-describedby", p.id);
    else field.removeAttribute("aria-describedby");
  }
};

// The note and evidence fields wait in a <template> until their panel is opened: 38 items' worth of
// form controls cost a checklist page a third of its start-up style and layout work (Lighthouse TBT).
// Returns true when it built them now (the caller fills them in).
const moreFields = (li, open = false) => {
  const details = li.querySelector(".fg-more");
  const template = details?.querySelector("template");
  if (template) template.replaceWith(template.content.cloneNode(true));
  if (details && open) details.open = true;
  return Boolean(template);
};

const showItem = (li, s) => {
  const shown = pendingStatus.get(li.dataset.item) || s.status;
  li.querySelector(".fg-done").checked = shown === "done";
  li.querySelector(".fg-status").value = shown;
  li.dataset.status = shown;
  li.querySelector(".fg-reason-field").hidden = !needsReason(shown) && !s.reason;
  if (s.note || s.evidence) moreFields(li, true);
  for (const key of ["reason", "owner", "note", "evidence"]) {
    const field = li.querySelector(`.fg-${key}`);
    if (field && field !== document.activeElement) field.value = s[key];
  }
};

function refreshChecklist() {
  const tools = document.querySelector(".fg-checklist-tools");
  if (!tools) return;
  const store = readStore();
  for (const li of document.querySelectorAll(".fg-item")) showItem(li, stateOf(store, li.dataset.item));
  const name = document.getElementById("fg-name");
  if (name && name !== document.activeElement) name.value = localStorage.getItem(NAME) || "";
  const undo = document.querySelector("[data-fg-undo]");
  if (undo) undo.hidden = localStorage.getItem(UNDO) === null;
  updateOwners(store);
  updateProgress(store);
  applyFilters();
}

function updateProgress(store) {
  const perStage = {};
  for (const box of document.querySelectorAll("[data-fg-progress]")) {
    const [kind, id] = box.dataset.fgProgress.split(":");
    const items = [...document.querySelectorAll(`.fg-item[data-${kind}="${id}"]`)];
    const states = items.map((li) => stateOf(store, li.dataset.item).status);
    const count = (status) => states.filter((s) => s === status).length;
    const na = count("na");
    const accepted = count("accepted-risk");
    const resolved = count("done") + accepted;
    const applicable = items.length - na;
    const score = applicable ? resolved / applicable : null;
    box.querySelector("progress").value = score ?? 0;
    box.querySelector(".fg-progress-text").textContent = `${resolved} of ${applicable} resolved`
      + `${accepted ? ` (${accepted} accepted risk)` : ""}${na ? `, ${na} not applicable` : ""} (${percent(score)})`;
    if (kind === "stage") perStage[id] = score;
  }
  const scores = Object.values(perStage).filter((x) => x !== null);
  const overall = scores.length ? Math.min(...scores) : null;
  const lowest = Object.entries(perStage).find(([, s]) => s === overall)?.[0];
  const title = lowest && document.getElementById(lowest)?.textContent.replace(/¶$/, "").trim();
  const el = document.querySelector(".fg-readiness-overall");
  if (el) el.textContent = overall === null ? "n/a" : `${percent(overall)}` + (title && scores.length > 1 ? ` (lowest: ${title})` : "");
}

const onItemChange = (event) => {
  const li = event.target.closest(".fg-item");
  if (!li) return;
  const id = li.dataset.item;
  const store = readStore();
  const s = stateOf(store, id);
  const field = event.target;
  let changes = null;
  if (field.matches(".fg-done")) {
    pendingStatus.delete(id);
    changes = { status: field.checked ? "done" : "open" };
  } else if (field.matches(".fg-status")) {
    pendingStatus.delete(id);
    if (needsReason(field.value) && !StateFile.REASON_GIVEN.test(s.reason)) {
      pendingStatus.set(id, field.value); // held until a reason is given
      showItem(li, s);
      warn(li, `Not saved yet: give a reason to mark this ${STATUS_TEXT[field.value]}.`);
      return;
    }
    changes = { status: field.value };
  } else if (field.matches(".fg-reason")) {
    const wanted = pendingStatus.get(id) || s.status;
    if (needsReason(wanted) && !StateFile.REASON_GIVEN.test(field.value)) {
      warn(li, `A reason is required for ${STATUS_TEXT[wanted]}; ${pendingStatus.has(id)
        ? "the status is not saved until you give one." : "the saved reason stays until you type a new one."}`);
      return;
    }
    pendingStatus.delete(id);
    changes = { reason: field.value, status: wanted };
  } else if (field.matches(".fg-evidence")) {
    changes = { evidence: field.value.trim() };
  } else {
    for (const key of ["owner", "note"]) if (field.matches(`.fg-${key}`)) changes = { [key]: field.value };
  }
  if (!changes) return;
  // Never store what an import would refuse: the edited item is checked against the published schema.
  const problems = stateSchema ? StateFile.validate(stateSchema, { ...s, ...changes }, "ItemState") : [];
  if (problems.length) {
    warn(li, `Not saved yet: ${problems[0].replace(/^([a-z]+): must be/, "the $1 must be")}.`);
    return;
  }
  warn(li, "");
  const saved = updateItem(id, changes);
  const now = readStore();
  // What is shown is what is stored: a refused write puts the control back to the saved state
  // (text being typed stays in its field so nothing typed is lost, and the alert says it is not saved).
  if (!saved && field.matches(".fg-done, .fg-status")) pendingStatus.delete(id);
  showItem(li, stateOf(now, id));
  if (!saved) li.dataset.unsaved = "true";
  else delete li.dataset.unsaved;
  updateOwners(now);
  updateProgress(now);
};

// ------------------------------------------------------------------ filters

function updateOwners(store) {
  const select = document.getElementById("fg-filter-owner");
  if (!select) return;
  const owners = new Set();
  for (const li of document.querySelectorAll(".fg-item")) {
    const owner = stateOf(store, li.dataset.item).owner.trim();
    if (owner) owners.add(owner);
  }
  const wanted = [...owners].sort((a, b) => a.localeCompare(b));
  const current = [...select.options].slice(2).map((o) => o.value);
  if (wanted.join("\n") === current.join("\n")) return;
  const value = select.value;
  for (const option of [...select.options].slice(2)) option.remove();
  for (const owner of wanted) select.append(new Option(owner, owner));
  select.value = wanted.includes(value) || value === "-" ? value : "";
}

function applyFilters() {
  const statusFilter = document.getElementById("fg-filter-status")?.value || "";
  const ownerFilter = document.getElementById("fg-filter-owner")?.value || "";
  if (!document.getElementById("fg-filter-status")) return;
  const store = readStore();
  let shown = 0;
  const items = [...document.querySelectorAll(".fg-item")];
  for (const li of items) {
    const s = stateOf(store, li.dataset.item);
    const owner = s.owner.trim();
    const statusOk = !statusFilter || (statusFilter === "unresolved" ? ["open", "in-progress"].includes(s.status)
      : s.status === statusFilter);
    const ownerOk = !ownerFilter || (ownerFilter === "-" ? !owner : owner === ownerFilter);
    li.classList.toggle("fg-filtered", !(statusOk && ownerOk));
    if (statusOk && ownerOk) shown += 1;
  }
  for (const group of document.querySelectorAll(".fg-challenge, .fg-step, .fg-stage")) {
    group.classList.toggle("fg-filtered", !group.querySelector(".fg-item:not(.fg-filtered)"));
  }
  const count = document.querySelector(".fg-filter-count");
  if (count) count.textContent = statusFilter || ownerFilter ? `Showing ${shown} of ${items.length} items.` : "";
}

// ------------------------------------------------------------------ the plan view (from the planner)

// The planner links here with the whole profile in the query string (?plan=1&name=...&trait=...).
const applyPlan = async () => {
  const tools = document.querySelector(".fg-checklist-tools");
  const params = new URLSearchParams(location.search);
  if (!tools || tools.dataset.fgPlan || !params.has("plan") || typeof rank !== "function") return;
  tools.dataset.fgPlan = "applied";
  const data = await loadData();
  const profile = readProfile(params);
  const project = profile.name.trim() || "this project";
  if (!profile.stages.length) return notify("This plan has no stage in scope; open the planner and tick at least one.");
  const ranked = (await rank(data, profile))
    .filter((r) => document.querySelector(`.fg-challenge[data-challenge="${r.id}"]`));
  const first = document.querySelector(".fg-stage");
  if (!first || !ranked.length) return;
  const intro = document.createElement("p");
  intro.className = "fg-plan-intro";
  intro.textContent = `Plan for ${project}: ${ranked.length} challenges in the stages in scope, most likely to `
    + "matter first (the planner's ranking). Stages out of scope follow, marked not applicable.";
  const list = Object.assign(document.createElement("div"), { className: "fg-plan-order" });
  ranked.forEach((r, i) => {
    const block = document.querySelector(`.fg-challenge[data-challenge="${r.id}"]`);
    const heading = block.querySelector("h4");
    heading.prepend(Object.assign(document.createElement("span"), { className: "fg-rank", textContent: `${i + 1}. ` }));
    list.append(block);
  });
  first.before(intro, list);
  const outOfScope = [];
  for (const section of document.querySelectorAll(".fg-stage")) {
    if (profile.stages.includes(section.dataset.stage)) section.hidden = true; // its challenges moved up
    else outOfScope.push(section.dataset.stage);
  }
  // Items of stages out of scope: not applicable, with the reason, unless someone already set them.
  const store = readStore();
  const stamp = { updated: nowUtc(), by: userName() };
  let marked = 0;
  for (const li of document.querySelectorAll(".fg-item")) {
    if (!outOfScope.includes(li.dataset.stage) || !StateFile.isBlank(stateOf(store, li.dataset.item))) continue;
    putState(store, li.dataset.item, { ...stateOf(store, li.dataset.item), status: "na",
      reason: `out of scope for ${project}`, ...stamp });
    marked += 1;
  }
  if (marked && replaceStore(store, `marking ${marked} out-of-scope item(s) not applicable`)) {
    notify(`Marked ${marked} item(s) of the stages out of scope not applicable ("out of scope for ${project}"). `
      + "Undo last import restores them.");
  }
  refreshChecklist();
};

// ------------------------------------------------------------------ skip link

const addSkipLink = () => {
  const first = document.querySelector(".fg-item .fg-done");
  if (!first || document.querySelector(".fg-skip")) return;
  const link = Object.assign(document.createElement("a"), { href: `#${first.id}`, className: "md-skip fg-skip",
    textContent: "Skip to the first checklist item" });
  const material = document.querySelector(".md-skip");
  if (material) material.after(link);
  else document.body.prepend(link);
};

const focusFirstItem = (event) => {
  event.preventDefault();
  const first = [...document.querySelectorAll(".fg-item")].find((li) => li.offsetParent !== null);
  const box = first?.querySelector(".fg-done");
  if (!box) return;
  box.scrollIntoView({ block: "center" });
  box.focus();
};

// ------------------------------------------------------------------ wiring

const onClick = async (event) => {
  if (event.target.closest(".fg-skip")) return focusFirstItem(event);
  if (event.target.closest("[data-fg-import-apply]")) return applyImport();
  if (event.target.closest("[data-fg-import-cancel]")) {
    closePreview();
    return notify("Import cancelled. Nothing was changed.");
  }
  if (event.target.closest("[data-fg-undo]")) return undoImport();
  const exportButton = event.target.closest("[data-fg-export]");
  if (exportButton) {
    const data = await loadData();
    const scope = pageScope();
    const rows = itemsOf(data, scope);
    const store = readStore();
    const name = `checklist-${scope.length === 1 ? scope[0] : "all-stages"}`;
    const title = `Deployment checklist: ${scope.length === 1 ? data.stages.find((s) => s.id === scope[0]).title : "all stages"}`;
    const format = exportButton.dataset.fgExport;
    if (format === "md") download(`${name}.md`, toMarkdown(data, rows, store, title), "text/markdown");
    if (format === "csv") download(`${name}.csv`, toCsv(data, rows, store), "text/csv");
    if (format === "json") download(`${name}.json`, toJson(data, rows, store, scope), "application/json");
    return;
  }
  if (event.target.closest("[data-fg-clear]")) {
    if (!confirm("Clear every status, reason, owner, note and link on this page? Export JSON first to keep a copy.")) return;
    const store = readStore();
    for (const li of document.querySelectorAll(".fg-item")) delete store.items[li.dataset.item];
    pendingStatus.clear();
    if (writeStore(store)) notify("Cleared this page's checklist.");
    refreshChecklist();
  }
};

if (!window.__fgChecklistsWired) {
  window.__fgChecklistsWired = true;
  document.addEventListener("change", (event) => {
    const target = event.target;
    if (target.matches(".fg-done, .fg-status")) onItemChange(event);
    else if (target.matches(".fg-import") && target.files[0]) {
      const file = target.files[0];
      target.value = "";
      importFile(file);
    } else if (target.matches("#fg-filter-status, #fg-filter-owner")) applyFilters();
  });
  document.addEventListener("input", (event) => {
    if (event.target.matches(".fg-reason, .fg-owner, .fg-note, .fg-evidence")) onItemChange(event);
    if (event.target.matches("#fg-name")) trySet(NAME, event.target.value.replace(/[\u0000-\u001f\u007f-\u009f]/g, ""));
  });
  document.addEventListener("click", onClick);
  // "toggle" does not bubble: listen in the capture phase to build a panel's fields as it opens.
  document.addEventListener("toggle", (event) => {
    const li = event.target.matches?.(".fg-more") && event.target.open && event.target.closest(".fg-item");
    if (!li || !moreFields(li)) return;
    const s = stateOf(readStore(), li.dataset.item); // only these two: other fields may hold unsaved typing
    for (const key of ["note", "evidence"]) li.querySelector(`.fg-${key}`).value = s[key];
  }, true);
  addEventListener("storage", (event) => { if ([STORE, UNDO].includes(event.key)) refreshChecklist(); });
}

const onChecklistPage = () => {
  if (!document.querySelector(".fg-checklist-tools")) return;
  pendingStatus.clear();
  loadStateSchema().then((schema) => { stateSchema = schema; }, () => {});
  addSkipLink();
  refreshChecklist();
  applyPlan();
};

if (window.document$) window.document$.subscribe(onChecklistPage);
else document.addEventListener("DOMContentLoaded", onChecklistPage);
