# knoop-esb — the two set-up commands of README: `make run` and `make test`.
# Both bootstrap .venv, install the official StUF schemas and make the example PKI when missing.

# The Python: PYTHON=/path/to/python, or PYTHON=3.12 for that version found as below; by default
# the newest supported one: python3.13, python3.12, python3.11 on PATH, else in pyenv's versions
# dir. A candidate counts only if it runs as that version (pyenv puts shims on PATH for versions
# that are installed but not selected, and those fail).
SUPPORTED_PYTHONS := 3.13 3.12 3.11
PYENV_VERSIONS := $(or $(PYENV_ROOT),$(HOME)/.pyenv)/versions
find_python = $(shell for v in $(1); do for p in $$(command -v python$$v) $$(ls -d $(PYENV_VERSIONS)/$$v.*/bin/python$$v 2>/dev/null | sort -rV); do [ "$$("$$p" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)" = "$$v" ] && { echo "$$p"; exit 0; }; done; done)
ifeq ($(origin PYTHON),undefined)
PYTHON_WANTED := $(SUPPORTED_PYTHONS)
PYTHON := $(call find_python,$(SUPPORTED_PYTHONS))
else ifneq ($(filter $(SUPPORTED_PYTHONS),$(PYTHON)),)
PYTHON_WANTED := $(PYTHON)
override PYTHON := $(call find_python,$(PYTHON))
endif
PY_VERSION := $(if $(PYTHON),$(shell $(PYTHON) -c 'import platform; print(platform.python_version())' 2>/dev/null))
VENV := .venv
BIN := $(VENV)/bin
DATA ?= var
# The official StUF 03.01 / StUF-BG 03.10 bundle: the read-only copy beside the repo when there
# is one, else VNG's published bundle.
STUF_SOURCE ?= $(if $(wildcard ../shared/stuf/bg0310),../shared/stuf,https://github.com/VNG-Realisatie/StUF-BG/raw/master/docs/documenten/bg0310_20170705.zip)

.PHONY: run test lint bench install python schemas pki clean docs

# The stamp names the Python version: a venv made by another Python is made anew.
$(BIN)/.installed-$(PY_VERSION): pyproject.toml
	@if [ -d $(VENV) ] && [ "$$($(BIN)/python -c 'import platform; print(platform.python_version())' 2>/dev/null)" != "$(PY_VERSION)" ]; then \
	  echo "$(VENV) is not Python $(PY_VERSION): making it anew"; rm -rf $(VENV); fi
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	@rm -f $(BIN)/.installed $(BIN)/.installed-*
	@touch $@

install: python $(BIN)/.installed-$(PY_VERSION)

# Says which Python make uses (and refuses an unsupported one) before anything is installed.
python:
	@if [ -z "$(PY_VERSION)" ]; then \
	  echo "knoop-esb needs Python 3.11, 3.12 or 3.13: $(if $(PYTHON_WANTED),no python$(subst $() ,/,$(PYTHON_WANTED)) that runs on PATH or in $(PYENV_VERSIONS),$(PYTHON) does not run); set PYTHON=/path/to/python3.x" >&2; exit 2; fi
	@$(PYTHON) -c 'import sys; sys.exit(0 if (3, 11) <= sys.version_info[:2] <= (3, 13) else "knoop-esb needs Python 3.11, 3.12 or 3.13, not $(PY_VERSION) ($(PYTHON))")'
	@echo "knoop-esb: Python $(PY_VERSION) ($(PYTHON))"

$(DATA)/schemas/.installed: | $(BIN)/.installed-$(PY_VERSION)
	$(BIN)/knoop-esb schemas install $(STUF_SOURCE)

schemas: $(DATA)/schemas/.installed

$(DATA)/pki/ca.pem: | $(BIN)/.installed-$(PY_VERSION)
	$(BIN)/python certs.example/make_pki.py --out $(DATA)/pki

pki: $(DATA)/pki/ca.pem

# The sync schedule at demo pace (every job each minute) over the last 72 minutes of signals.
run: install schemas pki
	KNOOP_SYNC_ROOSTER=demo KNOOP_SYNC_TERUGKIJKEN_DAGEN=0.05 $(BIN)/knoop-esb serve --with-kvk-testserver --with-demo-ontvanger

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
