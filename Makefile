# Multicore Python: build, test and run the book.
# Every target creates its virtual environment when it is missing and installs requirements.txt into it.

PYTHON ?= python3
# one virtual environment per interpreter, so that one checkout can test several:
# .venv for the default python3, .venv-3.14 for `make test PYTHON=python3.14`
PYTHON_VERSION := $(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)
VENV ?= $(if $(filter python3,$(PYTHON)),.venv,.venv-$(PYTHON_VERSION))
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
NOTEBOOKS := $(sort $(wildcard book/[0-9]*.ipynb))
# `make nbval-methods` runs nbval once with each of these as the default start method
START_METHODS ?= fork spawn forkserver
# the kernel startup hook that sets the default start method and reports leftover children
KERNEL_ENV := IPYTHONDIR=$(CURDIR)/tests/ipython
# notebooks run NBVAL_JOBS at a time, each whole notebook in one worker
# (--dist loadfile); NBVAL_JOBS=1 runs them one after the other
NBVAL_JOBS ?= 2
NBVAL := $(BIN)/python -m pytest -p no:cacheprovider --nbval --nbval-current-env \
	--nbval-sanitize-with book/nbval_sanitize.cfg --nbval-cell-timeout=120 -q \
	$(if $(filter-out 1,$(NBVAL_JOBS)),-n $(NBVAL_JOBS) --dist loadfile)
# runs nbval with a private, empty /dev/shm (as root) and fails if the run leaves
# a semaphore or a shared-memory block there
PRIVATE_SHM := tests/private_shm.sh
# the scripts a page needs for math and widgets, taken from npm and served with the book
# (html_extra_path in _config.yml), so that the built book reads offline
REQUIREJS := requirejs@2.3.8
HTML_MANAGER := @jupyter-widgets/html-manager@1.0.15
MATHJAX := mathjax@3.2.2
VENDOR := _vendor
VENDOR_STAMP := $(VENDOR)/.stamp-$(subst /,-,$(REQUIREJS)-$(HTML_MANAGER)-$(MATHJAX))
# `make lab`, and the browser test that opens every chapter in JupyterLab the same way
LAB = $(BIN)/jupyter lab --ServerApp.ip=127.0.0.1 --ServerApp.root_dir=book
# `make serve` listens on this machine only
PORT ?= 8000
# the public repository, for the book's repository, Binder and Colab buttons
# (https://github.com/OWNER/NAME); empty: no such buttons
REPOSITORY_URL ?=
# the configuration one build uses, derived from _config.yml (book/_tools/book_config.py)
BOOK_CONFIG := _build/config/_config.yml
BOOK_CONFIG_ARGS := $(if $(REPOSITORY_URL),--repository $(REPOSITORY_URL))
# Sphinx copies static files only when some page is rebuilt: copy the book's
# CSS after every build, so that a change to it alone shows too
BUILT_CSS := _build/html/_static/house.css
# no page may link to the address the first edition used as a stand-in
PLACEHOLDER := PLACEHOLDER-OWNER

.DEFAULT_GOAL := help
.PHONY: help venv vendor book test check unit nbval nbval-methods build-strict browser serve execute bench lab clean distclean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || \
		{ echo "Multicore Python needs Python 3.11 or newer; $(PYTHON) is $$($(PYTHON) -V 2>&1 || echo missing). Try: make PYTHON=python3.12 ..."; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	@touch $(STAMP)

venv: $(STAMP) ## create the virtual environment (.venv, or .venv-3.X for PYTHON=python3.X) and install requirements.txt

$(VENDOR_STAMP):
	@command -v npm >/dev/null 2>&1 || { echo "make: the tests need npm (Node.js) to fetch MathJax, require.js and the widget manager for the offline book; install it (Debian: apt-get install npm)"; exit 1; }
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)/npm $(VENDOR)/html/vendor/html-manager
	cd $(VENDOR)/npm && npm pack --silent $(REQUIREJS) $(HTML_MANAGER) $(MATHJAX) >/dev/null
	cd $(VENDOR)/npm && for tgz in *.tgz; do mkdir -p "$${tgz%.tgz}" && tar -xzf "$$tgz" -C "$${tgz%.tgz}"; done
	cp $(VENDOR)/npm/requirejs-*/package/require.js $(VENDOR)/html/vendor/require.js
	cp $(VENDOR)/npm/jupyter-widgets-html-manager-*/package/dist/embed-amd.js \
		$(VENDOR)/npm/jupyter-widgets-html-manager-*/package/dist/*.LICENSE.txt \
		$(VENDOR)/npm/jupyter-widgets-html-manager-*/package/dist/*.woff* $(VENDOR)/html/vendor/html-manager/
	cp -r $(VENDOR)/npm/mathjax-*/package/es5 $(VENDOR)/html/vendor/mathjax
	cp $(VENDOR)/npm/mathjax-*/package/LICENSE $(VENDOR)/html/vendor/mathjax/
	echo "$(REQUIREJS) $(HTML_MANAGER) $(MATHJAX), from the npm registry" > $(VENDOR)/html/vendor/VERSIONS.txt
	@touch $@

vendor: $(VENDOR_STAMP) ## fetch require.js, the widget manager and MathJax from npm into _vendor/

book: $(STAMP) ## build the HTML book into _build/html (offline copies of its scripts when npm is there)
	@if command -v npm >/dev/null 2>&1; then $(MAKE) --no-print-directory vendor; fi
	@$(BIN)/python book/_tools/book_config.py $(BOOK_CONFIG) $(BOOK_CONFIG_ARGS)
	$(BIN)/jupyter-book build . --config $(BOOK_CONFIG) --keep-going
	@cp book/_static/house.css $(BUILT_CSS)
	@! grep -rl "$(PLACEHOLDER)" _build/html --include=*.html || { echo "make: a page links to the placeholder address"; exit 1; }
	@echo "Open the book: file://$(CURDIR)/_build/html/index.html (or: make serve)"

serve: book ## build the book and serve it on http://127.0.0.1:8000 only (PORT=... for another port)
	@echo "Serving the book on http://127.0.0.1:$(PORT)/ (Ctrl-C stops)"
	$(BIN)/python -m http.server $(PORT) --bind 127.0.0.1 --directory _build/html

test: $(VENDOR_STAMP) unit nbval build-strict browser ## run every test: unit tests, nbval on every notebook, a strict build, the browser test (needs npm)

check: $(STAMP) ## quick unit tests for the inner loop: one start method, no slow tests (well under a minute)
	MULTICORE_GUIDE_QUICK=1 $(BIN)/python -m pytest -p no:cacheprovider -q tests

unit: $(STAMP) ## unit tests of the package and checks of the notebooks' structure
	$(BIN)/python -m pytest -p no:cacheprovider -q tests

nbval: $(STAMP) ## run every notebook and compare with its stored outputs; the default start method is off limits, and nothing may be left in /dev/shm
	$(PRIVATE_SHM) env MULTICORE_GUIDE_DEFAULT_START_METHOD=guard $(KERNEL_ENV) $(NBVAL) $(NOTEBOOKS)

nbval-methods: $(STAMP) ## nbval once per default start method: fork, spawn, forkserver (slower)
	@for method in $(START_METHODS); do \
		echo "nbval with the default start method set to $$method"; \
		$(PRIVATE_SHM) env MULTICORE_GUIDE_DEFAULT_START_METHOD=$$method $(KERNEL_ENV) $(NBVAL) $(NOTEBOOKS) || exit 1; \
	done

build-strict: $(STAMP) $(VENDOR_STAMP) ## build the offline book with warnings as errors
	@$(BIN)/python book/_tools/book_config.py $(BOOK_CONFIG) $(BOOK_CONFIG_ARGS) --require-offline
	$(BIN)/jupyter-book build . --config $(BOOK_CONFIG) -W --keep-going
	@cp book/_static/house.css $(BUILT_CSS)
	@! grep -rl "$(PLACEHOLDER)" _build/html --include=*.html || { echo "make: a page links to the placeholder address"; exit 1; }

browser: build-strict ## headless Chromium: every page of the built book, offline, and every chapter in JupyterLab; screenshots in _build/screenshots
	LAB_COMMAND="$(LAB)" $(BIN)/python -m pytest -p no:cacheprovider -q tests/browser

execute: $(STAMP) ## re-run every notebook top to bottom in a fresh kernel and save its outputs
	$(KERNEL_ENV) $(BIN)/jupyter nbconvert --to notebook --execute --inplace \
		--ExecutePreprocessor.timeout=120 --ExecutePreprocessor.store_widget_state=True $(NOTEBOOKS)

bench: $(STAMP) ## measure the book's headline claims; table on stdout, JSON and PNGs in _build/bench
	$(BIN)/python -m multicore_guide.bench

lab: $(STAMP) ## open JupyterLab on the book, on this machine only (jupyterlab-myst renders its MyST)
	$(LAB)

clean: ## remove the built book and caches
	rm -rf _build .pytest_cache
	find . -name __pycache__ -not -path './.venv*' -prune -exec rm -rf {} +

distclean: clean ## also remove every .venv* and the scripts fetched from npm
	rm -rf .venv .venv-* $(VENDOR)
