"""`vpbx mock`: serve the reference mock in the foreground (`make mock`)."""

from __future__ import annotations

from typing import Any

import click

from vpbx_cli.settings import environment, setting


@click.command(epilog="Stops on Ctrl-C. Exit status 2: a bad setting, or a published token on an "
                      "address others can reach (protected mode).")
@setting("HOST", "--host", help="Address to listen on.", default="127.0.0.1")
@setting("PORT", "--port", help="Port to listen on.", default="8080")
@setting("API_TOKEN", "--api-token", help="The token clients must send (one account).",
         default="local-dev-token", metavar="TOKEN")
@setting("API_TOKENS", "--api-tokens", help="Comma-separated tokens, each its own account (instead of "
         "--api-token).", metavar="TOKENS")
@setting("MOCK_DB", "--db", help="SQLite file (created with its folder), or :memory:.",
         default=".data/mock.sqlite3", metavar="PATH")
@setting("MOCK_ACCESS_LOG", "--access-log", help="1 logs a line per request, 0 silences it.", default="1",
         metavar="0|1")
@setting("MOCK_CONNECTABLE", "--connectable", help="Size of the connectable pool of a new database, or any.",
         default="5000", metavar="N|any")
@setting("MOCK_FAULTS", "--faults", help="Failures injected on purpose, e.g. 'latency=20ms; "
         "addMobileNumber:reset-after@10%' (docs/mock-faults.md).", default="none", metavar="RULES")
@setting("MOCK_FAULTS_SEED", "--faults-seed", help="Seed of the injected failures, to repeat a run.",
         default="random, printed", metavar="N")
def mock(**options: Any) -> None:
    """Serve the reference mock: the six operations of the document, from one SQLite store."""
    from vpbx_mock.__main__ import main

    raise SystemExit(main(environment(options)))
