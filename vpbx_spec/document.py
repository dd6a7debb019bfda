"""The OpenAPI document: where it lives, how to load it, and validators for its parts.

Everything that needs a schema (the mock, the lint rules, the tests) asks this module for
a validator that points into the document, so no schema is ever copied by hand.
"""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import yaml
from referencing import Registry
from referencing.jsonschema import DRAFT202012

# The document and its decision log are package data (the `vpbx_openapi` package is the
# repository's openapi/ folder), so an installed toolkit finds them from any directory.
OPENAPI_DIR = Path(str(resources.files("vpbx_openapi")))
DOCUMENT_PATH = OPENAPI_DIR / "openapi.yaml"
# The checkout the code runs from; make, git and the Node tools (tools/node_modules) live
# there. Installed from a wheel, this is site-packages and those tools are absent.
REPOSITORY_ROOT = Path(__file__).resolve().parent.parent

# The document is registered under this URI so that its own "#/components/..." references
# resolve against it from any validator built here.
_DOCUMENT_URI = "urn:vpbx:openapi"

Document = dict[str, Any]


def load_document(path: Path = DOCUMENT_PATH) -> Document:
    with path.open(encoding="utf-8") as stream:
        document = yaml.safe_load(stream)
    if not isinstance(document, dict):
        raise ValueError(f"{path}: the OpenAPI document must be a mapping")
    return document


@functools.cache
def bundled_document() -> Document:
    """The repository's own document, loaded once per process."""
    return load_document()


def escape_pointer_token(token: str) -> str:
    """Escape one JSON Pointer token (RFC 6901): paths such as "/numbers" contain "/"."""
    return token.replace("~", "~0").replace("/", "~1")


class DocumentSchemas:
    """JSON Schema (2020-12) validators for schemas that live inside one document."""

    def __init__(self, document: Document) -> None:
        self.document = document
        resource = DRAFT202012.create_resource(document)
        self._registry: Registry = Registry().with_resource(_DOCUMENT_URI, resource)

    def validator_at(self, pointer: str) -> jsonschema.Draft202012Validator:
        """A validator for the schema at a JSON Pointer, e.g. "/components/schemas/Error"."""
        return jsonschema.Draft202012Validator(
            {"$ref": f"{_DOCUMENT_URI}#{pointer}"}, registry=self._registry
        )

    def component(self, name: str) -> jsonschema.Draft202012Validator:
        """A validator for a schema in components/schemas."""
        return self.validator_at(f"/components/schemas/{escape_pointer_token(name)}")

    def validator_for(self, schema: dict[str, Any]) -> jsonschema.Draft202012Validator:
        """A validator for a schema node of the document, a local $ref (with keys beside it,
        as a parameter's merged schema has them) followed into the document."""
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/"):
            return self.validator_at(ref[1:])
        return jsonschema.Draft202012Validator(schema)

    def resolve(self, node: Any) -> Any:
        """Follow a local {"$ref": "#/..."} (possibly chained); return other nodes unchanged."""
        resolver = self._registry.resolver(base_uri=_DOCUMENT_URI)
        while isinstance(node, dict) and isinstance(node.get("$ref"), str):
            node = resolver.lookup(node["$ref"]).contents
        return node


@functools.cache
def bundled_schemas() -> DocumentSchemas:
    return DocumentSchemas(bundled_document())
