"""contract-failures.json names the rule each failed test broke."""

from __future__ import annotations

from schemathesis.core.failures import CustomFailure, Failure, FailureGroup

from vpbx_suite.failures import broken_rules
from vpbx_suite.target_api import NoAnswer


class SchemaFailure(Failure):
    """Shaped like schemathesis's JsonSchemaError: a code and the checks that raise it."""

    code = "ST108"
    checks = ("response_schema_conformance", "response_headers_conformance")


def test_rules_of_a_schemathesis_failure_group():
    echo = CustomFailure(operation="POST /numbers/unconfirmed",
                         title="Custom check failed: `echoes_request_fields`",
                         message="purpose: sent 'company', answered 'employee'",
                         exception=AssertionError("purpose"))
    schema = SchemaFailure(operation="POST /numbers/unconfirmed", message="'id' is a required property")
    assert broken_rules(FailureGroup([echo, schema], "found 2"), "test_generated_cases") == [
        {"check": "echoes_request_fields", "code": "ST901"},
        {"check": "response_schema_conformance,response_headers_conformance", "code": "ST108"},
    ]


def test_rules_of_plain_assertions_and_of_no_answer():
    assert broken_rules(AssertionError("answered 201"), "test_invalid_request_is_rejected") == [
        {"check": "test_invalid_request_is_rejected", "code": None}]
    assert broken_rules(NoAnswer("timed out"), "test_x") == [{"check": "no_answer", "code": None}]
