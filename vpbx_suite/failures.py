"""What a failed test says about the server, in a form a program can read (contract-failures.json):
each rule it broke (vpbx_suite.rules), on which operation and field, and a sentence — what was
sent, what came back, what the contract says — never a bare AssertionError or Python's own
text for an exception."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlsplit

from schemathesis.core.failures import CustomFailure, Failure

from vpbx_suite.patience import PersistentRateLimiting, StoredDespiteRefusal
from vpbx_suite.rules import (CHECK_ALIASES, ECHO, HEADERS, NO_ANSWER, PERSISTENT_RATE_LIMITING, RULES, SCHEMA,
                              STORED_DESPITE_REFUSAL, UNREADABLE, ContractViolation, decisions_in, error_body_keys,
                              field_cites, field_place)
from vpbx_suite.target_api import NoAnswer

REPORT_NAME = "contract-failures.json"
_CUSTOM_TITLE = re.compile(r"`([A-Za-z_][A-Za-z0-9_]*)`")
_REQUIRED = re.compile(r"^'([A-Za-z_][A-Za-z0-9_]*)' is a required property")
_FIELD_FIRST = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*): ")
MESSAGE_LIMIT = 4000
EXCERPT = 300


def operation_of_request(method: str, url: str) -> str | None:
    """The operationId a request was sent to: its method and path against the document's templates."""
    from vpbx_suite.contract import bundled_facts
    path = urlsplit(url).path.rstrip("/") or "/"
    for facts in bundled_facts().operations.values():
        pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(facts.path)) + "$"
        if facts.method == method.lower() and re.search(pattern, path):
            return facts.operation_id
    return None


def _operation_of_label(label: str | None) -> str | None:
    if not label or " " not in label:
        return None
    from vpbx_suite.contract import bundled_facts
    for facts in bundled_facts().operations.values():
        if facts.label == label:
            return facts.operation_id
    return None


def _schema_field(error: Failure) -> str | None:
    match = _REQUIRED.match(getattr(error, "validation_message", "") or "")
    if match:
        return match.group(1)
    names = [token for token in getattr(error, "instance_path", []) or [] if isinstance(token, str)]
    return names[0] if names else None


def _first_field(text: str) -> str | None:
    match = _FIELD_FIRST.match(text.strip())
    return match.group(1) if match else None


def _problem_text(error: BaseException) -> str:
    if isinstance(error, CustomFailure):
        return str(error.message).strip()
    if isinstance(error, Failure):
        detail = getattr(error, "validation_message", "") or str(error.message).strip().split("\n\n")[0]
        return f"{error.title}: {detail}" if detail and detail != error.title else error.title
    return str(error).strip()


def _violation(rule_name: str, operation: str | None, field: str | None, problem: str, code: str | None,
               side: str = "response", decisions: tuple[str, ...] | None = None) -> dict[str, Any]:
    rule = RULES[rule_name]
    operation = operation or rule.operation
    pointer, cited = rule.pointer_for(operation), rule.decisions
    place = field_place(operation, field, side)
    if place is not None:
        pointer = place[0]
        if rule.field_decisions == "field":
            cited = place[1] or rule.decisions
        elif rule.field_decisions == "both":
            cited = tuple(dict.fromkeys((*rule.decisions, *field_cites(pointer))))
    return {"check": rule_name, "code": code, "operation": operation, "field": field, "pointer": pointer,
            "decisions": list(decisions or cited), "problem": problem}


def _json_body(message: dict[str, Any] | None) -> Any:
    try:
        return json.loads(((message or {}).get("body") or {}).get("text") or "")
    except ValueError:
        return None


def _echoed_invalid_decisions(exchange: dict[str, Any] | None, operation: str | None,
                              field: str | None) -> tuple[str, ...] | None:
    """A field the answer holds as the request sent it, outside the answer's schema: the server
    took a value the request's schema refuses, so what the document cites for the request's
    field comes first."""
    if exchange is None or field is None:
        return None
    sent, answered = _json_body(exchange["request"]), _json_body(exchange.get("response"))
    if not (isinstance(sent, dict) and isinstance(answered, dict) and field in sent and answered.get(field) == sent[field]):
        return None
    request, response = field_place(operation, field, "request"), field_place(operation, field, "response")
    if request is None:
        return None
    return tuple(dict.fromkeys((*field_cites(request[0]), *(response[1] if response else ())))) or None


def _error_body_decisions(exchange: dict[str, Any] | None) -> tuple[str, ...] | None:
    """A success whose body is the document's error body (an `error` key) is an error answered
    with a success status: what the document says of error answers, not of the record's fields."""
    response = (exchange or {}).get("response") or {}
    if not 200 <= response.get("status", 0) < 300:
        return None
    try:
        body = json.loads((response.get("body") or {}).get("text") or "")
    except ValueError:
        return None
    keys, decisions = error_body_keys()
    return decisions if isinstance(body, dict) and keys & set(body) else None


def _one(error: BaseException, exchange: dict[str, Any] | None) -> dict[str, Any]:
    sent_to = None
    if exchange is not None:
        sent_to = operation_of_request(exchange["request"]["method"], exchange["request"]["url"])
    inner = error.exception if isinstance(error, CustomFailure) else None
    if isinstance(inner, ContractViolation):
        error = inner
    if isinstance(error, ContractViolation):
        operation = error.operation or (sent_to if RULES[error.rule].role is None else None)
        return _violation(error.rule, operation, error.field,
                          error.message, None, error.side, error.decisions)
    if isinstance(error, CustomFailure):
        match = _CUSTOM_TITLE.search(error.title)
        name = CHECK_ALIASES.get(match.group(1), match.group(1)) if match else ""
        problem = _problem_text(error)
        return _violation(name if name in RULES else UNREADABLE, _operation_of_label(error.operation) or sent_to,
                          _first_field(problem), problem, error.code)
    if isinstance(error, Failure):
        name = error.checks[0] if error.checks else ""
        if name == SCHEMA and "header" in error.title.lower():
            name = HEADERS
        name = CHECK_ALIASES.get(name, name)
        field = _schema_field(error) if name == SCHEMA else None
        decisions = None
        if name == SCHEMA:
            operation = _operation_of_label(error.operation) or sent_to
            decisions = _error_body_decisions(exchange) or _echoed_invalid_decisions(exchange, operation, field)
        return _violation(name if name in RULES else UNREADABLE, _operation_of_label(error.operation) or sent_to,
                          field, _problem_text(error), error.code, decisions=decisions)
    if isinstance(error, PersistentRateLimiting):
        return _violation(PERSISTENT_RATE_LIMITING, sent_to, None, str(error), None)
    if isinstance(error, StoredDespiteRefusal):
        return _violation(STORED_DESPITE_REFUSAL, sent_to, None, str(error), None)
    if isinstance(error, NoAnswer):
        return _violation(NO_ANSWER, sent_to, None, str(error), None)
    # Anything else: the test could not go on with an answer (a record lacking what it needs).
    # Python's text for it means nothing to a maintainer; what the server answered does.
    return _violation(UNREADABLE, sent_to, None, "", None)


def broken_rules(error: BaseException, exchange: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """One entry per failure; a schemathesis FailureGroup holds several. An answer that breaks
    its schema in a field is not also counted as an echo of that field: the field's absence or
    type is what broke, the echo only noticed it."""
    if not isinstance(error, BaseExceptionGroup):
        return [_one(error, exchange)]
    rules = [rule for inner in error.exceptions for rule in broken_rules(inner, exchange)]
    # schemathesis collects one answer's failures in a set, whose order changes from process to
    # process: the registry's order (the answer's shape first, what only noticed it after)
    # makes the first finding of a one-bug server the same in every run.
    rules.sort(key=lambda rule: (list(RULES).index(rule["check"]) if rule["check"] in RULES else len(RULES),
                                 rule["field"] or "", rule["problem"]))
    schema_fields = {(rule["operation"], rule["field"]) for rule in rules if rule["check"] == SCHEMA and rule["field"]}
    return [rule for rule in rules if rule["check"] != ECHO or (rule["operation"], rule["field"]) not in schema_fields]


def _excerpt(body: dict[str, Any] | None) -> str:
    if not body or not body.get("text"):
        return "no body"
    text = " ".join(body["text"].split())
    return text if len(text) <= EXCERPT else text[: EXCERPT - 1] + "…"


def exchange_sentence(exchange: dict[str, Any] | None) -> str:
    """What was sent and what came back, in one sentence."""
    if exchange is None:
        return "No request had been sent yet."
    request, response = exchange["request"], exchange["response"]
    sent = f"{request['method']} {request['url']}"
    if request.get("body"):
        sent += f" with {_excerpt(request['body'])}"
    if response is None:
        return f"Sent {sent}; no answer came."
    return f"Sent {sent}; the server answered {response['status']} with {_excerpt(response['body'])}."


def violation_sentence(violation: dict[str, Any], exchange: dict[str, Any] | None) -> str:
    rule = RULES[violation["check"]]
    problem = violation["problem"].strip() or (
        "the answer lacks what the next step needs (the test could not go on)")
    where = ", ".join([*violation["decisions"], f"#{violation['pointer']}" if violation["pointer"] else ""]).strip(", ")
    return f"{problem}\n{exchange_sentence(exchange)}\nThe contract ({where}): {rule.says}."


def failure_message(violations: list[dict[str, Any]], exchange: dict[str, Any] | None) -> str:
    """What the failure says, as a person reads it (every rule of a group), within a limit."""
    text = "\n\n".join(violation_sentence(violation, exchange) for violation in violations)
    return text if len(text) <= MESSAGE_LIMIT else text[: MESSAGE_LIMIT - 1] + "…"


__all__ = ["REPORT_NAME", "broken_rules", "decisions_in", "exchange_sentence", "failure_message",
           "operation_of_request"]
