"""The accepted space (vpbx_suite.accepted_space) against the target: each case is a valid
request in one of the forms the document accepts, carrying one value class of several
properties; it must be accepted and then read back exactly, by id and in the listing.

- An add case takes a fresh number (and a city number of a new region, unless the case is
  about the city number); its add and read back go out ahead of its test, CONCURRENCY at a
  time (vpbx_suite.ahead). An edit case works on one number the run added for all of them.
- Each record is read back by id at once; the listing is read once, after the cases, and must
  show every record the cases wrote (still held) as written. (Records that recycling deleted
  before then were compared with the listing at the run's fullest, against their last read.)
- What is compared is what the request decides: the properties sent, as sent (D13, D23, D25);
  an optional property left out reads as the document says (D4: the add's comment is null;
  D25: the edit keeps the stored one; D27: another purpose clears employee_id). The server's
  own fields (id, state, …) and any undocumented field are the server's; listing order is free.
- A status HTTP lets a server answer instead (411 to a chunked body, D37) is allowed, with
  nothing stored.
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from vpbx_suite.accepted_space import AcceptedCase, bundled_catalog
from vpbx_suite.ahead import Ahead
from vpbx_suite.completeness import OTHER, not_run, reason_of
from vpbx_suite.contract import NUMBER_FIELD, bundled_facts
from vpbx_suite.fresh_numbers import city_number_properties
from vpbx_suite.preconditions import Precondition
from vpbx_suite.rules import ACCEPTED, expect
from vpbx_suite.run import SuiteRun
from vpbx_suite.settings import Target
from vpbx_suite.target_api import TargetApi, json_or_none
from vpbx_suite.target_tests.helpers import add_owned, fresh_body, listed, read, sent_ahead, spend_write

FACTS = bundled_facts()
LIFE = FACTS.lifecycle
CATALOG = bundled_catalog()
ADD_CASES = CATALOG.get(LIFE.add or "", [])
EDIT_CASES = CATALOG.get(LIFE.edit or "", [])
KEPT_FIELDS = "D23: every later read and the listing hold the record as written"
WRITTEN: dict[int, tuple[dict[str, Any], str]] = {}  # id -> (what it must hold, the last case), for the listing


def _ids(cases: list[AcceptedCase]) -> list[str]:
    return [f"{case.label}: {case.name}" for case in cases]


def _same(expected: Any, actual: Any) -> bool:
    """JSON equality: 5 and 5.0 are one number, a number is not a string or a boolean."""
    numbers = (int, float)
    if isinstance(expected, numbers) and not isinstance(expected, bool):
        return isinstance(actual, numbers) and not isinstance(actual, bool) and actual == expected
    return type(actual) is type(expected) and actual == expected


def _mismatches(expected: dict[str, Any], actual: Any, where: str, rule: str) -> list[str]:
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
    return _mismatches(expected, json_or_none(response), f"GET of id {record_id}", rule)


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


def _check_add(api: TargetApi, case: AcceptedCase, body: dict[str, Any]) -> None:
    response = api.call(LIFE.add or "", case.sent(body))
    what = f"adding {body[NUMBER_FIELD]}"
    if not _accepted(case, response, what):
        return
    answer = json_or_none(response)
    expect(isinstance(answer, dict) and isinstance(answer.get("id"), int), ACCEPTED,
           f"{what}: the answer holds no id: {response.text[:200]}")
    expected = _add_expected(body)
    problems = _mismatches(expected, answer, "the add's answer", "D13: the add echoes what was sent")
    problems += _read_back(api, answer["id"], expected, KEPT_FIELDS, case)
    expect(not problems, ACCEPTED, f"{what} ({case.name}): " + "; ".join(problems))


@pytest.fixture(scope="module")
def accepted_adds(api: TargetApi, run: SuiteRun, target: Target) -> Iterator[Ahead[int, Any]]:
    """Each add case's add and read back, sent ahead of its test (vpbx_suite.ahead): a fresh
    number each, so none depends on another; the write budget is spent as each is prepared."""
    def prepare(case: AcceptedCase) -> Callable[[], None]:
        spend_write(run, "the accepted space of the add")
        chosen = {c.property for c in case.classes if not c.from_source}
        body = fresh_body(run, base=case.body)
        for name in city_number_properties(FACTS.operations[LIFE.add or ""]):
            if name in chosen:
                body[name] = case.body[name]  # the class is the point of the case; keep it
        run.count_edge("accepted space")
        return lambda: _check_add(api, case, body)

    yield from sent_ahead(run, target.concurrency, ADD_CASES, prepare)


@pytest.mark.needs("add")
@pytest.mark.parametrize("case", ADD_CASES, ids=_ids(ADD_CASES))
def test_an_add_in_an_accepted_form_is_stored_exactly(accepted_adds: Ahead[int, None], case: AcceptedCase) -> None:
    accepted_adds.take(id(case))


@pytest.fixture(scope="module")
def edited(api: TargetApi, run: SuiteRun) -> Iterator[Precondition[dict[str, Any]]]:
    """The run's own number that the edit cases work on (kept from recycling meanwhile)."""
    number = Precondition("adding the number the accepted edits work on", run,
                          lambda: add_owned(api, "the accepted space of the edit", keep=True))
    yield number
    number.release(lambda record: run.ledger.kept.discard(record["id"]))


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


@pytest.mark.needs("add", "edit")
@pytest.mark.parametrize("case", EDIT_CASES, ids=_ids(EDIT_CASES))
def test_an_edit_in_an_accepted_form_is_stored_exactly(api: TargetApi, run: SuiteRun,
                                                       edited: Precondition[dict[str, Any]],
                                                       case: AcceptedCase) -> None:
    record = edited.get()
    record_id = record["id"]
    before = run.ledger.records.get(record_id, record)  # its last read, or the add's answer
    body = {**copy.deepcopy(case.body), "id": record_id}
    run.count_edge("accepted space")
    response = api.call(LIFE.edit or "", case.sent(body), path={"id": record_id})
    what = f"editing id {record_id}"
    if not _accepted(case, response, what):
        return
    expected = _edit_expected(before, body)
    answer = json_or_none(response)
    answered = {name: value for name, value in expected.items() if isinstance(answer, dict) and name in answer}
    problems = _mismatches(answered, answer, "the edit's answer", "D25: the answer holds the record as stored")
    problems += _read_back(api, record_id, expected, f"D25: an edit changes what it sends; {KEPT_FIELDS}", case)
    expect(not problems, ACCEPTED, f"{what} ({case.name}): " + "; ".join(problems))


@pytest.mark.needs("listing")
def test_the_listing_shows_the_accepted_records_as_written(api: TargetApi, run: SuiteRun) -> None:
    held = {record_id: written for record_id, written in WRITTEN.items() if record_id in run.ledger.records}
    if not held:
        reasons = Counter(reason_of(message) for test, message in run.completeness.not_run.items()
                          if "accepted_form" in test)
        not_run(reasons.most_common(1)[0][0] if reasons else OTHER,
                "no record the accepted cases wrote is still held by the run")
    items = listed(api)
    problems = []
    for record_id, (expected, name) in held.items():
        found = [item for item in items if item.get("id") == record_id]
        if len(found) != 1:
            problems.append(f"the listing shows id {record_id} ({name}) {len(found)} times, expected once (D23, D33)")
        else:
            problems += [f"{problem} [{name}]" for problem in _mismatches(
                expected, found[0], f"the listing's record of id {record_id}", KEPT_FIELDS)]
    expect(not problems, ACCEPTED, f"of {len(held)} records written by accepted requests: " + "; ".join(problems),
           decisions=("D22", "D23"))
