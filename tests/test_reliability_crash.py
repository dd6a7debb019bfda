"""kill -9 in the middle of a load of adds: nothing acknowledged is lost, the file stays sound.

README: "an acknowledged add survives the process being killed". Client threads add distinct
numbers as fast as they can; the mock is killed while requests are in flight; a restart on
the same file must know every number that was answered 2xx, under the id that was answered.
"""

from __future__ import annotations

import signal
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.mock_client import assert_error, assert_virtual_number
from tests.reliability_tools import (
    add_body,
    integrity_check,
    json_headers,
    number,
    stored_ids,
)
from vpbx_mock.app import ADD_PATH
from vpbx_suite.mock_process import running_mock, start_mock

# Under load and timed: never at the same time as another of the "load" group (make test runs
# pytest in parallel; --dist loadgroup keeps a group on one worker).
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("load")]

TOKEN = "reliability-crash-token-8d2f"
CLIENTS = 12
MIN_ACKNOWLEDGED = 300  # "a few hundred" before the kill
MIN_LOAD_SECONDS = 0.5
LOAD_TIMEOUT = 20.0


@dataclass
class Client:
    """Adds distinct numbers back to back until its connection breaks."""
    base_url: str
    prefix: int
    acknowledged: dict[str, int] = field(default_factory=dict)  # number -> id answered
    refused: dict[str, int] = field(default_factory=dict)  # number -> non-2xx status
    lost: list[tuple[str, str]] = field(default_factory=list)  # (number, error): no answer
    in_flight: str | None = None  # the number being added right now

    def run(self) -> None:
        with httpx.Client(base_url=self.base_url, headers=json_headers(TOKEN),
                          timeout=10.0) as client:
            for serial in range(10**7):
                mobile_number = number(self.prefix, serial)
                self.in_flight = mobile_number
                try:
                    response = client.post(ADD_PATH, content=add_body(mobile_number))
                except httpx.TransportError as error:
                    self.lost.append((mobile_number, type(error).__name__))
                    return
                finally:
                    self.in_flight = None
                if 200 <= response.status_code < 300:
                    self.acknowledged[mobile_number] = response.json()["id"]
                else:
                    self.refused[mobile_number] = response.status_code


def acknowledged_count(clients: list[Client]) -> int:
    return sum(len(client.acknowledged) for client in clients)


def test_kill_9_under_load_loses_no_acknowledged_add(tmp_path: Path):
    database = tmp_path / "mock.sqlite3"
    mock = start_mock(database, {"API_TOKEN": TOKEN, "MOCK_CONNECTABLE": "any"})
    try:
        clients = [Client(mock.base_url, prefix) for prefix in range(CLIENTS)]
        threads = [threading.Thread(target=client.run, daemon=True) for client in clients]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        # Poll until the load is well under way, then kill with requests in flight.
        while (acknowledged_count(clients) < MIN_ACKNOWLEDGED
               or time.monotonic() - started < MIN_LOAD_SECONDS):
            assert time.monotonic() - started < LOAD_TIMEOUT, (
                f"only {acknowledged_count(clients)} adds in {LOAD_TIMEOUT} s")
            assert mock.process.poll() is None, mock.output()
            time.sleep(0.01)
        in_flight_at_kill = sum(client.in_flight is not None for client in clients)
        assert mock.stop(signal.SIGKILL) == -signal.SIGKILL
        killed_after = time.monotonic() - started
        for thread in threads:
            thread.join(10.0)
            assert not thread.is_alive(), "a client hung after the kill"
    finally:
        mock.close()

    acknowledged = {n: i for client in clients for n, i in client.acknowledged.items()}
    lost = {n: error for client in clients for n, error in client.lost}
    print(f"\nkill -9 after {killed_after:.2f} s: {len(acknowledged)} acknowledged,"
          f" {in_flight_at_kill} in flight, lost: {sorted(lost.values())}")

    assert not any(client.refused for client in clients), [c.refused for c in clients]
    assert len(acknowledged) >= MIN_ACKNOWLEDGED
    assert len(set(acknowledged.values())) == len(acknowledged), "an id was answered twice"
    # The kill really hit the load: requests were pending, and some died without an answer
    # (ConnectError alone would mean they were only sent after the process was gone).
    assert in_flight_at_kill >= 1
    assert any(error != "ConnectError" for error in lost.values()), lost

    with running_mock(database, {"API_TOKEN": TOKEN, "MOCK_CONNECTABLE": "any"}) as mock:
        assert integrity_check(database) == "ok"
        stored = stored_ids(database)
        missing = sorted(set(acknowledged) - set(stored))
        assert not missing, f"{len(missing)} acknowledged adds lost, e.g. {missing[:5]}"
        assert {n: stored[n] for n in acknowledged} == acknowledged, "an id changed"
        # Whatever else is stored was sent: a request that died in flight may have committed.
        assert set(stored) <= set(acknowledged) | set(lost)
        with httpx.Client(base_url=mock.base_url, headers=json_headers(TOKEN),
                          timeout=10.0) as client:
            for mobile_number in acknowledged:
                assert_error(client.post(ADD_PATH, content=add_body(mobile_number)),
                             409, "duplicate_number", "number")
            # AUTOINCREMENT: a new id is above every stored one, after a crash too.
            new = assert_virtual_number(client.post(ADD_PATH, content=add_body(number(99, 0))))
            assert new["id"] > max(stored.values())
    assert integrity_check(database) == "ok"
    assert len(stored_ids(database)) == len(stored) + 1
