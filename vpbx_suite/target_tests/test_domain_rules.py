"""Rules a generic fuzzer cannot know: echoes, duplicates, targeted invalid input, auth.

Every request carries a fresh number, so a 409 always means "duplicate" and never
"some earlier case used this number". Every answer also passes through schemathesis's
response checks and the domain checks (TargetApi.send).
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from vpbx_suite.contract import (
    AUTH_REJECTION_STATUSES,
    DUPLICATE_STATUS,
    INVALID_INPUT_STATUSES,
    JSON_MEDIA_TYPE,
    OPERATION_METHOD,
    OPERATION_PATH,
    bundled_facts,
)
from vpbx_suite.run import SuiteRun
from vpbx_suite.target_api import TargetApi
from vpbx_suite.targeted_cases import NOT_JSON, as_json, invalid_requests
from vpbx_spec.document import bundled_document

FACTS = bundled_facts()
REQUEST_EXAMPLES: dict[str, dict[str, Any]] = {
    name: example["value"]
    for name, example in bundled_document()["paths"][OPERATION_PATH][OPERATION_METHOD]
    ["requestBody"]["content"][JSON_MEDIA_TYPE]["examples"].items()
}
INVALID_REQUESTS = invalid_requests(FACTS)
REJECTIONS = sorted(INVALID_INPUT_STATUSES & FACTS.documented_statuses)
AUTH_REJECTIONS = sorted(AUTH_REJECTION_STATUSES & FACTS.documented_statuses)
UNAUTHORIZED = 401


def fresh_body(run: SuiteRun, example: str = "seed") -> dict[str, Any]:
    body = copy.deepcopy(REQUEST_EXAMPLES[example])
    body["number"] = run.fresh.next()
    return body


def assert_added(api: TargetApi, body: dict[str, Any], why: str) -> None:
    response = api.add(body)
    assert response.status_code in FACTS.success_statuses, (
        f"{why}: adding {body['number']} answered {response.status_code}, expected one of "
        f"{sorted(FACTS.success_statuses)}: {response.text[:300]}")


@pytest.mark.parametrize("example", sorted(REQUEST_EXAMPLES))
def test_documented_example_is_added_and_echoed(api: TargetApi, run: SuiteRun, example: str) -> None:
    # The echo and id checks run inside api.send; this asserts the status on top.
    assert_added(api, fresh_body(run, example), f"request example {example!r}")


def test_adding_the_same_number_twice_is_a_conflict(api: TargetApi, run: SuiteRun) -> None:
    body = fresh_body(run)
    assert_added(api, body, "first add")
    again = api.add(body)
    assert again.status_code == DUPLICATE_STATUS, (
        f"the same number added twice answered {again.status_code}, expected {DUPLICATE_STATUS}")
    other_details = {**body, "purpose": "company", "comment": "other", "dgn_number": "74991234567"}
    changed = api.add(other_details)
    assert changed.status_code == DUPLICATE_STATUS, (
        f"the same number with other details answered {changed.status_code}, expected {DUPLICATE_STATUS}")


@pytest.mark.parametrize("case", list(INVALID_REQUESTS))
def test_invalid_request_is_rejected(api: TargetApi, run: SuiteRun, case: str) -> None:
    body = fresh_body(run)
    sent = INVALID_REQUESTS[case](body)
    response = api.send(sent)
    assert response.status_code in REJECTIONS, (
        f"{case}: answered {response.status_code}, expected one of {REJECTIONS}: {response.text[:300]}")
    if sent.body is not NOT_JSON and isinstance(sent.body, dict) and sent.body.get("number") == body["number"]:
        # The rejected request carried a valid fresh number: it must not have been stored.
        assert_added(api, body, f"after the rejected request ({case})")


# No credentials at all is 401 (RFC 9110); credentials that are refused may be 401 or 403 (D14).
@pytest.mark.parametrize(("case", "token", "expected"), [
    ("no Authorization header", None, [UNAUTHORIZED]),
    ("wrong token", "wrong-token", AUTH_REJECTIONS),
    ("empty token", "", AUTH_REJECTIONS),
], ids=["no Authorization header", "wrong token", "empty token"])
def test_request_without_a_valid_token_is_refused(api: TargetApi, run: SuiteRun, case: str,
                                                  token: str | None, expected: list[int]) -> None:
    body = fresh_body(run)
    response = api.send(as_json(body), token=token)
    assert response.status_code in expected, (
        f"{case}: answered {response.status_code}, expected one of {expected}")
    assert_added(api, body, f"after the refused request ({case})")
