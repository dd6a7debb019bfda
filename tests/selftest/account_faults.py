"""Faults of accounts (for the self-test only): each way a real server leaks a number of one
account to another (OWASP API1, broken object-level authorization), and per-account ids, which
the contract allows (D36).

The faults learn from the traffic which account (token) added which id and number; the
variants' mock serves two accounts (tests/selftest/server.py).
"""

from __future__ import annotations

import json
import re
from typing import Any

from tests.selftest.faults import Exchange, Fault

Record = dict[str, Any]
_ID_IN_PATH = re.compile(r"/(\d+)$")


def token_of(exchange: Exchange) -> bytes:
    value = (exchange.request_header(b"authorization") or b"").strip()
    return value[7:].strip() if value.lower().startswith(b"bearer ") else value


class KnowsAccounts(Fault):
    """Remembers which token holds which id and number, with the last record seen."""

    def __init__(self) -> None:
        self.holder: dict[int, bytes] = {}     # id -> token
        self.records: dict[int, Record] = {}   # id -> last record
        self.numbers: dict[str, int] = {}      # number -> id

    def path_id(self, exchange: Exchange) -> int | None:
        value = exchange.path_id
        return int(value) if value and value.isascii() and value.isdigit() else None

    def of_another(self, exchange: Exchange) -> int | None:
        """The path's id, when another account holds it."""
        record_id = self.path_id(exchange)
        holder = self.holder.get(record_id) if record_id is not None else None
        return record_id if holder is not None and holder != token_of(exchange) else None

    def learn(self, exchange: Exchange) -> None:
        answer = exchange.answer_json()
        if not exchange.succeeded:
            return
        if exchange.is_("delete"):
            record_id = self.path_id(exchange)
            record = self.records.pop(record_id, None) if record_id is not None else None
            self.holder.pop(record_id, None)  # type: ignore[arg-type]
            if record:
                self.numbers.pop(record.get("number"), None)
            return
        items = answer if isinstance(answer, list) else [answer]
        for item in items:
            if isinstance(item, dict) and isinstance(item.get("id"), int) and (
                    exchange.is_("add") or exchange.is_("read") or exchange.is_("listing") or exchange.is_("edit")):
                if exchange.is_("add"):
                    self.holder[item["id"]] = token_of(exchange)
                if item["id"] in self.holder:
                    self.records[item["id"]] = {**self.records.get(item["id"], {}), **item}
                    if "number" in item:
                        self.numbers[item["number"]] = item["id"]

    def after(self, exchange: Exchange) -> None:
        self.learn(exchange)


class IgnoresAccount(KnowsAccounts):
    """Reads (or edits, or deletes) an id whatever account asks: the holder's token is used."""

    def __init__(self, role: str) -> None:
        super().__init__()
        self.role = role

    def before(self, exchange: Exchange) -> None:
        record_id = self.of_another(exchange)
        if exchange.is_(self.role) and record_id is not None:
            exchange.set_request_header(b"authorization", self.holder[record_id])


class ListsEveryAccount(KnowsAccounts):
    """The listing shows every account's numbers."""

    def after(self, exchange: Exchange) -> None:
        answer = exchange.answer_json()
        if exchange.is_("listing") and exchange.succeeded and isinstance(answer, list):
            mine = {item.get("id") for item in answer if isinstance(item, dict)}
            others = [record for record_id, record in self.records.items()
                      if record_id not in mine and self.holder.get(record_id) != token_of(exchange)]
            exchange.set_answer_json(answer + others)
        self.learn(exchange)


class ForbiddenForOthers(KnowsAccounts):
    """403 for an id another account holds, 404 for one nobody holds: an existence oracle."""

    def before(self, exchange: Exchange) -> None:
        if any(exchange.is_(role) for role in ("read", "edit", "delete")) and self.of_another(exchange) is not None:
            exchange.respond(403, {"error": {"code": "forbidden", "message": "Not your number.", "field": "id"}})


class QuotesTheRecord(KnowsAccounts):
    """404 for another account's id, with its record in the message (a debugging leftover)."""

    def after(self, exchange: Exchange) -> None:
        record_id = self.of_another(exchange)
        if exchange.status == 404 and record_id is not None and record_id in self.records:
            record = self.records[record_id]
            exchange.set_answer_json({"error": {"code": "not_found", "field": "id", "message":
                                                f"No virtual number with id {record_id} on this account "
                                                f"(held elsewhere: {json.dumps(record, ensure_ascii=False)})"}})
        self.learn(exchange)


class OffersHeldNumbers(KnowsAccounts):
    """The connectable listing offers numbers other accounts hold."""

    def after(self, exchange: Exchange) -> None:
        answer = exchange.answer_json()
        if exchange.is_("connectable") and exchange.succeeded and isinstance(answer, list):
            offered = {item.get("number") for item in answer if isinstance(item, dict)}
            held = [{"id": record["number"], "number": record["number"], "dgn_number": record.get("dgn_number", ""),
                     "state": "active"} for record_id, record in self.records.items()
                    if self.holder.get(record_id) != token_of(exchange) and record.get("number") not in offered]
            exchange.set_answer_json(answer + held)
        self.learn(exchange)


class TakesHeldNumbers(KnowsAccounts):
    """An add of a number another account holds succeeds (two accounts hold one number)."""

    def __init__(self) -> None:
        super().__init__()
        self.next_id = 5 * 10**8

    def before(self, exchange: Exchange) -> None:
        sent = exchange.sent_json()
        if not (exchange.is_("add") and isinstance(sent, dict)):
            return
        record_id = self.numbers.get(sent.get("number"))  # type: ignore[arg-type]
        if record_id is not None and self.holder.get(record_id) != token_of(exchange):
            self.next_id += 1
            exchange.respond(201, {**self.records[record_id], **{k: sent.get(k) for k in
                                   ("number", "dgn_number", "purpose", "type")}, "comment": sent.get("comment"),
                                   "id": self.next_id})


class ConflictForHeldNumbers(KnowsAccounts):
    """409 for a number another account holds, 422 for one nobody offers: an existence oracle."""

    def after(self, exchange: Exchange) -> None:
        sent = exchange.sent_json()
        if exchange.is_("add") and exchange.status == 422 and isinstance(sent, dict):
            record_id = self.numbers.get(sent.get("number"))  # type: ignore[arg-type]
            if record_id is not None and self.holder.get(record_id) != token_of(exchange):
                exchange.status = 409
                exchange.set_answer_json({"error": {"code": "duplicate_number", "field": "number",
                                                    "message": "The number is already connected."}})
        self.learn(exchange)


class PerAccountIds(Fault):
    """Conforming: each account numbers its own records 1, 2, 3… (D36). Ids are translated on
    the way in (path, and the edit body's id) and on the way out (every record's id)."""

    def __init__(self) -> None:
        self.to_global: dict[bytes, dict[int, int]] = {}
        self.to_local: dict[bytes, dict[int, int]] = {}

    def _local(self, token: bytes, global_id: int) -> int:
        locals_ = self.to_local.setdefault(token, {})
        if global_id not in locals_:
            locals_[global_id] = len(locals_) + 1
            self.to_global.setdefault(token, {})[locals_[global_id]] = global_id
        return locals_[global_id]

    def before(self, exchange: Exchange) -> None:
        match = _ID_IN_PATH.search(exchange.path)
        if not match or not any(exchange.is_(role) for role in ("read", "edit", "delete")):
            return
        local = int(match.group(1))
        # An id the account does not have addresses nothing: one no account has either (and one
        # the mock can still read as an id: a huge one stays as it is).
        global_id = self.to_global.get(token_of(exchange), {}).get(local, local if local > 10**12 else 10**15 + local)
        exchange.path = exchange.path[: match.start(1)] + str(global_id)
        exchange.notes["ids"] = (str(global_id), str(local))
        sent = exchange.sent_json()
        if exchange.is_("edit") and isinstance(sent, dict) and sent.get("id") == local:
            exchange.set_request_json({**sent, "id": global_id})

    def after(self, exchange: Exchange) -> None:
        if "ids" in exchange.notes and not exchange.succeeded:
            # An error names the id the caller sent, never the one behind it.
            global_id, local = exchange.notes["ids"]
            exchange.set_answer(exchange.response_body.replace(global_id.encode(), local.encode()))
        if not exchange.succeeded or not any(exchange.is_(role) for role in
                                             ("add", "read", "listing", "edit", "delete")):
            return
        token, answer = token_of(exchange), exchange.answer_json()
        if isinstance(answer, dict) and isinstance(answer.get("id"), int):
            exchange.set_answer_json({**answer, "id": self._local(token, answer["id"])})
        elif isinstance(answer, list):
            exchange.set_answer_json([{**item, "id": self._local(token, item["id"])}
                                      if isinstance(item, dict) and isinstance(item.get("id"), int) else item
                                      for item in answer])
