"""The edge catalog (vpbx_suite.edges) against the target: each edge of each rule, one test.

- Every edge starts from a body the document accepts (a documented example of its shape, or
  one with another allowed value) and changes one thing; that body is itself an edge ("base
  bodies"), sent and accepted, so a refusal can only come from the change.
- An edge of an add gets a fresh number and a city number of a new region. Accepted: the
  answer is a success, echoes what was sent and reads back the same (storage that rewrites
  text is caught). Rejected: a 4xx "invalid input"; at the end, none of those numbers is on
  the account (one read of the listing, no write) — or, without the listing, the same number
  can still be added.
- An edit edge works on one number the run added: accepted, the edit is echoed and read back;
  rejected, the stored record is unchanged.
- A status HTTP lets a server answer instead (411 to a body without Content-Length) is
  accepted for the edge that names it, with nothing stored.
- A path or query edge is sent as a read (or to the run's own number) and must be refused.
- The add and parameter edges depend on no other request: they are sent ahead of their tests,
  CONCURRENCY at a time (vpbx_suite.ahead); each test still judges its own answer. The edit
  edges are sent ahead too, each on one of up to CONCURRENCY numbers of the run that no other
  edge works on meanwhile (vpbx_suite.edge_requests).
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from vpbx_suite.ahead import Ahead
from vpbx_suite.completeness import OPERATIONS, OTHER, TOO_FEW_NUMBERS, not_run, reason_of
from vpbx_suite.contract import NOT_FOUND_STATUS, NUMBER_FIELD, bundled_facts
from vpbx_suite.edge_requests import EditLanes, answered_as_the_document_says, edit_edge_request
from vpbx_suite.edges import Edge, ParameterEdge, bundled_catalog
from vpbx_suite.judge import NOT_JSON
from vpbx_suite.rules import PARAMETER_REJECTED, REJECTED_STORES_NOTHING, expect
from vpbx_suite.run import SuiteRun
from vpbx_suite.settings import Target
from vpbx_suite.target_api import TargetApi, as_json
from vpbx_suite.target_tests.helpers import assert_added, fresh_body, listed, sent_ahead, spend_write

FACTS = bundled_facts()
LIFE = FACTS.lifecycle
BODY_EDGES, PARAMETER_EDGES = bundled_catalog()
ADD_EDGES = [edge for edge in BODY_EDGES if edge.operation_id == LIFE.add]
EDIT_EDGES = [edge for edge in BODY_EDGES if edge.operation_id == LIFE.edit]
REJECTED_ADDS: dict[str, str] = {}  # number -> edge label, checked at the end


def _ids(edges: list[Any]) -> list[str]:
    return [edge.label for edge in edges]


@pytest.fixture(scope="module")
def add_edges(api: TargetApi, run: SuiteRun, target: Target) -> Iterator[Ahead[int, Any]]:
    """Each add edge's request, sent ahead of its test (vpbx_suite.ahead): a fresh number, one
    request, judged as answered; the write budget is spent as each is prepared."""
    def prepare(edge: Edge) -> Callable[[], Any]:
        spend_write(run, f"edges of the add ({edge.edge_class})")
        body = fresh_body(run, base=edge.base_body)
        sent = edge.build(body)
        run.count_edge(edge.edge_class)
        return lambda: (body, sent, api.call(LIFE.add or "", sent))
    yield from sent_ahead(run, target.concurrency, ADD_EDGES, prepare)


@pytest.mark.needs("add")
@pytest.mark.parametrize("edge", ADD_EDGES, ids=_ids(ADD_EDGES))
def test_add_edge(api: TargetApi, run: SuiteRun, add_edges: Ahead[int, Any], edge: Edge) -> None:
    body, sent, response = add_edges.take(id(edge))
    if answered_as_the_document_says(api, edge, response):
        return
    if run.checks(LIFE.listing):
        REJECTED_ADDS[body[NUMBER_FIELD]] = edge.name
    elif sent.body is not NOT_JSON:
        spend_write(run, "proof that a rejected add stored nothing")
        assert_added(api, body, f"after the rejected request ({edge.name})")


@pytest.mark.needs("add", "listing")
def test_rejected_adds_stored_nothing(api: TargetApi, run: SuiteRun) -> None:
    if not REJECTED_ADDS:
        # Nothing to check: the add's edges did not run; counted under the reason they did not.
        reasons = Counter(reason_of(message) for test, message in run.completeness.not_run.items()
                          if test.startswith("test_add_edge"))
        not_run(reasons.most_common(1)[0][0] if reasons else OTHER, "no add edge was refused in this run")
    # A number the run added itself later (recycling hands numbers out again) has an id of the
    # run's; one stored by the refused request has an id the run never saw.
    stored = [f"{number} ({REJECTED_ADDS[number]})" for item in listed(api)
              if (number := item.get(NUMBER_FIELD)) in REJECTED_ADDS and not run.ledger.owns(item.get("id"))]
    expect(not stored, REJECTED_STORES_NOTHING,
           f"adds the server refused were stored anyway: the listing shows {', '.join(stored)}")


@pytest.fixture(scope="module")
def edit_edges(api: TargetApi, run: SuiteRun, target: Target) -> Iterator[Ahead[int, Any]]:
    """Each edit edge's read, edit and read again, sent ahead of its test on a number of its own
    lane (vpbx_suite.edge_requests); the edge is judged there, and its test takes the outcome."""
    lanes = EditLanes(api, run, target.concurrency)
    yield from sent_ahead(run, target.concurrency, EDIT_EDGES, edit_edge_request(api, run, lanes))
    lanes.release()


@pytest.mark.needs("add", "edit")
@pytest.mark.parametrize("edge", EDIT_EDGES, ids=_ids(EDIT_EDGES))
def test_edit_edge(edit_edges: Ahead[int, Any], edge: Edge) -> None:
    edit_edges.take(id(edge))


@pytest.fixture(scope="module")
def parameter_edges(api: TargetApi, run: SuiteRun, target: Target) -> Iterator[Ahead[int, Any]]:
    """Each path or query edge's request, sent ahead of its test: a read, or a request for the
    run's own number that must be refused; none depends on another."""
    def prepare(edge: ParameterEdge) -> Callable[[], Any]:
        if not run.checks(edge.operation_id):
            not_run(OPERATIONS, f"needs {edge.operation_id}")
        operation = FACTS.operations[edge.operation_id]
        sent = None
        if operation.has_body:
            # The body names one of the run's own numbers: a server that wrongly trusts the body's
            # id over the path's must not touch anyone else's.
            owned = run.ledger.live_ids()
            if not owned:
                not_run(TOO_FEW_NUMBERS, "the run holds no number of its own for the body's id")
            sent = as_json({**copy.deepcopy(operation.request_examples["seed"]), "id": owned[-1]})
        run.count_edge(edge.edge_class)
        where = {"path": {edge.parameter: edge.value}} if edge.location == "path" else \
            {"query": {edge.parameter: edge.value}}
        return lambda: api.call(edge.operation_id, sent, **where)
    yield from sent_ahead(run, target.concurrency, PARAMETER_EDGES, prepare)


@pytest.mark.parametrize("edge", PARAMETER_EDGES, ids=_ids(PARAMETER_EDGES))
def test_parameter_edge(run: SuiteRun, parameter_edges: Ahead[int, Any], edge: ParameterEdge) -> None:
    operation = FACTS.operations[edge.operation_id]
    response = parameter_edges.take(id(edge))
    if edge.location == "path":
        expected = sorted(set(operation.rejection_statuses()) | {NOT_FOUND_STATUS})
    else:
        expected = operation.rejection_statuses()
    expect(response.status_code in expected, PARAMETER_REJECTED,
           f"{operation.label} with the {edge.location} parameter {edge.parameter}={edge.value!r}: the contract "
           f"rejects it; answered {response.status_code}, expected one of {expected}: {response.text[:200]}",
           operation=edge.operation_id)
