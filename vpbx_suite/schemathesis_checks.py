"""The domain checks, registered with schemathesis (importing this module registers them).

schemathesis then runs them on every response it validates, next to its own checks.
"""

from __future__ import annotations

from typing import Any

import schemathesis
from schemathesis import Case, CheckContext, Response

from vpbx_suite.domain_checks import echo_problems, lookalike_problems
from vpbx_suite.run import current_run


def response_json(response: Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _sent_body(case: Case) -> Any:
    return case.body if isinstance(case.body, (dict, list, str, int, float, bool)) else None


def _fail_on(problems: list[str]) -> None:
    if problems:
        raise AssertionError("\n".join(problems))


@schemathesis.check
def echoes_request_fields(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """A successful add echoes every request property as sent (`null` when omitted)."""
    fields = current_run().facts.request_properties
    _fail_on(echo_problems(_sent_body(case), response.status_code, response_json(response), fields))
    return None


@schemathesis.check
def ids_are_unique(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """No id is handed out for two different numbers during the run."""
    _fail_on(current_run().ids.problems(response.status_code, response_json(response)))
    return None


@schemathesis.check
def enum_values_have_no_lookalikes(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """Names the letter when an enum value imitates a valid one ("сompany")."""
    enums = current_run().facts.response_enums
    _fail_on(lookalike_problems(response.status_code, response_json(response), enums))
    return None


DOMAIN_CHECKS = (echoes_request_fields, ids_are_unique, enum_values_have_no_lookalikes)
