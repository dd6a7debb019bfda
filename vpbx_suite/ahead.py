"""Requests whose order does not matter, sent ahead of their tests on a bounded pool (CONCURRENCY).

The edge cases are hundreds of test items that each send one request of their own (a fresh
number, or a read nobody else depends on). Against a server far away, one at a time, the run is
mostly waiting. Here a group of them is prepared in the tests' own thread, in the order pytest
runs them: the write budget is spent and numbers are taken there, one by one as before, so
whatever makes a test "not run" still does, and the budget is never exceeded. Their requests
then go out together, at most CONCURRENCY at a time, each judged as it is answered; each test
item takes its own outcome (the answer, or the failure its judging raised) with the curl and
exchange of its own request, so it still passes or fails on its own.

A group goes out when its first item runs, and the next one only once that item's group has
been taken: nothing is freed for recycling while an answer of the run waits to be judged.
Requests that depend on each other (an edit and its read back, a sequence) never come here.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Hashable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Generic, TypeVar

from vpbx_suite.run import SuiteRun, recorded_apart

K = TypeVar("K", bound=Hashable)
T = TypeVar("T")
GROUP_PER_WORKER = 4  # a group holds this many requests per worker: the pool stays busy


class Outcome:
    def __init__(self, value: Any = None, error: BaseException | None = None,
                 recorded: dict[str, Any] | None = None) -> None:
        self.value, self.error, self.recorded = value, error, recorded or {}


def send_recorded(send: Callable[[], Any]) -> Outcome:
    with recorded_apart() as recorded:
        try:
            return Outcome(send(), recorded=recorded)
        except BaseException as error:  # noqa: BLE001 (handed to the test it belongs to)
            return Outcome(error=error, recorded=recorded)


def in_any_order(run: SuiteRun, sends: Sequence[Callable[[], T]], concurrency: int) -> list[T]:
    """Requests that do not depend on each other (deleting idle numbers), at most `concurrency`
    at a time. Their steps are recorded as if sent one after another in the order given, and
    once all are answered the first failure in that order is raised, as if it had been sent
    last; the answers come back in order."""
    if concurrency <= 1 or len(sends) <= 1:
        return [send() for send in sends]
    outcomes = sent_together(sends, concurrency)
    failed = next((outcome for outcome in outcomes if outcome.error is not None), None)
    for outcome in [o for o in outcomes if o is not failed] + ([failed] if failed else []):
        replay(run, outcome)
    if failed is not None:
        raise failed.error  # type: ignore[misc]
    return [outcome.value for outcome in outcomes]


def sent_together(sends: Sequence[Callable[[], T]], concurrency: int) -> list[Outcome]:
    """Requests that do not depend on each other, at most `concurrency` at a time: each one's
    outcome with its own steps, not yet the run's (`replay` each where it is judged)."""
    if concurrency <= 1 or len(sends) <= 1:
        return [send_recorded(send) for send in sends]
    with ThreadPoolExecutor(min(concurrency, len(sends)), thread_name_prefix="vpbx-together") as pool:
        return list(pool.map(lambda send: contextvars.copy_context().run(send_recorded, send), sends))


def replay(run: SuiteRun, outcome: Outcome) -> None:
    """An outcome's own steps become the run's, as if its request had been sent now."""
    for step in outcome.recorded.get("steps", []):
        run.last_request = step["curl"]
        run.last_exchange = step["exchange"]


class Ahead(Generic[K, T]):
    """`keys`: the items' parameters, in the order pytest runs them; `prepare(key)` runs in the
    tests' thread and returns the request to send (or raises: the item's own outcome);
    `concurrency` 1 sends each request when its item runs, as a plain test would."""

    def __init__(self, run: SuiteRun, keys: Sequence[K], prepare: Callable[[K], Callable[[], T]],
                 concurrency: int) -> None:
        self._run, self._keys, self._prepare = run, list(keys), prepare
        self._concurrency = concurrency
        self._pool = ThreadPoolExecutor(concurrency, thread_name_prefix="vpbx-ahead") if concurrency > 1 else None
        self._pending: dict[K, Future[Outcome] | Outcome] = {}
        self._dispatched: set[K] = set()

    def take(self, key: K) -> T:
        """The outcome of `key`'s request: its answer, or the failure it raised, as if sent now."""
        if key not in self._dispatched:
            self._dispatch_from(key)
        pending = self._pending.pop(key)
        outcome = pending.result() if isinstance(pending, Future) else pending
        self._run.last_request = self._run.last_exchange = None
        replay(self._run, outcome)
        if outcome.error is not None:
            raise outcome.error
        return outcome.value  # type: ignore[no-any-return]

    def _dispatch_from(self, key: K) -> None:
        start = self._keys.index(key)
        size = 1 if self._pool is None else self._concurrency * GROUP_PER_WORKER
        group = [k for k in self._keys[start:] if k not in self._dispatched][:size]
        for k in group:
            self._dispatched.add(k)
            try:
                send = self._prepare(k)
            except BaseException as error:  # noqa: BLE001 (not run, or a failed precondition: the item's)
                self._pending[k] = Outcome(error=error)
                continue
            if self._pool is None:
                self._pending[k] = send_recorded(send)
            else:
                # A copy of this thread's context: the account the run acts as goes along.
                self._pending[k] = self._pool.submit(contextvars.copy_context().run, send_recorded, send)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
