"""What one run wrote to the target: the numbers it added, their last known records, the
ones it deleted, and the write budget.

Safety rule: the suite edits and deletes only numbers it added in this run. `guard_target`
enforces it where requests are sent: an edit or delete addressed to any other id is never
sent; it is redirected to one of the run's own ids, or dropped, and counted.
"""

from __future__ import annotations

import threading
from decimal import Decimal, InvalidOperation
from dataclasses import dataclass, field
from typing import Any

from vpbx_spec.document import bundled_schemas
from vpbx_spec.walk import iter_operations


def _largest_id_in_a_path() -> int:
    """The largest id a path parameter of the document accepts (D30); 2^63 - 1 without a bound."""
    schemas = bundled_schemas()
    listed = [*(parameter for item in (schemas.document.get("paths") or {}).values()
                for parameter in item.get("parameters") or ()),
              *(parameter for _, _, operation in iter_operations(schemas.document)
                for parameter in operation.get("parameters") or ())]
    parameters = [schemas.resolve(parameter) for parameter in listed]
    bounds = [schemas.resolve(parameter.get("schema") or {}).get("maximum")
              for parameter in parameters if parameter.get("in") == "path"]
    return max((bound for bound in bounds if isinstance(bound, int)), default=2**63 - 1)


MAX_ID = _largest_id_in_a_path()  # no number has a larger id (D30)
GUARD_SPREAD = 16  # deleted ids a redirected edit or delete is sent to in turn


def id_in_path(value: Any) -> int | None:
    """The number id a path value would address on a lenient server, or None if it can address none.

    Conservative on purpose: "07", " 7", "+7", "7.0" and "7e0" all address number 7 somewhere.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 1 <= value <= MAX_ID else None
    try:
        number = Decimal(str(value).strip())  # exact: a float would round MAX_ID + 1 down to MAX_ID
    except InvalidOperation:
        return None
    if not number.is_finite() or number != number.to_integral_value() or not 1 <= number <= MAX_ID:
        return None
    return int(number)


@dataclass
class WriteBudget:
    """How many adds a run may send that could create a number; None: unlimited (loopback)."""

    limit: int | None
    spent: int = 0
    left_out: dict[str, int] = field(default_factory=dict)  # check -> requests not sent

    def take(self, writes: int = 1) -> bool:
        """Spend `writes` at once, or nothing: a test that needs more than is left is not run."""
        if self.limit is not None and self.spent + writes > self.limit:
            return False
        self.spent += writes
        return True

    def can_spare(self, writes: int = 1) -> bool:
        """Whether `writes` that only make the run faster leave at least half the budget for the rest."""
        return self.limit is None or self.spent + writes <= self.limit / 2

    def give_back(self, writes: int = 1) -> None:
        """Writes taken for a request that was not sent after all."""
        self.spent -= writes

    @property
    def left(self) -> int | str:
        return "unlimited" if self.limit is None else self.limit - self.spent

    def refuse(self, check: str) -> None:
        self.left_out[check] = self.left_out.get(check, 0) + 1


@dataclass
class Ledger:
    records: dict[int, dict[str, Any]] = field(default_factory=dict)  # live: id -> last record seen
    numbers: dict[int, str] = field(default_factory=dict)              # every id added -> number
    deleted: list[int] = field(default_factory=list)
    guarded: dict[str, int] = field(default_factory=dict)  # "PUT redirected", "DELETE not sent", …
    # Numbers a test (or a fixture, for its tests) is working on: never freed for recycling.
    pinned: set[int] = field(default_factory=set)
    kept: set[int] = field(default_factory=set)
    # Numbers whose add was sent and got no answer yet (a run stopped mid-request leaves the
    # number on the server without the run knowing its id): cleanup looks for them.
    unanswered: set[str] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _guard_turn: int = field(default=-1, repr=False)

    def added(self, record: dict[str, Any]) -> None:
        record_id = record.get("id")
        if isinstance(record_id, int) and not isinstance(record_id, bool):
            with self._lock:
                self.records[record_id] = dict(record)
                self.numbers[record_id] = record.get("number")  # type: ignore[assignment]

    def updated(self, record_id: int, changes: dict[str, Any]) -> None:
        with self._lock:
            if record_id in self.records:
                self.records[record_id].update(changes)

    def removed(self, record_id: int) -> None:
        with self._lock:
            if self.records.pop(record_id, None) is not None:
                self.deleted.append(record_id)

    def sending(self, number: Any) -> None:
        if isinstance(number, str):
            with self._lock:
                self.unanswered.add(number)

    def answered(self, number: Any) -> None:
        if isinstance(number, str):
            with self._lock:
                self.unanswered.discard(number)

    def owns(self, record_id: int) -> bool:
        return record_id in self.numbers

    def live_ids(self) -> list[int]:
        with self._lock:
            return sorted(self.records)

    def held_numbers(self) -> set[str]:
        """The numbers the run holds now."""
        with self._lock:
            return {str(record.get("number")) for record in self.records.values()}

    def idle_ids(self) -> list[int]:
        """The run's numbers no test or fixture is working on: free to delete for recycling."""
        with self._lock:
            return sorted(set(self.records) - self.pinned - self.kept)

    def guard_target(self, method: str, value: Any) -> Any:
        """The path id to send an edit or delete to: `value` if it addresses none or one of the
        run's own numbers; else one of the run's ids (a deleted one first: it must answer 404,
        taken in turn among the last GUARD_SPREAD deleted, so that cases sent at once address
        different ids); None when the run owns none (the request is not sent)."""
        addressed = id_in_path(value)
        if addressed is None or self.owns(addressed):
            return value
        with self._lock:
            recent = self.deleted[-GUARD_SPREAD:]
            if recent:
                self._guard_turn += 1
                replacement = recent[-1 - self._guard_turn % len(recent)]
            else:
                replacement = max(self.records) if self.records else None
        key = f"{method.upper()} for an id this run did not add: " + (
            "not sent" if replacement is None else "sent to one of its own ids instead")
        with self._lock:
            self.guarded[key] = self.guarded.get(key, 0) + 1
        return replacement
