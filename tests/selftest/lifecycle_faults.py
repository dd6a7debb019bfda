"""Faults in the life of a number (for the self-test only): what a server acknowledges is not
what it stores, reads back or lists; ids come back; listings lie.

Several faults remember the records the mock answered (by id) to play their part.
"""

from __future__ import annotations

import asyncio
import random
from typing import Any

from tests.selftest.faults import Exchange, Fault

Record = dict[str, Any]


class Remembers(Fault):
    """Keeps the last record seen for each id (from adds, reads and edits)."""

    def __init__(self) -> None:
        self.records: dict[int, Record] = {}

    def remember(self, exchange: Exchange) -> None:
        answer = exchange.answer_json()
        if exchange.succeeded and isinstance(answer, dict) and isinstance(answer.get("id"), int):
            if exchange.is_("add") or exchange.is_("read"):
                self.records[answer["id"]] = dict(answer)
            elif exchange.is_("edit"):
                self.records.setdefault(answer["id"], {}).update(answer)


class EditNotStored(Remembers):
    """Acknowledges an edit with the echo it expects, and never stores it."""

    def before(self, exchange: Exchange) -> None:
        sent = exchange.sent_json()
        if exchange.is_("edit") and isinstance(sent, dict) and sent.get("purpose") in ("company", "not_specified",
                                                                                        "employee"):
            exchange.respond(200, {"id": sent.get("id"), "purpose": sent["purpose"],
                                   "employee_id": sent.get("employee_id"), "comment": sent.get("comment")})


class DeleteAnsweredButKept(Fault):
    """A delete answers 200 without forwarding it, for ids the run has not deleted before."""

    def __init__(self) -> None:
        self.acknowledged: set[str] = set()

    def before(self, exchange: Exchange) -> None:
        record_id = exchange.path_id
        if exchange.is_("delete") and record_id and record_id.isdigit() and record_id not in self.acknowledged:
            self.acknowledged.add(record_id)
            exchange.respond(200, {"id": int(record_id)})


class DeletedStillListed(Remembers):
    """Deletes, but the listing keeps showing the deleted records."""

    def __init__(self) -> None:
        super().__init__()
        self.ghosts: list[int] = []

    def after(self, exchange: Exchange) -> None:
        self.remember(exchange)
        if exchange.is_("delete") and exchange.succeeded and (exchange.path_id or "").isdigit():
            self.ghosts.append(int(exchange.path_id or 0))
        answer = exchange.answer_json()
        if exchange.is_("listing") and exchange.succeeded and isinstance(answer, list):
            answer += [self.records[ghost] for ghost in self.ghosts if ghost in self.records]
            exchange.set_answer_json(answer)


class ReusesDeletedIds(Fault):
    """Gives a deleted number's id to the next number added (ids as shown to clients)."""

    def __init__(self) -> None:
        self.free: list[int] = []
        self.public_of: dict[int, int] = {}  # the mock's id -> the id shown
        self.real_of: dict[int, int] = {}

    def before(self, exchange: Exchange) -> None:
        record_id = exchange.path_id
        if record_id and record_id.isdigit() and int(record_id) in self.real_of:
            real = self.real_of[int(record_id)]
            exchange.path = exchange.path.rsplit("/", 1)[0] + f"/{real}"
            exchange.notes["path_id"] = int(record_id)
            sent = exchange.sent_json()
            if isinstance(sent, dict) and sent.get("id") == int(record_id):
                exchange.set_request_json({**sent, "id": real})

    def _show(self, item: Any) -> Any:
        if isinstance(item, dict) and isinstance(item.get("id"), int):
            return {**item, "id": self.public_of.get(item["id"], item["id"])}
        return item

    def after(self, exchange: Exchange) -> None:
        answer = exchange.answer_json()
        if exchange.is_("add") and exchange.succeeded and isinstance(answer, dict) and self.free:
            public = self.free.pop()
            self.public_of[answer["id"]], self.real_of[public] = public, answer["id"]
        if exchange.is_("delete") and exchange.succeeded:
            self.free.append(exchange.notes.get("path_id") or int(exchange.path_id or 0))
        if exchange.succeeded and isinstance(answer, (dict, list)):
            shown = [self._show(i) for i in answer] if isinstance(answer, list) else self._show(answer)
            exchange.set_answer_json(shown)


class ListingIgnoresType(Fault):
    """The listing answers every number, whatever `type` asks for."""

    def before(self, exchange: Exchange) -> None:
        if exchange.is_("listing"):
            exchange.query = ""


class AddedStillConnectable(Remembers):
    """A number on the account is still offered by the connectable listing (D21)."""

    def after(self, exchange: Exchange) -> None:
        self.remember(exchange)
        answer = exchange.answer_json()
        if exchange.is_("connectable") and exchange.succeeded and isinstance(answer, list):
            answer += [{"id": r["number"], "number": r["number"], "dgn_number": r["dgn_number"], "state": "active"}
                       for r in list(self.records.values())[-5:]]
            exchange.set_answer_json(answer)


class DeletedNotConnectableAgain(Fault):
    """A deleted number never rejoins the connectable listing (D21)."""

    def __init__(self) -> None:
        self.numbers: dict[int, str] = {}
        self.gone: set[str] = set()

    def after(self, exchange: Exchange) -> None:
        answer = exchange.answer_json()
        if exchange.is_("add") and exchange.succeeded and isinstance(answer, dict):
            self.numbers[answer["id"]] = answer["number"]
        if exchange.is_("delete") and exchange.succeeded and (exchange.path_id or "").isdigit():
            self.gone.add(self.numbers.get(int(exchange.path_id or 0), ""))
        if exchange.is_("connectable") and exchange.succeeded and isinstance(answer, list):
            exchange.set_answer_json([item for item in answer if item.get("number") not in self.gone])


class EditKeepsBodyId(Fault):
    """Edits the number the body names, ignoring a different id in the path (D26)."""

    def before(self, exchange: Exchange) -> None:
        sent = exchange.sent_json()
        if exchange.is_("edit") and isinstance(sent, dict) and isinstance(sent.get("id"), int) \
                and exchange.path_id != str(sent["id"]):
            exchange.path = exchange.path.rsplit("/", 1)[0] + f"/{sent['id']}"


class EditClearsOmittedComment(Fault):
    """An edit without `comment` clears the stored one (D25 says it keeps it)."""

    def before(self, exchange: Exchange) -> None:
        sent = exchange.sent_json()
        if exchange.is_("edit") and isinstance(sent, dict) and "comment" not in sent:
            exchange.set_request_json({**sent, "comment": ""})


class EditKeepsEmployee(Fault):
    """Another purpose leaves the stored employee_id in place (D27 says it clears it)."""

    def __init__(self) -> None:
        self.employees: dict[str, int] = {}

    def after(self, exchange: Exchange) -> None:
        answer = exchange.answer_json()
        record_id = exchange.path_id or ""
        if exchange.is_("edit") and exchange.succeeded and isinstance(answer, dict):
            if answer.get("employee_id") is not None:
                self.employees[record_id] = answer["employee_id"]
            elif record_id in self.employees:
                answer["employee_id"] = self.employees[record_id]
                exchange.set_answer_json(answer)
        if exchange.is_("read") and exchange.succeeded and isinstance(answer, dict) and record_id in self.employees \
                and answer.get("employee_id") is None:
            answer["employee_id"] = self.employees[record_id]
            exchange.set_answer_json(answer)


class ReadBackDiffers(Fault):
    """A read answers the record with one field changed (here: the ДГН)."""

    def after(self, exchange: Exchange) -> None:
        answer = exchange.answer_json()
        if exchange.is_("read") and exchange.succeeded and isinstance(answer, dict):
            digits = answer["dgn_number"]
            answer["dgn_number"] = digits[:-1] + str((int(digits[-1]) + 1) % 10) if digits else "74950000000"
            exchange.set_answer_json(answer)


# --- conforming, at the edges of what the contract allows ---------------------------------

class LargeRandomIds(Fault):
    """Ids shown to clients are large random numbers (up to 2^53 - 1, D30), consistently everywhere."""

    def __init__(self, seed: int = 7) -> None:
        self.random = random.Random(seed)
        self.public_of: dict[int, int] = {}
        self.real_of: dict[int, int] = {}

    def _public(self, real: int) -> int:
        if real not in self.public_of:
            public = self.random.randrange(2**40, 2**53)
            self.public_of[real], self.real_of[public] = public, real
        return self.public_of[real]

    def before(self, exchange: Exchange) -> None:
        record_id = exchange.path_id
        if record_id and record_id.isdigit():
            real = self.real_of.get(int(record_id), 2**52 + int(record_id) % 2**51)  # unknown stays unknown
            exchange.path = exchange.path.rsplit("/", 1)[0] + f"/{real}"
            sent = exchange.sent_json()
            if isinstance(sent, dict) and sent.get("id") == int(record_id):
                exchange.set_request_json({**sent, "id": real})

    def _show(self, item: Any) -> Any:
        if isinstance(item, dict) and isinstance(item.get("id"), int):
            return {**item, "id": self._public(item["id"])}
        return item

    def after(self, exchange: Exchange) -> None:
        answer = exchange.answer_json()
        if exchange.succeeded and exchange.operation is not None and not exchange.is_("connectable"):
            if isinstance(answer, list):
                exchange.set_answer_json([self._show(item) for item in answer])
            elif isinstance(answer, dict):
                exchange.set_answer_json(self._show(answer))


class AnswerHeaders(Fault):
    """Adds or replaces answer headers (Connection: close, another Content-Type spelling)."""

    def __init__(self, headers: dict[bytes, bytes]) -> None:
        self.headers = headers

    def after(self, exchange: Exchange) -> None:
        names = {name.lower() for name in self.headers}
        exchange.response_headers = [(k, v) for k, v in exchange.response_headers if k.lower() not in names]
        exchange.response_headers += list(self.headers.items())


class OtherErrorShape(Fault):
    """Every error body is {"message": ..., "status": ...} instead of the mock's ErrorDetail."""

    def after(self, exchange: Exchange) -> None:
        answer = exchange.answer_json()
        if exchange.status >= 400 and isinstance(answer, dict) and isinstance(answer.get("error"), dict):
            exchange.set_answer_json({"message": answer["error"].get("message"), "status": exchange.status})


class ConflictShowsRecord(Remembers):
    """A duplicate add answers 409 with the stored record as its body."""

    def __init__(self) -> None:
        super().__init__()
        self.by_number: dict[str, Record] = {}

    def after(self, exchange: Exchange) -> None:
        answer, sent = exchange.answer_json(), exchange.sent_json()
        if exchange.is_("add") and exchange.succeeded and isinstance(answer, dict):
            self.by_number[answer["number"]] = answer
        if exchange.is_("add") and exchange.status == 409 and isinstance(sent, dict) \
                and sent.get("number") in self.by_number:
            exchange.set_answer_json(self.by_number[sent["number"]])


class Latency(Fault):
    """A few milliseconds before every answer."""

    def __init__(self, seconds: float = 0.004) -> None:
        self.seconds = seconds

    async def before_async(self, exchange: Exchange) -> None:
        await asyncio.sleep(self.seconds)


class EditAnswersWholeRecord(Remembers):
    """An edit answers the whole VirtualNumber, which D25 allows."""

    def after(self, exchange: Exchange) -> None:
        self.remember(exchange)
        answer = exchange.answer_json()
        if exchange.is_("edit") and exchange.succeeded and isinstance(answer, dict) \
                and answer.get("id") in self.records and "number" in self.records[answer["id"]]:
            exchange.set_answer_json({**self.records[answer["id"]], **answer})


class BadIdIsNotFound(Fault):
    """A path id that is not a positive integer answers 404 instead of 400 (D24 allows both)."""

    def after(self, exchange: Exchange) -> None:
        answer = exchange.answer_json()
        if exchange.status == 400 and isinstance(answer, dict) and (answer.get("error") or {}).get("field") == "id" \
                and not (exchange.path_id or "").isdigit():
            exchange.status = 404
