# Multicore Python: build, test and run the book.
# Every target creates .venv when it is missing and installs requirements.txt into it.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
NOTEBOOKS := $(sort $(wildcard book/[0-9]*.ipynb))
# `make nbval-methods` runs nbval once with each of these as the default start method
START_METHODS ?= fork spawn forkserver
# the kernel startup hook that sets the default start method and reports leftover children
KERNEL_ENV := IPYTHONDIR=$(CURDIR)/tests/ipython
NBVAL := $(BIN)/python -m pytest -p no:cacheprovider --nbval --nbval-current-env \
	--nbval-sanitize-with book/nbval_sanitize.cfg --nbval-cell-timeout=120 -q

.DEFAULT_GOAL := help
.PHONY: help venv book test unit nbval nbval-methods build-strict execute lab clean distclean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || \
		{ echo "Multicore Python needs Python 3.11 or newer; $(PYTHON) is $$($(PYTHON) -V 2>&1 || echo missing). Try: make PYTHON=python3.12 ..."; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	@touch $(STAMP)

venv: $(STAMP) ## create .venv and install requirements.txt

book: $(STAMP) ## build the HTML book into _build/html
	$(BIN)/jupyter-book build . --keep-going
	@echo "Open the book: file://$(CURDIR)/_build/html/index.html"

test: unit nbval build-strict ## run every test: unit tests, nbval on every notebook, a strict build

unit: $(STAMP) ## unit tests of the package and checks of the notebooks' structure
	$(BIN)/python -m pytest -p no:cacheprovider -q tests

nbval: $(STAMP) ## run every notebook and compare with its stored outputs; the default start method is off limits
	MULTICORE_GUIDE_DEFAULT_START_METHOD=guard $(KERNEL_ENV) $(NBVAL) $(NOTEBOOKS)

nbval-methods: $(STAMP) ## nbval once per default start method: fork, spawn, forkserver (slower)
	@for method in $(START_METHODS); do \
		echo "nbval with the default start method set to $$method"; \
		MULTICORE_GUIDE_DEFAULT_START_METHOD=$$method $(KERNEL_ENV) $(NBVAL) $(NOTEBOOKS) || exit 1; \
	done

build-strict: $(STAMP) ## build the book with warnings as errors
	$(BIN)/jupyter-book build . -W --keep-going

execute: $(STAMP) ## re-run every notebook top to bottom in a fresh kernel and save its outputs
	$(KERNEL_ENV) $(BIN)/jupyter nbconvert --to notebook --execute --inplace \
		--ExecutePreprocessor.timeout=120 --ExecutePreprocessor.store_widget_state=True $(NOTEBOOKS)

lab: $(STAMP) ## open JupyterLab on the book
	$(BIN)/jupyter lab book

clean: ## remove the built book and caches
	rm -rf _build .pytest_cache
	find . -name __pycache__ -not -path './$(VENV)/*' -prune -exec rm -rf {} +

distclean: clean ## also remove .venv
	rm -rf $(VENV)
