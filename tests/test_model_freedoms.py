"""The comparison of a server's answers with the model's (vpbx_model.freedoms): every freedom the
document grants is allowed, and each way out of the contract is a divergence naming its
decision. Answers are made up here; the oracle gives the model's."""

from __future__ import annotations

import json
from typing import Any

import pytest

from vpbx_model.freedoms import Comparison
from vpbx_model.interference import differences
from vpbx_model.linearizable import linearizations
from vpbx_model.oracle import Answer, IdMap, Oracle
from vpbx_suite.contract import bundled_facts

FACTS = bundled_facts()
LIFE = FACTS.lifecycle
NUMBER, OTHER_NUMBER = "79161112233", "79161112234"
ADD = {"number": NUMBER, "dgn_number": "74951234567", "purpose": "company", "type": "def", "comment": "note"}


def answer(status: int, body: Any) -> Answer:
    return Answer(status, "application/json", body, json.dumps(body))


@pytest.fixture
def oracle() -> Any:
    model = Oracle(["main", "other"], any_number=False)
    model.offer(NUMBER)
    model.offer(OTHER_NUMBER)
    yield model
    model.close()


def add(oracle: Oracle, account: str = "main", body: dict[str, Any] = ADD) -> Answer:
    return oracle.send(account, "POST", FACTS[LIFE.add].path, headers=[("Content-Type", "application/json")],
                       content=json.dumps(body).encode())


def listing(oracle: Oracle, account: str = "main") -> Answer:
    return oracle.send(account, "GET", FACTS[LIFE.listing].path)


def comparison() -> Comparison:
    return Comparison(FACTS, IdMap(), ("main", "other"))


def added_by_server(model: Answer, server_id: int = 9001, **changes: Any) -> Answer:
    return answer(201, {**model.body, "id": server_id, **changes})


def test_an_add_may_succeed_200_or_201(oracle: Oracle) -> None:
    model = add(oracle)
    assert comparison().answer("main", LIFE.add, answer(200, {**model.body, "id": 3}), model) == []


def test_ids_of_the_servers_own_are_mapped(oracle: Oracle) -> None:
    compare, model = comparison(), add(oracle)
    assert compare.answer("main", LIFE.add, added_by_server(model), model) == []
    assert compare.ids.to_model("main", 9001) == model.body["id"]
    server_listing = answer(200, [added_by_server(model).body])
    assert compare.answer("main", LIFE.listing, server_listing, listing(oracle)) == []


@pytest.mark.parametrize("freedom", ["extra field", "state moved", "region of its own"])
def test_a_record_may_differ_where_the_document_lets_it(oracle: Oracle, freedom: str) -> None:
    compare, model = comparison(), add(oracle)
    changes = {"extra field": {"created_at": "2026-01-01"}, "state moved": {},
               "region of its own": {"region_name": "Москва"}}[freedom]
    assert compare.answer("main", LIFE.add, added_by_server(model, **changes), model) == []
    later = {**added_by_server(model, **changes).body, **({"state": "active"} if freedom == "state moved" else {})}
    read = oracle.send("main", "GET", FACTS[LIFE.read].url_path(id=model.body["id"]))
    assert compare.answer("main", LIFE.read, answer(200, later), read, path_id=9001) == []


def test_listing_order_is_free(oracle: Oracle) -> None:
    compare = comparison()
    first, second = add(oracle), add(oracle, body={**ADD, "number": OTHER_NUMBER})
    compare.answer("main", LIFE.add, added_by_server(first, 1), first)
    compare.answer("main", LIFE.add, added_by_server(second, 2), second)
    reversed_listing = answer(200, [added_by_server(second, 2).body, added_by_server(first, 1).body])
    assert compare.answer("main", LIFE.listing, reversed_listing, listing(oracle)) == []


def test_invalid_input_may_be_400_or_422_and_an_invalid_path_id_404(oracle: Oracle) -> None:
    compare = comparison()
    refused = oracle.send("main", "POST", FACTS[LIFE.add].path, headers=[("Content-Type", "application/json")],
                          content=json.dumps({**ADD, "coment": "x"}).encode())
    assert refused.status == 400
    assert compare.answer("main", LIFE.add, answer(422, {"detail": "no"}), refused) == []
    invalid = oracle.send("main", "GET", FACTS[LIFE.read].url_path(id="abc"))
    assert compare.answer("main", LIFE.read, answer(404, {}), invalid, path_invalid=True) == []
    assert compare.answer("main", LIFE.read, answer(404, {}), invalid) != []


@pytest.mark.parametrize(("change", "decision"), [
    ({"comment": "other"}, "D23"), ({"purpose": "not_specified"}, "D23"), ({"number": OTHER_NUMBER}, "D23")])
def test_a_field_a_request_sets_must_hold_what_was_sent(oracle: Oracle, change: dict[str, Any],
                                                        decision: str) -> None:
    compare, model = comparison(), add(oracle)
    found = compare.answer("main", LIFE.add, added_by_server(model, **change), model)
    assert found and decision in found[0].decisions, found


def test_the_servers_own_fields_stay_as_first_shown(oracle: Oracle) -> None:
    compare, model = comparison(), add(oracle)
    compare.answer("main", LIFE.add, added_by_server(model, region_name="Москва"), model)
    read = oracle.send("main", "GET", FACTS[LIFE.read].url_path(id=model.body["id"]))
    found = compare.answer("main", LIFE.read, answer(200, added_by_server(model, region_name="Тверь").body), read,
                           path_id=9001)
    assert found and "D23" in found[0].decisions, found


def test_the_status_must_be_the_models(oracle: Oracle) -> None:
    compare, model = comparison(), add(oracle)
    found = compare.answer("main", LIFE.add, answer(409, {}), model)
    assert found and "D11" in found[0].decisions and "answered 409; the model answers 201" in found[0].message


def test_a_listing_showing_another_accounts_record_names_d33(oracle: Oracle) -> None:
    compare = comparison()
    theirs = add(oracle, "other")
    compare.answer("other", LIFE.add, added_by_server(theirs, 77), theirs)
    found = compare.answer("main", LIFE.listing, answer(200, [added_by_server(theirs, 77).body]), listing(oracle))
    assert found and found[0].decisions == ("D33", "D31"), found


def test_a_listing_must_hold_each_record_once(oracle: Oracle) -> None:
    compare, model = comparison(), add(oracle)
    compare.answer("main", LIFE.add, added_by_server(model), model)
    twice = answer(200, [added_by_server(model).body] * 2)
    assert [d.message for d in compare.answer("main", LIFE.listing, twice, listing(oracle))] == [
        "the listing shows id 9001 2 times"]
    assert "lacks id 9001" in compare.answer("main", LIFE.listing, answer(200, []), listing(oracle))[0].message


def test_an_add_answering_a_known_id_is_a_reused_id(oracle: Oracle) -> None:
    compare, first = comparison(), add(oracle)
    compare.answer("main", LIFE.add, added_by_server(first, 5), first)
    second = add(oracle, body={**ADD, "number": OTHER_NUMBER})
    found = compare.answer("main", LIFE.add, added_by_server(second, 5), second)
    assert found and found[0].decisions == ("D24",)


# --- non-interference --------------------------------------------------------------------------

def error(code: str, message: str, **more: Any) -> Answer:
    return answer(404, {"error": {"code": code, "message": message}, **more})


def test_answers_alike_but_for_the_name_and_what_varies_anyway() -> None:
    subject = error("not_found", "No number 5.", request_id="a1")
    controls = [(error("not_found", "No number 9001.", request_id="b2"), "9001"),
                (error("not_found", "No number 9002.", request_id="c3"), "9002")]
    assert differences(subject, "5", controls) == []


@pytest.mark.parametrize(("subject", "what"), [
    (error("not_owned", "No number 5."), "/error/code"),
    (error("not_found", "Number 5 is on another account."), "/error/message"),
    (answer(403, {"error": {"code": "not_found", "message": "No number 5."}}), "status 403")])
def test_an_answer_that_tells_the_object_exists_differs(subject: Answer, what: str) -> None:
    controls = [(error("not_found", "No number 9001."), "9001"), (error("not_found", "No number 9002."), "9002")]
    found = differences(subject, "5", controls)
    assert found and what in found[0], found


# --- linearizability ---------------------------------------------------------------------------

def _deletes(answers: list[int], final_listed: bool) -> tuple[tuple[int, ...] | None, list[str]]:
    """Two deletes of one record sent at once, answered `answers`, the record listed after or not."""
    def start() -> dict[str, bool]:
        return {"present": True}

    def agrees(model: dict[str, bool], index: int) -> str | None:
        expected = 200 if model["present"] else 404
        model["present"] = False
        return None if answers[index] == expected else f"{answers[index]}, the model {expected}"

    def final(model: dict[str, bool]) -> str | None:
        return None if model["present"] == final_listed else "the record's presence differs"

    return linearizations([0, 1], start, agrees, final)


def test_answers_of_some_order_are_linearizable() -> None:
    assert _deletes([200, 404], final_listed=False)[0] == (0, 1)
    assert _deletes([404, 200], final_listed=False)[0] == (1, 0)


@pytest.mark.parametrize(("answers", "listed"), [([200, 200], False), ([404, 404], False), ([200, 404], True)])
def test_answers_of_no_order_are_not(answers: list[int], listed: bool) -> None:
    order, reasons = _deletes(answers, listed)
    assert order is None and len(reasons) == 2, reasons
