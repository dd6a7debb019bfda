"""Drift between the provider's pages and the document.

Every page mapped to an operation in provider/pages.yaml is compared with that operation in
openapi/openapi.yaml: each table row (type, null, required, allowed values), the fields a
table lists or omits, the JSON examples and the page's heading. Each difference found must
be covered by a known difference in openapi/provider-differences.yaml, which names the
decision (D-number in openapi/DECISIONS.md) that explains it; a known difference that no
longer occurs is reported as obsolete. Both fail the check.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from vpbx_spec.document import OPENAPI_DIR, Document, DocumentSchemas
from vpbx_spec.provider_pages import (MAPPING_PATH, PAGES_DIR, FieldFacts, Page, PageMapping,
                                      load_mapping, read_page, row_facts)

DIFFERENCES_PATH = OPENAPI_DIR / "provider-differences.yaml"
DECISIONS_PATH = OPENAPI_DIR / "DECISIONS.md"
_DECISION_HEADING = re.compile(r"^## (D\d+)\.", re.M)
_ABSENT = "(absent)"

# What each kind of difference means, for messages and for the known-differences file.
KINDS = {
    "heading": "the page's heading names another operation",
    "field-not-in-document": "the page lists a field the document does not have",
    "field-not-on-page": "the document has a field the page's table does not list",
    "type": "the page gives a type the document does not allow",
    "null-on-page": "the page allows null, the document does not",
    "null-in-document": "the document allows null, the page's type does not",
    "required": "the page and the document disagree on whether the field is required",
    "value-not-in-document": "the page lists an allowed value the document does not",
    "value-not-on-page": "the document allows a value the page does not list",
    "example-not-json": "the page's example is not JSON",
    "example-not-in-document": "the page's example differs from every example of the document",
}


@dataclass(frozen=True)
class Difference:
    page: str
    operation: str
    where: str  # "request table", "response table", "parameters table", "... example", "heading"
    field: str  # a field name, a JSON Pointer into an example, or ""
    kind: str
    value: str  # the page's side, as the known-differences file writes it
    detail: str  # the sentence that says what differs

    @property
    def key(self) -> tuple[str, str, str, str, str]:
        return (self.page, self.where, self.field, self.kind, self.value)

    def __str__(self) -> str:
        subject = f"field `{self.field}`: " if self.field else ""
        return f"{self.page}: {self.operation}: {self.where}: {subject}{self.detail}"


@dataclass
class KnownDifference:
    index: int
    decision: str
    pages: tuple[str, ...]
    where: str
    field: str
    kind: str
    values: tuple[str, ...]
    why: str
    used: set[tuple[str, str]] = field(default_factory=set)  # (page, value) seen

    def covers(self, difference: Difference) -> bool:
        return difference.page in self.pages and difference.value in self.values \
            and (self.where, self.field, self.kind) == difference.key[1:4]


@dataclass(frozen=True)
class DriftReport:
    pages: int
    differences: tuple[Difference, ...]
    uncovered: tuple[Difference, ...]
    obsolete: tuple[str, ...]
    errors: tuple[str, ...]  # the mapping, the known-differences file or a page is unusable
    by_decision: dict[str, int]

    @property
    def failed(self) -> bool:
        return bool(self.uncovered or self.obsolete or self.errors)

    def lines(self) -> list[str]:
        out = [f"error: {error}" for error in self.errors]
        out += [f"{difference}; no decision covers it (openapi/provider-differences.yaml)"
                for difference in self.uncovered]
        out += [f"obsolete: {message}" for message in self.obsolete]
        return out

    def summary(self) -> str:
        decisions = ", ".join(f"{d} {n}" for d, n in sorted(self.by_decision.items(),
                                                            key=lambda kv: int(kv[0][1:])))
        covered = len(self.differences) - len(self.uncovered)
        return (f"provider drift: {self.pages} pages, {len(self.differences)} difference(s), "
                f"{covered} covered by decisions ({decisions or 'none'}), "
                f"{len(self.uncovered)} uncovered, {len(self.obsolete)} obsolete")


# --- the document's side ------------------------------------------------------------------


@dataclass(frozen=True)
class PropertyFacts:
    types: frozenset[str]  # JSON types allowed, "null" included when null is allowed
    enum: frozenset[str] | None  # allowed string values, None when any value of the type


@dataclass(frozen=True)
class ObjectFacts:
    properties: dict[str, PropertyFacts]
    required: dict[str, str]  # name -> "yes" (every branch), "conditional" (some), "no"


def _merged(schemas: DocumentSchemas, schema: Any) -> dict[str, Any]:
    """The schema with $ref and allOf folded in (siblings of $ref win, as in 3.1)."""
    if not isinstance(schema, dict):
        return {}
    result: dict[str, Any] = {}
    if "$ref" in schema:
        result.update(_merged(schemas, schemas.resolve({"$ref": schema["$ref"]})))
    for part in schema.get("allOf") or ():
        for key, value in _merged(schemas, part).items():
            if key == "required":
                result["required"] = [*result.get("required", []), *value]
            elif key == "properties":
                result["properties"] = {**result.get("properties", {}), **value}
            else:
                result.setdefault(key, value)
    for key, value in schema.items():
        if key not in ("$ref", "allOf"):
            result[key] = value
    return result


def _branches(schemas: DocumentSchemas, schema: Any) -> list[dict[str, Any]]:
    merged = _merged(schemas, schema)
    alternatives = merged.get("oneOf") or merged.get("anyOf")
    if not alternatives:
        return [merged]
    base = {k: v for k, v in merged.items() if k not in ("oneOf", "anyOf")}
    return [_merged(schemas, {"allOf": [base, branch]}) for branch in alternatives]


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    return {str: "string", float: "number", list: "array", dict: "object"}[type(value)]


def property_facts(schemas: DocumentSchemas, schema: Any) -> PropertyFacts:
    types: set[str] = set()
    enum: set[str] | None = set()
    for branch in _branches(schemas, schema):
        declared = branch.get("type")
        if isinstance(declared, str):
            types.add(declared)
        elif isinstance(declared, list):
            types.update(declared)
        values = branch.get("enum")
        if "const" in branch:
            values = [branch["const"]]
        if values is None:
            enum = None
            continue
        if not declared:
            types.update(_json_type(value) for value in values)
        if enum is not None:
            enum.update(str(value) for value in values if value is not None)
    return PropertyFacts(frozenset(types), frozenset(enum) if enum is not None else None)


def object_facts(schemas: DocumentSchemas, schema: Any) -> ObjectFacts:
    branches = _branches(schemas, schema)
    properties: dict[str, PropertyFacts] = {}
    counts: Counter[str] = Counter()
    for branch in branches:
        for name in branch.get("properties") or {}:
            properties.setdefault(name, property_facts(
                schemas, {"anyOf": [b["properties"][name] for b in branches
                                    if name in (b.get("properties") or {})]}))
        counts.update(set(branch.get("required") or ()))
    required = {name: ("yes" if counts[name] == len(branches) else
                       "conditional" if counts[name] else "no") for name in properties}
    return ObjectFacts(properties, required)


def parameter_facts(schemas: DocumentSchemas, path_item: dict, operation: dict) -> ObjectFacts:
    properties: dict[str, PropertyFacts] = {}
    required: dict[str, str] = {}
    for parameter in [*(path_item.get("parameters") or ()), *(operation.get("parameters") or ())]:
        parameter = schemas.resolve(parameter)
        properties[parameter["name"]] = property_facts(schemas, parameter.get("schema"))
        required[parameter["name"]] = "yes" if parameter.get("required") else "no"
    return ObjectFacts(properties, required)


class OperationView:
    """One operation of the document: its request and success-response schemas and examples."""

    def __init__(self, schemas: DocumentSchemas, operation_name: str) -> None:
        method, path = operation_name.split(" ", 1)
        self.schemas = schemas
        self.path_item = (schemas.document.get("paths") or {}).get(path) or {}
        self.operation = self.path_item.get(method.lower())
        if not isinstance(self.operation, dict):
            raise LookupError(f"the document has no operation {operation_name}")

    def _media(self, role: str) -> list[tuple[str, dict]]:
        """(status or "request", media type object) of the request or the 2xx responses."""
        if role == "request":
            body = self.schemas.resolve(self.operation.get("requestBody")) or {}
            media = (body.get("content") or {}).get("application/json")
            return [("request", media)] if isinstance(media, dict) else []
        found = []
        for status in sorted(self.operation.get("responses") or {}):
            if str(status).startswith("2"):
                response = self.schemas.resolve(self.operation["responses"][status])
                media = ((response or {}).get("content") or {}).get("application/json")
                if isinstance(media, dict):
                    found.append((str(status), media))
        return found

    def body_schema(self, role: str) -> Any:
        media = self._media(role)
        return media[0][1].get("schema") if media else None

    def object_schema(self, role: str) -> Any:
        """The schema a table describes: the body's, or its items' for an array body."""
        schema = self.body_schema(role)
        merged = _merged(self.schemas, schema)
        return merged.get("items") if merged.get("type") == "array" else schema

    def table_facts(self, role: str) -> ObjectFacts | None:
        if role == "parameters":
            return parameter_facts(self.schemas, self.path_item, self.operation)
        schema = self.object_schema(role)
        return object_facts(self.schemas, schema) if schema is not None else None

    def examples(self, role: str) -> list[tuple[str, Any]]:
        return [(name, value) for _, media in self._media(role) for name, value in
                _media_examples(self.schemas, media)]


def _media_examples(schemas: DocumentSchemas, media: dict) -> Iterator[tuple[str, Any]]:
    if "example" in media:
        yield "example", media["example"]
    for name, example in (media.get("examples") or {}).items():
        example = schemas.resolve(example)
        if isinstance(example, dict) and "value" in example:
            yield name, example["value"]


def _examples_of_schema(schemas: DocumentSchemas, target: Any) -> list[tuple[str, Any]]:
    """Examples anywhere in the document whose media type has exactly this schema."""
    from vpbx_spec.walk import iter_media_types  # one walker for the whole package

    return [(f"{pointer.rsplit('/content', 1)[0]} {name}", value)
            for pointer, media in iter_media_types(schemas.document)
            if media.get("schema") == target
            for name, value in _media_examples(schemas, media)]


# --- comparing ------------------------------------------------------------------------------


def _show(value: Any) -> str:
    return _ABSENT if value is _MISSING else json.dumps(value, ensure_ascii=False)


_MISSING = object()


def _same(left: Any, right: Any) -> bool:
    return json.dumps(left, sort_keys=True) == json.dumps(right, sort_keys=True)


def leaf_differences(page: Any, document: Any, pointer: str = "") -> list[tuple[str, Any, Any]]:
    """(JSON Pointer, page value, document value) for every leaf where the two differ."""
    if isinstance(page, dict) and isinstance(document, dict):
        found = []
        for key in [*page, *(k for k in document if k not in page)]:
            found += leaf_differences(page.get(key, _MISSING), document.get(key, _MISSING),
                                      f"{pointer}/{key}")
        return found
    if isinstance(page, list) and isinstance(document, list):
        found = []
        for index in range(max(len(page), len(document))):
            found += leaf_differences(page[index] if index < len(page) else _MISSING,
                                      document[index] if index < len(document) else _MISSING,
                                      f"{pointer}/{index}")
        return found
    if page is _MISSING or document is _MISSING:
        return [(pointer, page, document)]
    return [] if _same(page, document) else [(pointer, page, document)]


def _closest(value: Any, candidates: list[tuple[str, Any]]) -> tuple[str, list]:
    scored = [(name, leaf_differences(value, candidate)) for name, candidate in candidates]
    return min(scored, key=lambda item: len(item[1])) if scored else ("", [("", value, _MISSING)])


def _example_differences(page: Any, candidates: list[tuple[str, Any]],
                         items: list[tuple[str, Any]] | None) -> list[tuple[str, str, Any, Any]]:
    """(closest example's name, pointer, page value, document value) where nothing matches.

    An array is matched item by item when it matches no example whole: an item the document
    carries as an example of the same item schema anywhere is evidenced.
    """
    if any(_same(page, candidate) for _, candidate in candidates):
        return []
    if isinstance(page, list) and items:
        found = []
        for index, item in enumerate(page):
            if not any(_same(item, candidate) for _, candidate in items):
                name, leaves = _closest(item, items)
                found += [(name, f"/{index}{p}", a, b) for p, a, b in leaves]
        return found
    name, leaves = _closest(page, candidates)
    return [(name, p, a, b) for p, a, b in leaves]


def _compare_row(row: FieldFacts, facts: ObjectFacts, base: dict[str, str]) -> list[Difference]:
    def diff(kind: str, value: str, detail: str) -> Difference:
        return Difference(field=row.name, kind=kind, value=value, detail=detail, **base)

    prop = facts.properties.get(row.name)
    if prop is None:
        return [diff("field-not-in-document", row.name,
                     f"the page lists field `{row.name}`, the document does not")]
    found: list[Difference] = []
    allowed = sorted(prop.types - {"null"})
    if row.type is not None and row.type not in prop.types:
        found.append(diff("type", row.type, f"the page types it `{row.type}`, the document "
                          f"allows {', '.join(f'`{t}`' for t in allowed) or 'no type'}"))
    if row.nullable and "null" not in prop.types:
        found.append(diff("null-on-page", f"{row.type} or null", f"the page types it "
                          f"`{row.type} или null`, the document does not allow null"))
    if not row.nullable and row.type is not None and "null" in prop.types:
        found.append(diff("null-in-document", row.type, f"the page types it `{row.type}` "
                          "(no null), the document allows null"))
    if row.required is not None and row.required != facts.required.get(row.name, "no"):
        found.append(diff("required", row.required, f"the page says required `{row.required}`,"
                          f" the document says `{facts.required.get(row.name, 'no')}`"))
    if row.values is not None and prop.enum is not None:
        for value in row.values:
            if value not in prop.enum:
                found.append(diff("value-not-in-document", value,
                                  f"the page lists value `{value}`{_spell(value)}, "
                                  "the document does not"))
        for value in sorted(prop.enum - set(row.values)):
            found.append(diff("value-not-on-page", value, f"the document allows value "
                              f"`{value}`, the page does not list it"))
    return found


def _spell(value: str) -> str:
    """Name the letters a reader cannot see: `сompany` has a Cyrillic first letter."""
    odd = [f"U+{ord(c):04X}" for c in value if not c.isascii()]
    return f" ({', '.join(odd)})" if odd else ""


def page_differences(page: Page, mapping: PageMapping, schemas: DocumentSchemas
                     ) -> tuple[list[Difference], list[str]]:
    """The differences between one page and its operation, and errors that stop comparing."""
    operation = mapping.operation or ""
    errors: list[str] = []
    found: list[Difference] = []
    try:
        view = OperationView(schemas, operation)
    except LookupError as error:
        return [], [f"{page.file}: {error} (provider/pages.yaml)"]
    if page.operation != operation:
        found.append(Difference(page.file, operation, "heading", "", "heading",
                                str(page.operation), f"the page's heading names "
                                f"`{page.operation}`, mapped to `{operation}`"))
    if len(page.tables) != len(mapping.tables):
        errors.append(f"{page.file}: the page has {len(page.tables)} table(s), "
                      f"provider/pages.yaml describes {len(mapping.tables)}")
    if len(page.examples) != len(mapping.examples):
        errors.append(f"{page.file}: the page has {len(page.examples)} JSON example(s), "
                      f"provider/pages.yaml describes {len(mapping.examples)}")
    for table, role in zip(page.tables, mapping.tables):
        base = {"page": page.file, "operation": operation, "where": f"{role} table"}
        facts = view.table_facts(role)
        if facts is None:
            errors.append(f"{page.file}: table {table.index + 1} describes the {role}, "
                          f"{operation} has no {role} body in the document")
            continue
        rows = [facts_ for facts_ in map(row_facts, table.rows) if facts_ is not None]
        for row in rows:
            found += _compare_row(row, facts, base)
        listed = {row.name for row in rows}
        for name in facts.properties:
            if name not in listed:
                found.append(Difference(field=name, kind="field-not-on-page", value=name,
                                        detail=f"the document has field `{name}`, the page's "
                                        "table does not list it", **base))
    for example, role in zip(page.examples, mapping.examples):
        where = f"{role} example"
        if example.error is not None:
            found.append(Difference(page.file, operation, where, "", "example-not-json",
                                    "not JSON", f"example {example.index + 1} is {example.error}"))
            continue
        candidates = view.examples(role)
        schema = view.object_schema(role)
        items = None
        if schema is not view.body_schema(role):  # an array body: items may match one by one
            items = [(name, item) for name, value in candidates if isinstance(value, list)
                     for item in value] + _examples_of_schema(schemas, schema)
        for name, pointer, on_page, in_document in _example_differences(
                example.value, candidates, items):
            found.append(Difference(
                page.file, operation, where, pointer, "example-not-in-document",
                f"{pointer} = {_show(on_page)}",
                f"the page's example has {_show(on_page)}, the document's closest example "
                f"(`{name}`) has {_show(in_document)}" if candidates or items else
                "the document has no example to compare with"))
    return found, errors


# --- the known differences ------------------------------------------------------------------


def load_known(path: Path, decisions: set[str]) -> tuple[list[KnownDifference], list[str]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    known: list[KnownDifference] = []
    errors: list[str] = []
    for index, item in enumerate(data.get("differences") or (), start=1):
        where = f"{path.name} entry {index}"
        missing = [key for key in ("decision", "page", "where", "kind", "values", "why")
                   if not item.get(key)]
        if missing:
            errors.append(f"{where}: missing {', '.join(missing)}")
            continue
        if item["decision"] not in decisions:
            errors.append(f"{where}: decision {item['decision']} is not in openapi/DECISIONS.md")
        if item["kind"] not in KINDS:
            errors.append(f"{where}: unknown kind {item['kind']!r} (one of {', '.join(KINDS)})")
        pages = item["page"] if isinstance(item["page"], list) else [item["page"]]
        known.append(KnownDifference(index, item["decision"], tuple(pages), item["where"],
                                     str(item.get("field") or ""), item["kind"],
                                     tuple(str(v) for v in item["values"]), item["why"]))
    return known, errors


def decision_ids(path: Path = DECISIONS_PATH) -> set[str]:
    return set(_DECISION_HEADING.findall(path.read_text(encoding="utf-8")))


def check_drift(document: Document, *, pages_dir: Path = PAGES_DIR,
                mapping_path: Path = MAPPING_PATH, differences_path: Path = DIFFERENCES_PATH,
                decisions_path: Path = DECISIONS_PATH) -> DriftReport:
    schemas = DocumentSchemas(document)
    known, errors = load_known(differences_path, decision_ids(decisions_path))
    differences: list[Difference] = []
    mapped = [page for page in load_mapping(mapping_path).pages if page.operation]
    for mapping in mapped:
        if not (pages_dir / mapping.file).is_file():
            errors.append(f"{mapping.file}: listed in provider/pages.yaml, not in {pages_dir}")
            continue
        found, page_errors = page_differences(read_page(mapping.file, pages_dir), mapping,
                                              schemas)
        differences += found
        errors += page_errors
    uncovered: list[Difference] = []
    by_decision: Counter[str] = Counter()
    for difference in differences:
        cover = next((entry for entry in known if entry.covers(difference)), None)
        if cover is None:
            uncovered.append(difference)
        else:
            cover.used.add((difference.page, difference.value))
            by_decision[cover.decision] += 1
    obsolete = [
        f"{page}: {entry.where}: " + (f"field `{entry.field}`: " if entry.field else "")
        + f"{entry.kind} `{value}` no longer differs; known difference {entry.index} "
        f"({entry.decision}) may be obsolete"
        for entry in known for page in entry.pages for value in entry.values
        if (page, value) not in entry.used
    ]
    return DriftReport(len(mapped), tuple(differences), tuple(uncovered), tuple(obsolete),
                       tuple(errors), dict(by_decision))
