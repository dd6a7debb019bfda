"""Faults that real implementations ship at the edges of the rules (for the self-test only).

Each is correct on the happy path and wrong at one edge: a digit class that matches other
scripts, a check that trims first, lengths counted in bytes, storage that rewrites text, a
uniqueness check raced by a second request, a token compared loosely.
"""

from __future__ import annotations

import asyncio
import itertools
import unicodedata
from collections.abc import Callable
from typing import Any

from tests.selftest.faults import Exchange, Fault
from vpbx_suite.contract import bundled_facts

Body = dict[str, Any]


def ascii_digits(value: str) -> str:
    """What `int(ch)` / Python's `\\d` make of any Unicode decimal digit."""
    return "".join(str(unicodedata.digit(char)) if char.isdigit() and not char.isascii()
                   and unicodedata.digit(char, None) is not None else char for char in value)


def strings(body: Body, change: Callable[[str], str]) -> Body:
    return {key: change(value) if isinstance(value, str) else value for key, value in body.items()}


class RejectValid(Fault):
    """Refuse a request the contract accepts (a limit counted the wrong way)."""

    def __init__(self, applies: Callable[[Body], bool], role: str = "add") -> None:
        self.applies, self.role = applies, role

    def before(self, exchange: Exchange) -> None:
        sent = exchange.sent_json()
        if exchange.is_(self.role) and isinstance(sent, dict) and self.applies(sent):
            exchange.respond(400, {"error": {"code": "validation_failed", "message": "too long",
                                             "field": "comment"}})


class StoresRewritten(Fault):
    """Store text rewritten (NUL dropped, normalized, …) while echoing what was sent: only a
    read-back shows it. Applies to adds and edits."""

    def __init__(self, rewrite: Callable[[str], str]) -> None:
        self.rewrite = rewrite

    def before(self, exchange: Exchange) -> None:
        sent = exchange.sent_json()
        if (exchange.is_("add") or exchange.is_("edit")) and isinstance(sent, dict):
            exchange.notes["original"] = sent
            exchange.set_request_json(strings(sent, self.rewrite))

    def after(self, exchange: Exchange) -> None:
        original, answer = exchange.notes.get("original"), exchange.answer_json()
        if original is not None and exchange.succeeded and isinstance(answer, dict):
            answer.update({key: value for key, value in original.items() if key in answer})
            exchange.set_answer_json(answer)


class RacyUniqueness(Fault):
    """Check that the number is new, then insert it tens of milliseconds later: two adds of one
    number arriving together both pass the check, and both are acknowledged."""

    WINDOW_SECONDS = 0.03

    def __init__(self) -> None:
        self.seen: set[str] = set()
        self.records: dict[str, dict[str, Any]] = {}
        self.ids = itertools.count(10**7)

    async def before_async(self, exchange: Exchange) -> None:
        sent = exchange.sent_json()
        if not (exchange.is_("add") and isinstance(sent, dict) and isinstance(sent.get("number"), str)):
            return
        if sent["number"] in self.seen:
            return  # the check sees it: the mock answers 409
        await asyncio.sleep(self.WINDOW_SECONDS)
        self.seen.add(sent["number"])
        exchange.notes["passed_check"] = True

    def after(self, exchange: Exchange) -> None:
        sent, answer = exchange.sent_json(), exchange.answer_json()
        if not exchange.notes.get("passed_check"):
            return
        if exchange.succeeded and isinstance(answer, dict):
            self.records[sent["number"]] = answer
        elif exchange.status == 409 and sent["number"] in self.records:
            # The second insert of the race "succeeds" too: the same record, an id of its own.
            exchange.status = 201
            exchange.set_answer_json({**self.records[sent["number"]], "id": next(self.ids)})


class RacyIds(Fault):
    """Read the next id, then write it back tens of milliseconds later: adds that arrive
    together get the same id."""

    WINDOW_SECONDS = 0.02

    def __init__(self) -> None:
        self.next_id = 5 * 10**6

    async def before_async(self, exchange: Exchange) -> None:
        if exchange.is_("add"):
            exchange.notes["id"] = self.next_id
            await asyncio.sleep(self.WINDOW_SECONDS)
            self.next_id = exchange.notes["id"] + 1

    def after(self, exchange: Exchange) -> None:
        answer = exchange.answer_json()
        if exchange.is_("add") and exchange.succeeded and isinstance(answer, dict):
            exchange.set_answer_json({**answer, "id": exchange.notes["id"]})


class LooseToken(Fault):
    """Let a presented Authorization value through when `matches(value, token)` says so, as a
    partial or lenient comparison would (a missing header is still refused)."""

    def __init__(self, token: str, matches: Callable[[str, str], bool]) -> None:
        self.token, self.matches = token, matches

    def before(self, exchange: Exchange) -> None:
        values = [value.decode("latin-1") for key, value in exchange.request_headers
                  if key.lower() == b"authorization"]
        if values and any(self.matches(value, self.token) for value in values):
            exchange.set_request_header(b"authorization", self.token.encode("latin-1"))


class RefusedEditKeepsItsComment(Fault):
    """An edit checked field by field, each stored as it passes: an edit refused for another
    field has already stored its comment. The stored comment is kept here and shown wherever
    the record is answered, until an accepted edit sends another or the number is deleted."""

    def __init__(self) -> None:
        edit = bundled_facts().operations[bundled_facts().lifecycle.edit or ""]
        self.longest = edit.request_properties["comment"]["maxLength"]
        self.comments: dict[int, str] = {}

    def after(self, exchange: Exchange) -> None:
        sent, record_id = exchange.sent_json(), exchange.path_id
        key = int(record_id) if record_id is not None and record_id.isdigit() else None
        if exchange.is_("edit") and key is not None and isinstance(sent, dict):
            comment = sent.get("comment")
            if exchange.status in (400, 422) and isinstance(comment, str) and comment.isprintable() \
                    and len(comment) <= self.longest:
                self.comments[key] = comment
            elif exchange.succeeded and "comment" in sent:
                self.comments.pop(key, None)
        if exchange.is_("delete") and exchange.succeeded and key is not None:
            self.comments.pop(key, None)
        if self.comments and exchange.succeeded and any(exchange.is_(role) for role in ("read", "edit", "listing")):
            answer = exchange.answer_json()
            records = [record for record in (answer if isinstance(answer, list) else [answer])
                       if isinstance(record, dict) and record.get("id") in self.comments]
            for record in records:
                record["comment"] = self.comments[record["id"]]
            if records:
                exchange.set_answer_json(answer)
