"""`python -m bench` (`make bench`). Exit status: 0 when every part ran (missed targets
included), 1 when a part could not run, 2 when nothing could (tools missing), 130 on Ctrl-C.
"""

from __future__ import annotations

import os
import secrets
import signal
import sys
import tempfile
import traceback
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import TypeVar

from bench import memory, suite_cost, throughput
from bench.load import NumberBlocks
from bench.machine import describe, node_executable
from bench.paths import LOAD_SCRIPT, PRISM, REPOSITORY_ROOT, RESULTS_PATH, SCHEMATHESIS
from bench.progress import Progress
from bench.report import Results, console, markdown
from bench.servers import our_mock, prism
from bench.targets import judge

STEPS = 2 * throughput.STEPS_PER_SERVER + suite_cost.STEPS + memory.STEPS
T = TypeVar("T")


def _missing_tools() -> list[str]:
    missing = []
    if node_executable() is None:
        missing.append("node (Node.js)")
    for tool in (PRISM, SCHEMATHESIS, LOAD_SCRIPT):
        if not tool.exists():
            missing.append(str(tool))
    return missing


def _terminate(signum: int, frame: FrameType | None) -> None:
    # SIGTERM unwinds like Ctrl-C, so every `with` block stops the process it started.
    raise KeyboardInterrupt


def _part(results: Results, name: str, progress: Progress, run: Callable[[], T]) -> T | None:
    """Run one part; if it cannot run, record why and go on with the others."""
    try:
        return run()
    except Exception as error:  # noqa: BLE001 (one broken part must not hide the others)
        results.errors[name] = f"{type(error).__name__}: {error}"
        print(f"\nbench: {name} could not run: {error}", file=sys.stderr, flush=True)
        # Expected failures (a server that did not start) need no stack trace; bugs do.
        if not isinstance(error, (RuntimeError, OSError)) or os.environ.get("BENCH_DEBUG"):
            traceback.print_exc()
        return None


def run_benchmark(results: Results, progress: Progress, scratch: Path) -> None:
    token = secrets.token_urlsafe(16)
    blocks = NumberBlocks()

    def mock_throughput() -> list[throughput.Point]:
        database = scratch / "throughput.sqlite3"
        with our_mock(database, token) as (server, _):
            points = throughput.measure(server, token, blocks, progress)
        results.persistence = throughput.persistence(points, database)
        return points

    def prism_throughput() -> list[throughput.Point]:
        with prism() as server:
            # Prism checks only that an Authorization header is there.
            return throughput.measure(server, token, blocks, progress)

    def cost() -> suite_cost.SuiteCost:
        with our_mock(scratch / "suite.sqlite3", token, access_log=True) as (_, mock):
            return suite_cost.measure(mock, token, scratch, progress)

    def memory_use() -> memory.MemoryResult:
        with our_mock(scratch / "memory.sqlite3", token) as (server, _):
            return memory.measure(server, token, blocks, progress)

    results.ours = _part(results, "throughput (our mock)", progress, mock_throughput)
    results.prism = _part(results, "throughput (Prism)", progress, prism_throughput)
    results.suite = _part(results, "suite cost", progress, cost)
    results.memory = _part(results, "memory", progress, memory_use)


def main() -> int:
    missing = _missing_tools()
    if missing:
        print("bench: cannot run, missing: " + ", ".join(missing)
              + " (run `make node-tools` and `make venv`)", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, _terminate)
    results = Results(machine=describe())
    progress = Progress(STEPS)
    try:
        with tempfile.TemporaryDirectory(prefix="vpbx-bench-") as scratch:
            run_benchmark(results, progress, Path(scratch))
    except KeyboardInterrupt:
        print("\nbench: interrupted; every process it started is stopped", file=sys.stderr)
        return 130
    progress.finish()
    results.seconds = progress.elapsed
    results.load_average_end = os.getloadavg()
    results.targets = judge(results.ours, results.prism, results.persistence, results.suite,
                            results.memory)
    print(console(results))
    RESULTS_PATH.write_text(markdown(results), encoding="utf-8")
    print(f"\nbench: written to {RESULTS_PATH.relative_to(REPOSITORY_ROOT)}")
    return 1 if results.errors else 0


if __name__ == "__main__":
    sys.exit(main())
