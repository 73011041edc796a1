// The colour scheme toggle in the header: Material's palette form (theme/partials/palette.html marks it
// data-fg-palette so that Material's own component leaves it alone). Same behaviour and storage as Material's:
// the choice is saved as "__palette", which Material's inline head script applies before the page is drawn;
// "follow the system" resolves to the light or dark option. Unlike Material's component, this touches the
// body only when the scheme actually changes, so a page load costs no restyle of the whole document.
// The header is not swapped by instant navigation: the form is set up once, when this module runs.

const SYSTEM = "(prefers-color-scheme)";
const light = matchMedia("(prefers-color-scheme: light)");
const formOf = () => document.querySelector("form[data-fg-palette]");
const inputsOf = (form) => [...form.querySelectorAll("input[name='__palette']")];

const colorOf = (form, input) => {
  const system = input.dataset.mdColorMedia === SYSTEM;
  const source = (system && form.querySelector(`[data-md-color-media='(prefers-color-scheme: ${light.matches ? "light" : "dark"})']`))
    || input;
  return { media: input.dataset.mdColorMedia, scheme: source.dataset.mdColorScheme,
    primary: source.dataset.mdColorPrimary, accent: source.dataset.mdColorAccent };
};

const apply = (form, index, save) => {
  const inputs = inputsOf(form);
  const input = inputs[index];
  const color = colorOf(form, input);
  for (const [key, value] of Object.entries(color)) {
    if (document.body.getAttribute(`data-md-color-${key}`) !== value) document.body.setAttribute(`data-md-color-${key}`, value);
  }
  input.checked = true;
  inputs.forEach((el, i) => {
    if (el.nextElementSibling instanceof HTMLLabelElement) el.nextElementSibling.hidden = i !== index;
  });
  if (save) window.__md_set?.("__palette", { index, color });
};

const current = (form) => {
  const inputs = inputsOf(form);
  const stored = window.__md_get?.("__palette");
  const index = Number.isInteger(stored?.index) ? stored.index
    : inputs.findIndex((el) => matchMedia(el.dataset.mdColorMedia).matches);
  return Math.max(0, Math.min(index, inputs.length - 1));
};

const start = () => {
  const form = formOf();
  if (form && inputsOf(form).length) apply(form, current(form), false);
};

// A change made by the reader: no colour transitions while everything changes colour (Material's own flag).
const choose = (form, index) => {
  document.body.setAttribute("data-md-color-switching", "");
  apply(form, index, true);
  requestAnimationFrame(() => document.body.removeAttribute("data-md-color-switching"));
};

document.addEventListener("change", (event) => {
  const form = event.target.closest?.("form[data-fg-palette]");
  if (form) choose(form, inputsOf(form).indexOf(event.target));
});
// Enter on the focused option moves to the next one, as in Material.
document.addEventListener("keydown", (event) => {
  const form = event.key === "Enter" && event.target.closest?.("form[data-fg-palette]");
  if (!form) return;
  event.preventDefault();
  const inputs = inputsOf(form);
  const next = inputs[(current(form) + 1) % inputs.length];
  next.click();
  next.focus();
});
light.addEventListener("change", () => {
  const form = formOf();
  if (form && inputsOf(form)[current(form)]?.dataset.mdColorMedia === SYSTEM) apply(form, current(form), false);
});
start();
