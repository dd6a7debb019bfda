"""The client's exceptions: one per documented error status, and the failures around them.

    VpbxError
    ├── ApiError                   the server answered an error status (.status, .error, .code, .field)
    │   ├── InvalidInput           400, 422
    │   │   ├── NotConnectable     422 to an add: the number is not offered (D20)
    │   │   ├── LengthRequired     411: a body without Content-Length refused (D37)
    │   │   ├── PayloadTooLarge    413
    │   │   └── UnsupportedMediaType 415
    │   ├── Unauthorized           401
    │   │   └── Forbidden          403
    │   ├── NotFound               404
    │   ├── MethodNotAllowed       405
    │   ├── Conflict               409 (the add: already on the account; the delete: not deletable)
    │   ├── RateLimited            429, once retries are spent (.retry_after)
    │   └── ServerError            5xx, once retries are spent
    ├── NetworkError               no answer: connection refused, reset, closed
    │   └── TimedOut               no answer in time
    ├── AddOutcomeUnknown          the add may or may not be stored, and the deadline came first
    └── UnexpectedResponse         an answer the document does not describe

Exceptions say where (operation, method, path) and what the server said; never the token,
the base URL or the request's headers, so they are safe to log and to show.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
from pydantic import MISSING

from generated.models import Error, ErrorDetail


class VpbxError(Exception):
    """Any failure of a call. `attempts`: the requests the call sent before giving up."""

    def __init__(self, message: str, *, operation: str, method: str, path: str) -> None:
        super().__init__(message)
        self.operation = operation
        self.method = method
        self.path = path
        self.attempts = 1

    def __str__(self) -> str:
        text = super().__str__()
        return text if self.attempts == 1 else f"{text} (after {self.attempts} attempts)"


class ApiError(VpbxError):
    """An answer with an error status; `error` is the body as the generated Error model."""

    def __init__(self, message: str, *, operation: str, method: str, path: str, status: int,
                 error: Error, retry_after: float | None = None) -> None:
        super().__init__(message, operation=operation, method=method, path=path)
        self.status = status
        self.error = error
        self.retry_after = retry_after  # seconds, from the Retry-After header

    @property
    def detail(self) -> ErrorDetail | None:
        return self.error.error if isinstance(self.error.error, ErrorDetail) else None

    @property
    def code(self) -> str | None:
        return self.detail.code if self.detail else None

    @property
    def field(self) -> str | None:
        """The request property at fault, when the server names one."""
        return self.detail.field if self.detail else None


class InvalidInput(ApiError):
    """400 or 422: the server refused the input; `field` names the property when known."""


class NotConnectable(InvalidInput):
    """422 to an add: the number is not in listConnectableMobileNumbers (D20)."""


class LengthRequired(InvalidInput):
    """411: the server wants the body's length up front (D37); this client always sends it."""


class PayloadTooLarge(InvalidInput):
    """413."""


class UnsupportedMediaType(InvalidInput):
    """415."""


class Unauthorized(ApiError):
    """401: the token is missing or wrong."""


class Forbidden(Unauthorized):
    """403: the token is refused (some servers say 403 where others say 401, D14)."""


class NotFound(ApiError):
    """404: no number with this id on the account (never was, or deleted)."""


class MethodNotAllowed(ApiError):
    """405."""


class Conflict(ApiError):
    """409: the add's number is already on the account (D11), or the number cannot be deleted (D28)."""


class RateLimited(ApiError):
    """429 on every attempt the policy allowed; `retry_after` says when the server asks to retry."""


class ServerError(ApiError):
    """A 5xx answer that retries did not get past (or a 500, which reads do not retry)."""


class NetworkError(VpbxError):
    """No answer. `ambiguous`: the request may have reached the server and been processed."""

    def __init__(self, message: str, *, operation: str, method: str, path: str, ambiguous: bool,
                 retryable: bool = True) -> None:
        super().__init__(message, operation=operation, method=method, path=path)
        self.ambiguous = ambiguous
        self.retryable = retryable


class TimedOut(NetworkError):
    """No answer before the attempt's timeout or the call's deadline."""


class AddOutcomeUnknown(VpbxError):
    """The add failed in a way that may have stored the number, and the deadline (or the retry
    budget) came before the client could find out. `last_error` is the last failure seen.
    The number is unique on the account: list_virtual_numbers() tells whether it is there."""

    def __init__(self, message: str, *, operation: str, method: str, path: str, number: str,
                 last_error: VpbxError) -> None:
        super().__init__(message, operation=operation, method=method, path=path)
        self.number = number
        self.last_error = last_error


class UnexpectedResponse(VpbxError):
    """An answer the document does not describe: an undocumented status, or a body that is not
    the documented model."""

    def __init__(self, message: str, *, operation: str, method: str, path: str, status: int) -> None:
        super().__init__(message, operation=operation, method=method, path=path)
        self.status = status


_BY_STATUS: dict[int, type[ApiError]] = {
    400: InvalidInput, 401: Unauthorized, 403: Forbidden, 404: NotFound, 405: MethodNotAllowed,
    409: Conflict, 411: LengthRequired, 413: PayloadTooLarge, 415: UnsupportedMediaType, 422: InvalidInput,
    429: RateLimited,
}
# 422 to an add means "not connectable" unless the server says it is about the input (D10).
_INPUT_CODES = frozenset({"validation_failed", "malformed_json"})
_MAX_TEXT = 300


def error_class(status: int, operation: str, code: str | None) -> type[ApiError]:
    if status == 422 and operation == "addMobileNumber" and code not in _INPUT_CODES:
        return NotConnectable
    if status >= 500:
        return ServerError
    return _BY_STATUS.get(status, ApiError)


def parse_error_body(content: bytes) -> Error:
    """The body as the generated Error model; a body that is not one (HTML from a proxy, empty)
    becomes Error(error=<its text, shortened>)."""
    try:
        return Error.model_validate_json(content)
    except ValueError:
        text = content.decode("utf-8", errors="replace").strip()
        return Error(error=text[:_MAX_TEXT]) if text else Error()


def describe_error(error: Error) -> str:
    detail = error.error
    if isinstance(detail, ErrorDetail):
        field = f" (field {detail.field})" if detail.field else ""
        return f"{detail.code}: {detail.message[:_MAX_TEXT]}{field}"
    if detail is MISSING or detail is None:
        return "no error detail"
    return (detail if isinstance(detail, str) else json.dumps(detail, ensure_ascii=False))[:_MAX_TEXT]


def transport_failure(error: httpx.TransportError, **where: Any) -> NetworkError:
    """Our exception for httpx's: whether the request may have been processed decides retries."""
    name = type(error).__name__
    text = f"{where['method']} {where['path']}: {name}: {error}" if str(error) else f"{where['method']} {where['path']}: {name}"
    if isinstance(error, (httpx.UnsupportedProtocol, httpx.LocalProtocolError)):
        return NetworkError(text, ambiguous=False, retryable=False, **where)  # our request is wrong
    if isinstance(error, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.ProxyError)):
        # Never sent: no connection (or none free) to send it on.
        cls = TimedOut if isinstance(error, httpx.TimeoutException) else NetworkError
        return cls(text, ambiguous=False, **where)
    cls = TimedOut if isinstance(error, httpx.TimeoutException) else NetworkError
    return cls(text, ambiguous=True, **where)  # sent, maybe processed: the answer was lost
