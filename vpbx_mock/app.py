"""The ASGI application: POST /numbers/unconfirmed, as openapi/openapi.yaml describes it.

Checks run in this order, each answering with a JSON error: route (404, 405), token (401),
media type (415), size (413), JSON syntax (400), request schema (400), duplicate (409).
"""

from __future__ import annotations

import contextlib
import hmac
from collections.abc import AsyncIterator
from http import HTTPStatus

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from generated.models import VirtualNumber
from vpbx_mock.body import check_media_type, parse_json, read_limited
from vpbx_mock.errors import ApiError, error_response
from vpbx_mock.regions import region_for
from vpbx_mock.settings import MAX_BODY_BYTES
from vpbx_mock.store import DuplicateNumber, NumberStore, StoredNumber
from vpbx_mock.validation import validation_error

ADD_PATH = "/numbers/unconfirmed"
NEW_NUMBER_STATE = "activation"  # the state of the provider's example answer (D2)


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


def virtual_number(stored: StoredNumber) -> dict[str, object]:
    """The response body, built through the generated model so it cannot leave the contract."""
    record = VirtualNumber(
        number=stored.number,
        comment=stored.comment,
        type=stored.type,
        purpose=stored.purpose,
        scenario_id=None,
        group_scenario_id=None,
        group_id=None,
        is_scenario_active=None,
        is_group_scenario_active=None,
        id=stored.id,
        state=stored.state,
        reason=None,
        from_redirect_numbers=None,
        employee_id=None,
        dgn_number=stored.dgn_number,
        region_name=stored.region_name,
        redirect_number=None,
    )
    return record.model_dump(mode="json")


def create_app(store: NumberStore, token: str, *, max_body_bytes: int = MAX_BODY_BYTES,
               close_store_on_shutdown: bool = False) -> Starlette:
    """The application. With close_store_on_shutdown the server's shutdown closes the store
    (uvicorn re-raises SIGTERM after shutting down, so code after it never runs)."""
    expected_token = token.encode("utf-8")

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        if close_store_on_shutdown:
            store.close()

    async def add_mobile_number(request: Request) -> Response:
        presented = _presented_token(request)
        if presented is None or not hmac.compare_digest(presented, expected_token):
            raise ApiError(401, "unauthorized",
                           "Missing or invalid API token in the Authorization header.")
        check_media_type(request)
        try:
            raw = await read_limited(request, max_body_bytes)
        except ClientDisconnect:
            # Nobody will read this answer; it only ends the request quietly.
            raise ApiError(400, "malformed_json", "The client left before sending the whole body.") from None
        body = parse_json(raw)
        problem = validation_error(body)
        if problem is not None:
            raise problem
        try:
            stored = store.add(
                number=body["number"],
                dgn_number=body["dgn_number"],
                purpose=body["purpose"],
                comment=body.get("comment"),
                type=body["type"],
                state=NEW_NUMBER_STATE,
                region_name=region_for(body["dgn_number"]),
            )
        except DuplicateNumber:
            raise ApiError(409, "duplicate_number",
                           f"The number {body['number']} has already been added.",
                           field="number") from None
        return JSONResponse(virtual_number(stored), status_code=201)

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

    routes = [Route(ADD_PATH, add_mobile_number, methods=["POST"])]
    app = Starlette(
        routes=routes,
        exception_handlers={ApiError: api_error, HTTPException: http_error,
                            Exception: unexpected_error},
        lifespan=lifespan,
    )
    # "/numbers/unconfirmed/" is another path (404), not a 307 redirect the contract lacks.
    app.router.redirect_slashes = False
    return app
