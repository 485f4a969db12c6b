# Two commands: `make run` and `make test`. Everything else is set up by them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: install run test lint bench db-upgrade deploy clean chromium

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

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
	rm -rf $(VENV) var .pytest_cache
