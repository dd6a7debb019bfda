"""The two servers the self-test checks: all variants in one process, and Prism."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from vpbx_suite.mock_process import free_port, wait_until_answering
from vpbx_spec.document import DOCUMENT_PATH, REPOSITORY_ROOT

PRISM = REPOSITORY_ROOT / "tools" / "node_modules" / ".bin" / "prism"
__all__ = ["REPOSITORY_ROOT", "running_prism", "running_selftest_server"]


@contextmanager
def _serving(command: list[str], port: int) -> Iterator[str]:
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryFile() as output:
        process = subprocess.Popen(command, cwd=REPOSITORY_ROOT, stdin=subprocess.DEVNULL,
                                   stdout=output, stderr=subprocess.STDOUT)

        def printed() -> str:
            output.seek(0)
            return output.read().decode("utf-8", errors="replace")

        try:
            # Generous: Node to start, or the interpreter and its imports, on a machine that may be busy.
            wait_until_answering(process, url + "/", printed, timeout=300)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextmanager
def running_selftest_server(token: str, other_token: str | None = None) -> Iterator[str]:
    """Every variant, each with two accounts: `token`'s and `other_token`'s (a fresh one if None)."""
    port = free_port()
    other = other_token or token + "-other-account"
    with _serving([sys.executable, "-m", "tests.selftest.server", str(port), token, other], port) as url:
        yield url


@contextmanager
def running_prism() -> Iterator[str]:
    if not Path(PRISM).exists():
        raise SystemExit(f"selftest: {PRISM} is missing; run `make node-tools` (make selftest does)")
    port = free_port()
    command = [str(PRISM), "mock", "--dynamic", "--host", "127.0.0.1", "--port", str(port),
               str(DOCUMENT_PATH)]
    with _serving(command, port) as url:
        yield url
