# The two set-up commands of the README: `make site` and `make test`.
# Both work on a fresh machine with Python 3.11+; `make test` also fetches the
# Nu HTML Checker from npm (it runs on the installed Java).

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: site test lint typecheck pytest tools clean

site: $(VENV)/.installed
	$(BIN)/briefgen build

test: $(VENV)/.installed-test tools lint typecheck pytest

lint: $(VENV)/.installed-test
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(VENV)/.installed-test
	$(BIN)/mypy

pytest: $(VENV)/.installed-test
	$(BIN)/pytest -n auto $(PYTEST_ARGS)

# The Nu HTML Checker (vnu.jar), pinned in package.json; tests skip without it outside CI.
tools: node_modules/vnu-jar/build/dist/vnu.jar

node_modules/vnu-jar/build/dist/vnu.jar: package.json
	npm install --no-audit --no-fund --loglevel=error
	touch $@

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(VENV)/.installed $@

clean:
	rm -rf site .pytest_cache .mypy_cache .ruff_cache
