// The bibliography's old addresses: `/references/#key` (earlier releases had one bibliography page, and
// people cite these addresses in design documents) forwards to the page that holds the entry now
// (`/references/s/#key`). The map is the page's own list of every reference (references.md: each item
// carries the key as its id and links to the entry), which also serves readers without JavaScript:
// the browser scrolls to the item and its link leads on.

import { onPage } from "../core/site.js";

const forward = () => {
  const list = document.querySelector(".fg-ref-index");
  if (!list || location.hash.length < 2) return;
  let key;
  try {
    key = decodeURIComponent(location.hash.slice(1));
  } catch {
    return; // not an address this page ever gave
  }
  const target = document.getElementById(key);
  const link = target && list.contains(target) ? target.parentElement.querySelector("a[href]") : null;
  if (link) location.replace(link.href);
};

addEventListener("hashchange", forward);
onPage(forward);
