"""The client's requests and typed errors, against a scripted server (no network)."""

from __future__ import annotations

import json
import logging

import httpx
import pytest
from pydantic import ValidationError

import vpbx_client
from generated.models import DeletedNumber, EditedMobileNumber, Error, VirtualNumber
from tests.client_fakes import BASE_URL, DGN, NUMBER, TOKEN, Calling, FakeTime, Script, error, ok, record
from vpbx_client import AsyncClient, Client, RetryPolicy

KINDS = ["sync", "async"]
ADD_ARGS = {"number": NUMBER, "dgn_number": DGN, "purpose": "company", "type": "def"}


def calling(kind: str, *steps, **options) -> Calling:
    return Calling(kind, Script(*steps), FakeTime(), **options)


@pytest.mark.parametrize("kind", KINDS)
def test_each_operation_sends_the_documents_request_and_returns_its_model(kind):
    edited = {"id": 7, "purpose": "employee", "employee_id": 3, "comment": "Заметка"}
    client = calling(kind, ok([{"id": NUMBER, "number": NUMBER, "dgn_number": "", "state": "active"}]),
                     ok(record(), 201), ok([record()]), ok(record()), ok(edited), ok({"id": 7}))
    assert client.list_connectable_mobile_numbers()[0].number == NUMBER
    assert isinstance(client.add_mobile_number(**ADD_ARGS), VirtualNumber)
    assert client.list_virtual_numbers(type="def")[0].id == 7
    assert client.get_virtual_number(id=7).number == NUMBER
    assert client.edit_mobile_number(id=7, purpose="employee", employee_id=3, comment="Заметка") == \
        EditedMobileNumber(**edited)
    assert client.delete_virtual_number(id=7) == DeletedNumber(id=7)
    requests = client.script.requests
    assert [f"{r.method} {r.url}" for r in requests] == [
        f"GET {BASE_URL}/numbers/def-virtual-number-capacity", f"POST {BASE_URL}/numbers/unconfirmed",
        f"GET {BASE_URL}/numbers/virtual-number?type=def", f"GET {BASE_URL}/numbers/virtual-number/7",
        f"PUT {BASE_URL}/numbers/virtual-number/7", f"DELETE {BASE_URL}/numbers/virtual-number/7"]
    assert all(r.headers["authorization"] == TOKEN for r in requests)
    assert json.loads(requests[1].content) == ADD_ARGS  # comment omitted, not null
    assert requests[1].headers["content-type"] == "application/json; charset=UTF-8"
    assert json.loads(requests[4].content) == edited  # the body repeats the path's id (D26)
    assert "content-type" not in requests[0].headers


@pytest.mark.parametrize("kind", KINDS)
def test_optional_arguments_left_out_stay_out(kind):
    client = calling(kind, ok([]), ok({"id": 7, "purpose": "company", "employee_id": None, "comment": "c"}))
    client.list_virtual_numbers()
    client.edit_mobile_number(id=7, purpose="company")
    assert str(client.script.requests[0].url) == f"{BASE_URL}/numbers/virtual-number"
    assert json.loads(client.script.requests[1].content) == {"id": 7, "purpose": "company"}


@pytest.mark.parametrize("arguments", [
    {**ADD_ARGS, "number": "7916123456"}, {**ADD_ARGS, "number": 79161234567},
    {**ADD_ARGS, "purpose": "employee"}, {**ADD_ARGS, "type": "abc"}, {**ADD_ARGS, "comment": "x" * 256},
])
def test_arguments_the_document_refuses_never_leave(arguments):
    client = calling("sync")
    with pytest.raises(ValidationError):
        client.add_mobile_number(**arguments)
    assert client.script.requests == []


def test_an_edit_the_document_refuses_never_leaves():
    client = calling("sync")
    with pytest.raises(ValidationError):
        client.edit_mobile_number(id=7, purpose="company", employee_id=3)  # D27
    with pytest.raises(ValidationError):
        client.edit_mobile_number(id=7, purpose="employee")
    with pytest.raises(TypeError):
        client.get_virtual_number(id="7")
    assert client.script.requests == []


ERRORS = [
    # (status, code, field, the call, expected exception)
    (400, "validation_failed", "purpose", "edit", vpbx_client.InvalidInput),
    (422, "validation_failed", "type", "list", vpbx_client.InvalidInput),
    (401, "unauthorized", None, "get", vpbx_client.Unauthorized),
    (403, "forbidden", None, "get", vpbx_client.Forbidden),
    (404, "not_found", "id", "get", vpbx_client.NotFound),
    (404, "not_found", "id", "edit", vpbx_client.NotFound),
    (404, "not_found", "id", "delete", vpbx_client.NotFound),
    (405, "method_not_allowed", None, "delete", vpbx_client.MethodNotAllowed),
    (409, "duplicate_number", "number", "add", vpbx_client.Conflict),
    (409, "not_deletable", None, "delete", vpbx_client.Conflict),
    (413, "payload_too_large", None, "add", vpbx_client.PayloadTooLarge),
    (415, "unsupported_media_type", None, "edit", vpbx_client.UnsupportedMediaType),
    (422, "number_not_connectable", "number", "add", vpbx_client.NotConnectable),
    (500, "internal_error", None, "get", vpbx_client.ServerError),
]
CALLS = {
    "add": lambda c: c.add_mobile_number(**ADD_ARGS),
    "get": lambda c: c.get_virtual_number(id=542),
    "list": lambda c: c.list_virtual_numbers(type="def"),
    "edit": lambda c: c.edit_mobile_number(id=542, purpose="company"),
    "delete": lambda c: c.delete_virtual_number(id=542),
}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("status", "code", "field", "call", "expected"), ERRORS)
def test_every_error_status_is_its_typed_exception_with_the_body(kind, status, code, field, call, expected):
    client = calling(kind, error(status, code, field, message=f"because {code}"))
    with pytest.raises(expected) as caught:
        CALLS[call](client)
    raised = caught.value
    assert type(raised) is expected
    assert (raised.status, raised.code, raised.field, raised.attempts) == (status, code, field, 1)
    assert raised.error == Error.model_validate({"error": {"code": code, "message": f"because {code}", "field": field}})
    assert raised.path in str(raised) and code in str(raised) and f"because {code}" in str(raised)
    assert raised.operation in {"addMobileNumber", "getVirtualNumber", "listVirtualNumbers",
                                "editMobileNumber", "deleteVirtualNumber"}
    assert_no_token(raised)


def test_an_error_body_that_is_not_json_still_gives_the_typed_exception():
    client = calling("sync", httpx.Response(404, text="<html>Not Found</html>"))
    with pytest.raises(vpbx_client.NotFound) as caught:
        client.get_virtual_number(id=5)
    assert caught.value.code is None and caught.value.error == Error(error="<html>Not Found</html>")


def test_answers_the_document_does_not_describe():
    client = calling("sync", ok({"id": "seven"}), httpx.Response(302, headers={"location": "/x"}))
    with pytest.raises(vpbx_client.UnexpectedResponse, match="id"):
        client.delete_virtual_number(id=7)
    with pytest.raises(vpbx_client.UnexpectedResponse, match="302"):
        client.get_virtual_number(id=7)


def test_a_server_echoing_the_token_does_not_put_it_in_the_exception():
    client = calling("sync", error(401, "unauthorized", message=f"token {TOKEN} is unknown"))
    with pytest.raises(vpbx_client.Unauthorized) as caught:
        client.get_virtual_number(id=5)
    assert "[token]" in str(caught.value)
    assert_no_token(caught.value)


def test_the_token_is_not_in_the_clients_repr():
    for client in (Client(base_url="http://user:pw@127.0.0.1:8080", token=TOKEN),
                   AsyncClient(base_url="http://127.0.0.1:8080", token=TOKEN)):
        assert TOKEN not in repr(client) and "pw" not in repr(client)
        assert TOKEN not in repr(client._http.headers)  # httpx masks Authorization


@pytest.mark.parametrize("token", ["", " padded ", "new\nline", "кириллица", None])
def test_a_bad_token_is_refused_without_quoting_it(token):
    with pytest.raises(ValueError) as caught:
        Client(base_url=BASE_URL, token=token)
    assert str(token) not in str(caught.value) or not token


@pytest.mark.parametrize("timeout", [0, -1, httpx.Timeout(None), httpx.Timeout(5.0, read=None)])
def test_timeouts_are_explicit(timeout):
    with pytest.raises(ValueError, match="timeout: every part"):
        Client(base_url=BASE_URL, token=TOKEN, timeout=timeout)


def test_a_retry_is_logged_without_the_token(caplog):
    client = calling("sync", error(503, "busy"), ok(record()))
    with caplog.at_level(logging.DEBUG):
        client.get_virtual_number(id=7)
    assert "retry 1 of" in caplog.text and TOKEN not in caplog.text


def assert_no_token(raised: BaseException) -> None:
    seen: list[BaseException] = []
    current: BaseException | None = raised
    while current is not None:  # the exception and every one chained to it
        seen.append(current)
        current = current.__cause__ or current.__context__
    for exception in seen:
        for text in (str(exception), repr(exception), repr(exception.args), repr(vars(exception))):
            assert TOKEN not in text


def test_every_exception_class_is_exported():
    classes = {name for name, cls in vars(vpbx_client.errors).items()
               if isinstance(cls, type) and issubclass(cls, vpbx_client.VpbxError)}
    assert classes <= set(vpbx_client.__all__)


def test_retry_policy_refuses_nonsense():
    with pytest.raises(ValueError, match="RetryPolicy: deadline must be positive"):
        RetryPolicy(deadline=0)
    with pytest.raises(ValueError, match="RetryPolicy: deadline must be positive"):
        RetryPolicy(max_retries=-1)


def reset_error() -> httpx.ReadError:
    return httpx.ReadError("[Errno 104] Connection reset by peer")


OTHER_FAILURES = [
    # (what the server does, the call, the exception) for the exceptions without a status of their own
    ([httpx.ConnectError("[Errno 111] Connection refused")] * 2, "get", vpbx_client.NetworkError),
    ([httpx.ReadTimeout("timed out")] * 2, "edit", vpbx_client.TimedOut),
    ([reset_error()] * 3, "add", vpbx_client.AddOutcomeUnknown),
    ([reset_error(), ok([record(dgn_number="74950000000")])], "add", vpbx_client.Conflict),
    ([error(429, "slow_down", headers={"Retry-After": "1"})] * 2, "list", vpbx_client.RateLimited),
    ([error(503, "busy")] * 2, "delete", vpbx_client.ServerError),
    ([ok({"id": 0})], "delete", vpbx_client.UnexpectedResponse),
    ([httpx.Response(302, headers={"location": f"/{TOKEN}"})], "get", vpbx_client.UnexpectedResponse),
]


@pytest.mark.parametrize(("steps", "call", "expected"), OTHER_FAILURES)
def test_no_exception_carries_the_token(steps, call, expected):
    client = calling("sync", *steps, policy=RetryPolicy(max_retries=1, base=0.0))
    with pytest.raises(expected) as caught:
        CALLS[call](client)
    assert_no_token(caught.value)
    if isinstance(caught.value, vpbx_client.AddOutcomeUnknown):
        assert_no_token(caught.value.last_error)
