"""How a case of the accepted space (vpbx_suite.accepted_space) is judged on the target: accepted
(or refused with a status HTTP allows, storing nothing), answered with what it sent, and read
back exactly; what each record must hold is kept for the listing's check (WRITTEN). An add takes
a fresh number; an edit works on a lane's number (vpbx_suite.edge_requests.EditLanes), from its
last read."""

from __future__ import annotations

import copy
from typing import Any

from vpbx_suite.accepted_space import AcceptedCase
from vpbx_suite.contract import NUMBER_FIELD, bundled_facts
from vpbx_suite.edge_requests import EditLanes
from vpbx_suite.rules import ACCEPTED, expect
from vpbx_suite.run import SuiteRun
from vpbx_suite.target_api import TargetApi, json_or_none
from vpbx_suite.target_tests.helpers import read

FACTS = bundled_facts()
LIFE = FACTS.lifecycle
KEPT_FIELDS = "D23: every later read and the listing hold the record as written"
WRITTEN: dict[int, tuple[dict[str, Any], str]] = {}  # id -> (what it must hold, the last case), for the listing


def _same(expected: Any, actual: Any) -> bool:
    """JSON equality: 5 and 5.0 are one number, a number is not a string or a boolean."""
    numbers = (int, float)
    if isinstance(expected, numbers) and not isinstance(expected, bool):
        return isinstance(actual, numbers) and not isinstance(actual, bool) and actual == expected
    return type(actual) is type(expected) and actual == expected


def mismatches(expected: dict[str, Any], actual: Any, where: str, rule: str) -> list[str]:
    if not isinstance(actual, dict):
        return [f"{where} is not a JSON object: {str(actual)[:200]}"]
    return [f"{where} holds {name} = {actual.get(name, '<missing>')!r}, but {value!r} was written "
            f"({rule})" for name, value in expected.items() if not _same(value, actual.get(name, object()))]


def _read_back(api: TargetApi, record_id: int, expected: dict[str, Any], rule: str, case: AcceptedCase) -> list[str]:
    WRITTEN[record_id] = (expected, case.name)
    if not api.run.checks(LIFE.read):
        return []
    response = read(api, record_id)
    if response.status_code != 200:
        return [f"reading id {record_id} back answered {response.status_code}: {response.text[:200]}"]
    return mismatches(expected, json_or_none(response), f"GET of id {record_id}", rule)


def _accepted(case: AcceptedCase, response: Any, what: str) -> bool:
    """Assert a documented success (or the status the case's rule allows); True if stored."""
    operation = FACTS.operations[case.operation_id]
    if response.status_code in case.form.also_refused:
        return False
    expect(response.status_code in operation.success_statuses, ACCEPTED,
           f"{what}: the server refused a request the contract accepts ({case.name}); it answered "
           f"{response.status_code}, the document's success is {sorted(operation.success_statuses)} "
           f"({case.form.rule}): {response.text[:300]}")
    return True


def _add_expected(body: dict[str, Any]) -> dict[str, Any]:
    """What the add stores: every property as sent (D13); one left out that the record holds
    as nullable, null (D4)."""
    add = FACTS.operations[LIFE.add or ""]
    left_out = {name: None for name in add.request_properties
                if name not in body and name in add.response_nullable}
    return {**body, **left_out}


def check_add(api: TargetApi, case: AcceptedCase, body: dict[str, Any]) -> None:
    response = api.call(LIFE.add or "", case.sent(body))
    what = f"adding {body[NUMBER_FIELD]}"
    if not _accepted(case, response, what):
        return
    answer = json_or_none(response)
    expect(isinstance(answer, dict) and isinstance(answer.get("id"), int), ACCEPTED,
           f"{what}: the answer holds no id: {response.text[:200]}")
    expected = _add_expected(body)
    problems = mismatches(expected, answer, "the add's answer", "D13: the add echoes what was sent")
    problems += _read_back(api, answer["id"], expected, KEPT_FIELDS, case)
    expect(not problems, ACCEPTED, f"{what} ({case.name}): " + "; ".join(problems))


def _edit_expected(before: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    """What the record holds after the edit: the properties sent; a property some shapes
    require and this one lacks, cleared (D27); a left-out comment, kept (D25); every other
    field of the record as before, but the server's own state (D2)."""
    edit = FACTS.operations[LIFE.edit or ""]
    expected = {name: value for name, value in before.items() if name not in ("state", "id")}
    expected.update({name: value for name, value in body.items() if name != "id"})
    for name in edit.request_conditional:
        if name not in body:
            expected[name] = None
    return expected


def check_edit(api: TargetApi, run: SuiteRun, lanes: EditLanes, case: AcceptedCase) -> None:
    with lanes.number() as record:
        record_id = record["id"]
        before = run.ledger.records.get(record_id, record)  # its last read, or the add's answer
        body = {**copy.deepcopy(case.body), "id": record_id}
        response = api.call(LIFE.edit or "", case.sent(body), path={"id": record_id})
        what = f"editing id {record_id}"
        if not _accepted(case, response, what):
            return
        expected = _edit_expected(before, body)
        answer = json_or_none(response)
        answered = {name: value for name, value in expected.items() if isinstance(answer, dict) and name in answer}
        problems = mismatches(answered, answer, "the edit's answer", "D25: the answer holds the record as stored")
        problems += _read_back(api, record_id, expected, f"D25: an edit changes what it sends; {KEPT_FIELDS}", case)
        expect(not problems, ACCEPTED, f"{what} ({case.name}): " + "; ".join(problems))
