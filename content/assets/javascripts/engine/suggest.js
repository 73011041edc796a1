// Suggestions from the project description: the industry and traits it implies that the profile has not
// chosen, each with the words that triggered it. The same arithmetic, in the same order, as
// fieldguide.plan.suggest, on the table Python computed (planner/data.json `ranking.suggest`); the
// engine reads the description as it does for the ranking (engine/search.js `facetScores`). Pure: no page access.

import { facetScores } from "./search.js";

// `ranking`: data.json's `ranking`; `index`: the search engine's Index; `titles`: {industry: {id: title},
// trait: {id: title}}. Returns [{kind, id, title, score, words}], the best industry (only when none is
// chosen) first, then traits, best first.
export const suggest = (ranking, index, profile, titles) => {
  const { facets, min } = ranking.suggest;
  const traits = profile.traits || [];
  const found = [];
  const scores = facetScores(facets, index, profile.description || "", ranking.max_words);
  for (const kind of Object.keys(scores)) {
    for (const [fid, [score, words]] of scores[kind]) {
      if (fid === profile.industry || traits.includes(fid) || (kind === "industry" && profile.industry)) continue;
      if (score < min) continue;
      found.push({ kind, id: fid, title: titles[kind][fid], score: Math.floor(score * 100 + 0.5) / 100, words });
    }
  }
  found.sort((a, b) => (a.kind !== "industry") - (b.kind !== "industry") || b.score - a.score
    || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return [...found.filter((x) => x.kind === "industry").slice(0, 1), ...found.filter((x) => x.kind === "trait")];
};
