// Small helpers for building page elements and handing the reader a file.

// An element with properties and children (text or nodes): built as nodes, never parsed as HTML.
export const el = (tag, props = {}, ...children) => {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
};

// Offers `text` as a file called `name` to download.
export const download = (name, text, type) => {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = Object.assign(document.createElement("a"), { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
};

// The reader's local date, as YYYY-MM-DD (a brief's date, a citation's access date).
export const today = () => {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
};

// The time now in UTC to the second ("…Z"), as change times are written.
export const nowUtc = () => new Date().toISOString().replace(/\.\d+Z$/, "Z");
