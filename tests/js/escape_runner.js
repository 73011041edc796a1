// Runs the page's escaping helpers (content/assets/javascripts/store.js) under Node for pytest:
//   node escape_runner.js < [{fn, text}]  ->  [result]
// store.js is a classic browser script: it runs here in a sandbox with the few browser globals it
// touches at load time.
"use strict";
const fs = require("fs");
const path = require("path");
const vm = require("vm");

const source = fs.readFileSync(path.join(__dirname, "..", "..", "content", "assets", "javascripts", "store.js"), "utf8");
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
