# Quartiere: `make run` serves the demo, `make test` runs the whole suite (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# Two pytest workers (pytest-xdist), each with its own test database: the suite takes about
# half the time on these 2-core machines; --dist loadgroup keeps the crawl's tests (which share
# one seeded, crawled demo) on one worker. PYTEST_ARGS="-n 0" runs it in one process.
PYTEST_ARGS ?= -n 2 --dist loadgroup
export QUARTIERE_HOME := $(CURDIR)

.PHONY: run test lint bench install install-dev messages clean browser

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e ".[dev]"
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

messages: | $(BIN)/python
	cd src/quartiere && ../../$(BIN)/django-admin compilemessages --ignore=.venv -v 0

run: install messages
	@mkdir -p var
	$(BIN)/quartiere collectstatic --noinput -v 0
	$(BIN)/quartiere migrate --noinput -v 0
	$(BIN)/quartiere seed-demo --if-empty
	$(BIN)/quartiere demo-logins
	HOST=$(HOST) PORT=$(PORT) $(BIN)/quartiere serve

browser:
	@bash scripts/ensure-chromium

test: install-dev messages browser
	@mkdir -p var/static
	@url="$${DATABASE_URL:-$$(bash scripts/test-database-url)}"; \
	echo "make test: database $${url:-SQLite (no PostgreSQL server answered)}"; \
	QUARTIERE_ENV=test DATABASE_URL="$$url" $(BIN)/pytest -q $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff format --check src tests
	$(BIN)/ruff check src tests
	$(BIN)/lint-imports
	$(BIN)/mypy
	QUARTIERE_ENV=test $(BIN)/python manage.py makemigrations --check --dry-run

bench: install-dev messages
	@mkdir -p var/bench
	$(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf var/static var/bench
