"""Run the reference mock as a real process (`python -m vpbx_mock`), as `make mock` does.

    with running_mock(tmp_path / "mock.sqlite3", env={"API_TOKEN": "s3cret"}) as mock:
        httpx.post(mock.base_url + "/numbers/unconfirmed", ...)

`start_mock` hands over the process itself, for callers that stop or kill it themselves.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import httpx

from vpbx_spec.document import REPOSITORY_ROOT

# A process that exits is reported at once; one that is only slow to start (a busy machine:
# 20 s was seen to run out under a load of 15 on 2 cores) is waited for.
STARTUP_TIMEOUT = 120.0
STOP_TIMEOUT = 10.0
# Settings the mock reads; never inherited from the caller's environment.
MOCK_VARIABLES = ("HOST", "PORT", "API_TOKEN", "API_TOKENS", "MOCK_DB", "MOCK_ACCESS_LOG", "MOCK_CONNECTABLE",
                  "MOCK_FAULTS", "MOCK_FAULTS_SEED")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class MockProcess:
    process: subprocess.Popen[bytes]
    base_url: str
    _output: IO[bytes]

    def output(self) -> str:
        """Everything the process wrote so far, stdout and stderr together."""
        self._output.flush()
        self._output.seek(0)
        return self._output.read().decode("utf-8", errors="replace")

    def stop(self, sig: signal.Signals = signal.SIGTERM, timeout: float = STOP_TIMEOUT) -> int:
        """Send `sig`, wait for the process to end, and return its exit status."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise RuntimeError(f"the mock ignored {sig.name} for {timeout} s:\n{self.output()}") from None

    def close(self) -> None:
        """Kill the process if it still runs, and drop its output."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self._output.close()


def start_mock(database: str | Path, env: Mapping[str, str | None] | None = None) -> MockProcess:
    """Start the mock on a free loopback port and wait until it answers HTTP.

    `env` is applied last; a None value unsets a variable (API_TOKEN=None: the default
    token). MOCK_ACCESS_LOG is 0 unless `env` says otherwise.
    """
    environment = {name: value for name, value in os.environ.items() if name not in MOCK_VARIABLES}
    environment.update({"PORT": str(free_port()), "MOCK_DB": str(database), "MOCK_ACCESS_LOG": "0"})
    for name, value in (env or {}).items():
        if value is None:
            environment.pop(name, None)
        else:
            environment[name] = value
    output = tempfile.TemporaryFile()
    process = subprocess.Popen([sys.executable, "-m", "vpbx_mock"], cwd=REPOSITORY_ROOT,
                               env=environment, stdin=subprocess.DEVNULL, stdout=output,
                               stderr=subprocess.STDOUT)
    host = environment.get("HOST", "127.0.0.1")
    mock = MockProcess(process, f"http://{host}:{environment['PORT']}", output)
    try:
        wait_until_answering(process, mock.base_url + "/", mock.output)
    except BaseException:
        mock.close()
        raise
    return mock


def wait_until_answering(process: subprocess.Popen[bytes], url: str, output: Callable[[], str],
                         timeout: float = STARTUP_TIMEOUT) -> None:
    """Return once `url` gets any HTTP answer; raise with the process's output if it exits
    or stays silent for `timeout` seconds."""
    deadline = time.monotonic() + timeout
    # One client for every try: each new one loads the CA bundle (about 50 ms of CPU, taken
    # from the process that is starting on a machine of two cores).
    with httpx.Client(timeout=1.0) as client:
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"{process.args} exited with {process.returncode}:\n{output()}")
            try:
                client.get(url)  # any answer, a 404 included, means it serves
                return
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s:\n{output()}") from None
                time.sleep(0.05)


@contextmanager
def running_mock(database: str | Path, env: Mapping[str, str | None] | None = None
                 ) -> Iterator[MockProcess]:
    """A mock process that is stopped (SIGTERM) when the block ends."""
    mock = start_mock(database, env)
    try:
        yield mock
        mock.stop()
    finally:
        mock.close()
