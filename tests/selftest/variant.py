"""What a variant of the self-test is: a name, the class of rule it breaks (or "conforming"),
the faults around the reference mock that make it, the mock's connectable policy, and the
decisions a broken one breaks."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from tests.selftest.faults import Fault

CONFORMING = "conforming"


@dataclass(frozen=True)
class Variant:
    name: str
    kind: str  # "conforming", or the class of rule a broken variant breaks
    make_faults: Callable[[str], list[Fault]]  # token -> fresh faults (some keep state)
    connectable: str | None = None  # the mock's MOCK_CONNECTABLE; None: the self-test's pool (server.POOL)
    # The decisions of openapi/DECISIONS.md a broken variant breaks: it counts as caught only
    # when a finding of the run names one of them (a FAIL for another reason is a miss).
    decisions: tuple[str, ...] = ()

    @property
    def must_pass(self) -> bool:
        return self.kind == CONFORMING

    @property
    def slug(self) -> str:
        return re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-")
