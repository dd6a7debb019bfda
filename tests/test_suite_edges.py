"""The edge catalog: derived from the document, classified by it, covering the classes of bugs
real implementations ship, and proving what it claims: every edge changes one thing in a body
the document accepts, and that body is sent too."""

from __future__ import annotations

import copy
import json

import pytest

from vpbx_suite.contract import bundled_facts
from vpbx_suite.edges import bundled_catalog, catalog
from vpbx_suite.judge import NOT_JSON
from vpbx_spec.document import DocumentSchemas, bundled_document, bundled_schemas

FACTS = bundled_facts()
ADD = FACTS.operations[FACTS.lifecycle.add or ""]
EDIT = FACTS.operations[FACTS.lifecycle.edit or ""]
BODY_EDGES, PARAMETER_EDGES = bundled_catalog()


def _by_name(operation_id: str) -> dict[str, object]:
    return {edge.name: edge for edge in BODY_EDGES if edge.operation_id == operation_id}


def _base(operation, edge):
    body = copy.deepcopy(edge.base_body)
    if operation is ADD:
        body["number"] = "79001234567"  # a fresh number, as the suite sends
    return body


def _places_changed(before: dict, after: dict) -> list[str]:
    return sorted(key for key in before.keys() | after.keys()
                  if key not in before or key not in after or json.dumps(before[key]) != json.dumps(after[key]))


@pytest.mark.parametrize("edge", BODY_EDGES, ids=[edge.label for edge in BODY_EDGES])
def test_every_edge_starts_from_a_valid_body_that_is_sent_and_changes_one_place(edge):
    operation = FACTS.operations[edge.operation_id]
    validator = bundled_schemas().validator_at(operation.request_pointer)
    assert validator.is_valid(edge.base_body), f"{edge.label}: its base {edge.base} is not valid"
    bases_sent = {e.base for e in BODY_EDGES if e.operation_id == edge.operation_id and e.edge_class == "base bodies"}
    assert edge.base in bases_sent, f"{edge.label}: its base {edge.base} is never sent on its own"
    sent = edge.build(_base(operation, edge))
    if edge.edge_class == "base bodies" or sent.body is NOT_JSON or not isinstance(sent.body, dict):
        return  # the base itself; or a body that is not one JSON object (D18): its damage is the change
    if edge.edge_class == "transfer framing":
        assert sent.body == _base(operation, edge) and sent.chunked  # the framing is the change
        return
    changed = _places_changed(_base(operation, edge), sent.body)
    assert len(changed) == 1 and changed == [edge.field], f"{edge.label}: changes {changed}"


def test_a_oneof_request_gets_edges_on_a_body_of_each_branch():
    """The edit's purpose edges of `company` start from a body without employee_id (a valid
    one of its branch), so a refusal can only come from the look-alike letter."""
    edit = _by_name(EDIT.operation_id)
    edge = edit["purpose: 'company' a Cyrillic look-alike letter (on companyWithoutComment)"]
    assert "employee_id" not in edge.base_body and edge.base_body["purpose"] == "company"
    assert not edge.must_accept
    bases = {e.base for e in edit.values() if e.edge_class == "base bodies"}
    assert {"seed", "companyWithoutComment"} <= bases
    for shape_edge in ("comment: 256 ASCII characters", "comment: 256 ASCII characters (on companyWithoutComment)"):
        assert shape_edge in edit


def test_unknown_and_forbidden_properties_vary_the_kind_of_value():
    add, edit = _by_name(ADD.operation_id), _by_name(EDIT.operation_id)
    for kind in ("a string", "a number", "true", "null", "an object", "an array"):
        assert not add[f"unknown property 'unknown_property' as {kind}"].must_accept
        assert not edit[f"employee_id not allowed here, as {kind} (on companyWithoutComment)"].must_accept
    for name in ADD.request_required:
        bodies = [edge.build(_base(ADD, edge)).body for edge in add.values() if edge.field == name]
        sent = [body for body in bodies if isinstance(body, dict)]
        assert any(name not in body for body in sent), f"{name}: never missing"
        assert any(body.get(name, 0) is None for body in sent), f"{name}: never null"
        assert any(body.get(name) == "" for body in sent), f"{name}: never empty"


def test_a_chunked_body_may_be_answered_411_and_says_why():
    (edge,) = [e for e in BODY_EDGES if e.operation_id == ADD.operation_id and e.edge_class == "transfer framing"]
    assert edge.must_accept and edge.also_refused == {411} and "RFC 9112" in edge.rule


@pytest.mark.parametrize("edge", BODY_EDGES, ids=[edge.label for edge in BODY_EDGES])
def test_every_edge_is_what_the_document_says(edge):
    operation = FACTS.operations[edge.operation_id]
    sent = edge.build(_base(operation, edge))
    if sent.body is NOT_JSON or sent.body is None:
        assert not edge.must_accept  # a body that is not a JSON object is never valid (D18)
        return
    validator = bundled_schemas().validator_at(operation.request_pointer)
    assert validator.is_valid(sent.body) == edge.must_accept, edge.label
    assert json.loads(sent.content) == sent.body


def test_the_classes_the_issue_names_are_there():
    add, edit = _by_name(ADD.operation_id), _by_name(EDIT.operation_id)
    rejected = {name for name, edge in add.items() if not edge.must_accept}
    for name in ("number: trailing newline", "number: Arabic-Indic digits", "number: Devanagari digits",
                 "number: full-width digits", "number: national 8 prefix", "number: empty string",
                 "number: leading space", "dgn_number: trailing newline", "purpose: 'company' upper case",
                 "purpose: 'company' trailing space", "purpose: 'company' a Cyrillic look-alike letter",
                 "comment: 256 Cyrillic characters", "comment: 256 CJK characters",
                 "comment: 256 emoji (outside the BMP) characters", "comment: null",
                 "unknown property 'numbe' as a string", "unknown property 'numbe' as null"):
        assert name in rejected, name
    accepted = {name for name, edge in add.items() if edge.must_accept}
    for name in ("comment: 255 Cyrillic characters (the maximum)", "comment: 255 CJK characters (the maximum)",
                 "comment: 255 emoji (outside the BMP) characters (the maximum)", "comment: 0 characters (the minimum)",
                 "comment: NUL character", "comment: right-to-left text", "comment: combining marks (NFD)",
                 "comment: HTML specials", "comment: SQL specials", "comment: leading and trailing whitespace",
                 "comment: characters outside the BMP"):
        assert name in accepted, name
    assert not edit["employee_id missing (required)"].must_accept
    assert not edit["employee_id not allowed here, as its documented value (on companyWithoutComment)"].must_accept
    assert edit["employee_id: the maximum"].must_accept and not edit["employee_id: one above the maximum"].must_accept


def test_an_edge_changes_the_value_actually_sent():
    """A number edge keeps the fresh number's digits, so a wrongly accepted request can be found."""
    edge = _by_name(ADD.operation_id)["number: trailing newline"]
    sent = edge.build({**ADD.request_examples["seed"], "number": "79005550011"})
    assert sent.body["number"] == "79005550011\n"


def test_parameter_edges_are_refused_by_the_document():
    assert {edge.operation_id for edge in PARAMETER_EDGES} == {
        o.operation_id for o in FACTS.operations.values() if o.path_parameters or o.query_parameters}
    names = {edge.name for edge in PARAMETER_EDGES}
    assert {"id zero", "id negative", "id letters", "id a fraction", "id above the maximum"} <= names
    assert "type: 'def' upper case" in names


def test_the_catalog_follows_the_document():
    """Nothing is restated: a different maxLength gives different length edges."""
    document = copy.deepcopy(bundled_document())
    document["components"]["schemas"]["AddMobileNumberRequest"]["properties"]["comment"]["maxLength"] = 100
    edges, _ = catalog(DocumentSchemas(document))
    names = {edge.name: edge.must_accept for edge in edges if edge.operation_id == ADD.operation_id}
    assert names["comment: 100 Cyrillic characters (the maximum)"] is True
    assert names["comment: 101 Cyrillic characters"] is False
    assert "comment: 255 Cyrillic characters (the maximum)" not in names


def test_edge_names_are_unique_per_operation():
    labels = [(edge.operation_id, edge.name) for edge in BODY_EDGES]
    assert len(labels) == len(set(labels))
