# The two Quick start commands: `make demo` and `make test`.
.PHONY: vendor-scorm-again demo test mutate bootstrap bootstrap-dev lint lock messages check-migrations plugin-check bench-topology

demo: bootstrap
	scripts/run_demo.sh

# One pytest-xdist worker per core (PYTEST_WORKERS=0: all in this process).
PYTEST_WORKERS ?= auto

test: bootstrap-dev
	.venv/bin/python manage.py makemigrations --check --dry-run --settings=config.settings.test
	.venv/bin/pytest -n $(PYTEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

# Would the tests notice a broken rule? Mutates the modules in scripts/mutate.toml (or
# MODULES="wagtail_learning/lms/tracking.py wagtail_learning/lms/access.py"), prints the score; fails under the threshold.
mutate: bootstrap-dev
	.venv/bin/python scripts/mutate.py $(MODULES)

lint: bootstrap-dev
	.venv/bin/ruff check .
	.venv/bin/lint-imports

# Migrate a database holding the pre-move schema and data with this tree; compare every row.
# On PostgreSQL: make check-migrations MIGCHECK_ARGS="--postgres postgres://postgres@127.0.0.1:5432"
# Across the package move (decision 0036): MIGCHECK_ARGS="--base 983b8ff"
check-migrations: bootstrap-dev
	.venv/bin/python scripts/check_migration_data.py $(MIGCHECK_ARGS)

# The plugin in a site fresh from `wagtail start`: the wheel in a new virtualenv, the
# README's installation steps as written, a learner's journey to a certificate; with every
# app and with the core only, then on the next Wagtail (scripts/plugin_check.py).
PLUGIN_CHECK_ARGS ?= --also-wagtail 8.1rc1
plugin-check: bootstrap-dev
	.venv/bin/python scripts/plugin_check.py $(PLUGIN_CHECK_ARGS)

# The production topology under load (docs/deployment.md): nginx, two app servers, two worker
# clusters on Redis, SeaweedFS, PostgreSQL; an app server and a cluster SIGKILLed mid-run;
# exits non-zero when anything is lost. Installs nginx and wrk with apt-get (as root).
# E.g. TOPOLOGY_ARGS="--app-workers 4 --probe-seconds 10 --json /tmp/topology.json"
TOPOLOGY_ARGS ?=
bench-topology: bootstrap-dev
	.venv/bin/python bench/topology.py --quick $(TOPOLOGY_ARGS)

bootstrap:
	scripts/bootstrap.sh

bootstrap-dev:
	scripts/bootstrap.sh --dev

# Rebuild the Swedish message catalogue after changing translatable strings.
messages: bootstrap-dev
	cd wagtail_learning && ../.venv/bin/django-admin makemessages -l sv --no-location
	cd wagtail_learning && ../.venv/bin/django-admin compilemessages -l sv

# The SCORM runtime (scorm-again, pinned in wagtail_learning/packages/runtime/package.json
# and its package-lock.json): to update, change the version there, then `make
# vendor-scorm-again` and commit the copied files (docs/packages.md).
SCORM_AGAIN_DIR := wagtail_learning/packages/runtime
SCORM_AGAIN_VENDOR := wagtail_learning/packages/static/packages/vendor/scorm-again
vendor-scorm-again:
	cd $(SCORM_AGAIN_DIR) && npm ci --no-audit --no-fund
	mkdir -p $(SCORM_AGAIN_VENDOR)
	cp $(SCORM_AGAIN_DIR)/node_modules/scorm-again/dist/scorm12.min.js $(SCORM_AGAIN_DIR)/node_modules/scorm-again/dist/scorm2004.min.js $(SCORM_AGAIN_DIR)/node_modules/scorm-again/LICENSE $(SCORM_AGAIN_VENDOR)/
	# The source maps are not shipped: ManifestStaticFilesStorage would refuse the references.
	sed -i '/^\/\/# sourceMappingURL=/d' $(SCORM_AGAIN_VENDOR)/scorm12.min.js $(SCORM_AGAIN_VENDOR)/scorm2004.min.js
	node -e "console.log(require('./$(SCORM_AGAIN_DIR)/node_modules/scorm-again/package.json').version)" > $(SCORM_AGAIN_VENDOR)/VERSION

