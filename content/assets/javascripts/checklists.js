// Stage checklists: ticks, reasons, owners and notes per item, progress and readiness, exports and
// import. State survives reloads and Material's instant navigation (document$).

// ------------------------------------------------------------------ exports

const toMarkdown = (data, rows, store, title) => {
  const ready = readiness(data, rows, store);
  const out = [`# ${title}`, "",
    `Readiness: **${percent(ready.overall)}** (the lowest stage; done ÷ applicable items). ` +
    `From the [ML Deployment Field Guide](${data.site_url}) ${data.version}.`, ""];
  let last = {};
  for (const row of rows) {
    if (last.stage !== row.stage) {
      const r = ready.stages[row.stage];
      const title = data.stages.find((s) => s.id === row.stage).title;
      out.push("", `## ${title} — ${percent(r.score)} (${r.done}/${r.applicable} done)`, "");
      last = { stage: row.stage };
    }
    if (last.step !== row.step) {
      out.push("", `### ${data.steps[row.step].title}`, "");
      last.step = row.step;
    }
    if (last.challenge !== row.challenge) {
      const c = data.challenges[row.challenge];
      const cases = c.precedents.slice(0, 3);
      const precedent = cases.length ? ` · precedents: ${cases.map((p) => p.title).join(", ")}` : "";
      out.push("", `**[${c.title}](${c.url})**${precedent}`, "");
      last.challenge = row.challenge;
    }
    const s = stateOf(store, row.item.id);
    const box = s.status === "open" ? " " : "x";
    const text = s.status === "na"
      ? `~~${row.item.text}~~ (not applicable: ${oneLine(s.reason) || "no reason given"})` : row.item.text;
    const extra = [["owner", s.owner], ["note", s.note]].filter(([, v]) => v)
      .map(([k, v]) => ` — ${k}: ${oneLine(v)}`).join("");
    out.push(`- [${box}] ${text}${extra} \`${row.item.id}\``);
  }
  const orphans = orphansOf(data, store);
  if (orphans.length) {
    out.push("", "## Items no longer in the catalog", "");
    for (const id of orphans) {
      const s = stateOf(store, id);
      out.push(`- [${s.status === "open" ? " " : "x"}] \`${id}\` (${s.status === "na" ? "not applicable" : s.status})`);
    }
  }
  return out.join("\n").replace(/\n\n\n+/g, "\n\n") + "\n";
};

const toCsv = (data, rows, store) => {
  const lines = [["stage", "step", "challenge", "item_id", "text", "status", "reason", "owner", "note"]];
  for (const row of rows) {
    const s = stateOf(store, row.item.id);
    lines.push([data.stages.find((x) => x.id === row.stage).title, data.steps[row.step].title,
      data.challenges[row.challenge].title, row.item.id, row.item.text, s.status, s.reason, s.owner, s.note]);
  }
  for (const id of orphansOf(data, store)) {
    const s = stateOf(store, id);
    lines.push(["", "", "", id, "", s.status, s.reason, s.owner, s.note]);
  }
  return lines.map((l) => l.map(csvCell).join(",")).join("\n") + "\n";
};

const toJson = (data, rows, store, scope) => {
  const ready = readiness(data, rows, store);
  const items = rows.map((r) => ({ id: r.item.id, ...stateOf(store, r.item.id) }))
    .concat(orphansOf(data, store).map((id) => ({ id, ...stateOf(store, id) })));
  return JSON.stringify({
    format: "fieldguide-checklist", version: 1, exported: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
    catalog_version: data.version, scope,
    readiness: { overall: ready.overall, stages: ready.stages }, items,
  }, null, 2) + "\n";
};

// ------------------------------------------------------------------ import

// Returns [items, null] or [null, message]; nothing is changed until the whole file is valid.
const parseImport = (text) => {
  let body;
  try {
    body = JSON.parse(text);
  } catch (error) {
    return [null, `Not imported: the file is not valid JSON (${error.message}). Nothing was changed.`];
  }
  const fail = (where, what) => [null, `Not imported: ${where}: ${what}. Nothing was changed.`];
  if (!body || typeof body !== "object" || Array.isArray(body)) return fail("file", "expected a JSON object");
  if (body.format !== "fieldguide-checklist") return fail("format", 'must be "fieldguide-checklist"');
  if (body.version !== 1) return fail("version", "must be 1");
  if (!Array.isArray(body.items)) return fail("items", "must be a list");
  if (body.items.length > 20000) return fail("items", "more than 20000 items");
  const seen = new Set();
  for (const [i, item] of body.items.entries()) {
    const where = `items[${i}]`;
    if (!item || typeof item !== "object" || Array.isArray(item)) return fail(where, "must be an object");
    const extra = Object.keys(item).filter((k) => !["id", "status", "reason", "owner", "note"].includes(k));
    if (extra.length) return fail(`${where}.${extra[0]}`, "unknown key");
    if (typeof item.id !== "string" || !SLUG.test(item.id) || item.id.length > 200) {
      return fail(`${where}.id`, "must be a checklist item id such as data-discovery-source-owners");
    }
    if (seen.has(item.id)) return fail(`${where}.id`, `'${item.id}' appears twice`);
    seen.add(item.id);
    if (item.status !== undefined && !STATUSES.includes(item.status)) {
      return fail(`${where}.status`, "must be open, done or na");
    }
    for (const [key, max] of [["reason", 4000], ["owner", 200], ["note", 4000]]) {
      if (item[key] !== undefined && (typeof item[key] !== "string" || item[key].length > max)) {
        return fail(`${where}.${key}`, `must be text of at most ${max} characters`);
      }
    }
  }
  return [body.items, null];
};

const importItems = async (text) => {
  const [items, error] = parseImport(text);
  if (error) return notify(error);
  const data = await loadData();
  const store = readStore();
  for (const item of items) putState(store, item.id, { status: "open", reason: "", owner: "", note: "", ...item });
  writeStore(store);
  const known = new Set(Object.values(data.challenges).flatMap((c) => c.checklist.map((i) => i.id)));
  const unknown = items.map((i) => i.id).filter((id) => !known.has(id));
  notify(`Imported ${items.length} item(s).` + (unknown.length
    ? ` ${unknown.length} are no longer in the catalog and are kept as orphans: ${unknown.join(", ")}.` : ""));
  refreshChecklist();
  if (typeof refreshPlanner === "function") refreshPlanner();
};

// ------------------------------------------------------------------ checklist pages

const pageScope = () => (document.querySelector("[data-fg-scope]")?.dataset.fgScope || "").split(" ").filter(Boolean);

function refreshChecklist() {
  const tools = document.querySelector(".fg-checklist-tools");
  if (!tools) return;
  const store = readStore();
  for (const li of document.querySelectorAll(".fg-item")) {
    const s = stateOf(store, li.dataset.item);
    li.querySelector(".fg-done").checked = s.status === "done";
    li.querySelector(".fg-na").checked = s.status === "na";
    for (const key of ["reason", "owner", "note"]) {
      const field = li.querySelector(`.fg-${key}`);
      if (field !== document.activeElement) field.value = s[key];
    }
    li.dataset.status = s.status;
    if ((s.status === "na" || s.owner || s.note) && !li.querySelector("details").open) {
      li.querySelector("details").open = true;
    }
  }
  updateProgress(store);
}

function updateProgress(store) {
  const perStage = {};
  for (const box of document.querySelectorAll("[data-fg-progress]")) {
    const [kind, id] = box.dataset.fgProgress.split(":");
    const items = [...document.querySelectorAll(`.fg-item[data-${kind}="${id}"]`)];
    const states = items.map((li) => stateOf(store, li.dataset.item).status);
    const done = states.filter((s) => s === "done").length;
    const na = states.filter((s) => s === "na").length;
    const applicable = items.length - na;
    const score = applicable ? done / applicable : null;
    box.querySelector("progress").value = score ?? 0;
    box.querySelector(".fg-progress-text").textContent =
      `${done} of ${applicable} done${na ? `, ${na} not applicable` : ""} (${percent(score)})`;
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
  const store = readStore();
  const s = stateOf(store, li.dataset.item);
  if (event.target.matches(".fg-done")) s.status = event.target.checked ? "done" : "open";
  else if (event.target.matches(".fg-na")) {
    s.status = event.target.checked ? "na" : "open";
    if (event.target.checked) li.querySelector(".fg-reason").focus();
  } else {
    for (const key of ["reason", "owner", "note"]) if (event.target.matches(`.fg-${key}`)) s[key] = event.target.value;
  }
  putState(store, li.dataset.item, s);
  writeStore(store);
  li.querySelector(".fg-done").checked = s.status === "done";
  li.querySelector(".fg-na").checked = s.status === "na";
  li.dataset.status = s.status;
  updateProgress(store);
};

const onClick = async (event) => {
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
    if (!confirm("Clear every tick, reason, owner and note on this page? Export JSON first to keep a copy.")) return;
    const store = readStore();
    for (const li of document.querySelectorAll(".fg-item")) delete store.items[li.dataset.item];
    writeStore(store);
    refreshChecklist();
    notify("Cleared this page's checklist.");
    return;
  }
};

const onFile = async (event) => {
  if (!event.target.matches(".fg-import")) return;
  const file = event.target.files[0];
  if (!file) return;
  if (file.size > 5 * 1024 * 1024) {
    notify("Not imported: the file is larger than 5 MB. Nothing was changed.");
  } else {
    await importItems(await file.text());
  }
  event.target.value = "";
};

// ------------------------------------------------------------------ wiring

if (!window.__fgChecklistsWired) {
  window.__fgChecklistsWired = true;
  document.addEventListener("change", (event) => {
    if (event.target.matches(".fg-done, .fg-na")) onItemChange(event);
    else onFile(event);
  });
  document.addEventListener("input", (event) => {
    if (event.target.matches(".fg-reason, .fg-owner, .fg-note")) onItemChange(event);
  });
  document.addEventListener("click", onClick);
  addEventListener("storage", (event) => { if (event.key === STORE) refreshChecklist(); });
}

if (window.document$) window.document$.subscribe(refreshChecklist);
else document.addEventListener("DOMContentLoaded", refreshChecklist);
