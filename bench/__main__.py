"""`python -m bench` (`make bench`). Exit status: 0 when every part ran (missed targets
included), 1 when a part could not run, 2 when nothing could (tools missing) or BENCH_PARTS
names no part, 130 on Ctrl-C. BENCH_PARTS (comma-separated, default all) runs only some parts:
throughput, reads, suite-cost, memory, suite-latency.
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

from bench import memory, suite_cost, suite_latency, throughput
from bench.load import NumberBlocks
from bench.machine import describe, node_executable
from bench.paths import BENCH_DIR, LOAD_SCRIPT, PRISM, REPOSITORY_ROOT, RESULTS_PATH, SCHEMATHESIS
from bench.progress import Progress
from bench.report import Results, console, markdown
from bench.servers import our_mock, prism
from bench.targets import judge

# Adds: our mock with its log on (make mock's default) and off, Prism static and dynamic;
# reads: our mock and Prism static.
PART_STEPS = {"throughput": 4 * throughput.STEPS_PER_SERVER, "reads": 2 * throughput.STEPS_PER_READ_SERVER,
              "suite-cost": suite_cost.STEPS, "memory": memory.STEPS + 1, "suite-latency": suite_latency.STEPS}
PARTS = tuple(PART_STEPS)
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


def chosen_parts(environ: dict[str, str] | os._Environ[str] = os.environ) -> tuple[str, ...]:
    """BENCH_PARTS, or every part; ValueError naming the unknown ones."""
    named = tuple(part.strip() for part in environ.get("BENCH_PARTS", "").split(",") if part.strip())
    unknown = [part for part in named if part not in PARTS]
    if unknown:
        raise ValueError(f"BENCH_PARTS: {', '.join(unknown)} unknown; the parts are {', '.join(PARTS)}")
    return named or PARTS


def run_benchmark(results: Results, progress: Progress, scratch: Path, parts: tuple[str, ...] = PARTS) -> None:
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
    for name, run in series.items() if "throughput" in parts else ():
        points = _part(results, f"throughput ({name})", progress, run)
        if points is not None:
            results.series[name] = points
    for name, run in (("our mock", mock_reads), ("Prism static", prism_reads)) if "reads" in parts else ():
        points = _part(results, f"reads ({name})", progress, run)
        if points is not None:
            results.reads[name] = points
    if "suite-cost" in parts:
        results.suite = _part(results, "suite cost", progress, cost)
    if "memory" in parts:
        results.memory = _part(results, "memory", progress, memory_use)
        progress.step("memory: what phonenumbers' geocoder data costs")
        results.geocoder = _part(results, "geocoder memory", progress, memory.geocoder_cost)
    if "suite-latency" in parts:
        results.suite_latency = _part(results, "suite latency", progress,
                                      lambda: suite_latency.measure(token, scratch, progress)) or []


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
    try:
        parts = chosen_parts()
    except ValueError as error:
        print(f"bench: {error}", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, _terminate)
    results = Results(machine=describe(), parts=parts)
    progress = Progress(sum(PART_STEPS[part] for part in parts))
    try:
        with tempfile.TemporaryDirectory(prefix="vpbx-bench-") as scratch:
            run_benchmark(results, progress, Path(scratch), parts)
    except KeyboardInterrupt:
        print("\nbench: interrupted; every process it started is stopped", file=sys.stderr)
        return 130
    progress.finish()
    results.seconds = progress.elapsed
    results.load_average_end = os.getloadavg()
    results.targets = judge(results)
    charts = _part(results, "charts", progress, lambda: draw_charts(results)) or {}
    print(console(results))
    # Some parts only: their own page, so RESULTS.md keeps the last full run.
    results_path = RESULTS_PATH if parts == PARTS else BENCH_DIR / f"RESULTS-{'-'.join(parts)}.md"
    results_path.write_text(markdown(results, {name: path.relative_to(BENCH_DIR).as_posix()
                                               for name, path in charts.items()}), encoding="utf-8")
    print(f"\nbench: written to {results_path.relative_to(REPOSITORY_ROOT)}"
          + "".join(f", {path.relative_to(REPOSITORY_ROOT)}" for path in charts.values()))
    return 1 if results.errors else 0


if __name__ == "__main__":
    sys.exit(main())
