"""`python -m vpbx_cli`: the `vpbx` command, from a checkout that was not installed."""

from vpbx_cli.main import cli

cli(prog_name="vpbx")
