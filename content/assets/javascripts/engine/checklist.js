// The checklist's rows and its exports (Markdown for a pull-request comment, CSV, the JSON state file),
// written as fieldguide.checklist writes them: tests/test_page_exports.py runs this module under Node
// against the same golden files as the Python (tests/golden/checklist/), byte for byte. The words the two
// share (status labels, CSV columns, the readiness rule, covers text, caps) come from the data
// (planner/data.json `labels`, written by fieldguide.checklist), not from here. Pure: no page access.

import * as StateFile from "./statefile.js";
import { csvText, markdownCell, markdownText, markdownUrl } from "./escape.js";
import { percent, readiness } from "./readiness.js";
import { orphansOf, stateOf } from "./store.js";

const RESOLVED = ["done", "accepted-risk", "na"];

// Items of a scope in workflow order, from data.json (checklist.rows): stages in `stageIds` (all when
// empty), challenges in `challengeIds` (all when null).
export const rowsOf = (data, stageIds, challengeIds = null) => {
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

// Readiness of the stages of `rows` (in their order), from the stored statuses.
export const readinessOf = (rows, store) => readiness(rows.map((row) => [row.stage, stateOf(store, row.item.id).status]));

const capitalized = (text) => text[0].toUpperCase() + text.slice(1);

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
const orphanLine = (labels, id, s) => (["na", "accepted-risk"].includes(s.status)
  ? `- **${capitalized(labels.status[s.status])}:** \`${id}\``
  : `- [${s.status === "done" ? "x" : " "}] \`${id}\` (${labels.status[s.status]})`);

const stageTitle = (data, id) => data.stages.find((s) => s.id === id).title;
const challengeLink = (data, cid) => `[${data.challenges[cid].title}](${data.challenges[cid].url})`;

// Open and in-progress items by stage and challenge; the rest folded in <details> (checklist._compact).
const compactLines = (data, rows, store, ready) => {
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
        const score = withScores ? ` — ${percent(r.score)} (${r.resolved}/${r.applicable} resolved)` : "";
        out.push("", `### ${stageTitle(data, row.stage)}${score}`, "");
        last = { stage: row.stage };
      }
      if (last.challenge !== row.challenge) {
        out.push("", `**${challengeLink(data, row.challenge)}**`, "");
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

// Every item with precedents and framework notes (checklist._full); ranked: the planner's order, one
// list of challenges.
const fullLines = (data, rows, store, ready, ranked) => {
  const out = ranked ? ["", "## Challenges, most likely to matter first", ""] : [];
  let last = {};
  let position = 0;
  for (const row of rows) {
    if (!ranked && last.stage !== row.stage) {
      const r = ready.stages[row.stage];
      out.push("", `## ${stageTitle(data, row.stage)} — ${percent(r.score)} (${r.resolved}/${r.applicable} resolved)`, "");
      last = { stage: row.stage };
    }
    if (!ranked && last.step !== row.step) {
      out.push("", `### ${data.steps[row.step].title}`, "");
      last.step = row.step;
    }
    if (last.challenge !== row.challenge) {
      const cases = data.challenges[row.challenge].precedents.slice(0, data.labels.precedents_shown);
      const precedent = cases.length ? `precedents: ${cases.map((p) => p.title).join(", ")}` : "";
      if (ranked) {
        position += 1;
        const where = `${stageTitle(data, row.stage)} › ${data.steps[row.step].title}`;
        out.push("", `### ${position}. ${challengeLink(data, row.challenge)}`, "",
          [where, precedent].filter(Boolean).join(" · "), "");
      } else {
        out.push("", `**${challengeLink(data, row.challenge)}**${precedent ? ` · ${precedent}` : ""}`, "");
      }
      last.challenge = row.challenge;
    }
    const covers = row.item.covers;
    out.push(itemLine(row.item.text, stateOf(store, row.item.id), row.item.id) + (covers ? ` · also covers: ${covers}` : ""));
  }
  return out;
};

// Markdown for a pull-request comment (checklist.to_markdown): the readiness table, then the items;
// `compact`: open items first, the rest folded; `ranked`: rows in the planner's order.
export const toMarkdown = (data, rows, store, title, { ranked = false, compact = !ranked } = {}) => {
  const { labels } = data;
  const ready = readinessOf(rows, store);
  const lowest = Object.keys(ready.stages).length > 1 ? ", the lowest stage's" : "";
  const out = [`# ${markdownText(title)}`, "",
    `Readiness: **${percent(ready.overall)}**${lowest}. ${labels.readiness_rule} `
    + `From the [ML Deployment Field Guide](${data.site_url}) ${data.version}.`, "",
    `| Stage | Ready | ${labels.summary_columns.map(([, label]) => label).join(" | ")} |`,
    `| --- | ---: | ${labels.summary_columns.map(() => "---:").join(" | ")} |`];
  for (const [id, r] of Object.entries(ready.stages)) {
    out.push(`| ${markdownCell(stageTitle(data, id))} | ${percent(r.score)} | `
      + labels.summary_columns.map(([status]) => r.counts[status] || 0).join(" | ") + " |");
  }
  out.push(...(compact ? compactLines(data, rows, store, ready) : fullLines(data, rows, store, ready, ranked)));
  const orphans = orphansOf(data, store);
  if (orphans.length) {
    out.push("", "## Items no longer in the catalog", "");
    for (const id of orphans) out.push(orphanLine(labels, id, stateOf(store, id)));
  }
  return out.join("\n").replace(/\n\n\n+/g, "\n\n") + "\n";
};

// The latest change of any field, and who made it (ItemState.updated and .by in Python).
const latest = (s) => Object.values(s.changed).filter((c) => c.at)
  .reduce((best, c) => (!best || c.at > best.at ? c : best), null);

// One row per item, orphans last with empty stage, step and challenge (checklist.to_csv).
export const toCsv = (data, rows, store) => {
  const fields = (s) => [s.status, s.reason, s.owner, s.note, s.evidence, latest(s)?.at || "", latest(s)?.by || ""];
  const lines = [data.labels.csv_columns];
  for (const row of rows) {
    lines.push([stageTitle(data, row.stage), data.steps[row.step].title, data.challenges[row.challenge].title,
      row.item.id, row.item.text, ...fields(stateOf(store, row.item.id)), row.item.covers]);
  }
  for (const id of orphansOf(data, store)) lines.push(["", "", "", id, "", ...fields(stateOf(store, id)), ""]);
  return csvText(lines);
};

// The state file, version 3 (checklist.to_json, statefile.dump): every item in scope, then orphans.
// `exported`: the time of the export ("…Z"); the scope: the stages of `rows`.
export const toJson = (data, rows, store, exported) => {
  const scope = [...new Set(rows.map((r) => r.stage))];
  const items = rows.map((r) => stateOf(store, r.item.id)).concat(orphansOf(data, store).map((id) => stateOf(store, id)));
  return JSON.stringify({
    format: "fieldguide-checklist", version: 3, exported, catalog_version: data.version, scope,
    items: items.map(StateFile.itemJson),
  }, null, 2) + "\n";
};
