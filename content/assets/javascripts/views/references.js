// The bibliography's old addresses: `/references/#key` (earlier releases had one bibliography page, and
// people cite these addresses in design documents) forwards to the page that holds the entry now
// (`/references/s/#key`). The map is the page's own list of every reference (references.md: each item
// carries the key as its id and links to the entry), which also serves readers without JavaScript:
// the browser scrolls to the item and its link leads on.

import { hashTarget, onPage } from "../core/site.js";

const forward = () => {
  const list = document.querySelector(".fg-ref-index");
  const target = hashTarget();
  if (!list || !target || !list.contains(target)) return;
  const link = target.parentElement.querySelector("a[href]");
  if (link) location.replace(link.href); // replaced: Back does not return here to be forwarded again
};

// Arriving on an entry's page from the forward: Zensical's instant navigation, when the index itself was
// reached by it, restores a stale scroll position over the fragment's after the load; show the entry.
const showEntry = () => {
  const target = hashTarget();
  if (!target || !document.querySelector(".fg-ref-groups") || document.querySelector(".fg-ref-index")) return;
  setTimeout(() => {
    const top = target.getBoundingClientRect().top;
    if (top < 0 || top > innerHeight) target.scrollIntoView();
  }, 100);
};

addEventListener("hashchange", forward);
onPage(() => {
  forward();
  showEntry();
});
