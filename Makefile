# Every target bootstraps .venv on first use, so `make test` alone works on a fresh clone.

SHELL := /bin/bash
BIN := .venv/bin
READY := .venv/.ready

.DEFAULT_GOAL := help
.PHONY: help venv generate check test clean

help:
	@echo "make test       spec checks and every test"
	@echo "make check      validate and lint openapi/openapi.yaml; fail if generated/ drifted"
	@echo "make generate   regenerate generated/models.py from the document"

$(READY): pyproject.toml constraints.txt scripts/bootstrap-venv.sh
	scripts/bootstrap-venv.sh

venv: $(READY)

generate: $(READY)
	$(BIN)/datamodel-codegen

check: $(READY)
	$(BIN)/python -m vpbx_spec

test: check
	$(BIN)/python -m pytest

clean:
	rm -rf .venv .data reports .pytest_cache .hypothesis
