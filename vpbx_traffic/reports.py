"""The traffic reports, written under reports/ (traffic-*): contract coverage, the server's
violations, the clients' problems; and the verdict, which follows the server's part.

Exit statuses of both front-ends: 0 the server conforms (client problems printed apart), 1 it
does not (or a client broke the contract and CLIENTS=strict), 2 nothing could be judged.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from vpbx_traffic.validator import TrafficValidator

COVERAGE_REPORT = "traffic-coverage.json"
VIOLATIONS_REPORT = "traffic-violations.json"
CLIENT_PROBLEMS_REPORT = "traffic-client-problems.json"
EXIT_CONFORMS, EXIT_VIOLATIONS, EXIT_NOTHING_JUDGED = 0, 1, 2
LENIENT, STRICT = "lenient", "strict"


def _write(path: Path, data: dict[str, Any], validator: TrafficValidator) -> None:
    # Scrubbed as a whole: no secret reaches disk, whichever field might have quoted it.
    text = validator.redactor.scrub(json.dumps(data, ensure_ascii=False, indent=2))
    path.write_text(text + "\n", encoding="utf-8")


def write_reports(validator: TrafficValidator, report_dir: str | Path, source: str) -> list[Path]:
    directory = Path(report_dir)
    directory.mkdir(parents=True, exist_ok=True)
    summary = {"source": source, **validator.summary()}
    paths = [directory / COVERAGE_REPORT, directory / VIOLATIONS_REPORT, directory / CLIENT_PROBLEMS_REPORT]
    _write(paths[0], {**summary, "coverage": validator.run.coverage.as_dict()}, validator)
    _write(paths[1], {**summary, "items": [asdict(v) for v in validator.violations]}, validator)
    _write(paths[2], {**summary, "items": [asdict(v) for v in validator.client_problems]}, validator)
    return paths


def exit_status(validator: TrafficValidator, clients: str = LENIENT) -> int:
    if validator.nothing_judged() is not None:
        return EXIT_NOTHING_JUDGED
    if validator.violations or (clients == STRICT and validator.client_problems):
        return EXIT_VIOLATIONS
    return EXIT_CONFORMS


def verdict(validator: TrafficValidator, clients: str = LENIENT) -> str:
    """The last line: the server's verdict, with the clients' part beside it."""
    why = validator.nothing_judged()
    if why is not None:
        return f"traffic: NOTHING JUDGED ({why})"
    server, client = len(validator.violations), len(validator.client_problems)
    clients_part = (f"; {client} client problems, the requests' fault, not the server's"
                    + ("" if clients == STRICT else ": CLIENTS=strict makes them fail") if client else "")
    if exit_status(validator, clients) == EXIT_CONFORMS:
        return f"traffic: PASS (the server conforms: 0 violations{clients_part})"
    return f"traffic: FAIL ({server} violations of the server's{clients_part}{', CLIENTS=strict' if clients == STRICT and client else ''})"


def render_summary(validator: TrafficValidator, clients: str = LENIENT) -> str:
    tally = validator.tally
    return "\n".join([
        validator.redactor.scrub(validator.run.coverage.render()),
        f"exchanges: {tally.entries}; judged {tally.checked} ({tally.conforming} conforming, "
        f"{tally.violating} with a violation of the server's, {tally.client_problems} with a request that "
        f"broke the contract); ignored {tally.other_host} for another host or prefix, {tally.other_path} "
        f"for no operation of the document; not judged: {tally.too_large} over the body cap, "
        f"{tally.body_not_recorded} without a recorded body",
        verdict(validator, clients),
    ])
