# Two commands on a fresh machine: `make serve` and `make test`. Both bootstrap .venv themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1:8000

CHROMIUM ?= /usr/bin/chromium

# Every package at the version requirements.lock names (pip constraints; `make lock` rewrites the file).
LOCK := requirements.lock
PIP := $(BIN)/python -m pip install --quiet -c $(LOCK)
# The Zensical build: `fieldguide site` writes its docs folder, Zensical builds, `fieldguide postbuild` checks.
ZENSICAL_DOCS := build/zensical/docs
ZENSICAL_SITE := build/zensical/site

.PHONY: serve test test-fast test-zensical check build build-zensical publish lint lock clean bench relevance mutate

# Reinstall when the project's dependencies change.
$(BIN)/.installed: pyproject.toml $(LOCK)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(PIP) -e .
	@touch $@

$(BIN)/.installed-zensical: $(BIN)/.installed
	$(PIP) -e '.[zensical]'
	@touch $@

$(BIN)/.installed-test: $(BIN)/.installed $(BIN)/.installed-zensical
	$(PIP) -e '.[test,zensical]'
	@touch $@

# Front-end files the site serves itself (Mermaid), the accessibility engine the tests inject, ESLint.
node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { echo "make: npm is missing: install Node.js 18+ with npm (Debian: apt-get install -y nodejs npm)"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# Browser tests drive Debian's Chromium; install it when missing (root on Debian), else say what to do.
$(CHROMIUM):
	@command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ] || { echo "make: $(CHROMIUM) is missing: install Debian's chromium package"; exit 1; }
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null

check: $(BIN)/.installed
	$(BIN)/fieldguide check

serve: check node_modules/.installed
	NO_MKDOCS_2_WARNING=1 SITE_URL=http://$(HOST)/ $(BIN)/mkdocs serve --dev-addr $(HOST)

# The site for publication, in site/: needs the public address, e.g. make build SITE_URL=https://guide.example.org/
# (a local or missing address stops the build). `make publish` adds name.gz beside every text file
# for hosts that serve precompressed files.
PUBLISH_ENV = $(if $(SITE_URL),SITE_URL=$(SITE_URL)) FIELDGUIDE_PUBLISH=1
build: check node_modules/.installed
	$(PUBLISH_ENV) NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

# The same site built by Zensical (Material's successor; see docs/publishing.md, "Two builders") into build/zensical/site.
# Zensical runs no hooks: the generated pages come first, the output check after. It can exit 1 and
# still write the site, so its exit code stops the target and the half-built site is removed.
# Like `make build`, for publication: SITE_URL=https://... is required.
build-zensical: check node_modules/.installed $(BIN)/.installed-zensical
	$(PUBLISH_ENV) $(BIN)/fieldguide site --out $(ZENSICAL_DOCS)
	$(PUBLISH_ENV) $(BIN)/zensical build --strict --clean -f zensical.yml \
	  || { rm -rf $(ZENSICAL_SITE); echo "make: zensical build failed: its site was removed"; exit 1; }
	$(BIN)/fieldguide postbuild $(ZENSICAL_SITE) --docs $(ZENSICAL_DOCS) --builder zensical \
	  || { rm -rf $(ZENSICAL_SITE); echo "make: unsafe output: the site was removed"; exit 1; }

publish: build
	$(BIN)/python -c "from pathlib import Path; from fieldguide.publish import precompress; print(f'compressed {precompress(Path(\"site\"))} files')"

# Python (ruff) and the page code with its Node runners (ESLint, eslint.config.js).
lint: $(BIN)/.installed-test node_modules/.installed
	$(BIN)/ruff check scripts tests
	node_modules/.bin/eslint .

test: $(BIN)/.installed-test node_modules/.installed $(CHROMIUM)
	$(BIN)/ruff check scripts tests
	node_modules/.bin/eslint .
	$(BIN)/fieldguide check
	$(BIN)/python -m pytest

# The browser suite on the Zensical build alone, every page visited (`make test` runs every browser test on
# both builds, but visits a sample of the entity pages on Zensical's: see tests/browser.py, Site.sweep).
test-zensical: $(BIN)/.installed-test node_modules/.installed $(CHROMIUM)
	FIELDGUIDE_BUILDERS=zensical FIELDGUIDE_EVERY_PAGE=1 $(BIN)/python -m pytest -m browser

# The suite without the browser tests (about 4 minutes on 2 cores): lint, then every test not marked `browser`.
test-fast: $(BIN)/.installed-test node_modules/.installed
	$(BIN)/ruff check scripts tests
	node_modules/.bin/eslint .
	$(BIN)/python -m pytest -m "not browser"

# Mutation score of the logic modules over the fast tests (a benchmark run by hand, not a test; see tests/README.md).
MUTATE_ARGS ?=
mutate: $(BIN)/.installed-test node_modules/.installed
	$(BIN)/python tests/tools/mutate.py $(MUTATE_ARGS)

# Scaling benchmark (not a test): synthetic catalogs at 1x, 3x, 10x, 30x; medians beside issue 23's budgets.
bench: check node_modules/.installed
	$(BIN)/fieldguide bench $(BENCH_ARGS)

# How often search and the planner find the right challenge (dev and holdout), beside Material's search.
relevance: check node_modules/.installed
	$(BIN)/python tests/relevance/benchmark.py $(RELEVANCE_ARGS)

# Rewrite requirements.lock after changing a dependency in pyproject.toml: resolve it afresh in a clean
# venv (the newest versions pyproject.toml allows) and record every package installed, transitive ones too.
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet --upgrade pip
	.lock-venv/bin/python -m pip install --quiet -e '.[test,zensical]'
	{ sed -n '/^#/p' $(LOCK); .lock-venv/bin/python -m pip freeze --exclude-editable | grep -iv '^fieldguide'; } > $(LOCK).new
	mv $(LOCK).new $(LOCK) && rm -rf .lock-venv
	@git diff --stat -- $(LOCK) 2>/dev/null || true

clean:
	rm -rf site build/zensical $(VENV) node_modules .cache

# The checklist page in a browser at 1x and 10x: status change and Lighthouse (a benchmark, not a test).
BROWSERBENCH_ARGS ?=
.PHONY: bench-browser
bench-browser: check node_modules/.installed $(CHROMIUM)
	NO_MKDOCS_2_WARNING=1 CHROME_PATH=$(CHROMIUM) $(BIN)/python tests/tools/browserbench.py $(BROWSERBENCH_ARGS)

# Lighthouse scores and Nu Html Checker errors for a few pages (tools installed into .audit-tools/ on first use).
AUDIT_ARGS ?=
.PHONY: audit
audit: check node_modules/.installed $(CHROMIUM)
	NO_MKDOCS_2_WARNING=1 CHROME_PATH=$(CHROMIUM) $(BIN)/python tests/tools/audit.py $(AUDIT_ARGS)
