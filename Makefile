# Every target bootstraps .venv on first use, so `make test` alone works on a fresh clone.
# Settings come from the command line or the environment, e.g.
#   make contract BASE_URL=https://staging.example API_TOKEN=... ALLOW_WRITES=1
#   make mock PORT=9000

SHELL := /bin/bash
BIN := .venv/bin
READY := .venv/.ready

.DEFAULT_GOAL := help
.PHONY: help venv generate check test contract mock clean

help:
	@echo "make contract   run the contract suite (against the bundled mock unless BASE_URL is set)"
	@echo "make test       spec checks and every test"
	@echo "make check      validate and lint openapi/openapi.yaml; fail if generated/ drifted"
	@echo "make generate   regenerate generated/models.py from the document"
	@echo "make mock       serve the reference mock on HOST:PORT (default 127.0.0.1:8080)"

$(READY): pyproject.toml constraints.txt scripts/bootstrap-venv.sh
	scripts/bootstrap-venv.sh

venv: $(READY)

generate: $(READY)
	$(BIN)/datamodel-codegen

check: $(READY)
	$(BIN)/python -m vpbx_spec

test: check
	$(BIN)/python -m pytest

contract: $(READY)
	$(BIN)/python -m vpbx_suite

mock: $(READY)
	$(BIN)/python -m vpbx_mock

clean:
	rm -rf .venv .data reports .pytest_cache .hypothesis
