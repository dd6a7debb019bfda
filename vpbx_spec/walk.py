"""Find every schema, media type and operation in an OpenAPI 3.1 document.

Locations are JSON Pointers into the document, so a lint message points at the exact spot.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from vpbx_spec.document import Document, escape_pointer_token

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

# JSON Schema keywords whose value is one subschema, a list of them, or a map of them.
_SUBSCHEMA = ("items", "additionalProperties", "not", "if", "then", "else", "contains",
              "propertyNames", "unevaluatedItems", "unevaluatedProperties", "contentSchema")
_SUBSCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
_SUBSCHEMA_MAPS = ("properties", "patternProperties", "$defs", "dependentSchemas")


def _child(pointer: str, *tokens: str) -> str:
    return pointer + "".join("/" + escape_pointer_token(str(token)) for token in tokens)


def iter_subschemas(schema: Any, pointer: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """The schema itself and every schema nested in it, depth first."""
    if not isinstance(schema, dict):
        return
    yield pointer, schema
    for keyword in _SUBSCHEMA:
        yield from iter_subschemas(schema.get(keyword), _child(pointer, keyword))
    for keyword in _SUBSCHEMA_LISTS:
        for index, item in enumerate(schema.get(keyword) or ()):
            yield from iter_subschemas(item, _child(pointer, keyword, str(index)))
    for keyword in _SUBSCHEMA_MAPS:
        for name, item in (schema.get(keyword) or {}).items():
            yield from iter_subschemas(item, _child(pointer, keyword, name))


def iter_operations(document: Document) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(pointer, "POST /path", operation) for every operation."""
    for path, item in (document.get("paths") or {}).items():
        for method in HTTP_METHODS:
            if isinstance(item, dict) and isinstance(item.get(method), dict):
                yield _child("/paths", path, method), f"{method.upper()} {path}", item[method]


def iter_responses(document: Document) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every response object: those of operations and those in components/responses."""
    for pointer, _, operation in iter_operations(document):
        for status, response in (operation.get("responses") or {}).items():
            yield _child(pointer, "responses", status), response
    for name, response in ((document.get("components") or {}).get("responses") or {}).items():
        yield _child("/components/responses", name), response


def iter_media_types(document: Document) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every media type object of a request body or a response."""
    bodies: list[tuple[str, Any]] = []
    for pointer, _, operation in iter_operations(document):
        bodies.append((_child(pointer, "requestBody"), operation.get("requestBody")))
    bodies.extend(iter_responses(document))
    components = document.get("components") or {}
    for name, body in (components.get("requestBodies") or {}).items():
        bodies.append((_child("/components/requestBodies", name), body))
    for pointer, body in bodies:
        if isinstance(body, dict):
            for media_type, media in (body.get("content") or {}).items():
                if isinstance(media, dict):
                    yield _child(pointer, "content", media_type), media


def _iter_parameter_like(document: Document) -> Iterator[tuple[str, dict[str, Any]]]:
    """Parameters and headers: objects that carry a "schema" of their own."""
    for pointer, _, operation in iter_operations(document):
        for index, parameter in enumerate(operation.get("parameters") or ()):
            yield _child(pointer, "parameters", str(index)), parameter
    for pointer, response in iter_responses(document):
        for name, header in ((response or {}).get("headers") or {}).items():
            yield _child(pointer, "headers", name), header
    components = document.get("components") or {}
    for section in ("parameters", "headers"):
        for name, item in (components.get(section) or {}).items():
            yield _child("/components", section, name), item


def iter_schemas(document: Document) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every schema in the document, wherever it is written."""
    components = document.get("components") or {}
    for name, schema in (components.get("schemas") or {}).items():
        yield from iter_subschemas(schema, _child("/components/schemas", name))
    holders = [*iter_media_types(document), *_iter_parameter_like(document)]
    for pointer, holder in holders:
        if isinstance(holder, dict):
            yield from iter_subschemas(holder.get("schema"), _child(pointer, "schema"))
