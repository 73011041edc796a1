// Readiness, computed in one place for the whole page (the progress bars of every stage and step, the
// overall figure, the exports): resolved (done or accepted risk) ÷ applicable (all but not applicable);
// overall, the lowest stage (fieldguide.plan.readiness and overall). Pure: Node runs it in the tests.

// One group of items by their statuses: counts per status, resolved, applicable, score (null: none applies).
export const tally = (statuses) => {
  const counts = {};
  for (const s of statuses) counts[s] = (counts[s] || 0) + 1;
  const done = counts.done || 0;
  const accepted = counts["accepted-risk"] || 0;
  const applicable = statuses.length - (counts.na || 0);
  const resolved = done + accepted;
  return { counts, done, accepted, na: counts.na || 0, resolved, applicable,
    score: applicable ? resolved / applicable : null };
};

// Per group (in the order first met) from [group, status] pairs, and overall: the lowest score.
export const readiness = (pairs) => {
  const statuses = new Map();
  for (const [group, status] of pairs) {
    if (!statuses.has(group)) statuses.set(group, []);
    statuses.get(group).push(status);
  }
  const stages = Object.fromEntries([...statuses].map(([group, list]) => [group, tally(list)]));
  const scores = Object.values(stages).map((r) => r.score).filter((x) => x !== null);
  const overall = scores.length ? Math.min(...scores) : null;
  return { overall, stages, lowest: Object.keys(stages).find((id) => stages[id].score === overall) ?? null };
};

// Half up, as fieldguide.checklist._percent ("n/a" when nothing applies).
export const percent = (x) => (x === null ? "n/a" : `${Math.round(100 * x)}%`);
