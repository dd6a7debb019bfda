"""Which modules are mutated, and the cosmic-ray configuration that says so.

Every module of `vpbx_mock/` is mutated except the process entry and its settings: `__main__`
reads the environment and starts uvicorn, `settings` parses host, port, token and database
path. Neither decides what an answer says, so no contract promise can depend on them, and a
mutant there mostly stops the mock from starting (a kill that says nothing of the suite).
`__init__` holds only a docstring. The fault injection (`faults`, `fault_middleware`,
`resettable_http`) runs only with MOCK_FAULTS, which the contract suite never sets: its mutants
could not be killed by the suite, by design; its own tests (tests/test_mock_faults.py) cover it.
"""

from __future__ import annotations

import sys
from pathlib import Path

MOCK_PACKAGE = "vpbx_mock"
OUT_OF_SCOPE = {
    "__init__.py": "a docstring only",
    "__main__.py": "process entry: reads the environment and starts uvicorn",
    "settings.py": "host, port, token and database path from the environment",
    "faults.py": "MOCK_FAULTS only: the suite never runs a faulty mock",
    "fault_middleware.py": "MOCK_FAULTS only: the suite never runs a faulty mock",
    "resettable_http.py": "MOCK_FAULTS only: the suite never runs a faulty mock",
}
# Per mutant. An unmutated run takes about 11 s alone; two workers on two cores slow each
# other down. A mutant that loops forever is stopped here and counted as killed.
TEST_TIMEOUT_SECONDS = 90.0


def behaviour_modules(copy: Path) -> list[str]:
    """The mock's modules to mutate, relative to the copy, read from the directory.

    A module added to the mock later is mutated without editing this list.
    """
    package = copy / MOCK_PACKAGE
    return sorted(f"{MOCK_PACKAGE}/{path.name}" for path in package.glob("*.py")
                  if path.name not in OUT_OF_SCOPE)


def test_command() -> str:
    """The suite against the bundled mock; the copy and the fast settings come from the env."""
    return f"{sys.executable} -m vpbx_suite"


def write_config(path: Path, modules: list[str], worker_urls: list[str]) -> None:
    """The TOML cosmic-ray reads (its format: `cosmic-ray new-config`)."""
    quoted = ", ".join(f'"{module}"' for module in modules)
    urls = ", ".join(f'"{url}"' for url in worker_urls)
    path.write_text(
        "[cosmic-ray]\n"
        f"module-path = [{quoted}]\n"
        f"timeout = {TEST_TIMEOUT_SECONDS}\n"
        "excluded-modules = []\n"
        f'test-command = "{test_command()}"\n'
        "\n[cosmic-ray.distributor]\n"
        'name = "http"\n'
        "\n[cosmic-ray.distributor.http]\n"
        f"worker-urls = [{urls}]\n",
        encoding="utf-8")
