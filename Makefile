# The two commands a new machine needs (see README.md): `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint install install-dev

# `make run` is development mode: DEBUG=true (settings default to production mode, DEBUG off).
run: export DEBUG = true
run: install
	@# A development checkout: later `python manage.py …` commands run in development mode too.
	@test -f .env || { echo "DEBUG=true" > .env; echo "Wrote .env (DEBUG=true): manage.py commands in this checkout run in development mode."; }
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_seeds
	$(PY) manage.py ensure_demo_admin --url http://$(HOST):$(PORT)/admin/
	@# A background-job worker beside the web server; it stops when the server stops (Ctrl-C).
	$(PY) manage.py db_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver $(HOST):$(PORT)

# Both cores (pytest-xdist); each worker builds the seed data once (tests/conftest.py).
test: install-dev
	$(PY) -m pytest -n auto

lint: install-dev
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.installed
