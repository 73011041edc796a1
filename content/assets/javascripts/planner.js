// The planner: ranks challenges for a profile by adding up weights precomputed in Python
// (fieldguide.plan), and assembles the design-review brief from sections rendered in Python.

// ------------------------------------------------------------------ planner

const readProfile = () => {
  const form = document.getElementById("fg-planner");
  return {
    name: form.querySelector("#fg-plan-name")?.value.split(/\s+/).filter(Boolean).join(" ") || "",
    industry: form.industry.value,
    traits: [...form.querySelectorAll("input[name=trait]:checked")].map((i) => i.value),
    stages: [...form.querySelectorAll("input[name=stage]:checked")].map((i) => i.value),
  };
};

// Same arithmetic as fieldguide.plan.rank: base + trait weights + industry weight; ties in workflow order.
const rank = (data, profile) => {
  const order = data.ranking.order;
  const ranked = [];
  for (const cid of order) {
    const c = data.challenges[cid];
    if (profile.stages.length && !profile.stages.includes(c.stage)) continue;
    const w = data.ranking.weights[cid];
    const traits = profile.traits.filter((t) => t in w.traits);
    let score = w.base + traits.reduce((sum, t) => sum + w.traits[t], 0);
    if (profile.industry) score += w.industries[profile.industry] || 0;
    ranked.push({
      id: cid, score: Math.round(score * 100) / 100, traits,
      tagged: Boolean(profile.industry) && w.industry_tags.includes(profile.industry),
      cases: profile.industry ? (w.industry_cases[profile.industry] || 0) : 0,
    });
  }
  ranked.sort((a, b) => b.score - a.score || order.indexOf(a.id) - order.indexOf(b.id));
  return ranked;
};

const reasons = (data, r) => {
  const out = [];
  if (r.traits.length) out.push("matches " + r.traits.map((t) => data.traits[t].toLowerCase()).join(", "));
  if (r.tagged) out.push("typical of your industry");
  if (r.cases) out.push(`${r.cases} case ${r.cases === 1 ? "study" : "studies"} in your industry`);
  return out.length ? out : ["applies to every project"];
};

const profileText = (data, profile) => [profile.industry && data.industries[profile.industry]]
  .concat(profile.traits.map((t) => data.traits[t].toLowerCase())).filter(Boolean).join(", ") || "general";

async function refreshPlanner() {
  const form = document.getElementById("fg-planner");
  const list = document.getElementById("fg-plan-results");
  if (!form || !list) return;
  const data = await loadData();
  const profile = readProfile();
  localStorage.setItem(PROFILE, JSON.stringify(profile));
  const store = readStore();
  const ranked = rank(data, profile);
  list.replaceChildren(...ranked.map((r) => {
    const c = data.challenges[r.id];
    const li = document.createElement("li");
    li.className = "fg-plan-item";
    li.dataset.challenge = r.id;
    const h = document.createElement("h3");
    const a = Object.assign(document.createElement("a"), { href: c.url, textContent: c.title });
    h.append(a, ` `, Object.assign(document.createElement("small"), { textContent: `score ${r.score}` }));
    const why = Object.assign(document.createElement("p"), { className: "fg-why", textContent: `Why: ${reasons(data, r).join("; ")}.` });
    const summary = Object.assign(document.createElement("p"), { textContent: c.summary });
    const checks = document.createElement("ul");
    for (const item of c.checklist) {
      const s = stateOf(store, item.id);
      const mark = { open: "☐", done: "☑", na: "–" }[s.status];
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
    li.append(h, why, summary, checks, links("Precedents", c.precedents), links("Mitigations", c.mitigations),
      briefPick(r.id, c.title, ranked.indexOf(r) < briefTop()));
    return li;
  }));
}

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

const restoreProfile = () => {
  const form = document.getElementById("fg-planner");
  if (!form || form.dataset.ready) return;
  form.dataset.ready = "true";
  let saved = null;
  try { saved = JSON.parse(localStorage.getItem(PROFILE)); } catch { saved = null; }
  if (saved && typeof saved === "object") {
    if ([...form.industry.options].some((o) => o.value === saved.industry)) form.industry.value = saved.industry;
    for (const box of form.querySelectorAll("input[name=trait]")) box.checked = (saved.traits || []).includes(box.value);
    if (Array.isArray(saved.stages)) {
      for (const box of form.querySelectorAll("input[name=stage]")) box.checked = saved.stages.includes(box.value);
    }
  }
  if (saved && typeof saved.name === "string") form.querySelector("#fg-plan-name").value = saved.name;
  form.addEventListener("change", (event) => {
    if (!event.target.matches("[data-fg-brief]")) refreshPlanner();
  });
  form.addEventListener("submit", (event) => event.preventDefault());
};

async function exportPlan(kind) {
  const data = await loadData();
  const profile = readProfile();
  const ranked = rank(data, profile);
  const store = readStore();
  if (kind === "md") {
    const rows = itemsOf(data, [], ranked.map((r) => r.id));
    rows.sort((a, b) => ranked.findIndex((r) => r.id === a.challenge) - ranked.findIndex((r) => r.id === b.challenge));
    download("plan.md", toMarkdown(data, rows, store, `Deployment plan: ${profileText(data, profile)}`), "text/markdown");
    return;
  }
  // The design-review brief: the same sections and head `fieldguide brief` writes (brief.py).
  const picked = briefSelection(ranked);
  if (!picked.length) {
    notify("Tick at least one challenge for the brief (“In the brief”), or set how many to include.");
    return;
  }
  const b = data.brief;
  const title = profile.name ? `Design-review brief: ${profile.name}` : "Design-review brief";
  const head = b.head.replace("{title}", JSON.stringify(title))
    .replace("{project}\n", profile.name ? `project: ${JSON.stringify(profile.name)}\n` : "")
    .replace("{date}", JSON.stringify(today()))
    .replace("{profile}\n", `Project profile: ${profileText(data, profile)}.\n\n`);
  const parts = [head];
  const refs = [...b.always];
  for (const r of picked) {
    const s = b.sections[r.id];
    parts.push([s.heading, `*Why it is on this list:* ${reasons(data, r).join("; ")}.`, s.body.trim()].join("\n\n"));
    for (const id of s.refs) if (!refs.includes(id)) refs.push(id);
  }
  refs.sort((x, y) => byCodePoint(b.references[x].label, b.references[y].label) || byCodePoint(x, y));
  parts.push("## Bibliography\n\n" + refs.map((id) => `- ${b.references[id].label}. ${b.references[id].text}`).join("\n"));
  download("brief.md", parts.join("\n\n") + "\n", "text/markdown");
  download("brief.bib", refs.map((id) => b.references[id].bibtex.trim()).join("\n\n") + "\n", "application/x-bibtex");
  notify(`Downloaded brief.md and brief.bib: ${picked.length} challenge${picked.length === 1 ? "" : "s"}, ${refs.length} sources.`);
}

// The reader's local date, as YYYY-MM-DD (the brief's `date`; `fieldguide brief` uses the same).
const today = () => {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
};

// ------------------------------------------------------------------ wiring

if (!window.__fgPlannerWired) {
  window.__fgPlannerWired = true;
  document.addEventListener("click", (event) => {
    const planButton = event.target.closest("[data-fg-plan-export]");
    if (planButton) exportPlan(planButton.dataset.fgPlanExport);
  });
  // A new count re-picks the top N; ticking "In the brief" by hand keeps exactly those.
  document.addEventListener("input", (event) => {
    if (event.target.id !== "fg-brief-top") return;
    const boxes = [...document.querySelectorAll("[data-fg-brief]")];
    boxes.forEach((box, i) => { box.checked = i < briefTop(); });
  });
  addEventListener("storage", (event) => { if (event.key === STORE) refreshPlanner(); });
}

const onPlannerPage = () => {
  restoreProfile();
  refreshPlanner();
};

if (window.document$) window.document$.subscribe(onPlannerPage);
else document.addEventListener("DOMContentLoaded", onPlannerPage);
