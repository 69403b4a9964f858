# Digitalteam-Assistent: every set-up step lives here, so a fresh clone needs only `make run` or `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Tests run on two workers (pytest-xdist); the knowledge-base tests stay together on one of them.
PYTEST_WORKERS ?= 2
PYTEST_ARGS ?= -n $(PYTEST_WORKERS) --dist loadgroup

.PHONY: setup run test lint bench ingest clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	# CPU torch first, so that no CUDA build of several GB is pulled in by sentence-transformers.
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e ".[dev]"
	@touch $(STAMP)

ingest: setup
	$(VENV)/bin/digitalteam ingest

run: setup ingest
	$(VENV)/bin/digitalteam chat

test: setup
	$(VENV)/bin/ruff check bot ingest tests benchmarks
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports
	$(PY) -m pytest -q $(PYTEST_ARGS)

lint: setup
	$(VENV)/bin/ruff check bot ingest tests benchmarks
	$(VENV)/bin/ruff format --check bot ingest tests benchmarks
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

bench: setup
	$(PY) -m benchmarks.run $(BENCH_ARGS)

clean:
	rm -rf data .pytest_cache .mypy_cache .ruff_cache
