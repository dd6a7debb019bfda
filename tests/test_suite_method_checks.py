"""A method the API implements on no path may be answered 501 (RFC 9110 §9.1, D10); a method
it implements elsewhere, or a 5xx of another kind, is still a failure."""

from __future__ import annotations

import pytest
import requests
import schemathesis
from schemathesis.core.failures import FailureGroup

from vpbx_suite.contract import bundled_facts
from vpbx_suite.method_checks import no_server_error, not_implemented_as_http_allows
from vpbx_suite.schemathesis_config import suite_config
from vpbx_spec.document import DOCUMENT_PATH

FACTS = bundled_facts()
ADD = FACTS.operations[FACTS.lifecycle.add or ""]


def test_the_implemented_methods_are_read_from_the_document():
    used = {facts.method.upper() for facts in FACTS.operations.values()}
    assert FACTS.implemented_methods == used | {"HEAD"}  # GET implies HEAD (RFC 9110 §9.1)
    assert {"GET", "POST", "PUT", "DELETE"} <= FACTS.implemented_methods


@pytest.mark.parametrize(("method", "status", "allowed"), [
    ("TRACE", 501, True), ("PATCH", 501, True), ("QUERY", 501, True), ("options", 501, True),
    ("DELETE", 501, False), ("GET", 501, False), ("HEAD", 501, False), ("POST", 501, False),
    ("TRACE", 500, False), ("TRACE", 503, False), ("TRACE", 405, False),
])
def test_501_is_allowed_only_for_a_method_implemented_on_no_path(method, status, allowed):
    assert not_implemented_as_http_allows(method, status) is allowed


def answer(method: str, status: int) -> schemathesis.Response:
    request = requests.Request(method, f"http://server.test{ADD.path}").prepare()
    return schemathesis.Response(status_code=status, headers={"content-type": ["application/json"]},
                                 content=b'{"error": "x"}', request=request, elapsed=0.01, verify=True)


def judged(method: str, status: int) -> None:
    operation = schemathesis.openapi.from_path(DOCUMENT_PATH).find_operation_by_id(ADD.operation_id)
    case = operation.schema.make_case(operation=operation, body={})
    case.validate_response(answer(method, status), checks=[no_server_error])


def test_no_server_error_lets_a_501_to_an_unimplemented_method_pass():
    judged("TRACE", 501)
    judged("PATCH", 501)


@pytest.mark.parametrize(("method", "status"), [("DELETE", 501), ("POST", 500), ("TRACE", 500), ("TRACE", 502)])
def test_no_server_error_fails_any_other_server_error(method, status):
    with pytest.raises(FailureGroup, match="Server error"):
        judged(method, status)


def test_the_suite_runs_these_checks_instead_of_schemathesis_s_own():
    checks = suite_config("http://server.test", "token", 10, 1).projects.default.checks
    assert not checks.get_by_name(name="not_a_server_error").enabled
    assert not checks.get_by_name(name="unsupported_method").enabled
    assert checks.get_by_name(name="no_server_error").enabled
    assert checks.get_by_name(name="undeclared_method_refused").enabled
