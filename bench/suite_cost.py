"""Part 2: what our contract suite costs per test case next to a plain `schemathesis run`
over the same document, against the same running mock, with the same example count and seed.

Both commands are timed whole (interpreter start-up included), as a user runs them. Every
variant runs once per round, ROUNDS rounds, interleaved, and the fastest run of each
variant counts: the least disturbed by whatever else the machine was doing.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench.paths import DOCUMENT_PATH, REPOSITORY_ROOT, SCHEMATHESIS
from bench.progress import Progress
from vpbx_suite.coverage import REPORT_NAME as COVERAGE_REPORT
from vpbx_suite.mock_process import MockProcess
from vpbx_suite.schemathesis_config import SECURITY_SCHEME

MAX_EXAMPLES = 300  # large enough that start-up (~1-4 s per command) does not dominate
SMALL_MAX_EXAMPLES = 1  # a second, small run of each splits start-up from per-case cost
SEED = 20250101
ROUNDS = 3
VARIANTS = 4
STEPS = VARIANTS * ROUNDS
COMMAND_TIMEOUT = 600.0
# The checks our suite enables (vpbx_suite/schemathesis_config.py); plain schemathesis runs
# the same ones, with its own default expectations.
CHECKS = ("not_a_server_error", "status_code_conformance", "content_type_conformance",
          "response_schema_conformance", "response_headers_conformance",
          "negative_data_rejection", "positive_data_acceptance", "missing_required_header",
          "ignored_auth", "unsupported_method", "allow_header_conformance")
PHASES = "examples,coverage,fuzzing"


@dataclass(frozen=True)
class SuiteRun:
    tool: str
    max_examples: int
    cases: int  # as the tool itself counts them
    seconds: float  # wall time of the whole command
    requests: int  # HTTP requests the mock answered during the command (its access log)
    exit_code: int

    @property
    def cases_per_s(self) -> float:
        return self.cases / self.seconds if self.seconds else 0.0

    @property
    def ms_per_case(self) -> float:
        return 1000 * self.seconds / self.cases if self.cases else float("inf")


@dataclass(frozen=True)
class SuiteCost:
    ours: SuiteRun  # the fastest round of each at MAX_EXAMPLES
    plain: SuiteRun
    all_runs: list[SuiteRun]
    small_ours: SuiteRun  # at SMALL_MAX_EXAMPLES
    small_plain: SuiteRun

    @property
    def ratio(self) -> float:
        """Our cost per case over plain schemathesis's; 1.25 is the target's ceiling."""
        return self.ours.ms_per_case / self.plain.ms_per_case


def marginal_ms_per_case(small: SuiteRun, large: SuiteRun) -> float | None:
    """The cost of one more case: the slope between a small and a large run."""
    extra = large.cases - small.cases
    return 1000 * (large.seconds - small.seconds) / extra if extra > 0 else None


def fixed_seconds(small: SuiteRun, large: SuiteRun) -> float | None:
    """What a run costs before its first case: start-up, collection, loading the document."""
    slope = marginal_ms_per_case(small, large)
    return None if slope is None else small.seconds - slope * small.cases / 1000


def _answered(mock: MockProcess) -> int:
    # One uvicorn access-log line per answered request: `... "POST /path HTTP/1.1" 201 Created`.
    return sum(1 for line in mock.output().splitlines() if 'HTTP/1.1" ' in line)


def _timed(command: list[str], env: dict[str, str], mock: MockProcess, cwd: Path = REPOSITORY_ROOT
           ) -> tuple[str, float, int, int]:
    before = _answered(mock)
    started = time.monotonic()
    completed = subprocess.run(command, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                               capture_output=True, text=True, timeout=COMMAND_TIMEOUT, check=False)
    seconds = time.monotonic() - started
    time.sleep(0.2)  # the mock logs a request just after answering it
    output = completed.stdout + completed.stderr
    return output, seconds, _answered(mock) - before, completed.returncode


def _base_environment() -> dict[str, str]:
    # Nothing the suite reads may leak in from the caller's environment.
    ignored = {"BASE_URL", "API_TOKEN", "MAX_EXAMPLES", "SEED", "REPORT_DIR", "FAIL_FAST",
               "ALLOW_WRITES", "PYTEST_ADDOPTS"}
    return {name: value for name, value in os.environ.items() if name not in ignored}


def run_ours(mock: MockProcess, token: str, scratch: Path, max_examples: int = MAX_EXAMPLES
             ) -> SuiteRun:
    """`make contract BASE_URL=... API_TOKEN=...`, i.e. `python -m vpbx_suite`."""
    report_dir = scratch / "ours-reports"
    env = _base_environment() | {"BASE_URL": mock.base_url, "API_TOKEN": token,
                                 "MAX_EXAMPLES": str(max_examples), "SEED": str(SEED),
                                 "REPORT_DIR": str(report_dir)}
    tool = "our suite (make contract)"
    output, seconds, requests, code = _timed([sys.executable, "-m", "vpbx_suite"], env, mock)
    found = re.search(r"contract: (\d+) responses checked", output)
    if found is None:
        raise RuntimeError(f"our suite printed no 'responses checked' line (exit {code}):\n{output[-3000:]}")
    cases = int(found.group(1))
    # The coverage report counts the same responses; a mismatch means the line is misread.
    recorded = json.loads((report_dir / COVERAGE_REPORT).read_text())["responses"]
    if recorded != cases:
        raise RuntimeError(f"our suite printed {cases} responses but recorded {recorded}")
    return SuiteRun(tool, max_examples, cases, seconds, requests, code)


def _plain_config(token: str, scratch: Path) -> Path:
    """Authentication the way our suite configures it (the document's security scheme),
    so that schemathesis's auth checks behave the same in both runs."""
    path = scratch / "schemathesis.toml"
    path.write_text(f"[auth.openapi.{SECURITY_SCHEME}]\napi_key = {json.dumps(token)}\n",
                    encoding="utf-8")
    return path


def run_plain(mock: MockProcess, token: str, scratch: Path, max_examples: int = MAX_EXAMPLES
              ) -> SuiteRun:
    command = [str(SCHEMATHESIS), "--config-file", str(_plain_config(token, scratch)), "run",
               str(DOCUMENT_PATH), "--url", mock.base_url, "--workers", "1",
               "--phases", PHASES, "--mode", "all", "--max-examples", str(max_examples),
               "--seed", str(SEED), "--generation-database", "none",
               "--checks", ",".join(CHECKS), "--no-color"]
    # In the scratch folder: the CLI keeps a crash cache in ./.schemathesis.
    output, seconds, requests, code = _timed(command, _base_environment(), mock, cwd=scratch)
    # Its summary: "Test cases:\n  368 generated, 368 passed, 2 skipped".
    found = re.search(r"(\d+) generated", output)
    if found is None:
        raise RuntimeError(f"schemathesis printed no test-case count (exit {code}):\n{output[-3000:]}")
    return SuiteRun("plain schemathesis run", max_examples, int(found.group(1)), seconds,
                    requests, code)


def measure(mock: MockProcess, token: str, scratch: Path, progress: Progress) -> SuiteCost:
    large, small = MAX_EXAMPLES, SMALL_MAX_EXAMPLES
    variants: dict[str, tuple[str, Callable[[], SuiteRun]]] = {
        "plain": (f"plain schemathesis run, MAX_EXAMPLES={large}",
                  lambda: run_plain(mock, token, scratch, large)),
        "ours": (f"make contract, MAX_EXAMPLES={large}",
                 lambda: run_ours(mock, token, scratch, large)),
        "small_plain": (f"plain schemathesis run, MAX_EXAMPLES={small}",
                        lambda: run_plain(mock, token, scratch, small)),
        "small_ours": (f"make contract, MAX_EXAMPLES={small}",
                       lambda: run_ours(mock, token, scratch, small)),
    }
    assert len(variants) == VARIANTS
    runs: dict[str, list[SuiteRun]] = {name: [] for name in variants}
    every: list[SuiteRun] = []
    for round_number in range(1, ROUNDS + 1):
        for name, (label, run) in variants.items():
            progress.step(f"suite cost, round {round_number}/{ROUNDS}: {label}")
            result = run()
            runs[name].append(result)
            every.append(result)
    best = {name: min(results, key=lambda r: r.seconds) for name, results in runs.items()}
    return SuiteCost(best["ours"], best["plain"], every, best["small_ours"], best["small_plain"])
