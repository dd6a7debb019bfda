"""The accepted space (vpbx_suite.accepted_space) against the target: each case is a valid
request in one of the forms the document accepts, carrying one value class of several
properties; it must be accepted and then read back exactly, by id and in the listing.

- An add case takes a fresh number (and a city number of a new region, unless the case is
  about the city number); its add and read back go out ahead of its test, CONCURRENCY at a
  time (vpbx_suite.ahead). The edit cases go out ahead too, each on one of up to CONCURRENCY
  numbers the run added (EditLanes), which no other case works on meanwhile.
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

from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from vpbx_suite.accepted_requests import KEPT_FIELDS, WRITTEN, check_add, check_edit, mismatches
from vpbx_suite.accepted_space import AcceptedCase, bundled_catalog
from vpbx_suite.ahead import Ahead
from vpbx_suite.completeness import OTHER, not_run, reason_of
from vpbx_suite.contract import bundled_facts
from vpbx_suite.edge_requests import EditLanes
from vpbx_suite.fresh_numbers import city_number_properties
from vpbx_suite.rules import ACCEPTED, expect
from vpbx_suite.run import SuiteRun
from vpbx_suite.settings import Target
from vpbx_suite.target_api import TargetApi
from vpbx_suite.target_tests.helpers import fresh_body, listed, sent_ahead, spend_write

FACTS = bundled_facts()
LIFE = FACTS.lifecycle
CATALOG = bundled_catalog()
ADD_CASES = CATALOG.get(LIFE.add or "", [])
EDIT_CASES = CATALOG.get(LIFE.edit or "", [])


def _ids(cases: list[AcceptedCase]) -> list[str]:
    return [f"{case.label}: {case.name}" for case in cases]


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
        return lambda: check_add(api, case, body)

    yield from sent_ahead(run, target.concurrency, ADD_CASES, prepare)


@pytest.mark.needs("add")
@pytest.mark.parametrize("case", ADD_CASES, ids=_ids(ADD_CASES))
def test_an_add_in_an_accepted_form_is_stored_exactly(accepted_adds: Ahead[int, None], case: AcceptedCase) -> None:
    accepted_adds.take(id(case))


@pytest.fixture(scope="module")
def accepted_edits(api: TargetApi, run: SuiteRun, target: Target) -> Iterator[Ahead[int, Any]]:
    """Each edit case's edit and read back, sent ahead of its test on a number of its own lane
    (vpbx_suite.edge_requests.EditLanes): the run's numbers, kept from recycling meanwhile, each
    worked on by one case at a time, so each case starts from that number's last read."""
    lanes = EditLanes(api, run, target.concurrency, work="the accepted edits",
                      spent_on="the accepted space of the edit")

    def prepare(case: AcceptedCase) -> Callable[[], None]:
        lanes.first.get()  # the first case fails with the precondition's failure, the others are not run
        run.count_edge("accepted space")
        return lambda: check_edit(api, run, lanes, case)

    yield from sent_ahead(run, target.concurrency, EDIT_CASES, prepare)
    lanes.release()


@pytest.mark.needs("add", "edit")
@pytest.mark.parametrize("case", EDIT_CASES, ids=_ids(EDIT_CASES))
def test_an_edit_in_an_accepted_form_is_stored_exactly(accepted_edits: Ahead[int, None], case: AcceptedCase) -> None:
    accepted_edits.take(id(case))


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
            problems += [f"{problem} [{name}]" for problem in mismatches(
                expected, found[0], f"the listing's record of id {record_id}", KEPT_FIELDS)]
    expect(not problems, ACCEPTED, f"of {len(held)} records written by accepted requests: " + "; ".join(problems),
           decisions=("D22", "D23"))
