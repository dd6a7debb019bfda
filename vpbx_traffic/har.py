"""Validate the exchanges of a HAR 1.2 file against the contract.

    python -m vpbx_traffic.har FILE.har [--base-url https://simple-api.cp.megafon.ru] [--report-dir reports]
        [--clients lenient|strict]

Exit status: 0 the server's answers conform (requests that broke the contract are the clients'
problems, printed and written apart), 1 an answer does not (or, with --clients strict, a
request does not), 2 the file cannot be read or nothing in it could be judged.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

from vpbx_suite.run import current_run, start_run
from vpbx_spec.document import bundled_document
from vpbx_traffic.har_file import HarError, read_har
from vpbx_traffic.reports import LENIENT, STRICT, exit_status, render_summary, write_reports
from vpbx_traffic.routes import Target
from vpbx_traffic.validator import TrafficValidator

EXIT_UNREADABLE = 2


def default_base_url() -> str:
    """The document's first server: production."""
    return str(bundled_document()["servers"][0]["url"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m vpbx_traffic.har", description=__doc__.split("\n\n")[0])
    parser.add_argument("har", help="the HAR file")
    parser.add_argument("--base-url", default=os.environ.get("BASE_URL") or default_base_url(),
                        help="the server whose exchanges are judged (origin and path prefix); "
                             "default: the document's server")
    parser.add_argument("--report-dir", default=os.environ.get("REPORT_DIR") or "reports")
    parser.add_argument("--clients", choices=(LENIENT, STRICT), default=os.environ.get("CLIENTS") or LENIENT,
                        help="strict: a request that breaks the contract fails the verdict too")
    args = parser.parse_args(argv)
    return validate(args.har, args.base_url, args.report_dir, args.clients)


def validate(har: str, base_url: str, report_dir: str, clients: str = LENIENT) -> int:
    """Judge the exchanges of one HAR file; the exit status."""
    try:
        exchanges = read_har(har)
    except HarError as error:
        print(f"validate-traffic: {error}", file=sys.stderr)
        return EXIT_UNREADABLE
    started = time.perf_counter()
    previous = current_run()
    try:
        validator = TrafficValidator(Target(base_url))
        for exchange in exchanges:
            for violation in validator.check(exchange):
                print(violation.line(), flush=True)
    finally:
        start_run(previous)  # called in-process (tests), the caller's run is left as it was
    seconds = time.perf_counter() - started
    print(f"judged {len(exchanges)} entries in {seconds:.2f} s")
    for path in write_reports(validator, report_dir, source=har, clients=clients):
        print(f"report: {path}")
    nothing = validator.nothing_judged()
    if nothing is not None:
        print(f"validate-traffic: nothing judged: {nothing}", file=sys.stderr)
    print(render_summary(validator, clients))  # its last line is the verdict
    return exit_status(validator, clients)


if __name__ == "__main__":
    sys.exit(main())
