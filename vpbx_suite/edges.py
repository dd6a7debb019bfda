"""The edge catalog: for every constraint of every request property of every operation, the
values just inside and just outside it, and the inputs implementations confuse with valid ones.

Nothing here restates a rule. Candidates are made from a valid value (a documented example)
by families of mutations that real implementations get wrong (a trailing newline that
`re.match` lets through, `\\d` matching Arabic-Indic digits, case-insensitive enums, lengths
counted in bytes or UTF-16 units, storage that rewrites text, …). Each candidate is then
classified by the document's own validator: the contract accepts it or rejects it, and the
server must do the same.
"""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import jsonschema

from vpbx_suite.contract import (JSON_MEDIA_TYPE, ContractFacts, OperationFacts, allowed_values, facts_from,
                                 object_shapes, shape_properties)
from vpbx_suite.domain_checks import cyrillic_lookalike
from vpbx_suite.judge import NOT_JSON
from vpbx_suite.target_api import Sent, as_json, raw
from vpbx_spec.document import DocumentSchemas, bundled_schemas

Body = dict[str, Any]


@dataclass(frozen=True)
class Edge:
    operation_id: str
    edge_class: str        # the family, e.g. "whitespace around a value"
    name: str              # unique within the operation, e.g. "comment: 255 Cyrillic characters"
    field: str | None      # the property it changes, None for the body as a whole
    build: Callable[[Body], Sent]
    must_accept: bool      # what the document says of it
    base: str = "seed"     # the valid body it starts from: a documented example, or one derived
    base_body: Body = field(default_factory=dict)  # that body (valid under the document)
    # Statuses HTTP lets a server answer instead (a request it may refuse for its framing),
    # with the rule that allows them, e.g. 411 for a body without Content-Length.
    also_refused: frozenset[int] = frozenset()
    rule: str = ""

    @property
    def label(self) -> str:
        return f"{self.operation_id}: {self.name} ({'accept' if self.must_accept else 'reject'})"


@dataclass(frozen=True)
class ParameterEdge:
    operation_id: str
    edge_class: str
    name: str
    location: str  # "path" or "query"
    parameter: str
    value: str

    @property
    def label(self) -> str:
        return f"{self.operation_id}: {self.location} {self.parameter}={self.value!r} (reject)"


# --- the families of mutations -----------------------------------------------------------

WHITESPACE = {"leading space": " {}", "trailing space": "{} ", "leading tab": "\t{}",
              "trailing newline": "{}\n", "leading newline": "\n{}", "trailing CRLF": "{}\r\n",
              "leading no-break space": "\u00a0{}", "trailing zero-width space": "{}\u200b",
              "leading byte-order mark": "\ufeff{}"}
DIGIT_SETS = {"Arabic-Indic": 0x0660, "Devanagari": 0x0966, "full-width": 0xFF10, "Bengali": 0x09E6}
SCRIPTS = {"ASCII": "x", "Cyrillic": "ж", "CJK": "語", "emoji (outside the BMP)": "😀",
           "Greek": "λ"}
TEXT_SAMPLES = {
    "NUL character": "before\x00after",
    "C0 and DEL control characters": "a\x01\x08\x1b\x1f\x7fb",
    "line and paragraph separators": "a\u2028b\u2029c",
    "newlines and tabs": "line 1\nline 2\r\n\tindented",
    "right-to-left text": "مرحبا بالعالم שלום",
    "bidi override": "\u202eabc\u202c",
    "combining marks (NFD)": "e\u0301 a\u0308 Ё\u0308",
    "precomposed (NFC)": "é ä",
    "zero-width joiner sequence": "👨\u200d👩\u200d👧",
    "characters outside the BMP": "𝕏 😀 𠜎",
    "HTML specials": "<script>alert(1)</script> &amp; \"q\" 'a'",
    "SQL specials": "'; DROP TABLE numbers; --",
    "backslashes and quotes": "\\\" \\\\ \\n '",
    "leading and trailing whitespace": "  note  ",
    "only whitespace": "   ",
    "percent and braces": "%s %d {0} ${x}",
}


def _const(value: Any) -> Callable[[Any], Any]:
    return lambda _: value


def _string_mutations(value: str) -> Iterator[tuple[str, str, Callable[[Any], Any]]]:
    """(class, description, how to change a value) for a string like `value`. The change is
    applied to the value actually sent (a fresh number stays fresh)."""
    for description, template in WHITESPACE.items():
        yield "whitespace around a value", description, template.format
    for description, change in (("upper case", str.upper), ("title case", str.title),
                                ("swapped case", str.swapcase)):
        if change(value) != value:
            yield "letter case", description, change
    if cyrillic_lookalike(value) is not None:
        yield "look-alike letters", "a Cyrillic look-alike letter", lambda v: cyrillic_lookalike(v) or v
    if any(char.isascii() and char.isdigit() for char in value):
        for name, zero in DIGIT_SETS.items():
            yield "look-alike digits", f"{name} digits", functools.partial(_digits, zero=zero)
        yield "look-alike digits", "last digit Arabic-Indic", lambda v: v[:-1] + chr(0x0660 + int(v[-1]))
        yield "look-alike digits", "last digit superscript", lambda v: v[:-1] + "²"
        if value.startswith("7"):
            yield "national and international forms", "national 8 prefix", lambda v: "8" + v[1:]
            yield "national and international forms", "with +", lambda v: "+" + v
            yield "national and international forms", "with 00", lambda v: "00" + v
        yield "national and international forms", "grouped with spaces", lambda v: " ".join(
            [v[:1], v[1:4], v[4:7], v[7:]])
        yield "national and international forms", "grouped with dashes", lambda v: v[:4] + "-" + v[4:]
        yield "length bounds", "one character short", lambda v: v[:-1]
        yield "length bounds", "one character long", lambda v: v + v[-1]
        yield "letters among digits", "letter O for a zero", lambda v: v[:-1] + "O"
        yield "letters among digits", "a letter", lambda v: v[:-1] + "A"
    yield "length bounds", "empty string", _const("")
    if value.isdigit():
        yield "type confusion", "as a JSON number", int
    yield "type confusion", "null", _const(None)
    yield "type confusion", "true", _const(True)
    yield "type confusion", "as an array", lambda v: [v]
    yield "type confusion", "as an object", lambda v: {"value": v}


def _digits(value: str, zero: int) -> str:
    return "".join(chr(zero + int(char)) if char.isascii() and char.isdigit() else char for char in value)


def _enum_value_mutations(value: Any) -> Iterator[tuple[str, str, Any]]:
    """(class, description, the changed value) for one allowed value of an enum."""
    for edge_class, description, change in _string_mutations(str(value)):
        if edge_class in ("look-alike digits", "national and international forms", "letters among digits"):
            continue
        yield edge_class, f"{value!r} {description}", change(str(value))


def _enum_mutations(allowed: tuple[Any, ...], others: tuple[Any, ...]
                    ) -> Iterator[tuple[str, str, Callable[[Any], Any]]]:
    for value in others:
        yield "values of other enums", f"{value!r} (allowed in answers, not here)", _const(value)
    for value in allowed:
        for edge_class, description, changed in _enum_value_mutations(value):
            yield edge_class, description, _const(changed)


def _integer_mutations(schema: dict[str, Any]) -> Iterator[tuple[str, str, Callable[[Any], Any]]]:
    low, high = schema.get("minimum"), schema.get("maximum")
    if low is not None:
        yield "numeric bounds", f"the minimum {low}", _const(low)
        yield "numeric bounds", f"one below the minimum ({low - 1})", _const(low - 1)
    if high is not None:
        yield "numeric bounds", "the maximum", _const(high)
        yield "numeric bounds", "one above the maximum", _const(high + 1)
        yield "numeric bounds", "2^64", _const(2**64)
    yield "numeric bounds", "negative", lambda v: -abs(v) if isinstance(v, int) else -1
    yield "type confusion", "as a string", str
    yield "type confusion", "a fraction", lambda v: (v if isinstance(v, int) else 1) + 0.5
    yield "type confusion", "true", _const(True)
    yield "type confusion", "null", _const(None)
    yield "type confusion", "as an array", lambda v: [v]


def _text_mutations(schema: dict[str, Any]) -> Iterator[tuple[str, str, Callable[[Any], Any]]]:
    """Free text: the length bounds counted in code points, in every script; hard content."""
    high = schema.get("maxLength")
    low = schema.get("minLength", 0)
    if high is not None:
        for script, char in SCRIPTS.items():
            yield "length bounds", f"{high} {script} characters (the maximum)", _const(char * high)
            yield "length bounds", f"{high + 1} {script} characters", _const(char * (high + 1))
        pairs = "e\u0301" * (high // 2) + "e" * (high % 2)
        yield "length bounds", f"{high} code points as combining pairs", _const(pairs)
        # Far over the bound, not just over it: error paths that quote or truncate the value
        # (a message cut to a few hundred characters) are reached only by a long one.
        yield "length bounds", f"{4 * high + 1} characters (far over the maximum)", _const("x" * (4 * high + 1))
    yield "length bounds", f"{low} characters (the minimum)", _const("x" * low)
    if low > 0:
        yield "length bounds", f"{low - 1} characters", _const("x" * (low - 1))
    for description, text in TEXT_SAMPLES.items():
        yield "text storage", description, _const(text)
    yield "type confusion", "null", _const(None)
    yield "type confusion", "a number", _const(123)


def _is_free_text(schema: dict[str, Any]) -> bool:
    types = schema.get("type")
    return (types == "string" or (isinstance(types, list) and "string" in types)) and not (
        "pattern" in schema or "enum" in schema or "const" in schema)


def _is_integer(schema: dict[str, Any]) -> bool:
    types = schema.get("type")
    return types == "integer" or (isinstance(types, list) and "integer" in types)


# --- the catalog -------------------------------------------------------------------------

def _set(name: str, value: Any) -> Callable[[Body], Sent]:
    return lambda body: as_json({**body, name: value})


def _change(name: str, change: Callable[[Any], Any]) -> Callable[[Body], Sent]:
    return lambda body: as_json({**body, name: change(body.get(name))})


def _drop(name: str) -> Callable[[Body], Sent]:
    return lambda body: as_json({key: value for key, value in body.items() if key != name})


def _others(facts: ContractFacts, name: str, allowed: tuple[Any, ...]) -> tuple[Any, ...]:
    """Values of the same property that some answer allows and this request does not (D17)."""
    values = {value for operation in facts.operations.values()
              for value in operation.response_enums.get(name, ())}
    return tuple(sorted(values - set(allowed)))


# A property that must not be there is refused whatever it holds: servers that check an
# unknown key only when its value is a string (or skip it when it is null) are common.
VALUE_KINDS: dict[str, Any] = {"a string": "x", "a number": 1, "true": True, "null": None,
                               "an object": {}, "an array": []}


# --- bases: the valid bodies the edges start from ---------------------------------------

@dataclass(frozen=True)
class Base:
    """A body the document accepts; every edge differs from its base in exactly one place,
    and the base itself is sent first, so a refusal can only come from the change."""

    name: str
    body: Body
    properties: dict[str, dict[str, Any]]  # what its shape (oneOf/anyOf branch) allows
    required: tuple[str, ...]


def _branches(schemas: DocumentSchemas, pointer: str) -> list[tuple[str, dict[str, Any]]]:
    """(pointer, schema) of each shape a body may have: each branch of a oneOf/anyOf, or the
    schema itself."""
    schema = schemas.resolve({"$ref": f"#{pointer}"})
    for keyword in ("oneOf", "anyOf"):
        if schema.get(keyword):
            return [(f"{pointer}/{keyword}/{index}", schemas.resolve(branch))
                    for index, branch in enumerate(schema[keyword])]
    return [(pointer, schema)]


def _bases(schemas: DocumentSchemas, operation: OperationFacts) -> list[Base]:
    """One base per shape: the first documented example that is valid in it."""
    bases = []
    for pointer, schema in _branches(schemas, operation.request_pointer or ""):
        in_shape = schemas.validator_at(pointer)
        name, body = next(((name, example) for name, example in operation.request_examples.items()
                           if in_shape.is_valid(example)), (None, None))
        if name is None:
            raise ValueError(f"{operation.operation_id}: no request example is valid in {pointer}; "
                             "the edge catalog starts from one example of each shape")
        properties = shape_properties(schemas, object_shapes(schemas, schema))
        bases.append(Base(name, copy.deepcopy(body), properties, tuple(schema.get("required") or ())))
    return bases


def _with_value(base: Base, name: str, value: Any, validator: jsonschema.Draft202012Validator) -> Base | None:
    """The base with one property set to `value`, if the document accepts that body."""
    if base.body.get(name, object()) == value:
        return base
    body = {**base.body, name: value}
    return Base(f"{base.name}, {name} {value!r}", body, base.properties, base.required) \
        if validator.is_valid(body) else None


# --- edges of one base ---------------------------------------------------------------------

def _mutations(schema: dict[str, Any], value: Any) -> Iterator[tuple[str, str, Callable[[Any], Any]]]:
    """The value mutations of one property (not its enum values: see _enum_edges)."""
    if _is_integer(schema):
        yield from _integer_mutations(schema)
    elif _is_free_text(schema):
        yield from _text_mutations(schema)
    elif isinstance(value, str):
        yield from _string_mutations(value)


def _edge(operation: OperationFacts, base: Base, edge_class: str, name: str, field_name: str | None,
          build: Callable[[Body], Sent], validator: jsonschema.Draft202012Validator,
          suffix: str) -> Edge | None:
    """An edge classified by the document, or None when the change does not apply."""
    try:
        sent = build(base.body)
    except (TypeError, ValueError, IndexError):
        return None
    if sent.body is NOT_JSON:
        return None
    return Edge(operation.operation_id, edge_class, name + suffix, field_name, build,
                validator.is_valid(sent.body), base.name, base.body)


def _property_edges(facts: ContractFacts, operation: OperationFacts, base: Base, other_shapes: set[str],
                    validator: jsonschema.Draft202012Validator, suffix: str) -> Iterator[Edge]:
    path_bound = set(operation.path_parameters)  # D26: must equal the path; only rejections test it
    for name, schema in base.properties.items():
        value = base.body.get(name)
        allowed = allowed_values(schema)
        if allowed:
            for allowed_value in allowed:
                # Each value's mutations start from a body in which that value is valid.
                start = _with_value(base, name, allowed_value, validator)
                if start is None:
                    continue
                for edge_class, description, changed in _enum_value_mutations(allowed_value):
                    built = _edge(operation, start, edge_class, f"{name}: {description}", name,
                                  _set(name, changed), validator, suffix)
                    if built is not None:
                        yield built
            for other in _others(facts, name, tuple(allowed)):
                built = _edge(operation, base, "values of other enums",
                              f"{name}: {other!r} (allowed in answers, not here)", name, _set(name, other),
                              validator, suffix)
                if built is not None:
                    yield built
        else:
            mutations = list(_mutations(schema, value))
            if value is None and name not in base.body:
                mutations = [m for m in mutations if m[0] != "whitespace around a value"]
            for edge_class, description, change in mutations:
                built = _edge(operation, base, edge_class, f"{name}: {description}", name,
                              _change(name, change), validator, suffix)
                if built is None or (built.must_accept and name in path_bound):
                    continue
                yield built
        if name in base.required and name in base.body:
            for description, build in (("missing", _drop(name)), ("null", _set(name, None)),
                                       ("empty", _set(name, ""))):
                built = _edge(operation, base, "required properties", f"{name} {description} (required)",
                              name, build, validator, suffix)
                if built is not None:
                    yield built
    # Properties another shape allows and this one forbids (employee_id beside purpose company).
    for name in sorted(other_shapes - set(base.properties)):
        documented = next((example[name] for example in operation.request_examples.values() if name in example),
                          None)
        kinds = {**({"its documented value": documented} if documented is not None else {}), **VALUE_KINDS}
        for kind, value in kinds.items():
            built = _edge(operation, base, "properties of another shape", f"{name} not allowed here, as {kind}",
                          name, _set(name, value), validator, suffix)
            if built is not None:
                yield built
    for name in list(base.body)[:1] + ["unknown_property"]:
        misspelt = name[:-1] if name != "unknown_property" else name
        for kind, value in VALUE_KINDS.items():
            built = _edge(operation, base, "unknown properties", f"unknown property {misspelt!r} as {kind}",
                          misspelt, _set(misspelt, value), validator, suffix)
            if built is not None:
                yield built


def _surrogate_edges(operation: OperationFacts, base: Base,
                     validator: jsonschema.Draft202012Validator, suffix: str) -> Iterator[Edge]:
    """An unpaired surrogate escape inside a property the schema accepts it in (D18: 400).

    "an unpaired surrogate escape" below puts it in an unknown property, which the schema
    refuses anyway; here only the surrogate is wrong, so a server that skips the check stores
    text that has no UTF-8 encoding (or fails with a 5xx).
    """
    for name, value in base.body.items():
        if isinstance(value, str) and validator.is_valid({**base.body, name: value + "\ud800"}):
            yield Edge(operation.operation_id, "malformed bodies", f"{name}: an unpaired surrogate escape{suffix}",
                       name, lambda body, name=name: raw(json.dumps(
                           {**body, name: str(body.get(name, "")) + "\ud800"}).encode("ascii")),
                       False, base.name, base.body, rule="D18: no UTF-8 encoding exists for it: 400")


def _base_edge(operation: OperationFacts, base: Base) -> Edge:
    return Edge(operation.operation_id, "base bodies", f"the valid body {base.name}", None, as_json, True,
                base.name, base.body)


D18_MEDIA = "D18: the body must be application/json in UTF-8, else 415 (or 400)"


def _body_edges(operation: OperationFacts, base: Base) -> Iterator[Edge]:
    """What makes a body not JSON enough to validate (D18): always rejected."""
    def make(name: str, build: Callable[[Body], Sent], rule: str = "D18: not one UTF-8 JSON object: 400",
             field_name: str | None = None) -> Edge:
        return Edge(operation.operation_id, "malformed bodies", name, field_name, build, False, base.name,
                    base.body, rule=rule)

    def encoded(body: Body) -> bytes:
        return json.dumps(body, ensure_ascii=False).encode("utf-8")

    yield make("a JSON array", lambda body: as_json([body]))
    yield make("JSON null", lambda body: raw(b"null"))
    yield make("an empty body", lambda body: raw(b""))
    yield make("truncated JSON", lambda body: raw(encoded(body)[:-1]))
    yield make("trailing garbage", lambda body: raw(encoded(body) + b"x"))
    yield make("a duplicate key", lambda body: raw(encoded(body)[:-1] + b', "' + next(iter(body)).encode()
                                                  + b'": ' + json.dumps(next(iter(body.values()))).encode() + b"}"))
    yield make("NaN as a value", lambda body: raw(encoded(body)[:-1] + b', "n": NaN}'))
    yield make("nested 200 levels deep", lambda body: raw(b'{"a": ' + b"[" * 200 + b"]" * 200 + b"}"))
    yield make("an unpaired surrogate escape", lambda body: raw(encoded(body)[:-1] + b', "s": "\\ud800"}'))
    yield make("invalid UTF-8", lambda body: raw(encoded(body)[:-1] + b', "s": "\xff\xfe"}'))
    yield make("UTF-16 encoded", lambda body: Sent(json.dumps(body).encode("utf-16"),
                                                   f"{JSON_MEDIA_TYPE}; charset=utf-16", None), D18_MEDIA)
    # RFC 9110 §8.3 lets a recipient sniff a body without Content-Type; the document does not (D18).
    yield make("text/plain content type", lambda body: Sent(encoded(body), "text/plain", None), D18_MEDIA)
    yield make("no content type", lambda body: Sent(encoded(body), None, None), D18_MEDIA)
    yield make("charset latin-1", lambda body: Sent(encoded(body), f"{JSON_MEDIA_TYPE}; charset=latin-1", None),
               D18_MEDIA)
    yield make("Content-Encoding gzip (not compressed)", lambda body: Sent(
        encoded(body), JSON_MEDIA_TYPE, None, (("Content-Encoding", "gzip"),)),
        "RFC 9110 §8.4.1: a content coding the server does not accept, 415; one that does not decode, 400")
    yield make("a body of 100 KiB", lambda body: as_json({**body, "padding": "x" * 100 * 1024}),
               "RFC 9110 §15.5.14: too large, 413; or the unknown property, 400/422", "padding")


def _framing_edges(operation: OperationFacts, base: Base) -> Iterator[Edge]:
    """A valid body sent chunked, without Content-Length: accepted like any other (HTTP/1.1),
    unless the server asks for the length: RFC 9112 §6.3 and RFC 9110 §15.5.12 let it answer
    411 Length Required (the request is then not processed)."""
    yield Edge(operation.operation_id, "transfer framing", "the body sent chunked, without Content-Length",
               None, lambda body: Sent(json.dumps(body, ensure_ascii=False).encode("utf-8"),
                                       JSON_MEDIA_TYPE, body, chunked=True), True, base.name, base.body,
               also_refused=frozenset({411}), rule="RFC 9112 §6.3, RFC 9110 §15.5.12: 411 Length Required")


def _parameter_edges(schemas: DocumentSchemas, operation: OperationFacts) -> Iterator[ParameterEdge]:
    for name, schema in operation.path_parameters.items():
        validator = jsonschema.Draft202012Validator(schema)
        high = schema.get("maximum", 2**63 - 1)
        candidates = {"zero": "0", "negative": "-1", "letters": "abc", "a fraction": "1.5",
                      "above the maximum": str(high + 1), "2^64": str(2**64), "a space": " ",
                      "a number with a letter": "1a"}
        for description, value in candidates.items():
            parsed: Any = value
            try:
                parsed = json.loads(value)
            except ValueError:
                pass
            if not validator.is_valid(parsed):
                yield ParameterEdge(operation.operation_id, "path parameters", f"{name} {description}",
                                    "path", name, value)
    for name, schema in operation.query_parameters.items():
        validator = schemas.validator_for(schema)
        allowed = tuple(schema.get("enum") or ())
        for edge_class, description, change in _enum_mutations(allowed, ()):
            changed = change(None)
            if isinstance(changed, str) and changed and not validator.is_valid(changed):
                yield ParameterEdge(operation.operation_id, "query parameters", f"{name}: {description}",
                                    "query", name, changed)


@functools.cache
def bundled_catalog() -> tuple[tuple[Edge, ...], tuple[ParameterEdge, ...]]:
    return catalog(bundled_schemas())


def _operation_edges(facts: ContractFacts, schemas: DocumentSchemas, operation: OperationFacts) -> Iterator[Edge]:
    validator = schemas.validator_at(operation.request_pointer or "")
    bases = _bases(schemas, operation)
    every_property = {name for base in bases for name in base.properties}
    for index, base in enumerate(bases):
        # Edges of a second shape carry its base in their names (the same change, another body).
        suffix = "" if index == 0 else f" (on {base.name})"
        yield _base_edge(operation, base)
        for edge in _property_edges(facts, operation, base, every_property, validator, suffix):
            if edge.base != base.name:
                yield _base_edge(operation, Base(edge.base, edge.base_body, base.properties, base.required))
            yield edge
        yield from _surrogate_edges(operation, base, validator, suffix)
    yield from _body_edges(operation, bases[0])
    yield from _framing_edges(operation, bases[0])


def catalog(schemas: DocumentSchemas) -> tuple[tuple[Edge, ...], tuple[ParameterEdge, ...]]:
    """Every body edge and every parameter edge of every operation of a document. An edge
    that sends the same body from the same base as an earlier one is left out."""
    facts = facts_from(schemas)
    edges: dict[tuple[str, str], Edge] = {}
    sent: set[tuple[str, str, bytes, str | None]] = set()
    parameters: list[ParameterEdge] = []
    for operation in facts.operations.values():
        parameters += list(_parameter_edges(schemas, operation))
        if not operation.has_body:
            continue
        for edge in _operation_edges(facts, schemas, operation):
            request = edge.build(edge.base_body)
            key = (edge.operation_id, edge.base, request.content, request.content_type)
            if (edge.operation_id, edge.name) in edges or (key in sent and edge.edge_class != "transfer framing"):
                continue
            sent.add(key)
            edges[(edge.operation_id, edge.name)] = edge
    return tuple(edges.values()), tuple(parameters)
