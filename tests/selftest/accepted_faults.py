"""Faults that refuse or rewrite a request the contract accepts (for the self-test only): a
header compared whole, a hand-written JSON reader that knows fewer escapes than RFC 8259, a
strict integer parser, storage that "cleans" text. Each is correct for the requests most
clients send and wrong for one form the document allows."""

from __future__ import annotations

import re
from collections.abc import Callable

from tests.selftest.faults import Exchange, Fault

ROLES = ("add", "edit")


class RefuseForm(Fault):
    """Answer an add or an edit with `status` when `refuses(exchange)` says so, as a server that
    checks the request's text (not its meaning) would."""

    def __init__(self, refuses: Callable[[Exchange], bool], status: int = 400, code: str = "validation_failed",
                 message: str = "The request is not valid.") -> None:
        self.refuses, self.status, self.code, self.message = refuses, status, code, message

    def before(self, exchange: Exchange) -> None:
        if any(exchange.is_(role) for role in ROLES) and self.refuses(exchange):
            exchange.respond(self.status, {"error": {"code": self.code, "message": self.message}})


def content_type(exchange: Exchange) -> str:
    return (exchange.request_header(b"content-type") or b"").decode("latin-1")


def body_has(pattern: bytes) -> Callable[[Exchange], bool]:
    return lambda exchange: re.search(pattern, exchange.request_body) is not None


def unsupported_media(refuses: Callable[[str], bool]) -> RefuseForm:
    return RefuseForm(lambda exchange: refuses(content_type(exchange)), 415, "unsupported_media_type",
                      "Content-Type must be application/json.")


def raw_key_missing(exchange: Exchange) -> bool:
    """A reader that finds a key by its text: a key written with escapes is not there."""
    sent = exchange.sent_json()
    return isinstance(sent, dict) and any(f'"{key}"'.encode() not in exchange.request_body for key in sent)
