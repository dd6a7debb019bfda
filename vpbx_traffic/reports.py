"""The traffic reports, written under reports/ (traffic-*): contract coverage, the server's
violations, the clients' problems, and all of it on one page (traffic-report.html); and the
verdict, which follows the server's part.

Exit statuses of both front-ends: 0 the server conforms (client problems printed apart), 1 it
does not (or a client broke the contract and CLIENTS=strict), 2 nothing could be judged.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from vpbx_traffic.exchange import Redactor
from vpbx_traffic.html_report import HTML_REPORT, render_traffic_report
from vpbx_traffic.validator import TrafficValidator

COVERAGE_REPORT = "traffic-coverage.json"
VIOLATIONS_REPORT = "traffic-violations.json"
CLIENT_PROBLEMS_REPORT = "traffic-client-problems.json"
EXIT_CONFORMS, EXIT_VIOLATIONS, EXIT_NOTHING_JUDGED = 0, 1, 2
LENIENT, STRICT = "lenient", "strict"


def _scrubbed(value: Any, redactor: Redactor) -> Any:
    """Every text of a structure scrubbed, keys too: before JSON or HTML escapes a character of
    a secret (a quote, an ampersand) and hides it from the redactor."""
    if isinstance(value, str):
        return redactor.scrub(value)
    if isinstance(value, dict):
        return {_scrubbed(key, redactor): _scrubbed(item, redactor) for key, item in value.items()}
    if isinstance(value, list):
        return [_scrubbed(item, redactor) for item in value]
    return value


def _write(path: Path, data: dict[str, Any], validator: TrafficValidator) -> None:
    # Scrubbed field by field (before JSON escapes a quote or a backslash of a secret), then as
    # a whole: no secret reaches disk, whichever field might have quoted it.
    text = json.dumps(_scrubbed(data, validator.redactor), ensure_ascii=False, indent=2)
    path.write_text(validator.redactor.scrub(text) + "\n", encoding="utf-8")


def write_reports(validator: TrafficValidator, report_dir: str | Path, source: str,
                  clients: str = LENIENT) -> list[Path]:
    directory = Path(report_dir)
    directory.mkdir(parents=True, exist_ok=True)
    summary = {"source": source, **validator.summary()}
    coverage = validator.run.coverage.as_dict()
    violations = [asdict(v) for v in validator.violations]
    client_problems = [asdict(v) for v in validator.client_problems]
    paths = [directory / COVERAGE_REPORT, directory / VIOLATIONS_REPORT, directory / CLIENT_PROBLEMS_REPORT,
             directory / HTML_REPORT]
    _write(paths[0], {**summary, "coverage": coverage}, validator)
    _write(paths[1], {**summary, "items": violations}, validator)
    _write(paths[2], {**summary, "items": client_problems}, validator)
    page = _scrubbed({**summary, "verdict": verdict(validator, clients), "clients": clients, "coverage": coverage,
                      "violations": violations, "client_problems": client_problems}, validator.redactor)
    paths[3].write_text(validator.redactor.scrub(render_traffic_report(page)), encoding="utf-8")
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
