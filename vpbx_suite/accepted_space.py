"""The accepted space: for every request property of every operation, the classes of values the
document accepts, and the forms of a request it accepts (media type parameters, JSON syntax,
headers, framing), combined into valid requests that a server must accept and store exactly.

The edge catalog (vpbx_suite.edges) is mostly about what must be refused; this one is about
what must be accepted. Nothing restates a schema: the classes come from each property's own
schema (its enum, its integer bounds, the structure of its pattern, its lengths, whether it is
optional or nullable), every member is checked against the document's validator, and a case
that the document would not accept is an error of the catalog, not a case.

Several classes of different properties share one request (one add is one write); the forms
are spread over those requests too, each on a body it changes (escaping `/` needs a `/`).
"""

from __future__ import annotations

import functools
import json
import re._constants as sre
import re._parser as sre_parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import jsonschema

from vpbx_suite.contract import (JSON_MEDIA_TYPE, NUMBER_FIELD, ContractFacts, OperationFacts, allowed_values,
                                 facts_from)
from vpbx_suite.edges import Base, _bases
from vpbx_suite.target_api import Sent, as_json
from vpbx_spec.document import DocumentSchemas, bundled_schemas

Body = dict[str, Any]

# Where a value may not be the catalog's choice: the add takes only numbers the account's
# source offers (D20), an edit's body id must equal the path's (D26).
SOURCE_RULE = "D20: only a number the connectable listing offers may be added"
PATH_RULE = "D26: the body's id must equal the path's"


@dataclass(frozen=True)
class ValueClass:
    property: str
    name: str         # e.g. "comment: 255 characters outside the BMP (the maximum, in code points)"
    value: Any
    rule: str         # what in the document admits it, e.g. "maxLength 255"
    absent: bool = False       # the class is "the property left out"
    from_source: bool = False  # the value is the run's to give (SOURCE_RULE, PATH_RULE)


@dataclass(frozen=True)
class RequestForm:
    name: str
    rule: str
    encode: Callable[[Body], Sent]
    applies: Callable[[Body], bool] = lambda body: True
    also_refused: frozenset[int] = frozenset()  # statuses HTTP lets a server answer instead


@dataclass(frozen=True)
class AcceptedCase:
    operation_id: str
    number: int                      # its place in the operation's list
    shape: str                       # the documented example it starts from
    body: Body                       # valid under the document
    classes: tuple[ValueClass, ...]  # what it is made of, one class per property at most
    form: RequestForm

    @property
    def name(self) -> str:
        return "; ".join(value_class.name for value_class in self.classes) + f"; sent as {self.form.name}"

    @property
    def label(self) -> str:
        return f"{self.operation_id} #{self.number}"

    def sent(self, body: Body | None = None) -> Sent:
        return self.form.encode(self.body if body is None else body)


# --- value classes -------------------------------------------------------------------------

def _validator(schema: dict[str, Any]) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator({key: value for key, value in schema.items() if key != "$ref"})


def _types(schema: dict[str, Any]) -> set[str]:
    types = schema.get("type")
    return set(types) if isinstance(types, list) else {types} if isinstance(types, str) else set()


def _integer_classes(name: str, schema: dict[str, Any]) -> Iterator[ValueClass]:
    low = schema.get("minimum", schema["exclusiveMinimum"] + 1 if "exclusiveMinimum" in schema else None)
    high = schema.get("maximum", schema["exclusiveMaximum"] - 1 if "exclusiveMaximum" in schema else None)
    points: dict[str, int] = {}
    if low is not None:
        points[f"the minimum {low}"] = low
        points[f"just above the minimum ({low + 1})"] = low + 1
    if low is not None and high is not None:
        points[f"the middle of the range ({(low + high) // 2})"] = (low + high) // 2
    else:
        points["a common value"] = (low if low is not None else 0) + 12345
    if high is not None:
        points[f"just below the maximum ({high - 1})"] = high - 1
        points[f"the maximum {high}"] = high
    seen: set[int] = set()
    for description, value in points.items():
        if value not in seen:
            seen.add(value)
            yield ValueClass(name, f"{name}: {description}", value, "minimum/maximum")


# A pattern as a sequence of positions: (the characters it allows, fewest, most repeats).
Atom = tuple[tuple[str, ...], int, int]
UNBOUNDED_REPEATS = 8  # how far past its minimum an open repeat ({2,}, +, *) is taken


def _charset(items: list[tuple[Any, Any]]) -> tuple[str, ...] | None:
    chars: list[str] = []
    for op, argument in items:
        if op is sre.LITERAL:
            chars.append(chr(argument))
        elif op is sre.RANGE:
            chars += [chr(code) for code in range(argument[0], argument[1] + 1)]
        else:
            return None  # negated sets, categories (\d): by construction only what is spelt out
    return tuple(sorted(set(chars)))


def _single(op: Any, argument: Any) -> tuple[str, ...] | None:
    if op is sre.LITERAL:
        return (chr(argument),)
    if op is sre.IN:
        return _charset(argument)
    return None


def pattern_atoms(pattern: str) -> list[Atom] | None:
    """The positions of an anchored pattern made of literals, sets and bounded repeats of them
    (the patterns of this document); None for anything else (alternation, groups, \\d)."""
    atoms: list[Atom] = []
    parsed = list(sre_parse.parse(pattern))
    if not parsed or parsed[0] != (sre.AT, sre.AT_BEGINNING) or parsed[-1] != (sre.AT, sre.AT_END):
        return None
    for op, argument in parsed[1:-1]:
        if op is sre.MAX_REPEAT:
            low, high, inner = argument
            chars = _single(*inner[0]) if len(inner) == 1 else None
            high = low + UNBOUNDED_REPEATS if high is sre.MAXREPEAT else high
        else:
            chars, low, high = _single(op, argument), 1, 1
        if chars is None:
            return None
        atoms.append((chars, low, high))
    return atoms


def _positions(atoms: list[Atom], length: int) -> list[tuple[str, ...]] | None:
    """The allowed characters of each position of a member `length` long (earlier repeats
    filled first), or None when no member has that length."""
    counts = [low for _, low, _ in atoms]
    extra = length - sum(counts)
    for index, (_, low, high) in enumerate(atoms):
        take = min(max(extra, 0), high - low)
        counts[index] += take
        extra -= take
    if extra != 0:
        return None
    return [chars for (chars, _, _), count in zip(atoms, counts) for _ in range(count)]


def _pattern_classes(name: str, schema: dict[str, Any]) -> Iterator[ValueClass]:
    """Each allowed character of the first position that has a choice (the leading digit
    after a fixed prefix), every position at its lowest and at its highest, and each length
    bound the pattern and minLength/maxLength leave."""
    pattern = schema["pattern"]
    atoms = pattern_atoms(pattern)
    if atoms is None:
        yield from _examples_of(name, schema, f"pattern {pattern} (members by hypothesis)")
        return
    shortest = max(sum(low for _, low, _ in atoms), schema.get("minLength", 0))
    longest = min(sum(high for _, _, high in atoms), schema.get("maxLength", 10**6))
    lengths = list(dict.fromkeys((shortest, (shortest + longest) // 2, longest)))
    rule = f"pattern {pattern}"
    for length in lengths:
        positions = _positions(atoms, length)
        if positions is None:
            continue
        suffix = "" if len(lengths) == 1 else f", {length} characters long"
        yield ValueClass(name, f"{name}: every position its lowest{suffix}",
                         "".join(chars[0] for chars in positions), rule)
        yield ValueClass(name, f"{name}: every position its highest{suffix}",
                         "".join(chars[-1] for chars in positions), rule)
        if length != lengths[0]:
            continue
        choice = next((index for index, chars in enumerate(positions) if len(chars) > 1), None)
        if choice is None:
            continue
        for char in positions[choice]:
            # The other positions cycle through their characters: members look like real values.
            value = "".join(char if index == choice else chars[(index + ord(char)) % len(chars)]
                            for index, chars in enumerate(positions))
            yield ValueClass(name, f"{name}: {char!r} at position {choice + 1} (the first with a choice)",
                             value, rule)


def _examples_of(name: str, schema: dict[str, Any], rule: str) -> Iterator[ValueClass]:
    """For a pattern the catalog cannot take apart: its documented examples and the simplest
    member hypothesis finds."""
    from hypothesis import find, strategies

    valid = _validator(schema)
    for index, example in enumerate(schema.get("examples") or ()):
        yield ValueClass(name, f"{name}: documented example {index + 1}", example, "examples")
    simplest = find(strategies.from_regex(schema["pattern"], fullmatch=True), valid.is_valid)
    yield ValueClass(name, f"{name}: the simplest member", simplest, rule)


# Free text: one note in each script it may be written in, and what storage gets wrong.
SCRIPT_SAMPLES: dict[str, str] = {
    "Latin (with / and an apostrophe)": "Call back after 5 p.m., ask for Ms. O'Neil/Sales",
    "Latin with precomposed diacritics": "Café Zürich, Łódź, São Paulo, Ærø",
    "Cyrillic": "Заметка для АПИ: перезвонить в пятницу, ёж",
    "Greek (with final sigma)": "Σημείωση: καλέστε πίσω τους πελάτες",
    "Arabic with harakat": "مُلاحَظَة: اِتَّصِلْ لاحِقًا",
    "Hebrew with niqqud": "הֶעָרָה: לְהִתְקַשֵּׁר מָחָר",
    "Chinese (CJK)": "备注：周五回电，客户",
    "Japanese (kana and kanji)": "メモ：金曜日に折り返し、ありがとう",
    "Korean (Hangul)": "메모: 금요일에 전화하기",
    "Devanagari (vowel signs)": "टिप्पणी: शुक्रवार को कॉल करें",
    "Thai": "หมายเหตุ: โทรกลับวันศุกร์",
    "emoji outside the BMP": "📞 call back 😀",
    "emoji sequences (ZWJ, skin tone, flag)": "👩🏽\u200d💻 🇷🇺 👨\u200d👩\u200d👧",
    "astral CJK and mathematical letters": "𠀀𠜎 𝒜𝔅𝕏",
    "combining marks (decomposed, stacked)": "e\u0301te\u0301 и\u0306 a\u0301\u0323 n\u0303",
    "right-to-left and left-to-right marks": "\u200fمرحبا\u200e 123 \u061cabc",
    "bidi isolates": "\u2067שלום\u2069 ok \u2066abc\u2069",
    "zero-width space, non-joiner, word joiner": "a\u200bb\u200cc\u2060d",
    "no-break and ideographic spaces": "a\u00a0b\u202fc\u3000d",
    "private use characters": "\ue000\uf8ff \U000f0000",
    "the replacement character": "bad \ufffd byte",
    "NUL character": "a\x00b",
    "quote, backslash, slash, tab, newline": "quote \" backslash \\ slash / tab \t newline \n end",
}
# At the maximum length, counted in code points (D4): one character per script, or pairs.
LENGTH_FILLERS: dict[str, str] = {
    "Latin letters": "x", "Cyrillic letters": "ж", "Arabic letters": "ع", "Hebrew letters": "א",
    "CJK characters": "語", "characters outside the BMP": "😀", "BMP and astral characters alternating": "ж😀",
    "combining pairs (base and mark)": "e\u0301",
}


def _fitted(text: str, low: int, high: int | None) -> str:
    """The text cut to `high` code points, or repeated up to `low`."""
    while len(text) < low:
        text += text
    return text if high is None else text[:high]


def _text_classes(name: str, schema: dict[str, Any]) -> Iterator[ValueClass]:
    low, high = schema.get("minLength", 0), schema.get("maxLength")
    rule = "minLength/maxLength (code points)"
    yield ValueClass(name, f"{name}: the minimum length ({low})", "x" * low, rule)
    middle = (low + high) // 2 if high is not None else low + 64
    yield ValueClass(name, f"{name}: the middle length ({middle})", _fitted("Заметка 1/2 ", middle, middle), rule)
    if high is not None:
        for filler_name, filler in LENGTH_FILLERS.items():
            yield ValueClass(name, f"{name}: the maximum length ({high}) in {filler_name}",
                             _fitted(filler, high, high), rule)
    for script, text in SCRIPT_SAMPLES.items():
        yield ValueClass(name, f"{name}: {script}", _fitted(text, low, high), "a string of any characters")


def value_classes(schema: dict[str, Any], name: str, *, required: bool) -> list[ValueClass]:
    """The accepted classes of one property's schema; each member is valid under it."""
    types = _types(schema)
    allowed = allowed_values(schema)
    classes: list[ValueClass]
    if allowed is not None:
        classes = [ValueClass(name, f"{name}: {value!r}", value, "enum") for value in allowed]
    elif "integer" in types:
        classes = list(_integer_classes(name, schema))
    elif "string" in types and "pattern" in schema:
        classes = list(_pattern_classes(name, schema))
    elif "string" in types:
        classes = list(_text_classes(name, schema))
    else:
        classes = [ValueClass(name, f"{name}: documented example", example, "examples")
                   for example in schema.get("examples") or ()]
    if "null" in types:
        classes.append(ValueClass(name, f"{name}: null", None, "type null"))
    valid = _validator(schema)
    for value_class in classes:
        if not valid.is_valid(value_class.value):
            raise ValueError(f"{value_class.name}: {value_class.value!r} does not match its own schema")
    unique = list({repr(value_class.value): value_class for value_class in classes}.values())
    if not required:
        unique.append(ValueClass(name, f"{name} left out (optional)", None, "not required", absent=True))
    return unique


def _source_bound(operation: OperationFacts, facts: ContractFacts, name: str) -> str | None:
    if name in operation.path_parameters:
        return PATH_RULE
    if operation.operation_id == facts.lifecycle.add and name == NUMBER_FIELD:
        return SOURCE_RULE
    return None


# --- request forms ---------------------------------------------------------------------------

def _utf8(body: Any, **options: Any) -> bytes:
    return json.dumps(body, ensure_ascii=False, **options).encode("utf-8")


def _with_content_type(content_type: str) -> Callable[[Body], Sent]:
    return lambda body: Sent(_utf8(body), content_type, body)


def _written(value: Any, string: Callable[[str], str], integer: Callable[[int], str] = str) -> str:
    """JSON text of a value, strings and integers written by the given functions."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{string(key)}: {_written(item, string, integer)}"
                               for key, item in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_written(item, string, integer) for item in value) + "]"
    if isinstance(value, str):
        return string(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return integer(value)
    return json.dumps(value)


def _every_character_escaped(text: str) -> str:
    units = text.encode("utf-16-be")
    return '"' + "".join(f"\\u{int.from_bytes(units[i:i + 2], 'big'):04x}" for i in range(0, len(units), 2)) + '"'


def _spaced(body: Body) -> bytes:
    text = json.dumps(body, ensure_ascii=False, indent="\t", separators=(" ,", " :  "))
    # json.dumps escapes newlines inside strings, so every raw newline here is whitespace.
    return (" \r\n\t" + text.replace("\n", "\r\n") + "\r\n ").encode("utf-8")


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, str):
        yield value


def _integers(value: Any) -> list[int]:
    if isinstance(value, dict):
        return [number for item in value.values() for number in _integers(item)]
    if isinstance(value, list):
        return [number for item in value for number in _integers(item)]
    return [value] if isinstance(value, int) and not isinstance(value, bool) else []


def _sent(encode: Callable[[Body], bytes], content_type: str = JSON_MEDIA_TYPE,
          headers: tuple[tuple[str, str], ...] = ()) -> Callable[[Body], Sent]:
    return lambda body: Sent(encode(body), content_type, body, headers)


EXACT_IN_A_DOUBLE = 2**53
MEDIA_RULE = "D18: application/json, a charset parameter utf-8 (any case) allowed"
JSON_RULE = "D18: any UTF-8 JSON text (RFC 8259) holding one object"
PLAIN = RequestForm("application/json, compact JSON with non-ASCII characters as UTF-8",
                    JSON_RULE, as_json)


def request_forms() -> tuple[RequestForm, ...]:
    """The forms of a request the document and HTTP accept for a body that is valid."""
    return (
        RequestForm("Content-Type application/json; charset=utf-8", MEDIA_RULE,
                    _with_content_type(f"{JSON_MEDIA_TYPE}; charset=utf-8")),
        RequestForm("Content-Type application/json; charset=UTF-8 (as the provider's conventions write it)",
                    MEDIA_RULE, _with_content_type(f"{JSON_MEDIA_TYPE}; charset=UTF-8")),
        RequestForm("Content-Type application/json;charset=utf-8 (no space)",
                    f"{MEDIA_RULE}; RFC 9110 §5.6.6: whitespace around ';' is optional",
                    _with_content_type(f"{JSON_MEDIA_TYPE};charset=utf-8")),
        RequestForm('Content-Type application/json; charset="utf-8" (quoted)',
                    f"{MEDIA_RULE}; RFC 9110 §5.6.6: a parameter value may be quoted",
                    _with_content_type(f'{JSON_MEDIA_TYPE}; charset="utf-8"')),
        RequestForm("Content-Type APPLICATION/JSON (upper case)",
                    f"{MEDIA_RULE}; RFC 9110 §8.3.1: media types are case-insensitive",
                    _with_content_type(JSON_MEDIA_TYPE.upper())),
        RequestForm("JSON without any whitespace", JSON_RULE, _sent(lambda b: _utf8(b, separators=(",", ":")))),
        RequestForm("JSON with whitespace everywhere (tabs, CRLF, around the object)",
                    f"{JSON_RULE}; RFC 8259 §2: insignificant whitespace", _sent(_spaced)),
        RequestForm("JSON with every non-ASCII character \\u-escaped (astral ones as surrogate pairs)",
                    f"{JSON_RULE}; RFC 8259 §7", _sent(lambda b: json.dumps(b).encode("ascii")),
                    lambda b: any(not text.isascii() for text in _strings(b))),
        RequestForm("JSON with every character of every key and string \\u-escaped",
                    f"{JSON_RULE}; RFC 8259 §7",
                    _sent(lambda b: _written(b, _every_character_escaped).encode("ascii"))),
        RequestForm("JSON with '/' escaped as '\\/'", f"{JSON_RULE}; RFC 8259 §7",
                    _sent(lambda b: _utf8(b).replace(b"/", b"\\/")), lambda b: any("/" in t for t in _strings(b))),
        RequestForm("JSON with the keys in reverse order", f"{JSON_RULE}; RFC 8259 §4: members are unordered",
                    _sent(lambda b: _utf8(dict(reversed(list(b.items())))))),
        # 1.0 is the integer 1 in JSON Schema; only where a double holds the integer exactly
        # (a parser may read 5.0 as a double), so a server's large id is written as it is.
        RequestForm("JSON with integers written with a zero fraction (5.0)",
                    f"{JSON_RULE}; JSON Schema 2020-12: a number with a zero fraction is an integer",
                    _sent(lambda b: _written(b, lambda s: json.dumps(s, ensure_ascii=False),
                                             lambda n: f"{n}.0" if abs(n) < EXACT_IN_A_DOUBLE else str(n)
                                             ).encode("utf-8")),
                    lambda b: any(abs(n) < EXACT_IN_A_DOUBLE for n in _integers(b))),
        RequestForm("Accept: application/json", "RFC 9110 §12.5.1: the answer's media type is acceptable",
                    _sent(_utf8, headers=(("Accept", JSON_MEDIA_TYPE),))),
        RequestForm("Accept: application/json; charset=utf-8, */*;q=0.1", "RFC 9110 §12.5.1",
                    _sent(_utf8, headers=(("Accept", f"{JSON_MEDIA_TYPE}; charset=utf-8, */*;q=0.1"),))),
        RequestForm("the body sent chunked, without Content-Length",
                    "D37: accepted like any other, or 411 Length Required with nothing stored",
                    lambda body: Sent(_utf8(body), JSON_MEDIA_TYPE, body, chunked=True),
                    also_refused=frozenset({411})),
    )


# --- cases -------------------------------------------------------------------------------------

@dataclass
class _Row:
    body: Body
    classes: list[ValueClass] = field(default_factory=list)
    form: RequestForm | None = None


def _applied(body: Body, classes: list[ValueClass]) -> Body:
    body = dict(body)
    for value_class in classes:
        if value_class.absent:
            body.pop(value_class.property, None)
        elif not value_class.from_source:
            body[value_class.property] = value_class.value
    return body


def _shape_classes(facts: ContractFacts, operation: OperationFacts, base: Base) -> dict[str, list[ValueClass]]:
    classes = {}
    for name, schema in base.properties.items():
        rule = _source_bound(operation, facts, name)
        if rule is not None:
            classes[name] = [ValueClass(name, f"{name}: the run's ({rule})", base.body.get(name), rule,
                                        from_source=True)]
        else:
            classes[name] = value_classes(schema, name, required=name in base.required)
    return classes


def operation_cases(facts: ContractFacts, schemas: DocumentSchemas, operation: OperationFacts
                    ) -> list[AcceptedCase]:
    """The cases of one operation: row i of a shape holds the i-th class of each of its
    properties; a class of a property several shapes share is sent in one of them (in turn).
    Then each form goes on the first row it changes, or on a row of its own."""
    validator = schemas.validator_at(operation.request_pointer or "")
    bases = _bases(schemas, operation)
    per_shape = [_shape_classes(facts, operation, base) for base in bases]
    # A property whose classes are the same in every shape (the comment) is sent once, not once
    # per shape; one whose classes differ (the purpose) is sent in full in each.
    shared = {name for name, values in per_shape[0].items() if len(bases) > 1 and all(
        [c.name for c in classes.get(name, ())] == [c.name for c in values] for classes in per_shape)}
    rows: list[tuple[Base, _Row]] = []
    for index, (base, classes) in enumerate(zip(bases, per_shape)):
        columns = {name: [c for position, c in enumerate(values)
                          if name not in shared or c.from_source or position % len(bases) == index]
                   for name, values in classes.items()}
        for position in range(max(len(values) for values in columns.values())):
            chosen = [values[position] for values in columns.values() if position < len(values)]
            rows.append((base, _Row(_applied(base.body, chosen), chosen)))
    for form in request_forms():
        row = next((row for _, row in rows if row.form is None and form.applies(row.body)), None)
        if row is None and form.applies(bases[0].body):
            rows.append((bases[0], row := _Row(dict(bases[0].body))))
        if row is not None:
            row.form = form
    cases = []
    for number, (base, row) in enumerate(rows, 1):
        if not validator.is_valid(row.body):
            raise ValueError(f"{operation.operation_id} #{number}: the document refuses {row.body!r}")
        cases.append(AcceptedCase(operation.operation_id, number, base.name, row.body, tuple(row.classes),
                                  row.form or PLAIN))
    return cases


def catalog(schemas: DocumentSchemas) -> dict[str, list[AcceptedCase]]:
    """operationId -> its accepted cases, for every operation with a request body."""
    facts = facts_from(schemas)
    return {operation.operation_id: operation_cases(facts, schemas, operation)
            for operation in facts.operations.values() if operation.has_body}


@functools.cache
def bundled_catalog() -> dict[str, list[AcceptedCase]]:
    return catalog(bundled_schemas())
