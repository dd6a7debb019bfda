"""Keeping at most `cap` bytes of a body that streams through, for validation only."""

from __future__ import annotations

# Larger bodies are forwarded in full but not judged: the contract's requests are capped at
# 64 KiB by the mock, and a listing of thousands of records still fits comfortably.
DEFAULT_BODY_CAP = 4 * 1024 * 1024


class BoundedBody:
    def __init__(self, cap: int = DEFAULT_BODY_CAP) -> None:
        self.cap = cap
        self.size = 0
        self._chunks: list[bytes] = []

    @property
    def overflowed(self) -> bool:
        return self.size > self.cap

    def add(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.overflowed:
            self._chunks.clear()  # over the cap: not judged, so nothing is kept
        else:
            self._chunks.append(chunk)

    def value(self) -> bytes | None:
        return None if self.overflowed else b"".join(self._chunks)
