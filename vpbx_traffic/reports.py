"""The traffic reports: contract coverage and violations, written under reports/ (traffic-*)."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from vpbx_traffic.validator import TrafficValidator

COVERAGE_REPORT = "traffic-coverage.json"
VIOLATIONS_REPORT = "traffic-violations.json"


def _write(path: Path, data: dict[str, Any], validator: TrafficValidator) -> None:
    # Scrubbed as a whole: no secret reaches disk, whichever field might have quoted it.
    text = validator.redactor.scrub(json.dumps(data, ensure_ascii=False, indent=2))
    path.write_text(text + "\n", encoding="utf-8")


def write_reports(validator: TrafficValidator, report_dir: str | Path, source: str) -> list[Path]:
    directory = Path(report_dir)
    directory.mkdir(parents=True, exist_ok=True)
    summary = {"source": source, **validator.summary()}
    coverage_path, violations_path = directory / COVERAGE_REPORT, directory / VIOLATIONS_REPORT
    _write(coverage_path, {**summary, "coverage": validator.run.coverage.as_dict()}, validator)
    _write(violations_path, {**summary, "items": [asdict(v) for v in validator.violations]}, validator)
    return [coverage_path, violations_path]


def render_summary(validator: TrafficValidator) -> str:
    tally = validator.tally
    verdict = "PASS" if not validator.violations else "FAIL"
    return "\n".join([
        validator.redactor.scrub(validator.run.coverage.render()),
        f"exchanges: {tally.entries}; judged {tally.checked} ({tally.conforming} conforming, "
        f"{tally.violating} violating); ignored {tally.other_host} for another host or prefix, "
        f"{tally.other_path} for no operation of the document; not judged: {tally.too_large} over "
        f"the body cap, {tally.body_not_recorded} without a recorded body",
        f"traffic: {verdict} ({len(validator.violations)} violations)",
    ])
