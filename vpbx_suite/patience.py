"""Patience with a loaded server: 429 and 503 answers are waited out and the request sent again.

Any server may answer 429 Too Many Requests (RFC 6585 §4) or 503 Service Unavailable (RFC 9110
§15.6.4), with or without Retry-After; both refuse a request before processing it. So the
suite waits (Retry-After, capped; without it a doubling wait) and sends the request again,
within a bound per request (TRIES) and per run (RUN_WAIT_BUDGET). The judges only ever see the
answer after the wait. Only a 429/503 that persists past the bound fails its test
(PersistentRateLimiting), and the run report counts every one waited out.

An add is not idempotent: before it is sent again, the caller looks the number up (the
listing, as vpbx_client does after an ambiguous add) and does not resend when it is stored.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from vpbx_client.retry import parse_retry_after

RATE_LIMIT_STATUSES = frozenset({429, 503})
TRIES = 5                # per request: the first and four more
RETRY_AFTER_CAP = 10.0   # seconds: a longer Retry-After is waited this long, then tried again
FIRST_WAIT = 0.5         # seconds before the first retry without Retry-After; doubled each time
RUN_WAIT_BUDGET = 300.0  # seconds of waiting over a whole run

R = TypeVar("R")


class PersistentRateLimiting(RuntimeError):
    """A 429/503 that lasted past the suite's patience: the request was never answered."""


class StoredDespiteRefusal(AssertionError):
    """An add answered 429/503 that stored the number all the same."""


@dataclass
class Patience:
    """The bounds, and what the run waited out (shared by every thread of the run)."""

    tries: int = TRIES
    retry_after_cap: float = RETRY_AFTER_CAP
    first_wait: float = FIRST_WAIT
    run_budget: float = RUN_WAIT_BUDGET
    sleep: Callable[[float], None] = time.sleep
    wall_clock: Callable[[], float] = time.time
    waited_out: Counter[int] = field(default_factory=Counter)  # status -> answers waited out
    waited: float = 0.0        # seconds
    persistent: int = 0        # requests that stayed refused past the bound
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def bounds(self) -> str:
        return (f"{self.tries} tries per request, Retry-After capped at {self.retry_after_cap:g} s, "
                f"{self.run_budget:g} s of waiting per run")

    def _wait(self, retry: int, retry_after: str | None) -> float:
        asked = parse_retry_after(retry_after, self.wall_clock())
        wait = self.first_wait * 2 ** retry if asked is None else asked
        return min(wait, self.retry_after_cap)

    def _reserve(self, wait: float) -> bool:
        """Take `wait` seconds from the run's budget, or False when it has not that much left."""
        with self._lock:
            if self.waited + wait > self.run_budget:
                return False
            self.waited += wait
            return True

    def _count(self, status: int) -> None:
        with self._lock:
            self.waited_out[status] += 1

    def send(self, label: str, send: Callable[[], R], status: Callable[[R], int],
             retry_after: Callable[[R], str | None],
             before_resend: Callable[[R], None] | None = None) -> R:
        """`send()` until its answer is not 429/503. `before_resend(answer)` runs before each
        resend and raises to stop it (an add that is stored)."""
        answer = send()
        spent = 0.0
        for retry in range(self.tries - 1):
            if status(answer) not in RATE_LIMIT_STATUSES:
                return answer
            wait = self._wait(retry, retry_after(answer))
            if not self._reserve(wait):
                self._give_up(label, status(answer), retry + 1, spent, "the run's wait budget is spent")
            self._count(status(answer))
            self.sleep(wait)
            spent += wait
            if before_resend is not None:
                before_resend(answer)
            answer = send()
        if status(answer) in RATE_LIMIT_STATUSES:
            self._give_up(label, status(answer), self.tries, spent, "every try was refused")
        return answer

    def _give_up(self, label: str, code: int, tries: int, spent: float, why: str) -> None:
        with self._lock:
            self.persistent += 1
        raise PersistentRateLimiting(
            f"{label}: persistent rate limiting: the server answered {code} to {tries} tries in a row "
            f"over {spent:.1f} s of waiting ({why}; the suite's patience: {self.bounds()}); "
            "the request was never answered, so nothing of it could be checked")

    def as_dict(self) -> dict[str, Any]:
        with self._lock:
            return {"waited_out": {str(code): count for code, count in sorted(self.waited_out.items())},
                    "seconds_waited": round(self.waited, 1), "persistent": self.persistent,
                    "bounds": self.bounds()}

    def summary(self) -> str | None:
        """One line for the terminal, or None when the server never rate limited."""
        if not self.waited_out and not self.persistent:
            return None
        answers = ", ".join(f"{count} x {code}" for code, count in sorted(self.waited_out.items())) or "none"
        return (f"rate limiting by the server: {answers} waited out ({self.waited:.1f} s waited); "
                f"{self.persistent} request(s) refused past the bound ({self.bounds()})")


def header(headers: Any, name: str) -> str | None:
    """A header of an httpx/requests answer, or of schemathesis's (lowercase keys, list values)."""
    value = headers.get(name) if hasattr(headers, "get") else None
    if value is None and isinstance(headers, dict):
        value = headers.get(name.lower())
    if isinstance(value, list):
        return value[0] if value else None
    return value
