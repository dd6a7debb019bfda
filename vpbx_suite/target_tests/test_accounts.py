"""Accounts that cannot see each other (D31-D36): broken object-level authorization, the first
risk of the OWASP API Security Top 10 (2023, API1), which a single-identity fuzzer cannot see.

With a second account on the same server (OTHER_API_TOKEN; the bundled mock has two), the run
adds a number on each account and the other account tries it both ways: its read, edit and
delete of the number's id answer as for an id that never existed (404, none of the record in
the body) and change nothing (the owner reads it back byte-identical after every attempt); its
listings neither show nor offer the number; its add of the number is refused as that of a
number not offered (D35). Without a second account these checks are counted as not run.

Safety: a cross-account edit or delete is only sent to an id the run itself added, and only
when the other account holds no number of that id (ids may be per account, D36), so even a
server that applies it can only change the run's own number.
"""

from __future__ import annotations

import copy
import json
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from vpbx_model.freedoms import MOVES_ON_ITS_OWN

from vpbx_suite.completeness import NO_SECOND_ACCOUNT, NOT_APPLICABLE, OPERATIONS, TOO_FEW_NUMBERS, not_run
from vpbx_suite.contract import DUPLICATE_STATUS, NOT_FOUND_STATUS, NUMBER_FIELD, bundled_facts
from vpbx_suite.fresh_numbers import (FreshNumbers, NumberSource, OfferedNumbers, OutOfNumbers, SourceFailed,
                                      spread_city_numbers)
from vpbx_suite.preconditions import Precondition
from vpbx_suite.rules import OTHER_ADD, OTHER_ID_UNKNOWN, OTHER_LISTING, READ_BACK, expect
from vpbx_suite.run import OTHER, SuiteRun
from vpbx_suite.settings import CONNECTABLE, Target
from vpbx_suite.target_api import TargetApi, as_json, json_or_none
from vpbx_suite.target_tests.helpers import (assert_added, assert_not_shown, connectable_numbers, spend_write,
                                             take_number)

FACTS = bundled_facts()
LIFE = FACTS.lifecycle
ADD = FACTS.operations[LIFE.add or ""]
MAIN_TO_OTHER, OTHER_TO_MAIN = "API_TOKEN's number, OTHER_API_TOKEN asks", "OTHER_API_TOKEN's number, API_TOKEN asks"
DIRECTIONS = [MAIN_TO_OTHER, OTHER_TO_MAIN]
NEVER_AN_ID = 9_000_000_000_000_000_001  # below 2^63 - 1 (D30); no account has so many numbers
MOST_ADDS = 6  # per-account ids (D36) collide: numbers are replaced until the ids part


@dataclass
class Held:
    """A number one account of the run holds, and the account that must not see it."""

    owner: TargetApi
    intruder: TargetApi
    record: dict[str, Any]
    read_back: bytes  # the owner's read of it, byte for byte

    @property
    def id(self) -> int:
        return self.record["id"]

    def secrets(self) -> list[str]:
        """Values of the record an answer to the intruder must not carry."""
        return [str(self.record[name]) for name in (NUMBER_FIELD, "dgn_number", "comment")
                if self.record.get(name)]

    def leaks(self, response: Any, but: tuple[str, ...] = ()) -> list[str]:
        return [value for value in self.secrets() if value not in but and value in response.text]

    def unchanged(self, after: str) -> None:
        """Read back as before, byte for byte, or (a server may move `state` on its own, D23)
        equal as JSON but for that."""
        again = self.owner.call(LIFE.read or "", path={"id": self.id})
        expect(again.status_code == 200 and (again.content == self.read_back or _without_own_moves(
            json_or_none(again)) == _without_own_moves(_parsed(self.read_back))), OTHER_ID_UNKNOWN,
               f"after {after}, the owner reads id {self.id} as {again.status_code} {again.text[:300]}; "
               f"before it was {self.read_back[:300]!r}")


def _parsed(content: bytes) -> Any:
    try:
        return json.loads(content)
    except ValueError:
        return None


def _without_own_moves(record: Any) -> Any:
    return {k: v for k, v in record.items() if k not in MOVES_ON_ITS_OWN} if isinstance(record, dict) else record


def _source_of(other: TargetApi, run: SuiteRun, target: Target) -> NumberSource:
    """Numbers the second account may add: its own connectable listing, or generated ones."""
    if target.numbers != CONNECTABLE:
        return FreshNumbers()
    return OfferedNumbers([], "the second account's connectable listing", read=lambda: connectable_numbers(other),
                          held=run.held_numbers)


def _take(source: NumberSource) -> str:
    try:
        return source.next()
    except (OutOfNumbers, SourceFailed) as error:
        not_run(TOO_FEW_NUMBERS, f"the second account: {error}")
        raise AssertionError("unreachable") from None


def _listed(api: TargetApi) -> dict[Any, dict[str, Any]]:
    listing = api.call(LIFE.listing or "")
    return {item.get("id"): item for item in json_or_none(listing) or [] if isinstance(item, dict)}


def _add(api: TargetApi, run: SuiteRun, number: str) -> dict[str, Any]:
    spend_write(run, "accounts: a number on each account")
    body = spread_city_numbers(run, ADD, {**copy.deepcopy(ADD.request_examples["seed"]), NUMBER_FIELD: number,
                                          "comment": f"isolation {secrets.token_hex(6)}"})
    record = json_or_none(assert_added(api, body, f"adding {number} for the isolation checks"))
    api.run.ledgers[api.account].kept.add(record["id"])  # no recycling while the checks use it
    return record


def _hold_both_ways(api: TargetApi, other: TargetApi, run: SuiteRun, target: Target) -> dict[str, Held]:
    """A number on each account whose id the other account does not hold. Ids may be per
    account (D36), where both accounts' first numbers share id 1: then the run adds another
    number on the side that holds the colliding id and deletes its own colliding one (a deleted
    id is never given again, D24), so the ids part; at most MOST_ADDS adds in all."""
    sources = {api.account: run.fresh, other.account: _source_of(other, run, target)}

    def add(account: TargetApi) -> dict[str, Any]:
        return _add(account, run, take_number(run) if account is api else _take(sources[other.account]))

    owners = {api.account: add(api), other.account: add(other)}
    adds = 2
    while True:
        held = {account.account: _listed(account) for account in (api, other)}
        for owner, intruder in ((api, other), (other, api)):
            assert_not_shown(owners[owner.account], held[intruder.account])
        clashes = [(owner, intruder) for owner, intruder in ((api, other), (other, api))
                   if owners[owner.account]["id"] in held[intruder.account]]
        if not clashes:
            break
        owner, intruder = clashes[0]
        clash = owners[owner.account]["id"]
        ours = intruder.run.ledgers[intruder.account]
        if not run.checks(LIFE.delete):
            not_run(OPERATIONS, f"id {clash} is held by both accounts (D36); freeing it needs {LIFE.delete}")
        if adds >= MOST_ADDS or not ours.owns(clash):
            not_run(NOT_APPLICABLE, f"id {clash} is held by both accounts (per-account ids, D36) and the run "
                                    "cannot free it: nothing safe to address across accounts")
        # The intruder's number of that id is the run's own: replace it with a new one.
        replacement = add(intruder)
        adds += 1
        if owners[intruder.account]["id"] == clash:
            owners[intruder.account] = replacement
        ours.kept.discard(clash)
        intruder.call(LIFE.delete or "", path={"id": clash})
    held_numbers = {}
    for owner, intruder, direction in ((api, other, MAIN_TO_OTHER), (other, api, OTHER_TO_MAIN)):
        record = owners[owner.account]
        read_back = owner.call(LIFE.read or "", path={"id": record["id"]})
        expect(read_back.status_code == 200, READ_BACK,
               f"the account that just added id {record['id']} reads it as {read_back.status_code}: {read_back.text[:300]}")
        held_numbers[direction] = Held(owner, intruder, record, read_back.content)
    return held_numbers


@pytest.fixture(scope="module")
def other_api(api: TargetApi, target: Target, run: SuiteRun) -> Iterator[TargetApi | None]:
    if not target.other_token:
        yield None
        return
    client = TargetApi(target.base_url, target.other_token, api._schema, run, account=OTHER,
                       secrets=target.secrets())
    yield client
    client.close()


@pytest.fixture(scope="module")
def holdings(api: TargetApi, other_api: TargetApi | None, run: SuiteRun,
             target: Target) -> Iterator[Precondition[dict[str, Held]] | None]:
    if other_api is None:
        yield None
        return
    held = Precondition("adding a number on each account", run, lambda: _hold_both_ways(api, other_api, run, target))
    yield held
    held.release(lambda both: [h.owner.run.ledgers[h.owner.account].kept.discard(h.id) for h in both.values()])


def held_for(holdings: Precondition[dict[str, Held]] | None, direction: str) -> Held:
    if holdings is None:
        not_run(NO_SECOND_ACCOUNT, "set OTHER_API_TOKEN to another account's token on the same server")
    return holdings.get()[direction]  # type: ignore[union-attr]


def _shape(value: Any) -> Any:
    """The keys of a JSON value, nested (error bodies of one kind have one shape)."""
    if isinstance(value, dict):
        return {key: _shape(item) for key, item in value.items()}
    return type(value).__name__


def assert_as_unknown(held: Held, response: Any, what: str) -> None:
    expect(response.status_code == NOT_FOUND_STATUS, OTHER_ID_UNKNOWN,
           f"{what} of id {held.id}, another account's number, answered {response.status_code} "
           f"(an id that does not exist answers {NOT_FOUND_STATUS}): {response.text[:300]}")
    leaked = held.leaks(response)
    expect(not leaked, OTHER_ID_UNKNOWN,
           f"{what} of another account's id {held.id} answered with its record's values {leaked}")


@pytest.mark.needs("add", "read", "listing")
@pytest.mark.parametrize("direction", DIRECTIONS)
def test_another_accounts_id_reads_as_an_id_that_does_not_exist(run: SuiteRun, holdings: Any, direction: str) -> None:
    held = held_for(holdings, direction)
    response = held.intruder.call(LIFE.read or "", path={"id": held.id})
    unknown = held.intruder.call(LIFE.read or "", path={"id": NEVER_AN_ID})
    assert_as_unknown(held, response, "a read")
    expect(_shape(json_or_none(response)) == _shape(json_or_none(unknown)), OTHER_ID_UNKNOWN,
           f"another account's id answers {response.text[:200]}, an id that never existed {unknown.text[:200]}: "
           "the difference tells that the id exists")
    held.unchanged("the other account's read")


@pytest.mark.needs("add", "read", "listing", "edit")
@pytest.mark.parametrize("direction", DIRECTIONS)
def test_another_account_cannot_edit_a_number(run: SuiteRun, holdings: Any, direction: str) -> None:
    held = held_for(holdings, direction)
    edit = FACTS.operations[LIFE.edit or ""]
    body = {**copy.deepcopy(edit.request_examples["companyWithoutComment"]), "id": held.id,
            "comment": "changed by another account"}
    response = held.intruder.call(LIFE.edit or "", as_json(body), path={"id": held.id}, across=True)
    assert_as_unknown(held, response, "an edit")
    held.unchanged("the other account's edit")


@pytest.mark.needs("add", "read", "listing", "delete")
@pytest.mark.parametrize("direction", DIRECTIONS)
def test_another_account_cannot_delete_a_number(run: SuiteRun, holdings: Any, direction: str) -> None:
    held = held_for(holdings, direction)
    response = held.intruder.call(LIFE.delete or "", path={"id": held.id}, across=True)
    assert_as_unknown(held, response, "a delete")
    held.unchanged("the other account's delete")


@pytest.mark.needs("add", "read", "listing")
@pytest.mark.parametrize("direction", DIRECTIONS)
def test_another_accounts_listings_neither_show_nor_offer_a_number(run: SuiteRun, holdings: Any,
                                                                   direction: str) -> None:
    held = held_for(holdings, direction)
    number = held.record[NUMBER_FIELD]
    queries: list[dict[str, Any] | None] = [None, {"type": held.record["type"]}]
    for query in queries if "type" in FACTS.operations[LIFE.listing or ""].query_parameters else [None]:
        listing = held.intruder.call(LIFE.listing or "", query=query)
        shown = [item for item in json_or_none(listing) or [] if isinstance(item, dict)
                 and (item.get(NUMBER_FIELD) == number or item.get("comment") == held.record.get("comment"))]
        expect(not shown, OTHER_LISTING,
               f"the other account's listing{f' with {query}' if query else ''} shows {shown[:1]}")
    if run.checks(LIFE.connectable):
        offered = held.intruder.call(LIFE.connectable or "")
        expect(all(item.get(NUMBER_FIELD) != number for item in json_or_none(offered) or [] if isinstance(item, dict)),
               OTHER_LISTING, f"the other account's connectable listing offers {number}, which an account holds")


@pytest.mark.needs("add", "read", "listing")
@pytest.mark.parametrize("direction", DIRECTIONS)
def test_another_account_cannot_add_a_number_held_elsewhere(run: SuiteRun, target: Target, holdings: Any,
                                                            direction: str) -> None:
    """D35: answered as a number not offered (422), never 409 (which would say someone holds it)."""
    held = held_for(holdings, direction)
    spend_write(run, "accounts: an add of another account's number")
    body = spread_city_numbers(run, ADD, {**copy.deepcopy(ADD.request_examples["seed"]),
                                          NUMBER_FIELD: held.record[NUMBER_FIELD]})
    response = held.intruder.call(LIFE.add or "", as_json(body))
    rejections = ADD.rejection_statuses()
    expect(response.status_code in rejections and response.status_code != DUPLICATE_STATUS, OTHER_ADD,
           f"the other account's add of {held.record[NUMBER_FIELD]}, held by an account, answered "
           f"{response.status_code}; expected {rejections}, as for a number not offered: {response.text[:300]}")
    leaked = held.leaks(response, but=(held.record[NUMBER_FIELD],))  # the number is the request's own
    expect(not leaked, OTHER_ADD, f"the refusal of an add of another account's number quotes its record: {leaked}")
    if target.numbers == CONNECTABLE and run.checks(LIFE.connectable):
        spend_write(run, "accounts: an add of a number nobody offers, to compare")
        offered = {item.get(NUMBER_FIELD) for item in json_or_none(held.intruder.call(LIFE.connectable or "")) or []
                   if isinstance(item, dict)}
        stranger = next(n for n in iter(FreshNumbers().next, None) if n not in offered)
        compare = held.intruder.call(LIFE.add or "", as_json({**body, NUMBER_FIELD: stranger}))
        expect(response.status_code == compare.status_code, OTHER_ADD,
               f"an add of a number another account holds answers {response.status_code}, one nobody offers "
               f"{compare.status_code}: the difference tells that it is held")
    held.unchanged("the other account's add of the number")
