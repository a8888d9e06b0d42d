# Every target a README command points at. `make help` lists them.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export FLASK_APP := app:create_app
# make run's port: PORT=8080 make run
PORT ?= 5000

.DEFAULT_GOAL := help
.PHONY: help run serve scheduler test test-sqlite test-postgres lint format clean assets browser container-test translations

help: ## List the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(STAMP): requirements.txt requirements-dev.txt constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt -c constraints.txt
	touch $(STAMP)

venv: $(STAMP) ## Create .venv and install the pinned requirements

# GOV.UK Frontend's built files, served from our own static folder: no CDN, nothing fetched at run time.
# The stylesheet points at /assets/...; rewritten to be relative to its own folder, app/static/govuk/.
# The source-map comment is cut from the end of each minified file (the maps are not copied); the rest of
# its line is the code itself, so the line stays.
NO_SOURCE_MAP := s@/[/*]\# sourceMappingURL=[^ ]*( \*/)?$$@@
GOVUK_DIST := node_modules/govuk-frontend/dist/govuk
GOVUK_STATIC := app/static/govuk
# GOV.UK's accessible-autocomplete: pick a council by typing its name (a plain select without JavaScript).
AUTOCOMPLETE_DIST := node_modules/accessible-autocomplete/dist
ASSETS_STAMP := $(GOVUK_STATIC)/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	touch $@

$(ASSETS_STAMP): node_modules/.installed
	rm -rf $(GOVUK_STATIC)
	mkdir -p $(GOVUK_STATIC)
	cp -R $(GOVUK_DIST)/assets $(GOVUK_STATIC)/assets
	sed -E '$(NO_SOURCE_MAP)' $(GOVUK_DIST)/govuk-frontend.min.js > $(GOVUK_STATIC)/govuk-frontend.min.js
	sed -E 's#url\(/assets/#url(assets/#g; $(NO_SOURCE_MAP)' $(GOVUK_DIST)/govuk-frontend.min.css \
		> $(GOVUK_STATIC)/govuk-frontend.min.css
	sed -E '$(NO_SOURCE_MAP)' $(AUTOCOMPLETE_DIST)/accessible-autocomplete.min.js \
		> $(GOVUK_STATIC)/accessible-autocomplete.min.js
	sed -E '$(NO_SOURCE_MAP)' $(AUTOCOMPLETE_DIST)/accessible-autocomplete.min.css \
		> $(GOVUK_STATIC)/accessible-autocomplete.min.css
	touch $@

assets: $(ASSETS_STAMP) ## Install GOV.UK Frontend, accessible-autocomplete and axe-core from npm (package-lock.json), copy into app/static

# The Welsh words of the resident's pages: app/translations/cy/LC_MESSAGES/messages.po, which a translator
# edits, and messages.mo compiled from it and committed (so a fresh clone runs without a build step).
translations: $(STAMP) ## Extract the public pages' words into the Welsh catalogue (new ones empty) and compile it
	$(BIN)/pybabel extract -F babel.cfg -k _l --no-location --sort-output -o app/translations/messages.pot .
	$(BIN)/pybabel update -i app/translations/messages.pot -d app/translations --width 110 \
		--ignore-obsolete --no-fuzzy-matching
	$(BIN)/pybabel compile -d app/translations
	rm app/translations/messages.pot

browser: ## Install Debian's chromium for the browser tests (apt-get, needs root) unless /usr/bin/chromium exists
	@if [ -x /usr/bin/chromium ]; then echo "Browser tests: using /usr/bin/chromium"; else \
		echo "Browser tests: installing Debian's chromium with apt-get (needs root; a minute or two, log in .chromium-install.log)"; \
		{ apt-get install -y chromium || { apt-get update && apt-get install -y chromium; }; } \
			> .chromium-install.log 2>&1 || { cat .chromium-install.log; exit 1; }; fi

# make run is a developer's machine: development settings, SQLite under instance/, the demo data.
run: export CROSSCHECK_ENV := development
run: $(STAMP) $(ASSETS_STAMP) ## Set up, migrate, seed demo data if empty, start the service on :5000 (PORT) and one scheduler
	$(BIN)/flask db upgrade
	$(BIN)/flask demo seed --if-empty
	@echo "Crosscheck is starting: sign in at http://127.0.0.1:$(PORT)/sign-in, API at http://127.0.0.1:$(PORT)/api/v1"
	@echo "(OpenAPI: /api/v1/openapi.json; demo officers and keys are printed above on the first run; `flask demo keys` prints fresh keys)"
	@echo "(one scheduler runs alongside: deliveries and periodic jobs; it stops with the web app)"
	$(BIN)/python -m scheduler & scheduler=$$!; trap 'kill $$scheduler 2>/dev/null' EXIT; \
		$(BIN)/flask run --host 127.0.0.1 --port $(PORT)

scheduler: $(STAMP) ## Run the scheduler process alone (alert deliveries, periodic jobs; reads DATABASE_URL)
	$(BIN)/python -m scheduler

serve: $(STAMP) ## Serve with gunicorn in production (unless CROSSCHECK_ENV says otherwise; needs DATABASE_URL, SECRET_KEY)
	$(BIN)/gunicorn --config gunicorn.conf.py wsgi:app

test: browser $(STAMP) $(ASSETS_STAMP) ## Lint, then run every test on SQLite (and PostgreSQL if TEST_DATABASE_URL is set)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	env -u TEST_DATABASE_URL $(BIN)/pytest -p no:cacheprovider
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== the same tests on PostgreSQL"; \
		$(BIN)/pytest -p no:cacheprovider; \
	fi

# The container images, compose.yaml and deploy/k8s under podman (deploy/container_test.py); not part of
# make test. Needs root, podman, runc and debootstrap (installed from Debian if podman is missing).
CONTAINER_TOOLS := .venv-container

$(CONTAINER_TOOLS)/.installed: deploy/container-test-requirements.txt
	$(PYTHON) -m venv $(CONTAINER_TOOLS)
	$(CONTAINER_TOOLS)/bin/pip install --quiet -r deploy/container-test-requirements.txt
	touch $@

container-test: $(STAMP) $(ASSETS_STAMP) $(CONTAINER_TOOLS)/.installed ## Build the images, run compose.yaml and deploy/k8s under podman, check them, tear down
	@command -v podman >/dev/null || apt-get install -y podman runc debootstrap
	PATH="$(CURDIR)/$(CONTAINER_TOOLS)/bin:$$PATH" CONTAINERS_CONF="$(CURDIR)/deploy/containers.conf" \
		nice -n 19 $(BIN)/python deploy/container_test.py

lint: $(STAMP) ## Check lint and formatting
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP) ## Apply ruff's fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean: ## Remove the venv, the embedded database and the copied front-end assets
	rm -rf $(VENV) $(CONTAINER_TOOLS) instance node_modules $(GOVUK_STATIC)
