"""The `vpbx` command group: `vpbx contract`, `vpbx mock`, `vpbx check`, `vpbx validate-traffic`,
`vpbx proxy`. Exit statuses are each tool's own (see `vpbx <command> --help`); a bad option is 2."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

import click

from vpbx_cli.check import check
from vpbx_cli.contract import contract
from vpbx_cli.mock import mock
from vpbx_cli.traffic import proxy, validate_traffic


def _version() -> str:
    try:
        return version("vpbx-numbers-contract")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown"


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(_version(), prog_name="vpbx")
def cli() -> None:
    """The contract of MegaFon Virtual PBX's mobile numbers (OpenAPI 3.1), and its tools.

    Every option is also read from the environment variable shown beside it.
    """


for command in (contract, mock, check, validate_traffic, proxy):
    cli.add_command(command)
