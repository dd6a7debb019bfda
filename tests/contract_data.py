"""Payloads taken from the document itself: its named examples, never hand copies."""

from __future__ import annotations

import copy
from typing import Any

from vpbx_spec.document import bundled_document


def named_examples(*pointer_parts: str) -> dict[str, Any]:
    """name -> value for the named examples of a media type in the bundled document."""
    node: Any = bundled_document()
    for part in pointer_parts:
        node = node[part]
    return {name: example["value"] for name, example in node["examples"].items()}


REQUEST_EXAMPLES = named_examples(
    "paths", "/numbers/unconfirmed", "post", "requestBody", "content", "application/json")
RESPONSE_EXAMPLES = named_examples(
    "components", "responses", "NumberAdded", "content", "application/json")


def seed_request() -> dict[str, Any]:
    return copy.deepcopy(REQUEST_EXAMPLES["seed"])


def seed_response() -> dict[str, Any]:
    return copy.deepcopy(RESPONSE_EXAMPLES["seed"])


DROP = object()  # in request_with/response_with: remove this property


def with_changes(body: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """`body` with each of `changes` set, or removed where the value is DROP."""
    for name, value in changes.items():
        if value is DROP:
            body.pop(name, None)
        else:
            body[name] = value
    return body


def request_with(**changes: Any) -> dict[str, Any]:
    """The seed request example with some properties replaced or DROPped."""
    return with_changes(seed_request(), changes)


def response_with(**changes: Any) -> dict[str, Any]:
    """The seed response example with some properties replaced or DROPped."""
    return with_changes(seed_response(), changes)
