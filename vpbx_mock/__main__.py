"""`python -m vpbx_mock` (`vpbx mock`, `make mock`): serve the mock in the foreground until Ctrl-C.

Settings (environment): HOST, PORT (127.0.0.1:8080), API_TOKEN (one account) or API_TOKENS
(tok1,tok2,...: one account per token; docs/accounts.md), MOCK_DB (a file, or
":memory:"), MOCK_ACCESS_LOG (1; 0 to silence the per-request log), MOCK_CONNECTABLE (the
size of the connectable pool, 5000, or "any"), MOCK_FAULTS and MOCK_FAULTS_SEED (failures injected
on purpose, off by default: docs/mock-faults.md).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from vpbx_mock.settings import Settings

if TYPE_CHECKING:
    from starlette.types import ASGIApp


def main(environ: Mapping[str, str] | None = None) -> int:
    """`environ`: the settings (default: the process's environment); `vpbx mock` passes its options."""
    try:
        settings = Settings.from_environment(environ)
    except ValueError as error:
        print(f"vpbx_mock: {error}", file=sys.stderr)
        return 2
    # Imported only once the settings are sound: a refusal answers at once.
    import uvicorn

    from vpbx_mock.access_log import AccessLog
    from vpbx_mock.app import create_app
    from vpbx_mock.operations import operations
    from vpbx_mock.regions import keep_only_russian_geodata, region_for
    from vpbx_mock.store import NumberStore

    region_for("74991234567")  # load the geocoder's data now, not on the first request
    keep_only_russian_geodata()  # about 70 MiB less resident memory
    store = NumberStore.open(settings.database, settings.connectable)
    base_url = f"http://{settings.host}:{settings.port}"
    for operation in operations().values():
        print(f"vpbx mock: {operation.method:6} {base_url}{operation.path}"
              f"  ({operation.operation_id})", flush=True)
    print(f"vpbx mock: database {settings.database}", flush=True)
    if settings.connectable.any_number:
        print("vpbx mock: MOCK_CONNECTABLE=any: every valid number may be added", flush=True)
    else:
        print(f"vpbx mock: only numbers of the connectable listing may be added"
              f" (pool of {settings.connectable.pool_size} on a new database;"
              " MOCK_CONNECTABLE=any accepts every valid number)", flush=True)
    for line in settings.token_lines():
        print(f"vpbx mock: {line}", flush=True)
    app: ASGIApp = create_app(store, settings.tokens, close_store_on_shutdown=True)
    http: Any = "httptools"
    if settings.faults is not None:
        # Not even imported without MOCK_FAULTS: the mock is then exactly what it was.
        from vpbx_mock.fault_middleware import FaultInjection
        from vpbx_mock.resettable_http import ResettableHttpToolsProtocol

        for line in settings.faults.describe():
            print(f"vpbx mock: {line}", flush=True)
        app = FaultInjection(app, settings.faults)
        http = ResettableHttpToolsProtocol
    print("vpbx mock: Ctrl-C stops it", flush=True)
    # Our own access log: the same line as uvicorn's, buffered (vpbx_mock.access_log). Outside
    # the faults, so it logs the statuses clients really got (a reset has none: not logged).
    served = AccessLog(app) if settings.access_log else app
    uvicorn.run(served, host=settings.host, port=settings.port, loop="uvloop", http=http,
                access_log=False, server_header=False, log_level="info")
    return 0


if __name__ == "__main__":
    sys.exit(main())
