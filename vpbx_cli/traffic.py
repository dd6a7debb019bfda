"""`vpbx validate-traffic` and `vpbx proxy`: judge traffic that is already there, sending
nothing of their own (`make validate-traffic`, `make proxy`)."""

from __future__ import annotations

from typing import Any

import click

from vpbx_cli.settings import environment, setting


@click.command("validate-traffic",
               epilog="Exit status: 0 every judged exchange conforms, 1 one does not, 2 the file "
                      "cannot be read.")
@click.argument("har", envvar="HAR", metavar="HAR_FILE")
@setting("BASE_URL", "--base-url", help="The server whose exchanges are judged (origin and path prefix).",
         default="the document's server", metavar="URL")
@setting("REPORT_DIR", "--report-dir", help="Where the reports go.", default="reports", metavar="DIR")
def validate_traffic(har: str, base_url: str | None, report_dir: str | None) -> None:
    """Judge the exchanges of a recorded HAR file (HAR_FILE, or $HAR) against the contract."""
    from vpbx_traffic.har import default_base_url, validate

    raise SystemExit(validate(har, base_url or default_base_url(), report_dir or "reports"))


@click.command(epilog="Stops on Ctrl-C and writes the reports. Exit status 2: a bad setting.")
@setting("UPSTREAM", "--upstream", help="The server to forward to (origin and optional path prefix); "
         "required.", metavar="URL")
@setting("HOST", "--host", help="Address to listen on.", default="127.0.0.1")
@setting("PORT", "--port", help="Port to listen on.", default="8081")
@setting("REPORT_DIR", "--report-dir", help="Where the reports go.", default="reports", metavar="DIR")
@setting("TRAFFIC_BODY_CAP", "--body-cap", help="Bytes of a body kept for validation; larger exchanges "
         "are forwarded, not judged.", default="4194304 (4 MiB)", metavar="BYTES")
def proxy(**options: Any) -> None:
    """A reverse proxy that forwards traffic unchanged and judges every exchange."""
    from vpbx_traffic.proxy import main

    raise SystemExit(main(environment(options)))
