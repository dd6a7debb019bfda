"""`make mutation`: the whole run, or `rerun` (survivors only) or `report` (rebuild RESULTS.md).

    python -m mutation            full session on the committed HEAD
    python -m mutation rerun      the survivors of the last session again, on HEAD's suite
    python -m mutation report     RESULTS.md from the last session and survivors.yaml

Settings (environment): MUTATION_WORKERS (2), MUTATION_BUDGET seconds for exec (2700),
MUTATION_REF (HEAD). Exit status: 0 when every survivor has a reason, 1 when one has none
(or the budget left mutants unrun), 2 when the run could not start.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

from cosmic_ray.work_db import WorkDB, use_db

from mutation import checks, config, copy, report, selection, session, workers as http


def run(rerun: bool) -> int:
    worker_count = int(os.environ.get("MUTATION_WORKERS", "2"))
    budget = float(os.environ.get("MUTATION_BUDGET", "2700"))
    commit = copy.revision(os.environ.get("MUTATION_REF", "HEAD"))
    session.STATE.mkdir(exist_ok=True)
    mock_from = None
    if rerun:
        info = session.SessionInfo.load()
        # The session's mutants are positions in the mock of its commit, so that mock is used
        # whatever HEAD's mock is now; only the suite is HEAD's.
        mock_from = (config.MOCK_PACKAGE, info.commit)
    with copy.copies(commit, worker_count, mock_from) as copies:
        print(f"mutation: {worker_count} copies of {commit[:10]} under {copies[0].parent}", flush=True)
        baseline = checks.baseline(copies[0], config.TEST_TIMEOUT_SECONDS)
        print(f"mutation: baseline passes in {baseline:.1f} s", flush=True)
        for each in copies:
            checks.canary(each, config.TEST_TIMEOUT_SECONDS)
        print("mutation: canary: a mock broken in each copy fails the suite", flush=True)
        modules = config.behaviour_modules(copies[0])
        log = session.STATE / "exec.log"
        with http.http_workers(copies, session.STATE) as urls:
            cosmic_config = copies[0] / "cosmic-ray.toml"
            config.write_config(cosmic_config, modules, urls)
            if rerun:
                reopened = session.reopen_survivors()
                info.runs.append({"kind": "re-run of the survivors with the suite", "commit": commit,
                                  "mutants": len(reopened), "job_ids": reopened})
            else:
                session.init(cosmic_config, copies[0])
                with use_db(str(session.DATABASE), WorkDB.Mode.open) as work_db:
                    counts = selection.select(work_db, copies[0])
                info = session.SessionInfo(commit=commit, modules=modules, workers=worker_count,
                                           selection=counts, baseline_seconds=round(baseline, 1))
                info.runs.append({"kind": "full", "commit": commit, "mutants": counts["run"]})
            info.save()  # the report can be rebuilt from a stopped run too
            print(f"mutation: {session.pending()} mutants to run, {worker_count} workers, "
                  f"budget {budget:.0f} s; progress in {log}", flush=True)
            seconds, finished = session.execute(cosmic_config, copies[0], budget, log)
        info.runs[-1].update({"seconds": round(seconds), "finished": finished,
                              "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())})
        info.save()
    print(f"mutation: exec {'finished' if finished else 'stopped by the budget'} in {seconds:.0f} s",
          flush=True)
    return report.write()


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "run"
    if command == "report":
        return report.write()
    if command in ("run", "rerun"):
        try:
            return run(rerun=command == "rerun")
        except (RuntimeError, subprocess.CalledProcessError, FileNotFoundError) as error:
            print(f"mutation: {error}", file=sys.stderr)
            return 2
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
