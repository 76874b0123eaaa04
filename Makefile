# Newsroom: `make run` to try it, `make test` to test it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install browser varnish-install run test lint serve varnish bench clean import-samples

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

# End-to-end tests drive Debian's Chromium; Playwright never downloads a browser.
browser:
	@test -x /usr/bin/chromium || { \
	  echo "Installing Debian's chromium for the browser tests..."; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends chromium; }

# Debian's Varnish and varnish-modules (xkey): the tests start their own, and
# `make varnish` runs one in front of `make serve`.
varnish-install:
	@{ command -v varnishd >/dev/null && dpkg -s varnish-modules >/dev/null 2>&1; } || { \
	  echo "Installing Debian's varnish and varnish-modules..."; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends \
	    varnish varnish-modules; }

# A local development site on the embedded SQLite database, with demo content.
run: export DEBUG ?= 1
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo --site-url http://$(HOST):$(PORT)
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# The production way: gunicorn, DEBUG off, WhiteNoise with compressed hashed static
# files. Needs SECRET_KEY (environment or .env); DATABASE_URL/CACHE_URL as configured.
# Workers: WEB_CONCURRENCY (default 2). Plain-HTTP trials: SECURE_SSL_REDIRECT=0 SECURE_COOKIES=0.
serve: export DEBUG = 0
serve: install
	@[ -n "$$SECRET_KEY" ] || grep -qs '^SECRET_KEY=.' .env || \
	  { echo "make serve: set SECRET_KEY in the environment or in .env" >&2; exit 1; }
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput -v 0
	$(BIN)/gunicorn newsroom.wsgi --bind $(HOST):$(PORT) --workers $${WEB_CONCURRENCY:-2} \
	  --access-logfile - --forwarded-allow-ips "$${FORWARDED_ALLOW_IPS:-127.0.0.1}"

# Varnish on VARNISH_PORT in front of `make serve` on PORT: the server that
# faces the internet (behind TLS). Run `make serve` with
# VARNISH_URLS=http://127.0.0.1:$(VARNISH_PORT) so that changes purge it.
VARNISH_PORT ?= 6081
VARNISH_MEMORY ?= 256m
varnish: varnish-install
	mkdir -p var/varnish && chmod 755 var var/varnish
	sed 's/\.port = "8000";/.port = "$(PORT)";/' deploy/varnish/newsroom.vcl > var/varnish/newsroom.vcl
	chmod 644 var/varnish/newsroom.vcl
	varnishd -F -a $(HOST):$(VARNISH_PORT) -f $(CURDIR)/var/varnish/newsroom.vcl \
	  -n $(CURDIR)/var/varnish/work -s malloc,$(VARNISH_MEMORY) -t 0

# The side-by-side HTTP benchmark (docs/benchmarks.md): Newsroom beside the
# Wagtail peer and the static ceiling. Needs wrk and ../shared/bench.
bench: install
	bench/http/setup.sh $(or $(ARTICLES),2000)
	bench/http/run.sh $(or $(ARTICLES),2000)

# The whole suite. DATABASE_URL=postgres://... make test runs it on PostgreSQL.
test: install browser varnish-install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Style, and the apps' layering (pyproject.toml [tool.importlinter]).
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

# Import each shared legacy sample (and the seed page dump), when present, into
# a scratch database three times; they stay outside the project. SHARED=DIR
# points at them from a clone elsewhere.
SHARED ?= ../shared
import-samples: install
	$(BIN)/python bench/import/samples.py --shared $(SHARED)

clean:
	rm -rf $(VENV) staticfiles
