"""The client against the document: every operation has a method named after its operationId,
taking exactly its properties and parameters, at the document's method and path, answering
its model; every documented error status has its exception."""

from __future__ import annotations

import inspect
import re
import typing

import pytest
from pydantic import TypeAdapter

import generated.models
import vpbx_client
from vpbx_client import AsyncClient, Client, errors, routes
from vpbx_spec.document import bundled_schemas
from vpbx_suite.contract import OperationFacts, bundled_facts

FACTS = bundled_facts()
CLIENTS = [Client, AsyncClient]
# Methods that are not operations: the connection's.
NOT_OPERATIONS = {"close", "aclose"}


def snake_case(operation_id: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", operation_id).lower()


def operation_methods(cls: type) -> dict[str, typing.Any]:
    return {name: member for name, member in vars(cls).items()
            if not name.startswith("_") and callable(member) and name not in NOT_OPERATIONS}


def expected_parameters(facts: OperationFacts) -> tuple[set[str], set[str]]:
    """(every keyword, the required ones) as the document gives them."""
    names = {*facts.request_properties, *facts.path_parameters, *facts.query_parameters}
    required = {*facts.request_required,
                *(name for name, _ in facts.path_parameters.items()),  # path parameters are required
                *(name for name, schema in facts.query_parameters.items() if schema.get("required"))}
    return names, required


@pytest.mark.parametrize("cls", CLIENTS)
def test_every_operation_has_a_method_and_every_method_an_operation(cls):
    assert set(operation_methods(cls)) == {snake_case(op) for op in FACTS.operations}


@pytest.mark.parametrize("cls", CLIENTS)
@pytest.mark.parametrize("operation_id", list(FACTS.operations))
def test_a_method_takes_the_operations_properties_and_parameters(cls, operation_id):
    facts = FACTS[operation_id]
    method = getattr(cls, snake_case(operation_id))
    parameters = list(inspect.signature(method).parameters.values())[1:]  # after self
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in parameters)
    names, required = expected_parameters(facts)
    assert {p.name for p in parameters} == names
    assert {p.name for p in parameters if p.default is inspect.Parameter.empty} == required
    assert all(p.default is None for p in parameters if p.name not in required)
    if cls is AsyncClient:
        assert inspect.iscoroutinefunction(method)


@pytest.mark.parametrize("cls", CLIENTS)
@pytest.mark.parametrize("operation_id", list(FACTS.operations))
def test_enumerated_parameters_take_the_documents_values(cls, operation_id):
    facts = FACTS[operation_id]
    hints = typing.get_type_hints(getattr(cls, snake_case(operation_id)))
    enums = dict(facts.enum_request_properties)
    enums.update({name: tuple(schema["enum"]) for name, schema in facts.query_parameters.items()
                  if "enum" in schema})
    for name, values in enums.items():
        literals = {arg for arg in typing.get_args(hints[name]) if arg is not type(None)}
        literal_values = set().union(*(typing.get_args(arg) or (arg,) for arg in literals))
        assert literal_values == set(values), name


@pytest.mark.parametrize("cls", CLIENTS)
@pytest.mark.parametrize("operation_id", list(FACTS.operations))
def test_a_method_returns_the_documents_model(cls, operation_id):
    facts = FACTS[operation_id]
    returned = typing.get_type_hints(getattr(cls, snake_case(operation_id)))["return"]
    model_name = facts.response_pointer.rsplit("/", 1)[-1]
    model = getattr(generated.models, model_name)
    assert returned == (list[model] if facts.response_is_array else model)


@pytest.mark.parametrize("operation_id", list(FACTS.operations))
def test_the_route_table_is_the_documents(operation_id):
    facts = FACTS[operation_id]
    route = next(r for r in routes.ROUTES if r.operation_id == operation_id)
    assert (route.method.lower(), route.path) == (facts.method, facts.path)
    model = getattr(generated.models, facts.response_pointer.rsplit("/", 1)[-1])
    assert route.answer.core_schema == TypeAdapter(list[model] if facts.response_is_array else model).core_schema
    assert len(routes.ROUTES) == len(FACTS.operations)


def test_the_production_url_is_the_documents_server():
    assert routes.PRODUCTION_BASE_URL == bundled_schemas().document["servers"][0]["url"]
    assert vpbx_client.PRODUCTION_BASE_URL == routes.PRODUCTION_BASE_URL


@pytest.mark.parametrize("operation_id", list(FACTS.operations))
def test_every_documented_error_status_has_its_exception(operation_id):
    for status in sorted(FACTS[operation_id].documented_statuses - FACTS[operation_id].success_statuses):
        cls = errors.error_class(status, operation_id, code=None)
        assert cls is not errors.ApiError and issubclass(cls, errors.ApiError), status


def test_the_named_exceptions_of_the_issue():
    assert errors.error_class(404, "getVirtualNumber", "not_found") is vpbx_client.NotFound
    assert errors.error_class(409, "addMobileNumber", "duplicate_number") is vpbx_client.Conflict
    assert errors.error_class(422, "addMobileNumber", "number_not_connectable") is vpbx_client.NotConnectable
    assert errors.error_class(422, "addMobileNumber", None) is vpbx_client.NotConnectable
    assert errors.error_class(422, "addMobileNumber", "validation_failed") is vpbx_client.InvalidInput
    assert errors.error_class(422, "editMobileNumber", None) is vpbx_client.InvalidInput
    assert errors.error_class(400, "editMobileNumber", "validation_failed") is vpbx_client.InvalidInput
    assert errors.error_class(401, "getVirtualNumber", "unauthorized") is vpbx_client.Unauthorized
    assert issubclass(vpbx_client.Forbidden, vpbx_client.Unauthorized)
    assert errors.error_class(503, "getVirtualNumber", None) is vpbx_client.ServerError
    assert errors.error_class(429, "getVirtualNumber", None) is vpbx_client.RateLimited
