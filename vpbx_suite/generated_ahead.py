"""Generated cases sent ahead of hypothesis's loop, at most CONCURRENCY at a time.

schemathesis's test of one operation is a hypothesis loop over a hundred cases or so, each one
request whose answer no later case of the loop depends on. Against a server far away, one at a
time, the loop is mostly waiting. Here the loop goes on while a case's request is out: the case
is prepared in the loop's own thread as before (write budget, fresh number, the id it may go
to), its request goes out on a bounded pool and is judged when answered, and its steps become
the run's in the order the cases were made.

An edit or a delete of an id the run added goes out only while no other case for that id is out
(an edit's echo is judged against the stored record, which another edit of it would change
meanwhile; two requests to one id at once are the check of requests at once): the cases out are
answered first. The source of numbers reads the server's listing and frees the run's numbers
only after `settle()` too: a number whose add is out is neither offered again nor deleted.

hypothesis cannot shrink a failure met by a case sent ahead: the loop has moved on. The test of
the operation then runs again with its seed, one case at a time: hypothesis meets the failure
again and shrinks it, as it always did. One that does not come back is reported as it was met.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Hashable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

from vpbx_suite.ahead import Outcome, replay, send_recorded
from vpbx_suite.run import SuiteRun

# Cases out at once, per worker: enough to keep the pool busy, few enough that a failure met
# early does not leave a long tail of requests behind it.
OUT_PER_WORKER = 4


class GeneratedAhead:
    """One operation's loop; `concurrency` 1 sends each case when it is made, as before."""

    def __init__(self, run: SuiteRun, concurrency: int) -> None:
        self._run = run
        self._concurrency = concurrency
        self._pool = ThreadPoolExecutor(concurrency, thread_name_prefix="vpbx-generated") if concurrency > 1 else None
        self._out: list[Future[Outcome]] = []
        self._addressed: set[Hashable] = set()  # the ids the cases out edit or delete
        self.failed: Outcome | None = None  # the first failure met by a case sent ahead

    @property
    def one_at_a_time(self) -> bool:
        return self._pool is None or self.failed is not None

    def send(self, send: Callable[[], Any], addressed: Hashable | None = None) -> None:
        """Send a prepared case ahead; or now, raising what its judging raises, once a failure
        has been met (what hypothesis then replays must fail where it fails). `addressed`: the
        run's id it edits or deletes, if any."""
        if self.one_at_a_time:
            self.settle()
            send()
            return
        if len(self._out) >= self._concurrency * OUT_PER_WORKER or (
                addressed is not None and addressed in self._addressed):
            self.settle()
        assert self._pool is not None
        if addressed is not None:
            self._addressed.add(addressed)
        # A copy of the loop's context: the account the run acts as goes along.
        self._out.append(self._pool.submit(contextvars.copy_context().run, send_recorded, send))

    def settle(self) -> None:
        """Wait for every case out; their steps become the run's, in the order sent."""
        out, self._out = self._out, []
        self._addressed.clear()
        for future in out:
            outcome = future.result()
            replay(self._run, outcome)
            if outcome.error is not None and self.failed is None:
                self.failed = outcome

    def close(self) -> None:
        try:
            self.settle()
        finally:
            if self._pool is not None:
                self._pool.shutdown(wait=True, cancel_futures=True)


_current: GeneratedAhead | None = None


@contextmanager
def sending_ahead(run: SuiteRun, concurrency: int) -> Iterator[GeneratedAhead]:
    """Cases of the loop inside go out through one GeneratedAhead (vpbx_suite.target_tests)."""
    global _current
    previous, _current = _current, GeneratedAhead(run, concurrency)
    try:
        yield _current
    finally:
        ahead, _current = _current, previous
        ahead.close()


def current() -> GeneratedAhead | None:
    return _current


def settle() -> None:
    """Every generated case out answered (before the source of numbers reads or frees)."""
    if _current is not None:
        _current.settle()


def send_generated(send: Callable[[], Any], addressed: Hashable | None = None) -> None:
    """A prepared case: through the loop's GeneratedAhead, or sent now outside one."""
    if _current is None:
        send()
    else:
        _current.send(send, addressed)


def rerun_one_at_a_time(run_again: Callable[[], Any], run: SuiteRun, error: BaseException,
                        failed: Outcome) -> None:
    """The test again, one case at a time, so hypothesis shrinks the failure (`error`, as met by
    `failed`); raised as it was met if it does not come back."""
    with sending_ahead(run, 1):
        run_again()
    replay(run, failed)
    raise error
