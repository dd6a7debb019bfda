"""Validate the exchanges of a HAR 1.2 file against the contract.

    python -m vpbx_traffic.har FILE.har [--base-url https://simple-api.cp.megafon.ru] [--report-dir reports]

Exit status: 0 every judged exchange conforms, 1 at least one does not, 2 the file cannot be read.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

from vpbx_suite.run import current_run, start_run
from vpbx_spec.document import bundled_document
from vpbx_traffic.har_file import HarError, read_har
from vpbx_traffic.reports import render_summary, write_reports
from vpbx_traffic.routes import Target
from vpbx_traffic.validator import TrafficValidator

EXIT_CONFORMS, EXIT_VIOLATIONS, EXIT_UNREADABLE = 0, 1, 2


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
    args = parser.parse_args(argv)
    return validate(args.har, args.base_url, args.report_dir)


def validate(har: str, base_url: str, report_dir: str) -> int:
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
    print(render_summary(validator))
    if exchanges and not validator.tally.checked:
        # Most often the recording is of another server than the one judged.
        print(f"validate-traffic: no exchange of the file belongs to {base_url}; "
              "set BASE_URL (--base-url) to the server it recorded", file=sys.stderr)
    print(f"judged {len(exchanges)} entries in {seconds:.2f} s")
    for path in write_reports(validator, report_dir, source=har):
        print(f"report: {path}")
    return EXIT_VIOLATIONS if validator.violations else EXIT_CONFORMS


if __name__ == "__main__":
    sys.exit(main())
