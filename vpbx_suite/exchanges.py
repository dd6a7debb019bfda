"""The request and the answer behind a failure, as the reports show them: headers and bodies
as text (up to a limit), each token written as its variable (${API_TOKEN}), never itself."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

BODY_LIMIT = 128 * 1024  # characters of a body kept for the report (a 100 KiB body whole)
Secrets = Mapping[str, str]  # token -> how it is shown, e.g. "${API_TOKEN}"


def _hide(text: str, secrets: Secrets) -> str:
    for token, shown in secrets.items():
        if token:
            text = text.replace(token, shown)
    return text


def _body(content: bytes | None, secrets: Secrets) -> dict[str, Any] | None:
    if content is None:
        return None
    text = content.decode("utf-8", errors="backslashreplace")  # invalid bytes shown as \\xff
    return {"text": _hide(text[:BODY_LIMIT], secrets), "bytes": len(content), "truncated": len(text) > BODY_LIMIT}


def _headers(headers: Iterable[tuple[str, str]], secrets: Secrets) -> list[list[str]]:
    return [[name, _hide(str(value), secrets)] for name, value in headers]


def _response_headers(response: Any) -> list[tuple[str, str]]:
    headers = response.headers
    if hasattr(headers, "multi_items"):  # httpx
        return list(headers.multi_items())
    return [(name, value) for name, values in headers.items()  # schemathesis: name -> [values]
            for value in (values if isinstance(values, list) else [values])]


def exchange_record(method: str, url: str, headers: Iterable[tuple[str, str]], content: bytes | None,
                    secrets: Secrets, response: Any | None) -> dict[str, Any]:
    """One exchange for contract-failures.json; `response` None: no answer came."""
    record: dict[str, Any] = {"request": {"method": method.upper(), "url": _hide(url, secrets),
                                          "headers": _headers(headers, secrets), "body": _body(content, secrets)},
                              "response": None}
    if response is not None:
        record["response"] = {"status": response.status_code,
                              "headers": _headers(_response_headers(response), secrets),
                              "body": _body(response.content, secrets)}
    return record
