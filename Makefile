# Two commands: `make run` (set up everything, serve on 127.0.0.1:$PORT) and `make test`;
# `make e2e` runs the browser tests (tests/e2e: Playwright driving /usr/bin/chromium).
VENV   := .venv
PY     := $(VENV)/bin/python
FLASK  := $(VENV)/bin/flask --app webapp
PORT   ?= 5000

.PHONY: run test e2e setup db lint clean

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e '.[dev]'
	touch $@

db: $(VENV)/.installed
	$(FLASK) init-db
	$(FLASK) processes deploy
	$(FLASK) demo --if-empty

setup: db

run: setup
	$(FLASK) scheduler & trap 'kill $$!' EXIT INT TERM; \
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

test: $(VENV)/.installed
	$(PY) -m pytest -q --ignore=tests/e2e

e2e: $(VENV)/.installed
	$(PY) -m pytest -q tests/e2e

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) instance
