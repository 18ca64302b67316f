# Two commands set up everything on a fresh machine:
#   make demo   - install, ingest ../shared/seeds and ../shared/corpus into communique.db, serve it
#                 on http://127.0.0.1:8000/ (web interface; REST API under /api/v1)
#   make test   - install (Debian's Chromium for the browser tests too), lint, run the test suite
VENV ?= .venv
BIN := $(VENV)/bin
DB ?= communique.db
SHARED ?= ../shared
HOST ?= 127.0.0.1
PORT ?= 8000
CHROMIUM ?= /usr/bin/chromium

.PHONY: demo ingest serve test install browser bench clean

$(BIN)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

install: $(BIN)/.installed

demo: ingest serve

ingest: install
	$(BIN)/communique ingest $(SHARED)/seeds $(SHARED)/corpus --db $(DB)
	$(BIN)/communique stats --db $(DB)

serve: install
	$(BIN)/communique serve --db $(DB) --host $(HOST) --port $(PORT)

# The browser tests drive Debian's Chromium through Playwright (no browser download).
browser:
	@test -x $(CHROMIUM) || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }
	@test -x $(CHROMIUM) || { echo "Chromium is needed at $(CHROMIUM) for the browser tests"; exit 1; }

test: install browser
	$(BIN)/ruff check src tests bench
	$(BIN)/pytest -q

bench: install
	$(BIN)/python bench/ingest.py

clean:
	rm -rf $(VENV) $(DB) $(DB)-wal $(DB)-shm $(DB).index $(DB).analysis $(DB).uploads test-output
