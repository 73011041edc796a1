// Where the site is and when a page is shown: the site's root, storage keys scoped by it, JSON files of
// the site fetched once, and the hook that runs page code on every page. The only module that knows the
// theme's page-side interface (Material's `__config` and its `document$` observable).

// Material's `base` is the site's root relative to the page the scripts were loaded on ("..", "../.."),
// except on the 404 page, which can be served at any address: there it is the root's absolute path
// ("/", or "/guide/" for a site in a folder), already ending in a slash ("/" + "/" would be "//", which
// is no address on this origin). Instant navigation keeps both these modules and the first page's
// config, so the root is resolved once, against that first page.
const themeConfig = () => {
  try {
    return JSON.parse(document.getElementById("__config")?.textContent || "{}");
  } catch {
    return {};
  }
};

const base = themeConfig().base || ".";
export const SITE_ROOT = new URL(base.endsWith("/") ? base : `${base}/`, location.href);

// An address of the site from its path relative to the root ("planner/").
export const siteUrl = (path) => new URL(path, SITE_ROOT).href;

// Every key is scoped by the site's path, as Material scopes its own ("/guide/.__palette"): two copies
// of the guide on one origin (two projects on owner.github.io) never share checklists, names, plans or
// citations.
export const storageKey = (name) => `${SITE_ROOT.pathname}.${name}`;

// A JSON file of the site, fetched once (the promise is kept; a failed fetch rejects with the reason).
const jsonPromises = new Map();
export const loadJson = (path) => {
  if (!jsonPromises.has(path)) {
    jsonPromises.set(path, fetch(new URL(path, SITE_ROOT)).then((r) => {
      if (!r.ok) throw new Error(`${path} could not be loaded (HTTP ${r.status})`);
      return r.json();
    }));
  }
  return jsonPromises.get(path);
};

// Runs `show` on every page shown: Material's instant navigation swaps pages without loading these
// modules again and announces each page on `document$`; without it, once the document is parsed.
export const onPage = (show) => {
  if (window.document$) window.document$.subscribe(() => show());
  else if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", () => show());
  else show();
};

// The element the address's #fragment names, or null (a malformed escape such as "#%E0" names nothing:
// decoding it throws, and a page script must not).
export const hashTarget = () => {
  try {
    return location.hash.length > 1 ? document.getElementById(decodeURIComponent(location.hash.slice(1))) : null;
  } catch {
    return null;
  }
};
