# Two commands set up everything on a fresh machine:
#   make demo   - install, ingest ../shared/seeds and ../shared/corpus into communique.db, serve it
#                 on http://127.0.0.1:8000/ (web interface; REST API under /api/v1)
#   make test   - install (Debian's Chromium for the browser tests and PostgreSQL for the second
#                 storage backend too), lint, run the test suite on both backends
VENV ?= .venv
BIN := $(VENV)/bin
DB ?= communique.db
SHARED ?= ../shared
HOST ?= 127.0.0.1
PORT ?= 8000
CHROMIUM ?= /usr/bin/chromium

.PHONY: demo ingest serve test install browser postgres jing bench clean

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

# The tests run on SQLite and on PostgreSQL: tests/pgserver.py starts a throwaway server from
# Debian's binaries (/usr/lib/postgresql/*/bin) on loopback; a missing PostgreSQL fails the run.
PG_INITDB = ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1
postgres:
	@$(PG_INITDB) || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql; }
	@$(PG_INITDB) || { echo "PostgreSQL (initdb, pg_ctl) is needed under /usr/lib/postgresql for the tests"; exit 1; }

# The TEI export tests validate with Debian's jing against ../shared/standards (RelaxNG).
jing:
	@command -v jing >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq jing; }
	@command -v jing >/dev/null || { echo "jing is needed for the TEI validation tests"; exit 1; }

test: install browser postgres jing
	$(BIN)/ruff check src tests bench
	$(BIN)/pytest -q

bench: install
	$(BIN)/python bench/ingest.py

clean:
	rm -rf $(VENV) $(DB) $(DB)-wal $(DB)-shm $(DB).index $(DB).analysis $(DB).uploads test-output
