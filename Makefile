# Two commands set up everything on a fresh machine:
#   make demo   - install, ingest ../shared/seeds and ../shared/corpus into communique.db, show stats
#   make test   - install, lint, run the test suite
VENV ?= .venv
BIN := $(VENV)/bin
DB ?= communique.db
SHARED ?= ../shared

.PHONY: demo test install bench clean

$(BIN)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

install: $(BIN)/.installed

demo: install
	$(BIN)/communique ingest $(SHARED)/seeds $(SHARED)/corpus --db $(DB)
	$(BIN)/communique stats --db $(DB)

test: install
	$(BIN)/ruff check src tests bench
	$(BIN)/pytest -q

bench: install
	$(BIN)/python bench/ingest.py

clean:
	rm -rf $(VENV) $(DB) $(DB)-wal $(DB)-shm $(DB).index test-output
