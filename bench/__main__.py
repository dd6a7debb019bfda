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

import httpx

from bench import memory, suite_cost, throughput
from bench.load import NumberBlocks
from bench.machine import describe, node_executable
from bench.paths import BENCH_DIR, LOAD_SCRIPT, PRISM, REPOSITORY_ROOT, RESULTS_PATH, SCHEMATHESIS
from bench.progress import Progress
from bench.report import Results, console, markdown
from bench.servers import our_mock, prism
from bench.targets import judge

# Adds: our mock with its log on (make mock's default) and off, Prism static and dynamic;
# reads: our mock and Prism static.
STEPS = (4 * throughput.STEPS_PER_SERVER + 2 * throughput.STEPS_PER_READ_SERVER
         + suite_cost.STEPS + memory.STEPS + 1)
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
        # Expected failures (a server that did not start, matplotlib missing) need no stack
        # trace; bugs do.
        if not isinstance(error, (RuntimeError, OSError, ImportError)) or os.environ.get("BENCH_DEBUG"):
            traceback.print_exc()
        return None


def _seed_numbers(base_url: str, token: str, count: int) -> None:
    """`count` numbers on a fresh mock (ids 1..count), for the reads."""
    headers = {"Authorization": token, "Content-Type": "application/json"}
    with httpx.Client(base_url=base_url, headers=headers, timeout=10.0) as client:
        for serial in range(count):
            response = client.post("/numbers/unconfirmed", json={
                "number": f"7999{serial:07d}", "dgn_number": "74958042300",
                "purpose": "company", "type": "def"})
            if response.status_code != 201 or response.json()["id"] != serial + 1:
                raise RuntimeError(f"seeding the reads: {response.status_code} {response.text}")


def run_benchmark(results: Results, progress: Progress, scratch: Path) -> None:
    token = secrets.token_urlsafe(16)
    blocks = NumberBlocks()

    def mock_throughput(access_log: bool) -> list[throughput.Point]:
        database = scratch / f"throughput-log-{int(access_log)}.sqlite3"
        with our_mock(database, token, access_log=access_log) as (server, _):
            points = throughput.measure(server, token, blocks, progress)
        results.persistence.append(throughput.persistence(points, database))
        return points

    def prism_throughput(mode: str) -> list[throughput.Point]:
        with prism(mode) as server:
            # Prism checks only that an Authorization header is there.
            return throughput.measure(server, token, blocks, progress)

    def mock_reads() -> list[throughput.Point]:
        with our_mock(scratch / "reads.sqlite3", token) as (server, _):
            _seed_numbers(server.base_url, token, throughput.READ_RECORDS)
            return throughput.measure_reads(server, token, progress)

    def prism_reads() -> list[throughput.Point]:
        with prism("static") as server:
            return throughput.measure_reads(server, token, progress)

    def cost() -> suite_cost.SuiteCost:
        # The default pool, as `make contract` runs the mock: the suite adds listed numbers
        # and checks that others are refused (D20), which MOCK_CONNECTABLE=any would fail.
        with our_mock(scratch / "suite.sqlite3", token, any_number=False) as (_, mock):
            return suite_cost.measure(mock, token, scratch, progress)

    def memory_use() -> memory.MemoryResult:
        with our_mock(scratch / "memory.sqlite3", token) as (server, _):
            return memory.measure(server, token, blocks, progress)

    series = {
        "our mock": lambda: mock_throughput(True),
        "our mock, log off": lambda: mock_throughput(False),
        "Prism static": lambda: prism_throughput("static"),
        "Prism dynamic": lambda: prism_throughput("dynamic"),
    }
    for name, run in series.items():
        points = _part(results, f"throughput ({name})", progress, run)
        if points is not None:
            results.series[name] = points
    for name, run in (("our mock", mock_reads), ("Prism static", prism_reads)):
        points = _part(results, f"reads ({name})", progress, run)
        if points is not None:
            results.reads[name] = points
    results.suite = _part(results, "suite cost", progress, cost)
    results.memory = _part(results, "memory", progress, memory_use)
    progress.step("memory: what phonenumbers' geocoder data costs")
    results.geocoder = _part(results, "geocoder memory", progress, memory.geocoder_cost)


def draw_charts(results: Results) -> dict[str, Path]:
    # Imported here: without matplotlib (make bench installs it) only the charts are missing.
    from bench.charts import write_charts
    return write_charts(results)


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
    results.targets = judge(results)
    charts = _part(results, "charts", progress, lambda: draw_charts(results)) or {}
    print(console(results))
    RESULTS_PATH.write_text(markdown(results, {name: path.relative_to(BENCH_DIR).as_posix()
                                               for name, path in charts.items()}), encoding="utf-8")
    print(f"\nbench: written to {RESULTS_PATH.relative_to(REPOSITORY_ROOT)}"
          + "".join(f", {path.relative_to(REPOSITORY_ROOT)}" for path in charts.values()))
    return 1 if results.errors else 0


if __name__ == "__main__":
    sys.exit(main())
