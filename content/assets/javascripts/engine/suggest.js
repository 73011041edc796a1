// Suggestions from the project description: the industry and traits it implies that the profile has not
// chosen, each with the words that triggered it. The same arithmetic, in the same order, as
// fieldguide.plan.suggest, on the table Python computed (planner/data.json `ranking.suggest`); the
// engine reads the description as it does for the ranking (engine/search.js `slots`). Pure: no page access.

import { slots } from "./search.js";

// `ranking`: data.json's `ranking`; `index`: the search engine's Index; `titles`: {industry: {id: title},
// trait: {id: title}}. Returns [{kind, id, title, score, words}], the best industry (only when none is
// chosen) first, then traits, best first.
export const suggest = (ranking, index, profile, titles) => {
  const { facets, min } = ranking.suggest;
  const description = profile.description || "";
  const question = description.trim() ? slots(index, description, false, true) : [];
  const traits = profile.traits || [];
  const found = [];
  for (const kind of Object.keys(facets)) {
    for (const [fid, terms] of Object.entries(facets[kind])) {
      if (fid === profile.industry || traits.includes(fid) || (kind === "industry" && profile.industry)) continue;
      const best = new Map(); // facet term -> [weight, the word that matched it]
      for (const slot of question) {
        for (const [t, factor] of [[index.term(slot.word), 1.0], ...slot.alternatives]) {
          if (Object.hasOwn(terms, t) && factor * terms[t] > (best.get(t)?.[0] ?? 0)) best.set(t, [factor * terms[t], slot.word]);
        }
      }
      let score = 0;
      for (const [w] of best.values()) score += w;
      if (score < min) continue;
      const words = [];
      for (const [, word] of [...best.values()].sort((a, b) => b[0] - a[0])) {
        if (!words.includes(word) && words.length < ranking.max_words) words.push(word);
      }
      found.push({ kind, id: fid, title: titles[kind][fid], score: Math.floor(score * 100 + 0.5) / 100, words });
    }
  }
  found.sort((a, b) => (a.kind !== "industry") - (b.kind !== "industry") || b.score - a.score
    || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return [...found.filter((x) => x.kind === "industry").slice(0, 1), ...found.filter((x) => x.kind === "trait")];
};
