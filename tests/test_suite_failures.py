"""contract-failures.json names the rule each failed test broke, on which operation and field, with
the decisions it enforces, and says it as a sentence about the server."""

from __future__ import annotations

from schemathesis.core.failures import CustomFailure, Failure, FailureGroup

from vpbx_suite.failures import broken_rules, failure_message, operation_of_request
from vpbx_suite.rules import ECHO, READ_BACK, ContractViolation
from vpbx_suite.target_api import NoAnswer

EXCHANGE = {"request": {"method": "POST", "url": "http://h:1/numbers/unconfirmed", "headers": [],
                        "body": {"text": '{"number": "79261234567", "dgn_number": "74951234567"}', "bytes": 52,
                                 "truncated": False}},
            "response": {"status": 201, "headers": [], "body": {"text": '{"id": 5, "dgn_number": ""}', "bytes": 27,
                                                                "truncated": False}}}


class SchemaFailure(Failure):
    """Shaped like schemathesis's JsonSchemaError: a code, the checks that raise it, where it broke."""

    code = "ST108"
    checks = ("response_schema_conformance", "response_headers_conformance")
    validation_message = "'region_name' is a required property"
    instance_path: list[str] = []


def test_rules_of_a_schemathesis_failure_group():
    echo = CustomFailure(operation="POST /numbers/unconfirmed",
                         title="Custom check failed: `echoes_request_fields`",
                         message="dgn_number: sent '74951234567', answered ''",
                         exception=ContractViolation(ECHO, "dgn_number: sent '74951234567', answered ''", "dgn_number"))
    schema = SchemaFailure(operation="POST /numbers/unconfirmed", title="Response violates schema",
                           message="'region_name' is a required property")
    rules = broken_rules(FailureGroup([echo, schema], "found 2"), EXCHANGE)
    # In the registry's order whatever order schemathesis's set gave them: the answer's shape first.
    assert broken_rules(FailureGroup([schema, echo], "found 2"), EXCHANGE) == rules
    assert [(r["check"], r["operation"], r["field"]) for r in rules] == [
        ("response_schema_conformance", "addMobileNumber", "region_name"),
        ("echoes_request_fields", "addMobileNumber", "dgn_number")]
    assert rules[1]["decisions"] == ["D13", "D25", "D8"]  # the echo rule's own, then what the field cites
    # A schema failure cites what the document's description of the field cites (D7 for region_name).
    assert rules[0]["decisions"][0] == "D7"
    assert rules[0]["pointer"] == "/components/schemas/VirtualNumber/properties/region_name"


def test_a_success_holding_an_error_body_cites_what_the_document_says_of_error_answers():
    exchange = {**EXCHANGE, "response": {**EXCHANGE["response"], "body": {"text": '{"error": {"code": "invalid"}}'}}}
    schema = SchemaFailure(operation="POST /numbers/unconfirmed", title="Response violates schema", message="m")
    (rule,) = broken_rules(schema, exchange)
    assert rule["decisions"] == ["D10"]


def test_a_violation_of_a_test_names_its_rule_and_the_operation():
    (rule,) = broken_rules(ContractViolation(READ_BACK, "GET of id 5 differs: comment: expected 'a', got 'b'",
                                             "comment"), EXCHANGE)
    assert (rule["check"], rule["operation"], rule["field"], rule["decisions"]) == (
        "read_back_as_answered", "getVirtualNumber", "comment", ["D23"])


def test_the_message_says_what_was_sent_what_came_back_and_what_the_contract_says():
    rules = broken_rules(ContractViolation(ECHO, "dgn_number: sent '74951234567', answered ''", "dgn_number"),
                         EXCHANGE)
    message = failure_message(rules, EXCHANGE)
    assert message.startswith("dgn_number: sent '74951234567', answered ''")
    assert "Sent POST http://h:1/numbers/unconfirmed with {\"number\"" in message
    assert "the server answered 201 with {\"id\": 5" in message
    assert "The contract (D13, D25, D8, #/components/schemas/VirtualNumber/properties/dgn_number): a successful add" in message


def test_python_exceptions_become_a_sentence_about_the_answer():
    """A test that could not go on (a record without what it needs, a listing holding a record
    twice) says what the server answered, never Python's text for it."""
    for error in (KeyError("id"), ValueError("too many values to unpack (expected 1)"), AssertionError(),
                  TypeError("'NoneType' object is not subscriptable")):
        message = failure_message(broken_rules(error, EXCHANGE), EXCHANGE)
        assert "too many values" not in message and "NoneType" not in message and "KeyError" not in message
        assert message.strip() != "AssertionError" and "the server answered 201" in message
        assert "The contract (D23" in message


def test_no_answer_is_a_rule_too():
    (rule,) = broken_rules(NoAnswer("POST /numbers/unconfirmed: no answer (ReadTimeout)"), EXCHANGE)
    assert rule["check"] == "server_answers" and rule["operation"] == "addMobileNumber"


def test_a_request_is_matched_to_its_operation_by_method_and_path_template():
    assert operation_of_request("GET", "http://h/numbers/virtual-number/17") == "getVirtualNumber"
    assert operation_of_request("GET", "http://h/numbers/virtual-number?type=def") == "listVirtualNumbers"
    assert operation_of_request("PUT", "http://h/numbers/virtual-number/17") == "editMobileNumber"
    assert operation_of_request("PATCH", "http://h/numbers/virtual-number/17") is None


class MissingNumber(SchemaFailure):
    validation_message = "'number' is a required property"


def test_a_field_the_schema_misses_is_not_counted_again_as_an_echo():
    echo = CustomFailure(operation="POST /numbers/unconfirmed", title="Custom check failed: `echoes_request_fields`",
                         message="number: sent '79261234567', the answer has no 'number'",
                         exception=ContractViolation(ECHO, "number: sent '79261234567', the answer has no 'number'",
                                                     "number"))
    schema = MissingNumber(operation="POST /numbers/unconfirmed", title="Response violates schema", message="m")
    rules = broken_rules(FailureGroup([echo, schema], "found 2"), EXCHANGE)
    assert [(r["check"], r["field"]) for r in rules] == [("response_schema_conformance", "number")]
    assert rules[0]["decisions"][:3] == ["D4", "D5", "D6"]  # VirtualNumber's description: every field shown is required


class NumberOutsideItsPattern(SchemaFailure):
    validation_message = "'٧٩٢٦١٢٣٤٥٦٧' does not match '^7[0-9]{10}$'"
    instance_path = ["number"]


def test_an_invalid_value_the_server_took_and_answered_cites_the_requests_field_first():
    """Arabic-Indic digits accepted and echoed: the answer breaks its schema, but what broke is
    the add's refusal of such a number (D3, cited by the request's `number`)."""
    digits = "٧٩٢٦١٢٣٤٥٦٧"
    exchange = {"request": {**EXCHANGE["request"], "body": {"text": f'{{"number": "{digits}"}}'}},
                "response": {**EXCHANGE["response"], "body": {"text": f'{{"id": 5, "number": "{digits}"}}'}}}
    schema = NumberOutsideItsPattern(operation="POST /numbers/unconfirmed", title="Response violates schema", message="m")
    (rule,) = broken_rules(schema, exchange)
    assert rule["field"] == "number" and rule["decisions"][0] == "D3"
