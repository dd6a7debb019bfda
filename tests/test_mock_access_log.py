"""The mock's buffered access log: uvicorn's line, written in batches and at shutdown."""

from __future__ import annotations

import asyncio
import io
import re

import httpx
import pytest

from tests.contract_data import request_with
from tests.mock_client import BASE_URL, JSON_HEADERS, TOKEN, json_bytes
from vpbx_mock import access_log
from vpbx_mock.access_log import AccessLog
from vpbx_mock.app import ADD_PATH, create_app
from vpbx_mock.store import ANY, NumberStore

LINE = re.compile(r'INFO:     127\.0\.0\.1:123 - "(\w+) (\S+) HTTP/1\.1" (\d{3}) [A-Z][\w ]+\n')


class CountingStream(io.StringIO):
    def __init__(self) -> None:
        super().__init__()
        self.writes = 0

    def write(self, text: str) -> int:
        self.writes += 1
        return super().write(text)


def test_one_line_per_answer_written_in_a_batch(monkeypatch: pytest.MonkeyPatch):
    # An interval no run reaches: what is written before the flush was written per request.
    monkeypatch.setattr(access_log, "FLUSH_INTERVAL_S", 3600)
    stream = CountingStream()
    app = AccessLog(create_app(NumberStore.open(":memory:", ANY), TOKEN), stream)

    async def scenario() -> str:
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 123))
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
            await client.post(ADD_PATH, content=json_bytes(request_with()), headers=JSON_HEADERS)
            await client.get("/numbers/virtual-number?type=def", headers=JSON_HEADERS)
            await client.get("/nowhere")
        before = stream.getvalue()
        app.flush()
        return before

    before = asyncio.run(scenario())
    assert before == "" and stream.writes == 1  # buffered: no write per request, one for all
    lines = stream.getvalue().splitlines(keepends=True)
    assert [LINE.fullmatch(line).groups() for line in lines] == [  # type: ignore[union-attr]
        ("POST", ADD_PATH, "201"), ("GET", "/numbers/virtual-number?type=def", "200"),
        ("GET", "/nowhere", "404")]
    assert TOKEN not in stream.getvalue()


def test_the_buffer_is_written_after_the_interval_without_further_requests():
    stream = CountingStream()
    app = AccessLog(create_app(NumberStore.open(":memory:", ANY), TOKEN), stream)

    async def scenario() -> None:
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 123))
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
            await client.get("/nowhere")
        deadline = asyncio.get_running_loop().time() + 30
        while not stream.getvalue() and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.005)  # waiting for the write itself, not for a guessed time

    asyncio.run(scenario())
    assert LINE.fullmatch(stream.getvalue()) and stream.writes == 1, stream.getvalue()


def test_the_buffer_is_written_at_shutdown():
    stream = io.StringIO()
    log = AccessLog(create_app(NumberStore.open(":memory:", ANY), TOKEN), stream)
    log._lines.append("pending line\n")
    messages = iter([{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}])

    async def receive() -> dict[str, str]:
        return next(messages)

    sent: list[str] = []

    async def send(message: dict[str, str]) -> None:
        sent.append(message["type"])

    asyncio.run(log({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}, receive, send))
    assert sent == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
    assert stream.getvalue() == "pending line\n"
