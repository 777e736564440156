# OneWindow: developer and CI entry points. `make help` lists the targets.
#
# Everything runs from the virtualenv in .venv, built from the hash-locked
# requirements.lock. System packages (Chromium, fonts, Pango, gettext, PostgreSQL,
# poppler, wrk) come from Debian; `make install` installs the missing ones when run as root.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:
MAKEFLAGS += --no-builtin-rules --no-print-directory

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
UV_VERSION := 0.13.9
ONEWINDOW := $(VENV)/bin/onewindow
STAMP := $(VENV)/.installed

# Extra arguments for both pytest runs, e.g. `make test PYTEST_ARGS='-x -k workcal'`.
PYTEST_XDIST ?= -n 2
PYTEST_ARGS ?=
# Arguments for bench/run.py, e.g. `make bench BENCH_ARGS='--quick --engine sqlite'`.
BENCH_ARGS ?=

# Debian packages the project needs at run or test time (see docs/DEPENDENCIES.md).
# postgresql-15 is added only when no PostgreSQL server binaries (initdb) are found.
SYSTEM_PACKAGES := chromium fonts-noto-cjk libharfbuzz-subset0 libpango-1.0-0 \
	libpangoft2-1.0-0 gettext poppler-utils wrk

export UV_PYTHON_DOWNLOADS := never
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: help install system-packages messages test demo bench bench-10m lint format lock vendor clean

help:
	@echo "make install   system packages (as root), .venv from requirements.lock, translations"
	@echo "make test      ruff, then the test suite on SQLite and on a throw-away PostgreSQL"
	@echo "make demo      migrate, load demo data and serve"
	@echo "make bench     benchmarks on PostgreSQL and SQLite (~30 min; BENCH_ARGS=--quick: <10)"
	@echo "make bench-10m 10,000,000 cases on PostgreSQL, monthly report (~90 min, ~45 GB)"
	@echo "make lint      ruff check + ruff format --check"
	@echo "make format    ruff format + ruff check --fix"
	@echo "make lock      regenerate requirements.lock from requirements.in"
	@echo "make vendor    re-fetch the front-end assets into onewindow/static/vendor"
	@echo "make clean     remove caches, compiled translations and build leftovers"

install: system-packages $(STAMP) messages

# Always runs (it is cheap): apt-get only when something is missing.
system-packages:
	@if ! command -v dpkg-query >/dev/null 2>&1; then \
		echo "install: no dpkg-query (not Debian?); make sure these are installed:" \
			"$(SYSTEM_PACKAGES) postgresql-15" >&2; \
		exit 0; \
	fi; \
	missing=""; \
	for pkg in $(SYSTEM_PACKAGES); do \
		if ! dpkg-query -W -f='$${Status}' "$$pkg" 2>/dev/null | grep -q 'install ok installed'; then \
			missing="$$missing $$pkg"; \
		fi; \
	done; \
	bindir="$$(pg_config --bindir 2>/dev/null || true)"; \
	if ! { [ -n "$$bindir" ] && [ -x "$$bindir/initdb" ]; } \
		&& ! compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; then \
		missing="$$missing postgresql-15"; \
	fi; \
	if [ -z "$$missing" ]; then \
		echo "install: system packages present"; \
	elif [ "$$(id -u)" -eq 0 ]; then \
		echo "install: installing Debian packages:$$missing"; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get update; \
		apt-get install -y --no-install-recommends $$missing; \
	else \
		echo "install: missing Debian packages:$$missing" >&2; \
		echo "install: run as root:  apt-get update && apt-get install -y --no-install-recommends$$missing" >&2; \
		exit 1; \
	fi

$(PY):
	$(PYTHON) -m venv $(VENV)

$(UV): | $(PY)
	$(VENV)/bin/pip install --quiet uv==$(UV_VERSION)

$(STAMP): requirements.lock pyproject.toml | $(UV)
	$(UV) pip install --python $(PY) --require-hashes -r requirements.lock
	$(UV) pip install --python $(PY) --no-deps -e .
	touch $@

# Compiled translations (.mo files are not committed): rebuilt when one is missing or older
# than a .po file. compilemessages skips the up-to-date ones, so all are touched afterwards.
PO_FILES := $(shell find onewindow -path '*/locale/*/LC_MESSAGES/*.po' 2>/dev/null | LC_ALL=C sort)
MO_FILES := $(PO_FILES:.po=.mo)

messages: $(MO_FILES)

ifneq ($(strip $(MO_FILES)),)
$(MO_FILES) &: $(PO_FILES) | $(STAMP)
	$(ONEWINDOW) compilemessages --ignore=$(VENV)
	touch $(MO_FILES)
endif

# Runs every step, then fails if any failed.
test: install
	@failed=""; \
	echo "== ruff check"; \
	$(VENV)/bin/ruff check . || failed="$$failed ruff"; \
	echo "== dependency audit (pip-audit; docs/security/audit-ignore.txt)"; \
	$(PY) scripts/audit_dependencies.py || failed="$$failed dependency-audit"; \
	echo "== pytest on SQLite"; \
	env -u DATABASE_URL $(VENV)/bin/pytest -q $(PYTEST_XDIST) $(PYTEST_ARGS) || failed="$$failed pytest-sqlite"; \
	echo "== pytest on PostgreSQL"; \
	$(PY) -m onewindow.testing.pgrun -- $(VENV)/bin/pytest -q $(PYTEST_XDIST) $(PYTEST_ARGS) \
		|| failed="$$failed pytest-postgresql"; \
	if [ -n "$$failed" ]; then echo "make test: FAILED:$$failed" >&2; exit 1; fi; \
	echo "make test: all passed"

demo: install
	$(ONEWINDOW) migrate --noinput
	$(ONEWINDOW) load_demo
	$(ONEWINDOW) serve

# PostgreSQL (a throw-away server, as for the tests) and then SQLite, against `onewindow
# serve` with the production settings; results in bench/results/ (see docs/ARCHITECTURE.md).
bench: install
	$(PY) bench/run.py $(BENCH_ARGS)

# Ten years of simulated cases on a throw-away PostgreSQL (bench/ten_million.sh).
bench-10m: install
	$(PY) -m onewindow.testing.pgrun -- sh bench/ten_million.sh

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

lock: | $(UV)
	$(UV) pip compile --python-version 3.11 --generate-hashes requirements.in -o requirements.lock

vendor:
	bash scripts/vendor_static.sh

clean:
	find . -path ./$(VENV) -prune -o -type d -name __pycache__ -exec rm -rf {} +
	find onewindow -path '*/locale/*/LC_MESSAGES/*.mo' -delete
	rm -rf .pytest_cache .ruff_cache .hypothesis build staticfiles *.egg-info
	rm -f bench/results/*.tmp
