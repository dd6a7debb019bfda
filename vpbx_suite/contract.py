"""Facts the suite needs about the contract, read from the OpenAPI document.

The suite never restates a schema: which statuses are documented, which enum values a
request may carry, which response fields may be null all come from here.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from vpbx_spec.document import DocumentSchemas, bundled_schemas

OPERATION_PATH = "/numbers/unconfirmed"
OPERATION_METHOD = "post"
OPERATION_ID = "addMobileNumber"
JSON_MEDIA_TYPE = "application/json"
REQUEST_SCHEMA = "AddMobileNumberRequest"
RESPONSE_SCHEMA = "VirtualNumber"

# Statuses that mean "your input is invalid". The operation documents others too (401,
# 403 for the token, 405, 409 for a duplicate); none of them is a right answer to a
# malformed body sent with a valid token and a fresh number.
INVALID_INPUT_STATUSES = frozenset({400, 413, 415, 422})
AUTH_REJECTION_STATUSES = frozenset({401, 403})
DUPLICATE_STATUS = 409


@dataclass(frozen=True)
class ContractFacts:
    documented_statuses: frozenset[int]
    success_statuses: frozenset[int]
    request_properties: tuple[str, ...]        # every one is echoed by a success (D13)
    request_required: tuple[str, ...]
    request_enums: dict[str, tuple[str, ...]]  # property -> allowed values
    response_enums: dict[str, tuple[str, ...]]
    response_nullable: tuple[str, ...]
    comment_max_length: int


def _property_schemas(schemas: DocumentSchemas, component: str) -> dict[str, dict[str, Any]]:
    schema = schemas.document["components"]["schemas"][component]
    return {name: {**schemas.resolve(prop), **prop} for name, prop in schema["properties"].items()}


def _enums(properties: dict[str, dict[str, Any]]) -> dict[str, tuple[str, ...]]:
    return {name: tuple(prop["enum"]) for name, prop in properties.items() if "enum" in prop}


def facts_from(schemas: DocumentSchemas) -> ContractFacts:
    document = schemas.document
    operation = document["paths"][OPERATION_PATH][OPERATION_METHOD]
    statuses = frozenset(int(status) for status in operation["responses"])
    request = document["components"]["schemas"][REQUEST_SCHEMA]
    request_properties = _property_schemas(schemas, REQUEST_SCHEMA)
    response_properties = _property_schemas(schemas, RESPONSE_SCHEMA)
    nullable = tuple(name for name, prop in response_properties.items()
                     if isinstance(prop.get("type"), list) and "null" in prop["type"])
    return ContractFacts(
        documented_statuses=statuses,
        success_statuses=frozenset(status for status in statuses if 200 <= status < 300),
        request_properties=tuple(request_properties),
        request_required=tuple(request["required"]),
        request_enums=_enums(request_properties),
        response_enums=_enums(response_properties),
        response_nullable=nullable,
        comment_max_length=request_properties["comment"]["maxLength"],
    )


@functools.cache
def bundled_facts() -> ContractFacts:
    return facts_from(bundled_schemas())
