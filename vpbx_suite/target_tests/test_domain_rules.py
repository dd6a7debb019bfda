"""Rules of the add a generic fuzzer cannot know: echoes, duplicates (also in a race),
numbers the account may not connect, and tokens that are almost right.

Every request carries a fresh number, so a 409 always means "duplicate" and never "some
earlier case used this number". Every answer is judged by the whole contract (TargetApi)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from vpbx_suite.completeness import NOT_APPLICABLE, NUMBERS_SETTING, not_run
from vpbx_suite.contract import AUTH_REJECTION_STATUSES, DUPLICATE_STATUS, NUMBER_FIELD, bundled_facts
from vpbx_suite.fresh_numbers import FreshNumbers
from vpbx_suite.rules import (ADD_ACCEPTED, DISTINCT_IDS, DUPLICATE, MISSING_TOKEN, NOT_OFFERED, TWO_TOKENS,
                              WRONG_TOKEN, expect)
from vpbx_suite.run import SuiteRun
from vpbx_suite.settings import CONNECTABLE, Target
from vpbx_suite.target_api import TargetApi, as_json, json_or_none
from vpbx_suite.target_tests.helpers import assert_added, fresh_body, require_numbers, spend_write

FACTS = bundled_facts()
ADD = FACTS.operations[FACTS.lifecycle.add or ""]
UNAUTHORIZED = 401
RACE_REQUESTS = 12  # parallel adds of one number: enough to open a check-then-insert window
RACE_ROUNDS = 4


@pytest.mark.needs("add")
@pytest.mark.parametrize("example", sorted(ADD.request_examples))
def test_documented_example_is_added_and_echoed(api: TargetApi, run: SuiteRun, example: str) -> None:
    spend_write(run, "documented examples")
    # The echo and id checks run inside api.call; this asserts the status on top.
    assert_added(api, fresh_body(run, example), f"request example {example!r}")


@pytest.mark.needs("add")
def test_adding_the_same_number_twice_is_a_conflict(api: TargetApi, run: SuiteRun) -> None:
    spend_write(run, "duplicate number", 3)
    body = fresh_body(run)
    assert_added(api, body, "first add")
    again = api.call(ADD.operation_id, as_json(body))
    expect(again.status_code == DUPLICATE_STATUS, DUPLICATE,
           f"{body[NUMBER_FIELD]}, added and then added again, answered {again.status_code} the second time, "
           f"expected {DUPLICATE_STATUS}: {again.text[:300]}")
    other = {**body, "purpose": "company", "comment": "other", "dgn_number": "74991234567"}
    changed = api.call(ADD.operation_id, as_json(other))
    expect(changed.status_code == DUPLICATE_STATUS, DUPLICATE,
           f"{body[NUMBER_FIELD]}, already on the account, added again with other details answered "
           f"{changed.status_code}, expected {DUPLICATE_STATUS}: {changed.text[:300]}")


def _race(api: TargetApi, bodies: list[dict[str, Any]]) -> list[Any]:
    with ThreadPoolExecutor(len(bodies)) as pool:
        return list(pool.map(lambda body: api.call(ADD.operation_id, as_json(body)), bodies))


@pytest.mark.needs("add")
def test_parallel_adds_of_one_number_give_one_success(api: TargetApi, run: SuiteRun) -> None:
    """A uniqueness rule checked, then inserted, lets two adds of one number through."""
    spend_write(run, "duplicate race", RACE_REQUESTS * RACE_ROUNDS)
    for round_number in range(RACE_ROUNDS):
        body = fresh_body(run)
        statuses = sorted(response.status_code for response in _race(api, [body] * RACE_REQUESTS))
        run.count_edge("race: one number, parallel adds", RACE_REQUESTS)
        successes = [s for s in statuses if s in ADD.success_statuses]
        expect(len(successes) == 1 and statuses.count(DUPLICATE_STATUS) == RACE_REQUESTS - 1, DUPLICATE,
               f"round {round_number + 1}: {RACE_REQUESTS} parallel adds of {body[NUMBER_FIELD]} answered "
               f"{statuses}; expected exactly one success and {RACE_REQUESTS - 1} × {DUPLICATE_STATUS}")


@pytest.mark.needs("add")
def test_parallel_adds_of_distinct_numbers_get_distinct_ids(api: TargetApi, run: SuiteRun) -> None:
    spend_write(run, "distinct-id race", RACE_REQUESTS)
    responses = _race(api, [fresh_body(run) for _ in range(RACE_REQUESTS)])
    run.count_edge("race: distinct numbers, parallel adds", RACE_REQUESTS)
    ids = [(json_or_none(r) or {}).get("id") for r in responses if r.status_code in ADD.success_statuses]
    expect(len(ids) == RACE_REQUESTS, ADD_ACCEPTED,
           f"{RACE_REQUESTS} parallel adds of distinct numbers answered {sorted(r.status_code for r in responses)}; "
           f"each should succeed")
    expect(len(set(ids)) == RACE_REQUESTS, DISTINCT_IDS,
           f"{RACE_REQUESTS} parallel adds of distinct numbers got the ids {sorted(ids, key=str)}: some twice")


@pytest.mark.needs("add", "connectable")
def test_a_number_the_listing_does_not_offer_is_refused(api: TargetApi, run: SuiteRun, target: Target) -> None:
    """D20: only numbers the connectable listing offers may be added."""
    if target.numbers != CONNECTABLE:
        not_run(NUMBERS_SETTING, "the server's listing is not the source of numbers")
    require_numbers(run)
    offered = {item.get(NUMBER_FIELD) for item in json_or_none(api.call(FACTS.lifecycle.connectable or "")) or []
               if isinstance(item, dict)}
    generated = FreshNumbers()
    number = next(n for n in iter(generated.next, None) if n not in offered)
    spend_write(run, "number not offered")
    body = {**fresh_body(run), NUMBER_FIELD: number}
    response = api.call(ADD.operation_id, as_json(body))
    rejections = ADD.rejection_statuses()
    expect(response.status_code in rejections, NOT_OFFERED,
           f"adding {number}, which the connectable listing does not offer, answered "
           f"{response.status_code}; expected one of {rejections}: {response.text[:300]}")


# --- tokens ------------------------------------------------------------------------------

def _change(char: str) -> str:
    return "x" if char != "x" else "y"


# name -> (how the value is made from the token, the same as a shell expression of $API_TOKEN)
NEAR_MISSES: dict[str, tuple[Any, str]] = {
    "first character changed": (lambda t: _change(t[0]) + t[1:], None),
    "middle character changed": (lambda t: t[: len(t) // 2] + _change(t[len(t) // 2]) + t[len(t) // 2 + 1:], None),
    "last character changed": (lambda t: t[:-1] + _change(t[-1]), None),
    "letter case swapped": (lambda t: t.swapcase(), "${API_TOKEN~~}"),
    "truncated by one": (lambda t: t[:-1], "${API_TOKEN%?}"),
    "with a suffix": (lambda t: t + "x", "${API_TOKEN}x"),
    "with a prefix": (lambda t: "x" + t, "x${API_TOKEN}"),
    "half of it": (lambda t: t[: len(t) // 2], None),
    "wrong token under Bearer": (lambda t: "Bearer " + _change(t[0]) + t[1:], None),
    "Bearer and nothing": (lambda t: "Bearer", "Bearer"),
    "Basic scheme with the token": (lambda t: "Basic " + t, "Basic ${API_TOKEN}"),
    "empty": (lambda t: "", ""),
}


def _probe(api: TargetApi, run: SuiteRun, **kwargs: Any) -> Any:
    """A read if the listing is checked (no write at all), else an add of a fresh number."""
    if run.checks(FACTS.lifecycle.listing):
        return api.call(FACTS.lifecycle.listing or "", **kwargs), None
    spend_write(run, "token near-misses")
    body = fresh_body(run)
    return api.call(ADD.operation_id, as_json(body), **kwargs), body


@pytest.mark.parametrize("case", list(NEAR_MISSES))
def test_a_token_that_is_almost_right_is_refused(api: TargetApi, run: SuiteRun, target: Target, case: str) -> None:
    make, expression = NEAR_MISSES[case]
    value = make(target.token)
    if value == target.token:
        not_run(NOT_APPLICABLE, f"{case} gives the token itself (it has no letters to swap)")
    shown = {value: expression if expression is not None else "<" + case + " of $API_TOKEN>"}
    response, body = _probe(api, run, token=value, token_expressions=shown)
    run.count_edge("auth: near-miss tokens")
    rejections = sorted(AUTH_REJECTION_STATUSES)
    expect(response.status_code in rejections, WRONG_TOKEN,
           f"Authorization with the token {case} answered {response.status_code}; expected one of {rejections}")


def test_a_missing_token_is_401(api: TargetApi, run: SuiteRun) -> None:
    response, _ = _probe(api, run, token=None)
    expect(response.status_code == UNAUTHORIZED, MISSING_TOKEN,
           f"a request without an Authorization header answered {response.status_code}, expected {UNAUTHORIZED}")


# D14, and RFC 9110 §5.3: Authorization is not a list; a message with two is malformed, so a
# server may also answer 400.
TWO_HEADERS_REFUSED = AUTH_REJECTION_STATUSES | {400}


@pytest.mark.parametrize("order", ["valid first", "wrong first"])
def test_two_authorization_headers_are_refused(api: TargetApi, run: SuiteRun, target: Target, order: str) -> None:
    wrong = "x" + target.token[1:] if not target.token.startswith("x") else "y" + target.token[1:]
    values = [target.token, wrong] if order == "valid first" else [wrong, target.token]
    response, _ = _probe(api, run, authorization=values, token_expressions={wrong: "<$API_TOKEN, first character changed>"})
    run.count_edge("auth: near-miss tokens")
    expect(response.status_code in TWO_HEADERS_REFUSED, TWO_TOKENS,
           f"two Authorization headers ({order}) answered {response.status_code}, expected one of "
           f"{sorted(TWO_HEADERS_REFUSED)}; a server must not pick one")
