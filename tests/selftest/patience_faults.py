"""Faults of a loaded server: 429 and 503 answers given in the mock's place, before it
processes the request (RFC 6585 §4, RFC 9110 §15.6.4), as a server or a gateway in front of it
does under load."""

from __future__ import annotations

from tests.selftest.faults import Exchange, Fault

BUSY = {"error": {"code": "rate_limited", "message": "too many requests; try again later"}}


def refuse(exchange: Exchange, status: int, retry_after: str | None) -> None:
    """Answer `status` in the mock's place, with Retry-After when given."""
    exchange.respond(status, BUSY)
    if retry_after is not None:
        exchange.response_headers.append((b"retry-after", retry_after.encode()))


class RateLimitEvery(Fault):
    """Refuse every `every`-th request of the API's operations with `status` (a count, not a
    draw: the same run gets the same refusals); a request sent again is the next one, so it
    passes unless `every` is 1."""

    def __init__(self, every: int, status: int = 429, retry_after: str | None = "0") -> None:
        self.every, self.status, self.retry_after = every, status, retry_after
        self.seen = 0

    def before(self, exchange: Exchange) -> None:
        if exchange.operation is None:
            return
        self.seen += 1
        if self.seen % self.every == 0:
            refuse(exchange, self.status, self.retry_after)


class RateLimitForever(Fault):
    """Refuse every request of one lifecycle role with 429, however long the client waits."""

    def __init__(self, role: str, retry_after: str | None = "0") -> None:
        self.role, self.retry_after = role, retry_after

    def before(self, exchange: Exchange) -> None:
        if exchange.is_(self.role):
            refuse(exchange, 429, self.retry_after)
