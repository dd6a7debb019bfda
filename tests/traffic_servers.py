"""Servers the traffic tests record from and proxy to, as real processes:

- the reference mock (`python -m vpbx_mock`, every valid number addable);
- a few broken variants built from the self-test's faults (tests/selftest/faults.py), one
  process, each under its own prefix (http://127.0.0.1:<port>/<slug>/numbers/...):
  `python -m tests.traffic_servers PORT TOKEN`;
- the validating proxy (`python -m vpbx_traffic.proxy`) in front of any of them.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import uvicorn
from starlette.types import ASGIApp, Receive, Scope, Send

from tests.selftest.faults import Fault, FaultyApp, LooseValidation, Record, RewriteRecord
from vpbx_mock.app import create_app
from vpbx_mock.store import NumberStore
from vpbx_suite.mock_process import MockProcess, free_port, running_mock, wait_until_answering
from vpbx_spec.document import REPOSITORY_ROOT


def new_number(seed: int, **extra: Any) -> dict[str, Any]:
    """A valid add of the number 7926<seed>, for a mock with MOCK_CONNECTABLE=any."""
    return {"number": f"7926{seed:07d}", "dgn_number": "74951234567", "purpose": "company", "type": "def", **extra}


@contextmanager
def running_open_mock(database: Path, token: str) -> Iterator[MockProcess]:
    """The mock as a process, every valid number addable (MOCK_CONNECTABLE=any)."""
    with running_mock(database, {"API_TOKEN": token, "MOCK_CONNECTABLE": "any"}) as process:
        yield process


def _changed(change: Callable[[Record], Any]) -> RewriteRecord:
    def rewrite(record: Record, sent: Any) -> Record:
        change(record)
        return record
    return RewriteRecord(rewrite)


# slug -> the fault that breaks it (None: the plain mock), the rule the validator must name.
# slug -> (the fault, the rule a valid exchange with it breaks; None: valid exchanges conform).
VARIANTS: dict[str, tuple[Fault | None, str | None]] = {
    "conforming": (None, None),
    "echoes-another-comment": (_changed(lambda r: r.update(comment="another comment")), "echoes_request_fields"),
    "reuses-an-id": (_changed(lambda r: r.update(id=1)), "ids_are_unique"),
    "answer-without-id": (_changed(lambda r: r.pop("id", None)), "response_schema_conformance"),
    "lookalike-purpose": (_changed(lambda r: r.update(purpose="\u0441ompany")), "enum_values_have_no_lookalikes"),
    # Only an invalid request shows it (the validator's invalid_request_accepted).
    "accepts-an-unknown-property": (LooseValidation(lambda body: "numbe" in body,
                                                    lambda body: {k: v for k, v in body.items() if k != "numbe"}),
                                    None),
}


class PrefixRouter:
    """Dispatch on the first path segment; the variant sees the rest as its path."""

    def __init__(self, apps: dict[str, ASGIApp]) -> None:
        self.apps = apps

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            message = await receive()
            await send({"type": f"{message['type']}.complete"})
            await receive()
            await send({"type": "lifespan.shutdown.complete"})
            return
        slug = scope["path"].split("/", 2)[1]
        app = self.apps.get(slug) or self.apps["conforming"]
        await app({**scope, "root_path": scope.get("root_path", "") + "/" + slug}, receive, send)


def build(token: str) -> PrefixRouter:
    apps: dict[str, ASGIApp] = {}
    for slug, (fault, _) in VARIANTS.items():
        mock = create_app(NumberStore.open(":memory:", connectable="any"), token)
        apps[slug] = mock if fault is None else FaultyApp(mock, [fault])
    return PrefixRouter(apps)


@dataclass
class Process:
    process: subprocess.Popen[bytes]
    url: str
    _output: IO[bytes]

    def output(self) -> str:
        self._output.flush()
        self._output.seek(0)
        return self._output.read().decode("utf-8", errors="replace")

    def stop(self, sig: signal.Signals = signal.SIGINT) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            return self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()


@contextmanager
def serving(module: str, args: list[str], env: dict[str, str], port: int) -> Iterator[Process]:
    with tempfile.TemporaryFile() as output:
        process = subprocess.Popen([sys.executable, "-m", module, *args], cwd=REPOSITORY_ROOT,
                                   env={**os.environ, **env}, stdin=subprocess.DEVNULL,
                                   stdout=output, stderr=subprocess.STDOUT)
        served = Process(process, f"http://127.0.0.1:{port}", output)
        try:
            # Starting is not what is tested: a deadline a busy shared machine still meets.
            wait_until_answering(process, served.url + "/", served.output, timeout=120)
            yield served
        finally:
            served.stop()


@contextmanager
def running_variants(token: str) -> Iterator[Process]:
    port = free_port()
    with serving("tests.traffic_servers", [str(port), token], {}, port) as served:
        yield served


@contextmanager
def running_proxy(upstream: str, report_dir: str, **env: str) -> Iterator[Process]:
    port = free_port()
    settings = {"UPSTREAM": upstream, "PORT": str(port), "REPORT_DIR": report_dir, **env}
    with serving("vpbx_traffic.proxy", [], settings, port) as served:
        yield served


def main() -> None:
    port, token = int(sys.argv[1]), sys.argv[2]
    uvicorn.run(build(token), host="127.0.0.1", port=port, access_log=False, log_level="warning")


if __name__ == "__main__":
    main()
