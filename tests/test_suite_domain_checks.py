"""Each domain check fails on a crafted response that breaks its rule, and passes on one
that keeps it: as a plain function, and as the check schemathesis runs."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests
import schemathesis
from schemathesis.core.failures import FailureGroup

from tests.contract_data import seed_request, seed_response
from vpbx_suite.contract import bundled_facts
from vpbx_suite.domain_checks import (
    IdRegistry,
    cyrillic_lookalike,
    echo_problems,
    latin_skeleton,
    lookalike_problems,
)
from vpbx_suite.run import current_run
from vpbx_suite.schemathesis_checks import (
    echoes_request_fields,
    enum_values_have_no_lookalikes,
    ids_are_unique,
)
from vpbx_spec.document import DOCUMENT_PATH

FACTS = bundled_facts()
ADD = FACTS.operations[FACTS.lifecycle.add or ""]
OPERATION_ID = ADD.operation_id
ECHOED = tuple(ADD.request_properties)


def answer_to(sent: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """A correct answer to `sent` (fields echoed), then `changes` applied."""
    answer = seed_response()
    answer.update({name: sent.get(name) for name in ECHOED})
    answer.update(changes)
    return answer


# --- echo --------------------------------------------------------------------------------

def test_echo_holds_for_a_faithful_answer():
    sent = seed_request()
    assert echo_problems(sent, 201, answer_to(sent), ECHOED) == []


def test_echo_expects_null_for_an_omitted_comment():
    sent = {key: value for key, value in seed_request().items() if key != "comment"}
    assert echo_problems(sent, 201, answer_to(sent, comment=None), ECHOED) == []
    assert echo_problems(sent, 201, answer_to(sent, comment=""), ECHOED) == ["comment: sent None, answered ''"]


@pytest.mark.parametrize(("name", "wrong"), [("number", "79000000000"), ("dgn_number", "74990000000"),
                                             ("purpose", "company"), ("comment", "other"),
                                             ("type", "abc")])
def test_echo_catches_each_changed_field(name, wrong):
    sent = seed_request()
    problems = echo_problems(sent, 200, answer_to(sent, **{name: wrong}), ECHOED)
    assert problems == [f"{name}: sent {sent[name]!r}, answered {wrong!r}"]


def test_echo_catches_a_missing_field():
    sent = seed_request()
    answer = answer_to(sent)
    del answer["dgn_number"]
    assert echo_problems(sent, 201, answer, ECHOED) == [
        f"dgn_number: sent {sent['dgn_number']!r}, the answer has no 'dgn_number'"]


def test_echo_tells_json_types_apart():
    sent = {"number": "1", "flag": True, "count": 5}
    assert echo_problems(sent, 201, {"number": 1, "flag": 1, "count": 5.0}, ("number", "flag", "count")) == [
        "number: sent '1', answered 1", "flag: sent True, answered 1"]  # 5 and 5.0 are one JSON number


def test_echo_of_an_edit_expects_what_an_omitted_property_keeps():
    sent = {"id": 7, "purpose": "company"}
    kept = {"comment": "stored note", "employee_id": None}
    fields = ("id", "purpose", "comment", "employee_id")
    answer = {"id": 7, "purpose": "company", "comment": "stored note", "employee_id": None}
    assert echo_problems(sent, 200, answer, fields, kept) == []
    assert echo_problems(sent, 200, {**answer, "comment": ""}, fields, kept) == [
        "comment: sent 'stored note', answered ''"]
    # What the run does not know (a number it did not add) is not judged.
    assert echo_problems(sent, 200, {**answer, "comment": "x"}, fields, {"employee_id": None}) == []


@pytest.mark.parametrize("status", [400, 409, 500])
def test_echo_does_not_judge_failures(status):
    sent = seed_request()
    assert echo_problems(sent, status, {"error": "x"}, ECHOED) == []


# --- ids ---------------------------------------------------------------------------------

def test_ids_catch_an_id_given_to_two_numbers():
    registry = IdRegistry()
    assert registry.problems(201, {"id": 7, "number": "79000000001"}) == []
    assert registry.problems(201, {"id": 8, "number": "79000000002"}) == []
    assert registry.problems(201, {"id": 7, "number": "79000000003"}) == [
        "id 7 was already given to number '79000000001'; now to '79000000003'"]


def test_ids_accept_the_same_answer_replayed():
    registry = IdRegistry()
    answer = {"id": 7, "number": "79000000001"}
    assert registry.problems(201, answer) == registry.problems(201, answer) == []


def test_ids_hold_records_read_back_and_listed_to_the_same_mapping():
    registry = IdRegistry()
    assert registry.problems(201, {"id": 7, "number": "79000000001"}) == []
    assert registry.problems(200, [{"id": 8, "number": "79000000002"}, {"id": 7, "number": "79000000001"}]) == []
    assert registry.problems(200, [{"id": 7, "number": "79000000009"}]) == [
        "id 7 was already given to number '79000000001'; now to '79000000009'"]


@pytest.mark.parametrize("answer", [{"id": True, "number": "1"}, {"id": "7", "number": "1"}, {}, []])
def test_ids_leave_non_ids_to_schema_conformance(answer):
    registry = IdRegistry()
    registry.problems(201, {"id": 1, "number": "x"})
    assert registry.problems(201, answer) == []


# --- look-alikes -------------------------------------------------------------------------

def test_lookalike_names_the_cyrillic_letter():
    answer = {**seed_response(), "purpose": "\u0441ompany"}
    assert lookalike_problems(201, answer, ADD.response_enums) == [
        "purpose: 'сompany' imitates 'company' with U+0441 CYRILLIC SMALL LETTER ES at index 0"]


def test_lookalike_catches_greek_letters_too():
    answer = {**seed_response(), "purpose": "n\u03bft_specified"}  # GREEK SMALL LETTER OMICRON
    problems = lookalike_problems(201, answer, ADD.response_enums)
    assert problems == [
        "purpose: 'nοt_specified' imitates 'not_specified' with U+03BF GREEK SMALL LETTER OMICRON at index 1"]


def test_lookalike_is_silent_on_valid_and_on_plainly_wrong_values():
    assert lookalike_problems(201, seed_response(), ADD.response_enums) == []
    # Not a look-alike of any value: schema conformance reports it, not this check.
    assert lookalike_problems(201, {**seed_response(), "state": "удалён"}, ADD.response_enums) == []


def test_lookalikes_are_made_and_undone():
    assert cyrillic_lookalike("company") == "\u0441ompany"
    assert latin_skeleton(cyrillic_lookalike("not_specified")) == "not_specified"
    assert cyrillic_lookalike("123_") is None  # digits and signs are left alone


# --- the same checks, run by schemathesis on crafted responses ---------------------------

@pytest.fixture(scope="module")
def operation():
    return schemathesis.openapi.from_path(DOCUMENT_PATH).find_operation_by_id(OPERATION_ID)


def crafted(status: int, body: Any) -> schemathesis.Response:
    request = requests.Request("POST", "http://server.test/numbers/unconfirmed").prepare()
    return schemathesis.Response(status_code=status, headers={"content-type": ["application/json"]},
                                 content=json.dumps(body).encode(), request=request,
                                 elapsed=0.01, verify=True)


def validate(operation, sent: dict[str, Any], status: int, body: Any, check) -> None:
    case = operation.schema.make_case(operation=operation, body=sent)
    case.validate_response(crafted(status, body), checks=[check])


def test_schemathesis_runs_the_echo_check(operation):
    sent = {**seed_request(), "number": current_run().fresh.next()}
    validate(operation, sent, 201, answer_to(sent), echoes_request_fields)
    with pytest.raises(FailureGroup, match="purpose: sent 'not_specified', answered 'company'"):
        validate(operation, sent, 201, answer_to(sent, purpose="company"), echoes_request_fields)


def test_schemathesis_runs_the_id_check(operation):
    first = {**seed_request(), "number": current_run().fresh.next()}
    second = {**seed_request(), "number": current_run().fresh.next()}
    validate(operation, first, 201, answer_to(first, id=424242), ids_are_unique)
    with pytest.raises(FailureGroup, match="id 424242 was already given"):
        validate(operation, second, 201, answer_to(second, id=424242), ids_are_unique)


def test_schemathesis_runs_the_lookalike_check(operation):
    sent = seed_request()
    validate(operation, sent, 201, answer_to(sent), enum_values_have_no_lookalikes)
    with pytest.raises(FailureGroup, match="U\\+0430 CYRILLIC SMALL LETTER A"):
        validate(operation, sent, 201, answer_to(sent, state="\u0430ctive"), enum_values_have_no_lookalikes)


def test_a_generated_add_gets_a_fresh_number_and_a_city_number_of_a_new_region(operation):
    from vpbx_numbering import area_codes_by_population
    from vpbx_suite.prepare import prepare
    from vpbx_suite.run import SuiteRun

    run = SuiteRun()
    codes = area_codes_by_population()
    used = []
    for _ in range(5):
        case = operation.schema.make_case(operation=operation, body=seed_request())
        assert prepare(case, run)
        assert case.body["number"] != seed_request()["number"]
        used.append(next(code for code in codes if case.body["dgn_number"].startswith(code)))
    assert used == list(codes[:5])  # a new area code each time, the most populous first
    invalid = operation.schema.make_case(operation=operation, body={**seed_request(), "dgn_number": "8495"})
    assert prepare(invalid, run) and invalid.body["dgn_number"] == "8495"  # what the case is about


def test_a_generated_case_sends_no_header_that_frames_the_http_message(operation):
    """A negative case's Transfer-Encoding once made the mock's HTTP layer answer 400 text/plain."""
    from vpbx_suite.prepare import prepare
    from vpbx_suite.run import SuiteRun

    headers = {"Transfer-Encoding": "ElV,r", "content-length": "7", "Connection": "close", "X-Other": "kept",
               "Authorization": "token"}
    case = operation.schema.make_case(operation=operation, body=seed_request(), headers=headers)
    assert prepare(case, SuiteRun())
    assert case.headers == {"X-Other": "kept", "Authorization": "token"}
