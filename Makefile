# Juxuan: make run · make test · make bench · make screenshots
# Each target creates .venv when it is missing.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
JUXUAN := $(VENV)/bin/juxuan
HOST ?= 127.0.0.1
PORT ?= 5000
THREADS ?= 8
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: run lan test test-sqlite test-postgres bench soak screenshots translations

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip 2>&1 | grep -v '^WARNING: Location' || true
	PYTHONWARNINGS=ignore $(PY) -m pip install -q -e '.[test]' 2>&1 | grep -v '^WARNING: Location' ; test $${PIPESTATUS[0]} -eq 0
	touch $@

# The public address (receipt QR codes, the poster) is JUXUAN_PUBLIC_URL, else found from
# HOST and PORT: with HOST=0.0.0.0 it is the laptop's LAN address (python -m election.address).
run: $(VENV)/.installed
	$(JUXUAN) init-db
	$(JUXUAN) demo --if-empty
	@url="$${JUXUAN_PUBLIC_URL:-$$($(PY) -m election.address --host $(HOST) --port $(PORT))}"; \
	echo "居选已启动 / Juxuan serving on http://$(HOST):$(PORT)  公开地址 / public address: $$url  (示范密码 / demo password: juxuan-demo)"; \
	JUXUAN_PUBLIC_URL="$$url" exec $(VENV)/bin/gunicorn --workers 1 --threads $(THREADS) --bind $(HOST):$(PORT) -c python:election.gunicorn_conf wsgi:app

# One laptop serving the desks, box phones and residents on its LAN (Wi-Fi or switch).
lan:
	$(MAKE) run HOST=0.0.0.0

test: $(VENV)/.installed
	bash tools/system_packages.sh
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
