"""Runs of the contract suite (`vpbx contract`'s own entry point, vpbx_suite.__main__.main), each
in its own process, forked from a server process that has imported the suite and its libraries
once: a variant's run then starts without re-importing schemathesis, hypothesis and pytest
(measured: about 2.5 s of CPU less a run than `make contract`, 125 runs a self-test).

Each run is still a process of its own: its own environment, signals, exit status, output and
pytest session, as `vpbx contract` gets them; only the imports are shared.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path

from vpbx_spec.document import REPOSITORY_ROOT

# Imported once in the fork server; what a run imports later is its own.
# Libraries and the suite's runner only: the target tests read their settings when imported
# (tests/selftest/preload.py: what else, and the one cache it fills).
PRELOAD = ["vpbx_suite.__main__", "schemathesis", "schemathesis.pytest.plugin", "hypothesis", "httpx", "jinja2",
           "tests.selftest.preload"]
_CONTEXT = multiprocessing.get_context("forkserver")
_CONTEXT.set_forkserver_preload(PRELOAD)
TIMEOUT_S = 600


def _run(settings: dict[str, str], output_path: str) -> None:
    """In the forked process: what `vpbx contract` does with these settings, printing into a file."""
    with open(output_path, "wb") as output:
        os.dup2(output.fileno(), 1)
        os.dup2(output.fileno(), 2)
    os.chdir(REPOSITORY_ROOT)
    os.environ.update(settings)
    random.seed()  # not the fork server's state, shared by every run
    from vpbx_suite.__main__ import main

    try:
        status = main(dict(os.environ))
    except SystemExit as stop:
        status = stop.code if isinstance(stop.code, int) else 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


def run_suite(settings: Mapping[str, str]) -> tuple[int, str]:
    """(exit status, everything printed) of one run of the suite with these settings."""
    with tempfile.NamedTemporaryFile(prefix="vpbx-selftest-run-", suffix=".log") as output:
        process = _CONTEXT.Process(target=_run, args=(dict(settings), output.name))
        process.start()
        process.join(TIMEOUT_S)
        if process.exitcode is None:
            process.kill()
            process.join()
        printed = Path(output.name).read_text(encoding="utf-8", errors="replace")
    status = process.exitcode if process.exitcode is not None else -9
    return status, printed
