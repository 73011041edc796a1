// Checklist pages: "Show checks that cover" keeps only the checks mapped onto one external framework
// (ML Test Score, deon, ...). Each item lists its framework items in `data-covers` (written by the
// generator from the same mappings as the framework pages). Only visibility changes: ticks, progress
// and exports still cover the whole page. `?framework=ID` in the address preselects a framework.

const COVERAGE_HIDDEN = "data-fg-coverage-hidden"; // marks what this filter hid, so it can undo exactly that

const applyFrameworkFilter = (form) => {
  const wanted = form.querySelector("select").value;
  const items = [...document.querySelectorAll(".fg-item")];
  for (const el of document.querySelectorAll(`[${COVERAGE_HIDDEN}]`)) {
    el.hidden = false;
    el.removeAttribute(COVERAGE_HIDDEN);
  }
  const hide = (el) => {
    if (el && !el.hidden) {
      el.hidden = true;
      el.setAttribute(COVERAGE_HIDDEN, "");
    }
  };
  let shown = items.length;
  if (wanted) {
    for (const li of items) {
      const covers = (li.dataset.covers || "").split(" ");
      if (!covers.some((id) => id.startsWith(`${wanted}:`))) hide(li);
    }
    shown = items.filter((li) => !li.hidden).length;
    // A challenge, step or stage with nothing left to show disappears with its heading.
    for (const list of document.querySelectorAll("ul.fg-checklist")) {
      if ([...list.children].some((li) => !li.hidden)) continue;
      hide(list);
      for (let el = list.previousElementSibling; el; el = el.previousElementSibling) {
        hide(el);
        if (el.tagName === "H4") break;
      }
    }
    for (const level of ["H3", "H2"]) {
      for (const heading of document.querySelectorAll(`.md-content article ${level}`)) {
        const group = [];
        for (let el = heading.nextElementSibling; el; el = el.nextElementSibling) {
          if (el.tagName === level || (level === "H3" && el.tagName === "H2")) break;
          group.push(el);
        }
        if (group.some((el) => el.tagName === "UL" && el.classList.contains("fg-checklist") && !el.hidden)) continue;
        if (!group.some((el) => el.tagName === "UL" && el.classList.contains("fg-checklist"))) continue;
        hide(heading);
        for (const el of group) hide(el);
      }
    }
  }
  const name = wanted ? form.querySelector("select").selectedOptions[0].textContent : "";
  form.querySelector(".fg-framework-count").textContent = wanted
    ? `${shown} of ${items.length} checks on this page cover ${name} items.` : "";
};

const setupFrameworkFilter = () => {
  const form = document.querySelector("form[data-fg-framework-filter]");
  if (!form) return;
  const select = form.querySelector("select");
  form.hidden = false;
  form.addEventListener("submit", (event) => event.preventDefault());
  select.addEventListener("change", () => applyFrameworkFilter(form));
  const wanted = new URLSearchParams(location.search).get("framework");
  if (wanted && [...select.options].some((o) => o.value === wanted)) select.value = wanted;
  applyFrameworkFilter(form);
};

if (window.document$) window.document$.subscribe(setupFrameworkFilter);
else document.addEventListener("DOMContentLoaded", setupFrameworkFilter);
