# Linkage: the two commands a newcomer needs are `make dev` and `make test`.
# Each creates .venv and installs what is missing first, so both work on a fresh clone.

SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: dev test lint format bench install tools screenshots docs clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[postgres,test]'
	@touch $(STAMP)

install: $(STAMP)

## dev: embedded broker, gateway, demo clients and connectors; prints the URLs
dev: $(STAMP)
	$(BIN)/hub dev

## test: the whole suite (SQLite always, PostgreSQL too when it is reachable)
test: $(STAMP) tools
	$(BIN)/pytest

## tools: what some tests use from Debian's packages: kcat, chromium and chromium-driver
tools:
	@./.ci/install-debian-tools

## docs: regenerate docs/configuration.md from the settings model (a test checks it)
docs: $(STAMP)
	$(BIN)/python -m hub.config_reference > docs/configuration.md

## lint: ruff, mypy (strict for hub/), then the schema catalogue and policy checks and cases
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/hub schemas check
	$(BIN)/hub policy lint
	$(BIN)/hub policy test

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## bench: throughput ratios against raw kafka-python and raw fastavro, the policy's and the audit log's cost,
##        connectors through the outbox against raw produce, and every archived event walked in pages of 1, 7 and 500
bench: $(STAMP)
	$(BIN)/python bench/pipeline.py
	$(BIN)/python bench/serde.py
	$(BIN)/python bench/policy.py
	$(BIN)/python bench/audit.py
	$(BIN)/python bench/integrator.py
	$(BIN)/python bench/connector.py
	$(BIN)/python bench/history.py
	$(BIN)/python bench/limits.py

## screenshots: the console pages the README shows (needs chromium; CJK text needs fonts-noto-cjk)
screenshots: $(STAMP) tools
	$(BIN)/python docs/screenshots/capture.py

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
