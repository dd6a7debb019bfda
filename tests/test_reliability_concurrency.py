"""Concurrent adds against the real process, each client on a connection of its own.

tests/test_mock_concurrency.py checks the same rules in-process; here uvicorn, its event loop
and the WAL file are all in the way, as they are for an integrator.
"""

from __future__ import annotations

import asyncio
import ssl
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.mock_client import assert_error, assert_virtual_number
from tests.reliability_tools import add_body, integrity_check, json_headers, number, stored_ids
from vpbx_mock.app import ADD_PATH
from vpbx_suite.mock_process import MockProcess, running_mock

# Under load and timed: never at the same time as another of the "load" group (make test runs
# pytest in parallel; --dist loadgroup keeps a group on one worker).
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("load")]

TOKEN = "reliability-concurrency-token-41ab"
# Plain HTTP, but every httpx client would still load CA certificates (~40 ms) for its own.
SHARED_TLS = ssl.create_default_context()


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("concurrency") / "mock.sqlite3"


@pytest.fixture(scope="module")
def mock(database: Path) -> Iterator[MockProcess]:
    with running_mock(database, {"API_TOKEN": TOKEN, "MOCK_CONNECTABLE": "any"}) as process:
        yield process
        process.stop()
        assert "Traceback" not in process.output()


def add_concurrently(base_url: str, numbers: list[str]) -> list[httpx.Response]:
    """One client per request, each with its own connection opened beforehand, so that
    all the adds reach the server together rather than as connections are set up."""
    async def run() -> list[httpx.Response]:
        clients = [httpx.AsyncClient(base_url=base_url, headers=json_headers(TOKEN),
                                     timeout=30.0, limits=httpx.Limits(max_connections=1),
                                     verify=SHARED_TLS)
                   for _ in numbers]
        try:
            # Any answer opens the connection; "/" is a 404 that touches no data.
            await asyncio.gather(*(client.get("/") for client in clients))
            return await asyncio.gather(*(
                client.post(ADD_PATH, content=add_body(mobile_number))
                for client, mobile_number in zip(clients, numbers)))
        finally:
            await asyncio.gather(*(client.aclose() for client in clients))
    return asyncio.run(run())


def test_fifty_clients_adding_one_number_get_one_201_and_49_conflicts(mock, database):
    mobile_number = number(50, 0)
    responses = add_concurrently(mock.base_url, [mobile_number] * 50)
    assert Counter(response.status_code for response in responses) == {201: 1, 409: 49}
    for response in responses:
        if response.status_code == 409:
            assert_error(response, 409, "duplicate_number", "number")
    (created,) = (assert_virtual_number(r) for r in responses if r.status_code == 201)
    assert stored_ids(database)[mobile_number] == created["id"]


def test_two_hundred_clients_adding_distinct_numbers_all_succeed_once(mock, database):
    numbers = [number(51, serial) for serial in range(200)]
    responses = add_concurrently(mock.base_url, numbers)
    assert [response.status_code for response in responses] == [201] * 200, Counter(
        response.status_code for response in responses)
    bodies = [assert_virtual_number(response) for response in responses]
    assert [body["number"] for body in bodies] == numbers
    ids = {body["number"]: body["id"] for body in bodies}
    assert len(set(ids.values())) == 200

    again = add_concurrently(mock.base_url, numbers)
    for response in again:
        assert_error(response, 409, "duplicate_number", "number")
    stored = stored_ids(database)
    assert {mobile_number: stored[mobile_number] for mobile_number in numbers} == ids
    assert integrity_check(database) == "ok"
