// One escaping function per target format, the same rules as scripts/fieldguide/escape.py
// (tests/test_escape.py runs both on the same hostile strings). Pure: Node imports this module too.

// User text inline in Markdown: one line; no link, image, code span, HTML tag, attribute list or
// emphasis can start in it.
export const markdownText = (text) => text.replace(/[ \t\n\r]+/g, " ").replace(/^ +| +$/g, "").replace(/&/g, "&amp;")
  .replace(/[\\`[\]()!*_{}]/g, "\\$&").replace(/</g, "&lt;");

// An http(s) address as an autolink, with every character a Markdown reader could act on there
// percent-encoded; anything else is inert text, never a link.
export const markdownUrl = (url) => {
  // eslint-disable-next-line no-control-regex -- the control characters are what the rule refuses
  if (!/^https?:\/\/[^\x00-\x20\x7f<>]+$/i.test(url)) return markdownText(url);
  return `<${[...url].map((c) => (/[A-Za-z0-9\-._~:/?#@!$&'()*+,;=%]/.test(c) ? c
    : [...new TextEncoder().encode(c)].map((b) => `%${b.toString(16).toUpperCase().padStart(2, "0")}`).join(""))).join("")}>`;
};

// Text in a Markdown table cell: one line, the pipe as an entity (a backslash before it cannot split the cell).
export const markdownCell = (text) => String(text).replace(/[ \t\n\r]+/g, " ").replace(/\|/g, "&#124;");

// User text in pandoc Markdown (body or metadata value): no raw attribute, raw TeX, math, citation,
// span, link, list or HTML can start, and pandoc reads back exactly the characters typed.
export const pandocText = (text) => text.replace(/[ \t\n\r]+/g, " ").replace(/^ +| +$/g, "")
  .replace(/[\\`*_[\]{}<>$@^~&#|"'!]|-(?=-)|\.(?=\.)/g, "\\$&")
  .replace(/^(?:[-+:%]|\(?(?:\d+|[A-Za-z]|[ivxlcdmIVXLCDM]+)[.)])/, (m) => `${m.slice(0, -1)}\\${m.slice(-1)}`);

// One double-quoted YAML scalar (JSON quoting; control characters YAML cannot hold raw escaped).
export const yamlScalar = (text) => JSON.stringify(String(text))
  .replace(/[\x7f-\x9f\u2028\u2029\ufeff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);

// OWASP's rule against CSV formula injection (fieldguide.escape.csv_cell): a cell that could start a
// formula gets a leading single quote; then RFC 4180 quoting.
export const csvCell = (v) => {
  let s = v === null || v === undefined ? "" : String(v);
  if (/^[=+\-@\t\r\n]/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

// Rows of cells as CSV text, one line per row (fieldguide.escape.csv_text).
export const csvText = (rows) => rows.map((row) => row.map(csvCell).join(",")).join("\n") + "\n";

// Strings in UTF-16 unit order (the page's sort for labels and ids).
export const byCodePoint = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
