"""What a run did not check, and why: part of the verdict.

A check is one test of the run (one JUnit test case). One that did not run is counted under
its reason; so is a request a test that did run left unsent (a generated add over the write
budget). The last line of a run is `contract: PASS` only when nothing was left out; otherwise
it says `(partial: N of M checks not run: …)`, and REQUIRE_COMPLETE=1 turns a partial PASS
into a failure.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pytest
from _pytest.outcomes import Skipped

# The reasons, as the verdict and the reports name them.
WRITE_BUDGET = "write budget (MAX_WRITES)"
TOO_FEW_NUMBERS = "too few numbers"
OPERATIONS = "not in OPERATIONS"
NUMBERS_SETTING = "NUMBERS is not connectable"
PRECONDITION = "failed precondition"
NO_SECOND_ACCOUNT = "no second account (OTHER_API_TOKEN)"
NOT_APPLICABLE = "not applicable to this target"
NOT_REACHED = "not reached (FAIL_FAST, or interrupted)"
OTHER = "other"


class NotRun(Skipped):
    """pytest's skip, with the reason it counts under (`not_run` raises it)."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}", allow_module_level=False)
        self.reason = reason


def not_run(reason: str, detail: str) -> None:
    """Skip the current test, counted under `reason` (one of the constants above)."""
    raise NotRun(reason, detail)


def reason_of(message: str) -> str:
    """The reason a skip message counts under: its prefix, when it is one of ours."""
    known = (WRITE_BUDGET, TOO_FEW_NUMBERS, OPERATIONS, NUMBERS_SETTING, PRECONDITION,
             NO_SECOND_ACCOUNT, NOT_APPLICABLE, NOT_REACHED)
    return next((reason for reason in known if message.startswith(reason + ":")), OTHER)


@dataclass
class Completeness:
    checks: int = 0                                            # tests collected
    not_run: dict[str, str] = field(default_factory=dict)      # test id -> skip message
    unsent: Counter[str] = field(default_factory=Counter)      # reason -> requests not sent
    finished: set[str] = field(default_factory=set)            # tests that got to an outcome

    def skipped(self, test: str, message: str) -> None:
        self.not_run[test] = message

    def ended(self, test: str) -> None:
        self.finished.add(test)

    def not_reached(self, tests: list[str]) -> None:
        """Tests collected that never ran: the run stopped before them."""
        for test in tests:
            if test not in self.finished and test not in self.not_run:
                self.not_run[test] = f"{NOT_REACHED}: the run stopped before it"

    def left_unsent(self, reason: str, requests: int = 1) -> None:
        self.unsent[reason] += requests

    @property
    def by_reason(self) -> Counter[str]:
        return Counter(reason_of(message) for message in self.not_run.values())

    @property
    def complete(self) -> bool:
        return not self.not_run and not self.unsent

    def summary(self) -> str:
        """`N of M checks not run: reason n, …[; R requests not sent: reason r, …]`."""
        parts = []
        if self.not_run:
            reasons = ", ".join(f"{reason} {count}" for reason, count in self.by_reason.most_common())
            parts.append(f"{len(self.not_run)} of {self.checks} checks not run: {reasons}")
        if self.unsent:
            reasons = ", ".join(f"{reason} {count}" for reason, count in self.unsent.most_common())
            parts.append(f"{sum(self.unsent.values())} generated requests not sent: {reasons}")
        return "; ".join(parts)

    def as_dict(self) -> dict[str, Any]:
        return {"checks": self.checks, "ran": self.checks - len(self.not_run), "complete": self.complete,
                "not_run_by_reason": dict(self.by_reason.most_common()),
                "not_run": [{"test": test, "reason": reason_of(message), "detail": message}
                            for test, message in self.not_run.items()],
                "requests_not_sent": dict(self.unsent.most_common())}


def verdict_line(conforms: bool, completeness: Completeness, require_complete: bool) -> str:
    """The run's last line."""
    if not completeness.complete:
        partial = f"partial: {completeness.summary()}"
        if conforms and require_complete:
            return f"contract: FAIL ({partial}; REQUIRE_COMPLETE=1)"
        return f"contract: {'PASS' if conforms else 'FAIL'} ({partial})"
    return "contract: PASS" if conforms else "contract: FAIL"


__all__ = ["Completeness", "NotRun", "not_run", "pytest", "verdict_line"]
