// The citation basket: "Add to citations" on challenge, case study and mitigation pages, and the
// "Your citations" page, which exports what was collected once each (BibTeX, CSL-JSON, Markdown with
// pandoc citations) and shows it formatted (engine/citations.js, from citations/data.json, formatted
// by pybtex when the site is built): this module only keeps the list and draws it.

import { collect, formatted, savedKeys, toBibtex, toCsl, toMarkdown, withUrldate } from "../engine/citations.js";
import { loadCitations } from "../core/data.js";
import { download, today } from "../core/dom.js";
import { onPage } from "../core/site.js";
import { CITATIONS as KEY, quietSet } from "../core/storage.js";

// ---------------------------------------------------------------- storage

// Returns the saved page keys; never throws. An unreadable value is kept aside, not lost.
const readKeys = () => {
  const raw = localStorage.getItem(KEY);
  if (raw === null) return [];
  const keys = savedKeys(raw);
  if (keys) return keys;
  // One aside copy (the newest replaces an older one); the original goes only once the copy is stored.
  if (quietSet(`${KEY}.unreadable`, raw)) localStorage.removeItem(KEY);
  return [];
};

// False when the browser refuses (storage full, private mode): callers say so instead of claiming success.
const writeKeys = (keys) => quietSet(KEY, JSON.stringify({ version: 1, pages: keys }));
const REFUSED = "Not saved: this browser refused to store the change (its storage may be full).";

// "Also cite the 2020 arXiv text": each peer-reviewed version then brings its preprint.
const withPreprints = () => Boolean(document.getElementById("fg-basket-preprints")?.checked);
const picked = (data) => collect(data, readKeys(), withPreprints());

// ---------------------------------------------------------------- the "Cite this" box

// The page's citation and BibTeX gain the reader's date as the access date.
const stampCiteBoxes = () => {
  const date = today();
  for (const cite of document.querySelectorAll(".fg-page-citation:not([data-fg-accessed])")) {
    cite.dataset.fgAccessed = date;
    cite.append(` Accessed ${date}.`);
  }
  for (const code of document.querySelectorAll(".fg-page-bibtex code:not([data-fg-accessed])")) {
    code.dataset.fgAccessed = date;
    // Keep the highlighting: add the field, highlighted alike, before the entry's closing brace.
    const close = [...code.querySelectorAll("span")].reverse().find((s) => s.textContent === "}");
    if (!close) {
      code.textContent = withUrldate(code.textContent, date) + "\n";
      continue;
    }
    const span = (cls, text) => Object.assign(document.createElement("span"), { className: cls, textContent: text });
    // The line break before "}" stays last: the field goes in before it.
    const at = close.previousSibling?.nodeType === Node.TEXT_NODE ? close.previousSibling : close;
    at.before(span("p", ","), "\n", span("w", "    "), span("na", "urldate"), span("w", " "), span("p", "="),
      span("w", " "), span("s", `"${date}"`));
    if (at === close) close.before("\n");
  }
};

// ---------------------------------------------------------------- "Add to citations" on pages

const pageTitle = () => document.querySelector("article h1")?.textContent.replace(/¶$/, "").trim() || "This page";

const refreshButtons = () => {
  const keys = readKeys();
  for (const button of document.querySelectorAll(".fg-add-cite")) {
    const added = keys.includes(button.dataset.fgCite);
    button.textContent = added ? "Remove from citations" : "Add to citations";
    button.setAttribute("aria-pressed", String(added));
    button.closest(".fg-basket-add").hidden = false;
  }
};

const onAdd = (button) => {
  const key = button.dataset.fgCite;
  const keys = readKeys();
  const status = button.closest(".fg-basket-add").querySelector(".fg-basket-status");
  const title = pageTitle();
  if (keys.includes(key)) {
    status.textContent = writeKeys(keys.filter((k) => k !== key))
      ? `Removed “${title}” from your citations (${keys.length - 1} page${keys.length - 1 === 1 ? "" : "s"}).` : REFUSED;
  } else {
    status.textContent = writeKeys(keys.concat(key))
      ? `Added “${title}” and its sources to your citations (${keys.length + 1} page${keys.length + 1 === 1 ? "" : "s"}).`
      : REFUSED;
  }
  refreshButtons();
};

// ---------------------------------------------------------------- the basket page

const basketStatus = (text) => {
  const summary = document.querySelector(".fg-basket-summary");
  if (summary) summary.textContent = text;
};

const refreshBasket = async () => {
  const basket = document.getElementById("fg-basket");
  if (!basket) return;
  if (!basket.querySelector(".fg-basket-summary").textContent) basketStatus("Loading your citations…");
  let data;
  try {
    data = await loadCitations(readKeys());
  } catch (error) {
    basketStatus(`Your citations could not be loaded (${error.message}).`);
    return;
  }
  const chosen = picked(data);
  const list = basket.querySelector(".fg-basket-list");
  list.replaceChildren(...chosen.pages.map((key) => {
    const page = data.pages[key];
    const li = document.createElement("li");
    li.dataset.fgCite = key;
    const a = Object.assign(document.createElement("a"), { href: page.url, textContent: page.title });
    const remove = Object.assign(document.createElement("button"), {
      type: "button", className: "md-button fg-basket-remove", textContent: "Remove",
    });
    remove.dataset.fgBasketRemove = key;
    remove.setAttribute("aria-label", `Remove ${page.title}`);
    li.append(a, ` (${page.refs.length} source${page.refs.length === 1 ? "" : "s"}) `, remove);
    return li;
  }));
  const count = chosen.pages.length;
  basketStatus(count
    ? `${count} page${count === 1 ? "" : "s"} and ${chosen.refs.length} source${chosen.refs.length === 1 ? "" : "s"}: ${count + chosen.refs.length} entries, each once.`
      + (chosen.missing.length ? ` ${chosen.missing.length} saved page(s) are no longer in the guide and are left out.` : "")
    : "No citations yet: use “Add to citations” on a challenge, case study or mitigation page.");
  for (const button of basket.querySelectorAll("[data-fg-basket-export], [data-fg-basket-copy], [data-fg-basket-clear]")) {
    button.disabled = count === 0;
  }
  const style = basket.querySelector("#fg-basket-style").value;
  basket.querySelector("#fg-basket-text").value = count ? formatted(data, chosen, style, today()) : "";
};

const onBasketClick = async (event) => {
  const target = event.target.closest("[data-fg-basket-export], [data-fg-basket-remove], [data-fg-basket-clear], [data-fg-basket-copy]");
  if (!target) return;
  const data = await loadCitations(readKeys());
  const chosen = picked(data);
  if (target.dataset.fgBasketRemove) {
    writeKeys(readKeys().filter((k) => k !== target.dataset.fgBasketRemove));
    await refreshBasket();
    document.querySelector(".fg-basket-list button, #fg-basket-style")?.focus();
    return;
  }
  if (target.hasAttribute("data-fg-basket-clear")) {
    if (!confirm("Remove every citation from this list?")) return;
    writeKeys([]);
    await refreshBasket();
    return;
  }
  if (target.hasAttribute("data-fg-basket-copy")) {
    const text = document.getElementById("fg-basket-text").value;
    try {
      await navigator.clipboard.writeText(text);
      basketStatus("Copied the formatted citations.");
    } catch {
      document.getElementById("fg-basket-text").select();
      basketStatus("Copying was not allowed here: the text is selected, press Ctrl+C (⌘C) to copy it.");
    }
    return;
  }
  const format = target.dataset.fgBasketExport;
  if (format === "bib") download("citations.bib", toBibtex(data, chosen, today()), "application/x-bibtex");
  if (format === "csl") download("citations.json", toCsl(data, chosen, today()), "application/json");
  if (format === "md") download("citations.md", toMarkdown(data, chosen), "text/markdown");
};

// ---------------------------------------------------------------- wiring

document.addEventListener("click", (event) => {
  const add = event.target.closest(".fg-add-cite");
  if (add) onAdd(add);
  else onBasketClick(event);
});
document.addEventListener("change", (event) => {
  if (event.target.id === "fg-basket-style" || event.target.id === "fg-basket-preprints") refreshBasket();
});
addEventListener("storage", (event) => {
  if (event.key === KEY) {
    refreshButtons();
    refreshBasket();
  }
});

onPage(() => {
  stampCiteBoxes();
  refreshButtons();
  refreshBasket();
});
