"""One error type and one error body for every failure the mock reports.

Every error body has the shape of the document's ErrorDetail schema:
{"error": {"code": ..., "message": ..., "field": ...}}.
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.responses import JSONResponse

# Messages quote parts of the request; a 64 KiB comment must not come back whole.
_MAX_MESSAGE_CHARS = 300


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, field: str | None = None,
                 headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.headers = dict(headers or {})


def shorten(text: str, limit: int = _MAX_MESSAGE_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def error_response(error: ApiError) -> JSONResponse:
    body = {"error": {"code": error.code, "message": shorten(error.message), "field": error.field}}
    return JSONResponse(body, status_code=error.status, headers=error.headers)
