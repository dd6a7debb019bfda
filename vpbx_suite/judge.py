"""One exchange judged by every rule of the contract: schemathesis's response checks and the
domain checks. The explicit tests, the HAR validator and the proxy all judge through here."""

from __future__ import annotations

from typing import Any

from schemathesis import Case
from schemathesis.specs.openapi.schemas import OpenApiSchema

from vpbx_suite.contract import JSON_MEDIA_TYPE, OperationFacts
from vpbx_suite.run import SuiteRun
from vpbx_suite.schemathesis_checks import DOMAIN_CHECKS
from vpbx_suite.schemathesis_config import RESPONSE_CONFORMANCE_CHECKS

NOT_JSON = object()  # the body sent is not a JSON document


def case_for(schema: OpenApiSchema, operation: OperationFacts, path_parameters: dict[str, Any] | None,
             query: dict[str, Any] | None, body: Any, media_type: str | None) -> Case:
    api_operation = schema.find_operation_by_id(operation.operation_id)
    kwargs: dict[str, Any] = {"operation": api_operation, "path_parameters": path_parameters or {},
                              "query": query or {}}
    if operation.has_body:
        kwargs["body"] = None if body is NOT_JSON else body
        kwargs["media_type"] = media_type or JSON_MEDIA_TYPE
    return schema.make_case(**kwargs)


def judge(schema: OpenApiSchema, run: SuiteRun, operation: OperationFacts, *,
          path_parameters: dict[str, Any] | None, query: dict[str, Any] | None, body: Any,
          media_type: str | None, response: Any, received: Any) -> None:
    """Raise schemathesis's failure (a group when several rules broke) if the answer breaks the
    contract; record it in the run either way. `response`: an httpx or requests response."""
    case = case_for(schema, operation, path_parameters, query, body, media_type)
    try:
        case.validate_response(response, checks=[*RESPONSE_CONFORMANCE_CHECKS, *DOMAIN_CHECKS])
    finally:
        run.observe(operation, path_parameters, response.status_code, received)
