# Two commands do all set-up on a fresh Debian machine: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
BENCH ?=
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
AS_PG := $(shell [ "$$(id -u)" = 0 ] && echo "runuser -u postgres --" || echo "sudo -u postgres")
# Debian packages: WeasyPrint's libraries and fonts, venv for the system python.
DEB_RUN := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core python3-venv
DEB_TEST := chromium gettext

# PostgreSQL + Redis on this machine, for the real-service suite and the benchmarks.
PG_URL := postgres://compliance:compliance@127.0.0.1:5432/compliance
REDIS_URL := redis://127.0.0.1:6379/0

.PHONY: run test test-postgres bench check deps deps-test venv migrate demo services clean-venv

deps:
	@missing=""; for p in $(DEB_RUN); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "Installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; fi

deps-test: deps
	@missing=""; for p in $(DEB_TEST); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "Installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; fi
	@# axe-core for the accessibility tests, pinned by package-lock.json; Debian's npm only where
	@# no npm is on the PATH (a machine with another Node.js build keeps its own npm).
	@command -v npm >/dev/null || { echo "Installing Debian packages: nodejs npm"; \
	  $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null; }
	@[ -f node_modules/axe-core/axe.min.js ] || { echo "Installing axe-core (npm ci)"; \
	  npm ci --no-audit --no-fund --loglevel=error; }

# The virtual environment is rebuilt only when requirements.lock changes.
venv: deps
	@want=$$(sha256sum requirements.lock | cut -d' ' -f1); \
	if [ "$$(cat $(VENV)/.lock-sha256 2>/dev/null)" != "$$want" ]; then \
	  echo "Installing Python dependencies into $(VENV)"; \
	  [ -x $(PY) ] || $(PYTHON) -m venv $(VENV); \
	  $(PY) -m pip install -q --disable-pip-version-check --require-hashes -r requirements.lock \
	    2> >(grep -v "^WARNING: Location" >&2) && echo "$$want" > $(VENV)/.lock-sha256; \
	fi

migrate: venv
	@$(PY) manage.py migrate --no-input -v0

demo: migrate
	@$(PY) manage.py load_demo

run: demo
	@PORT=$(PORT) $(PY) manage.py run_all

test: venv deps-test
	$(PY) -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

# Installs (if missing) and starts PostgreSQL and Redis on loopback, with a `compliance` role.
services:
	@missing=""; for p in postgresql redis-server; do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "Installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; fi
	@v=$$(ls /usr/lib/postgresql | sort -n | tail -1); \
	pg_lsclusters -h | grep -q "^$$v main" || $(SUDO) pg_createcluster $$v main >/dev/null; \
	pg_lsclusters -h | grep -q "^$$v main .* online" || $(SUDO) pg_ctlcluster $$v main start; \
	for i in $$(seq 1 30); do pg_isready -h 127.0.0.1 -q && break; sleep 1; done; \
	$(AS_PG) psql -qtAc "SELECT 1 FROM pg_roles WHERE rolname='compliance'" | grep -q 1 \
	  || $(AS_PG) psql -qc "CREATE ROLE compliance LOGIN SUPERUSER PASSWORD 'compliance'"; \
	$(AS_PG) psql -qtAc "SELECT 1 FROM pg_database WHERE datname='compliance'" | grep -q 1 \
	  || $(AS_PG) createdb -O compliance compliance
	@redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 || redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --dir /tmp --save '' >/dev/null
	@for i in $$(seq 1 30); do redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && break; sleep 1; done
	@echo "PostgreSQL: $(PG_URL)  Redis: $(REDIS_URL)"

# The suite against PostgreSQL + Redis (CI runs it after `make test`).
test-postgres: venv deps-test services
	DATABASE_URL=$(PG_URL) CELERY_BROKER_URL=$(REDIS_URL) $(PY) -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

# Benchmarks run on PostgreSQL + Redis, as production does.
bench: venv services
	DATABASE_URL=$${DATABASE_URL:-$(PG_URL)} CELERY_BROKER_URL=$${CELERY_BROKER_URL:-$(REDIS_URL)} \
	  $(PY) bench/run.py $(BENCH)

check: venv
	DJANGO_SETTINGS_MODULE=config.settings.production SECRET_KEY=check-$$(head -c 32 /dev/urandom | base64) \
	  ALLOWED_HOSTS=compliance.example SITE_URL=https://compliance.example \
	  DATABASE_URL=sqlite:////tmp/check.sqlite3 \
	  $(PY) manage.py check --deploy --fail-level WARNING
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

clean-venv:
	rm -rf $(VENV)
