// Stage checklists: status, reason, owner, note and evidence per item, progress and readiness,
// filters, exports, the import and undo (views/checklist-import.js), and the plan view the planner
// links to. State survives reloads and Material's instant navigation.

import * as StateFile from "../engine/statefile.js";
import { rowsOf, toCsv, toJson, toMarkdown } from "../engine/checklist.js";
import { profileFrom, projectName } from "../engine/plan.js";
import { percent, readiness, tally } from "../engine/readiness.js";
import { nameProblem, putState, stateOf } from "../engine/store.js";
import { loadData, loadStateSchema } from "../core/data.js";
import { download, el, nowUtc } from "../core/dom.js";
import { notify } from "../core/messages.js";
import { rank } from "../core/ranking.js";
import { hashTarget, onPage } from "../core/site.js";
import { NAME, STORE, UNDO, endDraft, readStore, replaceStore, trySet, updateItem, userName } from "../core/storage.js";
import { applyImport, closePreview, importFile, showUndo, statusText, undoLast } from "./checklist-import.js";

// ------------------------------------------------------------------ checklist pages

const pageScope = () => (document.querySelector("[data-fg-scope]")?.dataset.fgScope || "").split(" ").filter(Boolean);
const needsReason = (status) => StateFile.NEEDS_REASON.includes(status);

// A status that needs a reason is held here (not saved) until the reason is typed.
const pendingStatus = new Map();
const waitingText = (status) => `Not saved yet: give a reason (with at least one visible character) to mark this ${statusText(status)}.`;
let shownPath = null; // the page onPage last showed: the theme may swap the same page in again
let stateSchema = null; // loaded with the page, so that edits are checked like imports

const warn = (li, text) => {
  if (text) ensureControls(li);
  const p = li.querySelector(".fg-item-warning");
  if (!p) return;
  p.textContent = text;
  p.hidden = !text;
  for (const field of li.querySelectorAll(".fg-reason")) {
    if (text) field.setAttribute("aria-invalid", "true");
    else field.removeAttribute("aria-invalid");
    if (text) field.setAttribute("aria-describedby", p.id);
    else field.removeAttribute("aria-describedby");
  }
};

// An item's controls (status, reason, owner, the note panel) come from the page's one
// <template id="fg-item-controls"> when the item is first pointed at, touched or focused, or holds a
// state: shipped and laid out for every item they made a ten-times catalog's all-stages page 5 MB and
// 58,000 elements. The item's text, box and printed status are always in the page (search-in-page,
// print, keyboard). Placeholder ids (`data-fg-id="status"`) become `status-<item id>`.
const identify = (part, id) => {
  for (const e of part.querySelectorAll("[data-fg-id]")) {
    e.id = `${e.dataset.fgId}-${id}`;
    delete e.dataset.fgId;
  }
  for (const e of part.querySelectorAll("[data-fg-for]")) {
    e.htmlFor = `${e.dataset.fgFor}-${id}`;
    delete e.dataset.fgFor;
  }
  return part;
};

// Returns true when it made them now (the caller shows the item's state in them).
const ensureControls = (li) => {
  if (li.querySelector(".fg-fields")) return false;
  const template = document.getElementById("fg-item-controls");
  if (!template) return false;
  li.querySelector(".fg-print").before(identify(template.content.cloneNode(true), li.dataset.item));
  return true;
};

// The note and evidence fields wait in a <template> until their panel is opened: 38 items' worth of
// form controls cost a checklist page a third of its start-up style and layout work (Lighthouse TBT).
// Returns true when it built them now (the caller fills them in).
const moreFields = (li, open = false) => {
  const details = li.querySelector(".fg-more");
  const template = details?.querySelector("template");
  if (template) template.replaceWith(identify(template.content.cloneNode(true), li.dataset.item));
  if (details && open) details.open = true;
  return Boolean(template);
};

// What a printed checklist shows of an item, in full (its fields are not printed: an input would cut a
// long reason off, and a printed control helps nobody).
const printText = (s) => [`Status: ${statusText(s.status)}`, s.reason && `reason: ${s.reason}`, s.owner && `owner: ${s.owner}`,
  s.note && `note: ${s.note}`, s.evidence && `evidence: ${s.evidence}`].filter(Boolean).join(" · ");

const blank = (s) => s.status === "open" && !s.reason && !s.owner && !s.note && !s.evidence;

const showItem = (li, s) => {
  const shown = pendingStatus.get(li.dataset.item) || s.status;
  const print = li.querySelector(".fg-print");
  const text = printText(s);
  if (print && print.textContent !== text) print.textContent = text;
  const box = li.querySelector(".fg-done");
  if (box.checked !== (shown === "done")) box.checked = shown === "done";
  if (li.dataset.status !== shown) li.dataset.status = shown;
  if (!li.querySelector(".fg-fields") && (shown !== "open" || !blank(s))) ensureControls(li);
  if (!li.querySelector(".fg-fields")) return; // an untouched item: nothing more to show
  li.querySelector(".fg-status").value = shown;
  li.querySelector(".fg-reason-field").hidden = !needsReason(shown) && !s.reason;
  if (s.note || s.evidence) moreFields(li, true);
  for (const key of ["reason", "owner", "note", "evidence"]) {
    const field = li.querySelector(`.fg-${key}`);
    if (field && field !== document.activeElement) field.value = s[key];
  }
};

// The page's items, found once per page (the plan view moves them around but never adds or drops one;
// showing every stage on the overview does, and starts the cache afresh).
let itemsCache = { tools: null, items: [], rows: [] };
const pageItems = () => {
  const tools = document.querySelector(".fg-checklist-tools");
  if (itemsCache.tools !== tools) {
    const items = [...document.querySelectorAll(".fg-item")];
    // Every item of the page's scope as { item, stage, step? }: those in the page, and those of the
    // overview's stage summaries (ids only, in `data-fg-items`) until their stage is shown.
    const rows = items.map((li) => li.dataset);
    for (const summary of document.querySelectorAll(".fg-stage-summary")) {
      for (const item of summary.dataset.fgItems.split(" ").filter(Boolean)) rows.push({ item, stage: summary.dataset.stage });
    }
    itemsCache = { tools, items, rows };
  }
  return itemsCache.items;
};
const pageRows = () => {
  pageItems();
  return itemsCache.rows;
};

// The progress bars (stages and steps) and the overall readiness, from the stored statuses of the
// page's items: the same arithmetic as the exports (engine/readiness.js). After one item's change only
// its step's and stage's bars are rewritten (`changed`); the readiness line always is.
const updateProgress = (store, changed = null) => {
  const statusOf = (row) => stateOf(store, row.item).status;
  const rows = pageRows();
  const boxes = changed
    ? [`step:${changed.dataset.step}`, `stage:${changed.dataset.stage}`]
      .map((key) => document.querySelector(`[data-fg-progress="${key}"]`)).filter(Boolean)
    : document.querySelectorAll("[data-fg-progress]");
  for (const box of boxes) {
    const [kind, id] = box.dataset.fgProgress.split(":");
    const r = tally(rows.filter((row) => row[kind] === id).map(statusOf));
    box.querySelector("progress").value = r.score ?? 0;
    box.querySelector(".fg-progress-text").textContent = `${r.resolved} of ${r.applicable} resolved`
      + `${r.accepted ? ` (${r.accepted} accepted risk)` : ""}${r.na ? `, ${r.na} not applicable` : ""} (${percent(r.score)})`;
  }
  const stages = new Set([...document.querySelectorAll("[data-fg-progress^='stage:']")].map((box) => box.dataset.fgProgress.slice(6)));
  const ready = readiness(rows.filter((row) => stages.has(row.stage)).map((row) => [row.stage, statusOf(row)]));
  const scored = Object.values(ready.stages).filter((r) => r.score !== null).length;
  const title = ready.lowest && document.getElementById(ready.lowest)?.textContent.replace(/¶$/, "").trim();
  const text = document.querySelector(".fg-readiness-overall");
  if (text) text.textContent = ready.overall === null ? "n/a" : percent(ready.overall) + (title && scored > 1 ? ` (lowest: ${title})` : "");
};

const refreshChecklist = () => {
  const tools = document.querySelector(".fg-checklist-tools");
  if (!tools) return;
  const store = readStore();
  for (const li of pageItems()) showItem(li, stateOf(store, li.dataset.item));
  const name = document.getElementById("fg-name");
  if (name && name !== document.activeElement) name.value = localStorage.getItem(NAME) || "";
  showUndo();
  updateOwners(store);
  updateProgress(store);
  applyFilters();
};

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
      warn(li, waitingText(field.value));
      return;
    }
    changes = { status: field.value };
  } else if (field.matches(".fg-reason")) {
    const wanted = pendingStatus.get(id) || s.status;
    if (needsReason(wanted) && !StateFile.REASON_GIVEN.test(field.value)) {
      warn(li, `A reason with at least one visible character is required for ${statusText(wanted)}; ${pendingStatus.has(id)
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
  updateProgress(now, li);
};

// ------------------------------------------------------------------ filters

const updateOwners = (store) => {
  const select = document.getElementById("fg-filter-owner");
  if (!select) return;
  const owners = new Set();
  for (const row of pageRows()) {
    const owner = stateOf(store, row.item).owner.trim();
    if (owner) owners.add(owner);
  }
  const wanted = [...owners].sort((a, b) => a.localeCompare(b));
  const current = [...select.options].slice(2).map((o) => o.value);
  if (wanted.join("\n") === current.join("\n")) return;
  const value = select.value;
  for (const option of [...select.options].slice(2)) option.remove();
  for (const owner of wanted) select.append(new Option(owner, owner));
  select.value = wanted.includes(value) || value === "-" ? value : "";
};

const applyFilters = () => {
  const statusFilter = document.getElementById("fg-filter-status")?.value || "";
  const ownerFilter = document.getElementById("fg-filter-owner")?.value || "";
  if (!document.getElementById("fg-filter-status")) return;
  const store = readStore();
  let shown = 0;
  const items = pageItems();
  for (const li of items) {
    const s = stateOf(store, li.dataset.item);
    const owner = s.owner.trim();
    const statusOk = !statusFilter || (statusFilter === "unresolved" ? ["open", "in-progress"].includes(s.status)
      : s.status === statusFilter);
    const ownerOk = !ownerFilter || (ownerFilter === "-" ? !owner : owner === ownerFilter);
    li.classList.toggle("fg-filtered", !(statusOk && ownerOk));
    if (statusOk && ownerOk) shown += 1;
  }
  for (const group of document.querySelectorAll(".fg-challenge, .fg-step, .fg-stage:not(.fg-stage-summary)")) {
    group.classList.toggle("fg-filtered", !group.querySelector(".fg-item:not(.fg-filtered)"));
  }
  const count = document.querySelector(".fg-filter-count");
  if (count) count.textContent = statusFilter || ownerFilter ? `Showing ${shown} of ${items.length} items.` : "";
};

// ------------------------------------------------------------------ every stage on the overview

// The all-stages page is an overview: each stage's progress and a link to its page. "Show every check"
// (and a plan link) puts the stage pages' own sections in place of the summaries, so the page then is
// the whole checklist on one sheet (print, find in page, filters and a plan across stages), built from
// the very markup the stage pages ship. Links in them are made absolute (they were relative to the
// stage page). Resolves once every stage is shown; a stage that cannot be fetched keeps its summary.
let shownAll = { tools: null, promise: null };
const showAllStages = () => {
  const tools = document.querySelector(".fg-checklist-tools");
  if (shownAll.tools === tools) return shownAll.promise;
  const summaries = [...document.querySelectorAll(".fg-stage-summary")];
  if (!summaries.length) return Promise.resolve(); // a stage page, or every stage already shown
  const button = document.querySelector("[data-fg-show-all]");
  const hadFocus = button && document.activeElement === button; // (disabling it drops the focus)
  if (button) button.disabled = true;
  const fetchStage = async (summary) => {
    const url = new URL(summary.querySelector(".fg-stage-page").href, location.href);
    const response = await fetch(url);
    if (!response.ok) throw new Error(`${url.pathname}: HTTP ${response.status}`);
    const html = new DOMParser().parseFromString(await response.text(), "text/html");
    const section = html.querySelector(`section.fg-stage[data-stage="${summary.dataset.stage}"]`);
    if (!section) throw new Error(`${url.pathname}: no checklist section`);
    for (const a of section.querySelectorAll("[href]")) {
      const href = a.getAttribute("href");
      if (!href.startsWith("#")) a.setAttribute("href", new URL(href, url).href);
    }
    return [summary, document.adoptNode(section)];
  };
  const promise = Promise.allSettled(summaries.map(fetchStage)).then((results) => {
    if (document.querySelector(".fg-checklist-tools") !== tools) return; // another page is shown now
    for (const r of results) if (r.status === "fulfilled") r.value[0].replaceWith(r.value[1]);
    itemsCache = { tools: null, items: [], rows: [] };
    const failed = results.filter((r) => r.status === "rejected").length;
    if (button) button.closest(".fg-show-all").hidden = !failed;
    if (button) button.disabled = false;
    if (failed) {
      shownAll = { tools: null, promise: null }; // the button tries again
      notify(`${failed} stage(s) could not be loaded here; their own pages still work.`);
    }
    refreshChecklist();
    addSkipLink();
    const framework = document.getElementById("fg-framework");
    if (framework?.value) framework.dispatchEvent(new Event("change"));
    // The button is gone: a keyboard user goes on from the first stage's heading, not the page's top.
    const heading = hadFocus && !failed && [button, document.body, null].includes(document.activeElement)
      && document.querySelector(".fg-stage h2");
    if (heading) {
      heading.tabIndex = -1;
      heading.focus();
    }
    // An address into the sheet (an old link to /checklists/#a-challenge) reaches its place now.
    const target = hashTarget();
    if (target && !hadFocus) target.scrollIntoView();
  });
  shownAll = { tools, promise };
  return promise;
};

// ------------------------------------------------------------------ the plan view (from the planner)

// The planner links here with the whole profile in the query string (?plan=1&name=...&trait=...).
// Opening the link only shows the plan; marking stages out of scope waits for an explicit click.
let planScope = null; // { project, outOfScope: [stage ids], inScope: [...] } while a plan is shown
const applyPlan = async () => {
  const tools = document.querySelector(".fg-checklist-tools");
  const params = new URLSearchParams(location.search);
  planScope = null;
  if (!tools || tools.dataset.fgPlan || !params.has("plan")) return;
  tools.dataset.fgPlan = "shown";
  const [data] = await Promise.all([loadData(), showAllStages()]);
  const profile = profileFrom(params);
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

const exportChecklist = async (format) => {
  const data = await loadData();
  const scope = pageScope();
  const rows = rowsOf(data, scope);
  const store = readStore();
  const name = `checklist-${scope.length === 1 ? scope[0] : "all-stages"}`;
  const title = `Deployment checklist: ${scope.length === 1 ? data.stages.find((s) => s.id === scope[0]).title : "all stages"}`;
  endDraft();
  if (format === "md") download(`${name}.md`, toMarkdown(data, rows, store, title), "text/markdown");
  if (format === "csv") download(`${name}.csv`, toCsv(data, rows, store), "text/csv");
  if (format === "json") download(`${name}.json`, toJson(data, rows, store, nowUtc()), "application/json");
};

const onClick = (event) => {
  if (event.target.closest("[data-fg-import-apply]")) {
    if (applyImport()) refreshChecklist();
    return;
  }
  if (event.target.closest("[data-fg-import-cancel]")) {
    closePreview();
    return notify("Import cancelled. Nothing was changed.");
  }
  if (event.target.closest("[data-fg-undo]")) {
    if (undoLast()) {
      pendingStatus.clear();
      refreshChecklist();
    }
    return;
  }
  if (event.target.closest("[data-fg-plan-scope]")) return applyPlanScope();
  if (event.target.closest("[data-fg-show-all]")) {
    return showAllStages().then(() => notify("Every stage's checks are shown on this page."));
  }
  const exportButton = event.target.closest("[data-fg-export]");
  if (exportButton) return exportChecklist(exportButton.dataset.fgExport);
  if (event.target.closest("[data-fg-clear]")) {
    if (!confirm("Clear every status, reason, owner, note and link on this page in this browser? Undo brings them "
      + "back; importing a teammate's file brings back what they set.")) return;
    endDraft();
    const store = readStore();
    for (const row of pageRows()) delete store.items[row.item];
    pendingStatus.clear();
    if (replaceStore(store, "clearing this page")) notify("Cleared this page's checklist in this browser.");
    refreshChecklist();
  }
};

// Listeners on the document: they serve every page instant navigation shows (this module runs once).
document.addEventListener("change", (event) => {
  const target = event.target;
  if (target.matches(".fg-done, .fg-status")) onItemChange(event);
  else if (target.matches(".fg-import") && target.files[0]) {
    const file = target.files[0];
    target.value = "";
    importFile(file);
  } else if (target.matches("#fg-filter-status, #fg-filter-owner")) {
    applyFilters();
    if (document.querySelector(".fg-stage-summary")) showAllStages(); // filters work across every stage
  } else if (target.matches("#fg-framework") && document.querySelector(".fg-stage-summary")) showAllStages();
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
// The skip link is handled before anything else sees its click: Material's instant navigation would
// otherwise take it for a link to this page, fetch the page again and swap it in, which moves focus
// away and drops whatever the page holds unsaved (a status waiting for its reason, text being typed),
// and a Space pressed meanwhile can be lost.
document.addEventListener("click", (event) => {
  if (!event.target.closest?.(".fg-skip")) return;
  event.stopPropagation();
  focusFirstItem(event);
}, true);
// An item's controls appear as a pointer (mouse, pen or finger) reaches it or focus enters it.
const touchItem = (event) => {
  const li = event.target.closest?.(".fg-item");
  if (li && ensureControls(li)) showItem(li, stateOf(readStore(), li.dataset.item));
};
document.addEventListener("pointerover", touchItem, { passive: true });
document.addEventListener("focusin", touchItem);
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

onPage(() => {
  const samePage = location.pathname === shownPath;
  shownPath = location.pathname;
  if (!document.querySelector(".fg-checklist-tools")) return;
  // A link to the page itself makes the theme fetch it and swap it in: a status waiting for its reason
  // stays chosen, with its warning, as before the swap. Another page starts with none.
  if (!samePage) pendingStatus.clear();
  loadStateSchema().then((schema) => { stateSchema = schema; }, () => {});
  addSkipLink();
  refreshChecklist();
  for (const li of pageItems()) if (pendingStatus.has(li.dataset.item)) warn(li, waitingText(pendingStatus.get(li.dataset.item)));
  applyPlan();
  // A link to the overview with a framework filter (?framework=...) filters every stage's checks, and
  // one to a place on the sheet (#a-challenge, #done-an-item) shows the sheet.
  if (document.querySelector(".fg-stage-summary")
    && (new URLSearchParams(location.search).get("framework") || (location.hash.length > 1 && !hashTarget()))) showAllStages();
});
