# Two commands: `make run` (set up everything, serve on 127.0.0.1:$PORT) and `make test`;
# `make e2e` runs the browser tests (tests/e2e: Playwright driving /usr/bin/chromium).
VENV   := .venv
PY     := $(VENV)/bin/python
FLASK  := $(VENV)/bin/flask --app webapp
PORT   ?= 5000

.PHONY: run test e2e setup db lint clean bench

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e '.[dev]'
	touch $@

webapp/translations/en/LC_MESSAGES/messages.mo: webapp/translations/en/LC_MESSAGES/messages.po $(VENV)/.installed
	$(VENV)/bin/pybabel compile -d webapp/translations

# Front-end assets (Bootstrap, bpmn-js) from the npm registry; the app serves them itself.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

# PDFs (notices, 推荐函) embed a Chinese font from the machine (webapp/documents/pdf.py): Debian's
# fonts-wqy-zenhei, installed here when missing (or point PDF_FONT at another font file).
FONT := /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc
$(FONT):
	apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q fonts-wqy-zenhei || \
	  echo "PDFs need a Chinese font: install fonts-wqy-zenhei or set PDF_FONT" >&2

db: $(VENV)/.installed webapp/translations/en/LC_MESSAGES/messages.mo node_modules/.installed $(FONT)
	$(FLASK) init-db
	$(FLASK) processes deploy
	$(FLASK) demo --if-empty

setup: db

run: setup
	$(FLASK) scheduler & trap 'kill $$!' EXIT INT TERM; \
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

# The normal loop: every test but the browser and the slow ones, a worker per core, each test on a copy
# of one seeded SQLite file. .ci/run adds the PostgreSQL, slow and browser tests.
test: $(VENV)/.installed webapp/translations/en/LC_MESSAGES/messages.mo node_modules/.installed $(FONT)
	$(PY) -m pytest -q -n auto -m 'not slow' --ignore=tests/e2e

e2e: $(VENV)/.installed webapp/translations/en/LC_MESSAGES/messages.mo node_modules/.installed $(FONT)
	$(PY) -m pytest -q tests/e2e

# The benchmark suite (bench/run.py, issue 6): prints a table, writes bench/results.json. Needs the
# PostgreSQL server of BENCH_PG_URL (default postgresql://postgres@127.0.0.1:5432); BENCH_ARGS=--quick for a short run.
bench: $(VENV)/.installed webapp/translations/en/LC_MESSAGES/messages.mo
	$(VENV)/bin/pip install -q -e '.[dev,bench]'
	$(PY) bench/run.py $(BENCH_ARGS)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) instance
