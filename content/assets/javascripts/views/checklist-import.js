// A checklist page's import and undo: a teammate's state file is validated against the published
// schema, merged field by field, and shown as a preview that names every change and lets the reader
// settle each conflict (keep mine, take theirs, keep both notes) before applying or cancelling; every
// import, clearing and plan scope is a labelled step on the undo stack. The functions that change
// what is stored return true; the checklist view (views/checklists.js) then shows the page afresh.

import * as StateFile from "../engine/statefile.js";
import { knownItems, localState, putState, emptyStore } from "../engine/store.js";
import { loadData, loadStateSchema } from "../core/data.js";
import { el, nowUtc } from "../core/dom.js";
import { notify } from "../core/messages.js";
import { changedSince, endDraft, readStore, readUndo, replaceStore, undoStep, userName } from "../core/storage.js";

// A status as the page names it: the labels of the status menus, which the generator writes from
// fieldguide.checklist.STATUS_TEXT (the exports take the same words from planner/data.json). The
// menus are made from the page's one template of item controls (views/checklists.js).
export const statusText = (status) => document.getElementById("fg-item-controls")?.content
  .querySelector(`.fg-status option[value="${status}"]`)?.textContent ?? status;

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
  if (name === "status") return statusText(change.value[0]) + (change.value[1] ? `: “${change.value[1]}”` : "");
  return change.value[0] ? `“${change.value[0]}”` : "(empty)";
};
const whoText = (change) => `${change.by || "someone unnamed"}, ${change.at
  ? change.at.replace("T", " ").replace(/:00Z$|Z$/, "").concat(" UTC") : "time unknown"}${change.weak ? ", a default" : ""}`;
const stamped = (name, change) => `${valueText(name, change)}${change ? ` (${whoText(change)})` : ""}`;

// One conflict: both values and the choice (keep mine, take theirs, keep both for notes whose joined
// text the format still accepts); the one the merge would keep by itself is preselected.
let choiceCounter = 0;
const conflictChoice = (f, schema) => {
  const group = `fg-choice-${++choiceCounter}`;
  const box = el("fieldset", { className: "fg-conflict" });
  box.dataset.fgConflict = `${f.id} ${f.field}`;
  box.append(el("legend", {}, `${FIELD_TEXT[f.field]}: changed on both sides since you last agreed`),
    el("p", {}, `Yours: ${stamped(f.field, f.mine)}`), el("p", {}, `Theirs: ${stamped(f.field, f.theirs)}`));
  const options = [["mine", "Keep mine"], ["theirs", "Take theirs"]];
  const joined = { id: f.id, status: "open", note: StateFile.both(f.mine, f.theirs)[0] };
  if (f.field === "note" && !StateFile.validate(schema, joined, "ItemState").length) {
    options.push(["both", "Keep both (notes appended)"]);
  }
  const row = el("p", { className: "fg-choices" });
  for (const [value, label] of options) {
    const input = el("input", { type: "radio", name: group, value, id: `${group}-${value}`, checked: value === f.kept });
    row.append(el("span", { className: "fg-choice" }, input, " ", el("label", { htmlFor: input.id },
      label + (value === f.kept ? " (the default)" : ""))));
  }
  box.append(row);
  return box;
};

const showPreview = (data, schema, name, report, warnings) => {
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
  const change = (f) => (f.kind === "conflict" ? conflictChoice(f, schema)
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

export const closePreview = () => {
  pendingImport = null;
  const box = document.querySelector(".fg-preview");
  if (box) { box.hidden = true; box.replaceChildren(); }
};

// Reads and checks a chosen file, then shows what importing it would change (nothing changes yet).
export const importFile = async (file) => {
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
  showPreview(data, schema, file.name, report, result.warnings);
};

// Applies the previewed import with the choices made in it. True when the store changed.
export const applyImport = () => {
  if (!pendingImport) return false;
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
    notify(`Not imported: ${name} could not be saved (see the message above). Nothing was changed.`);
    return true; // what is shown must be what is stored
  }
  notify(`Imported ${name}: ${report.new.length} new, ${report.changed.length} changed, ${report.conflicts.length} `
    + `conflict(s), ${report.unchanged.length} unchanged.`
    + (settled ? ` ${settled} conflict(s) settled your way, recorded as your change so that they settle for everyone.` : "")
    + (warnings.length ? ` ${warnings.length} change time(s) from the future counted as now.` : "")
    + " Undo restores the state from before.");
  return true;
};

// Undoes the newest step (asking first when changes were made after it). True when the store changed.
export const undoLast = () => {
  const top = readUndo().at(-1);
  if (!top) {
    notify("There is nothing to undo.");
    return false;
  }
  if (changedSince(top) && !confirm(`Undo ${top.label}? Changes made after it will be undone too.`)) return false;
  endDraft();
  const done = undoStep();
  if (!done) return false;
  notify(`Undone: ${done.label}. The checklist is as it was before it.`);
  return true;
};

// The Undo button, named after the newest step, and the list of earlier steps.
export const showUndo = () => {
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
