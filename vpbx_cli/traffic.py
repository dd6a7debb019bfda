"""`vpbx validate-traffic` and `vpbx proxy`: judge traffic that is already there, sending
nothing of their own (`make validate-traffic`, `make proxy`)."""

from __future__ import annotations

from typing import Any

import click

from vpbx_cli.settings import environment, setting


@click.command("validate-traffic",
               epilog="Exit status: 0 the server's answers conform (client problems are printed apart), "
                      "1 an answer does not (or a request, with --clients strict), 2 the file cannot be "
                      "read or nothing in it could be judged.")
@click.argument("har", envvar="HAR", metavar="HAR_FILE")
@setting("BASE_URL", "--base-url", help="The server whose exchanges are judged (origin and path prefix).",
         default="the document's server", metavar="URL")
@setting("REPORT_DIR", "--report-dir", help="Where the reports go.", default="reports", metavar="DIR")
@click.option("--clients", "clients", envvar="CLIENTS", show_envvar=True, default=None,
              type=click.Choice(["lenient", "strict"], case_sensitive=False),
              help="strict: a request that breaks the contract fails the verdict too.  [default: lenient]")
def validate_traffic(har: str, base_url: str | None, report_dir: str | None, clients: str | None) -> None:
    """Judge the exchanges of a recorded HAR file (HAR_FILE, or $HAR) against the contract."""
    from vpbx_traffic.har import default_base_url, validate

    raise SystemExit(validate(har, base_url or default_base_url(), report_dir or "reports",
                              (clients or "lenient").lower()))


@click.command(epilog="Stops on Ctrl-C and writes the reports. Exit status: 0 the server's answers "
                      "conformed, 1 one did not (or a request, with --clients strict), 2 a bad setting or "
                      "nothing judged.")
@setting("UPSTREAM", "--upstream", help="The server to forward to (origin and optional path prefix); "
         "required.", metavar="URL")
@setting("HOST", "--host", help="Address to listen on.", default="127.0.0.1")
@setting("PORT", "--port", help="Port to listen on.", default="8081")
@setting("REPORT_DIR", "--report-dir", help="Where the reports go.", default="reports", metavar="DIR")
@setting("TRAFFIC_BODY_CAP", "--body-cap", help="Bytes of a body kept for validation; larger exchanges "
         "are forwarded, not judged.", default="4194304 (4 MiB)", metavar="BYTES")
@setting("CLIENTS", "--clients", help="lenient or strict: strict fails the session for requests that "
         "break the contract too.", default="lenient", metavar="lenient|strict")
def proxy(**options: Any) -> None:
    """A reverse proxy that forwards traffic unchanged and judges every exchange."""
    from vpbx_traffic.proxy import main

    raise SystemExit(main(environment(options)))
