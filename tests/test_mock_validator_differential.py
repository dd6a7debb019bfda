"""The mock's compiled validator (jsonschema-rs first, jsonschema on a reject) against
jsonschema alone, over more than 10,000 generated bodies per request schema of the document.

Bodies: valid ones drawn by hypothesis from a strategy built from the schema itself (below,
for the keywords the request schemas use; an unknown keyword fails the test rather than being
skipped), each followed by seeded mutations (a property dropped, added, retyped, its text
edited, a value of another schema, integers beyond 64 bits, non-objects). Every body must get
the same verdict, the same message and the same field from both, and jsonschema-rs on its own
must never accept a body jsonschema rejects (the mock trusts its "valid").
"""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vpbx_mock.operations import operations
from vpbx_mock.validation import SchemaValidator, body_error
from vpbx_spec.document import bundled_schemas
from vpbx_spec.walk import iter_schemas

BASES = 400  # hypothesis examples per schema
MUTATIONS_PER_BASE = 30  # bodies per example: 400 * 31 = 12,400 per schema
MIN_BODIES = 10_000
REQUEST_BODIES = {op.operation_id: op.body for op in operations().values() if op.body is not None}
_HANDLED = {"type", "properties", "required", "additionalProperties", "enum", "const",
            "pattern", "minLength", "maxLength", "minimum", "maximum", "oneOf", "$ref", "description",
            "examples",
            # Annotations for generators: they change no value's validity (the bound of an
            # int64 is its `maximum`; a discriminator names the branches `oneOf` tells apart).
            "format", "discriminator"}


def strategy(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Valid values of a request schema, read from the schema."""
    schema = bundled_schemas().resolve(schema)
    unknown = set(schema) - _HANDLED
    assert not unknown, f"the generator does not know {unknown}; teach it before trusting it"
    if "oneOf" in schema:
        return st.one_of([strategy(branch) for branch in schema["oneOf"]])
    if "const" in schema:
        return st.just(schema["const"])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    kind = schema.get("type")
    if kind == "object":
        properties = schema.get("properties", {})
        required = set(schema.get("required", ()))
        return st.fixed_dictionaries(
            {name: strategy(properties[name]) for name in properties if name in required},
            optional={name: strategy(properties[name]) for name in properties if name not in required})
    if kind == "integer":
        return st.integers(min_value=schema.get("minimum"), max_value=schema.get("maximum"))
    if kind == "string":
        size = {"min_size": schema.get("minLength", 0), "max_size": schema.get("maxLength")}
        if "pattern" in schema:
            return st.from_regex(schema["pattern"], fullmatch=True).filter(
                lambda text: size["min_size"] <= len(text) <= (size["max_size"] or len(text)))
        return st.text(**size)
    raise AssertionError(f"no strategy for {schema}")


def document_values() -> list[Any]:
    """Every enum and const value of the whole document: values of other schemas."""
    values: list[Any] = []
    for _, schema in iter_schemas(bundled_schemas().document):
        values.extend(schema.get("enum", ()))
        if "const" in schema:
            values.append(schema["const"])
    return values


ODD_VALUES = [None, True, False, 0, 1, -1, 1.0, 1.5, 2**63, 10**30, -(2**63) - 1, "", " ",
              "x" * 256, "ж" * 255, "ж" * 256, "сompany", "\n", [], {}, [1], {"a": 1},
              "79268622332", "79268622332\n", "+79268622332", "7926862233", "792686223321",
              "7495804230O", "٧٩٢٦٨٦٢٢٣٣٢"]


def mutations(body: dict[str, Any], rng: random.Random, pool: list[Any]) -> list[Any]:
    names = list(body)
    out: list[Any] = []
    for _ in range(MUTATIONS_PER_BASE):
        mutant: Any = dict(body)
        roll = rng.randrange(9)
        name = rng.choice(names) if names else "id"
        if roll == 0 and names:
            del mutant[name]
        elif roll == 1:
            mutant[rng.choice(["x", "employee_id", "comment", "id", "purpose", "number"])] = rng.choice(pool)
        elif roll in (2, 3):
            mutant[name] = rng.choice(pool)
        elif roll == 4 and isinstance(body.get(name), str):
            text = body[name]
            cut = rng.randrange(len(text) + 1)
            mutant[name] = rng.choice([text[:cut] + rng.choice("0a\nж ") + text[cut:],
                                       text[:cut] + text[cut + 1:], text + "\n", text.upper()])
        elif roll == 5 and isinstance(body.get(name), int) and not isinstance(body[name], bool):
            mutant[name] = rng.choice([body[name] + 2**63, -body[name], float(body[name]),
                                       body[name] + 0.5, str(body[name]), 0])
        elif roll == 6:
            mutant = rng.choice([[body], None, "body", 1, [], True])
        elif roll == 7:  # another body's property: recombination, often still valid
            mutant[name] = rng.choice(pool)
            mutant.pop(rng.choice(names), None) if rng.random() < 0.3 and names else None
        else:
            mutant = dict(body)  # unchanged: the valid share
        out.append(mutant)
    return out


@pytest.mark.parametrize("operation_id", REQUEST_BODIES)
def test_the_compiled_validator_agrees_with_jsonschema(operation_id):
    validator: SchemaValidator = REQUEST_BODIES[operation_id]
    reference = validator.reference
    base_strategy = strategy({"$ref": "#" + validator.pointer})
    pool = document_values() + ODD_VALUES
    verdicts: Counter[str] = Counter()
    compiled_only_rejects: list[Any] = []

    @settings(max_examples=BASES, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(base_strategy)
    def check(base: dict[str, Any]) -> None:
        assert reference.is_valid(base), base  # the strategy itself makes valid bodies
        rng = random.Random(repr(base))
        pool.extend(base.values())
        for body in [base, *mutations(base, rng, pool)]:
            valid = reference.is_valid(body)
            verdicts["valid" if valid else "invalid"] += 1
            expected = body_error(reference, body)
            got = body_error(validator, body)
            assert (got is None) == valid, body
            if expected is not None:
                assert got is not None and (got.status, got.code, got.message, got.field) == (
                    expected.status, expected.code, expected.message, expected.field), body
            try:
                fast = validator.compiled.is_valid(body)
            except (ValueError, TypeError, OverflowError):
                fast = False
            assert not (fast and not valid), f"jsonschema-rs accepts what jsonschema rejects: {body!r}"
            if valid and not fast:
                compiled_only_rejects.append(body)

    check()
    total = verdicts["valid"] + verdicts["invalid"]
    print(f"\n{operation_id}: {total:,} bodies, {verdicts['valid']:,} valid,"
          f" {verdicts['invalid']:,} invalid; {len(compiled_only_rejects)} valid bodies only"
          f" jsonschema accepts (slow path), e.g. {compiled_only_rejects[:1]}")
    assert total >= MIN_BODIES
    assert verdicts["valid"] >= total // 5 and verdicts["invalid"] >= total // 5
