"""The coverage tables of the HTML reports (the contract run's and the traffic's), from the
dict ContractCoverage.as_dict() writes: a status matrix (documented against observed), every
response enum value seen or not, every nullable field seen null, non-null or both."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# What a cell says, as text (so it reads without colour) and as its CSS class.
SEEN, NOT_SEEN, UNDOCUMENTED, NEITHER = "seen", "not-seen", "undocumented", "neither"
NULLABLE_STATES = {"null_and_non_null": "null and non-null", "only_null": "only null",
                   "only_non_null": "only non-null", "never_seen": "never seen"}
ENUM_STATES = {"seen": "seen", "not_seen": "not seen", "outside_the_enum": "outside the enum"}


@dataclass(frozen=True)
class StatusCell:
    status: int
    kind: str  # SEEN, NOT_SEEN, UNDOCUMENTED or NEITHER
    count: int

    @property
    def text(self) -> str:
        return {SEEN: f"{self.count:,}", NOT_SEEN: "not seen", UNDOCUMENTED: f"{self.count:,} undocumented",
                NEITHER: ""}[self.kind]


@dataclass(frozen=True)
class Mark:
    """One enum value or nullable field and what the run saw of it."""
    name: str
    state: str   # a key of ENUM_STATES or NULLABLE_STATES
    text: str


@dataclass(frozen=True)
class OperationView:
    name: str
    responses: int
    statuses: list[StatusCell]
    enums: dict[str, list[Mark]]
    nullable: list[Mark]
    complete: bool  # every documented status, enum value and nullable way seen

    @property
    def statuses_seen(self) -> tuple[int, int]:
        """(documented statuses observed, documented statuses)."""
        documented = [cell for cell in self.statuses if cell.kind in (SEEN, NOT_SEEN)]
        return sum(cell.kind == SEEN for cell in documented), len(documented)

    @property
    def enum_values_seen(self) -> tuple[int, int]:
        allowed = [mark for marks in self.enums.values() for mark in marks if mark.state != "outside_the_enum"]
        return sum(mark.state == "seen" for mark in allowed), len(allowed)

    @property
    def nullable_both_ways(self) -> tuple[int, int]:
        return sum(mark.state == "null_and_non_null" for mark in self.nullable), len(self.nullable)


@dataclass(frozen=True)
class CoverageView:
    responses: int
    columns: list[int]  # every status documented or observed for any operation
    operations: list[OperationView]


def _status_cells(statuses: dict[str, Any], columns: list[int]) -> list[StatusCell]:
    documented, observed = set(statuses["documented"]), {int(s): n for s, n in statuses["observed"].items()}
    cells = []
    for status in columns:
        if status in observed:
            kind = SEEN if status in documented else UNDOCUMENTED
        else:
            kind = NOT_SEEN if status in documented else NEITHER
        cells.append(StatusCell(status, kind, observed.get(status, 0)))
    return cells


def _operation(name: str, data: dict[str, Any], columns: list[int]) -> OperationView:
    enums = {}
    for field, values in data["enums"].items():
        # The document's order (seen and not seen keep it), then what is outside the enum.
        order = {value: index for index, value in enumerate([*values["seen"], *values["not_seen"]])}
        marks = [Mark(value, state, ENUM_STATES[state]) for state in ENUM_STATES for value in values[state]]
        enums[field] = sorted(marks, key=lambda mark: order.get(mark.name, len(order)))
    nullable = sorted((Mark(field, state, NULLABLE_STATES[state])
                       for state in NULLABLE_STATES for field in data["nullable"][state]),
                      key=lambda mark: mark.name)
    cells = _status_cells(data["statuses"], columns)
    complete = (not data["statuses"]["documented_not_observed"]
                and not any(values["not_seen"] for values in data["enums"].values())
                and all(mark.state == "null_and_non_null" for mark in nullable))
    return OperationView(name, data["responses"], cells, enums, nullable, complete)


def coverage_view(coverage: dict[str, Any]) -> CoverageView:
    operations = coverage["operations"]
    columns = sorted({int(status) for data in operations.values()
                      for status in [*data["statuses"]["documented"], *data["statuses"]["observed"]]})
    return CoverageView(coverage["responses"], columns,
                        [_operation(name, data, columns) for name, data in operations.items()])
