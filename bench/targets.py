"""The issue's targets, each judged from the measurements: met, missed, or not measured."""

from __future__ import annotations

from dataclasses import dataclass

from bench.memory import MAX_GROWTH_BYTES, MemoryResult
from bench.suite_cost import SuiteCost
from bench.throughput import Persistence, Point

THROUGHPUT_RATIO_TARGET = 2.0
TARGET_CONNECTIONS = 16
P99_TARGET_MS = 50.0
SUITE_RATIO_TARGET = 1.25


@dataclass(frozen=True)
class Target:
    name: str
    met: bool | None  # None: the part that measures it could not run
    measured: str

    @property
    def verdict(self) -> str:
        return {True: "met", False: "MISSED", None: "NOT MEASURED"}[self.met]


def _at(points: list[Point] | None, connections: int) -> Point | None:
    return next((p for p in points or [] if p.load.connections == connections), None)


def judge(ours: list[Point] | None, prism: list[Point] | None, persistence: Persistence | None,
          suite: SuiteCost | None, memory: MemoryResult | None) -> list[Target]:
    targets = []
    mine, theirs = _at(ours, TARGET_CONNECTIONS), _at(prism, TARGET_CONNECTIONS)
    name = f"mock requests/s >= {THROUGHPUT_RATIO_TARGET:g}x Prism at concurrency {TARGET_CONNECTIONS}"
    if mine and theirs and theirs.load.requests_per_s > 0:
        ratio = mine.load.requests_per_s / theirs.load.requests_per_s
        targets.append(Target(name, ratio >= THROUGHPUT_RATIO_TARGET,
                              f"{ratio:.2f}x ({mine.load.requests_per_s:.0f} vs "
                              f"{theirs.load.requests_per_s:.0f} requests/s)"))
    else:
        targets.append(Target(name, None, "-"))

    name = f"mock p99 latency < {P99_TARGET_MS:g} ms at concurrency {TARGET_CONNECTIONS}"
    if mine and mine.load.p99_ms is not None:
        targets.append(Target(name, mine.load.p99_ms < P99_TARGET_MS, f"{mine.load.p99_ms:.1f} ms"))
    else:
        targets.append(Target(name, None, "-"))

    name = "mock validates and persists every request (all 201, every acknowledged add stored)"
    if ours and persistence:
        failed = sum(p.load.non_2xx + p.load.errors for p in ours)
        not_created = sum(n for p in ours for s, n in p.load.statuses.items() if s != "201")
        met = failed == 0 and not_created == 0 and persistence.holds
        targets.append(Target(name, met, f"{failed} non-2xx or unanswered; "
                                         f"{persistence.acknowledged:,} acknowledged, "
                                         f"{persistence.rows:,} rows stored"))
    else:
        targets.append(Target(name, None, "-"))

    name = f"suite cost per case <= {SUITE_RATIO_TARGET:g}x plain schemathesis"
    if suite:
        targets.append(Target(name, suite.ratio <= SUITE_RATIO_TARGET,
                              f"{suite.ratio:.2f}x ({suite.ours.ms_per_case:.1f} vs "
                              f"{suite.plain.ms_per_case:.1f} ms per case)"))
    else:
        targets.append(Target(name, None, "-"))

    name = (f"mock memory bounded (RSS grows <= {MAX_GROWTH_BYTES / 2**20:g} MiB from "
            "10,000 to 20,000 requests)")
    if memory and memory.growth_second_half is not None:
        targets.append(Target(name, memory.bounded,
                              f"{memory.growth_second_half / 2**20:+.2f} MiB; peak "
                              f"{memory.peak_rss / 2**20:.1f} MiB"))
    else:
        targets.append(Target(name, None, "-"))
    return targets
