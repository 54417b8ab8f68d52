# The two commands of the README: `make run` and `make test`. Everything else is set-up.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-run
DEV    := $(VENV)/.installed-dev
DEMO_INDEX ?= var/demo-index
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install install-dev lint chromium axe bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	touch $(STAMP)

$(DEV): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP) $(DEV)

install: $(STAMP)
install-dev: $(DEV)

run: install
	@$(BIN)/unsearch index info --index $(DEMO_INDEX) >/dev/null 2>&1 || $(BIN)/unsearch index build --index $(DEMO_INDEX)
	$(BIN)/unsearch serve --index $(DEMO_INDEX) --host $(HOST) --port $(PORT)

# Debian's chromium for the browser tests (a browser download cannot work here).
chromium:
	@if command -v chromium >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing Debian's chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
		echo "chromium not found: install it with 'sudo apt-get install chromium' (browser tests need it)"; \
	fi

# axe-core, the accessibility engine of the browser tests: from the npm registry, never committed.
AXE_VERSION := 4.14.1
NPM_DIR := var/npm
AXE_JS := $(NPM_DIR)/node_modules/axe-core/axe.min.js

$(AXE_JS):
	@if ! command -v npm >/dev/null 2>&1; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			echo "installing Debian's nodejs and npm for axe-core"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null; \
		else \
			echo "npm not found: install it with 'sudo apt-get install npm' (the accessibility tests need axe-core)"; \
			exit 0; \
		fi; \
	fi; \
	mkdir -p $(NPM_DIR) && npm install --prefix $(NPM_DIR) --no-save --no-audit --no-fund --loglevel=error \
		axe-core@$(AXE_VERSION)

axe: $(AXE_JS)

lint: install-dev
	$(BIN)/ruff check index search web tests bench
	$(BIN)/mypy index search web

test: install-dev chromium axe lint
	$(BIN)/pytest

bench: install-dev
	$(BIN)/python -m bench.run_all

clean:
	rm -rf $(VENV) var build *.egg-info
