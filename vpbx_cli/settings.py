"""Options that are also environment variables, and the mapping handed to the tools.

A tool parses its settings from a mapping of variable names to text (as it reads its
environment); the command collects every option under its variable name, so there is one
parser per tool and the option and the variable cannot drift apart.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import click

F = Callable[..., Any]


def setting(variable: str, *flags: str, help: str, default: str | None = None,
            is_flag: bool = False, metavar: str | None = None) -> Callable[[F], F]:
    """An option read from `flags` on the command line, else from `variable` in the environment.

    `default` is what the help shows; the tool itself applies it (so `make contract BASE_URL=`
    stays "not set", as the tool has always read it).
    """
    return click.option(*flags, variable.lower(), envvar=variable, show_envvar=True, is_flag=is_flag,
                        default=None, metavar=metavar or variable,
                        help=help + (f"  [default: {default}]" if default else ""))


def environment(values: dict[str, Any]) -> dict[str, str]:
    """The process environment with the options laid over it, as the tools read it: flags as
    "1"/"0", unset options left as the environment has them."""
    env = dict(os.environ)
    for name, value in values.items():
        if value is None:
            continue
        env[name.upper()] = ("1" if value else "0") if isinstance(value, bool) else str(value)
    return env
