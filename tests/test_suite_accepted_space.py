"""The accepted-space catalog: every member it makes is valid under the document (checked with
jsonschema against the document itself, request by request), it follows a changed document,
every request property and every request form is sent, and what it sends parses back to the
body it claims."""

from __future__ import annotations

import copy
import json
import re

import jsonschema
import pytest

from vpbx_suite.accepted_space import bundled_catalog, catalog, pattern_atoms, request_forms, value_classes
from vpbx_suite.contract import bundled_facts
from vpbx_spec.document import DocumentSchemas, bundled_document, bundled_schemas

FACTS = bundled_facts()
ADD = FACTS.operations[FACTS.lifecycle.add or ""]
EDIT = FACTS.operations[FACTS.lifecycle.edit or ""]
CATALOG = bundled_catalog()
ALL_CASES = [case for cases in CATALOG.values() for case in cases]


# The document's bound (D30), not a copy of it.
EMPLOYEE_ID_MAXIMUM = bundled_facts().operations[bundled_facts().lifecycle.edit or ""].request_properties[
    "employee_id"]["maximum"]

def _names(cases) -> set[str]:
    return {value_class.name for case in cases for value_class in case.classes}


@pytest.mark.parametrize("case", ALL_CASES, ids=[case.label for case in ALL_CASES])
def test_every_case_is_a_body_the_document_accepts(case):
    operation = FACTS.operations[case.operation_id]
    validator = bundled_schemas().validator_at(operation.request_pointer)
    validator.validate(case.body)
    sent = case.sent()
    assert json.loads(sent.content.decode("utf-8")) == case.body  # the form changes the text, not the value
    assert sent.body == case.body


def test_every_member_matches_its_own_schema_and_pattern():
    for operation in (ADD, EDIT):
        for name, schema in operation.request_properties.items():
            for value_class in value_classes(schema, name, required=False):
                if value_class.absent:
                    continue
                jsonschema.Draft202012Validator(schema).validate(value_class.value)
                if "pattern" in schema:
                    assert re.fullmatch(schema["pattern"], value_class.value), value_class.name


def test_every_request_property_has_an_accepted_case():
    for operation_id, cases in CATALOG.items():
        properties = FACTS.operations[operation_id].request_properties
        sent = {value_class.property for case in cases for value_class in case.classes}
        assert sent == set(properties), operation_id


def test_every_form_is_sent_and_the_plain_form_too():
    used = {case.form.name for case in ALL_CASES}
    assert {form.name for form in request_forms()} <= used
    assert any(case.form.name.startswith("application/json, compact") for case in ALL_CASES)


def test_the_classes_cover_what_the_schemas_allow():
    add, edit = _names(CATALOG[ADD.operation_id]), _names(CATALOG[EDIT.operation_id])
    digits = {f"dgn_number: {str(d)!r} at position 2 (the first with a choice)" for d in range(10)}
    assert digits <= add
    assert {"purpose: 'company'", "purpose: 'not_specified'", "type: 'def'", "comment left out (optional)",
            "comment: the minimum length (0)", "comment: the maximum length (255) in characters outside the BMP",
            "comment: NUL character", "comment: Arabic with harakat"} <= add
    assert {"purpose: 'employee'", "purpose: 'company'", "purpose: 'not_specified'", "employee_id: the minimum 1",
            f"employee_id: the maximum {EMPLOYEE_ID_MAXIMUM}", "comment left out (optional)"} <= edit
    # Every text class is sent by each operation that takes the text, once.
    comments = [c.name for case in CATALOG[EDIT.operation_id] for c in case.classes if c.property == "comment"]
    assert len(comments) == len(set(comments))
    assert {c for c in add if c.startswith("comment")} == set(comments)


def test_astral_text_at_the_maximum_counts_code_points():
    (case,) = [case for case in CATALOG[ADD.operation_id]
               if "comment: the maximum length (255) in characters outside the BMP" in case.name]
    comment = case.body["comment"]
    assert len(comment) == 255 and len(comment.encode("utf-16-le")) // 2 == 510  # UTF-16 code units


def test_the_catalog_follows_the_document():
    """A narrower maxLength, another pattern and another enum give other cases."""
    document = copy.deepcopy(bundled_document())
    schemas = document["components"]["schemas"]
    add = schemas["AddMobileNumberRequest"]["properties"]
    add["comment"]["maxLength"] = 100
    add["dgn_number"]["pattern"] = "^749[0-9]{8}$"
    add["purpose"]["enum"] = ["company"]
    changed = catalog(DocumentSchemas(document))[ADD.operation_id]
    names = _names(changed)
    assert "comment: the maximum length (100) in Cyrillic letters" in names
    assert not any("(255)" in name for name in names)
    assert all(len(case.body["comment"]) <= 100 for case in changed if "comment" in case.body)
    assert "dgn_number: '0' at position 4 (the first with a choice)" in names
    assert all(case.body["dgn_number"].startswith("749") for case in changed)
    assert "purpose: 'not_specified'" not in names
    for case in changed:
        DocumentSchemas(document).validator_at(ADD.request_pointer).validate(case.body)


def test_a_pattern_is_taken_apart_only_when_it_is_literals_sets_and_repeats():
    assert pattern_atoms("^7[0-9]{10}$") == [(("7",), 1, 1), (tuple("0123456789"), 10, 10)]
    assert pattern_atoms("^(a|b)$") is None
    assert pattern_atoms(r"^\d+$") is None


def test_a_pattern_it_cannot_take_apart_still_gets_members_that_match():
    schema = {"type": "string", "pattern": "^(ab|cd)+x$", "examples": ["abx"]}
    classes = value_classes(schema, "code", required=True)
    assert classes and all(re.fullmatch(schema["pattern"], c.value) for c in classes)


def test_an_optional_nullable_property_gets_null_and_left_out():
    classes = value_classes({"type": ["string", "null"], "maxLength": 3}, "note", required=False)
    assert {"note: null", "note left out (optional)"} <= {c.name for c in classes}
    assert all(len(c.value) <= 3 for c in classes if isinstance(c.value, str))


def test_a_schema_member_that_fails_its_schema_is_an_error_not_a_case():
    with pytest.raises(ValueError, match="does not match its own schema"):
        value_classes({"type": "string", "maxLength": 5, "not": {"const": ""}}, "x", required=True)


def test_a_zero_fraction_is_written_only_where_a_double_holds_the_integer():
    """A server's id may be above 2^53 (large random ids are its freedom): written 5.0 it
    would reach a parser as another number, so it is sent as it is."""
    (form,) = [form for form in request_forms() if "zero fraction" in form.name]
    text = form.encode({"id": 2**62 + 1, "employee_id": 123, "purpose": "employee"}).content
    assert b'"employee_id": 123.0' in text and f'"id": {2**62 + 1},'.encode() in text
    assert not form.applies({"id": 2**62 + 1})
