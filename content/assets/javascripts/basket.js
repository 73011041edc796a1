// The citation basket: "Add to citations" on challenge, case study and mitigation pages, and the
// "Your citations" page, which exports what was collected once each (BibTeX, CSL-JSON, Markdown with
// pandoc citations) and shows it formatted. Everything formatted comes from citations/data.json,
// written when the site is built (pybtex); this script only collects, orders and joins.
// Wrapped in an IIFE so its own names stay private; it uses store.js's shared helpers
// (`download`, `byCodePoint`, `loadJson`), which load first.
(() => {
  const KEY = storageKey("fieldguide-citations-v1"); // scoped by the site's path (store.js)
  const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

  // ---------------------------------------------------------------- storage

  // Returns the saved page keys; never throws. An unreadable value is kept aside, not lost.
  const readKeys = () => {
    const raw = localStorage.getItem(KEY);
    if (raw === null) return [];
    try {
      const parsed = JSON.parse(raw);
      if (parsed && parsed.version === 1 && Array.isArray(parsed.pages)) {
        return parsed.pages.filter((k) => typeof k === "string" && SLUG.test(k));
      }
    } catch { /* handled below */ }
    // One aside copy (the newest replaces an older one); the original goes only once the copy is stored.
    if (writeRaw(`${KEY}.unreadable`, raw)) localStorage.removeItem(KEY);
    return [];
  };

  // False when the browser refuses (storage full, private mode): callers say so instead of claiming success.
  const writeRaw = (key, value) => {
    try {
      localStorage.setItem(key, value);
      return true;
    } catch {
      return false;
    }
  };
  const writeKeys = (keys) => writeRaw(KEY, JSON.stringify({ version: 1, pages: keys }));
  const REFUSED = "Not saved: this browser refused to store the change (its storage may be full).";

  // ---------------------------------------------------------------- data

  const loadCitations = () => loadJson("citations/data.json");

  // "Also cite the 2020 arXiv text": each peer-reviewed version then brings its preprint (data.preprints).
  const withPreprints = () => Boolean(document.getElementById("fg-basket-preprints")?.checked);

  // Pages in the order added, then each page's sources after it; every entry once. Saved keys are the
  // reader's storage: looked up among the data's own keys only ("constructor" is no page).
  const collect = (data, keys, preprints = withPreprints()) => {
    const pages = keys.filter((k) => Object.hasOwn(data.pages, k));
    const missing = keys.filter((k) => !Object.hasOwn(data.pages, k));
    const refs = [];
    const add = (id) => { if (!refs.includes(id)) refs.push(id); };
    for (const key of pages) {
      for (const id of data.pages[key].refs) {
        add(id);
        if (preprints && data.preprints?.[id]) add(data.preprints[id]);
      }
    }
    return { pages, refs, missing };
  };

  // ---------------------------------------------------------------- access dates

  // A page is cited with the day the reader looked at it (BibTeX `urldate`, CSL `accessed`), never
  // with the release date: the build cannot know it, so the static citations carry none and this
  // adds the reader's local date.
  const accessDate = () => {
    const d = new Date();
    return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
  };
  const withUrldate = (bibtex, date) => bibtex.trim().replace(/\n}$/, `,\n    urldate = "${date}"\n}`);
  const withAccessed = (csl, date) => ({ ...csl, accessed: { "date-parts": [date.split("-").map(Number)] } });

  const entries = (data, picked, date = accessDate()) => picked.pages
    .map((key) => ({ key, ...data.pages[key], bibtex: withUrldate(data.pages[key].bibtex, date),
      csl: withAccessed(data.pages[key].csl, date), text: `${data.pages[key].text} Accessed ${date}.` }))
    .concat(picked.refs.map((key) => ({ key, ...data.references[key] })));

  // The "Cite this" box: the page's citation and BibTeX gain today's date as the access date.
  const stampCiteBoxes = () => {
    const date = accessDate();
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

  // ---------------------------------------------------------------- exports

  const toBibtex = (data, picked) => entries(data, picked).map((e) => e.bibtex.trim()).join("\n\n") + "\n";

  const toCsl = (data, picked) => JSON.stringify(entries(data, picked).map((e) => e.csl), null, 2) + "\n";

  const toMarkdown = (data, picked) => {
    const out = ["---", "bibliography: citations.bib", "---", "",
      `Collected from the ${data.guide} (catalog version ${data.version}, released ${data.released}).`,
      "Render with `pandoc --citeproc notes.md -o notes.docx`, with `citations.bib` beside it.", ""];
    for (const key of picked.pages) {
      const page = data.pages[key];
      const sources = page.refs.map((id) => `@${id}`).join("; ");
      out.push(`- ${pandocText(page.title)} [@${key}]` + (sources ? `, drawing on [${sources}]` : ""));
    }
    out.push("", "## References", "", "::: {#refs}", ":::");
    return out.join("\n") + "\n";
  };


  const formatted = (data, picked, style) => {
    const all = entries(data, picked);
    if (style === "alpha") {
      // Labels repeated within the list get a, b, c… as the alpha style does (pages share theirs).
      const sorted = all.map((e) => ({ label: e.alpha, text: e.text }))
        .sort((a, b) => byCodePoint(a.label, b.label) || byCodePoint(a.text, b.text));
      const counts = new Map();
      for (const e of sorted) counts.set(e.label, (counts.get(e.label) || 0) + 1);
      const seen = new Map();
      return sorted.map((e) => {
        let suffix = "";
        if (counts.get(e.label) > 1) {
          seen.set(e.label, (seen.get(e.label) ?? -1) + 1);
          suffix = String.fromCharCode(97 + seen.get(e.label));
        }
        return `[${e.label}${suffix}] ${e.text}`;
      }).join("\n\n");
    }
    if (style === "authoryear") {
      return all.map((e) => ({ label: e.label, text: e.text }))
        .sort((a, b) => byCodePoint(a.label, b.label) || byCodePoint(a.text, b.text))
        .map((e) => `${e.label}. ${e.text}`).join("\n\n");
    }
    return all.map((e, i) => `[${i + 1}] ${e.text}`).join("\n\n");
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
    const el = document.querySelector(".fg-basket-summary");
    if (el) el.textContent = text;
  };

  async function refreshBasket() {
    const basket = document.getElementById("fg-basket");
    if (!basket) return;
    if (!basket.querySelector(".fg-basket-summary").textContent) basketStatus("Loading your citations…");
    let data;
    try {
      data = await loadCitations();
    } catch (error) {
      basketStatus(`Your citations could not be loaded (${error.message}).`);
      return;
    }
    const picked = collect(data, readKeys());
    const list = basket.querySelector(".fg-basket-list");
    list.replaceChildren(...picked.pages.map((key) => {
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
    const count = picked.pages.length;
    basketStatus(count
      ? `${count} page${count === 1 ? "" : "s"} and ${picked.refs.length} source${picked.refs.length === 1 ? "" : "s"}: ${count + picked.refs.length} entries, each once.`
        + (picked.missing.length ? ` ${picked.missing.length} saved page(s) are no longer in the guide and are left out.` : "")
      : "No citations yet: use “Add to citations” on a challenge, case study or mitigation page.");
    for (const button of basket.querySelectorAll("[data-fg-basket-export], [data-fg-basket-copy], [data-fg-basket-clear]")) {
      button.disabled = count === 0;
    }
    const style = basket.querySelector("#fg-basket-style").value;
    basket.querySelector("#fg-basket-text").value = count ? formatted(data, picked, style) : "";
  }

  const onBasketClick = async (event) => {
    const target = event.target.closest("[data-fg-basket-export], [data-fg-basket-remove], [data-fg-basket-clear], [data-fg-basket-copy]");
    if (!target) return;
    const data = await loadCitations();
    const picked = collect(data, readKeys());
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
    if (format === "bib") download("citations.bib", toBibtex(data, picked), "application/x-bibtex");
    if (format === "csl") download("citations.json", toCsl(data, picked), "application/json");
    if (format === "md") download("citations.md", toMarkdown(data, picked), "text/markdown");
  };

  // ---------------------------------------------------------------- wiring

  if (!window.__fgBasketWired) {
    window.__fgBasketWired = true;
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
  }

  const onPage = () => {
    stampCiteBoxes();
    refreshButtons();
    refreshBasket();
  };
  if (window.document$) window.document$.subscribe(onPage);
  else document.addEventListener("DOMContentLoaded", onPage);
})();
