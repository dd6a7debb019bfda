"""Talking to the reference mock in-process, and checking its answers against the document.

Requests go through httpx's ASGITransport, which hands the app the header bytes exactly as
given (Starlette's TestClient re-encodes them, and is deprecated with httpx).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from typing import Any

import httpx
from starlette.types import ASGIApp

from vpbx_mock.app import ADD_PATH
from vpbx_spec.document import bundled_schemas

TOKEN = "test-token"
BASE_URL = "http://mock.test"
JSON_HEADERS: dict[str, str] = {"Authorization": TOKEN, "Content-Type": "application/json"}


class InProcessTransport(httpx.BaseTransport):
    """A synchronous transport that runs each request through an ASGI app on a fresh loop.

    App exceptions are raised, not turned into 500s, so a crash fails the test with its
    traceback.
    """

    def __init__(self, app: ASGIApp) -> None:
        self._asgi = httpx.ASGITransport(app=app)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return asyncio.run(self._send(request))

    async def _send(self, request: httpx.Request) -> httpx.Response:
        response = await self._asgi.handle_async_request(request)
        content = await response.aread()
        return httpx.Response(response.status_code, headers=response.headers, content=content)


def mock_client(app: ASGIApp) -> httpx.Client:
    return httpx.Client(transport=InProcessTransport(app), base_url=BASE_URL)


def async_mock_client(app: ASGIApp) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL)


def json_bytes(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode("utf-8")


def add_number(client: httpx.Client, body: Any,
               headers: Mapping[str, str | bytes] | None = None) -> httpx.Response:
    """POST a JSON value to the add path, authenticated unless other headers are given."""
    return client.post(ADD_PATH, content=json_bytes(body),
                       headers=JSON_HEADERS if headers is None else headers)


def media_type(response: httpx.Response) -> str:
    return response.headers.get("content-type", "").partition(";")[0].strip().lower()


def assert_virtual_number(response: httpx.Response) -> dict[str, Any]:
    """A 201 whose JSON body is a VirtualNumber of the document; returns the body."""
    assert response.status_code == 201, response.text
    assert media_type(response) == "application/json"
    body = response.json()
    bundled_schemas().component("VirtualNumber").validate(body)
    return body


def assert_error(response: httpx.Response, status: int, code: str,
                 field: str | None = None) -> dict[str, Any]:
    """An error answer in the mock's one shape (Error holding an ErrorDetail); returns the detail."""
    assert (response.status_code, _code_of(response)) == (status, code), response.text
    assert 400 <= response.status_code < 500
    assert media_type(response) == "application/json"
    body = response.json()
    schemas = bundled_schemas()
    schemas.component("Error").validate(body)
    schemas.component("ErrorDetail").validate(body["error"])
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "field"}
    assert body["error"]["field"] == field
    assert body["error"]["message"]
    return body["error"]


def _code_of(response: httpx.Response) -> str | None:
    try:
        return response.json()["error"]["code"]
    except (ValueError, KeyError, TypeError):
        return None
