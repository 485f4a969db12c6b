# Two commands: `make run` and `make test`. Everything else is set up by them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# the browser libraries the service serves itself (bpmn-js, Swagger UI), from package-lock.json
NODE_STAMP := node_modules/.package-lock.json
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: install run test lint bench db-upgrade deploy clean chromium

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# --ignore-scripts: no package runs code at install (swagger-ui-dist's analytics hook stays off)
$(NODE_STAMP): package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || \
	  ( (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm) \
	    >/dev/null 2>&1 ) || \
	  ( echo "npm could not be installed: the control room cannot serve its diagram viewer"; exit 1 )
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

install: $(STAMP) $(NODE_STAMP)

db-upgrade: install
	$(BIN)/ciiflow db upgrade

deploy: db-upgrade
	$(BIN)/ciiflow deploy bpmn/

run: deploy
	$(BIN)/ciiflow demo-principals
	$(BIN)/ciiflow worker & WORKER=$$!; \
	trap 'kill $$WORKER 2>/dev/null' EXIT INT TERM; \
	$(BIN)/ciiflow serve --host $(HOST) --port $(PORT)

# Debian's Chromium drives the dashboard tests; without it they are skipped, loudly.
chromium:
	@command -v chromium >/dev/null 2>&1 || \
	  ( (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) \
	    >/dev/null 2>&1 ) || \
	  echo "chromium could not be installed: the dashboard browser tests will be skipped"

test: install chromium
	$(BIN)/ruff check engine webhooks workflows tests bench bpmn
	$(BIN)/ciiflow lint bpmn/
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check engine webhooks workflows tests bench bpmn

bench: install
	$(BIN)/python bench/engine_step.py
	$(BIN)/python bench/expressions.py
	$(BIN)/python bench/http_steps.py
	$(BIN)/python bench/webhooks.py

clean:
	rm -rf $(VENV) var .pytest_cache node_modules
