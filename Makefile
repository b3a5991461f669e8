# fss-site: `make run` sets up everything and serves the site; `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
MANAGE := $(PY) manage.py
STAMP := $(VENV)/.installed

.PHONY: run install migrate content test test-sqlite test-postgres lint format bench clean

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

# axe-core for the browser tests' accessibility checks; skipped where npm is missing.
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then (npm ci --no-audit --no-fund --loglevel=error && touch $@) || echo "npm ci misslyckades: tillgänglighetstesterna hoppas över"; \
	else echo "npm saknas: tillgänglighetstesterna i webbläsaren hoppas över"; fi

install: $(STAMP)

migrate: install
	$(MANAGE) migrate --noinput

content: migrate
	$(MANAGE) setup_site
	$(MANAGE) import_seeds

run: content
	@$(MANAGE) create_local_admin
	$(MANAGE) runserver 127.0.0.1:8000

test: install node_modules/.installed
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DJANGO_SETTINGS_MODULE=fss_site.settings.test $(MANAGE) makemigrations --check --dry-run

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install
	@if [ -x bench/run ]; then bench/run; else echo "Inga benchmarks ännu."; fi

clean:
	rm -rf $(VENV) .pytest_cache staticfiles node_modules
