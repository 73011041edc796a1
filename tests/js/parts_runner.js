// Reads the pages' split data files (fieldguide.pagedata) under Node as the page does (engine/parts.js,
// engine/citations.js), for pytest:
//   node parts_runner.js < {root, core, wanted?, basket?}  ->  {data, loaded: [files read, in order]}
// `wanted`: {table: ids or null} for engine/parts.js `assemble`; `basket`: page keys for the basket's data.
import fs from "node:fs";
import path from "node:path";
import { basketData } from "../../content/assets/javascripts/engine/citations.js";
import { assemble } from "../../content/assets/javascripts/engine/parts.js";

const input = JSON.parse(fs.readFileSync(0, "utf8"));
const loaded = [];
const load = async (file) => {
  loaded.push(file);
  return JSON.parse(fs.readFileSync(path.join(input.root, file), "utf8"));
};
const core = await load(input.core);
const data = input.basket ? await basketData(core, input.basket, load) : await assemble(core, input.wanted, load);
process.stdout.write(JSON.stringify({ data, loaded }));
