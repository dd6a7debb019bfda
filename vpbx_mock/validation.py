"""Validate a value against a schema of the OpenAPI document, and name the property at fault.

There is no second, hand-written schema: whatever the document accepts, the mock accepts.
A value is first checked by jsonschema-rs (compiled, about 20x faster); only when it says
"invalid" does jsonschema (the reference implementation) look again, for the verdict and the
message. The answer is therefore always jsonschema's, as long as jsonschema-rs never accepts
what jsonschema rejects: tests/test_mock_validator_differential.py checks that over tens of
thousands of generated bodies (it rejects some valid ones, e.g. integers beyond 64 bits; those
only take the slow path).
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterable
from typing import Any

import jsonschema
import jsonschema_rs
from jsonschema.exceptions import ValidationError, best_match

from vpbx_mock.errors import ApiError
from vpbx_spec.document import DocumentSchemas

# Keywords that tell oneOf branches apart: a branch whose const/enum/type the value breaks is
# the branch the client did not mean (D27: purpose "employee" selects EditToEmployee).
_BRANCH_SELECTORS = frozenset({"const", "enum", "type"})


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


def _is_top_level_choice(error: ValidationError) -> bool:
    return error.validator in ("oneOf", "anyOf") and not error.absolute_path and bool(error.context)


def _closest_branch(error: ValidationError) -> ValidationError:
    """For a failed oneOf/anyOf at the top, the most telling error of the nearest branch."""
    while _is_top_level_choice(error):
        branches: dict[Any, list[ValidationError]] = {}
        for sub in error.context:
            branches.setdefault(sub.relative_schema_path[0], []).append(sub)

        def distance(errors: list[ValidationError]) -> tuple[int, int]:
            selectors = sum(1 for sub in errors if sub.validator in _BRANCH_SELECTORS)
            return selectors, len(errors)

        nearest = min(branches.values(), key=distance)  # ties: the first branch written
        error = best_match(nearest) or nearest[0]
    return error


def first_error(errors: Iterable[ValidationError]) -> ValidationError | None:
    """The error to report. best_match alone would pick a oneOf's branch by error depth
    ("employee" is not one of [company, not_specified]) instead of the branch meant."""
    found = list(errors)
    for error in found:
        if _is_top_level_choice(error):
            return _closest_branch(error)
    return best_match(found)


class SchemaValidator:
    """The schema at a JSON Pointer of the document, compiled twice: fast, and reference."""

    def __init__(self, schemas: DocumentSchemas, pointer: str) -> None:
        self.pointer = pointer
        self.reference = schemas.validator_at(pointer)
        # The whole document is the root, so that its "#/components/..." references resolve;
        # the pointer is a URI fragment there ("{id}" percent-encoded).
        fragment = urllib.parse.quote(pointer, safe="/~-._")
        self.compiled = jsonschema_rs.Draft202012Validator({**schemas.document, "$ref": "#" + fragment})

    def iter_errors(self, value: Any) -> Iterable[ValidationError]:
        try:
            if self.compiled.is_valid(value):
                return ()
        except (ValueError, TypeError, OverflowError):  # a value it cannot convert: ask jsonschema
            pass
        return self.reference.iter_errors(value)


Validator = SchemaValidator | jsonschema.Draft202012Validator


def body_error(validator: Validator, value: Any) -> ApiError | None:
    """The ApiError (400, validation_failed) for an invalid body, or None if it is valid."""
    error = first_error(validator.iter_errors(value))
    if error is None:
        return None
    if not isinstance(value, dict):
        return ApiError(400, "validation_failed", "The body must be a JSON object.")
    field = _field_at_fault(error)
    message = f"{field}: {error.message}" if field and error.absolute_path else error.message
    return ApiError(400, "validation_failed", message, field=field)


def parameter_error(validator: Validator, name: str,
                    value: Any) -> ApiError | None:
    """The ApiError (400, validation_failed, field=name) for an invalid parameter value."""
    error = first_error(validator.iter_errors(value))
    if error is None:
        return None
    return ApiError(400, "validation_failed", f"{name}: {error.message}", field=name)
