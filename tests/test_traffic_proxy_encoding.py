"""The proxy in process, in front of an upstream that compresses its answers: the client gets
the compressed bytes and every header untouched, while the validator judges the decoded body."""

from __future__ import annotations

import copy
import gzip
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from starlette.types import Receive, Scope, Send

from vpbx_suite.run import current_run, start_run
from vpbx_spec.document import bundled_document
from vpbx_traffic.proxy import ValidatingProxy
from vpbx_traffic.routes import Target
from vpbx_traffic.validator import TrafficValidator

UPSTREAM = "https://simple-api.cp.megafon.ru"
LISTING_PATH = "/numbers/virtual-number"


def documented_listing() -> list[dict[str, Any]]:
    """The listing example of the document itself: a conforming answer."""
    operation = bundled_document()["paths"][LISTING_PATH]["get"]
    return copy.deepcopy(operation["responses"]["200"]["content"]["application/json"]["examples"]["seed"]["value"])


def gzip_upstream(listing: list[dict[str, Any]]) -> Any:
    body = gzip.compress(json.dumps(listing, ensure_ascii=False).encode())

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": [
            (b"content-type", b"application/json"), (b"content-encoding", b"gzip"),
            (b"content-length", str(len(body)).encode()), (b"set-cookie", b"a=1"), (b"set-cookie", b"b=2")]})
        await send({"type": "http.response.body", "body": body})
    return app, body


@pytest.fixture(autouse=True)
def own_run() -> Iterator[None]:
    previous = current_run()
    yield
    start_run(previous)


async def through_proxy(listing: list[dict[str, Any]]) -> tuple[httpx.Response, bytes, bytes, TrafficValidator]:
    app, sent = gzip_upstream(listing)
    validator = TrafficValidator(Target(UPSTREAM))
    proxy = ValidatingProxy(UPSTREAM, validator, transport=httpx.ASGITransport(app=app))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=proxy.app), base_url="http://proxy") as client:
        async with client.stream("GET", LISTING_PATH, headers={"Authorization": "t0ken-value"}) as response:
            raw = b"".join([chunk async for chunk in response.aiter_raw()])
    await proxy.client.aclose()
    return response, raw, sent, validator


@pytest.mark.anyio
async def test_compressed_answers_pass_unchanged_and_are_judged_decoded() -> None:
    response, raw, sent, validator = await through_proxy(documented_listing())
    assert raw == sent
    assert [(k, v) for k, v in response.headers.raw] == [
        (b"content-type", b"application/json"), (b"content-encoding", b"gzip"),
        (b"content-length", str(len(sent)).encode()), (b"set-cookie", b"a=1"), (b"set-cookie", b"b=2")]
    assert (validator.tally.checked, validator.tally.conforming, validator.violations) == (1, 1, [])
    assert validator.run.coverage.as_dict()["operations"]["listVirtualNumbers"]["enums"]["state"]["seen"] == ["active"]


@pytest.mark.anyio
async def test_a_compressed_broken_answer_is_caught() -> None:
    listing = documented_listing()
    listing[0]["purpose"] = "\u0441ompany"
    _, _, _, validator = await through_proxy(listing)
    assert "enum_values_have_no_lookalikes" in {v.rule for v in validator.violations}
