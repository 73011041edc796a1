// The one reader of the pages' split data files (written by fieldguide.pagedata): a core file, and each
// large table in chunks named by their content's hash. `core.parts[table]` says which chunk holds each
// record (`{ files, at: {id: file index} }`). Pure: `load(path)` fetches a file of the site (a promise).

// The ids a table of the core holds (in the logical object's order), without fetching anything.
export const idsOf = (core, table) => Object.keys(core.parts[table].at);

// Whether the table holds `id` (its own keys only: "constructor" is no record).
export const has = (core, table, id) => Object.hasOwn(core.parts[table].at, id);

// The records `ids` of a table, as {id: record} in the order asked: only the chunks holding them are
// fetched; ids the table does not hold are left out.
export const records = async (core, table, ids, load) => {
  const part = core.parts[table];
  const known = [...new Set(ids)].filter((id) => Object.hasOwn(part.at, id));
  const files = [...new Set(known.map((id) => part.at[id]))];
  const chunks = new Map(await Promise.all(files.map(async (i) => [i, await load(part.files[i])])));
  const out = {};
  for (const id of known) out[id] = chunks.get(part.at[id])[id];
  return out;
};

// The logical object again: the core with each table in `wanted` ({table: ids, or null for every
// record}) put back at its dotted path (objects on the way are copied: the core stays as fetched).
// Tables not asked for stay out; `parts` stays on it, for `has` and `records` later.
export const assemble = async (core, wanted, load) => {
  const out = { ...core };
  const filled = await Promise.all(Object.entries(wanted).map(async ([table, ids]) =>
    [table, await records(core, table, ids ?? idsOf(core, table), load)]));
  for (const [table, found] of filled) {
    const path = table.split(".");
    const key = path.pop();
    let holder = out;
    for (const name of path) {
      holder[name] = { ...holder[name] };
      holder = holder[name];
    }
    holder[key] = found;
  }
  return out;
};
