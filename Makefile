# Every target bootstraps .venv on first use, so `make test` alone works on a fresh clone.
# The targets run the installed `vpbx` command (.venv/bin/vpbx); settings come from the command
# line or the environment, under the names `vpbx <command> --help` lists, e.g.
#   make contract BASE_URL=https://staging.example API_TOKEN=... ALLOW_WRITES=1
#   make mock PORT=9000

SHELL := /bin/bash
# Python writes its bytecode caches here even where the image turns them off: without them every
# pytest process compiles and assertion-rewrites some 445 modules again (collection 12 s, not 6).
unexport PYTHONDONTWRITEBYTECODE
BIN := .venv/bin
READY := .venv/.ready
# Prism and autocannon, pinned by tools/package-lock.json, installed with npm ci.
NODE_TOOLS := tools/node_modules/.ready
# cosmic-ray (make mutation), pinned by requirements-mutation.txt, installed into .venv.
MUTATION_READY := .venv/.mutation-ready
# The workflow's linters (make check), pinned by requirements-lint.txt, installed into .venv.
LINT_READY := .venv/.lint-ready
# matplotlib (make bench's charts), pinned by requirements-bench.txt, installed into .venv.
BENCH_READY := .venv/.bench-ready
# make clients: the Python generators and mypy (requirements-clients.txt, into .venv) and the
# TypeScript ones (clients/package-lock.json, npm ci into clients/node_modules).
CLIENTS_READY := .venv/.clients-ready
CLIENT_TOOLS := clients/node_modules/.ready

.DEFAULT_GOAL := help
.PHONY: help venv node-tools generate check breaking docs test test-fast contract selftest bench mutation mock validate-traffic proxy clients clean

help:
	@echo "make contract   run the contract suite (against the bundled mock unless BASE_URL is set)"
	@echo "make test       spec checks, every test and the self-test"
	@echo "make test-fast  the tests not marked slow and a sample of the self-test (one variant of each class)"
	@echo "make check      validate and lint openapi/openapi.yaml (ours and Redocly's rules); provider drift; fail if generated/ drifted; lint the workflow"
	@echo "make breaking   fail if openapi/openapi.yaml breaks clients or servers of BASE (default: merge base with main)"
	@echo "make docs       render the document to build/docs/index.html"
	@echo "make generate   regenerate generated/models.py from the document"
	@echo "make mock       serve the reference mock on HOST:PORT (default 127.0.0.1:8080)"
	@echo "make selftest   prove the suite: broken servers it must fail, conforming ones it must pass"
	@echo "make bench      benchmarks: the mock against Prism, the suite's cost; writes bench/RESULTS.md and bench/charts/"
	@echo "make mutation   cosmic-ray over the mock in a temporary copy, make contract as the test; writes mutation/RESULTS.md"
	@echo "make validate-traffic HAR=file.har   check recorded traffic against the contract (nothing is sent)"
	@echo "make proxy UPSTREAM=https://... [PORT=8081]   a reverse proxy that checks live traffic"
	@echo "make clients    generate clients with openapi-python-client, openapi-generator, openapi-typescript and hey-api; type-check them; drive each against the mock"
	@echo "make node-tools install the pinned Node tools into tools/node_modules (the targets that need them do)"
	@echo "make venv       create .venv with every dependency pinned (every target does it first)"
	@echo "make clean      remove .venv, reports, caches and tools/node_modules"
	@echo "Every target runs .venv/bin/vpbx or python; settings: vpbx <command> --help"

$(READY): pyproject.toml constraints.txt scripts/bootstrap-venv.sh
	scripts/bootstrap-venv.sh

venv: $(READY)

$(NODE_TOOLS): tools/package.json tools/package-lock.json
	cd tools && npm ci --no-audit --no-fund --loglevel=error
	touch $@

node-tools: $(NODE_TOOLS)

generate: $(READY)
	$(BIN)/datamodel-codegen

$(LINT_READY): $(READY) requirements-lint.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check \
	  --constraint constraints.txt --requirement requirements-lint.txt
	touch $@

# Redocly CLI (a node tool) lints the document beside our own rules; every check must run here.
# Then the adoptable workflow: its schema (SchemaStore's, vendored) and zizmor's audits.
check: $(READY) $(NODE_TOOLS) $(LINT_READY)
	$(BIN)/vpbx check --require-complete
	$(BIN)/check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml
	$(BIN)/zizmor --offline --quiet --config .github/zizmor.yml .github/workflows/

# make breaking BASE=<git ref>: empty means the merge base with main.
BASE ?=
breaking: $(READY) $(NODE_TOOLS)
	$(BIN)/python -m vpbx_spec.breaking $(if $(BASE),--base $(BASE))

# The rendered reference (Redoc, by Redocly CLI): build/docs/index.html, not committed.
docs: $(READY) $(NODE_TOOLS)
	$(BIN)/python -m vpbx_spec.docs

# The mutation runner's own tests need cosmic-ray installed (not the mutation run itself), the
# charts' test matplotlib.
# pytest in one worker process per CPU and one more (pytest-xdist): many tests wait on a process
# they started, and a third worker on 2 cores fills that time (measured: 272 s -> 228 s). Tests
# that must not run at the same time share an xdist_group, which --dist loadgroup keeps on one worker.
PYTEST_WORKERS := $(shell echo $$(( $$(getconf _NPROCESSORS_ONLN) + 1 )))
PYTEST_PARALLEL := -n $(PYTEST_WORKERS) --dist loadgroup
test: check $(NODE_TOOLS) $(MUTATION_READY) $(BENCH_READY)
	$(BIN)/python -m pytest $(PYTEST_PARALLEL)
	$(BIN)/python -m tests.selftest

# The edit-and-test loop: no spec checks, no test marked slow, one self-test variant per class.
test-fast: $(NODE_TOOLS) $(MUTATION_READY) $(BENCH_READY)
	$(BIN)/python -m pytest $(PYTEST_PARALLEL) -m "not slow"
	SELFTEST_SAMPLE=1 $(BIN)/python -m tests.selftest

contract: $(READY)
	$(BIN)/vpbx contract

selftest: $(READY) $(NODE_TOOLS)
	$(BIN)/python -m tests.selftest

bench: $(READY) $(NODE_TOOLS) $(BENCH_READY)
	$(BIN)/python -m bench

$(BENCH_READY): $(READY) requirements-bench.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check \
	  --constraint constraints.txt --requirement requirements-bench.txt
	touch $@

# cosmic-ray and its dependencies, pinned in requirements-mutation.txt; only this target needs them.
$(MUTATION_READY): $(READY) requirements-mutation.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check \
	  --constraint constraints.txt --requirement requirements-mutation.txt
	touch $@

# Minutes, not seconds: not part of `make test`. MUTATION=rerun runs the last session's
# survivors again on HEAD's suite; MUTATION=report only rebuilds mutation/RESULTS.md.
mutation: $(READY) $(MUTATION_READY)
	$(BIN)/python -m mutation $(MUTATION)

mock: $(READY)
	$(BIN)/vpbx mock

$(CLIENTS_READY): $(READY) requirements-clients.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check \
	  --constraint constraints.txt --requirement requirements-clients.txt
	touch $@

$(CLIENT_TOOLS): clients/package.json clients/package-lock.json
	cd clients && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Third-party generators against the document (docs/clients.md): the code goes to
# build/clients/ (not committed); openapi-generator needs a Java runtime on PATH.
clients: $(CLIENTS_READY) $(CLIENT_TOOLS)
	$(BIN)/python clients/run.py

# Nothing is sent: the exchanges of a HAR file are judged. BASE_URL picks the server (default:
# the document's); CLIENTS=strict fails on requests that break the contract too. The verdict is
# the server's: exit 0 conforms, 1 violations, 2 unreadable or nothing judged (make reports 2).
validate-traffic: $(READY)
	@test -n "$(HAR)" || { echo "usage: make validate-traffic HAR=path/to/file.har [BASE_URL=...]" >&2; exit 2; }
	$(BIN)/vpbx validate-traffic "$(HAR)"

# Forwards to UPSTREAM unchanged and checks every exchange; reports written on Ctrl-C.
proxy: $(READY)
	$(BIN)/vpbx proxy

clean:
	rm -rf .venv .data reports .pytest_cache .hypothesis tools/node_modules clients/node_modules build/clients
