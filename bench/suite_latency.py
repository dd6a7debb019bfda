"""Part 4: the suite against a server far away. `make contract` with its defaults, the bundled
mock answering each request `latency` ms late (MOCK_FAULTS='latency=…ms', as a staging server
in another city), at 0, 20, 50 and 100 ms, at its default CONCURRENCY and at 16 (what a user
facing a far server may set); next to a plain `schemathesis run` against the mock with the same
latency, the same example count and seed.

Each command is timed whole, once per latency (a run at 100 ms takes minutes): the figures are
as noisy as the machine was busy (RESULTS.md shows its load).
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bench.paths import DOCUMENT_PATH, REPOSITORY_ROOT, SCHEMATHESIS
from bench.progress import Progress
from bench.suite_cost import CHECKS, COMMAND_TIMEOUT, PHASES, SEED, _base_environment, _plain_config, _timed
from vpbx_suite.mock_process import running_mock
from vpbx_suite.settings import DEFAULT_CONCURRENCY, DEFAULT_MAX_EXAMPLES

LATENCIES_MS = (0, 20, 50, 100)
CONCURRENCIES = (DEFAULT_CONCURRENCY, 16)
STEPS = (len(CONCURRENCIES) + 1) * len(LATENCIES_MS)


@dataclass(frozen=True)
class LatencyRun:
    tool: str
    latency_ms: int
    seconds: float  # wall time of the whole command
    responses: int  # as the tool counts them (responses checked; schemathesis: test cases)
    verdict: str    # the command's last line, or its exit status
    concurrency: int = 1  # requests the command may have out at once


def _faults(latency_ms: int) -> dict[str, str]:
    return {"MOCK_FAULTS": f"latency={latency_ms}ms"} if latency_ms else {}


def run_ours(latency_ms: int, scratch: Path, concurrency: int = DEFAULT_CONCURRENCY) -> LatencyRun:
    """`make contract MOCK_FAULTS='latency=…ms'`: the bundled mock, every default setting but
    CONCURRENCY when another is given."""
    env = _base_environment() | {"SEED": str(SEED),
                                 "REPORT_DIR": str(scratch / f"latency-{latency_ms}-{concurrency}")}
    env.pop("CONCURRENCY", None)
    env.pop("MOCK_FAULTS", None)
    env |= _faults(latency_ms)
    if concurrency != DEFAULT_CONCURRENCY:
        env["CONCURRENCY"] = str(concurrency)
    started = time.monotonic()
    completed = subprocess.run([sys.executable, "-m", "vpbx_suite"], cwd=REPOSITORY_ROOT, env=env,
                               stdin=subprocess.DEVNULL, capture_output=True, text=True,
                               timeout=COMMAND_TIMEOUT, check=False)
    seconds = time.monotonic() - started
    output, code = completed.stdout + completed.stderr, completed.returncode
    found = re.search(r"contract: (\d+) responses checked", output)
    if found is None:
        raise RuntimeError(f"our suite printed no 'responses checked' line (exit {code}):\n{output[-3000:]}")
    verdict = output.strip().splitlines()[-1]
    return LatencyRun(f"make contract (CONCURRENCY={concurrency})", latency_ms, seconds,
                      int(found.group(1)), verdict, concurrency)


def run_plain(latency_ms: int, token: str, scratch: Path) -> LatencyRun:
    """`schemathesis run` with the checks and phases our suite enables, one worker, against the
    mock with the same latency."""
    with running_mock(scratch / f"plain-latency-{latency_ms}.sqlite3",
                      {"API_TOKEN": token, **_faults(latency_ms)}) as mock:
        command = [str(SCHEMATHESIS), "--config-file", str(_plain_config(token, scratch)), "run",
                   str(DOCUMENT_PATH), "--url", mock.base_url, "--workers", "1",
                   "--phases", PHASES, "--mode", "all", "--max-examples", str(DEFAULT_MAX_EXAMPLES),
                   "--seed", str(SEED), "--generation-database", "none",
                   "--checks", ",".join(CHECKS), "--no-color"]
        output, seconds, _, code = _timed(command, _base_environment(), mock, cwd=scratch)
    found = re.search(r"(\d+) generated", output)
    if found is None:
        raise RuntimeError(f"schemathesis printed no test-case count (exit {code}):\n{output[-3000:]}")
    return LatencyRun("plain schemathesis run (1 worker)", latency_ms, seconds, int(found.group(1)),
                      f"exit {code}")


def measure(token: str, scratch: Path, progress: Progress) -> list[LatencyRun]:
    runs = []
    for latency_ms in LATENCIES_MS:
        for concurrency in CONCURRENCIES:
            progress.step(f"suite at {latency_ms} ms latency: make contract, CONCURRENCY={concurrency}")
            runs.append(run_ours(latency_ms, scratch, concurrency))
        progress.step(f"suite at {latency_ms} ms latency: plain schemathesis run")
        runs.append(run_plain(latency_ms, token, scratch))
    return runs


def slowdown(runs: list[LatencyRun], tool: str, latency_ms: int) -> float | None:
    """A tool's time at `latency_ms` over its time at 0 ms (the issue's target: at most 1.5 at 50 ms)."""
    times = {run.latency_ms: run.seconds for run in runs if run.tool == tool}
    return times[latency_ms] / times[0] if times.get(0) and latency_ms in times else None


def latency_floor(runs: list[LatencyRun], tool: str, latency_ms: int) -> float | None:
    """The least a tool's run at `latency_ms` can take: its 0 ms time, or its responses each
    waiting the latency, `concurrency` at a time, with nothing else left to do (whichever is more)."""
    at = {run.latency_ms: run for run in runs if run.tool == tool}
    if 0 not in at or latency_ms not in at:
        return None
    run = at[latency_ms]
    return max(at[0].seconds, run.responses / run.concurrency * latency_ms / 1000)


__all__ = ["CONCURRENCIES", "LATENCIES_MS", "LatencyRun", "latency_floor", "measure", "slowdown"]
