"""A tiny HAR 1.2 recorder for the traffic tests: an httpx event hook that writes what it
saw the way browsers and mitmproxy export it (headers as name/value lists, decoded body text,
postData with its mimeType, times in milliseconds)."""

from __future__ import annotations

import base64
import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import httpx


def _headers(headers: httpx.Headers) -> list[dict[str, str]]:
    return [{"name": name, "value": value} for name, value in headers.multi_items()]


def _text(data: bytes) -> dict[str, Any]:
    try:
        return {"text": data.decode("utf-8")}
    except UnicodeDecodeError:
        return {"text": base64.b64encode(data).decode("ascii"), "encoding": "base64"}


def har_entry(response: httpx.Response) -> dict[str, Any]:
    request = response.request
    body = request.content
    entry: dict[str, Any] = {
        "startedDateTime": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
        "time": response.elapsed.total_seconds() * 1000,
        "request": {
            "method": request.method, "url": str(request.url), "httpVersion": "HTTP/1.1",
            "cookies": [], "headers": _headers(request.headers),
            "queryString": [{"name": k, "value": v} for k, v in request.url.params.multi_items()],
            "headersSize": -1, "bodySize": len(body),
        },
        "response": {
            "status": response.status_code, "statusText": response.reason_phrase,
            "httpVersion": "HTTP/1.1", "cookies": [], "headers": _headers(response.headers),
            "content": {"size": len(response.content),
                        "mimeType": response.headers.get("content-type", ""), **_text(response.content)},
            "redirectURL": "", "headersSize": -1, "bodySize": len(response.content),
        },
        "cache": {},
        "timings": {"send": 0, "wait": response.elapsed.total_seconds() * 1000, "receive": 0},
    }
    if body:
        entry["request"]["postData"] = {"mimeType": request.headers.get("content-type", ""), **_text(body)}
    return entry


class HarRecorder:
    """Pass `recorder.hooks` as an httpx client's event_hooks; `save(path)` writes the HAR."""

    def __init__(self) -> None:
        self.entries: list[dict[str, Any]] = []

    @property
    def hooks(self) -> dict[str, list[Any]]:
        return {"response": [self._record]}

    def _record(self, response: httpx.Response) -> None:
        response.read()
        self.entries.append(har_entry(response))

    def document(self) -> dict[str, Any]:
        return {"log": {"version": "1.2", "creator": {"name": "tests.traffic_har", "version": "1"},
                        "pages": [], "entries": self.entries}}

    def save(self, path: Path) -> Path:
        path.write_text(json.dumps(self.document(), ensure_ascii=False, indent=1), encoding="utf-8")
        return path
