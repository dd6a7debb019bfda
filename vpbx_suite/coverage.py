"""How much of the contract a server exercised during a run, per operation.

A run that only ever saw `state: activation` proves nothing about the other six states;
this summary shows a maintainer exactly that.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from vpbx_suite.contract import ContractFacts, OperationFacts

REPORT_NAME = "contract-coverage.json"


@dataclass
class OperationCoverage:
    facts: OperationFacts
    statuses: dict[int, int] = field(default_factory=dict)
    enum_values: dict[str, set[str]] = field(default_factory=dict)
    seen_null: set[str] = field(default_factory=set)
    seen_value: set[str] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def record(self, status: int, body: Any) -> None:
        with self._lock:
            self.statuses[status] = self.statuses.get(status, 0) + 1
            if not 200 <= status < 300:
                return
            items = body if self.facts.response_is_array and isinstance(body, list) else [body]
            for item in items:
                if isinstance(item, dict):
                    self._record_item(item)

    def _record_item(self, body: dict[str, Any]) -> None:
        for name in self.facts.response_enums:
            value = body.get(name)
            if isinstance(value, str):
                self.enum_values.setdefault(name, set()).add(value)
        for name in self.facts.response_nullable:
            if name in body:
                (self.seen_null if body[name] is None else self.seen_value).add(name)

    @property
    def responses(self) -> int:
        return sum(self.statuses.values())

    def as_dict(self) -> dict[str, Any]:
        documented = sorted(self.facts.documented_statuses)
        nullable = self.facts.response_nullable
        return {
            "responses": self.responses,
            "statuses": {
                "documented": documented,
                "observed": {str(status): count for status, count in sorted(self.statuses.items())},
                "documented_not_observed": [s for s in documented if s not in self.statuses],
                "undocumented_observed": sorted(set(self.statuses) - set(documented)),
            },
            "enums": {
                name: {
                    "seen": [v for v in allowed if v in self.enum_values.get(name, set())],
                    "not_seen": [v for v in allowed if v not in self.enum_values.get(name, set())],
                    "outside_the_enum": sorted(self.enum_values.get(name, set()) - set(allowed)),
                }
                for name, allowed in self.facts.response_enums.items()
            },
            "nullable": {
                "null_and_non_null": [n for n in nullable if n in self.seen_null and n in self.seen_value],
                "only_null": [n for n in nullable if n in self.seen_null and n not in self.seen_value],
                "only_non_null": [n for n in nullable if n in self.seen_value and n not in self.seen_null],
                "never_seen": [n for n in nullable if n not in self.seen_null | self.seen_value],
            },
        }

    def render(self) -> str:
        data = self.as_dict()
        statuses = data["statuses"]
        lines = [f"{self.facts.operation_id} ({self.facts.label}): {data['responses']} responses"]

        def row(label: str, values: list[Any]) -> None:
            lines.append(f"  {label:<28}{' '.join(str(v) for v in values) if values else '-'}")

        row("documented statuses", statuses["documented"])
        row("observed statuses", [f"{s}×{n}" for s, n in statuses["observed"].items()])
        row("documented, never observed", statuses["documented_not_observed"])
        if statuses["undocumented_observed"]:
            row("UNDOCUMENTED statuses", statuses["undocumented_observed"])
        for name, values in data["enums"].items():
            row(f"enum {name}: seen", values["seen"])
            row(f"enum {name}: not seen", values["not_seen"])
            if values["outside_the_enum"]:
                row(f"enum {name}: OUTSIDE the enum", values["outside_the_enum"])
        nullable = data["nullable"]
        row("nullable: null and non-null", nullable["null_and_non_null"])
        row("nullable: only null", nullable["only_null"])
        row("nullable: only non-null", nullable["only_non_null"])
        row("nullable: never seen", nullable["never_seen"])
        return "\n".join(lines)


class ContractCoverage:
    """One OperationCoverage per operation checked."""

    def __init__(self, facts: ContractFacts, operations: tuple[str, ...] | None = None) -> None:
        names = operations or tuple(facts.operations)
        self.operations = {name: OperationCoverage(facts.operations[name]) for name in names}

    def record(self, operation_id: str, status: int, body: Any) -> None:
        if operation_id in self.operations:
            self.operations[operation_id].record(status, body)

    @property
    def responses(self) -> int:
        return sum(coverage.responses for coverage in self.operations.values())

    def as_dict(self) -> dict[str, Any]:
        return {"responses": self.responses,
                "operations": {name: coverage.as_dict() for name, coverage in self.operations.items()}}

    def render(self) -> str:
        lines = [f"Contract coverage: what the server returned in {self.responses} responses"]
        lines += [coverage.render() for coverage in self.operations.values()]
        return "\n".join(lines)
