# Juxuan: make run · make test · make bench · make screenshots
# Each target creates .venv when it is missing.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
JUXUAN := $(VENV)/bin/juxuan
HOST ?= 127.0.0.1
PORT ?= 5000
THREADS ?= 8
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: run test test-sqlite test-postgres bench soak screenshots translations

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $@

run: $(VENV)/.installed
	$(JUXUAN) init-db
	$(JUXUAN) demo --if-empty
	@echo "居选已启动 / Juxuan serving on http://$(HOST):$(PORT)  (示范密码 / demo password: juxuan-demo)"
	$(VENV)/bin/gunicorn --workers 1 --threads $(THREADS) --bind $(HOST):$(PORT) --access-logfile - wsgi:app

test: $(VENV)/.installed
	$(PY) tools/run_tests.py

test-sqlite: $(VENV)/.installed
	$(PY) -m pytest -q

test-postgres: $(VENV)/.installed
	JUXUAN_TEST_DATABASE_URL=$(PG_TEST_URL) $(PY) -m pytest -q -m "not browser and not soak"

soak: $(VENV)/.installed
	$(PY) -m pytest -q -p no:cacheprovider -m soak

bench: $(VENV)/.installed
	$(PY) -m tools.bench

screenshots: $(VENV)/.installed
	JUXUAN_SCREENSHOTS=docs/screenshots $(PY) -m pytest -q tests/browser/test_whole_election.py

translations: $(VENV)/.installed
	$(PY) tools/translate.py
