"""State shared by everything one contract run sends and checks."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from vpbx_suite.contract import ContractFacts, bundled_facts
from vpbx_suite.coverage import ContractCoverage
from vpbx_suite.domain_checks import IdRegistry
from vpbx_suite.fresh_numbers import FreshNumbers


@dataclass
class SuiteRun:
    facts: ContractFacts = field(default_factory=bundled_facts)
    fresh: FreshNumbers = field(default_factory=FreshNumbers)
    ids: IdRegistry = field(default_factory=IdRegistry)
    coverage: ContractCoverage = field(init=False)
    failures: list[dict[str, Any]] = field(default_factory=list)  # {"test": ..., "rules": [...]}
    auth_enforcement_confirmed: bool = False  # ignored_auth passed once on a success

    def __post_init__(self) -> None:
        self.coverage = ContractCoverage(self.facts)


_current: SuiteRun | None = None


def current_run() -> SuiteRun:
    """The run in progress. schemathesis calls checks as plain functions, so the state
    they share (ids seen, coverage) lives here for the length of one process's run."""
    global _current
    if _current is None:
        _current = SuiteRun()
    return _current
