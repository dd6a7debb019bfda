"""Which rules a failed test broke, in a form a program can read (contract-failures.json)."""

from __future__ import annotations

import re
from typing import Any

from schemathesis.core.failures import CustomFailure, Failure

from vpbx_suite.patience import PersistentRateLimiting, StoredDespiteRefusal
from vpbx_suite.target_api import NoAnswer

REPORT_NAME = "contract-failures.json"
_CUSTOM_TITLE = re.compile(r"`([A-Za-z_][A-Za-z0-9_]*)`")


def _broken_rule(error: BaseException, test_name: str) -> dict[str, Any]:
    if isinstance(error, CustomFailure):
        match = _CUSTOM_TITLE.search(error.title)
        return {"check": match.group(1) if match else error.title, "code": error.code}
    if isinstance(error, Failure):
        return {"check": ",".join(error.checks) or error.title, "code": error.code}
    if isinstance(error, PersistentRateLimiting):
        return {"check": "persistent_rate_limiting", "code": None}
    if isinstance(error, StoredDespiteRefusal):
        return {"check": "stored_despite_refusal", "code": None}
    if isinstance(error, NoAnswer):
        return {"check": "no_answer", "code": None}
    # A plain assertion of a domain test: the test's name is the rule.
    return {"check": test_name, "code": None}


MESSAGE_LIMIT = 4000


def failure_message(error: BaseException) -> str:
    """What the failure says, as a person reads it (every rule of a group), within a limit."""
    if isinstance(error, BaseExceptionGroup):
        text = "\n\n".join(failure_message(inner) for inner in error.exceptions)
    else:
        text = str(error).strip() or type(error).__name__
    return text if len(text) <= MESSAGE_LIMIT else text[: MESSAGE_LIMIT - 1] + "…"


def broken_rules(error: BaseException, test_name: str) -> list[dict[str, Any]]:
    """One entry per failure; a schemathesis FailureGroup holds several."""
    if isinstance(error, BaseExceptionGroup):
        return [rule for inner in error.exceptions for rule in broken_rules(inner, test_name)]
    return [_broken_rule(error, test_name)]
