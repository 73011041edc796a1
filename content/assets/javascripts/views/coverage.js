// Checklist pages: "Show checks that cover" keeps only the checks mapped onto one external framework
// (ML Test Score, deon, ...). Each item lists its framework items in `data-covers` (written by the
// generator from the same mappings as the framework pages). Only visibility changes: ticks, progress
// and exports still cover the whole page. `?framework=ID` in the address preselects a framework.

import { onPage } from "../core/site.js";

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
    // A challenge, step or stage with nothing left to show disappears with its heading (the generator
    // wraps each in .fg-challenge, .fg-step, .fg-stage, as the status filter also relies on).
    for (const group of document.querySelectorAll(".fg-challenge, .fg-step, .fg-stage:not(.fg-stage-summary)")) {
      if (!group.querySelector(".fg-item:not([hidden])")) hide(group);
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

onPage(setupFrameworkFilter);
