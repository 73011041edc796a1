// Runs the page's escaping helpers (content/assets/javascripts/store.js) under Node for pytest:
//   node escape_runner.js < [{fn, text}]  ->  [result]
// store.js (with statefile.js) is a classic browser script: it runs here in a sandbox with the few browser globals it
// touches at load time.
"use strict";
const fs = require("fs");
const path = require("path");
const vm = require("vm");

// store.js uses the state-file module's character classes, so statefile.js runs first, as on the page.
const scripts = path.join(__dirname, "..", "..", "content", "assets", "javascripts");
const source = ["statefile.js", "store.js"].map((f) => fs.readFileSync(path.join(scripts, f), "utf8")).join("\n");
const sandbox = {
  document: { getElementById: () => null, querySelectorAll: () => [] },
  location: { href: "https://guide.example.org/" },
  localStorage: { getItem: () => null, setItem: () => {}, removeItem: () => {} },
  URL, TextEncoder, JSON,
};
vm.createContext(sandbox);
vm.runInContext(`${source}\nthis.__helpers = { markdownText, markdownUrl, markdownCell, pandocText, yamlScalar, csvCell };`,
  sandbox);
const jobs = JSON.parse(fs.readFileSync(0, "utf8"));
process.stdout.write(JSON.stringify(jobs.map((job) => sandbox.__helpers[job.fn](job.text))));
