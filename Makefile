# Every target that needs the virtualenv depends on its stamp, so a fresh clone needs only `make X`.
PY ?= python3
# Which config.yaml run, chat and check use: make chat CONFIG=path/to/config.yaml
CONFIG ?= config.yaml
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run chat check test test-fast lint typecheck pytest bench clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/article-bot run --config $(CONFIG)

chat: $(STAMP)
	$(BIN)/article-bot chat --config $(CONFIG)

check: $(STAMP)
	$(BIN)/article-bot check --config $(CONFIG)

lint: $(STAMP)
	$(BIN)/ruff check bot tests benchmarks
	$(BIN)/ruff format --check bot tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest --cov --cov-report= --cov-fail-under=85

test: lint typecheck pytest

# The same checks without the tests marked slow (processes, signals, timeouts): for while you work.
test-fast: lint typecheck
	$(BIN)/pytest -m "not slow"

# Every benchmark, or one: make bench B=match (see benchmarks/README.md).
bench: $(STAMP)
	$(BIN)/python -m benchmarks $(B)


clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
