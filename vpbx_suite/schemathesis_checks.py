"""The domain checks, registered with schemathesis (importing this module registers them).

schemathesis then runs them on every response it validates, next to its own checks; the
explicit tests, the HAR validator and the proxy run the same functions.
"""

from __future__ import annotations

from typing import Any

import schemathesis
from schemathesis import Case, CheckContext, Response

from vpbx_suite.contract import OperationFacts
from vpbx_suite.domain_checks import echo_problems, lookalike_problems
from vpbx_suite.ledger import id_in_path
from vpbx_suite.rules import ECHO, IDS, LOOKALIKE, ContractViolation
from vpbx_suite.run import SuiteRun, current_run


def response_json(response: Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def operation_of(case: Case, run: SuiteRun) -> OperationFacts | None:
    for facts in run.facts.operations.values():
        if facts.method == case.method.lower() and facts.path == case.operation.path:
            return facts
    return None


def _sent_body(case: Case) -> Any:
    return case.body if isinstance(case.body, (dict, list, str, int, float, bool)) else None


def _fail_on(problems: list[str], rule_name: str) -> None:
    """The problems as a violation of the rule, about the field the first one names."""
    if problems:
        field = problems[0].split(":", 1)[0] if ":" in problems[0] and " " not in problems[0].split(":", 1)[0] else None
        raise ContractViolation(rule_name, "\n".join(problems), field)


def expected_echo(operation: OperationFacts, run: SuiteRun, path_parameters: dict[str, Any]
                  ) -> tuple[list[str], dict[str, Any] | None] | None:
    """(fields echoed, what an omitted one should be) for an operation whose answer echoes its
    request, or None. An add echoes every property, `null` when omitted (D13). An edit echoes
    what it stores: a property the other shape requires is cleared when omitted (D27), any
    other omitted one keeps its stored value (D25), known when the run added the number."""
    lifecycle = run.facts.lifecycle
    if operation.operation_id == lifecycle.add:
        return list(operation.request_properties), None
    if operation.operation_id == lifecycle.edit:
        fields = [name for name in operation.request_properties if name in operation.response_fields]
        stored = run.ledger.records.get(id_in_path(path_parameters.get("id")) or 0, {})
        omitted = {name: stored[name] for name in fields if name in stored}
        omitted.update({name: None for name in operation.request_conditional})
        return fields, omitted
    return None


def echo_check(operation: OperationFacts | None, run: SuiteRun, path_parameters: dict[str, Any],
               sent: Any, status: int, received: Any) -> list[str]:
    expectation = None if operation is None else expected_echo(operation, run, path_parameters)
    if expectation is None:
        return []
    fields, omitted = expectation
    return echo_problems(sent, status, received, fields, omitted)


@schemathesis.check
def echoes_request_fields(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """A successful add or edit echoes the request's properties as stored (D13, D25)."""
    run = current_run()
    _fail_on(echo_check(operation_of(case, run), run, case.path_parameters or {}, _sent_body(case),
                        response.status_code, response_json(response)), ECHO)
    return None


@schemathesis.check
def ids_are_unique(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """No id belongs to two different numbers during the run, in any answer."""
    _fail_on(current_run().ids.problems(response.status_code, response_json(response)), IDS)
    return None


@schemathesis.check
def enum_values_have_no_lookalikes(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """Names the letter when an enum value imitates a valid one ("сompany")."""
    run = current_run()
    operation = operation_of(case, run)
    if operation is not None:
        _fail_on(lookalike_problems(response.status_code, response_json(response), operation.response_enums),
                 LOOKALIKE)
    return None


DOMAIN_CHECKS = (echoes_request_fields, ids_are_unique, enum_values_have_no_lookalikes)
