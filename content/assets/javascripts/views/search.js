// The header search box: a button in Material's header on every page, opening a labelled modal
// dialog that ranks with the relevance engine (engine/search.js) over the index Python builds
// (search/index.json, fetched the first time the box is about to be used, never on page load; then
// the chunks and fragments each question needs).
// Results are grouped: challenges first with their stage and step, then case studies, mitigations
// and references, each group capped so that none pushes the challenges out of view. A case study,
// mitigation or reference the question names (engine topHit, as in `fieldguide search`) leads as the top hit.

import { answer, fold, slots, words } from "../engine/search.js";
import { loadIndex } from "../core/data.js";
import { el } from "../core/dom.js";
import { onPage, siteUrl } from "../core/site.js";

const GROUPS = { top: "Top hit", challenge: "Challenges", "case-study": "Case studies", mitigation: "Mitigations", reference: "References" };
const ICON = "M9.5 3A6.5 6.5 0 0 1 16 9.5c0 1.61-.59 3.09-1.56 4.23l.27.27h.79l5 5-1.5 1.5-5-5v-.79l-.27-.27A6.52 6.52 0 0 1 9.5 16 6.5 6.5 0 0 1 3 9.5 6.5 6.5 0 0 1 9.5 3m0 2C7 5 5 7 5 9.5S7 14 9.5 14 14 12 14 9.5 12 5 9.5 5Z";
const EXAMPLES = ["model accuracy dropping in production", "labelling needs doctors", "GPU bill too high", "users ignore the predictions"];

// Text with the words whose index term matched wrapped in <mark> (built as nodes: no HTML parsing).
const highlighted = (index, text, stems) => {
  const out = document.createDocumentFragment();
  if (!stems.size) { out.append(text); return out; }
  let last = 0;
  for (const m of text.matchAll(/[\p{L}\p{N}]+/gu)) {
    const folded = fold(m[0]);
    if (folded.length < 2 || !/^[a-z0-9]+$/.test(folded) || !stems.has(index.term(folded))) continue;
    out.append(text.slice(last, m.index), el("mark", { textContent: m[0] }));
    last = m.index + m[0].length;
  }
  out.append(text.slice(last));
  return out;
};

let dialog;
let input;
let status;
let results;
let opener = null;

const buildDialog = () => {
  input = el("input", {
    id: "fg-search-input", type: "text", className: "fg-search-input", autocomplete: "off", spellcheck: false,
    placeholder: "Describe the problem in your own words",
  });
  input.setAttribute("aria-describedby", "fg-search-status");
  input.setAttribute("aria-controls", "fg-search-results");
  const close = el("button", { type: "button", className: "fg-search-close", textContent: "Close" });
  close.addEventListener("click", () => closeDialog());
  const form = el("form", { className: "fg-search-form", role: "search" },
    el("label", { htmlFor: "fg-search-input", className: "fg-search-label", textContent: "Search challenges, case studies, mitigations and references" }),
    el("div", { className: "fg-search-row" }, input, close));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    results.querySelector("a")?.click();
  });
  status = el("p", { id: "fg-search-status", className: "fg-search-status", role: "status" });
  status.setAttribute("aria-live", "polite");
  results = el("div", { id: "fg-search-results", className: "fg-search-results" });
  dialog = el("dialog", { id: "fg-search", className: "fg-search" },
    el("h2", { id: "fg-search-title", className: "fg-search-title", textContent: "Search the field guide" }), form, status, results);
  dialog.setAttribute("aria-labelledby", "fg-search-title");
  // A close the browser made itself (not through closeDialog) still gives focus back.
  dialog.addEventListener("close", () => { if (!dialog.open) giveFocusBack(); });
  dialog.addEventListener("click", (event) => {
    if (event.target === dialog) closeDialog(); // a click on the backdrop
    if (event.target.closest("a[href]")) closeDialog();
  });
  input.addEventListener("input", update);
  dialog.addEventListener("keydown", moveFocus);
  document.body.append(dialog);
};

// Focus goes back to where it was at once, not in the later "close" event: a key pressed right
// after Escape must not land in the closed dialog's text box (and a reopened dialog keeps focus).
const giveFocusBack = () => {
  const back = opener;
  opener = null;
  if (back && back !== document.body && back.isConnected) back.focus();
  // Opened from the page itself (the "/" key): nothing to return to, so leave the text box.
  if (dialog.contains(document.activeElement)) document.activeElement.blur();
};
const closeDialog = () => {
  if (!dialog.open) return;
  dialog.close();
  giveFocusBack();
};

// Up and Down move between the box and the results (which stay in the tab order too); Escape closes.
function moveFocus(event) {
  if (event.key === "Escape") { // one press closes, also from the text box
    event.preventDefault();
    closeDialog();
    return;
  }
  if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
  const links = [...results.querySelectorAll("a[href]")];
  if (!links.length) return;
  const at = links.indexOf(document.activeElement);
  let next;
  if (event.key === "ArrowDown") next = at < 0 ? links[0] : links[Math.min(at + 1, links.length - 1)];
  else next = at <= 0 ? input : links[at - 1];
  if (at < 0 && document.activeElement !== input) return;
  event.preventDefault();
  next.focus();
}

const describeCounts = (counts) => Object.entries(counts).filter(([, n]) => n)
  .map(([type, n]) => `${n} ${n === 1 ? GROUPS[type].toLowerCase().replace(/ies$/, "y").replace(/s$/, "") : GROUPS[type].toLowerCase()}`)
  .join(", ");

const suggestions = () => {
  const list = el("ul", { className: "fg-search-suggestions" });
  for (const example of EXAMPLES) {
    const button = el("button", { type: "button", className: "fg-search-example", textContent: example });
    button.addEventListener("click", () => { input.value = example; update(); input.focus(); });
    list.append(el("li", {}, button));
  }
  list.append(el("li", {}, el("a", { href: siteUrl("challenges/"), textContent: "Browse all challenges by stage" })));
  list.append(el("li", {}, el("a", { href: siteUrl("planner/"), textContent: "Describe your project in the planner" })));
  return list;
};

// A question longer than the engine reads (the same caps as `fieldguide search`, from the index) says so.
const capNote = (index, query) => {
  const q = index.query;
  const count = words(query).filter((w) => !index.stop.has(w)).length;
  return [...query].length > q.max_query_chars || count > q.max_query_words
    ? ` Only the first ${q.max_query_words} words (at most ${q.max_query_chars} characters) are searched.` : "";
};

// Each keystroke asks anew; what arrives for an earlier question is never shown (its parts stay
// fetched for later). The list of the previous question stays until the new one is ready: no flicker.
let pending = 0;
async function update() {
  const query = input.value;
  const ticket = ++pending;
  if (!query.trim()) {
    status.textContent = "Type a question or a few words, for example:";
    results.replaceChildren(suggestions());
    return;
  }
  let index;
  let found;
  try {
    index = await loadIndex();
    found = await answer(index, query); // the chunks of its words, then the documents shown
  } catch (error) {
    if (ticket !== pending) return;
    status.textContent = index
      ? `Part of the search index could not be loaded (${error.message}). Reload the page to try again, or browse the challenges.`
      : `The search index could not be loaded (${error.message}). Browse the challenges instead.`;
    results.replaceChildren(suggestions());
    return;
  }
  if (ticket !== pending) return; // a newer keystroke has taken over
  const { hits, top, shown } = found;
  const counts = { challenge: 0, "case-study": 0, mitigation: 0, reference: 0 };
  for (const hit of hits) counts[hit.type] += 1;
  const groups = new Map(top ? [["top", [top]]] : []);
  for (const hit of shown) {
    if (!groups.has(hit.type)) groups.set(hit.type, []);
    groups.get(hit.type).push(hit);
  }
  if (!hits.length) {
    status.textContent = `No results for “${query.trim()}”. Try other words for the problem, or:`;
    results.replaceChildren(suggestions());
    return;
  }
  status.textContent = `${describeCounts(counts)} for “${query.trim()}”.${capNote(index, query)}`;
  // Highlight every word that stands for one of the question's words (synonyms and completions too).
  const stems = new Set(slots(index, query).flatMap((slot) => slot.alternatives.map(([t]) => t)));
  const sections = [];
  for (const [type, list] of groups) {
    const headingId = `fg-search-group-${type}`;
    const others = counts[type] - (top && top.type === type ? 1 : 0);
    const partial = type !== "top" && list.length < others ? ` (${list.length} of ${others})` : "";
    const section = el("section", { className: "fg-search-group" }, el("h3", { id: headingId, textContent: GROUPS[type] + partial }));
    section.setAttribute("aria-labelledby", headingId);
    section.dataset.type = type;
    const ol = el("ol");
    for (const hit of list) {
      const doc = index.doc(hit.doc);
      const link = el("a", { href: siteUrl(index.url(doc)), className: "fg-search-hit" },
        el("span", { className: "fg-search-hit-title" }, highlighted(index, hit.title, stems)));
      link.dataset.id = hit.id;
      if (doc[3]) link.append(el("span", { className: "fg-search-hit-meta", textContent: doc[3] }));
      if (doc[4]) link.append(el("span", { className: "fg-search-hit-snippet" }, highlighted(index, doc[4], stems)));
      ol.append(el("li", {}, link));
    }
    section.append(ol);
    sections.push(section);
  }
  results.replaceChildren(...sections);
}

const open = () => {
  if (!dialog) buildDialog();
  if (dialog.open) return;
  opener = document.activeElement;
  dialog.dataset.page = location.href; // the page it was opened on (see the document$ subscriber)
  dialog.showModal();
  input.focus();
  input.select();
  update();
};

const addButton = () => {
  const header = document.querySelector(".md-header__inner");
  if (!header || header.querySelector(".fg-search-open")) return;
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  const path = document.createElementNS("http://www.w3.org/2000/svg", "path");
  path.setAttribute("d", ICON);
  svg.append(path);
  const button = el("button", { type: "button", className: "md-header__button fg-search-open", title: "Search (press / or s)" },
    svg, el("span", { className: "fg-search-open-text", textContent: "Search" }), el("kbd", { textContent: "/" }));
  button.setAttribute("aria-keyshortcuts", "/ s");
  button.setAttribute("aria-haspopup", "dialog");
  button.addEventListener("click", open);
  for (const event of ["pointerenter", "focus"]) button.addEventListener(event, () => loadIndex().catch(() => {}), { once: true });
  const source = header.querySelector(".md-header__source");
  header.insertBefore(button, source);
};

document.addEventListener("keydown", (event) => {
  if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
  if (event.key !== "/" && event.key !== "s" && event.key !== "S") return;
  const target = event.target;
  if (target.closest?.("input, textarea, select, [contenteditable=''], [contenteditable=true]") || dialog?.open) return;
  event.preventDefault();
  open();
});

// A navigation closes a dialog left open on the previous page, but not one the reader opened on
// this page while instant navigation was still swapping its content in.
onPage(() => {
  addButton();
  if (dialog?.open && dialog.dataset.page !== location.href) closeDialog();
});
