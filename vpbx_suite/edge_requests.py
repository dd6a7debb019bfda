"""How an edge of the catalog (vpbx_suite.edges) is judged on the target: the answer the document
gives it (accepted, and read back the same; or refused with an "invalid input" status), and the
edit edges' read, edit and read again, each on a number of the run that no other edge works on
meanwhile (EditLanes), so that the edges can go out CONCURRENCY at a time."""

from __future__ import annotations

import copy
import queue
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from vpbx_model.freedoms import MOVES_ON_ITS_OWN
from vpbx_suite.completeness import NotRun
from vpbx_suite.contract import bundled_facts
from vpbx_suite.edges import Edge
from vpbx_suite.preconditions import Precondition
from vpbx_suite.rules import (EDGE_ACCEPTED, EDGE_REJECTED, READ_BACK, REJECTED_STORES_NOTHING, decisions_in,
                              expect, field_place)
from vpbx_suite.run import SuiteRun
from vpbx_suite.target_api import TargetApi, json_or_none
from vpbx_suite.target_tests.helpers import add_owned, read, record_differences

FACTS = bundled_facts()
LIFE = FACTS.lifecycle


def _read_record(api: TargetApi, record_id: int, seen: Callable[[dict[str, Any]], None] | None) -> Any:
    """The record as read (parsed JSON), handed to `seen` when it is one: a 200 naming the id."""
    response = read(api, record_id)
    stored = json_or_none(response)
    if seen is not None and response.status_code == 200 and isinstance(stored, dict) \
            and stored.get("id") == record_id:
        seen(stored)
    return stored


def _read_back(api: TargetApi, answered: dict[str, Any], what: str,
               seen: Callable[[dict[str, Any]], None] | None = None) -> None:
    """The record reads back exactly as answered (the fields the answer has)."""
    if not api.run.checks(LIFE.read) or not isinstance(answered.get("id"), int):
        return
    stored = _read_record(api, answered["id"], seen)
    stored = stored if isinstance(stored, dict) else {}
    changed = {name: (value, stored.get(name)) for name, value in answered.items()
               if name in stored and stored[name] != value and name not in MOVES_ON_ITS_OWN}
    expect(not changed, READ_BACK, f"{what}: id {answered['id']} reads back differently from the answer: " + "; ".join(
        f"{name}: answered {a!r}, stored {b!r}" for name, (a, b) in changed.items()), field=next(iter(changed), None))


def answered_as_the_document_says(api: TargetApi, edge: Edge, response: Any,
                                  seen: Callable[[dict[str, Any]], None] | None = None) -> bool:
    """Assert the status the document (or HTTP, for the edge's own rule) gives the edge; True
    when it was accepted (and read back the same: `seen` gets the record read), False when it
    was refused."""
    operation = FACTS.operations[edge.operation_id]
    rule = f" ({edge.rule})" if edge.rule else ""
    if response.status_code in edge.also_refused:
        return False  # HTTP lets the server refuse it so (edge.rule); it must store nothing
    decisions = edge_decisions(edge)
    if edge.must_accept:
        expect(response.status_code in operation.success_statuses, EDGE_ACCEPTED,
               f"{operation.label} with {edge.name}: the contract accepts it{rule}; answered {response.status_code}: "
               f"{response.text[:300]}", field=edge.field, side="request", decisions=decisions, operation=edge.operation_id)
        answered = json_or_none(response)
        _read_back(api, answered if isinstance(answered, dict) else {}, edge.name, seen)
        return True
    expect(response.status_code in operation.rejection_statuses(), EDGE_REJECTED,
           f"{operation.label} with {edge.name}: the contract rejects it{rule}; answered {response.status_code}, "
           f"expected one of {operation.rejection_statuses()}: {response.text[:300]}",
           field=edge.field, side="request", decisions=decisions, operation=edge.operation_id)
    return False


def edge_decisions(edge: Edge) -> tuple[str, ...] | None:
    """What the document cites for the edge's field, and the rule the edge itself names."""
    place = field_place(edge.operation_id, edge.field, "request")
    cited = (*(place[1] if place else ()), *decisions_in(edge.rule))
    return tuple(dict.fromkeys(cited)) or None


class EditLanes:
    """The run's own numbers the edit edges work on, one per lane: an edge takes a free one for
    its read, edit and read again, so no two edges ever work on one number at once. The first
    is the edges' precondition; the others (up to CONCURRENCY) only make the run faster, so they
    are added only while the write budget can spare them and numbers are at hand.

    A lane remembers its number's record as its last edge read it: nothing else changes that
    number meanwhile, so the next edge starts from it instead of reading it again."""

    def __init__(self, api: TargetApi, run: SuiteRun, lanes: int, work: str = "the edit edges",
                 spent_on: str = "edges of the edit") -> None:
        """`work`: who works on the numbers (in the precondition's name); `spent_on`: what the
        adds are spent on (the write budget's record)."""
        self._run = run
        self.last_read: dict[int, dict[str, Any]] = {}  # id -> record; only its lane's holder touches it
        self.first = Precondition(f"adding the number {work} work on", run,
                                  lambda: add_owned(api, spent_on, keep=True))
        self._records: list[dict[str, Any]] = []
        self._free: queue.SimpleQueue[dict[str, Any]] = queue.SimpleQueue()
        if self.first.failed:
            return  # reported by the first edge (prepare), no lane to work on
        self._add(self.first.get())
        while len(self._records) < lanes and run.budget.can_spare():
            try:
                self._add(add_owned(api, spent_on, keep=True))
            except (Exception, NotRun):  # noqa: BLE001 (refused, no answer, no numbers left)
                break  # an add that fails now is the add's tests' finding; the edges use fewer lanes

    @property
    def count(self) -> int:
        return len(self._records)

    def _add(self, record: Any) -> None:
        self._records.append(record)
        self._free.put(record)

    @contextmanager
    def number(self) -> Iterator[dict[str, Any]]:
        record = self._free.get()
        try:
            yield record
        finally:
            self._free.put(record)

    def release(self) -> None:
        for record in self._records:
            if isinstance(record, dict):
                self._run.ledger.kept.discard(record.get("id"))


def edit_edge_request(api: TargetApi, run: SuiteRun, lanes: EditLanes) -> Callable[[Edge], Callable[[], None]]:
    def prepare(edge: Edge) -> Callable[[], None]:
        lanes.first.get()  # the first edge fails with the precondition's failure, the others are not run
        run.count_edge(edge.edge_class)
        return lambda: check_edit_edge(api, run, lanes, edge)
    return prepare


def check_edit_edge(api: TargetApi, run: SuiteRun, lanes: EditLanes, edge: Edge) -> None:
    with lanes.number() as record:
        record_id = record["id"]

        def seen(stored: dict[str, Any]) -> None:
            lanes.last_read[record_id] = stored

        # Unknown again until this edge reads it: an edge that fails on the way leaves it so.
        # (Not the ledger's record: that also takes an edit's answer, which such an edge leaves unread.)
        before = lanes.last_read.pop(record_id, None)
        if before is None and run.checks(LIFE.read):
            before = _read_record(api, record_id, None)
        body = {**copy.deepcopy(edge.base_body), "id": record_id}
        response = api.call(LIFE.edit or "", edge.build(body), path={"id": record_id})
        if answered_as_the_document_says(api, edge, response, seen):
            return
        if before is not None:
            after = _read_record(api, record_id, seen)
            changed = record_differences(before, after) if isinstance(before, dict) and isinstance(after, dict) \
                else ([] if after == before else [f"{before} -> {after}"])
            expect(not changed, REJECTED_STORES_NOTHING,
                   f"{edge.name}: the refused edit of id {record_id} changed the record: " + "; ".join(changed),
                   operation=LIFE.edit)
