"""Our own lint rules for the OpenAPI document.

openapi-spec-validator says whether the document is valid OpenAPI; these rules say whether
it is a good contract: described, unambiguous, with examples that are true.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from vpbx_spec.document import Document, DocumentSchemas
from vpbx_spec.walk import iter_media_types, iter_operations, iter_responses, iter_schemas

JSON_MEDIA_TYPE = "application/json"


@dataclass(frozen=True)
class Problem:
    rule: str
    location: str  # a JSON Pointer into the document
    message: str

    def __str__(self) -> str:
        return f"{self.rule}: {self.location or '/'}: {self.message}"


Rule = Callable[[DocumentSchemas], Iterator[Problem]]


def properties_have_descriptions(schemas: DocumentSchemas) -> Iterator[Problem]:
    for pointer, schema in iter_schemas(schemas.document):
        for name, prop in (schema.get("properties") or {}).items():
            description = prop.get("description") if isinstance(prop, dict) else None
            if not (isinstance(description, str) and description.strip()):
                yield Problem("property-description", f"{pointer}/properties/{name}",
                              f"property {name!r} has no description")


def _describe_non_ascii(value: str) -> str:
    return ", ".join(
        f"U+{ord(char):04X} {unicodedata.name(char, 'UNNAMED')} at index {index}"
        for index, char in enumerate(value)
        if not (char.isascii() and char.isprintable())
    )


def enum_values_are_printable_ascii(schemas: DocumentSchemas) -> Iterator[Problem]:
    """A look-alike letter (Cyrillic "с" in "сompany") makes a value nobody can type."""
    for pointer, schema in iter_schemas(schemas.document):
        values = list(schema.get("enum") or ())
        if "const" in schema:
            values.append(schema["const"])
        for value in values:
            if isinstance(value, str) and not (value.isascii() and value.isprintable()):
                yield Problem("enum-ascii", pointer,
                              f"enum value {value!r} is not printable ASCII: "
                              f"{_describe_non_ascii(value)}")


def _example_values(holder: dict[str, Any], schemas: DocumentSchemas) -> Iterator[tuple[str, Any]]:
    """(label, value) for the "example" and every named entry of "examples" of a holder."""
    if "example" in holder:
        yield "example", holder["example"]
    examples = holder.get("examples")
    if isinstance(examples, dict):  # media types: name -> Example Object (or a $ref to one)
        for name, example in examples.items():
            example = schemas.resolve(example)
            if isinstance(example, dict) and "value" in example:
                yield f"examples/{name}", example["value"]
    elif isinstance(examples, list):  # schemas: a plain list of values
        for index, value in enumerate(examples):
            yield f"examples/{index}", value


def _problems_of_example(schemas: DocumentSchemas, schema_pointer: str, label: str,
                         location: str, value: Any) -> Iterator[Problem]:
    for error in schemas.validator_at(schema_pointer).iter_errors(value):
        where = "/".join(str(part) for part in error.absolute_path) or "(root)"
        yield Problem("example-valid", f"{location}/{label}", f"at {where}: {error.message}")


def examples_are_valid(schemas: DocumentSchemas) -> Iterator[Problem]:
    for pointer, media in iter_media_types(schemas.document):
        if "schema" not in media:
            continue
        for label, value in _example_values(media, schemas):
            yield from _problems_of_example(schemas, f"{pointer}/schema", label, pointer, value)
    for pointer, schema in iter_schemas(schemas.document):
        for label, value in _example_values(schema, schemas):
            yield from _problems_of_example(schemas, pointer, label, pointer, value)


def operations_have_id_and_security(schemas: DocumentSchemas) -> Iterator[Problem]:
    document = schemas.document
    declared = set(((document.get("components") or {}).get("securitySchemes") or {}))
    seen_ids: dict[str, str] = {}
    for pointer, name, operation in iter_operations(document):
        operation_id = operation.get("operationId")
        if not (isinstance(operation_id, str) and operation_id):
            yield Problem("operation-id", pointer, f"{name} has no operationId")
        elif operation_id in seen_ids:
            yield Problem("operation-id", pointer,
                          f"operationId {operation_id!r} is also used by {seen_ids[operation_id]}")
        else:
            seen_ids[operation_id] = name
        requirements = operation.get("security", document.get("security"))
        if not requirements:
            yield Problem("operation-security", pointer, f"{name} declares no security")
            continue
        for requirement in requirements:
            for scheme in requirement:
                if scheme not in declared:
                    yield Problem("operation-security", pointer,
                                  f"{name} requires undeclared security scheme {scheme!r}")


def responses_have_json_bodies(schemas: DocumentSchemas) -> Iterator[Problem]:
    for pointer, response in iter_responses(schemas.document):
        content = (schemas.resolve(response) or {}).get("content") or {}
        media = content.get(JSON_MEDIA_TYPE)
        if not (isinstance(media, dict) and "schema" in media):
            yield Problem("response-json", pointer,
                          f"response has no {JSON_MEDIA_TYPE} body with a schema")


RULES: tuple[Rule, ...] = (
    properties_have_descriptions,
    enum_values_are_printable_ascii,
    examples_are_valid,
    operations_have_id_and_security,
    responses_have_json_bodies,
)


def lint(document: Document) -> list[Problem]:
    schemas = DocumentSchemas(document)
    return [problem for rule in RULES for problem in rule(schemas)]
