"""The life of a number the run added: read back, listed, edited, deleted, added again
(D21-D27), and the listing at the run's fullest.

Each test adds its own number (within the write budget) and works only on it."""

from __future__ import annotations

from typing import Any

import pytest

from vpbx_suite.completeness import NUMBERS_SETTING, TOO_FEW_NUMBERS, not_run
from vpbx_suite.contract import NOT_FOUND_STATUS, NUMBER_FIELD, bundled_facts
from vpbx_suite.rules import (ADDED_AGAIN, DELETED_GONE, EDIT_ID_MISMATCH, EDIT_STORED, ID_NOT_REUSED,
                              LEAVES_CONNECTABLE, LISTED_AS_ADDED, READ_BACK, expect)
from vpbx_suite.run import SuiteRun
from vpbx_suite.settings import CONNECTABLE, Target
from vpbx_suite.target_api import TargetApi, as_json, json_or_none
from vpbx_suite.target_tests.helpers import (add_owned, assert_added, fresh_body, listed, listing_problems, read,
                                             record_differences, spend_write, spread_city_numbers)

FACTS = bundled_facts()
LIFE = FACTS.lifecycle
EDIT = FACTS.operations[LIFE.edit or ""] if LIFE.edit else None


def _same_record(expected: dict, actual: Any, what: str, rule: str = READ_BACK) -> None:
    actual = actual if isinstance(actual, dict) else {}
    differences = record_differences(expected, actual)
    expect(not differences, rule, f"{what} differs from the record the server answered before: " + "; ".join(differences),
           field=next((name for name in expected if actual.get(name, object()) != expected[name]), None))


def _edit_bodies(record_id: int) -> dict[str, dict]:
    if EDIT is None:
        raise RuntimeError("the document has no edit")  # the tests that use it need the edit
    return {name: {**body, "id": record_id} for name, body in EDIT.request_examples.items()}


@pytest.mark.needs("add", "read")
def test_a_number_reads_back_exactly_as_added(api: TargetApi, run: SuiteRun) -> None:
    added = add_owned(api, "read-after-write")
    response = read(api, added["id"])
    expect(response.status_code == 200, READ_BACK,
           f"reading id {added['id']}, just added, answered {response.status_code}: {response.text[:300]}")
    _same_record(added, json_or_none(response), f"GET of id {added['id']}")


@pytest.mark.needs("add", "listing")
def test_a_number_is_listed_as_added_and_by_its_type(api: TargetApi, run: SuiteRun) -> None:
    added = add_owned(api, "listing after add")
    matches = [item for item in listed(api) if item.get("id") == added["id"]]
    expect(len(matches) == 1, LISTED_AS_ADDED,
           f"the listing holds id {added['id']}, just added, {len(matches)} times, expected once")
    _same_record(added, matches[0], "the listing's record", LISTED_AS_ADDED)
    of_its_type = listed(api, {"type": added["type"]})
    expect(any(item.get("id") == added["id"] for item in of_its_type), LISTED_AS_ADDED,
           f"the listing filtered by type={added['type']} lacks id {added['id']}, of that type")
    for value in FACTS.operations[LIFE.listing or ""].query_parameters.get("type", {}).get("enum", []):
        items = listed(api, {"type": value})
        wrong = sorted({str(item.get("type")) for item in items} - {value})
        expect(not wrong, LISTED_AS_ADDED, f"the listing filtered by type={value} holds numbers of type {wrong}")
        expect((value == added["type"]) == any(item.get("id") == added["id"] for item in items), LISTED_AS_ADDED,
               f"the listing filtered by type={value} {'lacks' if value == added['type'] else 'shows'} id "
               f"{added['id']} (type {added['type']})")


@pytest.mark.needs("add", "edit", "read")
@pytest.mark.parametrize("example", sorted(EDIT.request_examples) if EDIT else [])
def test_an_edit_is_stored_and_visible(api: TargetApi, run: SuiteRun, example: str) -> None:
    added = add_owned(api, "edit persists")
    body = _edit_bodies(added["id"])[example]
    response = api.call(LIFE.edit or "", as_json(body), path={"id": added["id"]})
    expect(response.status_code in EDIT.success_statuses, EDIT_STORED,
           f"the documented edit {example!r} of id {added['id']} answered {response.status_code}: {response.text[:300]}")
    expected = {**added, **{k: v for k, v in body.items() if k != "id"}}
    for name in EDIT.request_conditional:
        expected.setdefault(name, None)
        if name not in body:
            expected[name] = None  # D27: another purpose clears it
    _same_record(expected, json_or_none(read(api, added["id"])), f"GET after edit {example!r}", EDIT_STORED)
    if run.checks(LIFE.listing):
        items = [i for i in listed(api) if i.get("id") == added["id"]]
        expect(len(items) == 1, LISTED_AS_ADDED,
               f"after edit {example!r}, the listing holds id {added['id']} {len(items)} times, expected once")
        _same_record(expected, items[0], f"the listing after edit {example!r}", LISTED_AS_ADDED)
    filled = [name for name in EDIT.request_conditional if name in body]
    for name in filled:
        stored = json_or_none(read(api, added["id"]))
        expect(isinstance(stored, dict) and stored.get(name) is not None, EDIT_STORED,
               f"id {added['id']} reads {name} as null after the edit {example!r} set it to {body[name]!r}", field=name)


@pytest.mark.needs("add", "edit", "read")
def test_an_edit_naming_another_id_is_refused_and_changes_nothing(api: TargetApi, run: SuiteRun) -> None:
    """D26: the body's id must be the path's."""
    added = add_owned(api, "edit id mismatch")
    body = {**_edit_bodies(added["id"])["seed"], "id": added["id"] + 1}
    response = api.call(LIFE.edit or "", as_json(body), path={"id": added["id"]})
    expect(response.status_code in EDIT.rejection_statuses(), EDIT_ID_MISMATCH,
           f"an edit of id {added['id']} whose body names id {body['id']} answered {response.status_code}, expected "
           f"one of {EDIT.rejection_statuses()}: {response.text[:300]}")
    _same_record(added, json_or_none(read(api, added["id"])), "GET after the refused edit", EDIT_ID_MISMATCH)


@pytest.mark.needs("add", "delete", "read")
def test_a_deleted_number_is_gone(api: TargetApi, run: SuiteRun, target: Target) -> None:
    added = add_owned(api, "delete")
    response = api.call(LIFE.delete or "", path={"id": added["id"]})
    expect(response.status_code in FACTS.operations[LIFE.delete or ""].success_statuses, DELETED_GONE,
           f"deleting id {added['id']}, just added, answered {response.status_code}: {response.text[:300]}")
    answered = json_or_none(response)
    expect(isinstance(answered, dict) and answered.get("id") == added["id"], DELETED_GONE,
           f"deleting id {added['id']} answered {response.text[:200]}, not its id")
    gone = read(api, added["id"])
    expect(gone.status_code == NOT_FOUND_STATUS, DELETED_GONE,
           f"id {added['id']}, deleted, still reads back: {gone.status_code} {gone.text[:200]}")
    again = api.call(LIFE.delete or "", path={"id": added["id"]})
    expect(again.status_code == NOT_FOUND_STATUS, DELETED_GONE,
           f"a second delete of id {added['id']} answered {again.status_code}, expected {NOT_FOUND_STATUS}")
    if run.checks(LIFE.edit):
        edit = api.call(LIFE.edit or "", as_json(_edit_bodies(added["id"])["seed"]), path={"id": added["id"]})
        expect(edit.status_code == NOT_FOUND_STATUS, DELETED_GONE,
               f"an edit of id {added['id']}, deleted, answered {edit.status_code}, expected {NOT_FOUND_STATUS}")
    if run.checks(LIFE.listing):
        expect(all(item.get("id") != added["id"] for item in listed(api)), DELETED_GONE,
               f"id {added['id']}, deleted, is still listed")
    if target.numbers == CONNECTABLE:
        offered = json_or_none(api.call(LIFE.connectable or "")) or []
        expect(any(isinstance(item, dict) and item.get(NUMBER_FIELD) == added[NUMBER_FIELD] for item in offered),
               LEAVES_CONNECTABLE, f"the deleted number {added[NUMBER_FIELD]} is not offered by the connectable "
                                   "listing again")


@pytest.mark.needs("add", "delete")
def test_a_deleted_id_is_never_given_again(api: TargetApi, run: SuiteRun) -> None:
    added = add_owned(api, "ids not reused")
    api.call(LIFE.delete or "", path={"id": added["id"]})
    later = add_owned(api, "ids not reused")
    expect(later["id"] != added["id"], ID_NOT_REUSED,
           f"id {added['id']} was deleted and given again to the next number added, {later[NUMBER_FIELD]}")


@pytest.mark.needs("add", "delete")
def test_a_deleted_number_can_be_added_again(api: TargetApi, run: SuiteRun) -> None:
    """D21, D24: a deleted number may be connected again, and gets a new id."""
    spend_write(run, "a deleted number added again", 2)
    body = fresh_body(run)
    first = json_or_none(assert_added(api, body, "the first add"))
    deleted = api.call(LIFE.delete or "", path={"id": first["id"]})
    expect(deleted.status_code in FACTS.operations[LIFE.delete or ""].success_statuses, DELETED_GONE,
           f"deleting id {first['id']}, just added, answered {deleted.status_code}: {deleted.text[:300]}")
    again = {**body}
    spread_city_numbers(run, FACTS.operations[LIFE.add or ""], again)
    response = api.call(LIFE.add or "", as_json(again))
    expect(response.status_code in FACTS.operations[LIFE.add or ""].success_statuses, ADDED_AGAIN,
           f"adding {body[NUMBER_FIELD]} again after deleting it answered {response.status_code}: {response.text[:300]}")
    second = json_or_none(response)
    run.ledger.pinned.add(second["id"])
    expect(second["id"] != first["id"], ADDED_AGAIN,
           f"{body[NUMBER_FIELD]} added again got the id {first['id']} it had before it was deleted")


@pytest.mark.needs("add", "listing")
def test_the_listing_shows_every_number_the_run_holds(api: TargetApi, run: SuiteRun) -> None:
    """The listing at the run's fullest (now, or when recycling freed numbers) shows every
    number the run holds exactly once, equal to its last read, also filtered by type: a
    listing that returns only a first page, or repeats a record, is caught."""
    if not run.ledger.records and not run.listing_checked_at:
        not_run(TOO_FEW_NUMBERS, "the run holds no number to look for in the listing")
    problems = run.listing_problems + listing_problems(api)
    expect(not problems, LISTED_AS_ADDED, "\n".join(problems[:20]))


@pytest.mark.needs("add", "connectable")
def test_an_added_number_leaves_the_connectable_listing(api: TargetApi, run: SuiteRun, target: Target) -> None:
    if target.numbers != CONNECTABLE:
        not_run(NUMBERS_SETTING, "the listing is not the source of the numbers added")
    added = add_owned(api, "listing membership")
    offered = json_or_none(api.call(LIFE.connectable or "")) or []
    expect(all(not isinstance(item, dict) or item.get(NUMBER_FIELD) != added[NUMBER_FIELD] for item in offered),
           LEAVES_CONNECTABLE, f"{added[NUMBER_FIELD]}, just added to the account, is still offered as connectable")
