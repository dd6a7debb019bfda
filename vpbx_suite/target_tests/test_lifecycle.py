"""The life of a number the run added: read back, listed, edited, deleted, added again
(D21-D27), and the listing at the run's fullest.

Each test adds its own number (within the write budget) and works only on it."""

from __future__ import annotations

import pytest

from vpbx_suite.completeness import NUMBERS_SETTING, TOO_FEW_NUMBERS, not_run
from vpbx_suite.contract import NOT_FOUND_STATUS, NUMBER_FIELD, bundled_facts
from vpbx_suite.run import SuiteRun
from vpbx_suite.settings import CONNECTABLE, Target
from vpbx_suite.target_api import TargetApi, as_json, json_or_none
from vpbx_suite.target_tests.helpers import (add_owned, assert_added, fresh_body, listed, listing_problems, read,
                                             record_differences, spend_write, spread_city_numbers)

FACTS = bundled_facts()
LIFE = FACTS.lifecycle
EDIT = FACTS.operations[LIFE.edit or ""] if LIFE.edit else None


def _same_record(expected: dict, actual: dict, what: str) -> None:
    differences = record_differences(expected, actual)
    assert not differences, f"{what} differs from the record the server answered before: " + "; ".join(differences)


def _edit_bodies(record_id: int) -> dict[str, dict]:
    assert EDIT is not None
    return {name: {**body, "id": record_id} for name, body in EDIT.request_examples.items()}


@pytest.mark.needs("add", "read")
def test_a_number_reads_back_exactly_as_added(api: TargetApi, run: SuiteRun) -> None:
    added = add_owned(api, "read-after-write")
    response = read(api, added["id"])
    assert response.status_code == 200, f"reading the number just added answered {response.status_code}"
    _same_record(added, json_or_none(response), f"GET of id {added['id']}")


@pytest.mark.needs("add", "listing")
def test_a_number_is_listed_as_added_and_by_its_type(api: TargetApi, run: SuiteRun) -> None:
    added = add_owned(api, "listing after add")
    matches = [item for item in listed(api) if item.get("id") == added["id"]]
    assert len(matches) == 1, f"the listing holds id {added['id']} {len(matches)} times, expected once"
    _same_record(added, matches[0], "the listing's record")
    of_its_type = listed(api, {"type": added["type"]})
    assert any(item.get("id") == added["id"] for item in of_its_type), (
        f"the listing filtered by type={added['type']} lacks id {added['id']}")
    for value in FACTS.operations[LIFE.listing or ""].query_parameters.get("type", {}).get("enum", []):
        items = listed(api, {"type": value})
        wrong = sorted({item.get("type") for item in items} - {value})
        assert not wrong, f"the listing filtered by type={value} holds numbers of type {wrong}"
        assert (value == added["type"]) == any(item.get("id") == added["id"] for item in items), (
            f"type={value}: id {added['id']} (type {added['type']}) is listed wrongly")


@pytest.mark.needs("add", "edit", "read")
@pytest.mark.parametrize("example", sorted(EDIT.request_examples) if EDIT else [])
def test_an_edit_is_stored_and_visible(api: TargetApi, run: SuiteRun, example: str) -> None:
    added = add_owned(api, "edit persists")
    body = _edit_bodies(added["id"])[example]
    response = api.call(LIFE.edit or "", as_json(body), path={"id": added["id"]})
    assert response.status_code in EDIT.success_statuses, (
        f"edit {example!r} of id {added['id']} answered {response.status_code}: {response.text[:300]}")
    expected = {**added, **{k: v for k, v in body.items() if k != "id"}}
    for name in EDIT.request_conditional:
        expected.setdefault(name, None)
        if name not in body:
            expected[name] = None  # D27: another purpose clears it
    _same_record(expected, json_or_none(read(api, added["id"])), f"GET after edit {example!r}")
    if run.checks(LIFE.listing):
        (item,) = [i for i in listed(api) if i.get("id") == added["id"]]
        _same_record(expected, item, f"the listing after edit {example!r}")
    filled = [name for name in EDIT.request_conditional if name in body]
    for name in filled:
        assert json_or_none(read(api, added["id"])).get(name) is not None, f"{name} is null after setting it"


@pytest.mark.needs("add", "edit", "read")
def test_an_edit_naming_another_id_is_refused_and_changes_nothing(api: TargetApi, run: SuiteRun) -> None:
    """D26: the body's id must be the path's."""
    added = add_owned(api, "edit id mismatch")
    body = {**_edit_bodies(added["id"])["seed"], "id": added["id"] + 1}
    response = api.call(LIFE.edit or "", as_json(body), path={"id": added["id"]})
    assert response.status_code in EDIT.rejection_statuses(), (
        f"an edit of {added['id']} whose body names id {body['id']} answered {response.status_code}")
    _same_record(added, json_or_none(read(api, added["id"])), "GET after the refused edit")


@pytest.mark.needs("add", "delete", "read")
def test_a_deleted_number_is_gone(api: TargetApi, run: SuiteRun, target: Target) -> None:
    added = add_owned(api, "delete")
    response = api.call(LIFE.delete or "", path={"id": added["id"]})
    assert response.status_code in FACTS.operations[LIFE.delete or ""].success_statuses, (
        f"deleting id {added['id']} answered {response.status_code}")
    assert (json_or_none(response) or {}).get("id") == added["id"], f"the delete answered {response.text[:200]}"
    assert read(api, added["id"]).status_code == NOT_FOUND_STATUS, "the deleted number still reads back"
    again = api.call(LIFE.delete or "", path={"id": added["id"]})
    assert again.status_code == NOT_FOUND_STATUS, f"a second delete answered {again.status_code}"
    if run.checks(LIFE.edit):
        edit = api.call(LIFE.edit or "", as_json(_edit_bodies(added["id"])["seed"]), path={"id": added["id"]})
        assert edit.status_code == NOT_FOUND_STATUS, f"an edit of the deleted number answered {edit.status_code}"
    if run.checks(LIFE.listing):
        assert all(item.get("id") != added["id"] for item in listed(api)), "the deleted number is still listed"
    if target.numbers == CONNECTABLE:
        offered = json_or_none(api.call(LIFE.connectable or "")) or []
        assert any(item.get(NUMBER_FIELD) == added[NUMBER_FIELD] for item in offered), (
            f"the deleted number {added[NUMBER_FIELD]} did not rejoin the connectable listing (D21)")


@pytest.mark.needs("add", "delete")
def test_a_deleted_id_is_never_given_again(api: TargetApi, run: SuiteRun) -> None:
    added = add_owned(api, "ids not reused")
    api.call(LIFE.delete or "", path={"id": added["id"]})
    later = add_owned(api, "ids not reused")
    assert later["id"] != added["id"], f"id {added['id']} was deleted and given again to {later[NUMBER_FIELD]}"


@pytest.mark.needs("add", "delete")
def test_a_deleted_number_can_be_added_again(api: TargetApi, run: SuiteRun) -> None:
    """D21, D24: a deleted number may be connected again, and gets a new id."""
    spend_write(run, "a deleted number added again", 2)
    body = fresh_body(run)
    first = json_or_none(assert_added(api, body, "the first add"))
    deleted = api.call(LIFE.delete or "", path={"id": first["id"]})
    assert deleted.status_code in FACTS.operations[LIFE.delete or ""].success_statuses, (
        f"deleting id {first['id']} answered {deleted.status_code}")
    again = {**body}
    spread_city_numbers(run, FACTS.operations[LIFE.add or ""], again)
    second = json_or_none(assert_added(api, again, f"adding {body[NUMBER_FIELD]} again after deleting it (D21)"))
    run.ledger.pinned.add(second["id"])
    assert second["id"] != first["id"], (
        f"{body[NUMBER_FIELD]} added again got the id {first['id']} it had before it was deleted (D24)")


@pytest.mark.needs("add", "listing")
def test_the_listing_shows_every_number_the_run_holds(api: TargetApi, run: SuiteRun) -> None:
    """The listing at the run's fullest (now, or when recycling freed numbers) shows every
    number the run holds exactly once, equal to its last read, also filtered by type: a
    listing that returns only a first page, or repeats a record, is caught."""
    if not run.ledger.records and not run.listing_checked_at:
        not_run(TOO_FEW_NUMBERS, "the run holds no number to look for in the listing")
    problems = run.listing_problems + listing_problems(api)
    assert not problems, "\n".join(problems[:20])


@pytest.mark.needs("add", "connectable")
def test_an_added_number_leaves_the_connectable_listing(api: TargetApi, run: SuiteRun, target: Target) -> None:
    if target.numbers != CONNECTABLE:
        not_run(NUMBERS_SETTING, "the listing is not the source of the numbers added")
    added = add_owned(api, "listing membership")
    offered = json_or_none(api.call(LIFE.connectable or "")) or []
    assert all(item.get(NUMBER_FIELD) != added[NUMBER_FIELD] for item in offered), (
        f"{added[NUMBER_FIELD]} is on the account and still offered as connectable (D21)")
