"""Fakes for the client's unit tests: a scripted server (httpx.MockTransport), a fake clock,
and one way to call Client and AsyncClient alike."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import httpx

from vpbx_client import AsyncClient, Client, RetryPolicy

TOKEN = "tok-4f2a9c-secret"
BASE_URL = "http://vpbx.test"
NUMBER, DGN = "79161234567", "74991234567"


class FakeTime:
    """A monotonic clock that only sleeps move (and requests, by `cost` seconds each)."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    async def async_sleep(self, seconds: float) -> None:
        self.sleep(seconds)


Step = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


class Script:
    """Answers requests in order, one step each; records what was sent."""

    def __init__(self, *steps: Step, time: FakeTime | None = None, cost: float = 0.0) -> None:
        self.steps = list(steps)
        self.requests: list[httpx.Request] = []
        self.time = time
        self.cost = cost

    def __call__(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        assert self.steps, f"the script has no answer left for {request.method} {request.url}"
        step = self.steps.pop(0)
        if self.time is not None:
            # A real transport honors the attempt's timeout: a slower answer is a ReadTimeout.
            timeout = request.extensions["timeout"]["read"]
            self.time.now += min(self.cost, timeout)
            if self.cost > timeout:
                raise httpx.ReadTimeout("timed out", request=request)
        if isinstance(step, Exception):
            raise step
        return step(request) if callable(step) else step

    @property
    def sent(self) -> list[str]:
        return [f"{r.method} {r.url.path}" for r in self.requests]


def record(number: str = NUMBER, id: int = 7, **changes: Any) -> dict[str, Any]:
    """A VirtualNumber as the mock answers it."""
    return {"number": number, "comment": None, "type": "def", "purpose": "company",
            "scenario_id": None, "group_scenario_id": None, "group_id": None,
            "is_scenario_active": None, "is_group_scenario_active": None, "id": id,
            "state": "activation", "reason": None, "from_redirect_numbers": None,
            "employee_id": None, "dgn_number": DGN, "region_name": "Москва", **changes}


def error(status: int, code: str, field: str | None = None, message: str = "m",
          headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, json={"error": {"code": code, "message": message, "field": field}},
                          headers=headers)


def ok(body: Any, status: int = 200) -> httpx.Response:
    return httpx.Response(status, content=json.dumps(body, ensure_ascii=False).encode(),
                          headers={"content-type": "application/json"})


def reset() -> httpx.ReadError:
    return httpx.ReadError("[Errno 104] Connection reset by peer")


def refused() -> httpx.ConnectError:
    return httpx.ConnectError("[Errno 111] Connection refused")


class Calling:
    """Client or AsyncClient over a Script, called the same way (async ones via asyncio.run)."""

    def __init__(self, kind: str, script: Script, time: FakeTime, policy: RetryPolicy | None = None,
                 **options: Any) -> None:
        self.script = script
        common = dict(base_url=BASE_URL, token=TOKEN, retry=policy or RetryPolicy(),
                      clock=time.clock, jitter=lambda: 0.5, wall_clock=lambda: 1_700_000_000.0,
                      **options)
        if kind == "sync":
            self.client: Any = Client(transport=httpx.MockTransport(script), sleep=time.sleep, **common)
        else:
            self.client = AsyncClient(transport=httpx.MockTransport(script), sleep=time.async_sleep, **common)
        self.is_async = kind == "async"

    def __getattr__(self, name: str) -> Callable[..., Any]:
        method = getattr(self.client, name)
        if not self.is_async:
            return method
        return lambda **kwargs: asyncio.run(method(**kwargs))
