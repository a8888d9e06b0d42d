# Every target a README command points at. `make help` lists them.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export FLASK_APP := app:create_app

.DEFAULT_GOAL := help
.PHONY: help run serve scheduler test test-sqlite test-postgres lint format clean

help: ## List the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(STAMP): requirements.txt requirements-dev.txt constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt -c constraints.txt
	touch $(STAMP)

venv: $(STAMP) ## Create .venv and install the pinned requirements

run: $(STAMP) ## Set up, migrate, seed demo data if empty, and start the service on :5000
	$(BIN)/flask db upgrade
	$(BIN)/flask demo seed --if-empty
	@echo "Crosscheck is starting: sign in at http://127.0.0.1:5000/sign-in, API at http://127.0.0.1:5000/api/v1"
	@echo "(OpenAPI: /api/v1/openapi.json; demo keys and officers are printed above on the first run)"
	$(BIN)/flask run --host 127.0.0.1 --port 5000

serve: $(STAMP) ## Serve with gunicorn (production style; reads DATABASE_URL, SECRET_KEY)
	$(BIN)/gunicorn --config gunicorn.conf.py wsgi:app

test: $(STAMP) ## Lint, then run every test on SQLite (and PostgreSQL if TEST_DATABASE_URL is set)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	env -u TEST_DATABASE_URL $(BIN)/pytest -p no:cacheprovider
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== the same tests on PostgreSQL"; \
		$(BIN)/pytest -p no:cacheprovider; \
	fi

lint: $(STAMP) ## Check lint and formatting
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP) ## Apply ruff's fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean: ## Remove the venv and the embedded database
	rm -rf $(VENV) instance
