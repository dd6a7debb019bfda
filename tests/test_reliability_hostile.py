"""Hostile clients do not stop service for the others, nor make the mock's memory grow.

At the same time, against one real mock process:
- clients sending 10 MB bodies, declared with Content-Length or chunked (no length): 413,
  refused without being buffered;
- a client sending malformed bodies back to back: 400 each;
- slow clients trickling a body (or the headers) one byte at a time: pending, never
  answered early, and served normally once the request is complete (one gives up and
  hangs up instead);
- idle connections that never send a byte;
- ordinary clients adding numbers: every add succeeds, each within a second.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil
import pytest

from tests.mock_client import assert_error, assert_virtual_number
from tests.reliability_tools import (
    RawConnection,
    add_body,
    chunk,
    json_headers,
    number,
    request_head,
    rss_bytes,
)
from vpbx_mock.app import ADD_PATH
from vpbx_mock.settings import MAX_BODY_BYTES
from vpbx_suite.mock_process import MockProcess, running_mock

# Under load and timed: never at the same time as another of the "load" group (make test runs
# pytest in parallel; --dist loadgroup keeps a group on one worker).
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("load")]

TOKEN = "reliability-hostile-token-c07e"
BIG_BODY_BYTES = 10 * 1024 * 1024
BIG_SENDERS = 2  # of each kind: declared length, chunked
SEND_PIECE = b"x" * 65536
TRICKLE_LENGTH = 200  # the declared Content-Length of a trickled body
TRICKLE_BYTES = 25  # sent one at a time, then the rest at once
TRICKLE_PAUSE = 0.15
IDLE_CONNECTIONS = 100
VALID_CLIENTS = 4
MAX_LATENCY = 1.0
# Normal growth is about 1 MiB; holding the bodies of the two chunked senders alone would
# take 20 MiB.
MAX_RSS_GROWTH = 16 * 1024 * 1024
MALFORMED_BODIES = [
    b'{"number": "79261234567", "dgn_number": ',  # truncated
    b'{"number": "79261234567",, }',
    b"\xff\xfe{\x00}\x00",  # UTF-16
    b'{"number": NaN}',
    b'{"number": "1", "number": "2"}',
    b"[" * 5000 + b"]" * 5000,
    b"1" * 60000,  # an integer too long to convert
]


@pytest.fixture
def mock(tmp_path: Path) -> Iterator[MockProcess]:
    with running_mock(tmp_path / "mock.sqlite3", {"API_TOKEN": TOKEN, "MOCK_CONNECTABLE": "any"}) as process:
        yield process


@dataclass
class Load:
    """What the threads saw; each list is appended to by one thread kind."""
    stop: threading.Event = field(default_factory=threading.Event)
    big_statuses: list[int | None] = field(default_factory=list)
    big_kept_open: list[bool] = field(default_factory=list)
    malformed: list[tuple[int, bytes]] = field(default_factory=list)
    trickles: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    add_failures: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # exceptions raised in threads


def send_big_bodies(base_url: str, load: Load, *, chunked: bool) -> None:
    """10 MB bodies, one per connection, until the load stops."""
    pieces = BIG_BODY_BYTES // len(SEND_PIECE)
    while not load.stop.is_set():
        with RawConnection(base_url, timeout=10.0) as connection:
            if chunked:
                connection.send(request_head("POST", TOKEN, content_length=None, chunked=True))
                parts = [*(chunk(SEND_PIECE) for _ in range(pieces)), chunk(b"")]
                # Either the server reads (and drops) all 10 MB, or it hangs up: both are fine.
                load.big_kept_open.append(connection.send_all(parts))
                response = connection.read_response(timeout=5.0)
            else:
                # A declared size over the limit is refused before a byte of the body is sent;
                # the body then comes anyway, as from a client that does not listen.
                connection.send(request_head("POST", TOKEN, content_length=BIG_BODY_BYTES))
                response = connection.read_response(timeout=5.0)
                load.big_kept_open.append(connection.send_all(SEND_PIECE for _ in range(pieces)))
            load.big_statuses.append(None if response is None else response.status)


def send_malformed(base_url: str, load: Load) -> None:
    with httpx.Client(base_url=base_url, headers=json_headers(TOKEN), timeout=10.0) as client:
        while not load.stop.is_set():
            for body in MALFORMED_BODIES:
                load.malformed.append((client.post(ADD_PATH, content=body).status_code, body[:40]))


def trickle(base_url: str, load: Load, mobile_number: str, *, in_head: bool = False,
            give_up: bool = False) -> None:
    """A valid add (body padded to TRICKLE_LENGTH) of which TRICKLE_BYTES bytes, in the
    body or in the head, come one by one."""
    body = add_body(mobile_number)
    head = request_head("POST", TOKEN, content_length=TRICKLE_LENGTH)
    request = head + body + b" " * (TRICKLE_LENGTH - len(body))
    start = 0 if in_head else len(head)
    with RawConnection(base_url, timeout=10.0) as connection:
        connection.send(request[:start])
        for at in range(start, start + TRICKLE_BYTES):
            connection.send(request[at:at + 1])
            time.sleep(TRICKLE_PAUSE)  # the pacing is the point: no polling can replace it
            if connection.has_answer():
                load.trickles.append(f"answered after {at + 1} of {len(request)} bytes")
                return
        if give_up:
            load.trickles.append("gave up")
            return
        connection.send(request[start + TRICKLE_BYTES:])
        response = connection.read_response(timeout=5.0)
        load.trickles.append("no answer" if response is None else str(response.status))


def add_valid_numbers(base_url: str, load: Load, prefix: int) -> None:
    with httpx.Client(base_url=base_url, headers=json_headers(TOKEN), timeout=10.0) as client:
        for serial in range(10**7):
            if load.stop.is_set():
                return
            started = time.monotonic()
            response = client.post(ADD_PATH, content=add_body(number(prefix, serial)))
            load.latencies.append(time.monotonic() - started)
            if response.status_code != 201:
                load.add_failures.append(f"{response.status_code} {response.text[:200]}")


def run_thread(load: Load, target: Callable[..., None], *args: object,
               **kwargs: object) -> threading.Thread:
    def guarded() -> None:
        try:
            target(*args, **kwargs)
        except Exception as error:  # a thread's exception would otherwise only be printed
            load.errors.append(f"{target.__name__}: {error!r}")
    thread = threading.Thread(target=guarded, daemon=True)
    thread.start()
    return thread


def warm_up(mock: MockProcess) -> None:
    """Every code path once, so that lazy imports and caches are in the baseline RSS."""
    with httpx.Client(base_url=mock.base_url, headers=json_headers(TOKEN), timeout=10.0) as client:
        for serial in range(20):
            assert_virtual_number(client.post(ADD_PATH, content=add_body(number(90, serial))))
        for body in MALFORMED_BODIES:
            assert_error(client.post(ADD_PATH, content=body), 400, "malformed_json")
        assert_error(client.post(ADD_PATH, content=b" " * (MAX_BODY_BYTES + 1)),
                     413, "payload_too_large")


class PeakRss:
    """Samples the process's RSS every few milliseconds, in a thread, keeping the maximum."""

    def __init__(self, pid: int) -> None:
        self.process = psutil.Process(pid)
        self.peak = self.process.memory_info().rss
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.wait(0.005):
            self.peak = max(self.peak, self.process.memory_info().rss)

    def close(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def test_hostile_clients_do_not_stop_service_for_others(mock):
    warm_up(mock)
    pid = mock.process.pid
    rss_before = rss_bytes(pid)
    peak_rss = PeakRss(pid)
    load = Load()
    idle: list[RawConnection] = []
    try:
        background = [
            *(run_thread(load, send_big_bodies, mock.base_url, load, chunked=chunked)
              for chunked in (False, True) for _ in range(BIG_SENDERS)),
            run_thread(load, send_malformed, mock.base_url, load),
            *(run_thread(load, add_valid_numbers, mock.base_url, load, prefix)
              for prefix in range(VALID_CLIENTS)),
        ]
        idle += [RawConnection(mock.base_url) for _ in range(IDLE_CONNECTIONS)]
        # The trickles set the length of the whole exercise (about 4 s).
        trickles = [run_thread(load, trickle, mock.base_url, load, number(91, 0)),
                    run_thread(load, trickle, mock.base_url, load, number(91, 1), in_head=True),
                    run_thread(load, trickle, mock.base_url, load, number(91, 2), give_up=True)]
        for thread in trickles:
            thread.join(30.0)
    finally:
        load.stop.set()
        for connection in idle:
            connection.close()
    for thread in background:
        thread.join(30.0)
        assert not thread.is_alive(), "a client hung"
    rss_peak = peak_rss.close()
    rss_after = rss_bytes(pid)

    latencies = sorted(load.latencies)
    print(f"\nvalid adds: {len(latencies)}, latency median {latencies[len(latencies) // 2]:.3f} s,"
          f" max {latencies[-1]:.3f} s; 10 MB bodies: {len(load.big_statuses)}"
          f" ({sum(load.big_kept_open)} read to the end by the mock);"
          f" malformed: {len(load.malformed)}; trickles: {load.trickles};"
          f" {IDLE_CONNECTIONS} idle connections;"
          f" RSS before {rss_before / 2**20:.1f} MiB, peak {rss_peak / 2**20:.1f} MiB,"
          f" after {rss_after / 2**20:.1f} MiB")

    assert not load.errors
    assert mock.process.poll() is None, mock.output()
    # Service for the others.
    assert not load.add_failures, load.add_failures[:5]
    assert len(latencies) >= 100, "too few adds got through"
    assert latencies[-1] < MAX_LATENCY, latencies[-10:]
    # The hostile requests got proper answers.
    assert len(load.big_statuses) >= 2 * BIG_SENDERS
    assert set(load.big_statuses) == {413}, load.big_statuses
    assert load.malformed and {status for status, _ in load.malformed} == {400}, [
        m for m in load.malformed if m[0] != 400][:5]
    assert sorted(load.trickles) == ["201", "201", "gave up"], load.trickles
    # Memory: 10 MB bodies are refused as they come, never held.
    assert rss_peak - rss_before < MAX_RSS_GROWTH, (rss_before, rss_peak)
    assert rss_after - rss_before < MAX_RSS_GROWTH, (rss_before, rss_after)
    # Still serving, and nothing went wrong inside.
    with httpx.Client(base_url=mock.base_url, headers=json_headers(TOKEN), timeout=10.0) as client:
        assert_virtual_number(client.post(ADD_PATH, content=add_body(number(92, 0))))
    assert "Traceback" not in mock.output()
    assert "Exception" not in mock.output()
