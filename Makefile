# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
TEST_WORKERS ?= auto
# Python keeps the bytecode of what it imports (the test workers and
# their assertion rewriting import about 500 modules of ours each run),
# even where the shell says not to.
unexport PYTHONDONTWRITEBYTECODE
SERIAL_TESTS := tests/test_outbox_reliability.py tests/test_database_restart.py
export PORT

.PHONY: run demo-reset test fuzz bench load scan sqlmap audit install install-dev lint messages seed clean

# --no-compile: pip would compile every module of every package (about 20 s
# of a fresh clone's `make test`); Python compiles the ones it imports, once.
PIP_INSTALL := $(BIN)/pip install --quiet --no-compile

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP_INSTALL) --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(PIP_INSTALL) -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(PIP_INSTALL) -r requirements-dev.txt
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## make run: install, migrate, load the Thanh Hóa case and demo users in today's calendar, serve with a worker.
## DEMO_PHASE=before|polling-day|after make run: put today before polling day, on it, or after it.
run: install
	mkdir -p var
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	# --seed: load_seed's case, on a database without the demo only (the
	# demo's election has moved to today's calendar, and load_seed would
	# add the 2021 one again beside it).
	DEBUG=1 $(BIN)/python manage.py load_demo --seed $(if $(DEMO_PHASE),--phase $(DEMO_PHASE))
	$(BIN)/python scripts/run_embedded.py

## make demo-reset: empty the demo database and load the demo again (what was done in it is lost).
demo-reset: install
	mkdir -p var
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/python manage.py flush --noinput
	DEBUG=1 $(BIN)/python manage.py load_demo --seed $(if $(DEMO_PHASE),--phase $(DEMO_PHASE))

## make test: the whole suite (PostgreSQL and Redis when DATABASE_URL / CELERY_BROKER_URL say so).
test: install-dev
	mkdir -p var
	$(BIN)/ruff check .
	# First, side by side (a core each): mypy, and the tests that must run
	# alone among tests: the outbox reliability tests start their own worker
	# on their own queue, and the database-restart tests restart PostgreSQL
	# under every other client (another pytest worker's test would fail).
	# mypy touches neither. Its report is shown once both have ended.
	$(BIN)/mypy > var/mypy.log 2>&1 & mypy=$$!; \
	  $(BIN)/pytest $(PYTEST_ARGS) $(SERIAL_TESTS); serial=$$?; \
	  wait $$mypy; typed=$$?; cat var/mypy.log; \
	  [ $$serial -eq 0 ] && [ $$typed -eq 0 ]
	# Then one pytest worker per core (pytest-xdist), each with its own test
	# database and media folder; a worker that runs out of tests takes some
	# of the other's (worksteal). TEST_WORKERS=0 runs in this process only.
	$(BIN)/pytest -n $(TEST_WORKERS) --dist worksteal $(PYTEST_ARGS) $(foreach t,$(SERIAL_TESTS),--ignore=$(t))

## make fuzz: hunt for new failures (README "Fuzzing"): tests/fuzz and the API schema
## on random examples, FUZZ_EXAMPLES a test (200: about 15 min on 2 cores).
# `make test` runs the same tests on the same fixed examples (the "suite"
# profile of tests/hypothesis_profiles.py); HYPOTHESIS_PROFILE=fuzz is the one
# switch. A failure is kept in var/hypothesis/examples and tried first on the
# next run; its blob (@reproduce_failure) is printed. All failures of a run
# are shown (no -x); FUZZ_ARGS adds pytest options (-n 2, -k roster).
fuzz: install-dev
	mkdir -p var
	HYPOTHESIS_PROFILE=fuzz $(BIN)/pytest $(FUZZ_ARGS) tests/fuzz tests/test_api_schema.py

## make bench: every benchmark against PostgreSQL and Redis; rewrites docs/performance.md.
bench: install-dev
	$(PIP_INSTALL) -r requirements-bench.txt
	$(BIN)/python bench/run_all.py $(BENCH_ARGS)

## make load: polling day for 10 minutes, 200 people of every role (bench/polling_day.py; not in CI).
load: install-dev
	$(PIP_INSTALL) -r requirements-bench.txt
	DATABASE_URL=$${LOAD_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/bench_polling_day} \
	CELERY_BROKER_URL=$${LOAD_BROKER_URL:-redis://127.0.0.1:6379/14} \
	$(BIN)/python bench/polling_day.py $(LOAD_ARGS)

## make scan: both scanners below (docs/security.md "Third-party scanners"; not in CI).
scan: audit sqlmap

## make sqlmap: Debian's sqlmap on loopback against a throwaway `make run`: login, search and import forms.
sqlmap: install
	$(BIN)/python scripts/scan_sqlmap.py $(SQLMAP_ARGS)

## make audit: pip-audit of the pinned requirements; fails if PyPI's advisory data cannot be reached.
audit: $(BIN)/python
	$(PIP_INSTALL) -r requirements-scan.txt
	$(BIN)/pip-audit --strict -r requirements.txt -r requirements-dev.txt

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## make messages: refresh and compile the Vietnamese catalogue (needs GNU gettext).
messages: install-dev
	DEBUG=1 $(BIN)/python manage.py makemessages -l vi --no-obsolete --ignore=.venv --ignore=static/vendor --ignore=tests --ignore=var
	DEBUG=1 $(BIN)/python manage.py compilemessages -l vi --ignore=.venv

clean:
	rm -rf var staticfiles
