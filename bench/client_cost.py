"""`python -m bench.client_cost`: what vpbx_client costs per call next to raw httpx.

Both send the same requests over one kept-alive connection: reads of one id and adds of new
numbers, against a started mock (no faults, access log off), then the same with no network at
all (httpx.MockTransport answering from memory), where only the client's own work is left.
"Raw httpx" is what a hand-written integration does at least: send, check the status, parse
the JSON. The client adds the request model, the retry flow and the answer model. Variants
run interleaved, ROUNDS rounds of BATCH calls each, and the median round counts. The figures
are printed, not asserted: they depend on the machine, printed with them.
"""

from __future__ import annotations

import itertools
import json
import os
import secrets
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx

from vpbx_client import Client
from vpbx_suite.mock_process import running_mock

ROUNDS = 7
BATCH = 300
ADD_PATH, READ_PATH = "/numbers/unconfirmed", "/numbers/virtual-number/{}"
DGN = "74991234567"


def _numbers(start: int) -> Iterator[str]:
    return (f"79{index:09d}" for index in itertools.count(start))


def _add_body(number: str) -> dict[str, str]:
    return {"number": number, "dgn_number": DGN, "purpose": "company", "type": "def"}


def _one_round(run: Callable[[], object]) -> float:
    """µs per call over BATCH calls."""
    started = time.perf_counter()
    for _ in range(BATCH):
        run()
    return (time.perf_counter() - started) / BATCH * 1e6


def measure(raw: httpx.Client, client: Client, read_id: int, numbers: tuple[Iterator[str], Iterator[str]]
            ) -> dict[str, tuple[float, float]]:
    """operation -> (raw µs per call, client µs per call), the median of ROUNDS rounds."""
    raw_numbers, client_numbers = numbers
    path = READ_PATH.format(read_id)

    def raw_read() -> object:
        response = raw.get(path)
        response.raise_for_status()
        return response.json()

    def raw_add() -> object:
        response = raw.post(ADD_PATH, json=_add_body(next(raw_numbers)))
        response.raise_for_status()
        return response.json()

    def client_read() -> object:
        return client.get_virtual_number(id=read_id)

    def client_add() -> object:
        return client.add_mobile_number(number=next(client_numbers), dgn_number=DGN,
                                        purpose="company", type="def")

    variants = {"read": (raw_read, client_read), "add": (raw_add, client_add)}
    figures = {}
    for operation, (raw_call, client_call) in variants.items():
        raw_call(), client_call()  # warm both: connections, imports, caches
        raw_rounds: list[float] = []
        client_rounds: list[float] = []
        for round in range(ROUNDS):
            order = [(raw_call, raw_rounds), (client_call, client_rounds)]
            for call, rounds in order if round % 2 == 0 else reversed(order):  # neither always first
                rounds.append(_one_round(call))
        figures[operation] = (statistics.median(raw_rounds), statistics.median(client_rounds))
    return figures


def _in_memory_server() -> httpx.MockTransport:
    """Answers like the mock, from memory: a stored record for reads, a new one for adds."""
    record = {"number": "79000000001", "comment": None, "type": "def", "purpose": "company",
              "scenario_id": None, "group_scenario_id": None, "group_id": None,
              "is_scenario_active": None, "is_group_scenario_active": None, "id": 1,
              "state": "activation", "reason": None, "from_redirect_numbers": None,
              "employee_id": None, "dgn_number": DGN, "region_name": "Москва"}
    ids = itertools.count(2)

    def answer(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            added = {**record, **json.loads(request.content), "id": next(ids)}
            return httpx.Response(201, content=json.dumps(added).encode(),
                                  headers={"content-type": "application/json"})
        return httpx.Response(200, content=json.dumps(record).encode(),
                              headers={"content-type": "application/json"})
    return httpx.MockTransport(answer)


def _print(title: str, figures: dict[str, tuple[float, float]]) -> None:
    print(f"\n{title}")
    print(f"  {'operation':10} {'raw httpx':>12} {'vpbx_client':>12} {'overhead':>10} {'ratio':>7}")
    for operation, (raw_us, client_us) in figures.items():
        print(f"  {operation:10} {raw_us:>9.0f} µs {client_us:>9.0f} µs {client_us - raw_us:>7.0f} µs"
              f" {client_us / raw_us:>6.2f}x")


def main() -> int:
    token = secrets.token_hex(16)
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"client cost: {os.cpu_count()} cores, load average {load}; {ROUNDS} rounds of {BATCH}"
          f" calls per variant, interleaved, median round; µs per call")
    with tempfile.TemporaryDirectory() as scratch, \
            running_mock(Path(scratch) / "bench.sqlite3", {"API_TOKEN": token, "MOCK_CONNECTABLE": "any"}) as mock, \
            httpx.Client(base_url=mock.base_url, headers={"Authorization": token}) as raw, \
            Client(base_url=mock.base_url, token=token) as client:
        read_id = raw.post(ADD_PATH, json=_add_body("79000000000")).json()["id"]
        network = measure(raw, client, read_id, (_numbers(100_000_000), _numbers(200_000_000)))
    _print("against the mock on this machine (no faults, access log off):", network)
    transport = _in_memory_server()
    with httpx.Client(base_url="http://bench.local", headers={"Authorization": token}, transport=transport) as raw, \
            Client(base_url="http://bench.local", token=token, transport=transport) as client:
        memory = measure(raw, client, 1, (_numbers(100_000_000), _numbers(200_000_000)))
    _print("no network (httpx.MockTransport): the client's own work", memory)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
