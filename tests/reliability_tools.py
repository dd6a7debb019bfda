"""Helpers for the reliability tests: raw HTTP over sockets, distinct numbers, SQLite checks.

The reliability tests talk to a real mock process (vpbx_suite.mock_process), often below
httpx: hostile and malformed traffic has to be written byte by byte.
"""

from __future__ import annotations

import select
import socket
import sqlite3
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httptools
import psutil

from tests.contract_data import seed_request
from tests.mock_client import json_bytes
from vpbx_mock.app import ADD_PATH


def number(prefix: int, serial: int) -> str:
    """A valid mobile number, distinct for each (prefix < 100, serial < 10**7)."""
    assert 0 <= prefix < 100 and 0 <= serial < 10**7
    return f"79{prefix:02d}{serial:07d}"


def add_body(mobile_number: str) -> bytes:
    """The seed request of the document, for another number."""
    return json_bytes({**seed_request(), "number": mobile_number})


def json_headers(token: str) -> dict[str, str]:
    return {"Authorization": token, "Content-Type": "application/json"}


def address(base_url: str) -> tuple[str, int]:
    parts = urlsplit(base_url)
    assert parts.hostname is not None and parts.port is not None
    return parts.hostname, parts.port


def request_head(method: str, token: str, *, content_length: int | None,
                 chunked: bool = False, path: str = ADD_PATH) -> bytes:
    """The request line and headers of an add, framed by Content-Length or chunked."""
    lines = [f"{method} {path} HTTP/1.1", "Host: mock.test", f"Authorization: {token}",
             "Content-Type: application/json"]
    if content_length is not None:
        lines.append(f"Content-Length: {content_length}")
    if chunked:
        lines.append("Transfer-Encoding: chunked")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def chunk(data: bytes) -> bytes:
    """One chunk of a chunked body (an empty one ends it)."""
    return b"%x\r\n" % len(data) + data + b"\r\n"


@dataclass
class RawResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    complete: bool  # False: the server closed the connection in the middle of the body

    def header(self, name: str) -> str | None:
        return next((value for key, value in self.headers if key == name.lower()), None)

    @property
    def media_type(self) -> str:
        return (self.header("content-type") or "").partition(";")[0].strip().lower()


@dataclass
class _Collector:
    """httptools callbacks for one response; interim 1xx answers are skipped."""
    parser: httptools.HttpResponseParser | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytearray = field(default_factory=bytearray)
    status: int | None = None
    complete: bool = False

    def on_message_begin(self) -> None:
        self.headers, self.body, self.status = [], bytearray(), None

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers.append((name.decode("latin-1").lower(), value.decode("latin-1")))

    def on_headers_complete(self) -> None:
        assert self.parser is not None
        self.status = self.parser.get_status_code()

    def on_body(self, body: bytes) -> None:
        self.body += body

    def on_message_complete(self) -> None:
        if self.status is not None and self.status >= 200:
            self.complete = True


class ServerSentGarbage(AssertionError):
    """The bytes that came back are not an HTTP response."""


class RawConnection:
    """One TCP connection to the mock, for requests httpx would refuse to send."""

    def __init__(self, base_url: str, timeout: float = 5.0) -> None:
        self.socket = socket.create_connection(address(base_url), timeout=timeout)

    def send(self, data: bytes) -> bool:
        """Send everything; False if the server closed the connection first."""
        try:
            self.socket.sendall(data)
            return True
        except OSError:
            return False

    def send_all(self, parts: Iterable[bytes]) -> bool:
        return all(self.send(part) for part in parts)

    def has_answer(self) -> bool:
        """Whether the server wrote anything (or closed) yet, without waiting."""
        readable, _, _ = select.select([self.socket], [], [], 0)
        return bool(readable)

    def read_response(self, timeout: float, *, head: bool = False) -> RawResponse | None:
        """The first final response, or None if the connection closed or stayed silent
        for `timeout` seconds before a status line came. `head`: a HEAD answer has no body."""
        collector = _Collector()
        parser = httptools.HttpResponseParser(collector)
        collector.parser = parser
        deadline = time.monotonic() + timeout
        while not collector.complete and not (head and collector.status is not None
                                              and collector.status >= 200):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            self.socket.settimeout(remaining)
            try:
                data = self.socket.recv(65536)
            except TimeoutError:
                break
            except OSError:  # reset by the server
                data = b""
            if not data:
                break
            try:
                parser.feed_data(data)
            except httptools.HttpParserError as error:
                raise ServerSentGarbage(f"unparseable answer ({error}): {data[:200]!r}") from None
        if collector.status is None or collector.status < 200:
            return None  # no final answer (a "100 Continue" alone is none)
        return RawResponse(collector.status, collector.headers, bytes(collector.body),
                           collector.complete or head)

    def close(self) -> None:
        self.socket.close()

    def __enter__(self) -> RawConnection:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def rss_bytes(pid: int) -> int:
    return psutil.Process(pid).memory_info().rss


def integrity_check(database: Path) -> str:
    """PRAGMA integrity_check of the file, from a connection of our own."""
    connection = sqlite3.connect(database)
    try:
        return "\n".join(row[0] for row in connection.execute("PRAGMA integrity_check"))
    finally:
        connection.close()


def stored_ids(database: Path) -> dict[str, int]:
    """number -> id of every stored row."""
    connection = sqlite3.connect(database)
    try:
        return dict(connection.execute("SELECT number, id FROM numbers"))
    finally:
        connection.close()
