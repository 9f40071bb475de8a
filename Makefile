# KONEPS-style e-procurement portal. `make help` lists the targets.
# Configuration comes from the environment only (README: Configuration); nothing reads a .env file
# here, so every command below sees the same settings.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
PYTEST_ARGS ?=
# Test processes (pytest-xdist): the browser and real-worker tests mostly wait, so one more than the
# cores of a small machine pays; `make test TEST_PROCESSES=0` runs in one process.
TEST_PROCESSES ?= 3
BENCH_ARGS ?=
export PORT

DEMO_PASSWORD := demo-pass-2026
DEMO_ACCOUNTS := \
	"admin@example.com       platform administrator" \
	"official@example.com    procurement official (buyer entity)" \
	"official2@example.com   second official of the same entity" \
	"evaluator@example.com   evaluation committee member" \
	"auditor@example.com     auditor (read-only, audit log)" \
	"supplier1@example.com   supplier, approved company" \
	"supplier2@example.com   supplier, approved company" \
	"supplier3@example.com   supplier, approved company" \
	"pending@example.com     supplier, company awaiting vetting" \
	"debarred@example.com    supplier, debarred company"

# Dummy production values for `make check-deploy` only: they let the production settings load.
CHECK_DEPLOY_ENV := \
	DEBUG=0 MFA_DEMO_RELAX=0 \
	SECRET_KEY=check-deploy-dummy-secret-key-not-for-use-0123456789abcdefghij \
	TRANSPARENCY_SIGNING_KEY=Y2hlY2stZGVwbG95LWR1bW15LXNpZ25pbmcta2V5ISE= \
	INTEGRITY_HASH_KEY=check-deploy-dummy-integrity-key \
	ALLOWED_HOSTS=procurement.example.org \
	CSRF_TRUSTED_ORIGINS=https://procurement.example.org \
	SITE_URL=https://procurement.example.org

# `make run` connects as an application role that may only INSERT and SELECT the audit log, and
# migrates as the owner role (scripts/setup.sh creates both). Setting DATABASE_URL yourself keeps
# the single-role set-up, as does leaving DATABASE_OWNER_URL unset.
ifeq ($(origin DATABASE_URL),undefined)
RUN_DATABASE_ENV := DATABASE_URL=postgres://procurement_app@127.0.0.1:5432/procurement \
	DATABASE_OWNER_URL=postgres://procurement_owner@127.0.0.1:5432/procurement
else
RUN_DATABASE_ENV :=
endif

.PHONY: help setup migrate run test lint bench check-deploy backup restore clean distclean

help: ## list the targets
	@awk 'BEGIN { FS = ":.*## " } /^[a-z-]+:.*## / { printf "  make %-13s %s\n", $$1, $$2 }' $(MAKEFILE_LIST)

setup: ## system libraries, .venv, PostgreSQL and Redis (started or installed where missing)
	@bash scripts/setup.sh

migrate: ## setup, then apply the database migrations
	@bash scripts/setup.sh --migrate

run: ## setup, migrate, load the demo data and run web + Celery worker + beat (Ctrl-C stops all)
	@$(RUN_DATABASE_ENV) bash scripts/setup.sh --migrate
	@$(RUN_DATABASE_ENV) MFA_DEMO_RELAX=1 TRANSPARENCY_DEMO_KEY=1 SEALING_DEMO_KEY=1 $(PY) manage.py load_demo
	@echo
	@echo "  Portal:   http://127.0.0.1:$(PORT)/"
	@echo "  Password for every demo account: $(DEMO_PASSWORD)"
	@for account in $(DEMO_ACCOUNTS); do echo "    $$account"; done
	@echo "  MFA_DEMO_RELAX=1: demo officials need not enrol TOTP. Ctrl-C stops everything."
	@echo "  Key custodians (SEALING_DEMO_KEY=1: the platform's demo key): official2@example.com passphrase"
	@echo "    demo-custodian-official2, auditor@example.com passphrase demo-custodian-auditor."
	@echo "  The tender 'Quorum opening demo' closes in about 10 minutes; both custodians then release"
	@echo "    their shares from the link in their notification (or /bids/tender/<id>/key-share/)."
	@echo
	@echo "  TRANSPARENCY_DEMO_KEY=1: tree heads are signed with the published demo key."
	@$(RUN_DATABASE_ENV) MFA_DEMO_RELAX=1 TRANSPARENCY_DEMO_KEY=1 SEALING_DEMO_KEY=1 PYTHONUNBUFFERED=1 \
		SITE_URL="$${SITE_URL:-http://127.0.0.1:$(PORT)}" \
		PATH="$(CURDIR)/$(VENV)/bin:$$PATH" \
		exec $(VENV)/bin/honcho start --procfile Procfile --env /dev/null --port $(PORT)

test: ## setup with the test tools, lint, then the whole test suite (PYTEST_ARGS passed to pytest)
	@bash scripts/setup.sh --test
	@# The two-role layout the portal runs with, prepared as `make run` does (the suite itself connects
	@# as the superuser, which pytest-django needs to create its database; tests/procurement/test_database_roles.py
	@# gives the test database the same roles and attacks the log as the application role).
	@$(RUN_DATABASE_ENV) bash scripts/setup.sh --migrate
	$(VENV)/bin/ruff check .
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest -n $(TEST_PROCESSES) $(PYTEST_ARGS)

lint: ## ruff, and fail if a model change has no migration
	@bash scripts/setup.sh --no-services
	$(VENV)/bin/ruff check .
	$(PY) manage.py makemigrations --check --dry-run

bench: ## run bench/run.py (results in bench/results/; BENCH_ARGS passed on)
	@if [ ! -f bench/run.py ]; then echo "bench: there is no bench/run.py yet"; exit 0; fi; \
	bash scripts/setup.sh --migrate; \
	mkdir -p bench/results; \
	BENCH_RESULTS_DIR=bench/results $(PY) bench/run.py $(BENCH_ARGS)

check-deploy: ## Django's deployment checks with production settings (DEBUG=0, dummy secrets)
	@bash scripts/setup.sh --no-services
	@echo "manage.py check --deploy --fail-level WARNING (DEBUG=0, dummy secrets and hosts)"
	@$(CHECK_DEPLOY_ENV) $(PY) manage.py check --deploy --fail-level WARNING

backup: ## base backup of the database into BACKUP_DIR (default var/backup; WAL archiving must be on)
	@$(PY) scripts/pitr.py backup

restore: ## restore to TARGET_TIME into RESTORE_INTO (a new directory); RESTORE_PORT starts it there
	@if [ -z "$${TARGET_TIME:-}" ] || [ -z "$${RESTORE_INTO:-}" ]; then \
		echo "usage: make restore TARGET_TIME=2026-12-01T10:00:00+09:00 RESTORE_INTO=/var/lib/postgresql/restored [RESTORE_PORT=5433]"; \
		exit 2; fi
	@$(PY) scripts/pitr.py restore --target-time "$$TARGET_TIME" --into "$$RESTORE_INTO" \
		$${RESTORE_PORT:+--port "$$RESTORE_PORT" --start}

clean: ## remove caches, collected static files and the beat schedule (keeps .venv, data, media)
	rm -rf .pytest_cache .ruff_cache var/staticfiles var/log
	rm -f var/celerybeat-schedule*
	find . -path ./$(VENV) -prune -o -type d -name __pycache__ -prune -exec rm -rf {} +

distclean: clean ## clean, and remove .venv too (the database is left alone)
	rm -rf $(VENV) *.egg-info
