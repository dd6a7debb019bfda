"""One process serving every variant of the catalog, each under its own path prefix:
http://host:port/<variant slug>/numbers/unconfirmed, each with its own in-memory store and two
accounts (TOKEN, OTHER_TOKEN).

    python -m tests.selftest.server PORT TOKEN OTHER_TOKEN
"""

from __future__ import annotations

import sys
from collections.abc import Callable

import uvicorn
from starlette.types import ASGIApp, Receive, Scope, Send

from tests.selftest.faults import FaultyApp
from tests.selftest.variant import Variant
from tests.selftest.variants import CATALOG
from vpbx_mock.app import create_app
from vpbx_mock.errors import ApiError, error_response
from vpbx_mock.store import NumberStore


class VariantRouter:
    """Dispatch on the first path segment; the variant's app sees the rest as its path. Each
    variant's app is built when its first request arrives: a test that starts this server for
    one or two variants does not wait for all of them."""

    def __init__(self, variants: list[Variant], build_app: Callable[[Variant], ASGIApp]) -> None:
        self._variants = {variant.slug: variant for variant in variants}
        self._build_app = build_app
        self._apps: dict[str, ASGIApp] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            message = await receive()
            await send({"type": f"{message['type']}.complete"})  # startup, then shutdown
            await receive()
            await send({"type": "lifespan.shutdown.complete"})
            return
        slug = scope["path"].split("/", 2)[1]
        app = self._app(slug)
        if app is None:
            response = error_response(ApiError(404, "not_found", f"no variant {slug!r}"))
            await response(scope, receive, send)
            return
        # Starlette routes on path minus root_path, so the mock sees /numbers/unconfirmed.
        await app({**scope, "root_path": scope.get("root_path", "") + "/" + slug}, receive, send)

    def _app(self, slug: str) -> ASGIApp | None:
        if slug not in self._apps and slug in self._variants:
            self._apps[slug] = self._build_app(self._variants[slug])  # one event loop: built once
        return self._apps.get(slug)


# The connectable pool of a variant that names none: a run adds about 150 numbers, and reads
# the listing about 120 times; at the mock's default of 5000 numbers those reads were a quarter
# of a conforming variant's CPU (both sides: the listing written, parsed and judged item by
# item). The bundled mock of `make contract` keeps its default.
POOL = "1000"


def build(token: str, other_token: str) -> VariantRouter:
    return VariantRouter(CATALOG, lambda variant: FaultyApp(
        create_app(NumberStore.open(":memory:", connectable=variant.connectable or POOL), [token, other_token]),
        variant.make_faults(token)))


def main() -> None:
    port, token, other_token = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    uvicorn.run(build(token, other_token), host="127.0.0.1", port=port, loop="uvloop", http="httptools",
                access_log=False, log_level="warning")


if __name__ == "__main__":
    main()
