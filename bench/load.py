"""Run bench/load.js (autocannon) against a server and read its JSON result."""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bench.machine import node_executable
from bench.paths import LOAD_SCRIPT, REPOSITORY_ROOT

# Each load run sends numbers from its own block, so no two runs in one benchmark collide
# on the mock's unique-number rule (its 409 would count as a failed add).
NUMBERS_PER_BLOCK = 10_000_000
SUBSCRIBER_SPACE = 10**9


class NumberBlocks:
    def __init__(self) -> None:
        self._next = 0

    def take(self) -> int:
        first = self._next
        self._next += NUMBERS_PER_BLOCK
        if self._next > SUBSCRIBER_SPACE:
            raise RuntimeError("out of fresh number blocks")
        return first


@dataclass(frozen=True)
class LoadResult:
    connections: int
    duration_s: float
    responses: int
    requests_per_s: float
    p50_ms: float | None
    p99_ms: float | None
    max_ms: float | None
    statuses: dict[str, int]
    non_2xx: int
    errors: int  # connection errors and timeouts: requests that got no answer at all
    timeouts: int
    warmup_statuses: dict[str, int] = field(default_factory=dict)
    numbers_used: int = 0

    @property
    def successes(self) -> int:
        return sum(n for status, n in self.statuses.items() if status.startswith("2"))

    @property
    def warmup_successes(self) -> int:
        return sum(n for status, n in self.warmup_statuses.items() if status.startswith("2"))

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LoadResult:
        latency = data["latency_ms"]
        return cls(connections=data["connections"], duration_s=data["duration_s"],
                   responses=data["responses"], requests_per_s=data["requests_per_s"],
                   p50_ms=latency["p50"], p99_ms=latency["p99"], max_ms=latency["max"],
                   statuses={str(k): int(v) for k, v in data["statuses"].items()},
                   non_2xx=data["non_2xx"], errors=data["errors"], timeouts=data["timeouts"],
                   warmup_statuses={str(k): int(v) for k, v in data["warmup_statuses"].items()},
                   numbers_used=data["numbers_used"])


def run_load(base_url: str, token: str, *, connections: int, first_number: int,
             duration_s: float | None = None, amount: int | None = None, warmup_s: float = 0,
             progress_every: int = 0, on_progress: Callable[[int], None] | None = None,
             kind: str = "add", ids: int = 0) -> LoadResult:
    """Valid adds at a fixed concurrency, for `duration_s` seconds or `amount` requests
    (kind "get": reads of ids 1..ids in turn; "list": the listing with ?type=def).

    on_progress(completed) is called every `progress_every` responses, while the load runs.
    """
    node = node_executable()
    if node is None:
        raise RuntimeError("node is not installed; it runs the load generator")
    options = {"url": base_url, "connections": connections,
               "duration": duration_s, "amount": amount, "warmup": warmup_s,
               "first": first_number, "progressEvery": progress_every, "kind": kind,
               "ids": ids}
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen([node, str(LOAD_SCRIPT), json.dumps(options)],
                                   cwd=REPOSITORY_ROOT, env=os.environ | {"BENCH_TOKEN": token},
                                   stdin=subprocess.DEVNULL,
                                   stdout=subprocess.PIPE, stderr=errors, text=True)
        result: LoadResult | None = None
        try:
            assert process.stdout is not None
            for line in process.stdout:
                event = json.loads(line)
                if event["event"] == "progress" and on_progress is not None:
                    on_progress(event["completed"])
                elif event["event"] == "result":
                    result = LoadResult.from_json(event)
            process.wait()
        finally:
            if process.poll() is None:  # interrupted: do not leave the load running
                process.kill()
                process.wait()
        if process.returncode != 0 or result is None:
            errors.seek(0)
            raise RuntimeError(f"the load generator failed (exit {process.returncode}):\n"
                               f"{errors.read().decode(errors='replace')}")
        return result
