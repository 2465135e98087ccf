# Booké: `make run` for the site with demo content, `make test` for the suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cksum < requirements.lock | cut -d' ' -f1)
HOST   ?= 127.0.0.1
PORT   ?= 8000
export DJANGO_SETTINGS_MODULE ?= booke.settings.dev
# pytest-xdist workers for `make test` (auto: one per core; 0: in this process).
PYTEST_WORKERS ?= auto
# Chromium is heavy: the browser tests keep one process per core whatever PYTEST_WORKERS says.
BROWSER_WORKERS ?= auto

.PHONY: run prod-local test test-quick venv lint migrate seed worker bench clean messages

venv: $(STAMP)

# The virtualenv is rebuilt only when the lock file changes.
$(STAMP): requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit("Python 3.11+ is needed") if sys.version_info < (3, 11) else None'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	rm -f $(VENV)/.installed-*
	touch $@

# One line, not one per migration (hundreds): -v0 still prints an error and its traceback.
migrate: venv
	@echo "Migrating the database (manage.py migrate)..."
	@$(BIN)/python manage.py migrate --noinput -v0

seed: migrate
	$(BIN)/python manage.py seed_demo

# The site and a django-q2 worker, both stopped by one Ctrl-C.
run: seed
	@echo
	@echo "  Site        http://$(HOST):$(PORT)/"
	@echo "  Shop        http://$(HOST):$(PORT)/shop/"
	@echo "  My space    http://$(HOST):$(PORT)/portal/"
	@echo "  Studio      http://$(HOST):$(PORT)/admin/      (photographers, retouchers)"
	@echo "  CMS         http://$(HOST):$(PORT)/cms/        (editors)"
	@echo "  Shop admin  http://$(HOST):$(PORT)/dashboard/  (shop managers)"
	@echo "  Emails      var/mail/  (what the studio sends, written to files)"
	@echo
	@$(BIN)/python manage.py demo_logins
	@echo
	@trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py qcluster & worker=$$!; \
	$(BIN)/python manage.py runserver --noreload $(HOST):$(PORT)

worker: venv
	$(BIN)/python manage.py qcluster

# The production topology on loopback (docs/deploy.md): production settings over plain http,
# PostgreSQL (DATABASE_URL, created if missing), Redis broker (REDIS_URL), moto's S3 server,
# gunicorn and qcluster with 2 workers each. Ctrl-C stops everything. PROD_ARGS: more options
# of `python -m bench.stack` (--fresh, --no-seed, --web-workers N…).
prod-local: venv
	$(BIN)/python -m bench.stack --port $(or $(PROD_PORT),8001) $(PROD_ARGS)

# The French catalogue (locale/fr): collects every marked string of our code into the .po
# (new ones arrive with an empty msgstr, near-matches of old ones as "fuzzy": both are still
# English on the site until translated and un-fuzzied), then compiles the .mo that Django
# reads, and counts what is left. Both files are committed: running the site needs no
# gettext, this target does (apt-get install gettext). English later: LANGS="fr en".
LANGS ?= fr
I18N_IGNORE := $(foreach d,.* var tests bench docs static node_modules,--ignore '$(d)')
messages: venv
	$(BIN)/python manage.py makemessages $(foreach l,$(LANGS),-l $(l)) --domain django \
	  --add-location file $(I18N_IGNORE)
	$(BIN)/python manage.py compilemessages $(foreach l,$(LANGS),-l $(l)) $(I18N_IGNORE)
	@for l in $(LANGS); do po=locale/$$l/LC_MESSAGES/django.po; printf '%s: ' $$po; \
	  msgfmt --statistics -o /dev/null $$po; done
	@echo "To translate: msgattrib --untranslated, then --only-fuzzy, on that file (or any .po editor)."

lint: venv
	$(BIN)/ruff check .
	$(BIN)/bandit -r booke booker shop editorial -ll -q
	$(BIN)/lint-imports --no-cache

# The whole suite: lint, migrations in step with the models, then pytest.
# DATABASE_URL picks the database (SQLite under var/ when unset). Each process's test database
# is a copy of one migrated template, built when a migration changes (tests/conftest.py).
test: venv
	$(BIN)/ruff check .
	$(BIN)/bandit -r booke booker shop editorial -ll -q
	$(BIN)/lint-imports --no-cache
	DJANGO_SETTINGS_MODULE=booke.settings.test $(BIN)/python manage.py makemigrations --check --dry-run
	# On every core (pytest-xdist), a test file per worker at a time: a file's module-scoped
	# objects (the access policy's world) are built once. The browser tests follow, each worker
	# with its own database and live server (the live server needs committed data). Tests that
	# really commit empty the database or migrate it back and forth (tests/conftest.py): they
	# come last, in a pass of their own, so that no other test meets the database they leave.
	DJANGO_SETTINGS_MODULE=booke.settings.test $(BIN)/python -m pytest \
	  -n $(PYTEST_WORKERS) --dist loadfile -m "not transactional and not browser" $(PYTEST_ARGS)
	DJANGO_SETTINGS_MODULE=booke.settings.test $(BIN)/python -m pytest \
	  -n $(BROWSER_WORKERS) --dist loadfile -m "browser" $(PYTEST_ARGS)
	DJANGO_SETTINGS_MODULE=booke.settings.test $(BIN)/python -m pytest \
	  -n $(PYTEST_WORKERS) --dist loadfile -m "transactional and not browser" $(PYTEST_ARGS)

# The fast loop while working: ruff and the import contracts, then the tests that take less than a second each, on
# every core. Left out (pyproject.toml's markers): slow, browser, bench, deploy, and the tests
# that commit. `make test` before pushing runs them all.
QUICK := not (slow or browser or bench or deploy or transactional)
test-quick: venv
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache
	DJANGO_SETTINGS_MODULE=booke.settings.test $(BIN)/python -m pytest \
	  -n $(PYTEST_WORKERS) --dist loadfile -m "$(QUICK)" $(PYTEST_ARGS)

clean:
	rm -rf var/ .pytest_cache
