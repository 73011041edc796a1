// Renders ```mermaid fences (class "fg-diagram") with the Mermaid copy this site serves itself.
// Material's own integration would fetch Mermaid from a CDN; this keeps the site offline-first.
// Mermaid (large) is imported only when a diagram comes near the screen, so pages stay fast.

import { onPage, siteUrl } from "../core/site.js";

let mermaidReady;
const loadMermaid = () => {
  mermaidReady ??= import(siteUrl("assets/vendor/mermaid/mermaid.esm.min.mjs"))
    .then(({ default: mermaid }) => {
      mermaid.initialize({ startOnLoad: false, securityLevel: "strict", theme: "neutral",
                           fontFamily: "inherit" });
      return mermaid;
    });
  return mermaidReady;
};

let counter = 0;
const renderDiagram = async (pre) => {
  if (pre.dataset.rendered) return;
  pre.dataset.rendered = "true";
  let mermaid;
  try {
    mermaid = await loadMermaid();
  } catch {
    return; // library not installed: the diagram source stays visible as text
  }
  const label = pre.closest("figure")?.querySelector("figcaption")?.textContent || "Diagram";
  const { svg } = await mermaid.render(`fg-diagram-${++counter}`, pre.textContent);
  const holder = document.createElement("div");
  holder.className = "fg-diagram-svg";
  holder.setAttribute("role", "img");
  holder.setAttribute("aria-label", label.trim());
  holder.innerHTML = svg;
  pre.hidden = true;
  pre.after(holder);
};

let observer;
const watchDiagrams = () => {
  observer?.disconnect();
  const blocks = document.querySelectorAll("pre.fg-diagram:not([data-rendered])");
  if (!blocks.length) return;
  if (!("IntersectionObserver" in window)) return blocks.forEach(renderDiagram);
  observer = new IntersectionObserver((entries) => {
    for (const entry of entries) {
      if (!entry.isIntersecting) continue;
      observer.unobserve(entry.target);
      renderDiagram(entry.target);
    }
  }, { rootMargin: "300px 0px" });
  blocks.forEach((pre) => observer.observe(pre));
};

// Material's instant navigation swaps pages without reloading: re-run on every page it shows.
onPage(watchDiagrams);
