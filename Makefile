# Set-up and everyday commands. Needs only Python 3.11+, pip and make.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: serve test lint openapi bench clean

$(BIN)/servicelist: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --constraint constraints.txt --editable '.[test]'
	touch $@

## Start the API on the bundled lists (SQLite at var/servicelist.sqlite3 unless
## SERVICELIST_DATABASE_URL says otherwise); the first start migrates and loads.
serve: $(BIN)/servicelist
	$(BIN)/servicelist serve --host $(HOST) --port $(PORT)

## Lint, type-check and run every test against SQLite and PostgreSQL.
test: lint
	$(BIN)/pytest

lint: $(BIN)/servicelist
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

## Regenerate the committed OpenAPI document after changing the API.
openapi: $(BIN)/servicelist
	$(BIN)/servicelist openapi openapi/openapi.json

## Compare the server with nginx serving the same bytes (needs nginx and wrk).
bench: $(BIN)/servicelist
	$(BIN)/python bench/http_vs_nginx.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
