"""Part 3: the mock's resident memory over 20,000 valid adds, on a fresh process.

RSS is read at every 5,000 answers (autocannon reports them as they happen) and polled in
between for the peak; VmHWM, the kernel's own high-water mark, confirms the peak.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import psutil

from bench.load import LoadResult, NumberBlocks, run_load
from bench.progress import Progress
from bench.servers import Server

REQUESTS = 20_000
CHECKPOINT_EVERY = 5_000
CONNECTIONS = 16
POLL_INTERVAL_S = 0.02
STEPS = 1
# Bounded: the second 10,000 requests may add at most this much. SQLite's page cache
# (default 2,000 KiB) and the allocator fill up early and then stay flat; a leak of 200
# bytes per request would exceed it.
MAX_GROWTH_BYTES = 2 * 2**20


@dataclass(frozen=True)
class MemoryResult:
    checkpoints: list[tuple[int, int]]  # (requests answered, RSS bytes)
    peak_rss: int  # highest RSS polled during the run
    vm_hwm: int | None  # the kernel's peak RSS for the process's whole life
    load: LoadResult

    def rss_at(self, requests: int) -> int | None:
        return next((rss for count, rss in self.checkpoints if count == requests), None)

    @property
    def growth_second_half(self) -> int | None:
        """RSS at 20,000 requests minus RSS at 10,000."""
        middle, end = self.rss_at(REQUESTS // 2), self.rss_at(REQUESTS)
        return None if middle is None or end is None else end - middle

    @property
    def bounded(self) -> bool:
        growth = self.growth_second_half
        return growth is not None and growth <= MAX_GROWTH_BYTES


def _vm_hwm(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024  # reported in kB
    except OSError:
        pass
    return None


class _PeakPoller(threading.Thread):
    def __init__(self, process: psutil.Process) -> None:
        super().__init__(daemon=True)
        self._process = process
        self._stopping = threading.Event()
        self.peak = 0

    def run(self) -> None:
        while not self._stopping.wait(POLL_INTERVAL_S):
            try:
                self.peak = max(self.peak, self._process.memory_info().rss)
            except psutil.Error:
                return

    def stop(self) -> None:
        self._stopping.set()
        self.join()


def measure(server: Server, token: str, blocks: NumberBlocks, progress: Progress) -> MemoryResult:
    progress.step(f"memory: {REQUESTS:,} valid adds at {CONNECTIONS} connections, fresh mock")
    process = psutil.Process(server.pid)
    checkpoints = [(0, process.memory_info().rss)]

    def checkpoint(completed: int) -> None:
        if completed % CHECKPOINT_EVERY == 0:
            checkpoints.append((completed, process.memory_info().rss))
            progress.note(f"{completed:,}/{REQUESTS:,}")

    poller = _PeakPoller(process)
    poller.start()
    try:
        load = run_load(server.base_url, token, connections=CONNECTIONS,
                        first_number=blocks.take(), amount=REQUESTS,
                        progress_every=CHECKPOINT_EVERY, on_progress=checkpoint)
    finally:
        poller.stop()
    peak = max([poller.peak, *(rss for _, rss in checkpoints)])
    return MemoryResult(checkpoints, peak, _vm_hwm(server.pid), load)


_GEOCODER_PROBE = r"""
import json, psutil
process = psutil.Process()
import phonenumbers
without = process.memory_info().rss
from vpbx_mock.regions import keep_only_russian_geodata, region_for
region_for("74991234567")
full = process.memory_info().rss
keep_only_russian_geodata()
print(json.dumps({"without": without, "full": full, "russian": process.memory_info().rss}))
"""


@dataclass(frozen=True)
class GeocoderCost:
    """RSS of a fresh interpreter: phonenumbers imported; its geocoder loaded (every country
    and language); then only the +7 data kept, as the mock does at start."""
    without: int
    full: int
    russian: int


def geocoder_cost() -> GeocoderCost:
    import json
    import subprocess
    import sys

    from bench.paths import REPOSITORY_ROOT

    output = subprocess.run([sys.executable, "-c", _GEOCODER_PROBE], cwd=REPOSITORY_ROOT,
                            capture_output=True, text=True, timeout=120, check=True).stdout
    return GeocoderCost(**json.loads(output))
