"""What the explicit tests share: valid bodies from the document's examples with a fresh number
and a city number of a region the run has not used yet, adding a number the run will own
(within the write budget), freeing idle numbers for recycling, and the listing at the run's
fullest."""

from __future__ import annotations

import copy
import functools
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import httpx

from vpbx_model.freedoms import MOVES_ON_ITS_OWN
from vpbx_suite.ahead import Ahead, in_any_order
from vpbx_suite.completeness import PRECONDITION, TOO_FEW_NUMBERS, WRITE_BUDGET, not_run
from vpbx_suite.contract import NUMBER_FIELD
from vpbx_suite.fresh_numbers import OutOfNumbers, SourceFailed, spread_city_numbers
from vpbx_suite.rules import ADD_ACCEPTED, CONNECTABLE_ANSWERS, LISTING_ANSWERS, OTHER_LISTING, expect
from vpbx_suite.run import SuiteRun
from vpbx_suite.target_api import TargetApi, as_json, json_or_none

def require_numbers(run: SuiteRun) -> None:
    """Not run when the source of numbers failed its precondition (reported once, already)."""
    failure = getattr(run.fresh, "failure", None)
    if failure is not None:
        not_run(PRECONDITION, failure)


def take_number(run: SuiteRun) -> str:
    """A number the run may add now, or the test is counted as not run (with the reason)."""
    try:
        return run.fresh.next()
    except SourceFailed as error:
        not_run(PRECONDITION, str(error))
    except OutOfNumbers as error:
        not_run(TOO_FEW_NUMBERS, str(error))
    raise AssertionError("unreachable")


def fresh_body(run: SuiteRun, example: str = "seed", base: dict[str, Any] | None = None) -> dict[str, Any]:
    add = run.facts.operations[run.facts.lifecycle.add or ""]
    body = copy.deepcopy(base if base is not None else add.request_examples[example])
    body[NUMBER_FIELD] = take_number(run)
    return spread_city_numbers(run, add, body)


def spend_write(run: SuiteRun, check: str, writes: int = 1) -> None:
    """Take `writes` from the budget, or the test is not run (counted, and listed at the end)."""
    if not run.budget.take(writes):
        run.budget.refuse(check)
        not_run(WRITE_BUDGET, f"{check}: needs {writes} add(s), the budget has {run.budget.left} left")


def assert_added(api: TargetApi, body: dict[str, Any], why: str) -> httpx.Response:
    add = api.run.facts.lifecycle.add or ""
    response = api.call(add, as_json(body))
    success = sorted(api.operation(add).success_statuses)
    expect(response.status_code in success, ADD_ACCEPTED,
           f"{why}: adding {body[NUMBER_FIELD]} answered {response.status_code}, expected one of "
           f"{success}: {response.text[:300]}")
    return response


def add_owned(api: TargetApi, check: str, example: str = "seed", *, keep: bool = False) -> dict[str, Any]:
    """Add a number for a test to work on; its record as the add answered it. It is pinned for
    the test (`keep`: for the fixture that asked, until it unpins it) so recycling leaves it be."""
    spend_write(api.run, check)
    record = json_or_none(assert_added(api, fresh_body(api.run, example), check))
    if isinstance(record, dict) and isinstance(record.get("id"), int):
        (api.run.ledger.kept if keep else api.run.ledger.pinned).add(record["id"])
    return record


def listed(api: TargetApi, query: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    response = api.call(api.run.facts.lifecycle.listing or "", query=query)
    expect(response.status_code == 200, LISTING_ANSWERS,
           f"the listing{f' with {query}' if query else ''} answered {response.status_code}: {response.text[:300]}")
    return [item for item in json_or_none(response) or [] if isinstance(item, dict)]


def connectable_numbers(api: TargetApi) -> list[str]:
    """The numbers the account's connectable listing offers now (the answer judged as any)."""
    listing = api.call(api.run.facts.lifecycle.connectable or "")
    expect(listing.status_code == 200, CONNECTABLE_ANSWERS,
           f"the connectable listing answered {listing.status_code}: {listing.text[:300]}")
    return [item[NUMBER_FIELD] for item in json_or_none(listing) or []
            if isinstance(item, dict) and isinstance(item.get(NUMBER_FIELD), str)]


def read(api: TargetApi, record_id: int) -> httpx.Response:
    return api.call(api.run.facts.lifecycle.read or "", path={"id": record_id})


def record_differences(expected: dict[str, Any], actual: dict[str, Any]) -> list[str]:
    """Each field of `expected` that `actual` lacks or holds otherwise (JSON types compared),
    but for the fields a server may move on its own between reads (`state`, D23)."""
    return [f"{name}: expected {expected[name]!r}, got {actual.get(name, '<missing>')!r}"
            for name in expected if name not in MOVES_ON_ITS_OWN and (
                actual.get(name, object()) != expected[name] or type(actual.get(name)) is not type(expected[name]))]


def listing_problems(api: TargetApi) -> list[str]:
    """The listing (and the listing of each type) must show every number the run holds exactly
    once, equal to its last read; a record that changed since is read again before it counts."""
    run, life = api.run, api.run.facts.lifecycle
    held = {record_id: dict(record) for record_id, record in run.ledger.records.items()}
    if not held or not run.checks(life.listing):
        return []
    listing = run.facts.operations[life.listing or ""]
    queries: list[dict[str, Any] | None] = [None]
    if "type" in listing.query_parameters:
        queries += [{"type": kind} for kind in sorted({str(r.get("type")) for r in held.values()})]
    problems = []
    for query in queries:
        wanted = {i: r for i, r in held.items() if query is None or str(r.get("type")) == query["type"]}
        items = listed(api, query)
        where = "the listing" + (f" with type={query['type']}" if query else "")
        counts = Counter(item.get("id") for item in items)
        for record_id, record in wanted.items():
            if counts[record_id] != 1:
                problems.append(f"{where} ({len(items)} items) shows id {record_id} ({record.get(NUMBER_FIELD)}) "
                                f"{counts[record_id]} times, expected once; the run holds {len(wanted)}")
                continue
            item = next(item for item in items if item.get("id") == record_id)  # listed once, just counted
            differences = record_differences(record, item)
            if differences and run.checks(life.read):
                fresh = json_or_none(read(api, record_id)) or {}
                differences = record_differences(fresh, item) if isinstance(fresh, dict) else differences
            if differences:
                problems.append(f"{where}: id {record_id} differs from its last read: " + "; ".join(differences))
    return problems


def record_listing_at_fullest(api: TargetApi) -> None:
    """Check the listing now, when the run holds the most numbers it will (before recycling or
    generated deletes take some); test_the_listing_shows_every_number_the_run_holds asserts it."""
    run = api.run
    if not run.ledger.records or not run.checks(run.facts.lifecycle.listing):
        return
    run.listing_checked_at = max(run.listing_checked_at, len(run.ledger.records))
    try:
        run.listing_problems += listing_problems(api)
    except Exception as error:  # a broken answer is judged where it is read; note it here too
        run.listing_problems.append(f"reading the listing failed: {str(error).splitlines()[0][:300]}")


def free_idle_numbers(api: TargetApi, concurrency: int) -> int:
    """Recycling: first the listing is checked while the run holds the most numbers, then every
    number of the run that no test is using is deleted (it rejoins the connectable listing),
    `concurrency` deletes at a time: none depends on another."""
    run, life = api.run, api.run.facts.lifecycle
    if not run.checks(life.delete):
        return 0
    record_listing_at_fullest(api)
    deletes = [functools.partial(api.call, life.delete or "", path={"id": record_id})
               for record_id in run.ledger.idle_ids()]
    return sum(200 <= response.status_code < 300 for response in in_any_order(run, deletes, concurrency))


def assert_not_shown(owner_record: dict[str, Any], intruder: dict[Any, dict[str, Any]]) -> None:
    """A record of one account in another's listing is a leak under any id scheme (D33): an id
    both accounts hold is a collision of per-account ids (D36) only when the records differ."""
    shown = [item for item in intruder.values() if item.get(NUMBER_FIELD) == owner_record[NUMBER_FIELD]]
    shown_ids = [item.get("id") for item in shown]
    expect(not shown, OTHER_LISTING, f"the other account's listing shows {owner_record[NUMBER_FIELD]} (ids "
           f"{shown_ids}), a number of another account: listings show only the account's own numbers (D33, D31)")


def sent_ahead(run: SuiteRun, concurrency: int, items: list[Any],
               prepare: Callable[[Any], Callable[[], Any]]) -> Iterator[Ahead[int, Any]]:
    """A module fixture's requests sent ahead of its tests (vpbx_suite.ahead), keyed by the
    parameter object pytest hands each test (two may share a label)."""
    by_key = {id(item): item for item in items}
    ahead: Ahead[int, Any] = Ahead(run, list(by_key), lambda key: prepare(by_key[key]), concurrency)
    yield ahead
    ahead.close()
