# hms-tracker — two commands: `make run` and `make test`. Each does its own set-up.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
LOCALE := src/hms_tracker/locale
VENDOR := src/hms_tracker/static/vendor
# PostgreSQL for the test suite; each run creates and drops its own database there.
HMS_TEST_POSTGRES_URL ?= postgresql://postgres@127.0.0.1:5432/postgres
export HMS_TEST_POSTGRES_URL

.PHONY: reset-demo run test install install-dev assets translations migrate demo lint extract-messages wheel bench clean

$(VENV)/.installed: requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q --require-hashes -r requirements.lock
	@# The editable install builds with hatchling (pinned in requirements-dev.lock; the
	@# runtime lock does not carry build tools).
	$(BIN)/python -c 'import hatchling' 2>/dev/null || \
	  $(BIN)/python -m pip install -q "hatchling==$$(sed -n 's/^hatchling==\([^ ]*\).*/\1/p' requirements-dev.lock)"
	$(BIN)/python -m pip install -q --no-deps --no-build-isolation -e .
	touch $@

$(VENV)/.dev-installed: $(VENV)/.installed requirements-dev.lock
	$(BIN)/python -m pip install -q --require-hashes -r requirements-dev.lock
	$(BIN)/python -m pip install -q --no-deps --no-build-isolation -e .
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.dev-installed

# Front-end packages from npm (pinned in package-lock.json) into the static folder.
# Without npm the app still serves: every page works without JavaScript.
assets:
	@if [ -f $(VENDOR)/htmx.min.js ] && [ -f $(VENDOR)/designsystemet.css ] && [ -f $(VENDOR)/theme.css ] \
	    && [ -d node_modules/axe-core ] && [ package-lock.json -ot $(VENDOR)/htmx.min.js ]; then \
	  exit 0; \
	elif command -v npm >/dev/null 2>&1; then \
	  npm ci --no-audit --no-fund --loglevel=error && npm run --silent build; \
	else \
	  echo "npm not found: front-end packages (htmx, Designsystemet) not installed; pages work without them." >&2; \
	fi

# Compile the message catalogues (.po in git, .mo built).
translations: $(VENV)/.installed
	@if ls $(LOCALE)/*/LC_MESSAGES/messages.po >/dev/null 2>&1; then \
	  $(BIN)/pybabel -q compile -d $(LOCALE) -D messages; \
	else \
	  echo "No message catalogues under $(LOCALE): pages show the Norwegian message ids." >&2; \
	fi

extract-messages: $(VENV)/.dev-installed
	$(BIN)/pybabel -q extract -F babel.cfg -k lazy -k _ -k gettext -k ngettext:1,2 --no-location --sort-output \
	  --omit-header -o $(LOCALE)/messages.pot src templates
	$(BIN)/pybabel -q update -i $(LOCALE)/messages.pot -d $(LOCALE) -D messages --no-fuzzy-matching --ignore-obsolete

migrate: $(VENV)/.installed
	$(BIN)/hms-tracker migrate

run: $(VENV)/.installed assets translations
	$(BIN)/hms-tracker migrate
	$(BIN)/hms-tracker demo --if-empty
	@# Links in QR codes, posters and e-mails use HMS_BASE_URL: by default the address served
	@# here (set HMS_BASE_URL to the address people use, e.g. https://hms.bedrift.no).
	HMS_BASE_URL="$${HMS_BASE_URL:-http://$(HOST):$(PORT)}" $(BIN)/hms-tracker serve --host $(HOST) --port $(PORT)

# Start over with a fresh demo company on the embedded default (the SQLite file under var/;
# the secret key stays). Stop `make run` first.
reset-demo: $(VENV)/.installed
	rm -f var/hms-tracker.db var/hms-tracker.db-wal var/hms-tracker.db-shm
	$(BIN)/hms-tracker migrate
	$(BIN)/hms-tracker demo

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check src tests migrations bench
	$(BIN)/ruff format --check src tests migrations bench
	$(BIN)/mypy src

test: $(VENV)/.dev-installed assets translations lint
	$(BIN)/pytest -n 2 $(PYTEST_ARGS)

wheel: $(VENV)/.dev-installed assets translations
	rm -rf dist && $(BIN)/python -m build --wheel --no-isolation --outdir dist

bench: $(VENV)/.dev-installed assets translations
	$(BIN)/python bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) node_modules $(VENDOR) dist build .pytest_cache .mypy_cache .ruff_cache test-results
	find $(LOCALE) -name '*.mo' -delete
