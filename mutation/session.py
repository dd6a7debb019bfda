"""One cosmic-ray session: init, selection, exec through the workers, within a time budget.

The session database lives in `.mutation/` of the working tree (ignored by git) so that the
report can be rebuilt and survivors re-run after a suite change without a full run.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from cosmic_ray.work_db import WorkDB, use_db

from mutation.workers import COSMIC_RAY

STATE = Path(__file__).resolve().parent.parent / ".mutation"
DATABASE = STATE / "session.sqlite"
SUMMARY = STATE / "session.json"
NOT_RUN_BUDGET = "not run: time budget exhausted"


@dataclass
class SessionInfo:
    """What the report says about how the results were produced."""

    commit: str
    modules: list[str]
    workers: int
    selection: dict[str, int]
    baseline_seconds: float
    runs: list[dict[str, object]] = field(default_factory=list)

    def save(self) -> None:
        SUMMARY.write_text(json.dumps(asdict(self), indent=2), encoding="utf-8")

    @classmethod
    def load(cls) -> SessionInfo:
        return cls(**json.loads(SUMMARY.read_text(encoding="utf-8")))


def init(config: Path, cwd: Path) -> None:
    DATABASE.unlink(missing_ok=True)
    subprocess.run([*COSMIC_RAY, "init", str(config), str(DATABASE)], cwd=cwd, check=True)


def reopen_survivors() -> list[str]:
    """Forget the results of survivors so that the next exec runs them again; their job ids."""
    with sqlite3.connect(DATABASE) as connection:
        jobs = [row[0] for row in connection.execute(
            "SELECT job_id FROM work_results WHERE test_outcome = 'SURVIVED'")]
        connection.execute("DELETE FROM work_results WHERE test_outcome = 'SURVIVED'")
    return jobs


def pending() -> int:
    with use_db(str(DATABASE), WorkDB.Mode.open) as work_db:
        return sum(1 for _ in work_db.pending_work_items)


def execute(config: Path, cwd: Path, budget_seconds: float, log: Path) -> tuple[float, bool]:
    """Run the pending mutants; stop at the budget. Returns (seconds, finished)."""
    started = time.monotonic()
    with log.open("ab") as output:
        process = subprocess.Popen([*COSMIC_RAY, "exec", str(config), str(DATABASE)], cwd=cwd,
                                   stdout=output, stderr=subprocess.STDOUT)
        try:
            process.wait(timeout=budget_seconds)
            finished = True
        except subprocess.TimeoutExpired:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            finished = False
    return time.monotonic() - started, finished
