"""cosmic-ray's HTTP workers, one per copy, so two mutants never share a source tree."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from mutation.copy import test_environment

COSMIC_RAY = [sys.executable, "-m", "cosmic_ray.cli"]
STARTUP_TIMEOUT = 30.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for_port(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"cosmic-ray http-worker on port {port} exited with {process.returncode}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError(f"cosmic-ray http-worker on port {port} did not start")


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stop a worker and the test it may be running (its own process group)."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait()


@contextmanager
def http_workers(copies: list[Path], log_dir: Path) -> Iterator[list[str]]:
    """Start one worker in each copy (its cwd: mutants are written relative to it); yield URLs."""
    processes: list[subprocess.Popen[bytes]] = []
    try:
        urls = []
        for index, copy in enumerate(copies):
            port = free_port()
            log = (log_dir / f"worker{index}.log").open("wb")
            process = subprocess.Popen([*COSMIC_RAY, "http-worker", "--port", str(port)], cwd=copy,
                                       env=test_environment(copy), stdin=subprocess.DEVNULL,
                                       stdout=log, stderr=subprocess.STDOUT,
                                       start_new_session=True)
            processes.append(process)
            wait_for_port(port, process)
            urls.append(f"http://127.0.0.1:{port}")
        yield urls
    finally:
        for process in processes:
            stop(process)
