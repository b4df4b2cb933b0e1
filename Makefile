# The two set-up commands of the README: `make site` and `make test`.
# Both work on a fresh machine with Python 3.11+; `make test` also fetches the
# Nu HTML Checker from npm (it runs on the installed Java).

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: site test lint typecheck pytest tools clean bench

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

# The ftm extra (briefgen export ftm) builds pyicu from source: without a C++ compiler and
# the ICU headers its tests skip, except in CI (.ci/run installs them).
$(VENV)/.installed-test: pyproject.toml $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	$(BIN)/python -m pip install --quiet -e '.[ftm]' || { test -z "$$CI" && \
	  echo "make: followthemoney not installed (apt-get install libicu-dev pkg-config g++); its tests skip"; }
	touch $(VENV)/.installed $@

# `make bench`: briefgen against Hugo, Pelican and MkDocs on one generated corpus, in a
# virtual environment of its own (bench/.venv) so the peers never touch .venv. The table is
# printed and added to bench/RESULTS.md. Smaller runs: make bench BENCH_ARGS="--briefs 1000".
# The 50,000-brief row (one briefgen build, about 3 min) keeps the whole run near 25 min.
BENCH_VENV ?= bench/.venv
BENCH_ARGS ?= --briefs 10000 --runs 3 --edits 10 --briefs-large 50000
BENCH_PEERS ?= hugo 'pelican[markdown]' mkdocs

bench: $(BENCH_VENV)/.installed
	$(BENCH_VENV)/bin/python bench/run.py $(BENCH_ARGS)

$(BENCH_VENV)/bin/python:
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet --upgrade pip

$(BENCH_VENV)/.installed: pyproject.toml $(BENCH_VENV)/bin/python
	$(BENCH_VENV)/bin/python -m pip install --quiet -e . $(BENCH_PEERS)
	touch $@

clean:
	rm -rf site .pytest_cache .mypy_cache .ruff_cache
