"""State shared by everything one contract run sends and checks, and the one place where
every answer (generated, stateful or crafted) is recorded.

A run may act on two accounts of the server (OTHER_API_TOKEN): each has its own ledger (what
the run added there) and its own id registry (ids may be per account, D36). Which one a
request belongs to is the account it is sent as (`acting_as`); the main one by default.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from vpbx_numbering import SpreadCityNumbers
from vpbx_suite.completeness import Completeness
from vpbx_suite.contract import ContractFacts, OperationFacts, bundled_facts
from vpbx_suite.coverage import ContractCoverage
from vpbx_suite.domain_checks import IdRegistry
from vpbx_suite.fresh_numbers import FreshNumbers, NumberSource
from vpbx_suite.ledger import Ledger, WriteBudget, id_in_path
from vpbx_suite.patience import Patience


STEPS_KEPT = 40  # a generated test sends hundreds; a reproduction needs its last few
MAIN, OTHER = "main", "other"  # the account of API_TOKEN, and the one of OTHER_API_TOKEN
_account: ContextVar[str] = ContextVar("vpbx_suite_account", default=MAIN)


# Set in requests sent ahead of their test (vpbx_suite.ahead): the steps they record (curl and
# exchange) are their own, kept for their test, and never mixed with those of the test running
# meanwhile.
_sent_ahead: ContextVar[dict[str, Any] | None] = ContextVar("vpbx_suite_sent_ahead", default=None)


@contextmanager
def recorded_apart() -> Iterator[dict[str, Any]]:
    """The steps recorded inside, apart from the run's: {"steps": [{"curl", "exchange"}, ...]}."""
    own: dict[str, Any] = {"steps": []}
    reset = _sent_ahead.set(own)
    try:
        yield own
    finally:
        _sent_ahead.reset(reset)


@contextmanager
def acting_as(account: str) -> Iterator[None]:
    """Requests sent and answers judged inside are the `account`'s."""
    reset = _account.set(account)
    try:
        yield
    finally:
        _account.reset(reset)


@dataclass
class SuiteRun:
    facts: ContractFacts = field(default_factory=bundled_facts)
    operations: tuple[str, ...] = ()
    fresh: NumberSource = field(default_factory=FreshNumbers)
    ledgers: dict[str, Ledger] = field(default_factory=lambda: {MAIN: Ledger()})
    registries: dict[str, IdRegistry] = field(default_factory=lambda: {MAIN: IdRegistry()})
    budget: WriteBudget = field(default_factory=lambda: WriteBudget(None))
    dgn: SpreadCityNumbers = field(default_factory=SpreadCityNumbers)  # city numbers, a new region each
    completeness: Completeness = field(default_factory=Completeness)
    collected: list[str] = field(default_factory=list)  # the run's tests, in the order they run
    listing_problems: list[str] = field(default_factory=list)  # the listing at the run's fullest
    listing_checked_at: int = 0  # the most numbers the run held when the listing was checked
    coverage: ContractCoverage = field(init=False)
    failures: list[dict[str, Any]] = field(default_factory=list)  # {"test", "rules", "curl"}
    findings: list[dict[str, Any]] = field(default_factory=list)  # the failures grouped (vpbx_suite.findings)
    edge_cases: dict[str, int] = field(default_factory=dict)      # class -> cases sent
    # The model phase: sequences, steps and requests compared with the model, and the answers it
    # could not decide (vpbx_suite.model_sequences).
    model: dict[str, int] = field(default_factory=lambda: dict.fromkeys(
        ("sequences", "steps", "requests", "undecided", "groups at once", "non-interference"), 0))
    patience: Patience = field(default_factory=Patience)  # 429/503 waited out (vpbx_suite.patience)
    auth_enforcement_confirmed: bool = False  # ignored_auth passed once on a success
    # Every request the current test sent (curl and exchange, the last STEPS_KEPT): a finding's
    # reproduction is taken from them (vpbx_suite.findings). Set through last_request/last_exchange;
    # a request sent ahead keeps its own until its test takes it (vpbx_suite.ahead).
    steps: list[dict[str, Any]] = field(default_factory=list)
    added_steps: dict[int, dict[str, Any]] = field(default_factory=dict)  # id -> the add that answered it
    _last_request: str | None = field(default=None, repr=False)
    _last_exchange: dict[str, Any] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.operations = self.operations or tuple(self.facts.operations)
        self.coverage = ContractCoverage(self.facts, self.operations)

    @property
    def last_request(self) -> str | None:
        """curl for the request sent last (reported with a failure); setting it records a step."""
        return self._last_request

    @last_request.setter
    def last_request(self, curl: str | None) -> None:
        if (own := _sent_ahead.get()) is not None:
            if curl is not None:
                own["steps"].append({"curl": curl, "exchange": None})
            return
        self._last_request = curl
        if curl is not None:
            self.steps.append({"curl": curl, "exchange": None})
            del self.steps[:-STEPS_KEPT]

    @property
    def last_exchange(self) -> dict[str, Any] | None:
        """That request and its answer (vpbx_suite.exchanges)."""
        return self._last_exchange

    @last_exchange.setter
    def last_exchange(self, exchange: dict[str, Any] | None) -> None:
        if (own := _sent_ahead.get()) is not None:
            if exchange is not None and own["steps"]:
                own["steps"][-1]["exchange"] = exchange
            return
        self._last_exchange = exchange
        if exchange is not None and self.steps:
            self.steps[-1]["exchange"] = exchange
            from vpbx_suite.findings import answered_id
            record_id = answered_id(self.steps[-1])
            if record_id is not None:
                self.added_steps[record_id] = self.steps[-1]

    @property
    def ledger(self) -> Ledger:
        """What the run added on the account it is acting as."""
        return self.ledgers.setdefault(_account.get(), Ledger())

    @property
    def ids(self) -> IdRegistry:
        """Which id the server gave to which number, on the account the run is acting as."""
        return self.registries.setdefault(_account.get(), IdRegistry())

    def held_numbers(self) -> set[str]:
        """The numbers the run holds now, on any of its accounts."""
        return set().union(*(ledger.held_numbers() for ledger in self.ledgers.values()))

    def checks(self, operation_id: str | None) -> bool:
        return operation_id is not None and operation_id in self.operations

    def observe(self, operation: OperationFacts, path_parameters: dict[str, Any] | None,
                status: int, received: Any) -> None:
        """Record one answer: coverage, and which numbers the run now holds."""
        self.coverage.record(operation.operation_id, status, received)
        if not 200 <= status < 300:
            return
        lifecycle = self.facts.lifecycle
        record_id = id_in_path((path_parameters or {}).get("id"))
        if operation.operation_id == lifecycle.add and isinstance(received, dict):
            self.ledger.added(received)
        elif operation.operation_id == lifecycle.edit and record_id is not None and isinstance(received, dict):
            self.ledger.updated(record_id, {k: v for k, v in received.items() if k in operation.response_fields})
        elif operation.operation_id == lifecycle.read and record_id is not None and isinstance(received, dict):
            self.ledger.updated(record_id, received)  # the last read is what the listing must show
        elif operation.operation_id == lifecycle.delete and record_id is not None:
            self.ledger.removed(record_id)

    def count_edge(self, edge_class: str, cases: int = 1) -> None:
        self.edge_cases[edge_class] = self.edge_cases.get(edge_class, 0) + cases


_current: SuiteRun | None = None


def current_run() -> SuiteRun:
    """The run in progress. schemathesis calls checks as plain functions, so the state
    they share (ids seen, coverage, the ledger) lives here for the length of one run."""
    global _current
    if _current is None:
        _current = SuiteRun()
    return _current


def start_run(run: SuiteRun) -> SuiteRun:
    global _current
    _current = run
    return run
