# Gongkai — the two commands a newcomer needs: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_WORKERS ?= 2
# PostgreSQL for the second run of the suite: GONGKAI_TEST_DATABASE_URL, else the local server if one answers.
PG_URL ?= $(if $(GONGKAI_TEST_DATABASE_URL),$(GONGKAI_TEST_DATABASE_URL),postgres://postgres@127.0.0.1:5432/test)

.PHONY: install demo test lint typecheck test-sqlite test-postgres serve clean

$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "需要 Python 3.11 或更高版本 (Python >= 3.11 required)")'
	@test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[dev,s3]'
	@touch $(STAMP)

install: $(STAMP)

# axe-core for the browser accessibility test (test-only; nothing of it is served). Needs npm; skipped without it
# locally, and the test then skips too — CI installs npm.
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --silent --no-audit --no-fund && touch $@; \
	else echo "npm not found: the accessibility browser test will be skipped"; fi

demo: install
	$(BIN)/gongkai demo

serve: install
	$(BIN)/gongkai serve

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy gongkai config

test-sqlite: install node_modules/.installed
	GONGKAI_ENV=test GONGKAI_DATABASE_URL= $(BIN)/pytest -n $(PYTEST_WORKERS)

test-postgres: install node_modules/.installed
	@if $(BIN)/python scripts/pg_reachable.py "$(PG_URL)"; then \
		echo "== PostgreSQL: $(PG_URL)"; \
		GONGKAI_ENV=test GONGKAI_DATABASE_URL="$(PG_URL)" $(BIN)/pytest -n $(PYTEST_WORKERS); \
	elif [ "$$CI" = "true" ]; then \
		echo "CI=true: PostgreSQL is required but $(PG_URL) cannot be reached" >&2; exit 1; \
	else \
		echo "== PostgreSQL not reachable at $(PG_URL): skipped the PostgreSQL run (set GONGKAI_TEST_DATABASE_URL)"; \
	fi

test: lint typecheck test-sqlite test-postgres

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
