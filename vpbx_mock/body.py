"""Turn an HTTP request body into a JSON value, or into the right 4xx ApiError (D18).

Order: media type (415), size (413), UTF-8 and JSON syntax (400). Schema rules come after,
in vpbx_mock.validation.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request

from vpbx_mock.errors import ApiError

JSON_MEDIA_TYPE = "application/json"


def check_media_type(request: Request) -> None:
    content_type = request.headers.get("content-type")
    if content_type is None:
        raise ApiError(415, "unsupported_media_type",
                       f"Content-Type is missing; send {JSON_MEDIA_TYPE}.")
    media_type, _, parameters = content_type.partition(";")
    if media_type.strip().lower() != JSON_MEDIA_TYPE:
        raise ApiError(415, "unsupported_media_type",
                       f"Content-Type {content_type!r} is not {JSON_MEDIA_TYPE}.")
    for parameter in parameters.split(";"):
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"').lower() != "utf-8":
            raise ApiError(415, "unsupported_media_type",
                           f"charset {value.strip()!r} is not supported; send UTF-8.")
    encoding = request.headers.get("content-encoding", "identity").strip().lower()
    if encoding != "identity":
        raise ApiError(415, "unsupported_media_type",
                       f"Content-Encoding {encoding!r} is not supported.")


def _too_large(limit: int) -> ApiError:
    return ApiError(413, "payload_too_large", f"The body is larger than {limit} bytes.")


async def read_limited(request: Request, limit: int) -> bytes:
    """The whole body, refusing more than `limit` bytes without buffering them.

    Starlette's own body limit answers 413 in text/plain; the contract wants JSON errors.
    """
    declared = request.headers.get("content-length")
    # isascii: "²" (latin-1 byte 0xB2) passes isdigit() but not int().
    if declared is not None and declared.isascii() and declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def _malformed(message: str) -> ApiError:
    return ApiError(400, "malformed_json", message)


def _refuse_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key!r} in a JSON object")
        result[key] = value
    return result


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


# A valid request is one flat object. Deeper values are refused here: schema error messages
# repr() the value recursively, which overflows Python's recursion limit (a 500) for values
# that json.loads could still parse.
MAX_NESTING = 100


_SCALARS = (str, int, float, bool, type(None))


def _refuse_deep_nesting_and_lone_surrogates(value: Any) -> None:
    # json.loads turns the escape "\ud800" into a str that has no UTF-8 encoding; it could
    # never be stored or sent back. Iterative, because the value may be deeply nested.
    if isinstance(value, dict) and all(isinstance(item, _SCALARS) for item in value.values()):
        # A flat object, as every valid request is: only its strings need a look.
        _refuse_lone_surrogates(value)
        return
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)) and depth > MAX_NESTING:
            raise _malformed("The JSON is nested too deeply.")
        if isinstance(item, dict):
            stack.extend((key, depth) for key in item.keys())
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)
        elif isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                raise _malformed("A string holds an unpaired UTF-16 surrogate escape.") from None


def _refuse_lone_surrogates(flat: dict[str, Any]) -> None:
    for item in (*flat.keys(), *flat.values()):
        if isinstance(item, str) and not item.isascii():
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                raise _malformed("A string holds an unpaired UTF-16 surrogate escape.") from None


def parse_json(raw: bytes) -> Any:
    """Strict RFC 8259 JSON from UTF-8 bytes."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise _malformed(f"The body is not valid UTF-8: {error.reason} at byte {error.start}.") from None
    try:
        value = json.loads(text, object_pairs_hook=_refuse_duplicate_keys,
                           parse_constant=_refuse_constant)
    except RecursionError:
        raise _malformed("The JSON is nested too deeply.") from None
    except ValueError as error:  # JSONDecodeError, the hooks above, oversized integers
        raise _malformed(f"The body is not valid JSON: {error}") from None
    _refuse_deep_nesting_and_lone_surrogates(value)
    return value
