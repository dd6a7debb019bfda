"""The request and the answer behind a failure, as the reports show them: headers and bodies
as text (up to a limit), the token written as ${API_TOKEN}, never itself."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

BODY_LIMIT = 128 * 1024  # characters of a body kept for the report (a 100 KiB body whole)
TOKEN_SHOWN = "${API_TOKEN}"


def _hide(text: str, token: str) -> str:
    return text.replace(token, TOKEN_SHOWN) if token else text


def _body(content: bytes | None, token: str) -> dict[str, Any] | None:
    if content is None:
        return None
    text = content.decode("utf-8", errors="backslashreplace")  # invalid bytes shown as \\xff
    return {"text": _hide(text[:BODY_LIMIT], token), "bytes": len(content), "truncated": len(text) > BODY_LIMIT}


def _headers(headers: Iterable[tuple[str, str]], token: str) -> list[list[str]]:
    return [[name, _hide(str(value), token)] for name, value in headers]


def _response_headers(response: Any) -> list[tuple[str, str]]:
    headers = response.headers
    if hasattr(headers, "multi_items"):  # httpx
        return list(headers.multi_items())
    return [(name, value) for name, values in headers.items()  # schemathesis: name -> [values]
            for value in (values if isinstance(values, list) else [values])]


def exchange_record(method: str, url: str, headers: Iterable[tuple[str, str]], content: bytes | None,
                    token: str, response: Any | None) -> dict[str, Any]:
    """One exchange for contract-failures.json; `response` None: no answer came."""
    record: dict[str, Any] = {"request": {"method": method.upper(), "url": _hide(url, token),
                                          "headers": _headers(headers, token), "body": _body(content, token)},
                              "response": None}
    if response is not None:
        record["response"] = {"status": response.status_code,
                              "headers": _headers(_response_headers(response), token),
                              "body": _body(response.content, token)}
    return record
