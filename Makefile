# Two commands for learners (make start, make test); the rest are for developers.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# JupyterLab refuses to run as root (CI, containers) unless told it is fine.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
# --current-env: run notebooks in this venv even if the user has another "python3" kernel.
NBVAL := --nbval --current-env --nbval-sanitize-with notebooks/sanitize.cfg
FIRST_NOTEBOOK := notebooks/00_start_here.ipynb

.PHONY: start test venv venv-test unit-test nbval browser-test browser-test-if-available \
	nbval-kernels lowest-test notebooks lint types pair bench hub-test clean

# The venv is checked on every run (about 50 ms when it is ready): scripts/bootstrap.py
# builds it with uv (or pip when uv cannot be had), and rebuilds one that an earlier
# attempt left broken (wrong Python, interrupted install) instead of failing on it forever.
venv:
	@$(PYTHON) scripts/bootstrap.py --venv $(VENV)

venv-test:
	@$(PYTHON) scripts/bootstrap.py --venv $(VENV) --extras test

# The printed URLs open the first notebook, not the Launcher: a learner in a container, on
# WSL or on a remote machine copies a URL instead of having a browser opened for them.
LAB_ARGS ?=
start: venv
	$(BIN)/jupyter lab $(ROOT_FLAG) --LabApp.default_url=/lab/tree/$(FIRST_NOTEBOOK) $(LAB_ARGS)

test: lint types unit-test nbval browser-test-if-available

# One BLAS thread for test runs: the course's matrices are small, extra threads only fight
# over a laptop's (or CI's) few cores, and results then do not depend on the core count.
unit-test nbval browser-test nbval-kernels lowest-test: export OPENBLAS_NUM_THREADS = 1
unit-test nbval browser-test nbval-kernels lowest-test: export OMP_NUM_THREADS = 1
unit-test nbval browser-test nbval-kernels lowest-test: export MKL_NUM_THREADS = 1

# The coverage floor sits just under today's line coverage (95 %): a change that adds
# untested code fails here rather than slowly lowering the figure. Code that tests run only
# in subprocesses (the CLI through a pipe, the store's multi-process tests) is not counted.
COVERAGE_FLOOR ?= 94
unit-test: venv-test
	$(BIN)/python -m pytest tests --cov=bpcourse --cov-report=term:skip-covered \
		--cov-fail-under=$(COVERAGE_FLOOR)

nbval: venv-test
	$(BIN)/python -m pytest $(NBVAL) notebooks

browser-test: venv-test
	$(BIN)/python tests/browser/check_notebooks.py

browser-test-if-available: venv-test
	@if [ -x /usr/bin/chromium ]; then \
		$(MAKE) --no-print-directory browser-test; \
	else \
		echo "browser test SKIPPED: /usr/bin/chromium not installed (apt-get install chromium)"; \
	fi

# Re-execute notebooks in place after editing them (all, or NB=notebooks/NAME.ipynb), in
# the same conditions as nbval: one BLAS thread, a throw-away progress store. No cell
# timeout is needed: bpcourse.nbexec's kernel manager (also nbconvert's default in .venv)
# fixes nbclient's lost execute_reply after widget cells, which used to stall here.
NB ?= $(wildcard notebooks/*.ipynb)
notebooks: export OPENBLAS_NUM_THREADS = 1
notebooks: export OMP_NUM_THREADS = 1
notebooks: export MKL_NUM_THREADS = 1
notebooks: venv-test
	@home=$$(mktemp -d) && for nb in $(NB); do \
		echo "executing $$nb"; \
		BPCOURSE_HOME=$$home $(BIN)/jupyter nbconvert --to notebook --execute --inplace \
			--ExecutePreprocessor.kernel_manager_class=bpcourse.nbexec.KernelManager \
			"$$nb" || exit 1; \
	done; rm -rf $$home

# ruff, then the import rules (import-linter's contracts in pyproject.toml: the library never
# imports the course, lessons never import their checks), then no import cycles at all.
lint: venv-test
	$(BIN)/ruff check bpcourse tests bench scripts
	$(BIN)/lint-imports --no-cache
	$(BIN)/python scripts/import_graph.py

types: venv-test
	$(BIN)/python -m mypy bpcourse

# Each notebook's code as a jupytext py:percent script in notebooks/py/, so a diff reads as
# code; tests/project/test_pairs.py fails when one is out of date.
pair: venv-test
	$(BIN)/python scripts/pair_notebooks.py

bench: venv
	$(BIN)/python bench/train_step.py
	$(BIN)/python bench/symbolic.py
	$(BIN)/python bench/flashcards.py
	$(BIN)/python bench/widgets.py
	$(BIN)/python bench/class_report.py

# Portability checks that CI runs after `make test` (see .ci/run). Committed outputs must
# not depend on the BLAS kernel: OpenBLAS picks one per CPU, and OPENBLAS_CORETYPE makes it
# run another machine's. Prescott and Sandybridge run on every x86-64 CPU; SkylakeX needs
# AVX-512. Elsewhere (arm64) the kernel is not selectable this way and the check is skipped.
ARCH := $(shell uname -m)
KERNELS := Prescott Sandybridge $(if $(shell grep -qw avx512f /proc/cpuinfo 2>/dev/null && echo y),SkylakeX)
nbval-kernels: venv-test
ifeq ($(ARCH),x86_64)
	@for kernel in $(KERNELS); do \
		echo "strict nbval with OPENBLAS_CORETYPE=$$kernel"; \
		OPENBLAS_CORETYPE=$$kernel $(BIN)/python -m pytest $(NBVAL) notebooks || exit 1; \
	done
else
	@echo "nbval-kernels SKIPPED: OPENBLAS_CORETYPE selects kernels on x86-64 only ($(ARCH))"
endif

# The declared ranges are true only if their lower ends pass: a second venv resolved at the
# lowest versions pyproject.toml allows runs the unit tests and strict nbval.
LOWEST := .venv-lowest
lowest-test:
	@$(PYTHON) scripts/bootstrap.py --venv $(LOWEST) --extras test --lowest
	$(LOWEST)/bin/python -m pytest tests
	$(LOWEST)/bin/python -m pytest $(NBVAL) notebooks

# A real JupyterHub serving the course to two users (tests/hub/hub_check.py; CI runs it after
# `make test`). It installs what it needs: its own venv with deploy/requirements.txt (the
# single-user image's packages), configurable-http-proxy from npm into that venv, and
# Node.js and npm from the distribution when they are missing.
HUB_VENV := .venv-hub
# The hub runs each user's server as that user: its Python must be one every account can
# run (the system's, not one in root's home such as pyenv's).
HUB_PYTHON ?= $(firstword $(wildcard /usr/bin/python3) $(PYTHON))
HUB_PROXY := $(HUB_VENV)/node/node_modules/.bin/configurable-http-proxy
hub-test:
	@test -x $(HUB_VENV)/bin/python || { $(HUB_PYTHON) -m venv $(HUB_VENV) && \
		echo '*' > $(HUB_VENV)/.gitignore; }
	@command -v npm >/dev/null || { echo "installing Node.js and npm (apt-get)"; \
		export DEBIAN_FRONTEND=noninteractive; apt-get update -qq && \
		apt-get install -y -qq nodejs npm >/dev/null; }
	@test -x $(HUB_PROXY) || { major=$$(node -p 'process.versions.node.split(".")[0]'); \
		version=$$([ "$$major" -ge 20 ] && echo 5 || echo 4); \
		npm install --silent --no-audit --no-fund --prefix $(HUB_VENV)/node \
			configurable-http-proxy@$$version; }
	@if command -v uv >/dev/null; then \
		uv pip install --quiet --python $(HUB_VENV)/bin/python -r deploy/requirements.txt; \
	else $(HUB_VENV)/bin/python -m pip install --quiet --disable-pip-version-check \
		-r deploy/requirements.txt; fi
	OPENBLAS_NUM_THREADS=1 $(HUB_VENV)/bin/python tests/hub/hub_check.py --proxy $(HUB_PROXY)

clean:
	rm -rf $(VENV) $(LOWEST) $(HUB_VENV) build *.egg-info
