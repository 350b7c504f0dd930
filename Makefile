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

# make test             the tests on two processes (pytest-xdist; each file in one of them)
# make test WORKERS=0    all in one process
WORKERS ?= 2

test: setup
	$(BIN)/python -m mypy
	$(BIN)/python -m pytest -n $(WORKERS) --dist loadfile

# make bench            full sizes (100k and 1M paragraphs; minutes, several GB)
# make bench QUICK=1    a small size, to check the benchmarks run (seconds)
BENCH_SIZES := $(if $(QUICK),20000,100000,1000000)

bench: setup
	$(BIN)/python benchmarks/bench_answers.py --paragraphs $(BENCH_SIZES) $(if $(QUICK),--repeats 2)
	$(BIN)/python benchmarks/bench_index.py --paragraphs $(BENCH_SIZES) $(if $(QUICK),--queries 50)
	$(BIN)/python benchmarks/bench_bot.py $(if $(QUICK),--quick)

clean:
	rm -rf $(VENV) data .pytest_cache
