# Two commands do all set-up on a fresh Debian machine: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
BENCH ?=
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Debian packages: WeasyPrint's libraries and fonts, venv for the system python.
DEB_RUN := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core python3-venv
DEB_TEST := chromium gettext

.PHONY: run test bench check deps deps-test venv migrate demo clean-venv

deps:
	@missing=""; for p in $(DEB_RUN); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "Installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; fi

deps-test: deps
	@missing=""; for p in $(DEB_TEST); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "Installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; fi

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

bench: venv
	$(PY) bench/run.py $(BENCH)

check: venv
	DJANGO_SETTINGS_MODULE=config.settings.production SECRET_KEY=check-$$(head -c 32 /dev/urandom | base64) \
	  ALLOWED_HOSTS=compliance.example DATABASE_URL=sqlite:////tmp/check.sqlite3 \
	  $(PY) manage.py check --deploy --fail-level WARNING
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

clean-venv:
	rm -rf $(VENV)
