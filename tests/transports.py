"""For test transports that stand in front of a real mock process (httpx.BaseTransport): an
answer read from the network once, handed on as a fresh response."""

from __future__ import annotations

from collections.abc import Iterator

import httpx


class Replayed(httpx.SyncByteStream):
    """A body read from the network once (httpx times an answer as its stream is read)."""

    def __init__(self, content: bytes) -> None:
        self.content = content

    def __iter__(self) -> Iterator[bytes]:
        yield self.content
