"""Reading HAR 1.2 files (as browsers, mitmproxy and Postman export them) into Exchanges."""

from __future__ import annotations

import base64
import binascii
import json
from pathlib import Path
from typing import Any

from vpbx_traffic.exchange import Exchange, Headers


class HarError(Exception):
    """The file is not a readable HAR 1.2 log; the message says where."""


def read_har(path: str | Path) -> list[Exchange]:
    try:
        text = Path(path).read_text(encoding="utf-8-sig")  # some tools write a BOM
    except (OSError, UnicodeDecodeError) as error:
        raise HarError(f"{path}: cannot read: {error}") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise HarError(f"{path}: not JSON (truncated?): {error}") from None
    log = document.get("log") if isinstance(document, dict) else None
    entries = log.get("entries") if isinstance(log, dict) else None
    if not isinstance(entries, list):
        raise HarError(f"{path}: not a HAR file: no log.entries array")
    exchanges = []
    for index, entry in enumerate(entries):
        try:
            exchanges.append(_exchange(index, entry))
        except (KeyError, TypeError, ValueError, AttributeError, binascii.Error) as error:
            raise HarError(f"{path}: entry {index} is malformed: {type(error).__name__}: {error}") from None
    return exchanges


def _headers(items: Any) -> Headers:
    # HTTP/2 recordings carry pseudo-headers (":authority"); they are not headers of the message.
    return [(str(item["name"]), str(item["value"])) for item in items or ()
            if not str(item["name"]).startswith(":")]


def _text(holder: dict[str, Any]) -> bytes | None:
    text = holder.get("text")
    if text is None:
        return None
    if holder.get("encoding") == "base64":
        return base64.b64decode(text, validate=True)
    return str(text).encode("utf-8")


def _exchange(index: int, entry: dict[str, Any]) -> Exchange:
    request, response = entry["request"], entry["response"]
    content = response.get("content") or {}
    body = _text(content)
    if body is None and not content.get("size"):
        body = b""  # nothing recorded because there was nothing to record
    post_data = request.get("postData")
    elapsed = entry.get("time")
    return Exchange(
        index=index,
        started=entry.get("startedDateTime"),
        method=str(request["method"]).upper(),
        url=str(request["url"]),
        request_headers=_headers(request.get("headers")),
        request_body=_text(post_data) if isinstance(post_data, dict) else None,
        status=int(response["status"]),
        # The recorded text is already decoded: the Content-Encoding no longer applies to it.
        response_headers=[(name, value) for name, value in _headers(response.get("headers"))
                          if name.lower() not in {"content-encoding", "content-length"}],
        response_body=body,
        elapsed=max(float(elapsed), 0.0) / 1000 if isinstance(elapsed, (int, float)) else 0.0,
    )
