"""What the explicit tests share: valid bodies from the document's examples with a fresh
number, and adding a number the run will own (within the write budget)."""

from __future__ import annotations

import copy
from typing import Any

import httpx
import pytest

from vpbx_suite.contract import NUMBER_FIELD
from vpbx_suite.fresh_numbers import OutOfNumbers
from vpbx_suite.run import SuiteRun
from vpbx_suite.target_api import TargetApi, as_json, json_or_none


def fresh_body(run: SuiteRun, example: str = "seed") -> dict[str, Any]:
    add = run.facts.operations[run.facts.lifecycle.add or ""]
    body = copy.deepcopy(add.request_examples[example])
    try:
        body[NUMBER_FIELD] = run.fresh.next()
    except OutOfNumbers as error:
        pytest.skip(str(error))
    return body


def spend_write(run: SuiteRun, check: str, writes: int = 1) -> None:
    """Take `writes` from the budget, or skip the test (reported at the end of the run)."""
    if not run.budget.take(writes):
        run.budget.refuse(check)
        pytest.skip(f"write budget (MAX_WRITES) spent: {check} not run")


def assert_added(api: TargetApi, body: dict[str, Any], why: str) -> httpx.Response:
    add = api.run.facts.lifecycle.add or ""
    response = api.call(add, as_json(body))
    success = sorted(api.operation(add).success_statuses)
    assert response.status_code in success, (
        f"{why}: adding {body[NUMBER_FIELD]} answered {response.status_code}, expected one of "
        f"{success}: {response.text[:300]}")
    return response


def add_owned(api: TargetApi, check: str, example: str = "seed") -> dict[str, Any]:
    """Add a number for a test to work on; its record as the add answered it."""
    spend_write(api.run, check)
    return json_or_none(assert_added(api, fresh_body(api.run, example), check))


def listed(api: TargetApi, query: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    response = api.call(api.run.facts.lifecycle.listing or "", query=query)
    assert response.status_code == 200, f"the listing answered {response.status_code}: {response.text[:300]}"
    return [item for item in json_or_none(response) or [] if isinstance(item, dict)]


def read(api: TargetApi, record_id: int) -> httpx.Response:
    return api.call(api.run.facts.lifecycle.read or "", path={"id": record_id})
