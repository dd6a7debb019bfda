"""The two servers under test, as real processes that are always stopped afterwards.

Our mock runs exactly as `make mock` runs it (vpbx_suite.mock_process), access log on by
default, with MOCK_CONNECTABLE=any so that every fresh number may be added. Prism serves the
same document as a user starts it: `prism mock openapi.yaml`, static mode (its default, and its
fastest), and, as a second anchor, `prism mock --dynamic`; both with their default log.
"""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import httpx

from bench.paths import DOCUMENT_PATH, PRISM, REPOSITORY_ROOT
from vpbx_suite.mock_process import MockProcess, free_port, running_mock

PRISM_STARTUP_TIMEOUT = 60.0  # Prism compiles the document before it listens
STOP_TIMEOUT = 10.0
PRISM_MODES = {"static": ("mock",), "dynamic": ("mock", "--dynamic")}


@dataclass(frozen=True)
class Server:
    name: str
    base_url: str
    pid: int


@contextmanager
def our_mock(database: Path, token: str, *, access_log: bool = True, any_number: bool = True
             ) -> Iterator[tuple[Server, MockProcess]]:
    """The mock on a fresh database, as `make mock` runs it (access log on) or with
    MOCK_ACCESS_LOG=0; with MOCK_CONNECTABLE=any (every fresh number may be added) unless
    any_number=False (the default pool: only listed numbers, D20)."""
    environment = {"API_TOKEN": token, "MOCK_ACCESS_LOG": "1" if access_log else "0",
                   "MOCK_CONNECTABLE": "any" if any_number else None}
    name = "our mock" + ("" if access_log else ", log off")
    with running_mock(database, environment) as mock:
        yield Server(name, mock.base_url, mock.process.pid), mock


def _wait_until_listening(process: subprocess.Popen[bytes], base_url: str, log: IO[bytes],
                          timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"Prism exited with {process.returncode}:\n"
                               f"{log.read().decode(errors='replace')}")
        try:
            httpx.get(base_url + "/", timeout=1.0)  # any answer means it serves
            return
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"Prism did not answer within {timeout:.0f} s") from None
            time.sleep(0.1)


def _stop_group(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the process group Prism was started in, then SIGKILL if it lingers."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        if process.poll() is not None:
            return
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            continue


@contextmanager
def prism(mode: str = "static") -> Iterator[Server]:
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryFile() as log:
        # Its own session: a Ctrl-C on the terminal reaches us first, and we stop its whole
        # group by its id, children included.
        process = subprocess.Popen(
            [str(PRISM), *PRISM_MODES[mode], "-h", "127.0.0.1", "-p", str(port), str(DOCUMENT_PATH)],
            cwd=REPOSITORY_ROOT, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True)
        try:
            _wait_until_listening(process, base_url, log, PRISM_STARTUP_TIMEOUT)
            yield Server(f"Prism {mode}", base_url, process.pid)
        finally:
            _stop_group(process)


def prism_mode(mode: str) -> str:
    """How Prism was run, for the report."""
    return "prism " + " ".join(PRISM_MODES[mode]) + " -h 127.0.0.1 -p <free port> openapi/openapi.yaml"
