"""The ASGI application: every operation of openapi/openapi.yaml, served from one NumberStore.

Routes, parameters and request schemas are read from the document (vpbx_mock.operations);
this module holds what the document cannot say: what each operation does with the store.

Checks run in this order, each answering with a JSON error: route (404, 405), token (401),
path and query parameters (400), media type (415), size (413), JSON syntax (400), request
schema (400), body id equal to the path id (400), existence (404), duplicate (409),
connectable (422).

Each token names an account (D31). The token picks the request's Account, and the handlers
reach the store only through it: another account's id is answered as one that never existed
(D32), its numbers are not listed (D33), and its number cannot be added (D35).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route

from vpbx_mock.accounts import Tokens
from vpbx_mock.body import check_media_type, parse_json, read_limited
from vpbx_mock.errors import ApiError, error_response
from vpbx_mock.operations import Operation, operations
from vpbx_mock.records import (
    connectable_numbers,
    deleted_number,
    edited_number,
    virtual_number,
    virtual_numbers,
)
from vpbx_mock.regions import region_for
from vpbx_mock.settings import MAX_BODY_BYTES
from vpbx_mock.store import (
    Account,
    DuplicateNumber,
    NotConnectable,
    NumberStore,
)

ADD_PATH = operations()["addMobileNumber"].path
NEW_NUMBER_STATE = "activation"  # the state of the provider's example answer (D2)


@dataclass(frozen=True)
class Call:
    """A request that passed every generic check: the account its token names, its parameters
    and its body, validated."""
    account: Account
    params: dict[str, Any]
    body: Any


Handler = Callable[[Call], Response]


def _presented_token(request: Request) -> bytes | None:
    """The token of the single Authorization header, raw or as "Bearer <token>" (D14)."""
    values = request.headers.getlist("authorization")
    if len(values) != 1:
        return None
    value = values[0].strip()
    scheme, _, rest = value.partition(" ")
    if scheme.lower() == "bearer":
        value = rest.strip()
    # Header values arrive decoded as latin-1; encoding them back gives the bytes sent.
    return value.encode("latin-1")


def _json(body: bytes, status_code: int = 200) -> Response:
    """A JSON answer from bytes already serialized by the generated models."""
    return Response(body, status_code=status_code, media_type="application/json")


def _not_found(id: int) -> ApiError:
    # The one answer for an id the caller's account does not hold, whoever holds it (D32).
    return ApiError(404, "not_found", f"No virtual number with id {id}.", field="id")


def _handlers() -> dict[str, Handler]:
    """operationId -> what it does with the caller's account (the body and parameters are
    valid here)."""

    def list_connectable(call: Call) -> Response:
        return _json(connectable_numbers(call.account.connectable()))

    def add(call: Call) -> Response:
        body = call.body
        try:
            stored = call.account.add(number=body["number"], dgn_number=body["dgn_number"],
                                      purpose=body["purpose"], comment=body.get("comment"),
                                      type=body["type"], state=NEW_NUMBER_STATE,
                                      region_name=region_for(body["dgn_number"]))
        except DuplicateNumber:
            raise ApiError(409, "duplicate_number",
                           f"The number {body['number']} has already been added.",
                           field="number") from None
        except NotConnectable:  # another account's number too: the same answer (D35)
            raise ApiError(422, "number_not_connectable",
                           f"The number {body['number']} is not offered for connection"
                           " (see GET /numbers/def-virtual-number-capacity).",
                           field="number") from None
        return _json(virtual_number(stored), status_code=201)

    def list_numbers(call: Call) -> Response:
        return _json(virtual_numbers(call.account.all(call.params.get("type"))))

    def get(call: Call) -> Response:
        stored = call.account.by_id(call.params["id"])
        if stored is None:
            raise _not_found(call.params["id"])
        return _json(virtual_number(stored))

    def edit(call: Call) -> Response:
        id, body = call.params["id"], call.body
        if body["id"] != id:  # D26: JSON Schema cannot compare the body with the path
            raise ApiError(400, "validation_failed",
                           f"id: the body's id {body['id']} is not the path's id {id}", field="id")
        # The schema's oneOf lets employee_id in only with purpose employee; any other
        # purpose therefore clears it (D27). int(): JSON Schema counts 5.0 as an integer.
        employee_id = body.get("employee_id")
        edited = call.account.edit(id, purpose=body["purpose"],
                                   employee_id=None if employee_id is None else int(employee_id),
                                   comment=body.get("comment"), keep_comment="comment" not in body)
        if edited is None:
            raise _not_found(id)
        return _json(edited_number(edited))

    def delete(call: Call) -> Response:
        if not call.account.delete(call.params["id"]):
            raise _not_found(call.params["id"])
        return _json(deleted_number(call.params["id"]))

    return {"listConnectableMobileNumbers": list_connectable, "addMobileNumber": add,
            "listVirtualNumbers": list_numbers, "getVirtualNumber": get,
            "editMobileNumber": edit, "deleteVirtualNumber": delete}


def _parameters(request: Request, operation: Operation) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for parameter in operation.parameters:
        if parameter.location == "path":
            params[parameter.name] = parameter.parse(request.path_params[parameter.name])
            continue
        values = request.query_params.getlist(parameter.name)  # other names are ignored (D22)
        if len(values) > 1:
            raise ApiError(400, "validation_failed",
                           f"{parameter.name}: given {len(values)} times; give it once",
                           field=parameter.name)
        if values:
            params[parameter.name] = parameter.parse(values[0])
        elif parameter.required:
            raise ApiError(400, "validation_failed", f"{parameter.name}: is required",
                           field=parameter.name)
    return params


def create_app(store: NumberStore, tokens: str | Sequence[str] | None = None, *,
               token: str | None = None, max_body_bytes: int = MAX_BODY_BYTES,
               close_store_on_shutdown: bool = False) -> Starlette:
    """The application. `tokens`: one token (one account) or several, each naming its own
    account in the store (D31); the first holds the numbers of a file from before accounts.
    `token=` is the older keyword for one token. The store's connectable policy
    (NumberStore.open(..., connectable=)) decides which numbers may be added. With
    close_store_on_shutdown the server's shutdown closes the store (uvicorn re-raises SIGTERM
    after shutting down, so code after it never runs)."""
    if (tokens is None) == (token is None):
        raise TypeError("create_app() takes either tokens or token=")
    if tokens is None:
        tokens = token
    assert tokens is not None
    accounts = Tokens(store, (tokens,) if isinstance(tokens, str) else tuple(tokens))
    handlers = _handlers()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        if close_store_on_shutdown:
            store.close()

    async def serve(request: Request, operation: Operation, handler: Handler) -> Response:
        presented = _presented_token(request)
        account = None if presented is None else accounts.account_for(presented)
        if account is None:
            raise ApiError(401, "unauthorized",
                           "Missing or invalid API token in the Authorization header.")
        params = _parameters(request, operation)
        body = None
        if operation.body is not None:
            check_media_type(request)
            try:
                raw = await read_limited(request, max_body_bytes)
            except ClientDisconnect:
                # Nobody will read this answer; it only ends the request quietly.
                raise ApiError(400, "malformed_json",
                               "The client left before sending the whole body.") from None
            body = parse_json(raw)
            problem = operation.body_error(body)
            if problem is not None:
                raise problem
        return handler(Call(account, params, body))

    def path_endpoint(by_method: dict[str, tuple[Operation, Handler]]
                      ) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            # HEAD is GET without content (RFC 9110 §9.3.2, D10); the server drops the content.
            operation, handler = by_method["GET" if request.method == "HEAD" else request.method]
            return await serve(request, operation, handler)
        return endpoint

    by_path: dict[str, dict[str, tuple[Operation, Handler]]] = {}
    for operation_id, operation in operations().items():
        if operation_id not in handlers:
            raise LookupError(f"the document has {operation_id}, which the mock does not serve")
        by_path.setdefault(operation.path, {})[operation.method] = (operation, handlers[operation_id])
    routes = []
    for path, by_method in by_path.items():
        route = Route(path, path_endpoint(by_method), methods=list(by_method))
        routes.append(route)

    async def api_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, ApiError)
        return error_response(error)

    async def http_error(request: Request, error: Exception) -> Response:
        # Raised by Starlette's router: unknown path (404), other method (405, with Allow).
        assert isinstance(error, HTTPException)
        codes = {404: "not_found", 405: "method_not_allowed"}
        phrase = HTTPStatus(error.status_code).phrase
        code = codes.get(error.status_code, phrase.lower().replace(" ", "_"))
        message = f"{phrase}: {request.method} {request.url.path}"
        return error_response(ApiError(error.status_code, code, message, headers=error.headers))

    async def unexpected_error(request: Request, error: Exception) -> Response:
        # A bug, never an answer to input. Keep it JSON and without a stack trace.
        return error_response(ApiError(500, "internal_error", "Unexpected server error."))

    app = Starlette(
        routes=routes,
        exception_handlers={ApiError: api_error, HTTPException: http_error,
                            Exception: unexpected_error},
        lifespan=lifespan,
    )
    # "/numbers/unconfirmed/" is another path (404), not a 307 redirect the contract lacks.
    app.router.redirect_slashes = False
    return app
