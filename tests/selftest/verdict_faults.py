"""Faults a verdict must not miss (for the self-test only): a listing that returns one page, a
number that cannot come back after its delete, a region that breaks the add, a connectable
listing that breaks the schema, 501 where 405 is due; and what a verdict must not punish, as
HTTP or the document allow it: 411 to a chunked body, 501 to a method implemented on no path,
answers compressed with gzip, listings in another order."""

from __future__ import annotations

import gzip

from tests.selftest.faults import Exchange, Fault

Record = dict


class FirstPageOnly(Fault):
    """The listing silently answers its first page only, as a paginated one without a cursor."""

    def __init__(self, page: int = 20) -> None:
        self.page = page

    def after(self, exchange: Exchange) -> None:
        answer = exchange.answer_json()
        if exchange.is_("listing") and exchange.succeeded and isinstance(answer, list):
            exchange.set_answer_json(answer[: self.page])


class DeletedNumbersCannotComeBack(Fault):
    """Refuses to add again a number that was deleted (an archived row still holds it), though
    the connectable listing offers it again."""

    def __init__(self) -> None:
        self.numbers: dict[int, str] = {}
        self.deleted: set[str] = set()

    def before(self, exchange: Exchange) -> None:
        sent = exchange.sent_json()
        if exchange.is_("add") and isinstance(sent, dict) and sent.get("number") in self.deleted:
            exchange.respond(422, {"error": {"code": "number_not_connectable", "message": "archived",
                                             "field": "number"}})

    def after(self, exchange: Exchange) -> None:
        answer = exchange.answer_json()
        if exchange.is_("add") and exchange.succeeded and isinstance(answer, dict):
            self.numbers[answer.get("id")] = answer.get("number")
        elif exchange.is_("delete") and exchange.succeeded and exchange.path_id and exchange.path_id.isdigit():
            number = self.numbers.get(int(exchange.path_id))
            if number:
                self.deleted.add(number)


class ServerErrorForOneRegion(Fault):
    """A 500 for adds whose city number is in one region (a region name its storage cannot take)."""

    def __init__(self, area_code: str) -> None:
        self.area_code = area_code

    def after(self, exchange: Exchange) -> None:
        sent = exchange.sent_json()
        if (exchange.is_("add") and exchange.succeeded and isinstance(sent, dict)
                and str(sent.get("dgn_number", "")).startswith(self.area_code)):
            exchange.status = 500
            exchange.set_answer_json({"error": {"code": "internal_error", "message": "region", "field": None}})


class ConnectableOutsideTheEnum(Fault):
    """The connectable listing answers a state outside the documented set for every number."""

    def after(self, exchange: Exchange) -> None:
        answer = exchange.answer_json()
        if exchange.is_("connectable") and exchange.succeeded and isinstance(answer, list):
            exchange.set_answer_json([{**item, "state": "reserved"} for item in answer if isinstance(item, dict)])


class LengthRequired(Fault):
    """411 Length Required for a body sent without Content-Length (RFC 9110 §15.5.12)."""

    def before(self, exchange: Exchange) -> None:
        chunked = (exchange.request_header(b"transfer-encoding") or b"").lower() == b"chunked"
        if chunked and exchange.request_header(b"content-length") is None:
            exchange.respond(411, {"error": {"code": "length_required", "message": "send Content-Length",
                                             "field": None}})


class NotImplementedMethods(Fault):
    """501 Not Implemented for a method the server implements on no path (RFC 9110 §9.1,
    §15.6.2), as many HTTP stacks answer TRACE, PATCH or QUERY; 405 stays for the others."""

    IMPLEMENTED = frozenset({"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS"})

    def before(self, exchange: Exchange) -> None:
        if exchange.method.upper() not in self.IMPLEMENTED:
            exchange.respond(501, {"error": {"code": "not_implemented", "message": f"{exchange.method} is not implemented",
                                             "field": None}})


class GzipWhenAsked(Fault):
    """Every answer compressed with gzip when the request accepts it (RFC 9110 §8.4, §12.5.3)."""

    def after(self, exchange: Exchange) -> None:
        accepted = (exchange.request_header(b"accept-encoding") or b"").lower()
        if b"gzip" in accepted and exchange.response_body:
            exchange.response_body = gzip.compress(exchange.response_body)
            exchange.response_headers += [(b"content-encoding", b"gzip"), (b"vary", b"Accept-Encoding")]


class ListingsNewestFirst(Fault):
    """Both listings in reverse order: the document promises no order."""

    def after(self, exchange: Exchange) -> None:
        answer = exchange.answer_json()
        if exchange.succeeded and isinstance(answer, list):
            exchange.set_answer_json(answer[::-1])
