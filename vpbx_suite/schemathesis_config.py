"""The schemathesis configuration of a contract run, built from the document's facts."""

from __future__ import annotations

import functools

import schemathesis
from schemathesis import Config
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.specs.openapi.schemas import OpenApiSchema

from vpbx_suite.contract import (
    AUTH_REJECTION_STATUSES,
    INVALID_INPUT_STATUSES,
    NOT_FOUND_STATUS,
    bundled_facts,
)
from vpbx_suite.method_checks import no_server_error
from vpbx_spec.document import DOCUMENT_PATH

SECURITY_SCHEME = "apiToken"

# Checks that judge one response on its own; the explicit domain tests apply these to the
# requests they craft themselves. (Checks that re-send requests stay with generated cases.)
RESPONSE_CONFORMANCE_CHECKS = (no_server_error, status_code_conformance, content_type_conformance,
                               response_schema_conformance, response_headers_conformance)


def _statuses(codes: frozenset[int]) -> list[str]:
    return [str(code) for code in sorted(codes)]


def _per_operation() -> list[dict[str, object]]:
    """An operation addressed by an id may answer 404 to valid data (generation cannot know
    which ids exist), and to an id that is not one (a route that does not match, D24)."""
    rejected = INVALID_INPUT_STATUSES | AUTH_REJECTION_STATUSES | {NOT_FOUND_STATUS}
    return [{"include-operation-id": facts.operation_id,
             "checks": {"positive_data_acceptance": {"expected-statuses": _statuses(
                 facts.success_statuses | {NOT_FOUND_STATUS})},
                        "negative_data_rejection": {"expected-statuses": _statuses(rejected)}}}
            for facts in bundled_facts().operations.values() if facts.path_parameters]


def suite_config(base_url: str, token: str, max_examples: int, seed: int, stateful: bool = False) -> Config:
    """`stateful`: for the state machine, which refuses per-operation settings (it takes them for
    filters that exclude its links); there any operation may answer 404 to valid data (a read
    after a delete)."""
    facts = bundled_facts()
    success = frozenset(s for operation in facts.operations.values() for s in operation.success_statuses)
    if stateful:
        success |= {NOT_FOUND_STATUS}
    return Config.from_dict({
        "base-url": base_url,
        "seed": seed,
        "request-timeout": 10,
        "auth": {"openapi": {SECURITY_SCHEME: {"api_key": token}}},
        "phases": {
            "examples": {"enabled": True},
            "coverage": {"enabled": True},
            "fuzzing": {"enabled": True},
            # Run by its own test (test_stateful_links), guarded; the machine needs it enabled.
            "stateful": {"enabled": stateful},
        },
        "operations": [] if stateful else _per_operation(),
        # "none": no example database, so a SEED reproduces a run exactly.
        "generation": {"mode": "all", "max-examples": max_examples, "database": "none"},
        "checks": {
            # schemathesis's defaults count 401/403/404/409 and 5xx as "accepted"; with a valid
            # token and a fresh number only a documented success is.
            "positive_data_acceptance": {"expected-statuses": _statuses(success)},
            # ... and count 404/405/409/5xx as "rejected". Invalid input is 400/413/415/422;
            # 401/403 are right when the token itself is what a case removed or broke.
            "negative_data_rejection": {
                "expected-statuses": _statuses(INVALID_INPUT_STATUSES | AUTH_REJECTION_STATUSES)},
            # schemathesis's not_a_server_error and unsupported_method, but for a 501 to a
            # method the API implements on no path (vpbx_suite.method_checks, D10).
            "not_a_server_error": {"enabled": False},
            "no_server_error": {"enabled": True},
            "status_code_conformance": {"enabled": True},
            "content_type_conformance": {"enabled": True},
            "response_schema_conformance": {"enabled": True},
            "response_headers_conformance": {"enabled": True},
            "missing_required_header": {"enabled": True},
            "ignored_auth": {"enabled": True},
            "unsupported_method": {"enabled": False},
            "undeclared_method_refused": {"enabled": True},
            "allow_header_conformance": {"enabled": True},
        },
    })


@functools.cache
def load_schema(base_url: str, token: str, max_examples: int, seed: int,
                operations: tuple[str, ...] = (), stateful: bool = False) -> OpenApiSchema:
    config = suite_config(base_url, token, max_examples, seed, stateful)
    schema = schemathesis.openapi.from_path(DOCUMENT_PATH, config=config)
    # exclude, not include: the per-operation check settings of the config count as explicit
    # includes, and schemathesis then ignores an include filter.
    others = [name for name in bundled_facts().operations if operations and name not in operations]
    return schema.exclude(operation_id=others) if others else schema
