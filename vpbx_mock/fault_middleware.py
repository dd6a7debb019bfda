"""The ASGI middleware that injects the faults of a FaultPlan around the mock's app.

It wraps the app from outside: the app never knows. Requests of no operation of the document
pass untouched. At shutdown it prints how many faults of each kind it injected.
"""

from __future__ import annotations

import asyncio
import json
import re
import sys
from collections import Counter
from typing import TextIO

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from vpbx_mock.faults import RETRY_AFTER_STATUSES, Decision, FaultDraws, FaultPlan, document_operations
from vpbx_mock.resettable_http import RESET_EXTENSION


class FaultInjection:
    def __init__(self, app: ASGIApp, plan: FaultPlan, stream: TextIO | None = None) -> None:
        self.app = app
        self.plan = plan
        self.stream = stream
        self.draws = FaultDraws(plan)
        self.counts: Counter[str] = Counter()
        self.requests = 0
        self._routes = [(method, _template_regex(path), operation)
                        for operation, (method, path) in document_operations().items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.app(scope, receive, self._summary_at_shutdown(send))
            return
        operation = self._operation(scope) if scope["type"] == "http" else None
        if operation is None:
            await self.app(scope, receive, send)
            return
        # Drawn before the first await: the order of arrival fixes the faults, not timing.
        decision = self.draws.decide(operation)
        self._count(decision)
        if decision.latency_s:
            # The request is read first, then waits: a slow server, not a slow queue. A client
            # that gives up meanwhile does not stop it (an add is stored all the same), which
            # is what makes a timeout ambiguous.
            receive = await _read_ahead(receive)
            await asyncio.sleep(decision.latency_s)
        outcome = decision.outcome
        if outcome is None:
            if decision.slow_body is None:
                await self.app(scope, receive, send)
            else:
                await self._trickle(scope, receive, send, decision)
            return
        if outcome.processed:
            await self.app(scope, receive, _discard)  # the answer never leaves
        if outcome.kind in ("reset-before", "reset-after"):
            await _reset(scope, receive)
        else:
            assert outcome.status is not None
            await _send_injected(send, outcome.status, decision, outcome.label)

    def _operation(self, scope: Scope) -> str | None:
        method, path = scope["method"], scope["path"]
        for route_method, pattern, operation in self._routes:
            if method == route_method and pattern.fullmatch(path):
                return operation
        return None

    def _count(self, decision: Decision) -> None:
        self.requests += 1
        if decision.latency_s:
            self.counts["latency"] += 1
        if decision.outcome is not None:
            self.counts[decision.outcome.label] += 1
        elif decision.slow_body is not None:
            self.counts["slow-body"] += 1

    def summary(self) -> str:
        injected = ", ".join(f"{kind} {count}" for kind, count in sorted(self.counts.items()))
        return (f"vpbx mock: faults injected over {self.requests} requests of the document's"
                f" operations: {injected or 'none'}\n")

    async def _trickle(self, scope: Scope, receive: Receive, send: Send, decision: Decision) -> None:
        """The app's answer, its body sent a few bytes at a time."""
        assert decision.slow_body is not None
        messages: list[Message] = []

        async def keep(message: Message) -> None:
            messages.append(message)

        await self.app(scope, receive, keep)
        start = next(m for m in messages if m["type"] == "http.response.start")
        body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
        await send(start)
        size, interval = decision.slow_body.chunk_bytes, decision.slow_body.interval_s
        for offset in range(0, len(body), size):
            if offset:
                await asyncio.sleep(interval)
            await send({"type": "http.response.body", "body": body[offset:offset + size],
                        "more_body": offset + size < len(body)})
        if not body:
            await send({"type": "http.response.body", "body": b"", "more_body": False})

    def _summary_at_shutdown(self, send: Send) -> Send:
        async def send_and_report(message: Message) -> None:
            if message["type"] in ("lifespan.shutdown.complete", "lifespan.shutdown.failed"):
                stream = self.stream or sys.stdout
                stream.write(self.summary())
                stream.flush()
            await send(message)
        return send_and_report


async def _read_ahead(receive: Receive) -> Receive:
    """The whole request body read now, handed to the app later as if it just arrived."""
    messages: list[Message] = []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request" or not message.get("more_body", False):
            break

    async def replay() -> Message:
        return messages.pop(0) if messages else await receive()
    return replay


async def _discard(message: Message) -> None:
    pass


async def _send_injected(send: Send, status: int, decision: Decision, label: str) -> None:
    body = json.dumps({"error": {"code": "injected_fault",
                                 "message": f"Injected by MOCK_FAULTS ({label}).",
                                 "field": None}}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    if status in RETRY_AFTER_STATUSES and decision.retry_after_s is not None:
        headers.append((b"retry-after", str(decision.retry_after_s).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})


async def _reset(scope: Scope, receive: Receive) -> None:
    """Reset the connection, then wait until the server has seen it go (or it would answer 500)."""
    extension = (scope.get("extensions") or {}).get(RESET_EXTENSION)
    if extension is None:
        raise RuntimeError("MOCK_FAULTS resets need vpbx_mock.resettable_http's protocol"
                           " (python -m vpbx_mock uses it when MOCK_FAULTS is set)")
    extension["reset"]()
    while (await receive())["type"] != "http.disconnect":
        pass


def _template_regex(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}]+\})", template)
    return re.compile("".join("[^/]+" if part.startswith("{") else re.escape(part) for part in parts))
