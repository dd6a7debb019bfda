"""Faults that only a model of the contract finds (for the self-test only): each is right on
every single request a test writes down, and wrong after a sequence nobody wrote (a refused
request, then a valid one; a delete, then an add; an edit, then a listing by type), under
requests sent at once, or in what an answer about another account's object tells. Beside them,
freedoms a conforming server has that the model must allow."""

from __future__ import annotations

import asyncio
import secrets
from typing import Any

from tests.selftest.account_faults import KnowsAccounts, token_of
from tests.selftest.faults import Exchange, Fault
from tests.selftest.lifecycle_faults import Remembers
from vpbx_mock.operations import operations


# The mock's own words for a number not offered (vpbx_mock.app): a fault that refuses in other
# words would tell held numbers apart from numbers nobody offers.
_NOT_OFFERED = "The number {} is not offered for connection (see GET /numbers/def-virtual-number-capacity)."


def _valid_add(exchange: Exchange, sent: Any) -> bool:
    """An add the mock would carry out but for the offer: its media type and body are valid (a
    refusal for the offer comes after those, as on the mock)."""
    media = (exchange.request_header(b"content-type") or b"").split(b";")[0].strip().lower()
    return media == b"application/json" and isinstance(sent, dict) \
        and operations()["addMobileNumber"].body_error(sent) is None


def _error(code: str, message: str, field: str | None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "field": field}}


class KeepsEmployeeAfterPurposeChange(Remembers):
    """An edit away from `employee` answers `employee_id: null` but the record keeps the
    employee: later reads and listings show it (D25, D27)."""

    def __init__(self) -> None:
        super().__init__()
        self.employee: dict[int, int] = {}

    def after(self, exchange: Exchange) -> None:
        record_id = exchange.path_id
        sent = exchange.sent_json()
        if exchange.is_("edit") and exchange.succeeded and record_id and record_id.isdigit() and isinstance(sent, dict):
            if sent.get("purpose") == "employee" and isinstance(sent.get("employee_id"), int):
                self.employee[int(record_id)] = sent["employee_id"]
        if exchange.is_("delete") and exchange.succeeded and record_id and record_id.isdigit():
            self.employee.pop(int(record_id), None)
        answer = exchange.answer_json()
        if exchange.succeeded and (exchange.is_("read") or exchange.is_("listing")):
            items = answer if isinstance(answer, list) else [answer]
            for item in items:
                if isinstance(item, dict) and item.get("employee_id") is None and item.get("id") in self.employee:
                    item["employee_id"] = self.employee[item["id"]]
            exchange.set_answer_json(answer)


class TypeFilterDropsEmployees(Fault):
    """The listing filtered by type leaves out the numbers whose purpose is `employee` (a join on
    the wrong table); the unfiltered listing is right (D22)."""

    def after(self, exchange: Exchange) -> None:
        answer = exchange.answer_json()
        if exchange.is_("listing") and exchange.succeeded and "type=" in exchange.query and isinstance(answer, list):
            exchange.set_answer_json([item for item in answer
                                      if not (isinstance(item, dict) and item.get("purpose") == "employee")])


class DeletesAtOnceBothSucceed(Fault):
    """Two deletes of one id that overlap are both answered 200 (the second is not told the first
    won), though one after another the second is 404 (D24)."""

    def __init__(self) -> None:
        self.in_flight: dict[str, asyncio.Event] = {}

    async def before_async(self, exchange: Exchange) -> None:
        record_id = exchange.path_id
        if not (exchange.is_("delete") and record_id and record_id.isdigit()):
            return
        if record_id in self.in_flight:
            await self.in_flight[record_id].wait()
            exchange.respond(200, {"id": int(record_id)})
            return
        self.in_flight[record_id] = asyncio.Event()
        exchange.notes["delete"] = record_id
        await asyncio.sleep(0.05)  # a slow storage call: the window another request lands in

    def after(self, exchange: Exchange) -> None:
        record_id = exchange.notes.get("delete")
        if record_id is not None:
            self.in_flight.pop(record_id).set()


class CrossAccountAddsAtOnceBothSucceed(KnowsAccounts):
    """Two accounts adding one number at once both get 201: the second account's record is
    never stored (D34, D35, D11: a number is on one account)."""

    def __init__(self) -> None:
        super().__init__()
        self.in_flight: dict[str, tuple[bytes, asyncio.Event]] = {}
        self.answers: dict[str, dict[str, Any]] = {}

    async def before_async(self, exchange: Exchange) -> None:
        sent = exchange.sent_json()
        if not (exchange.is_("add") and isinstance(sent, dict) and isinstance(sent.get("number"), str)):
            return
        number, token = sent["number"], token_of(exchange)
        if number in self.in_flight and self.in_flight[number][0] != token:
            await self.in_flight[number][1].wait()
            first = self.answers.get(number)
            if first is not None:
                exchange.respond(201, {**first, "id": first["id"] + 10**6})
                return
        if number not in self.in_flight:
            self.in_flight[number] = (token, asyncio.Event())
            exchange.notes["add"] = number
            await asyncio.sleep(0.05)

    def after(self, exchange: Exchange) -> None:
        number = exchange.notes.get("add")
        if number is not None:
            answer = exchange.answer_json()
            if exchange.succeeded and isinstance(answer, dict):
                self.answers[number] = answer
            self.in_flight.pop(number)[1].set()
        self.learn(exchange)


class ForeignIdGetsItsOwnCode(KnowsAccounts):
    """404 for another account's id, as for an unknown one, but with the error code `not_owned`:
    the code tells that the id exists (D32)."""

    def after(self, exchange: Exchange) -> None:
        if exchange.status == 404 and self.of_another(exchange) is not None:
            answer = exchange.answer_json()
            if isinstance(answer, dict) and isinstance(answer.get("error"), dict):
                exchange.set_answer_json({"error": {**answer["error"], "code": "not_owned"}})
        self.learn(exchange)


class HeldNumberRefusedInOtherWords(KnowsAccounts):
    """An add of a number another account holds is refused 422 as one not offered, but in other
    words: "already connected" tells that someone holds it (D35)."""

    def after(self, exchange: Exchange) -> None:
        sent = exchange.sent_json()
        if exchange.is_("add") and exchange.status == 422 and isinstance(sent, dict):
            record_id = self.numbers.get(sent.get("number"))  # type: ignore[arg-type]
            if record_id is not None and self.holder.get(record_id) != token_of(exchange):
                exchange.set_answer_json(_error("number_not_connectable",
                                                f"The number {sent['number']} is already connected.", "number"))
        self.learn(exchange)


# --- freedoms -----------------------------------------------------------------------------------


class ProvisionsOnFirstRead(Fault):
    """Conforming (D23 amended): a number is `activation` when added and `active` from its first
    read on, as a real number is provisioned."""

    def __init__(self) -> None:
        self.provisioned: set[int] = set()

    def after(self, exchange: Exchange) -> None:
        if not exchange.succeeded or not any(exchange.is_(role) for role in ("read", "listing")):
            return
        answer = exchange.answer_json()
        items = answer if isinstance(answer, list) else [answer]
        for item in items:
            if isinstance(item, dict) and isinstance(item.get("id"), int):
                if item["id"] in self.provisioned or exchange.is_("read"):
                    item["state"] = "active"
                    self.provisioned.add(item["id"])
        exchange.set_answer_json(answer)


class ErrorsOfItsOwn(Fault):
    """Conforming (D10): error bodies of its own shape and words, each with a request id that
    differs from one answer to the next."""

    def after(self, exchange: Exchange) -> None:
        answer = exchange.answer_json()
        if exchange.status >= 400 and isinstance(answer, dict) and isinstance(answer.get("error"), dict):
            error = answer["error"]
            exchange.set_answer_json({"status": exchange.status, "title": str(error.get("code", "")).upper(),
                                      "detail": f"Sorry: {error.get('message', '')}",
                                      "request_id": secrets.token_hex(8)})


class OffersDifferPerAccount(Fault):
    """Conforming (D20, D34): the second account is offered only the numbers that end in an even
    digit; an add of another number by it is refused 422, as any number not offered is."""

    def __init__(self, main_token: str) -> None:
        self.main = main_token.encode()
        self.others: set[bytes] = set()  # tokens of the second account, known once answered (valid)

    @staticmethod
    def _even(number: Any) -> bool:
        return isinstance(number, str) and number[-1:].isdigit() and int(number[-1]) % 2 == 0

    def before(self, exchange: Exchange) -> None:
        sent = exchange.sent_json()
        if exchange.is_("add") and token_of(exchange) in self.others and _valid_add(exchange, sent) \
                and not self._even(sent["number"]):
            exchange.respond(422, _error("number_not_connectable", _NOT_OFFERED.format(sent["number"]), "number"))

    def after(self, exchange: Exchange) -> None:
        if exchange.succeeded and token_of(exchange) != self.main:
            self.others.add(token_of(exchange))
        answer = exchange.answer_json()
        if exchange.is_("connectable") and exchange.succeeded and token_of(exchange) != self.main \
                and isinstance(answer, list):
            exchange.set_answer_json([item for item in answer if isinstance(item, dict)
                                      and self._even(item.get("number"))])
