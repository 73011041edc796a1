// Renders ```mermaid fences (class "fg-diagram") with the Mermaid copy this site serves itself.
// Material's own integration would fetch Mermaid from a CDN; this keeps the site offline-first.
// Mermaid is imported only on pages that have a diagram, after the page is interactive.
const scope = () => {
  const config = JSON.parse(document.getElementById("__config")?.textContent || "{}");
  return new URL((config.base || ".") + "/", location.href);
};

let mermaidReady;
const loadMermaid = () => {
  mermaidReady ??= import(new URL("assets/vendor/mermaid/mermaid.esm.min.mjs", scope()).href)
    .then(({ default: mermaid }) => {
      mermaid.initialize({ startOnLoad: false, securityLevel: "strict", theme: "neutral",
                           fontFamily: "inherit" });
      return mermaid;
    });
  return mermaidReady;
};

let counter = 0;
const renderDiagrams = async () => {
  const blocks = [...document.querySelectorAll("pre.fg-diagram:not([data-rendered])")];
  if (!blocks.length) return;
  let mermaid;
  try {
    mermaid = await loadMermaid();
  } catch {
    return; // library not installed: the diagram source stays visible as text
  }
  for (const pre of blocks) {
    pre.dataset.rendered = "true";
    const label = pre.closest("figure")?.querySelector("figcaption")?.textContent || "Diagram";
    const { svg } = await mermaid.render(`fg-diagram-${++counter}`, pre.textContent);
    const holder = document.createElement("div");
    holder.className = "fg-diagram-svg";
    holder.setAttribute("role", "img");
    holder.setAttribute("aria-label", label.trim());
    holder.innerHTML = svg;
    pre.hidden = true;
    pre.after(holder);
  }
};

const whenIdle = (fn) => ("requestIdleCallback" in window ? requestIdleCallback(fn, { timeout: 2000 }) : setTimeout(fn, 200));

// Material's instant navigation swaps pages without reloading: re-run on every page it shows.
if (window.document$) window.document$.subscribe(() => whenIdle(renderDiagrams));
else addEventListener("load", () => whenIdle(renderDiagrams));
