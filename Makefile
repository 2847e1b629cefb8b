# The two commands: `make run` serves the API locally, `make test` runs the whole suite.
# Both install what is missing first (uv for Python packages, npm for the CDK CLI, apt for the
# Chromium the browser tests drive).
SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.9
VENV := .venv
PY := $(VENV)/bin/python
CHROMIUM := /usr/bin/chromium
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export UV_LINK_MODE := copy

# The dependency layer (layers/dependencies/build.py): rebuilt when the lock or the recipe changes.
LAYER := layers/dependencies/build/.built

.PHONY: run test lint bench openapi docs synth deploy layer clean help

help:
	@echo "make run      serve the API and the web client on http://127.0.0.1:$${PORT:-3000} (embedded AWS emulation)"
	@echo "make test     install what is missing and run the whole suite (lint first)"
	@echo "make lint     ruff format --check, ruff check (whole tree) and mypy (strict on portal/, functions/)"
	@echo "make bench    performance figures: table on stdout, bench/results.json (fails on extra AWS calls)"
	@echo "make openapi  regenerate docs/openapi.json from the code"
	@echo "make docs     regenerate README's audit event table and docs/operations.md's saved queries from the code"
	@echo "make synth    synthesize the CDK app (STAGE=dev|prod)"
	@echo "make deploy   deploy a stage (STAGE=dev|prod), then make its first access-token key if it has none"
	@echo "make layer    build the Lambda dependency layer (pip, no Docker)"

# Quiet installs, so each says first what it is doing and about how long it takes.
$(VENV)/.synced: pyproject.toml uv.lock
	@echo "Installing the Python packages into $(VENV)/ with uv (first run, or after a lock change: a minute or two)..."
	@$(PYTHON) -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"
	@$(PYTHON) -m uv sync --frozen --quiet
	@touch $@
	@echo "Python packages installed."

node_modules/.installed: package.json package-lock.json
	@echo "Installing the AWS CDK CLI into node_modules/ with npm (needs Node.js; for make test and make synth, not make run)..."
	@npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# uv (installed by the venv step) exports the pins; pip fetches Linux wheels for Python 3.13.
$(LAYER): layers/dependencies/build.py uv.lock pyproject.toml | $(VENV)/.synced
	@echo "Building the Lambda dependency layer (pip, Linux wheels for Python 3.13: about a minute)..."
	$(PYTHON) layers/dependencies/build.py

layer: $(LAYER)

run: $(VENV)/.synced
	$(PY) -m local

# The gates run first: a formatting or lint finding fails in seconds, not after the suite.
lint: $(VENV)/.synced
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

test: lint $(VENV)/.synced node_modules/.installed $(LAYER) $(CHROMIUM)
	$(PY) -m pytest

# The browser tests drive Debian's Chromium through Playwright (which cannot download its own
# browsers here); installed once, as root or through sudo.
$(CHROMIUM):
	@echo "Installing Chromium with apt-get for the browser tests (about 20 s)..."
	@if [ "$$(id -u)" -ne 0 ]; then sudo=sudo; fi; \
	  $$sudo apt-get update -qq && $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium

# Separate from `make test`: timings are figures to read, not pass or fail (except AWS call counts).
bench: $(VENV)/.synced $(LAYER)
	$(PY) -m bench

openapi: $(VENV)/.synced
	$(PY) -m functions.openapi > docs/openapi.json

docs: $(VENV)/.synced
	$(PY) -m ops.generated_docs

synth: $(VENV)/.synced node_modules/.installed $(LAYER)
	npx cdk synth --quiet -c stage=$${STAGE:-dev}

# A stage's deploy, then `portal-admin keys ensure` on what it deployed (the stack's outputs): the
# first access-token key if the stage has none, nothing otherwise. Sign-in answers 503 until a key
# exists, so the two steps go together (docs/operations.md: deploy a stage). The operator's own
# credentials do both; CDK_DEPLOY_ARGS passes more to cdk (e.g. --require-approval never).
DEPLOY_OUTPUTS = cdk.out/outputs-$(STAGE).json
ifneq ($(filter deploy,$(MAKECMDGOALS)),)
ifeq ($(STAGE),)
$(error make deploy needs STAGE=<name>, a stage of cdk.json)
endif
endif
deploy: $(VENV)/.synced node_modules/.installed $(LAYER)
	npx cdk deploy -c stage=$(STAGE) --outputs-file $(DEPLOY_OUTPUTS) $(CDK_DEPLOY_ARGS)
	$(VENV)/bin/portal-admin --stack-outputs $(DEPLOY_OUTPUTS) keys ensure --reason "make deploy STAGE=$(STAGE)"

clean:
	rm -rf $(VENV) node_modules cdk.out .pytest_cache
