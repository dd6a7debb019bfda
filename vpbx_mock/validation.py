"""Validate a request body against AddMobileNumberRequest, read from the OpenAPI document.

There is no second, hand-written schema: whatever the document accepts, the mock accepts.
"""

from __future__ import annotations

import functools
from typing import Any

import jsonschema
from jsonschema.exceptions import ValidationError, best_match

from vpbx_mock.errors import ApiError
from vpbx_spec.document import bundled_schemas

REQUEST_SCHEMA = "AddMobileNumberRequest"


@functools.cache
def _request_validator() -> jsonschema.Draft202012Validator:
    return bundled_schemas().component(REQUEST_SCHEMA)


def _field_at_fault(error: ValidationError) -> str | None:
    """The top-level request property an error is about, if there is one."""
    if error.absolute_path:
        return str(error.absolute_path[0])
    if error.validator == "required":
        # jsonschema reports a missing property at the object; the name is in the check.
        missing = [name for name in error.validator_value if name not in error.instance]
        return missing[0] if missing else None
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        known = set(error.schema.get("properties", {}))
        unexpected = sorted(name for name in error.instance if name not in known)
        return unexpected[0] if unexpected else None
    return None


def validation_error(value: Any) -> ApiError | None:
    """The ApiError (400, validation_failed) for an invalid body, or None if it is valid."""
    error = best_match(_request_validator().iter_errors(value))
    if error is None:
        return None
    if not isinstance(value, dict):
        return ApiError(400, "validation_failed", "The body must be a JSON object.")
    field = _field_at_fault(error)
    message = f"{field}: {error.message}" if field and error.absolute_path else error.message
    return ApiError(400, "validation_failed", message, field=field)

