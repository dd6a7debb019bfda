"""A validating reverse proxy: forwards every request and answer unchanged and judges each
exchange as the HAR validator does; the reports are written when it stops (Ctrl-C).

    UPSTREAM=https://simple-api.cp.megafon.ru PORT=8081 python -m vpbx_traffic.proxy

Settings (environment): UPSTREAM (required; origin and optional path prefix), HOST
(127.0.0.1), PORT (8081), REPORT_DIR (reports), TRAFFIC_BODY_CAP (bytes of a body kept for
validation, 4 MiB; larger exchanges are forwarded but not judged), CLIENTS (lenient; strict
fails the session for requests that break the contract too).

Exit status when it stops: 0 the server's answers conformed, 1 one did not (or a request did,
with CLIENTS=strict), 2 a bad setting, or nothing was judged in the session.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import AsyncIterator
from datetime import datetime, timezone
from time import perf_counter
from urllib.parse import urlsplit

import anyio
import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from vpbx_traffic.bounded import DEFAULT_BODY_CAP, BoundedBody
from vpbx_traffic.exchange import Exchange
from vpbx_traffic.reports import LENIENT, STRICT, exit_status, render_summary, write_reports
from vpbx_traffic.routes import Target
from vpbx_traffic.validator import TrafficValidator

# Per-connection headers (RFC 9110 §7.6.1); everything else passes through untouched.
HOP_BY_HOP = frozenset({"connection", "keep-alive", "proxy-connection", "te", "trailer",
                        "transfer-encoding", "upgrade"})
EXIT_BAD_SETTINGS = 2
# Slow upstream answers are allowed; only a silent connection attempt is cut short.
UPSTREAM_TIMEOUT = httpx.Timeout(connect=10.0, read=300.0, write=300.0, pool=None)


def _forwarded(headers: list[tuple[bytes, bytes]], drop: frozenset[str]) -> list[tuple[bytes, bytes]]:
    return [(name, value) for name, value in headers if name.decode("latin-1").lower() not in drop]


def _error(status: int, code: str, message: str) -> JSONResponse:
    # The shape of the mock's errors (ErrorDetail), so clients parse one kind of error body.
    return JSONResponse({"error": {"code": code, "message": message, "field": None}}, status_code=status)


def _decoded(headers: httpx.Headers, raw: bytes) -> bytes:
    """The body as the client reads it: httpx undoes any Content-Encoding. A body that does not
    decode is judged as it came (the response checks then say what is wrong with it)."""
    try:
        return httpx.Response(200, headers=headers, content=raw).content
    except httpx.DecodingError:
        return raw


class ValidatingProxy:
    def __init__(self, upstream: str, validator: TrafficValidator, body_cap: int = DEFAULT_BODY_CAP,
                 report_dir: str = "reports", transport: httpx.AsyncBaseTransport | None = None,
                 clients: str = LENIENT) -> None:
        self.upstream = upstream.rstrip("/")
        self.clients = clients
        self.validator = validator
        self.body_cap = body_cap
        self.report_dir = report_dir
        self.count = 0
        # `transport`: tests put an in-process upstream here.
        self.client = httpx.AsyncClient(timeout=UPSTREAM_TIMEOUT, trust_env=False, transport=transport,
                                        limits=httpx.Limits(max_connections=None, max_keepalive_connections=20))
        # An ASGI endpoint (not a function) so that Starlette lets every method through.
        self.app = Starlette(routes=[Route("/{path:path}", _Endpoint(self))], lifespan=self.lifespan)

    @contextlib.asynccontextmanager
    async def lifespan(self, app: Starlette) -> AsyncIterator[None]:
        print(f"vpbx traffic proxy: forwarding to {self.upstream}; violations are printed as they happen",
              flush=True)
        yield
        await self.client.aclose()
        for path in write_reports(self.validator, self.report_dir, source=f"proxy to {self.upstream}",
                                  clients=self.clients):
            print(f"report: {path}", flush=True)
        print(render_summary(self.validator, self.clients), flush=True)  # its last line: the verdict

    async def forward(self, request: Request) -> Response:
        index, self.count = self.count, self.count + 1
        started = datetime.now(timezone.utc).isoformat(timespec="milliseconds")
        clock = perf_counter()
        raw_path = request.scope.get("raw_path") or request.url.path.encode()
        query = request.scope.get("query_string", b"")
        url = self.upstream + raw_path.decode("latin-1") + (("?" + query.decode("latin-1")) if query else "")
        sent = BoundedBody(self.body_cap)
        has_body = "content-length" in request.headers or "transfer-encoding" in request.headers

        async def request_body() -> AsyncIterator[bytes]:
            async for chunk in request.stream():
                if chunk:
                    sent.add(chunk)
                    yield chunk

        upstream_request = httpx.Request(
            request.method, url, headers=_forwarded(request.headers.raw, HOP_BY_HOP | {"host"}),
            content=request_body() if has_body else None)
        try:
            answer = await self.client.send(upstream_request, stream=True)
        except ClientDisconnect:
            return Response(status_code=400)  # the client left while sending: nobody to answer
        except httpx.TimeoutException:
            return _error(504, "upstream_timeout", f"the upstream {self.upstream} did not answer in time")
        except httpx.TransportError as error:
            return _error(502, "upstream_unreachable",
                          f"the upstream {self.upstream} could not be reached ({type(error).__name__})")

        received = BoundedBody(self.body_cap)

        async def response_body() -> AsyncIterator[bytes]:
            try:
                async for chunk in answer.aiter_raw():  # raw: the bytes exactly as the upstream sent them
                    received.add(chunk)
                    yield chunk
            finally:
                await answer.aclose()

        async def judge() -> None:
            raw = received.value()
            exchange = Exchange(
                index=index, started=started, method=request.method, url=str(answer.request.url),
                request_headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw],
                request_body=sent.value() if has_body else b"", status=answer.status_code,
                response_headers=[(k, v) for k, v in answer.headers.multi_items()
                                  if k.lower() not in {"content-encoding", "content-length"}],
                response_body=None if raw is None else _decoded(answer.headers, raw),
                elapsed=perf_counter() - clock, too_large=sent.overflowed or received.overflowed)
            # In a worker thread: judging is CPU work and must not hold up other clients.
            for violation in await anyio.to_thread.run_sync(self.validator.check, exchange):
                print(violation.line(), flush=True)

        response = StreamingResponse(response_body(), status_code=answer.status_code, background=BackgroundTask(judge))
        response.raw_headers = _forwarded(answer.headers.raw, HOP_BY_HOP)
        return response


class _Endpoint:
    def __init__(self, proxy: ValidatingProxy) -> None:
        self.proxy = proxy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = await self.proxy.forward(Request(scope, receive))
        await response(scope, receive, send)


def main(env: dict[str, str] | None = None) -> int:
    env = dict(os.environ if env is None else env)
    upstream = (env.get("UPSTREAM") or "").strip()
    if urlsplit(upstream).scheme not in {"http", "https"} or not urlsplit(upstream).hostname:
        print("proxy: UPSTREAM must be the server to forward to, e.g. "
              "make proxy UPSTREAM=https://simple-api.cp.megafon.ru", file=sys.stderr)
        return EXIT_BAD_SETTINGS
    try:
        port = int(env.get("PORT") or 8081)
        body_cap = int(env.get("TRAFFIC_BODY_CAP") or DEFAULT_BODY_CAP)
    except ValueError as error:
        print(f"proxy: PORT and TRAFFIC_BODY_CAP must be integers ({error})", file=sys.stderr)
        return EXIT_BAD_SETTINGS
    clients = (env.get("CLIENTS") or LENIENT).strip().lower()
    if clients not in (LENIENT, STRICT):
        print(f"proxy: CLIENTS must be {LENIENT} or {STRICT}, got {clients!r}", file=sys.stderr)
        return EXIT_BAD_SETTINGS
    host = env.get("HOST") or "127.0.0.1"
    proxy = ValidatingProxy(upstream, TrafficValidator(Target(upstream)), body_cap, env.get("REPORT_DIR") or "reports",
                            clients=clients)
    print(f"vpbx traffic proxy: listening on http://{host}:{port}", flush=True)
    # No Server or Date header of the proxy's own: the upstream's pass through unchanged.
    uvicorn.run(proxy.app, host=host, port=port, loop="uvloop", http="httptools", access_log=False,
                log_level="warning", server_header=False, date_header=False)
    return exit_status(proxy.validator, clients)


if __name__ == "__main__":
    sys.exit(main())
