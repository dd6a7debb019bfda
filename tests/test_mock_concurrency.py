"""Concurrent adds on one app: the database, not a check-then-insert, decides duplicates."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.contract_data import seed_request
from tests.mock_client import JSON_HEADERS, TOKEN, async_mock_client, json_bytes
from vpbx_mock.app import ADD_PATH, create_app
from vpbx_mock.store import ANY, NumberStore


@pytest.fixture(params=["memory", "file"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[NumberStore]:
    # "file" is a real WAL database, as `make mock` uses.
    database = ":memory:" if request.param == "memory" else str(tmp_path / "mock.sqlite3")
    store = NumberStore.open(database, connectable=ANY)
    yield store
    store.close()


def add_all_at_once(store: NumberStore, numbers: list[str]) -> list[httpx.Response]:
    """POST the seed request once per number, all requests in flight together."""
    async def run() -> list[httpx.Response]:
        async with async_mock_client(create_app(store, token=TOKEN)) as client:
            return await asyncio.gather(*(
                client.post(ADD_PATH, content=json_bytes({**seed_request(), "number": number}),
                            headers=JSON_HEADERS)
                for number in numbers))
    return asyncio.run(run())


def test_fifty_concurrent_adds_of_one_number_store_it_once(store):
    number = seed_request()["number"]
    responses = add_all_at_once(store, [number] * 50)
    assert Counter(response.status_code for response in responses) == {201: 1, 409: 49}
    assert {response.json()["error"]["code"] for response in responses
            if response.status_code == 409} == {"duplicate_number"}
    assert store.count() == 1
    (created,) = (response.json() for response in responses if response.status_code == 201)
    stored = store.get(number)
    assert stored is not None and stored.id == created["id"]


def test_two_hundred_concurrent_adds_of_distinct_numbers_all_succeed(store):
    numbers = [f"7916{index:07d}" for index in range(200)]
    responses = add_all_at_once(store, numbers)
    assert [response.status_code for response in responses] == [201] * 200
    bodies = [response.json() for response in responses]
    assert [body["number"] for body in bodies] == numbers
    assert len({body["id"] for body in bodies}) == 200
    assert store.count() == 200
    assert all(store.get(number) is not None for number in numbers)
