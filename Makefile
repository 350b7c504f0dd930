# Quick start:  make run   (console chat over the bundled seeds, or the Telegram bot
#                           when TELEGRAM_BOT_TOKEN is set)
#               make test  (sets up and runs the tests)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: run test setup bench clean

$(BIN)/unionbot: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(BIN)/unionbot

setup: $(BIN)/unionbot

run: setup
	@if [ -n "$$TELEGRAM_BOT_TOKEN" ]; then $(BIN)/unionbot serve; else $(BIN)/unionbot chat; fi

test: setup
	$(BIN)/python -m mypy
	$(BIN)/python -m pytest

bench: setup
	$(BIN)/python benchmarks/bench_retrieval.py

clean:
	rm -rf $(VENV) data .pytest_cache
