"""Faults put around the reference mock, for the self-test only.

A variant is the product mock (vpbx_mock.app.create_app) behind FaultyApp, an ASGI wrapper
that rewrites what the mock receives and what it answers. The product mock itself has no
fault switch; every fault lives here.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from vpbx_mock.body import parse_json
from vpbx_mock.errors import ApiError
from vpbx_suite.contract import OperationFacts, bundled_facts


@dataclass
class Exchange:
    """One request and the answer to it, as a fault sees and rewrites them."""

    request_headers: list[tuple[bytes, bytes]]
    request_body: bytes
    method: str = "POST"
    path: str = "/"          # the variant's own path, without its prefix
    query: str = ""          # the raw query string; a fault may rewrite it
    status: int = 0
    response_headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    response_body: bytes = b""
    notes: dict[str, Any] = field(default_factory=dict)  # what a fault remembers in between

    def sent_json(self) -> Any:
        """The request's JSON, parsed as strictly as the mock does: a fault never "repairs" a
        malformed body (duplicate keys, NaN, lone surrogates) by parsing and writing it again."""
        try:
            return parse_json(self.request_body)
        except ApiError:
            return None

    def set_request_json(self, value: Any) -> None:
        self.request_body = json.dumps(value, ensure_ascii=False).encode()

    def request_header(self, name: bytes) -> bytes | None:
        return next((value for key, value in self.request_headers if key.lower() == name), None)

    def set_request_header(self, name: bytes, value: bytes | None) -> None:
        self.request_headers = [(k, v) for k, v in self.request_headers if k.lower() != name]
        if value is not None:
            self.request_headers.append((name, value))

    @property
    def succeeded(self) -> bool:
        return 200 <= self.status < 300

    @property
    def operation(self) -> OperationFacts | None:
        return bundled_facts().by_route(self.method, self.path)

    def is_(self, role: str) -> bool:
        """Whether this exchange is the operation of a lifecycle role ("add", "read", …)."""
        operation = self.operation
        return operation is not None and operation.operation_id == getattr(bundled_facts().lifecycle, role)

    @property
    def path_id(self) -> str | None:
        operation = self.operation
        return None if operation is None else (operation.path_parameters_of(self.path) or {}).get("id")

    def respond(self, status: int, value: Any) -> None:
        """Answer here, in `before`: the mock never sees the request."""
        self.status = status
        self.response_headers = []
        self.set_answer_json(value)

    def answer_json(self) -> Any:
        try:
            return json.loads(self.response_body)
        except ValueError:
            return None

    def set_answer(self, body: bytes, content_type: bytes = b"application/json") -> None:
        self.response_body = body
        self.response_headers = [(k, v) for k, v in self.response_headers if k.lower() != b"content-type"]
        self.response_headers.append((b"content-type", content_type))

    def set_answer_json(self, value: Any) -> None:
        self.set_answer(json.dumps(value, ensure_ascii=False).encode())


class Fault:
    """Override `before` (or `before_async`, to wait) to change what the mock receives or to
    answer in its place, `after` to change its answer."""

    def before(self, exchange: Exchange) -> None:
        pass

    async def before_async(self, exchange: Exchange) -> None:
        self.before(exchange)

    def after(self, exchange: Exchange) -> None:
        pass


class FaultyApp:
    """The mock behind a list of faults."""

    def __init__(self, app: ASGIApp, faults: Sequence[Fault]) -> None:
        self.app = app
        self.faults = faults

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.faults:
            await self.app(scope, receive, send)
            return
        chunks = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body") or message["type"] != "http.request":
                break
        own_path = scope["path"][len(scope.get("root_path", "")):] or "/"
        exchange = Exchange(list(scope["headers"]), b"".join(chunks), scope["method"], own_path,
                            scope.get("query_string", b"").decode("latin-1"))
        for fault in self.faults:
            await fault.before_async(exchange)
            if exchange.status:
                break  # the fault answered in the mock's place
        exchange.set_request_header(b"content-length", str(len(exchange.request_body)).encode())

        async def replay() -> Message:
            return {"type": "http.request", "body": exchange.request_body, "more_body": False}

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                exchange.status = message["status"]
                exchange.response_headers = list(message.get("headers", []))
            elif message["type"] == "http.response.body":
                exchange.response_body += message.get("body", b"")

        if not exchange.status:
            root = scope.get("root_path", "")
            await self.app({**scope, "headers": exchange.request_headers,
                            "path": root + exchange.path, "raw_path": (root + exchange.path).encode(),
                            "query_string": exchange.query.encode("latin-1")}, replay, capture)
        for fault in self.faults:
            fault.after(exchange)
        headers = [(k, v) for k, v in exchange.response_headers if k.lower() != b"content-length"]
        headers.append((b"content-length", str(len(exchange.response_body)).encode()))
        await send({"type": "http.response.start", "status": exchange.status, "headers": headers})
        await send({"type": "http.response.body", "body": exchange.response_body})


# --- answers -----------------------------------------------------------------------------

Record = dict[str, Any]


class RewriteRecord(Fault):
    """Change every successful answer's record: fn(record, sent body) -> record."""

    def __init__(self, rewrite: Callable[[Record, Any], Record], roles: tuple[str, ...] = ("add", "read", "listing")) -> None:
        self.rewrite = rewrite
        self.roles = roles

    def after(self, exchange: Exchange) -> None:
        if not exchange.succeeded or not any(exchange.is_(role) for role in self.roles):
            return
        answer = exchange.answer_json()
        if isinstance(answer, dict):
            exchange.set_answer_json(self.rewrite(dict(answer), exchange.sent_json()))
        elif isinstance(answer, list):
            exchange.set_answer_json([self.rewrite(dict(item), None) if isinstance(item, dict) else item
                                      for item in answer])


class MapStatus(Fault):
    """Answer `to` where the mock answered `from_`, body unchanged."""

    def __init__(self, from_: int, to: int) -> None:
        self.from_, self.to = from_, to

    def after(self, exchange: Exchange) -> None:
        if exchange.status == self.from_:
            exchange.status = self.to


class WrongTokenForbidden(Fault):
    """403 instead of 401 when a token was presented but is not valid (a missing one stays 401)."""

    def before(self, exchange: Exchange) -> None:
        exchange.notes["token_presented"] = exchange.request_header(b"authorization") is not None

    def after(self, exchange: Exchange) -> None:
        if exchange.status == 401 and exchange.notes["token_presented"]:
            exchange.status = 403


class SuccessContentType(Fault):
    def __init__(self, content_type: bytes) -> None:
        self.content_type = content_type

    def after(self, exchange: Exchange) -> None:
        if exchange.succeeded:
            exchange.set_answer(exchange.response_body, self.content_type)


class ServerErrorOnValidInput(Fault):
    """500 for a valid add whose comment is not ASCII (the documented example's comment is not)."""

    def after(self, exchange: Exchange) -> None:
        sent = exchange.sent_json()
        if exchange.succeeded and isinstance(sent, dict) and not str(sent.get("comment", "")).isascii():
            exchange.status = 500
            exchange.set_answer_json({"error": {"code": "internal_error", "message": "boom", "field": None}})


class ServerErrorOnMalformedJson(Fault):
    """What an unguarded json.loads does: a 500 with a text body."""

    def after(self, exchange: Exchange) -> None:
        answer = exchange.answer_json()
        if isinstance(answer, dict) and answer.get("error", {}).get("code") == "malformed_json":
            exchange.status = 500
            exchange.set_answer(b"Internal Server Error", b"text/plain; charset=utf-8")


class AcceptDuplicates(Fault):
    """Answer a duplicate add as if it were new: the echo of the request, with a new id."""

    def __init__(self) -> None:
        self.next_id = 10**6

    def after(self, exchange: Exchange) -> None:
        sent = exchange.sent_json()
        if exchange.is_("add") and exchange.status == 409 and isinstance(sent, dict):
            self.next_id += 1
            record = {"number": sent["number"], "comment": sent.get("comment"), "type": sent["type"],
                      "purpose": sent["purpose"], "scenario_id": None, "group_scenario_id": None,
                      "group_id": None, "is_scenario_active": None, "is_group_scenario_active": None,
                      "id": self.next_id, "state": "activation", "reason": None,
                      "from_redirect_numbers": None, "employee_id": None,
                      "dgn_number": sent["dgn_number"], "region_name": None}
            exchange.status = 201
            exchange.set_answer_json(record)


# --- requests ----------------------------------------------------------------------------

class LooseValidation(Fault):
    """Accept a request the contract forbids, as a too-permissive server would: the mock is
    shown a repaired body, and the answer echoes what the client really sent."""

    def __init__(self, applies: Callable[[dict[str, Any]], bool],
                 repair: Callable[[dict[str, Any]], dict[str, Any]], role: str = "add",
                 echo_original: bool = True) -> None:
        self.applies, self.repair, self.role = applies, repair, role
        self.echo_original = echo_original

    def before(self, exchange: Exchange) -> None:
        sent = exchange.sent_json()
        if exchange.is_(self.role) and isinstance(sent, dict) and self.applies(sent):
            exchange.notes["original"] = sent
            exchange.set_request_json(self.repair(dict(sent)))

    def after(self, exchange: Exchange) -> None:
        original = exchange.notes.get("original")
        record = exchange.answer_json()
        if self.echo_original and original is not None and exchange.succeeded and isinstance(record, dict):
            echoed = exchange.operation.request_properties  # type: ignore[union-attr]
            record.update({name: original[name] for name in echoed if name in original and name in record})
            exchange.set_answer_json(record)


class AcceptMissingToken(Fault):
    """Treat a request without Authorization as if it carried the right token."""

    def __init__(self, token: str) -> None:
        self.token = token.encode()

    def before(self, exchange: Exchange) -> None:
        if exchange.request_header(b"authorization") is None:
            exchange.set_request_header(b"authorization", self.token)


class AcceptWrongToken(Fault):
    """Treat any Authorization value as the right token (a missing header is still refused)."""

    def __init__(self, token: str) -> None:
        self.token = token.encode()

    def before(self, exchange: Exchange) -> None:
        if exchange.request_header(b"authorization") is not None:
            exchange.set_request_header(b"authorization", self.token)
