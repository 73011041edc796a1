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

// A JSON file of the site, fetched once per visit (the promise is kept; a failed fetch rejects with the
// reason). A file with a fixed name (`revalidate`: planner/data.json, search/index.json) is asked of the
// server again on each visit instead of read from the HTTP cache: it names the content-hashed parts of
// its build, and a core file cached from the previous deploy would ask for parts the new one removed.
// The hashed parts never change under their name, so the cache serves them without a round trip.
const jsonPromises = new Map();
export const loadJson = (path, { revalidate = false } = {}) => {
  if (!jsonPromises.has(path)) {
    const init = revalidate ? { cache: "no-cache" } : {};
    jsonPromises.set(path, fetch(new URL(path, SITE_ROOT), init).then((r) => {
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
