// Stage checklists: status, reason, owner, note and evidence per item, progress and readiness,
// filters, exports, an import that merges field by field (a preview that names every change and lets
// the reader settle each conflict, then apply or cancel), a labelled undo stack, and the plan view the
// planner links to. State survives reloads and Material's instant navigation.

// ------------------------------------------------------------------ exports (same as fieldguide.checklist)

const READINESS_RULE = "Readiness = resolved items (done or accepted risk) ÷ applicable items (all but not applicable).";
const RESOLVED = ["done", "accepted-risk", "na"];

// Only open, in-progress and done items are task-list boxes: accepted risk and not applicable are
// never drawn as ticked (checklist._item_line).
const itemLine = (text, s, id) => {
  let extra = [["owner", s.owner], ["note", s.note]].filter(([, v]) => v)
    .map(([k, v]) => ` — ${k}: ${markdownText(v)}`).join("");
  if (s.evidence) extra += ` — evidence: ${markdownUrl(s.evidence)}`;
  if (s.status === "na") return `- **Not applicable:** ~~${text}~~ (reason: ${markdownText(s.reason)})${extra} \`${id}\``;
  if (s.status === "accepted-risk") return `- **Accepted risk:** ${text} (reason: ${markdownText(s.reason)})${extra} \`${id}\``;
  return `- [${s.status === "done" ? "x" : " "}] ${text}${s.status === "in-progress" ? " (in progress)" : ""}${extra} \`${id}\``;
};
const orphanLine = (id, s) => (["na", "accepted-risk"].includes(s.status)
  ? `- **${STATUS_TEXT[s.status][0].toUpperCase()}${STATUS_TEXT[s.status].slice(1)}:** \`${id}\``
  : `- [${s.status === "done" ? "x" : " "}] \`${id}\` (${STATUS_TEXT[s.status]})`);

// "ML Test Score Data 1, deon A.3 (partly)": what a check also covers (fieldguide.coverage.covers_text).
const coversText = (data, item) => (item.covers || []).filter((c) => c.item in data.framework_items)
  .map((c) => data.framework_items[c.item].name + (c.partial ? " (partly)" : "")).join(", ");

// Open and in-progress items by stage and challenge; the rest folded in <details> (checklist._compact).
const compactLines = (data, rows, store, ready, stageTitle) => {
  const resolved = (row) => RESOLVED.includes(stateOf(store, row.item.id).status);
  const still = rows.filter((row) => !resolved(row));
  const rest = rows.filter(resolved);
  const out = ["", `## Still open (${still.length})`, ""];
  if (!still.length) out.push("Nothing: every item is done, accepted as a risk or not applicable.");
  const group = (part, withScores) => {
    let last = {};
    for (const row of part) {
      if (last.stage !== row.stage) {
        const r = ready.stages[row.stage];
        out.push("", `### ${stageTitle(row.stage)}${withScores ? ` — ${percent(r.score)} (${r.resolved}/${r.applicable} resolved)` : ""}`, "");
        last = { stage: row.stage };
      }
      if (last.challenge !== row.challenge) {
        const c = data.challenges[row.challenge];
        out.push("", `**[${c.title}](${c.url})**`, "");
        last.challenge = row.challenge;
      }
      out.push(itemLine(row.item.text, stateOf(store, row.item.id), row.item.id));
    }
  };
  group(still, true);
  if (rest.length) {
    out.push("", `<details><summary>Done, accepted risk or not applicable (${rest.length})</summary>`, "");
    group(rest, false);
    out.push("", "</details>");
  }
  return out;
};

// Every item with precedents and framework notes; ranked: the planner's order, one list of challenges.
const fullLines = (data, rows, store, ready, stageTitle, ranked) => {
  const out = ranked ? ["", "## Challenges, most likely to matter first", ""] : [];
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
  return out;
};

// Markdown for a pull-request comment (checklist.to_markdown): compact unless ranked (the plan export).
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
  out.push(...(ranked ? fullLines(data, rows, store, ready, stageTitle, true) : compactLines(data, rows, store, ready, stageTitle)));
  const orphans = orphansOf(data, store);
  if (orphans.length) {
    out.push("", "## Items no longer in the catalog", "");
    for (const id of orphans) out.push(orphanLine(id, stateOf(store, id)));
  }
  return out.join("\n").replace(/\n\n\n+/g, "\n\n") + "\n";
};

const CSV_COLUMNS = ["stage", "step", "challenge", "item_id", "text", "status", "reason", "owner", "note", "evidence",
  "updated", "by", "covers"];
// The latest change of any field, and who made it (ItemState.updated and .by in Python).
const latest = (s) => Object.values(s.changed).filter((c) => c.at)
  .reduce((best, c) => (!best || c.at > best.at ? c : best), null);
const toCsv = (data, rows, store) => {
  const fields = (s) => [s.status, s.reason, s.owner, s.note, s.evidence, latest(s)?.at || "", latest(s)?.by || ""];
  const lines = [CSV_COLUMNS];
  for (const row of rows) {
    lines.push([data.stages.find((x) => x.id === row.stage).title, data.steps[row.step].title,
      data.challenges[row.challenge].title, row.item.id, row.item.text, ...fields(stateOf(store, row.item.id)),
      coversText(data, row.item)]);
  }
  for (const id of orphansOf(data, store)) lines.push(["", "", "", id, "", ...fields(stateOf(store, id)), ""]);
  return lines.map((l) => l.map(csvCell).join(",")).join("\n") + "\n";
};

// The state file, version 3 (fieldguide.statefile.dump): every item in scope, then orphans.
const toJson = (data, rows, store, scope) => {
  const items = rows.map((r) => stateOf(store, r.item.id)).concat(orphansOf(data, store).map((id) => stateOf(store, id)));
  return JSON.stringify({
    format: "fieldguide-checklist", version: 3, exported: nowUtc(), catalog_version: data.version, scope,
    items: items.map(StateFile.itemJson),
  }, null, 2) + "\n";
};

// ------------------------------------------------------------------ import: validate, preview, apply, undo

let pendingImport = null; // { name, incoming (a state), warnings }

const itemText = (data, id) => {
  for (const c of Object.values(data.challenges)) {
    const found = c.checklist.find((i) => i.id === id);
    if (found) return found.text;
  }
  return `${id} (no longer in the catalog)`;
};

const FIELD_TEXT = { status: "Status", owner: "Owner", note: "Note", evidence: "Evidence link" };
const valueText = (name, change) => {
  if (!change) return "(not set)";
  if (name === "status") return STATUS_TEXT[change.value[0]] + (change.value[1] ? `: “${change.value[1]}”` : "");
  return change.value[0] ? `“${change.value[0]}”` : "(empty)";
};
const whoText = (change) => `${change.by || "someone unnamed"}, ${change.at
  ? change.at.replace("T", " ").replace(/:00Z$|Z$/, "").concat(" UTC") : "time unknown"}${change.weak ? ", a default" : ""}`;
const stamped = (name, change) => `${valueText(name, change)}${change ? ` (${whoText(change)})` : ""}`;

const el = (tag, props = {}, ...children) => {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
};

// One conflict: both values and the choice (keep mine, take theirs, keep both for a note); the one the
// merge would keep by itself is preselected.
let choiceCounter = 0;
const conflictChoice = (f) => {
  const group = `fg-choice-${++choiceCounter}`;
  const box = el("fieldset", { className: "fg-conflict" });
  box.dataset.fgConflict = `${f.id} ${f.field}`;
  box.append(el("legend", {}, `${FIELD_TEXT[f.field]}: changed on both sides since you last agreed`),
    el("p", {}, `Yours: ${stamped(f.field, f.mine)}`), el("p", {}, `Theirs: ${stamped(f.field, f.theirs)}`));
  const options = [["mine", "Keep mine"], ["theirs", "Take theirs"]];
  if (f.field === "note" && StateFile.both(f.mine, f.theirs)[0].length <= 4000) options.push(["both", "Keep both (notes appended)"]);
  const row = el("p", { className: "fg-choices" });
  for (const [value, label] of options) {
    const input = el("input", { type: "radio", name: group, value, id: `${group}-${value}`, checked: value === f.kept });
    row.append(el("span", { className: "fg-choice" }, input, " ", el("label", { htmlFor: input.id },
      label + (value === f.kept ? " (the default)" : ""))));
  }
  box.append(row);
  return box;
};

const showPreview = (data, name, report, warnings) => {
  const box = document.querySelector(".fg-preview");
  const known = knownItems(data);
  const title = el("p", { className: "fg-preview-title", id: "fg-preview-title" }, el("strong", {}, `Import preview: ${name}`));
  const summary = el("p", {}, `${report.new.length} new, ${report.changed.length} changed, ${report.conflicts.length} `
    + `conflict(s), ${report.unchanged.length} unchanged. Nothing changes until you apply it.`);
  const parts = [title, summary];
  if (warnings.length) {
    parts.push(el("div", { className: "fg-preview-warnings", role: "note" },
      el("p", {}, el("strong", {}, "Clock warning: "), `${warnings.length} change time(s) in ${name} are more than a day `
        + "ahead of this computer's clock (a wrong clock or a hand-edited file); they count as now:"),
      el("ul", {}, ...warnings.map((w) => el("li", {}, w)))));
  }
  // Conflicts always open; long lists of plain changes start folded (their count is in the summary).
  const section = (heading, ids, render, open = ids.length <= 30) => {
    if (!ids.length) return;
    const details = el("details", { open }, el("summary", {}, `${heading} (${ids.length})`));
    const list = el("ul", { className: "fg-preview-list" });
    for (const id of ids) {
      const fields = report.fields.filter((f) => f.id === id);
      list.append(el("li", {}, el("p", {}, el("strong", {}, itemText(data, id)), " ", el("code", {}, id)),
        ...fields.map(render)));
    }
    details.append(list);
    parts.push(details);
  };
  const change = (f) => (f.kind === "conflict" ? conflictChoice(f)
    : el("p", { className: "fg-preview-change" }, `${FIELD_TEXT[f.field]}: ${stamped(f.field, f.mine)} → ${stamped(f.field, f.theirs)}`));
  section("Conflicts: both sides changed the same field since they last agreed; choose for each", report.conflicts,
    change, true);
  section("New", report.new, change);
  section("Changed", report.changed, change);
  const orphans = report.new.filter((id) => !known.has(id));
  if (orphans.length) parts.push(el("p", {}, `${orphans.length} item(s) are no longer in the catalog and are kept as orphans: ${orphans.join(", ")}.`));
  const apply = el("button", { type: "button", className: "md-button md-button--primary" }, "Apply import");
  const cancel = el("button", { type: "button", className: "md-button" }, "Cancel");
  apply.dataset.fgImportApply = "";
  cancel.dataset.fgImportCancel = "";
  parts.push(el("p", { className: "fg-buttons" }, apply, cancel));
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

const localState = (store) => new Map(Object.keys(store.items).map((id) => [id, StateFile.fieldsOf(stateOf(store, id))]));

const importFile = async (file) => {
  closePreview();
  endDraft();
  if (file.size > StateFile.MAX_BYTES) {
    return notify(`Not imported: ${file.name} is larger than ${StateFile.MAX_BYTES} bytes (1 MiB). Nothing was changed.`);
  }
  let schema;
  try {
    schema = await loadStateSchema();
  } catch (error) {
    return notify(`Not imported: ${error.message}. Nothing was changed.`);
  }
  const result = StateFile.read(new Uint8Array(await file.arrayBuffer()), schema, new Date());
  if (result.errors) {
    const more = result.errors.length > 1 ? ` (and ${result.errors.length - 1} more problem(s))` : "";
    return notify(`Not imported: ${file.name}: ${result.errors[0]}${more}. Nothing was changed.`);
  }
  const data = await loadData();
  const incoming = StateFile.stateOf(result.items);
  const report = StateFile.compare(localState(readStore()), incoming);
  pendingImport = { name: file.name, incoming, warnings: result.warnings };
  notify(`${file.name} is valid: review the preview, then apply or cancel.`
    + (result.warnings.length ? ` ${result.warnings.length} clock warning(s): see the preview.` : ""));
  showPreview(data, file.name, report, result.warnings);
};

const applyImport = () => {
  if (!pendingImport) return;
  const { name, incoming, warnings } = pendingImport;
  // The choices made in the preview, by item and field.
  const chosen = new Map([...document.querySelectorAll("[data-fg-conflict]")].map((box) =>
    [box.dataset.fgConflict, box.querySelector("input:checked")?.value]));
  // Merged again from what is stored now (another tab may have saved since the preview opened).
  const report = StateFile.compare(localState(readStore()), incoming);
  const now = nowUtc();
  let settled = 0;
  for (const f of report.fields) {
    const choice = chosen.get(`${f.id} ${f.field}`);
    if (f.kind !== "conflict" || !choice || choice === f.kept) continue;
    report.merged.get(f.id)[f.field] = StateFile.resolve(f.mine, f.theirs, choice, now, userName());
    settled += 1;
  }
  const store = emptyStore();
  for (const [id, fields] of report.merged) putState(store, id, StateFile.itemOf(id, fields));
  closePreview();
  if (!replaceStore(store, `import of ${name}`)) {
    refreshChecklist();
    return notify(`Not imported: ${name} could not be saved (see the message above). Nothing was changed.`);
  }
  notify(`Imported ${name}: ${report.new.length} new, ${report.changed.length} changed, ${report.conflicts.length} `
    + `conflict(s), ${report.unchanged.length} unchanged.`
    + (settled ? ` ${settled} conflict(s) settled your way, recorded as your change so that they settle for everyone.` : "")
    + (warnings.length ? ` ${warnings.length} change time(s) from the future counted as now.` : "")
    + " Undo restores the state from before.");
  refreshChecklist();
  if (typeof refreshPlanner === "function") refreshPlanner();
};

const undoLast = () => {
  const top = readUndo().at(-1);
  if (!top) return notify("There is nothing to undo.");
  if (changedSince(top) && !confirm(`Undo ${top.label}? Changes made after it will be undone too.`)) return;
  endDraft();
  const done = undoStep();
  if (!done) return;
  pendingStatus.clear();
  notify(`Undone: ${done.label}. The checklist is as it was before it.`);
  refreshChecklist();
};

const showUndo = () => {
  const button = document.querySelector("[data-fg-undo]");
  if (!button) return;
  const entries = readUndo();
  button.hidden = !entries.length;
  button.textContent = entries.length ? `Undo ${entries.at(-1).label}` : "Undo";
  const history = document.querySelector(".fg-undo-history");
  if (!history) return;
  history.hidden = entries.length < 2;
  history.replaceChildren(el("summary", {}, `Undo history (${entries.length} steps)`),
    el("ol", {}, ...entries.slice().reverse().map((e) => el("li", {}, `${e.label} (${whoText({ at: e.at, by: "", weak: false }).replace(/^someone unnamed, /, "")})`))));
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

// What a printed checklist shows of an item, in full (its fields are not printed: an input would cut a
// long reason off, and a printed control helps nobody).
const printText = (s) => [`Status: ${STATUS_TEXT[s.status]}`, s.reason && `reason: ${s.reason}`, s.owner && `owner: ${s.owner}`,
  s.note && `note: ${s.note}`, s.evidence && `evidence: ${s.evidence}`].filter(Boolean).join(" · ");

const showItem = (li, s) => {
  const shown = pendingStatus.get(li.dataset.item) || s.status;
  const print = li.querySelector(".fg-print");
  if (print) print.textContent = printText(s);
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
  showUndo();
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
  const text = document.querySelector(".fg-readiness-overall");
  if (text) text.textContent = overall === null ? "n/a" : `${percent(overall)}` + (title && scores.length > 1 ? ` (lowest: ${title})` : "");
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
      warn(li, `Not saved yet: give a reason (with at least one visible character) to mark this ${STATUS_TEXT[field.value]}.`);
      return;
    }
    changes = { status: field.value };
  } else if (field.matches(".fg-reason")) {
    const wanted = pendingStatus.get(id) || s.status;
    if (needsReason(wanted) && !StateFile.REASON_GIVEN.test(field.value)) {
      warn(li, `A reason with at least one visible character is required for ${STATUS_TEXT[wanted]}; ${pendingStatus.has(id)
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
  const problems = stateSchema ? StateFile.validate(stateSchema, StateFile.itemJson({ ...s, ...changes }), "ItemState") : [];
  if (problems.length) {
    warn(li, `Not saved yet: ${problems[0].replace(/^([a-z]+): must be/, "the $1 must be")}.`);
    return;
  }
  warn(li, "");
  const saved = updateItem(id, changes, event.type === "input");
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

// A project name as it goes into a reason: one line, no control character, at most 200 characters
// (a link can carry anything; the reason must still be what an import accepts).
const projectName = (name) => {
  const clean = name.replace(new RegExp(`[${StateFile.CONTROL}]`, "gu"), " ")
    .split(/\s+/).filter(Boolean).join(" ");
  const chars = [...clean];
  return chars.length > StateFile.MAX_LINE ? `${chars.slice(0, StateFile.MAX_LINE - 1).join("")}…` : clean;
};

// The planner links here with the whole profile in the query string (?plan=1&name=...&trait=...).
// Opening the link only shows the plan; marking stages out of scope waits for an explicit click.
let planScope = null; // { project, outOfScope: [stage ids], inScope: [...] } while a plan is shown
const applyPlan = async () => {
  const tools = document.querySelector(".fg-checklist-tools");
  const params = new URLSearchParams(location.search);
  planScope = null;
  if (!tools || tools.dataset.fgPlan || !params.has("plan") || typeof rank !== "function") return;
  tools.dataset.fgPlan = "shown";
  const data = await loadData();
  const profile = readProfile(params);
  const project = projectName(profile.name) || "this project";
  if (!profile.stages.length) return notify("This plan has no stage in scope; open the planner and tick at least one.");
  const ranked = (await rank(data, profile))
    .filter((r) => document.querySelector(`.fg-challenge[data-challenge="${r.id}"]`));
  const first = document.querySelector(".fg-stage");
  if (!first || !ranked.length) return;
  const list = el("div", { className: "fg-plan-order" });
  ranked.forEach((r, i) => {
    const block = document.querySelector(`.fg-challenge[data-challenge="${r.id}"]`);
    block.querySelector("h4").prepend(el("span", { className: "fg-rank" }, `${i + 1}. `));
    list.append(block);
  });
  const outOfScope = [];
  for (const section of document.querySelectorAll(".fg-stage")) {
    if (profile.stages.includes(section.dataset.stage)) section.hidden = true; // its challenges moved up
    else outOfScope.push(section.dataset.stage);
  }
  planScope = { project, outOfScope, inScope: profile.stages };
  const count = document.querySelectorAll(".fg-item").length - list.querySelectorAll(".fg-item").length;
  const intro = el("div", { className: "fg-plan-intro" }, el("p", {}, el("strong", {},
    `Plan for ${project}: ${ranked.length} challenges in the stages in scope, most likely to matter first `
    + "(the planner's ranking). Stages out of scope follow.")));
  if (outOfScope.length) {
    const button = el("button", { type: "button", className: "md-button" },
      `Mark the ${count} items of stages out of scope not applicable`);
    button.dataset.fgPlanScope = "";
    intro.append(el("p", {}, button, " ", el("small", {}, `With the reason “out of scope for ${project}”, as a default: `
      + "it never replaces what anyone set by hand, here or in a teammate's file, and Undo removes it.")));
  }
  first.before(intro, list);
};

// Items of stages out of scope: not applicable, as a default (weak): only where nobody set the status,
// or where an earlier plan's default stands. Items in scope lose an earlier plan's not-applicable default.
const applyPlanScope = () => {
  if (!planScope) return;
  endDraft();
  const { project, outOfScope } = planScope;
  const store = readStore();
  const now = nowUtc();
  const by = userName();
  let marked = 0;
  let reopened = 0;
  for (const li of document.querySelectorAll(".fg-item")) {
    const id = li.dataset.item;
    const fields = StateFile.fieldsOf(stateOf(store, id));
    const current = fields.status;
    if (current && !current.weak) continue; // a person's value: never replaced
    const out = outOfScope.includes(li.dataset.stage);
    const value = out ? ["na", `${StateFile.PLAN_REASON}${project}`] : ["open", ""];
    if (!out && !(current && current.value[0] === "na")) continue;
    if (current && StateFile.sameValue(current.value, value)) continue;
    fields.status = StateFile.edit(current, value, now, by, true);
    const after = StateFile.itemOf(id, fields);
    if (stateSchema && StateFile.validate(stateSchema, StateFile.itemJson(after), "ItemState").length) continue;
    putState(store, id, after);
    if (out) marked += 1;
    else reopened += 1;
  }
  if (!marked && !reopened) return notify("Nothing to mark: every item of the stages out of scope is already set.");
  if (replaceStore(store, `plan scope for “${project}”`)) {
    notify(`Marked ${marked} item(s) of the stages out of scope not applicable (“out of scope for ${project}”)`
      + (reopened ? ` and reopened ${reopened} item(s) an earlier plan had marked` : "")
      + ". Anything set by hand was left alone. Undo removes the marks.");
  }
  refreshChecklist();
};

// ------------------------------------------------------------------ your name

// Saved only when the file format accepts it (one line, no control character, at most 200
// characters): the page never stamps a change with a name its own import would refuse.
const onNameInput = (input) => {
  const problem = nameProblem(input.value);
  const message = document.getElementById("fg-name-warning");
  if (message) {
    message.textContent = problem ? `${problem} Your changes are recorded under the name saved before.` : "";
    message.hidden = !problem;
  }
  if (problem) input.setAttribute("aria-invalid", "true");
  else input.removeAttribute("aria-invalid");
  if (!problem) trySet(NAME, input.value.trim());
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
  if (event.target.closest("[data-fg-undo]")) return undoLast();
  if (event.target.closest("[data-fg-plan-scope]")) return applyPlanScope();
  const exportButton = event.target.closest("[data-fg-export]");
  if (exportButton) {
    const data = await loadData();
    const scope = pageScope();
    const rows = itemsOf(data, scope);
    const store = readStore();
    const name = `checklist-${scope.length === 1 ? scope[0] : "all-stages"}`;
    const title = `Deployment checklist: ${scope.length === 1 ? data.stages.find((s) => s.id === scope[0]).title : "all stages"}`;
    const format = exportButton.dataset.fgExport;
    endDraft();
    if (format === "md") download(`${name}.md`, toMarkdown(data, rows, store, title), "text/markdown");
    if (format === "csv") download(`${name}.csv`, toCsv(data, rows, store), "text/csv");
    if (format === "json") download(`${name}.json`, toJson(data, rows, store, scope), "application/json");
    return;
  }
  if (event.target.closest("[data-fg-clear]")) {
    if (!confirm("Clear every status, reason, owner, note and link on this page in this browser? Undo brings them "
      + "back; importing a teammate's file brings back what they set.")) return;
    endDraft();
    const store = readStore();
    for (const li of document.querySelectorAll(".fg-item")) delete store.items[li.dataset.item];
    pendingStatus.clear();
    if (replaceStore(store, "clearing this page")) notify("Cleared this page's checklist in this browser.");
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
    if (event.target.matches("#fg-name")) onNameInput(event.target);
  });
  // Leaving a text field ends its typing: the next change there is a new one.
  document.addEventListener("change", (event) => {
    if (event.target.matches(".fg-reason, .fg-owner, .fg-note, .fg-evidence")) endDraft();
  });
  document.addEventListener("click", onClick);
  // "toggle" does not bubble: listen in the capture phase to build a panel's fields as it opens.
  document.addEventListener("toggle", (event) => {
    const li = event.target.matches?.(".fg-more") && event.target.open && event.target.closest(".fg-item");
    if (!li || !moreFields(li)) return;
    const s = stateOf(readStore(), li.dataset.item); // only these two: other fields may hold unsaved typing
    for (const key of ["note", "evidence"]) li.querySelector(`.fg-${key}`).value = s[key];
  }, true);
  addEventListener("storage", (event) => {
    if ([STORE, UNDO].includes(event.key)) {
      endDraft();
      refreshChecklist();
    }
  });
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
