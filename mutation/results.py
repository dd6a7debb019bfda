"""The session's mutants with their outcomes, read from cosmic-ray's database."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from cosmic_ray.work_db import WorkDB, use_db
from cosmic_ray.work_item import TestOutcome, WorkerOutcome, WorkItem, WorkResult

from mutation.copy import REPOSITORY
from mutation.selection import SKIPPED_ANNOTATION, SKIPPED_SIBLING
from mutation.session import NOT_RUN_BUDGET

TIMEOUT_OUTPUT = "timeout"  # what cosmic-ray's test runner records for a stopped test


@dataclass(frozen=True)
class Mutant:
    job_id: str
    module: str
    line: int
    operator: str
    occurrence: int
    original: str  # the source line the mutant changes, stripped: the stable key of a reason
    mutated: str  # the line as mutated ("(removed)" when the mutant deletes it)
    outcome: str  # killed, timeout, survived, incompetent, or "not run: ..."
    function: str | None = None  # the enclosing definition, to tell identical lines apart

    @property
    def operator_short(self) -> str:
        return self.operator.removeprefix("core/")


@cache
def source_lines(commit: str, module: str) -> list[str]:
    text = subprocess.run(["git", "show", f"{commit}:{module}"], cwd=REPOSITORY, check=True,
                          capture_output=True, text=True).stdout
    return text.splitlines()


def mutated_line(diff: str | None) -> str:
    added = [line[1:] for line in (diff or "").splitlines()
             if line.startswith("+") and not line.startswith("+++")]
    return " / ".join(line.strip() for line in added) if added else "(removed)"


def outcome(result: WorkResult | None) -> str:
    if result is None:
        return NOT_RUN_BUDGET
    if result.worker_outcome == WorkerOutcome.SKIPPED:
        return result.output or "not run"
    if result.test_outcome == TestOutcome.KILLED:
        return "timeout" if result.output == TIMEOUT_OUTPUT else "killed"
    if result.test_outcome == TestOutcome.SURVIVED:
        return "survived"
    return "incompetent"


def mutant(commit: str, item: WorkItem, result: WorkResult | None) -> Mutant:
    spec = item.mutations[0]
    module = str(spec.module_path)
    line = spec.start_pos[0]
    return Mutant(job_id=item.job_id, module=module, line=line, operator=spec.operator_name,
                  occurrence=spec.occurrence,
                  original=source_lines(commit, module)[line - 1].strip(),
                  mutated=mutated_line(result.diff if result else None),
                  outcome=outcome(result), function=spec.definition_name)


def load(database: Path, commit: str) -> list[Mutant]:
    with use_db(str(database), WorkDB.Mode.open) as work_db:
        done = [mutant(commit, item, result) for item, result in work_db.completed_work_items]
        waiting = [mutant(commit, item, None) for item in work_db.pending_work_items]
    return sorted(done + waiting, key=lambda m: (m.module, m.line, m.operator, m.occurrence))


def selection_note(kind: str) -> str:
    """The outcome recorded for a mutant the selection did not run."""
    return {"annotation": SKIPPED_ANNOTATION, "sibling": SKIPPED_SIBLING}[kind]
