// ESLint (flat config) for the page code and the Node test runners: `make test` and `make test-fast`
// run it. The page code is ES modules; the layers are held apart here: engine/ (pure functions, also
// run under Node) sees no browser global and imports only engine/; core/ never imports views/.
import js from "@eslint/js";
import globals from "globals";

const strict = {
  "no-undef": "error",
  "no-shadow": "error",
  "no-implicit-globals": "error",
  "no-unused-vars": ["error", { args: "after-used", argsIgnorePattern: "^_", caughtErrors: "none" }],
  "prefer-const": "error",
  "no-var": "error",
  eqeqeq: ["error", "always"],
};

// What both a browser and Node give every module (the engine needs no more).
const portable = { TextEncoder: "readonly", TextDecoder: "readonly", URL: "readonly" };

export default [
  { ignores: ["node_modules/", ".venv/", "site/", "build/", ".mutate-cache/", ".audit-tools/", ".cache/", "**/vendor/"] },
  js.configs.recommended,
  {
    files: ["content/assets/javascripts/**/*.js"],
    languageOptions: { sourceType: "module", globals: globals.browser },
    rules: strict,
  },
  {
    files: ["content/assets/javascripts/engine/**/*.js"],
    languageOptions: { globals: { ...Object.fromEntries(Object.keys(globals.browser).map((k) => [k, "off"])), ...portable } },
    rules: { "no-restricted-imports": ["error", { patterns: [{ group: ["../core/*", "../views/*"],
      message: "engine/ is pure: no page access, so Node can run it" }] }] },
  },
  {
    files: ["content/assets/javascripts/core/**/*.js"],
    rules: { "no-restricted-imports": ["error", { patterns: [{ group: ["../views/*"],
      message: "core/ serves the views and never imports them" }] }] },
  },
  {
    files: ["tests/**/*.js", "tests/**/*.mjs", "eslint.config.js"],
    languageOptions: { sourceType: "module", globals: globals.node },
    rules: strict,
  },
];
