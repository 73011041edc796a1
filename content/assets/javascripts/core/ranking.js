// The planner's ranking for a profile, as the planner and the checklists' plan view show it: the
// weights precomputed in Python (planner/data.json `ranking`) plus the description's relevance by the
// search engine (engine/search.js rankProfile, the arithmetic of fieldguide.plan.rank).

import { prepareDescription, rankProfile } from "../engine/search.js";
import { loadIndex, loadReading } from "./data.js";
import { notify } from "./messages.js";

// The description part needs the search index; it is fetched only once a description is written.
// Without it (the file failed to load) the plan still ranks by the profile's traits and industry, and says so.
export const rank = async (data, profile) => {
  let index = null;
  let contexts = null;
  let deployments = null;
  if (profile.description.trim()) {
    try {
      index = await loadIndex();
      await prepareDescription(index, profile.description); // its terms' postings and the challenges it matches
      // and the challenges' contexts and the deployments, read the same way
      [contexts, deployments] = await Promise.all(["ranking.contexts", "ranking.deployments"].map((t) => loadReading(data, t)));
      await Promise.all([contexts, deployments].map((x) => x && prepareDescription(x, profile.description)));
    } catch (error) {
      index = null;
      contexts = null;
      deployments = null;
      notify(`Your description is not used: the search index could not be loaded (${error.message}). `
        + "The plan below ranks by industry and traits only; reload the page to try again.");
    }
  }
  return rankProfile(data.ranking, index, profile, contexts, deployments);
};
