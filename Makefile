# Two commands for learners (make start, make test); the rest are for developers.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# JupyterLab refuses to run as root (CI, containers) unless told it is fine.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
# --current-env: run notebooks in this venv even if the user has another "python3" kernel.
NBVAL := --nbval --current-env --nbval-sanitize-with notebooks/sanitize.cfg

.PHONY: start test unit-test nbval browser-test browser-test-if-available notebooks lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Stamps: reinstall only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@ $(VENV)/.installed

start: $(VENV)/.installed
	$(BIN)/jupyter lab $(ROOT_FLAG) notebooks/00_start_here.ipynb

test: unit-test nbval browser-test-if-available

# One BLAS thread for test runs: the course's matrices are small, extra threads only fight
# over a laptop's (or CI's) few cores, and results then do not depend on the core count.
unit-test nbval browser-test: export OPENBLAS_NUM_THREADS = 1
unit-test nbval browser-test: export OMP_NUM_THREADS = 1
unit-test nbval browser-test: export MKL_NUM_THREADS = 1

unit-test: $(VENV)/.installed-test
	$(BIN)/python -m pytest tests

nbval: $(VENV)/.installed-test
	$(BIN)/python -m pytest $(NBVAL) notebooks

browser-test: $(VENV)/.installed-test
	$(BIN)/python tests/browser/check_notebooks.py

browser-test-if-available: $(VENV)/.installed-test
	@if [ -x /usr/bin/chromium ]; then \
		$(MAKE) --no-print-directory browser-test; \
	else \
		echo "browser test SKIPPED: /usr/bin/chromium not installed (apt-get install chromium)"; \
	fi

# Re-execute notebooks in place after editing them (all, or NB=notebooks/NAME.ipynb), in
# the same conditions as nbval: one BLAS thread, a throw-away progress store. The cell
# timeout bounds a known nbclient stall after some widget cells (the outputs are complete).
NB ?= $(wildcard notebooks/*.ipynb)
notebooks: export OPENBLAS_NUM_THREADS = 1
notebooks: export OMP_NUM_THREADS = 1
notebooks: export MKL_NUM_THREADS = 1
notebooks: $(VENV)/.installed-test
	@home=$$(mktemp -d) && for nb in $(NB); do \
		echo "executing $$nb"; \
		BPCOURSE_HOME=$$home $(BIN)/jupyter nbconvert --to notebook --execute --inplace \
			--ExecutePreprocessor.timeout=60 "$$nb" || exit 1; \
	done; rm -rf $$home

lint: $(VENV)/.installed-test
	$(BIN)/ruff check bpcourse tests bench

bench: $(VENV)/.installed
	$(BIN)/python bench/train_step.py
	$(BIN)/python bench/symbolic.py
	$(BIN)/python bench/flashcards.py

clean:
	rm -rf $(VENV) build *.egg-info
