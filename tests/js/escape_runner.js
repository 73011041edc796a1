// Runs the page's escaping helpers (content/assets/javascripts/engine/escape.js) under Node for pytest:
//   node escape_runner.js < [{fn, text}]  ->  [result]
import fs from "node:fs";
import * as escape from "../../content/assets/javascripts/engine/escape.js";

const jobs = JSON.parse(fs.readFileSync(0, "utf8"));
process.stdout.write(JSON.stringify(jobs.map((job) => escape[job.fn](job.text))));
