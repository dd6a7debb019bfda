"""The oracle and the mock cannot disagree: one random history of requests over two accounts,
sent to the mock as a process on a SQLite file and to the oracle in memory, gets the same
answers, byte for byte in their JSON (the oracle is the mock's application; this proves that
nothing between, persistence or the HTTP server, makes them differ)."""

from __future__ import annotations

import json
import os
import random
from pathlib import Path
from typing import Any

import httpx
import pytest

from vpbx_model.oracle import Oracle
from vpbx_suite.contract import bundled_facts
from vpbx_suite.mock_process import running_mock

pytestmark = pytest.mark.slow

FACTS = bundled_facts()
LIFE = FACTS.lifecycle
TOKENS = {"main": "oracle-test-main-7d2a", "other": "oracle-test-other-1b9f"}
REQUESTS = 250
SEED = int(os.environ.get("VPBX_MODEL_SEED", "23"))


def _request(rng: random.Random, numbers: list[str]) -> tuple[str, str, str, dict[str, Any] | bytes | None]:
    """(account, method, path, body): any of the six operations, valid or not."""
    account = rng.choice(["main", "other"])
    record_id = rng.choice([1, 2, 3, 4, 5, 6, 7, 8, 0, 10**12])
    kind = rng.choice(["add", "add", "read", "listing", "edit", "edit", "delete", "connectable", "bad"])
    if kind == "add":
        body: dict[str, Any] = {"number": rng.choice(numbers), "dgn_number": "74951234567",
                                "purpose": rng.choice(["company", "not_specified", "employee"]), "type": "def"}
        if rng.random() < 0.5:
            body["comment"] = rng.choice(["", "заметка", None, "x" * 300])
        return account, "POST", FACTS[LIFE.add].path, body
    path = FACTS[LIFE.read].url_path(id=record_id)
    if kind == "read":
        return account, "GET", path, None
    if kind == "listing":
        return account, "GET", FACTS[LIFE.listing].path + rng.choice(["", "?type=def", "?type=x", "?page=2"]), None
    if kind == "edit":
        body = {"id": rng.choice([record_id, record_id, record_id + 1]),
                "purpose": rng.choice(["company", "not_specified", "employee"])}
        if body["purpose"] == "employee" or rng.random() < 0.1:
            body["employee_id"] = rng.choice([1, 55, 0])
        if rng.random() < 0.5:
            body["comment"] = rng.choice(["", "edited", None])
        return account, "PUT", path, body
    if kind == "delete":
        return account, "DELETE", path, None
    if kind == "connectable":
        return account, "GET", FACTS[LIFE.connectable].path, None
    return account, "POST", FACTS[LIFE.add].path, b'{"number": '


def test_the_mock_as_a_process_and_the_oracle_answer_alike(tmp_path: Path) -> None:
    rng = random.Random(SEED)
    oracle = Oracle(list(TOKENS), any_number=True)
    env = {"API_TOKENS": ",".join(TOKENS.values()), "MOCK_CONNECTABLE": "any"}
    with running_mock(tmp_path / "mock.sqlite3", env) as mock, httpx.Client(base_url=mock.base_url) as client:
        offered = client.get(FACTS[LIFE.connectable].path, headers={"Authorization": TOKENS["main"]}).json()
        numbers = [item["number"] for item in offered[:4]] + ["79990000001", "89161234567"]
        statuses: set[int] = set()
        for step in range(REQUESTS):
            account, method, path, body = _request(rng, numbers)
            content = body if isinstance(body, bytes) else b"" if body is None else json.dumps(body).encode()
            headers = [("Content-Type", "application/json")] if content else []
            got = client.request(method, path, content=content or None,
                                 headers=[*headers, ("Authorization", TOKENS[account])])
            url_path, _, query = path.partition("?")
            expected = oracle.send(account, method, url_path, query=query, headers=headers, content=content)
            statuses.add(got.status_code)
            assert (got.status_code, got.json()) == (expected.status, expected.body), (
                f"step {step + 1}: {account} {method} {path} {content[:200]!r}: the mock answered "
                f"{got.status_code} {got.text[:300]}, the oracle {expected.status} {expected.text[:300]}")
    oracle.close()
    # The history reached every kind of answer the two could disagree on.
    assert {200, 201, 400, 404, 409, 422} <= statuses, statuses
