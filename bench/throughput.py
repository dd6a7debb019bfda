"""Part 1: requests/s and latency of valid adds, our mock next to Prism, at several
concurrencies, with the same load generator and the same requests; then reads (get by id,
the listing) at one concurrency."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

import psutil

from bench.load import LoadResult, NumberBlocks, run_load
from bench.progress import Progress
from bench.servers import Server

CONCURRENCIES = (1, 16, 64)
DURATION_S = 6.0
WARMUP_S = 2.0  # Prism's JIT and both servers' first connections stay out of the numbers
STEPS_PER_SERVER = len(CONCURRENCIES)


@dataclass(frozen=True)
class Point:
    server: str
    load: LoadResult
    cpu_ms_per_request: float | None  # server CPU (user+system), warm-up included


@dataclass(frozen=True)
class Persistence:
    """Whether every add our mock acknowledged is in its database afterwards."""
    database: str  # which series
    acknowledged: int  # 2xx answers, warm-ups included
    rows: int
    # Requests still in flight when a warm-up or a measured run's time was up: stored, but
    # their answers never counted. At most one per connection per run.
    in_flight_bound: int

    @property
    def holds(self) -> bool:
        return self.acknowledged <= self.rows <= self.acknowledged + self.in_flight_bound


def _cpu_seconds(pid: int) -> float | None:
    try:
        times = psutil.Process(pid).cpu_times()
    except psutil.Error:
        return None
    return times.user + times.system


READ_KINDS = {"get": "GET /numbers/virtual-number/{id}", "list": "GET /numbers/virtual-number?type=def"}
READ_CONNECTIONS = 16
READ_RECORDS = 100  # numbers on the account while reads are measured
STEPS_PER_READ_SERVER = len(READ_KINDS)


def measure_reads(server: Server, token: str, progress: Progress) -> list[Point]:
    """Reads of an account holding READ_RECORDS numbers (ids 1..READ_RECORDS)."""
    points = []
    for kind, label in READ_KINDS.items():
        progress.step(f"{server.name}: {label}, concurrency {READ_CONNECTIONS}")
        before = _cpu_seconds(server.pid)
        load = run_load(server.base_url, token, connections=READ_CONNECTIONS, first_number=0,
                        duration_s=DURATION_S, warmup_s=WARMUP_S, kind=kind, ids=READ_RECORDS)
        after = _cpu_seconds(server.pid)
        answered = load.responses + sum(load.warmup_statuses.values())
        cpu = (after - before) * 1000 / answered if before is not None and after is not None and answered else None
        points.append(Point(f"{server.name}: {kind}", load, cpu))
    return points


def measure(server: Server, token: str, blocks: NumberBlocks, progress: Progress) -> list[Point]:
    points = []
    for connections in CONCURRENCIES:
        progress.step(f"{server.name}: concurrency {connections}, {WARMUP_S:.0f} s warm-up "
                      f"+ {DURATION_S:.0f} s")
        before = _cpu_seconds(server.pid)
        load = run_load(server.base_url, token, connections=connections,
                        first_number=blocks.take(), duration_s=DURATION_S, warmup_s=WARMUP_S)
        after = _cpu_seconds(server.pid)
        answered = load.responses + sum(load.warmup_statuses.values())
        cpu = None
        if before is not None and after is not None and answered:
            cpu = (after - before) * 1000 / answered
        points.append(Point(server.name, load, cpu))
    return points


def persisted_rows(database: Path) -> int:
    """Rows in the mock's database; read after the mock stopped."""
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as connection:
        return int(connection.execute("SELECT count(*) FROM numbers").fetchone()[0])


def persistence(points: list[Point], database: Path) -> Persistence:
    acknowledged = sum(p.load.successes + p.load.warmup_successes for p in points)
    runs_per_point = 2 if WARMUP_S > 0 else 1
    in_flight = sum(runs_per_point * p.load.connections for p in points)
    return Persistence(database.name, acknowledged, persisted_rows(database), in_flight)
