"""The operations of the document, as the mock needs them: path, method, parameters, body schema.

Read from openapi/openapi.yaml through vpbx_spec; nothing here names a schema or a field.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from vpbx_mock.errors import ApiError, shorten
from vpbx_mock.store import SQLITE_MAX_INTEGER
from vpbx_mock.validation import SchemaValidator, body_error, parameter_error
from vpbx_spec.document import DocumentSchemas, bundled_schemas, escape_pointer_token
from vpbx_spec.walk import iter_operations

JSON_MEDIA_TYPE = "application/json"
_INTEGER_TEXT = re.compile(r"-?[0-9]+")
_MAX_INTEGER_DIGITS = len(str(-SQLITE_MAX_INTEGER - 1))


@dataclass(frozen=True)
class Parameter:
    name: str
    location: str  # "path" or "query"
    required: bool
    validator: SchemaValidator
    integer: bool  # the schema is an integer: the text of the URL is read as one

    def parse(self, text: str) -> Any:
        """The parameter's value from its text in the URL, or an ApiError (400)."""
        value: Any = text
        if self.integer and _INTEGER_TEXT.fullmatch(text):
            # The document's bound (D30) is checked below; this only keeps int() from texts it
            # refuses (more than 4300 digits): a text longer than any 64-bit integer is beyond
            # every bound the document sets, and beyond what SQLite can hold.
            if len(text) > _MAX_INTEGER_DIGITS:
                raise ApiError(400, "validation_failed",
                               f"{self.name}: {shorten(text, 40)} is out of range", field=self.name)
            value = int(text)
        problem = parameter_error(self.validator, self.name, value)
        if problem is not None:
            raise problem
        return value


@dataclass(frozen=True)
class Operation:
    operation_id: str
    method: str  # "GET", "POST", ...
    path: str  # the document's path template, e.g. "/numbers/virtual-number/{id}"
    parameters: tuple[Parameter, ...]
    body: SchemaValidator | None  # the application/json request schema

    def path_parameter(self, name: str) -> Parameter:
        return next(p for p in self.parameters if p.location == "path" and p.name == name)

    def query_parameters(self) -> tuple[Parameter, ...]:
        return tuple(p for p in self.parameters if p.location == "query")

    def body_error(self, value: Any) -> ApiError | None:
        assert self.body is not None
        return body_error(self.body, value)


def _ref_pointer(node: Any, pointer: str) -> str:
    """Where a node really is: the target of a local $ref, else its own pointer."""
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"].startswith("#"):
        pointer = node["$ref"][1:]
        node = _at(node["$ref"][1:])
    return pointer


def _at(pointer: str) -> Any:
    node: Any = bundled_schemas().document
    for token in pointer.split("/")[1:]:
        node = node[token.replace("~1", "/").replace("~0", "~")]
    return node


def _parameter(schemas: DocumentSchemas, node: Any, pointer: str) -> Parameter:
    pointer = _ref_pointer(node, pointer)
    parameter = schemas.resolve(node)
    schema = schemas.resolve(parameter["schema"])
    types = schema.get("type")
    integer = types == "integer" or (isinstance(types, list) and "integer" in types)
    return Parameter(name=parameter["name"], location=parameter["in"],
                     required=bool(parameter.get("required")),
                     validator=SchemaValidator(schemas, pointer + "/schema"), integer=integer)


def _body(schemas: DocumentSchemas, operation: dict[str, Any],
          pointer: str) -> SchemaValidator | None:
    request_body = operation.get("requestBody")
    if request_body is None:
        return None
    pointer = _ref_pointer(request_body, pointer + "/requestBody")
    content = schemas.resolve(request_body)["content"]
    if JSON_MEDIA_TYPE not in content:
        raise ValueError(f"{pointer}: the mock serves only {JSON_MEDIA_TYPE} bodies")
    return SchemaValidator(schemas, f"{pointer}/content/{escape_pointer_token(JSON_MEDIA_TYPE)}/schema")


@functools.cache
def operations() -> dict[str, Operation]:
    """operationId -> Operation, for every operation of the bundled document."""
    schemas = bundled_schemas()
    document = schemas.document
    result: dict[str, Operation] = {}
    for pointer, name, operation in iter_operations(document):
        method, _, path = name.partition(" ")
        path_pointer = "/paths/" + escape_pointer_token(path)
        shared = [(node, f"{path_pointer}/parameters/{index}")
                  for index, node in enumerate(document["paths"][path].get("parameters") or ())]
        own = [(node, f"{pointer}/parameters/{index}")
               for index, node in enumerate(operation.get("parameters") or ())]
        parameters = {}
        for node, node_pointer in shared + own:  # an operation's own overrides the path's
            parameter = _parameter(schemas, node, node_pointer)
            parameters[(parameter.name, parameter.location)] = parameter
        result[operation["operationId"]] = Operation(
            operation_id=operation["operationId"], method=method, path=path,
            parameters=tuple(parameters.values()), body=_body(schemas, operation, pointer))
    return result
