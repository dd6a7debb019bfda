"""contract-run.json: one run in one file, for people and for the HTML report: the verdict and
what did not run, the settings (never the token), the findings (failures grouped by what
broke, each with its decisions and reproduction), each failure with its rule, message, request,
answer and curl, the contract coverage and the edge classes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from vpbx_suite.run import SuiteRun
from vpbx_suite.settings import Target

RUN_REPORT = "contract-run.json"


def run_summary(run: SuiteRun, target: Target, kind: str, verdict: str, cleanup: list[str],
                seconds: float) -> dict[str, Any]:
    return {
        "verdict": verdict,
        "passed": verdict.startswith("contract: PASS"),
        # The failures grouped by what broke (vpbx_suite.findings); these keys are a promise to
        # whoever reads the file: rule, decisions, operation, pointer, message, tests, reproduction.
        "findings": run.findings,
        "complete": run.completeness.complete,
        "settings": {"target": target.base_url, "kind": kind, "operations": list(target.operations),
                     "numbers": target.numbers, "max_writes": target.max_writes,
                     "max_examples": target.max_examples, "seed": target.seed},
        "seconds": round(seconds, 1),
        "responses": run.coverage.responses,
        "cleanup": cleanup,
        "completeness": run.completeness.as_dict(),
        "failures": run.failures,
        "edge_cases": dict(sorted(run.edge_cases.items())),
        "model": dict(run.model),
        "rate_limiting": run.patience.as_dict(),  # 429/503 waited out (vpbx_suite.patience)
        "coverage": run.coverage.as_dict(),
    }


def write_json(path: Path, data: object) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
