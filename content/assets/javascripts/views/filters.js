// The case-study index's industry filter. Runs on every page Material's instant navigation shows.

import { onPage } from "../core/site.js";

// Case-study index: show one industry at a time. Without JavaScript every group stays visible.
const setupFilters = () => {
  for (const form of document.querySelectorAll("form[data-fg-filter]")) {
    const select = form.querySelector("select");
    const groups = document.querySelectorAll(`[data-${form.dataset.fgFilter}]`);
    const apply = () => {
      for (const group of groups) {
        group.hidden = Boolean(select.value) && group.dataset[form.dataset.fgFilter] !== select.value;
      }
    };
    form.hidden = false;
    form.addEventListener("submit", (event) => event.preventDefault());
    select.addEventListener("change", apply);
    const wanted = new URLSearchParams(location.search).get(form.dataset.fgFilter);
    if (wanted && [...select.options].some((o) => o.value === wanted)) select.value = wanted;
    apply();
  }
};

onPage(setupFilters);
