// The planner: ranks challenges for a profile (core/ranking.js: weights precomputed in Python plus the
// description's relevance by the search engine, the arithmetic of fieldguide.plan.rank), shows why,
// and exports the plan and the design-review brief (engine/plan.js, from sections rendered in Python).

import { rowsOf, toMarkdown } from "../engine/checklist.js";
import { savedKeys } from "../engine/citations.js";
import { has } from "../engine/parts.js";
import { brief, profileFrom, profileText, reasons } from "../engine/plan.js";
import { suggest } from "../engine/suggest.js";
import { stateOf } from "../engine/store.js";
import { loadBrief, loadData, loadIndex } from "../core/data.js";
import { download, today } from "../core/dom.js";
import { notify, storageAlert } from "../core/messages.js";
import { rank } from "../core/ranking.js";
import { onPage, siteUrl } from "../core/site.js";
import { CITATIONS, PROFILE, STORE, readStore } from "../core/storage.js";

// ------------------------------------------------------------------ the profile, in the form and in the URL

// Every named field of the planner form as URL parameters, and back: a plan is a shareable link, and
// a field added to the form is carried without any code here. `plan=1` marks a complete profile
// (so that "no stage ticked" differs from "no parameters").
const formToParams = (form) => new URLSearchParams([["plan", "1"], ...new FormData(form)]);

const paramsToForm = (form, params) => {
  for (const field of form.elements) {
    if (!field.name) continue;
    if (field.type === "checkbox" || field.type === "radio") field.checked = params.getAll(field.name).includes(field.value);
    else if (field.tagName === "SELECT") {
      const wanted = params.get(field.name) ?? "";
      if ([...field.options].some((o) => o.value === wanted)) field.value = wanted;
    } else if ("value" in field) field.value = params.get(field.name) ?? "";
  }
};

const readProfile = () => profileFrom(new FormData(document.getElementById("fg-planner")));

// ------------------------------------------------------------------ planner

// The planner's data, or null after saying plainly why the page cannot plan (never a blank page).
const plannerData = async () => {
  try {
    return await loadData();
  } catch (error) {
    const text = `The planner's data could not be loaded (${error.message}), so no plan can be shown. Reload `
      + "the page; from the command line, `fieldguide plan --profile FILE.yaml` gives the same ranking.";
    storageAlert(text);
    return null;
  }
};

// ------------------------------------------------------------------ suggestions from the description

// The industry and traits the description implies (engine/suggest.js, as `fieldguide plan --suggest`),
// each with the words that triggered it. Nothing is ticked until the reader accepts; a rejected one
// stays away for this visit.
const rejected = new Set();
let suggestTicket = 0;

const showSuggestions = async (data, profile) => {
  const box = document.getElementById("fg-plan-suggestions");
  if (!box) return;
  const ticket = ++suggestTicket;
  let found = [];
  if (profile.description.trim()) {
    try {
      found = suggest(data.ranking, await loadIndex(), profile, { industry: data.industries, trait: data.traits });
    } catch { found = []; } // the ranking says already that the index did not load
  }
  if (ticket !== suggestTicket) return;
  found = found.filter((x) => !rejected.has(`${x.kind}:${x.id}`));
  // Unchanged: leave the buttons in place (leaving the description re-plans, and a list rebuilt between
  // the press and the release of a button would swallow that click).
  const key = JSON.stringify(found.map((x) => [x.id, x.words]));
  if (box.dataset.key === key) return;
  box.dataset.key = key;
  box.hidden = !found.length;
  if (!found.length) {
    box.replaceChildren();
    return;
  }
  const intro = Object.assign(document.createElement("p"), {
    textContent: "Your description suggests these; accept one to tick it, or reject it:" });
  const list = document.createElement("ul");
  for (const x of found) {
    const li = Object.assign(document.createElement("li"), { className: "fg-suggestion" });
    li.dataset.kind = x.kind;
    li.dataset.facet = x.id;
    const button = (action, label) => {
      const b = Object.assign(document.createElement("button"), { type: "button", className: "md-button", textContent: label });
      b.dataset.fgSuggest = action;
      b.setAttribute("aria-label", `${label} ${x.kind}: ${x.title}`);
      return b;
    };
    li.append(Object.assign(document.createElement("strong"), { textContent: x.title }),
      ` (${x.kind}), from ${x.words.map((w) => `“${w}”`).join(", ")} `, button("accept", "Accept"), " ",
      button("reject", "Reject"));
    list.append(li);
  }
  box.replaceChildren(intro, list);
};

// Accepting ticks the trait (or chooses the industry) and re-plans; rejecting only hides the suggestion.
const answerSuggestion = (button) => {
  const form = document.getElementById("fg-planner");
  const li = button.closest(".fg-suggestion");
  if (!form || !li) return;
  const { kind, facet } = li.dataset;
  if (button.dataset.fgSuggest === "accept") {
    if (kind === "industry") form.elements.namedItem("industry").value = facet;
    else {
      const box = [...form.querySelectorAll("input[name=trait]")].find((b) => b.value === facet);
      if (box) box.checked = true;
    }
  } else rejected.add(`${kind}:${facet}`);
  refreshPlanner();
};

const MARK = { open: "☐", "in-progress": "◐", done: "☑", "accepted-risk": "☑", na: "–" };

let planTicket = 0;
const refreshPlanner = async () => {
  const form = document.getElementById("fg-planner");
  const list = document.getElementById("fg-plan-results");
  if (!form || !list) return;
  const data = await plannerData();
  // Instant navigation may have shown another page while the data loaded: the form read and the
  // address rewritten below would be that page's (no form: an error; its address: the plan's query).
  if (!data || !form.isConnected) return;
  const profile = readProfile();
  const params = formToParams(form);
  history.replaceState(history.state, "", `${location.pathname}?${params}`);
  document.getElementById("fg-plan-checklists").href = siteUrl(`checklists/?${params}`);
  try { localStorage.setItem(PROFILE, JSON.stringify(profile)); } catch { /* the URL holds the plan anyway */ }
  showSuggestions(data, profile);
  if (!profile.stages.length) {
    list.replaceChildren();
    notify("No stage is ticked: tick at least one stage in scope to see its challenges.");
    return;
  }
  const cap = data.ranking.max_description_chars;
  notify([...profile.description].length > cap ? `Only the first ${cap} characters of the description are read `
    + "(the same limit as `fieldguide plan`)." : "");
  const ticket = ++planTicket;
  const ranked = await rank(data, profile);
  if (ticket !== planTicket) return; // the profile changed while the index was loading
  const store = readStore();
  list.replaceChildren(...ranked.map((r) => {
    const c = data.challenges[r.id];
    const li = document.createElement("li");
    li.className = "fg-plan-item";
    li.dataset.challenge = r.id;
    const h = document.createElement("h3");
    const a = Object.assign(document.createElement("a"), { href: c.url, textContent: c.title });
    // The score itself is not shown: a sum of unitless parts (see the page's introduction) says less
    // than the order and the "Why" line; it stays on the item for tests and curious readers' devtools.
    li.dataset.score = String(r.score);
    h.append(a);
    const why = Object.assign(document.createElement("p"), { className: "fg-why", textContent: `Why: ${reasons(data, r).join("; ")}.` });
    const summary = Object.assign(document.createElement("p"), { textContent: c.summary });
    const checks = document.createElement("ul");
    for (const item of c.checklist) {
      const mark = MARK[stateOf(store, item.id).status];
      checks.append(Object.assign(document.createElement("li"), { textContent: `${mark} ${item.text}` }));
    }
    const links = (label, entries) => {
      const p = document.createElement("p");
      if (!entries.length) return p;
      p.append(`${label}: `);
      entries.forEach((e, i) => {
        if (i) p.append(", ");
        p.append(Object.assign(document.createElement("a"), { href: e.url, textContent: e.title }));
      });
      return p;
    };
    // The deployments the "Why" line names, each linked to the public page it rests on (plan.Ranked.sources).
    const similar = (r.similar || []).map((name, i) => ({ title: name, url: r.sources[i] }));
    li.append(h, why, summary, checks, links("Precedents", c.precedents), links("Similar projects", similar),
      links("Mitigations", c.mitigations),
      briefPick(r.id, c.title, ranked.indexOf(r) < briefTop()));
    return li;
  }));
};

// Which challenges go into the brief: the top N of the plan, or exactly the ones ticked.
const briefTop = () => {
  const n = Number(document.getElementById("fg-brief-top")?.value);
  return Number.isInteger(n) && n > 0 ? n : 5;
};

const briefPick = (id, title, checked) => {
  const p = Object.assign(document.createElement("p"), { className: "fg-brief-pick" });
  const box = Object.assign(document.createElement("input"), { type: "checkbox", id: `fg-brief-${id}`, checked });
  box.dataset.fgBrief = id;
  const label = Object.assign(document.createElement("label"), { htmlFor: box.id, textContent: "In the brief" });
  label.setAttribute("aria-label", `${title}: in the brief`);
  p.append(box, " ", label);
  return p;
};

const briefSelection = (ranked) => {
  const ticked = new Set([...document.querySelectorAll("[data-fg-brief]:checked")].map((b) => b.dataset.fgBrief));
  return ticked.size || document.querySelector("[data-fg-brief]")
    ? ranked.filter((r) => ticked.has(r.id)) : ranked.slice(0, briefTop());
};

// A plan in the URL (a shared link) wins over the one this browser remembers.
const restoreProfile = () => {
  const form = document.getElementById("fg-planner");
  if (!form || form.dataset.ready) return;
  form.dataset.ready = "true";
  const params = new URLSearchParams(location.search);
  let saved = null;
  try { saved = JSON.parse(localStorage.getItem(PROFILE)); } catch { saved = null; }
  if (params.has("plan")) paramsToForm(form, params);
  else if (saved && typeof saved === "object") {
    if (typeof saved.name === "string") form.elements.namedItem("name").value = saved.name;
    if (form.description && typeof saved.description === "string") form.description.value = saved.description;
    if ([...form.industry.options].some((o) => o.value === saved.industry)) form.industry.value = saved.industry;
    for (const box of form.querySelectorAll("input[name=trait]")) box.checked = (saved.traits || []).includes(box.value);
    if (Array.isArray(saved.stages)) {
      for (const box of form.querySelectorAll("input[name=stage]")) box.checked = saved.stages.includes(box.value);
    }
  }
  form.addEventListener("change", (event) => {
    if (!event.target.matches("[data-fg-brief]")) refreshPlanner();
  });
  // The description is read with the search index: start fetching its entry file when the box is
  // focused, so the first plan after typing waits for the index's chunks only, not for the entry too.
  form.description?.addEventListener("focus", () => loadIndex().catch(() => {}), { once: true });
  let typing;
  form.addEventListener("input", (event) => {
    if (event.target.name !== "description") return;
    clearTimeout(typing);
    typing = setTimeout(refreshPlanner, 250);
  });
  form.addEventListener("submit", (event) => event.preventDefault());
};

const exportPlan = async (kind) => {
  const data = await plannerData();
  if (!data || !document.getElementById("fg-planner")) return; // another page is shown now
  const profile = readProfile();
  if (!profile.stages.length) return notify("No stage is ticked: tick at least one stage in scope first.");
  const ranked = await rank(data, profile);
  const store = readStore();
  if (kind === "md") {
    const rows = rowsOf(data, [], ranked.map((r) => r.id));
    rows.sort((a, b) => ranked.findIndex((r) => r.id === a.challenge) - ranked.findIndex((r) => r.id === b.challenge));
    const title = `Deployment plan: ${profile.name || profileText(data, profile)}`;
    download("plan.md", toMarkdown(data, rows, store, title, { ranked: true }), "text/markdown");
    return;
  }
  // The design-review brief: the same sections and head `fieldguide brief` writes (brief.py).
  const picked = briefSelection(ranked);
  if (!picked.length) {
    notify("Tick at least one challenge for the brief (“In the brief”), or set how many to include.");
    return;
  }
  // The survey's peer-reviewed version, or both versions when the reader asks (`--with-preprint`).
  const withPreprint = Boolean(document.getElementById("fg-brief-preprint")?.checked);
  // "Add my citations": the basket's challenges join the brief's (in plan order), its case studies and
  // mitigations follow them (as --challenge, --case-study, --mitigation), and their sources go into brief.bib.
  const basket = document.getElementById("fg-brief-basket")?.checked ? basketPicks(data) : null;
  const chosen = basket ? ranked.filter((r) => picked.includes(r) || basket.challenges.includes(r.id)) : picked;
  // The checklist state saved in this browser, when asked (`--state`): status, reason and owner of each check.
  const withState = Boolean(document.getElementById("fg-brief-state")?.checked);
  // The sections and sources of what goes in, fetched now (planner/data.json keeps only their places).
  let full;
  try {
    full = await loadBrief(data, { challenges: chosen.map((r) => r.id), caseStudies: basket?.caseStudies,
      mitigations: basket?.mitigations });
  } catch (error) {
    notify(`The brief could not be made: its sections could not be loaded (${error.message}). Reload the page; `
      + "from the command line, `fieldguide brief` writes the same brief.");
    return;
  }
  const made = brief(full, profile, chosen, { date: today(), withPreprint, caseStudies: basket?.caseStudies,
    mitigations: basket?.mitigations, store: withState ? store : null });
  download("brief.md", made.markdown, "text/markdown");
  download("brief.bib", made.bibtex, "application/x-bibtex");
  const count = (n, one, many) => `${n} ${n === 1 ? one : many}`;
  const extra = basket ? `, ${count(basket.caseStudies.length, "case study", "case studies")} and ${count(
    basket.mitigations.length, "mitigation", "mitigations")} from the citation basket` : "";
  notify(`Downloaded brief.md and brief.bib: ${count(chosen.length, "challenge", "challenges")}${extra}, ${made.refs.length} sources.`);
};

// The citation basket's pages (saved by views/basket.js), sorted by kind through the brief's own data;
// a key the data does not know (an entity since retired) is left out.
const basketPicks = (data) => {
  const b = data.brief;
  const ids = (savedKeys(localStorage.getItem(CITATIONS)) || [])
    .filter((k) => k.startsWith(b.page_key)).map((k) => k.slice(b.page_key.length));
  return { challenges: ids.filter((id) => has(data, "brief.sections", id)),
    caseStudies: ids.filter((id) => has(data, "brief.case_studies", id)),
    mitigations: ids.filter((id) => has(data, "brief.mitigations", id)) };
};

// ------------------------------------------------------------------ wiring

document.addEventListener("click", (event) => {
  const planButton = event.target.closest("[data-fg-plan-export]");
  if (planButton) exportPlan(planButton.dataset.fgPlanExport);
  const answer = event.target.closest("[data-fg-suggest]");
  if (answer) answerSuggestion(answer);
});
// A new count re-picks the top N; ticking "In the brief" by hand keeps exactly those.
document.addEventListener("input", (event) => {
  if (event.target.id !== "fg-brief-top") return;
  const boxes = [...document.querySelectorAll("[data-fg-brief]")];
  boxes.forEach((box, i) => { box.checked = i < briefTop(); });
});
addEventListener("storage", (event) => { if (event.key === STORE) refreshPlanner(); });

onPage(() => {
  restoreProfile();
  refreshPlanner();
});
