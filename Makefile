# Two commands on a fresh machine: `make serve` and `make test`. Both bootstrap .venv themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1:8000

CHROMIUM ?= /usr/bin/chromium

.PHONY: serve test test-fast check build publish lint clean bench relevance mutate

# Reinstall when the project's dependencies change.
$(BIN)/.installed: pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(BIN)/.installed-test: $(BIN)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test]'
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
build: check node_modules/.installed
	$(if $(SITE_URL),SITE_URL=$(SITE_URL)) FIELDGUIDE_PUBLISH=1 NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

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

# The suite without the browser tests (about 20 s): lint, then every test not marked `browser`.
test-fast: $(BIN)/.installed-test node_modules/.installed
	$(BIN)/ruff check scripts tests
	node_modules/.bin/eslint .
	$(BIN)/python -m pytest -m "not browser"

# Mutation score of the logic modules over the fast tests (a benchmark run by hand, not a test; see tests/README.md).
MUTATE_ARGS ?=
mutate: $(BIN)/.installed-test node_modules/.installed
	$(BIN)/python tests/tools/mutate.py $(MUTATE_ARGS)

# Scaling benchmark (not a test): synthetic catalogs at 1x, 10x, 100x; prints a table of medians.
bench: check node_modules/.installed
	$(BIN)/fieldguide bench $(BENCH_ARGS)

# How often search and the planner find the right challenge (dev and holdout), beside Material's search.
relevance: check node_modules/.installed
	$(BIN)/python tests/relevance/benchmark.py $(RELEVANCE_ARGS)

clean:
	rm -rf site $(VENV) node_modules .cache

# Lighthouse scores and Nu Html Checker errors for a few pages (tools installed into .audit-tools/ on first use).
AUDIT_ARGS ?=
.PHONY: audit
audit: check node_modules/.installed $(CHROMIUM)
	NO_MKDOCS_2_WARNING=1 CHROME_PATH=$(CHROMIUM) $(BIN)/python tests/tools/audit.py $(AUDIT_ARGS)
