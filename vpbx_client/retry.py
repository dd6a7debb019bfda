"""When to retry and how long to wait: exponential backoff with full jitter, Retry-After,
and one deadline for the whole call.

Full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"): the n-th retry waits a
uniform random time between 0 and min(cap, base * 2**n), so clients that failed together do
not come back together. A Retry-After from the server is a floor under that wait. No wait
starts that would end past the call's deadline: the call gives up at once instead.
"""

from __future__ import annotations

import email.utils
import math
from collections.abc import Callable
from dataclasses import dataclass, field

# Statuses that mean "not now" rather than "no": retried on reads, edits and deletes.
# 500 is left out: it says the server failed on this request, and it will most likely fail
# again (the add treats it as ambiguous all the same: vpbx_client.calls).
RETRY_STATUSES = frozenset({429, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    deadline: float = 30.0    # seconds for a whole call: every attempt and every wait
    base: float = 0.2         # seconds; the first retry waits up to this
    cap: float = 5.0          # seconds; no single wait's upper bound exceeds this
    max_retries: int = 8      # retries after the first attempt; 0 disables retries
    retry_statuses: frozenset[int] = field(default=RETRY_STATUSES)

    def __post_init__(self) -> None:
        if not (self.deadline > 0 and self.base >= 0 and self.cap >= 0 and self.max_retries >= 0):
            raise ValueError("RetryPolicy: deadline must be positive; base, cap and max_retries"
                             " not negative")

    def backoff(self, retry: int, draw: float) -> float:
        """The wait before retry number `retry` (0 for the first), `draw` uniform in [0, 1)."""
        ceiling = self.cap if retry >= 64 else min(self.cap, self.base * 2**retry)
        return draw * ceiling


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a Retry-After value: delta-seconds or an HTTP-date (RFC 9110,
    10.2.3); `now` is the wall clock (time.time()). None when absent or unreadable."""
    if value is None:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # "-0000": RFC 5322's unknown zone; HTTP-dates are GMT anyway
        return None
    seconds = when.timestamp() - now
    return max(0.0, seconds) if math.isfinite(seconds) else None


class Budget:
    """The retry state of one call: its deadline, the requests sent, the retries spent."""

    def __init__(self, policy: RetryPolicy, clock: Callable[[], float],
                 jitter: Callable[[], float]) -> None:
        self.policy = policy
        self.clock = clock
        self.jitter = jitter
        self.started = clock()
        self.deadline = self.started + policy.deadline
        self.sent = 0
        self.retries = 0

    def time_left(self) -> float:
        return self.deadline - self.clock()

    def next_wait(self, retry_after: float | None) -> float | None:
        """How long to wait before retrying, or None: give up (retries spent, or the wait
        would end at or past the deadline)."""
        if self.retries >= self.policy.max_retries:
            return None
        wait = self.policy.backoff(self.retries, self.jitter())
        if retry_after is not None:
            wait = max(wait, retry_after)
        if self.clock() + wait >= self.deadline:
            return None
        self.retries += 1
        return wait
