"""Before any mutant: the unmutated copy must pass, and a broken copy must fail.

The second run is the proof that the test command really runs the copy's code: a mock broken
in the copy (an import that raises) must make the suite fail. Were the suite testing the
working tree through the venv's editable install, every mutant would survive.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from mutation.config import test_command
from mutation.copy import test_environment

CANARY_MODULE = "vpbx_mock/errors.py"
CANARY = '\nraise RuntimeError("mutation canary: the test command must see this copy")\n'


def run_suite(copy: Path, timeout: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run(test_command().split(), cwd=copy, env=test_environment(copy),
                          capture_output=True, text=True, timeout=timeout)


def baseline(copy: Path, timeout: float) -> float:
    """The suite against the unmutated copy; its duration. Raises unless it passes."""
    import time
    started = time.monotonic()
    result = run_suite(copy, timeout)
    if result.returncode != 0:
        raise RuntimeError("baseline: the suite fails the unmutated mock; nothing to measure\n"
                           + result.stdout[-3000:] + result.stderr[-3000:])
    return time.monotonic() - started


def canary(copy: Path, timeout: float) -> None:
    """Break the copy's mock; the suite must fail. The module is restored afterwards."""
    module = copy / CANARY_MODULE
    original = module.read_bytes()
    try:
        module.write_bytes(original + CANARY.encode())
        result = run_suite(copy, timeout)
    finally:
        module.write_bytes(original)
    if result.returncode == 0:
        raise RuntimeError(f"canary: the suite passed with {CANARY_MODULE} broken in {copy}; "
                           "it is not testing the copy")
