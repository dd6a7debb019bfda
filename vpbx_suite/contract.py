"""Facts the suite needs about the contract, read per operation from the OpenAPI document.

The suite never restates a schema: which operations exist, their paths, parameters and
documented statuses, which request properties and enum values they take, which response
fields may be null, and which operation plays which part in a number's life (read from the
document's links) all come from here.
"""

from __future__ import annotations

import functools
import re
from urllib.parse import unquote
from dataclasses import dataclass, field
from typing import Any

from vpbx_spec.document import DocumentSchemas, bundled_schemas
from vpbx_spec.walk import iter_operations

JSON_MEDIA_TYPE = "application/json"

# Statuses that mean "your input is invalid". Operations document others too (401, 403 for
# the token, 404, 405, 409); none of them is a right answer to a malformed body sent with a
# valid token and a fresh number.
INVALID_INPUT_STATUSES = frozenset({400, 413, 415, 422})
AUTH_REJECTION_STATUSES = frozenset({401, 403})
DUPLICATE_STATUS = 409
NOT_FOUND_STATUS = 404

# The property that identifies a number on the account (D11) and the one links carry (D23).
NUMBER_FIELD = "number"
_LINK_EXPRESSION = re.compile(r"^\$response\.body#/(?P<field>[A-Za-z_][A-Za-z0-9_]*)$")


@dataclass(frozen=True)
class OperationFacts:
    operation_id: str
    method: str  # lower case, e.g. "post"
    path: str    # the template, e.g. "/numbers/virtual-number/{id}"
    documented_statuses: frozenset[int]
    success_statuses: frozenset[int]
    request_pointer: str | None                  # JSON Pointer of the request body schema
    request_properties: dict[str, dict[str, Any]]  # every property any shape of the body may have
    request_required: tuple[str, ...]              # required in every shape
    request_conditional: tuple[str, ...]           # required in some shapes only (D27)
    request_examples: dict[str, Any]
    path_parameters: dict[str, dict[str, Any]]     # name -> schema
    query_parameters: dict[str, dict[str, Any]]
    response_pointer: str | None                 # JSON Pointer of the success body schema
    response_is_array: bool
    response_enums: dict[str, tuple[str, ...]]
    response_nullable: tuple[str, ...]
    response_fields: tuple[str, ...] = ()
    links: dict[str, tuple[str, str]] = field(default_factory=dict)  # target id -> (param, field)

    @property
    def label(self) -> str:
        return f"{self.method.upper()} {self.path}"

    @property
    def has_body(self) -> bool:
        return self.request_pointer is not None

    @property
    def enum_request_properties(self) -> dict[str, tuple[str, ...]]:
        return {name: values for name, schema in self.request_properties.items()
                if (values := allowed_values(schema)) is not None}

    def path_parameters_of(self, path: str) -> dict[str, str] | None:
        """The path parameters of a concrete path of this operation (raw strings), or None."""
        match = _template_regex(self.path).fullmatch(path)
        return None if match is None else {name: unquote(value) for name, value in match.groupdict().items()}

    def url_path(self, **parameters: Any) -> str:
        return self.path.format(**{name: str(value) for name, value in parameters.items()})

    def rejection_statuses(self) -> list[int]:
        """The documented statuses that say "invalid input"."""
        return sorted(INVALID_INPUT_STATUSES & self.documented_statuses)


@dataclass(frozen=True)
class Lifecycle:
    """Which operation plays which part in a number's life (None: not in the document)."""

    add: str | None
    read: str | None
    edit: str | None
    delete: str | None
    listing: str | None
    connectable: str | None


@dataclass(frozen=True)
class ContractFacts:
    operations: dict[str, OperationFacts]
    lifecycle: Lifecycle

    def __getitem__(self, operation_id: str) -> OperationFacts:
        return self.operations[operation_id]

    @functools.cached_property
    def implemented_methods(self) -> frozenset[str]:
        """The methods the API implements on some path (HEAD with GET, RFC 9110 §9.1); any
        other may be answered 501 instead of 405 (D10)."""
        methods = {facts.method.upper() for facts in self.operations.values()}
        return frozenset(methods | ({"HEAD"} if "GET" in methods else set()))

    def by_route(self, method: str, path: str) -> OperationFacts | None:
        """The operation a concrete request (method, path without query) belongs to."""
        for facts in self.operations.values():
            if facts.method == method.lower() and facts.path_parameters_of(path) is not None:
                return facts
        return None


@functools.cache
def _template_regex(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}]+\})", template)
    return re.compile("".join(f"(?P<{part[1:-1]}>[^/]+)" if part.startswith("{") else re.escape(part)
                              for part in parts))


def allowed_values(schema: dict[str, Any]) -> tuple[str, ...] | None:
    if "enum" in schema:
        return tuple(schema["enum"])
    if "const" in schema:
        return (schema["const"],)
    return None


def _merged(schemas: DocumentSchemas, node: Any) -> dict[str, Any]:
    """A property schema with its $ref followed; keys written beside the $ref win."""
    return {**schemas.resolve(node), **node} if isinstance(node, dict) else {}


def object_shapes(schemas: DocumentSchemas, schema: Any) -> list[dict[str, Any]]:
    """The object schemas a value may match: the schema itself, or each branch of a oneOf/anyOf."""
    schema = schemas.resolve(schema)
    branches = schema.get("oneOf") or schema.get("anyOf")
    if branches:
        return [shape for branch in branches for shape in object_shapes(schemas, branch)]
    return [schema]


def shape_properties(schemas: DocumentSchemas, shapes: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Every property of every shape; a property in several shapes gets the union of its values."""
    merged: dict[str, dict[str, Any]] = {}
    for shape in shapes:
        for name, node in (shape.get("properties") or {}).items():
            prop = _merged(schemas, node)
            if name in merged and allowed_values(prop) and allowed_values(merged[name]):
                values = (*allowed_values(merged[name]), *allowed_values(prop))  # type: ignore[misc]
                prop = {key: value for key, value in prop.items() if key != "const"}
                prop["enum"] = list(dict.fromkeys(values))
            merged[name] = prop
    return merged


def _pointer_of(node: Any, fallback: str) -> str:
    ref = node.get("$ref") if isinstance(node, dict) else None
    return ref[1:] if isinstance(ref, str) and ref.startswith("#/") else fallback


def _operation_facts(schemas: DocumentSchemas, pointer: str, method: str, path: str,
                     operation: dict[str, Any], path_item: dict[str, Any]) -> OperationFacts:
    responses = {int(status): schemas.resolve(response)
                 for status, response in (operation.get("responses") or {}).items()}
    statuses = frozenset(responses)
    success = frozenset(status for status in statuses if 200 <= status < 300)

    body = operation.get("requestBody")
    request_pointer = None
    request_properties: dict[str, dict[str, Any]] = {}
    required: tuple[str, ...] = ()
    conditional: tuple[str, ...] = ()
    examples: dict[str, Any] = {}
    if isinstance(body, dict):
        media = schemas.resolve(body)["content"][JSON_MEDIA_TYPE]
        request_pointer = _pointer_of(media["schema"], f"{pointer}/requestBody/content/application~1json/schema")
        shapes = object_shapes(schemas, media["schema"])
        request_properties = shape_properties(schemas, shapes)
        required = tuple(name for name in request_properties
                         if all(name in (shape.get("required") or ()) for shape in shapes))
        conditional = tuple(name for name in request_properties if name not in required
                            and any(name in (shape.get("required") or ()) for shape in shapes))
        examples = {name: example["value"] for name, example in (media.get("examples") or {}).items()}

    parameters = [schemas.resolve(p) for p in [*(path_item.get("parameters") or ()),
                                               *(operation.get("parameters") or ())]]
    path_parameters = {p["name"]: _merged(schemas, p["schema"]) for p in parameters if p["in"] == "path"}
    query_parameters = {p["name"]: _merged(schemas, p["schema"]) for p in parameters if p["in"] == "query"}

    response_pointer, is_array, enums, nullable, fields = None, False, {}, (), ()
    links: dict[str, tuple[str, str]] = {}
    for status in sorted(success):
        response = responses[status]
        for target in (response.get("links") or {}).values():
            for parameter, expression in (target.get("parameters") or {}).items():
                match = _LINK_EXPRESSION.match(str(expression))
                if match:
                    links[target["operationId"]] = (parameter, match.group("field"))
        media = (response.get("content") or {}).get(JSON_MEDIA_TYPE)
        if media is None or response_pointer is not None:
            continue
        schema_node = media["schema"]
        resolved = schemas.resolve(schema_node)
        is_array = resolved.get("type") == "array"
        item_node = resolved["items"] if is_array else schema_node
        response_pointer = _pointer_of(item_node, "")
        item_properties = shape_properties(schemas, object_shapes(schemas, item_node))
        enums = {name: values for name, prop in item_properties.items()
                 if (values := allowed_values(prop)) is not None}
        nullable = tuple(name for name, prop in item_properties.items()
                         if isinstance(prop.get("type"), list) and "null" in prop["type"])
        fields = tuple(item_properties)
    return OperationFacts(
        operation_id=operation["operationId"], method=method, path=path,
        documented_statuses=statuses, success_statuses=success,
        request_pointer=request_pointer, request_properties=request_properties,
        request_required=required, request_conditional=conditional, request_examples=examples,
        path_parameters=path_parameters, query_parameters=query_parameters,
        response_pointer=response_pointer or None, response_is_array=is_array,
        response_enums=enums, response_nullable=nullable, response_fields=fields, links=links,
    )


def _lifecycle(operations: dict[str, OperationFacts]) -> Lifecycle:
    """Roles from the document's structure: the operation whose answer links to others adds;
    its links name read, edit and delete by their methods; the parameterless GET that answers
    an array of the added record is the listing, another such GET the connectable listing."""
    add = next((o for o in operations.values() if o.method == "post" and o.links), None)
    targets = [operations[target] for target in (add.links if add else ()) if target in operations]

    def linked(method: str) -> str | None:
        return next((o.operation_id for o in targets if o.method == method), None)

    arrays = [o for o in operations.values()
              if o.method == "get" and o.response_is_array and not o.path_parameters]
    listing = next((o for o in arrays if add and o.response_pointer == add.response_pointer), None)
    connectable = next((o for o in arrays if o is not listing
                        and NUMBER_FIELD in o.response_fields), None)
    return Lifecycle(add=add.operation_id if add else None, read=linked("get"), edit=linked("put"),
                     delete=linked("delete"), listing=listing.operation_id if listing else None,
                     connectable=connectable.operation_id if connectable else None)


def facts_from(schemas: DocumentSchemas) -> ContractFacts:
    document = schemas.document
    operations: dict[str, OperationFacts] = {}
    for pointer, label, operation in iter_operations(document):
        method, path = label.split(" ", 1)
        facts = _operation_facts(schemas, pointer, method.lower(), path, operation,
                                 document["paths"][path])
        operations[facts.operation_id] = facts
    return ContractFacts(operations, _lifecycle(operations))


@functools.cache
def bundled_facts() -> ContractFacts:
    return facts_from(bundled_schemas())
