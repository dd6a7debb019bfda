"""The edge catalog: derived from the document, classified by it, and covering the classes
of bugs real implementations ship."""

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
    body = copy.deepcopy(operation.request_examples[edge.base])
    if operation is ADD:
        body["number"] = "79001234567"  # a fresh number, as the suite sends
    return body


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
                 "comment: 256 emoji (outside the BMP) characters", "comment: null", "unknown property 'numbe'"):
        assert name in rejected, name
    accepted = {name for name, edge in add.items() if edge.must_accept}
    for name in ("comment: 255 Cyrillic characters (the maximum)", "comment: 255 CJK characters (the maximum)",
                 "comment: 255 emoji (outside the BMP) characters (the maximum)", "comment: 0 characters (the minimum)",
                 "comment: NUL character", "comment: right-to-left text", "comment: combining marks (NFD)",
                 "comment: HTML specials", "comment: SQL specials", "comment: leading and trailing whitespace",
                 "comment: characters outside the BMP"):
        assert name in accepted, name
    assert not edit["employee_id missing"].must_accept
    assert not edit["employee_id with purpose 'company'"].must_accept
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
