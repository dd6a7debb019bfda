"""`vpbx contract`: check a server against the contract (`make contract`)."""

from __future__ import annotations

from typing import Any

import click

from vpbx_cli.settings import environment, setting


@click.command(epilog="Exit status: 0 the server conforms, 1 it does not, 2 the run could not start, "
                      "3 it conforms in what ran but checks did not run and --require-complete is set.")
@setting("BASE_URL", "--base-url", help="Server to test, with any path prefix.",
         default="the bundled mock, started and stopped", metavar="URL")
@setting("API_TOKEN", "--api-token", help="The account's token; required with --base-url; never printed.",
         metavar="TOKEN")
@setting("OTHER_API_TOKEN", "--other-api-token", help="A second account's token on the same server, to "
         "check that accounts cannot see each other's numbers; never printed.",
         default="none with --base-url (those checks are then not run); the bundled mock has two accounts",
         metavar="TOKEN")
@setting("OPERATIONS", "--operations", help="Comma-separated operationIds to check.",
         default="every operation of the document", metavar="IDS")
@setting("NUMBERS", "--numbers", help="Where added numbers come from: connectable, generated, or a file.",
         default="connectable when the connectable listing is checked, else generated", metavar="SOURCE")
@setting("MAX_WRITES", "--max-writes", help="How many adds that could create a number a run may send.",
         default="20 on another host, unlimited on this machine", metavar="N")
@setting("ALLOW_WRITES", "--allow-writes", is_flag=True,
         help="Required when --base-url is not this machine: the suite adds numbers.", default="off")
@setting("MAX_EXAMPLES", "--max-examples", help="Examples per generation phase.", default="50", metavar="N")
@setting("SEED", "--seed", help="Reproduce a run.", default="random, printed", metavar="N")
@setting("FAIL_FAST", "--fail-fast", is_flag=True, help="Stop at the first failing test.", default="off")
@setting("REQUIRE_COMPLETE", "--require-complete", is_flag=True,
         help="Fail (exit 3) when some checks did not run (write budget, too few numbers, "
              "OPERATIONS, a failed precondition).", default="off")
@setting("CONCURRENCY", "--concurrency", help="Requests in flight at once where their order does not matter "
         "(edge cases, generated cases, the model's reads); never inside a sequence, never past --max-writes.", default="4",
         metavar="N")
@setting("MOCK_FAULTS", "--mock-faults", help="Faults for the bundled mock to inject (docs/mock-faults.md), "
         "e.g. 'latency=50ms' or 'status=429@3%'; not with --base-url.", default="none", metavar="FAULTS")
@setting("MOCK_FAULTS_SEED", "--mock-faults-seed", help="Seed of the bundled mock's faults.",
         default="random, printed by the mock", metavar="N")
@setting("REPORT_DIR", "--report-dir", help="Where the reports go.", default="reports", metavar="DIR")
def contract(**options: Any) -> None:
    """Check a server against the contract (the bundled mock unless --base-url is given)."""
    from vpbx_suite.__main__ import main

    raise SystemExit(main(environment(options)))
