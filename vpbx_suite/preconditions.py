"""Something many tests need, established once: when it fails, the first test that needs it
fails with the reason and its reproduction, and every other test that needs it is counted as
not run (failed precondition), instead of each erroring with the same message."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from vpbx_suite.completeness import PRECONDITION, not_run
from vpbx_suite.run import SuiteRun

T = TypeVar("T")


class Precondition(Generic[T]):
    def __init__(self, name: str, run: SuiteRun, attempt: Callable[[], T]) -> None:
        self.name = name
        self._run = run
        self._value: T | None = None
        self._error: BaseException | None = None
        self._curl: str | None = None
        self._exchange: dict[str, Any] | None = None
        self._reported = False
        try:
            self._value = attempt()
        except Exception as error:  # a failed assertion or check of the contract
            self._error, self._curl, self._exchange = error, run.last_request, run.last_exchange

    def get(self) -> T:
        if self._error is None:
            return self._value  # type: ignore[return-value]
        if not self._reported:
            self._reported = True
            # the request that broke it, for the report
            self._run.last_request, self._run.last_exchange = self._curl, self._exchange
            raise self._error
        not_run(PRECONDITION, f"{self.name} failed (reported once, by the first test that needed it)")
        raise AssertionError("unreachable")

    @property
    def failed(self) -> bool:
        return self._error is not None

    def release(self, action: Callable[[T], Any]) -> None:
        """At the end: undo what it set up, if it was set up."""
        if self._error is None and self._value is not None:
            action(self._value)
