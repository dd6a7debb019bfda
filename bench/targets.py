"""The issue's targets, each judged from the measurements: met, missed, or not measured."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bench.memory import MAX_GROWTH_BYTES
from bench.throughput import Point

if TYPE_CHECKING:
    from bench.report import Results

THROUGHPUT_RATIO_TARGET = 3.0
TARGET_CONNECTIONS = 16
P99_TARGET_MS = 20.0
SUITE_RATIO_TARGET = 1.25
OURS = "our mock"  # as `make mock` runs it: access log on
ANCHOR = "Prism static"  # `prism mock openapi.yaml`: Prism's default mode


@dataclass(frozen=True)
class Target:
    name: str
    met: bool | None  # None: the part that measures it could not run
    measured: str

    @property
    def verdict(self) -> str:
        return {True: "met", False: "MISSED", None: "NOT MEASURED"}[self.met]


def at(points: list[Point] | None, connections: int) -> Point | None:
    return next((p for p in points or [] if p.load.connections == connections), None)


def judge(results: Results) -> list[Target]:
    targets = []
    mine = at(results.series.get(OURS), TARGET_CONNECTIONS)
    theirs = at(results.series.get(ANCHOR), TARGET_CONNECTIONS)
    name = (f"mock (make mock defaults) requests/s >= {THROUGHPUT_RATIO_TARGET:g}x {ANCHOR} at "
            f"concurrency {TARGET_CONNECTIONS}")
    if mine and theirs and theirs.load.requests_per_s > 0:
        ratio = mine.load.requests_per_s / theirs.load.requests_per_s
        missed_by = "" if ratio >= THROUGHPUT_RATIO_TARGET else (
            f"; missed by {THROUGHPUT_RATIO_TARGET * theirs.load.requests_per_s - mine.load.requests_per_s:.0f}"
            f" requests/s ({(THROUGHPUT_RATIO_TARGET / ratio - 1) * 100:.0f}%)")
        targets.append(Target(name, ratio >= THROUGHPUT_RATIO_TARGET,
                              f"{ratio:.2f}x ({mine.load.requests_per_s:.0f} vs "
                              f"{theirs.load.requests_per_s:.0f} requests/s){missed_by}"))
    else:
        targets.append(Target(name, None, "-"))

    name = f"mock p99 latency < {P99_TARGET_MS:g} ms at concurrency {TARGET_CONNECTIONS}"
    if mine and mine.load.p99_ms is not None:
        targets.append(Target(name, mine.load.p99_ms < P99_TARGET_MS, f"{mine.load.p99_ms:.1f} ms"))
    else:
        targets.append(Target(name, None, "-"))

    name = "mock validates and persists every request (all 201, every acknowledged add stored)"
    ours = [p for key in (OURS, OURS + ", log off") for p in results.series.get(key, [])]
    if ours and results.persistence:
        failed = sum(p.load.non_2xx + p.load.errors for p in ours)
        not_created = sum(n for p in ours for s, n in p.load.statuses.items() if s != "201")
        acknowledged = sum(p.acknowledged for p in results.persistence)
        rows = sum(p.rows for p in results.persistence)
        met = failed == 0 and not_created == 0 and all(p.holds for p in results.persistence)
        targets.append(Target(name, met, f"{failed} non-2xx or unanswered; "
                                         f"{acknowledged:,} acknowledged, {rows:,} rows stored"))
    else:
        targets.append(Target(name, None, "-"))

    suite = results.suite
    name = f"suite cost per case <= {SUITE_RATIO_TARGET:g}x plain schemathesis"
    if suite:
        targets.append(Target(name, suite.ratio <= SUITE_RATIO_TARGET,
                              f"{suite.ratio:.2f}x ({suite.ours.ms_per_case:.1f} vs "
                              f"{suite.plain.ms_per_case:.1f} ms per case)"))
    else:
        targets.append(Target(name, None, "-"))

    memory = results.memory
    name = (f"mock memory flat under load (RSS grows <= {MAX_GROWTH_BYTES / 2**20:g} MiB from "
            "10,000 to 20,000 requests)")
    if memory and memory.growth_second_half is not None:
        targets.append(Target(name, memory.bounded,
                              f"{memory.growth_second_half / 2**20:+.2f} MiB; start "
                              f"{memory.checkpoints[0][1] / 2**20:.1f} MiB, peak "
                              f"{memory.peak_rss / 2**20:.1f} MiB"))
    else:
        targets.append(Target(name, None, "-"))
    return targets
