"""Generation that hits the edges too (importing this module registers the hook).

schemathesis draws strings that satisfy the document; left alone, free text is mostly ASCII.
This hook redraws, in each generated body, every free-text property (a string without pattern
or enum) whose drawn value is valid, from the hard classes of the edge catalog: every script
at the length bound, control characters, NUL, right-to-left and combining text, characters
outside the BMP, HTML and SQL specials, surrounding whitespace. A value that breaks its rule is
what a negative case is about; it is left as drawn. (A valid city number is replaced before
sending, by one of a region the run has not used yet: vpbx_suite.prepare.)
"""

from __future__ import annotations

import functools
from typing import Any

import jsonschema
import schemathesis
from hypothesis import strategies as st

from vpbx_suite.contract import OperationFacts, bundled_facts
from vpbx_suite.edges import SCRIPTS, TEXT_SAMPLES


@functools.cache
def _property_validator(operation_id: str, name: str) -> jsonschema.Draft202012Validator:
    """The rule of one property, whichever shape of the body it is in (its $ref followed)."""
    schema = bundled_facts().operations[operation_id].request_properties[name]
    return jsonschema.Draft202012Validator({key: value for key, value in schema.items() if key != "$ref"})


def _free_text(schema: dict[str, Any]) -> bool:
    types = schema.get("type")
    return (types == "string" or (isinstance(types, list) and "string" in types)) and not (
        "pattern" in schema or "enum" in schema or "const" in schema)


def hard_text(max_length: int | None) -> st.SearchStrategy[str]:
    """Free text from the hard classes; at the bound in every script when there is one."""
    samples = list(TEXT_SAMPLES.values())
    if max_length is not None:
        samples += [char * max_length for char in SCRIPTS.values()]
    alphabet = st.characters(codec="utf-8", categories=["L", "M", "N", "P", "S", "Z", "Cc", "Cf"])
    return st.one_of(st.sampled_from(samples), st.text(alphabet, max_size=max_length or 64))


def _redraw(operation: OperationFacts, body: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    parts: dict[str, st.SearchStrategy[Any]] = {}
    for name, value in body.items():
        schema = operation.request_properties.get(name)
        if schema is None or operation.request_pointer is None:
            parts[name] = st.just(value)
            continue
        valid = _property_validator(operation.operation_id, name)
        if not valid.is_valid(value):
            parts[name] = st.just(value)
        elif _free_text(schema):
            parts[name] = st.one_of(st.just(value), hard_text(schema.get("maxLength")).filter(valid.is_valid))
        else:
            parts[name] = st.just(value)
    return st.fixed_dictionaries(parts)


@schemathesis.hook
def flatmap_body(ctx: Any, body: Any) -> st.SearchStrategy[Any]:
    operation = ctx.operation
    facts = next((o for o in bundled_facts().operations.values()
                  if o.path == operation.path and o.method == operation.method.lower()), None)
    if facts is None or not isinstance(body, dict):
        return st.just(body)
    return _redraw(facts, body)
