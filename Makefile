# Two entry points for a newcomer; each makes its own virtual environment in .venv.
#   make demo   install mlproj, scaffold demo/ (penguins) and run its pipeline with dvc repro
#   make test   install mlproj with its dev tools and run every test, end-to-end ones included
#   make docs   build the docs site into site/ (strict: a broken link or missing page fails)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_DIR ?= build

.PHONY: demo test fast-test lint docs reference offline-plots pre-commit bench clean

$(BIN)/mlproj: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

demo: $(BIN)/mlproj
	rm -rf $(DEMO_DIR)/demo && mkdir -p $(DEMO_DIR)
	$(BIN)/mlproj new demo --no-input --no-run --output-dir $(DEMO_DIR)
	cd $(DEMO_DIR)/demo && PATH="$(CURDIR)/$(BIN):$$PATH" dvc repro
	cd $(DEMO_DIR)/demo && PATH="$(CURDIR)/$(BIN):$$PATH" dvc metrics show
	@echo "The SHAP report: $(DEMO_DIR)/demo/reports/explain.html"

# Tests run on every core; an idle worker steals tests from a busy one, so one long end-to-end
# file does not hold the run (the penguins project they share is rendered once per run).
test: $(BIN)/mlproj
	$(BIN)/python -m pytest -n auto --dist worksteal

fast-test: $(BIN)/mlproj
	$(BIN)/python -m pytest -n auto --dist worksteal -m "not e2e and not slow"

lint: $(BIN)/mlproj
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/mypy

# NO_MKDOCS_2_WARNING: silences Material's notice about its successor, printed on every build.
docs: $(BIN)/mlproj
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --site-dir site

# Rewrites docs/reference/cli.md and exit-codes.md from the code (a test fails while they are stale).
reference: $(BIN)/mlproj
	$(BIN)/python tools/reference.py

# Rebuilds the template's offline page for `dvc plots show` (Vega inlined) with npm; pins in the script.
offline-plots: $(BIN)/mlproj
	$(BIN)/python tools/offline_plots.py

# The repository's own hooks; mypy and the template checks run in .venv, so it goes first on PATH.
pre-commit: $(BIN)/mlproj
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/pre-commit run --all-files

# bench/scaling.py: a 4-point sweep of 100,000 rows here and on a 2-worker loopback Dask
# cluster (about 6 minutes more).
bench: $(BIN)/mlproj
	$(BIN)/python bench/run.py
	$(BIN)/python bench/scaling.py --rows 100000

clean:
	rm -rf $(VENV) $(DEMO_DIR) site .pytest_cache .ruff_cache .mypy_cache
