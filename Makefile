# Two commands do everything: `make run` and `make test`. See README.md.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test install node migrate seed worker beat lint messages check-deploy clean

$(PY):
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed (set PYTHON=...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(PY) requirements.txt requirements-dev.txt
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

## Test-only JavaScript (axe-core for the browser accessibility checks), pinned in package-lock.json. Without npm
## the checks are skipped on a laptop; CI needs it.
NODE_STAMP := node_modules/.package-lock.json

$(NODE_STAMP): package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund && touch $(NODE_STAMP); \
	elif [ "$$CI" = "true" ]; then echo "npm is needed (apt-get install npm)"; exit 1; \
	else echo "npm not found: the browser accessibility checks will be skipped"; fi

node: $(NODE_STAMP)

install: $(STAMP) node

migrate: install
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo

## Serve on http://127.0.0.1:8000 with SQLite, in-process Celery and console e-mail; prints the demo logins.
run: seed
	@echo "Open http://127.0.0.1:8000 and log in with one of the demo accounts above."
	$(PY) manage.py runserver 127.0.0.1:8000

## The whole suite. SQLite unless DATABASE_URL is set; tests that need a missing service are listed as skipped.
test: install
	$(PY) -m pytest $(PYTEST_ARGS)

## A Celery worker and beat against REDIS_URL (production-like runs).
worker: install
	$(VENV)/bin/celery -A config worker --loglevel=INFO

beat: install
	$(VENV)/bin/celery -A config beat --loglevel=INFO

lint: install
	$(VENV)/bin/ruff check .

## Refresh the Russian and Kazakh catalogues after changing strings, then translate and compile.
messages: install
	$(PY) manage.py makemessages -l ru -l kk --ignore=.venv --ignore=staticfiles --ignore=tests --no-location --no-obsolete
	$(PY) manage.py compilemessages --ignore=.venv

check-deploy: install
	DEBUG=false SECRET_KEY=check-deploy-$$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n') \
	ALLOWED_HOSTS=residency.example.org $(PY) manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) node_modules db.sqlite3 staticfiles test-artifacts
