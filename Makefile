# Two commands on a fresh machine: `make serve` and `make test`. Both bootstrap .venv themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1:8000

.PHONY: serve test check build lint clean

# Reinstall when the project's dependencies change.
$(BIN)/.installed: pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(BIN)/.installed-test: $(BIN)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

check: $(BIN)/.installed
	$(BIN)/fieldguide check

serve: check
	$(BIN)/mkdocs serve --dev-addr $(HOST)

build: check
	$(BIN)/mkdocs build --strict

lint: $(BIN)/.installed-test
	$(BIN)/ruff check scripts tests

test: $(BIN)/.installed-test
	$(BIN)/ruff check scripts tests
	$(BIN)/fieldguide check
	$(BIN)/python -m pytest

clean:
	rm -rf site $(VENV)
