# knoop-esb — the two set-up commands of README: `make run` and `make test`.
# Both bootstrap .venv, install the official StUF schemas and make the example PKI when missing.

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
DATA ?= var
# The official StUF 03.01 / StUF-BG 03.10 bundle: the read-only copy beside the repo when there
# is one, else VNG's published bundle.
STUF_SOURCE ?= $(if $(wildcard ../shared/stuf/bg0310),../shared/stuf,https://github.com/VNG-Realisatie/StUF-BG/raw/master/docs/documenten/bg0310_20170705.zip)

.PHONY: run test lint bench install schemas pki clean docs

$(BIN)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "knoop-esb needs Python 3.11 (spyne does not import on 3.12+); set PYTHON=/path/to/python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $@

install: $(BIN)/.installed

$(DATA)/schemas/.installed: $(BIN)/.installed
	$(BIN)/knoop-esb schemas install $(STUF_SOURCE)

schemas: $(DATA)/schemas/.installed

$(DATA)/pki/ca.pem: $(BIN)/.installed
	$(BIN)/python certs.example/make_pki.py --out $(DATA)/pki

pki: $(DATA)/pki/ca.pem

run: install schemas pki
	$(BIN)/knoop-esb serve --with-kvk-testserver

test: install schemas pki lint
	$(BIN)/python -m pytest -q -p no:cacheprovider $(PYTEST_ARGS)

# ruff and mypy as configured in pyproject.toml ([tool.ruff], [tool.mypy]).
lint: install
	$(BIN)/ruff check knoop_esb tests benchmarks
	$(BIN)/mypy

bench: install schemas pki
	$(BIN)/python -m benchmarks

docs: install
	$(BIN)/knoop-esb config docs > docs/configuration.md

clean:
	rm -rf $(VENV) $(DATA)
