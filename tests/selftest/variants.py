"""The catalog of server variants the self-test runs the contract suite against.

Conforming variants do what the contract allows in ways the bundled mock does not; the
suite must pass them. Broken variants each break one rule; the suite must fail them.
To add a variant, append a Variant to CATALOG with the faults (tests/selftest/faults.py)
that make it; `make selftest` picks it up.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.selftest.faults import (
    AcceptDuplicates,
    AcceptMissingToken,
    AcceptWrongToken,
    Fault,
    LooseValidation,
    MapStatus,
    Record,
    RewriteRecord,
    ServerErrorOnMalformedJson,
    ServerErrorOnValidInput,
    SuccessContentType,
    WrongTokenForbidden,
)
from tests.selftest.variant import CONFORMING, Variant
from tests.selftest.variants_accepted import accepted_variants
from tests.selftest.variants_edges import edge_variants
from tests.selftest.variants_lifecycle import conforming_edge_variants, lifecycle_variants
from tests.selftest.variants_patience import conforming_patience_variants, patience_variants
from tests.selftest.variants_accounts import account_variants, conforming_account_variants
from tests.selftest.variants_model import conforming_model_variants, model_variants
from tests.selftest.variants_verdicts import conforming_verdict_variants, verdict_variants
from vpbx_suite.contract import bundled_facts
from vpbx_suite.domain_checks import cyrillic_lookalike
from vpbx_spec.document import bundled_document

ADD_FACTS = bundled_facts().operations[bundled_facts().lifecycle.add or ""]
COMMENT_MAX = ADD_FACTS.request_properties["comment"]["maxLength"]


def _faults(*faults: Fault) -> Callable[[str], list[Fault]]:
    return lambda token: list(faults)


def _record(change: Callable[[Record], Any]) -> Callable[[str], list[Fault]]:
    """A fault that changes each successful record in place (fresh per server)."""
    def rewrite(record: Record, sent: Any) -> Record:
        change(record)
        return record
    return lambda token: [RewriteRecord(rewrite)]


def _loose(applies: Callable[[dict[str, Any]], bool],
           repair: Callable[[dict[str, Any]], dict[str, Any]]) -> Callable[[str], list[Fault]]:
    return lambda token: [LooseValidation(applies, repair)]


# Every nullable field a client cannot set (comment and employee_id follow the requests).
FILLED_NULLABLE = {
    "scenario_id": 779, "group_scenario_id": 12, "group_id": 3, "is_scenario_active": True,
    "is_group_scenario_active": False, "reason": "number moved from another account",
    "from_redirect_numbers": [{"id": 678, "number": "78001234567"}],
    "region_name": "г. Москва", "sip_uri": "sip:100@pbx.example", "redirect_number": "79161234567",
    "nc_type": "custom+fmc", "app_id": 1200054,
}


def _stable_state(record: Record) -> None:
    """A state of its own for each number, the same on every read (the record is one resource)."""
    states = bundled_facts().operations[bundled_facts().lifecycle.add or ""].response_enums["state"]
    record["state"] = states[record["id"] % len(states)]


def _conforming() -> list[Variant]:
    return [
        Variant("reference mock, 201", CONFORMING, _faults()),
        Variant("success answered 200", CONFORMING, _faults(MapStatus(201, 200))),
        Variant("invalid input answered 422", CONFORMING, _faults(MapStatus(400, 422))),
        Variant("wrong token answered 403", CONFORMING, lambda token: [WrongTokenForbidden()]),
        Variant("undocumented extra fields", CONFORMING,
                _record(lambda r: r.update(created_at="2026-11-26 10:00:00", nc_type="custom",
                                           internal={"shard": 3, "tags": ["a"]}))),
        Variant("every nullable field filled", CONFORMING, _record(lambda r: r.update(FILLED_NULLABLE))),
        Variant("every documented state", CONFORMING, _record(_stable_state)),
    ]


def _missing_field_decisions(name: str) -> tuple[str, ...]:
    """D5: every field the examples show is required; D7 and D8 say so of two of them again."""
    return {"region_name": ("D7", "D5"), "dgn_number": ("D8", "D5")}.get(name, ("D5",))


def _response_schema() -> list[Variant]:
    kind = "response schema"
    required = bundled_document()["components"]["schemas"]["VirtualNumber"]["required"]
    variants = [Variant(f"answer without {name}", kind, _record(lambda r, name=name: r.pop(name)), decisions=_missing_field_decisions(name))
                for name in required]
    variants += [
        Variant("integer as a string (id)", kind, _record(lambda r: r.update(id=str(r["id"]))), decisions=("D19",)),
        Variant("boolean as a string (is_scenario_active)", kind,
                _record(lambda r: r.update(is_scenario_active="false")), decisions=("D5",)),
        Variant("string as an integer (dgn_number)", kind,
                _record(lambda r: r.update(dgn_number=int(r["dgn_number"]))), decisions=("D8",)),
        Variant("array as an object (from_redirect_numbers)", kind,
                _record(lambda r: r.update(from_redirect_numbers={"id": 1, "number": "78001234567"})), decisions=("D5",)),
        Variant("array item as a string (from_redirect_numbers)", kind,
                _record(lambda r: r.update(from_redirect_numbers=["78001234567"])), decisions=("D5",)),
        Variant("null where not allowed (type)", kind, _record(lambda r: r.update(type=None)), decisions=("D5",)),
        Variant("null where not allowed (dgn_number)", kind, _record(lambda r: r.update(dgn_number=None)), decisions=("D8",)),
        Variant("enum value outside the set (state deleted)", kind,
                _record(lambda r: r.update(state="deleted")), decisions=("D2",)),
        Variant("enum value with a Cyrillic look-alike (purpose)", kind,
                _record(lambda r: r.update(purpose=cyrillic_lookalike(r["purpose"]))), decisions=("D1",)),
        Variant("id below 1", kind, _record(lambda r: r.update(id=0)), decisions=("D5",)),
    ]
    return variants


def _request_validation() -> list[Variant]:
    kind = "request validation"
    facts = bundled_facts().operations[bundled_facts().lifecycle.add or ""]
    variants = []
    for name, allowed in facts.enum_request_properties.items():
        for value in facts.response_enums[name]:
            if value not in allowed:
                variants.append(Variant(
                    f"accepts {name} {value}", kind,
                    _loose(lambda b, n=name, v=value: b.get(n) == v,
                           lambda b, n=name, a=allowed[0]: {**b, n: a}), decisions=("D17",)))
    lookalike = cyrillic_lookalike("company")
    variants += [
        Variant(f"accepts purpose {ascii(lookalike)}", kind,
                _loose(lambda b: b.get("purpose") == lookalike, lambda b: {**b, "purpose": "company"}), decisions=("D1",)),
        Variant("accepts a missing dgn_number", kind,
                _loose(lambda b: "dgn_number" not in b, lambda b: {**b, "dgn_number": "74950000000"}),
                # The invented ДГН is stored and answered: the echo (D13) shows it first.
                decisions=("D3", "D13")),
        Variant("accepts a number with +7", kind,
                _loose(lambda b: str(b.get("number", "")).startswith("+7"),
                       lambda b: {**b, "number": b["number"][1:]}), decisions=("D3",)),
        Variant("accepts an unknown property", kind,
                _loose(lambda b: bool(set(b) - set(facts.request_properties)),
                       lambda b: {k: v for k, v in b.items() if k in facts.request_properties}), decisions=("D12",)),
        Variant("accepts an over-long comment", kind,
                _loose(lambda b: isinstance(b.get("comment"), str) and len(b["comment"]) > COMMENT_MAX,
                       lambda b: {**b, "comment": b["comment"][:COMMENT_MAX]}), decisions=("D4",)),
    ]
    return variants


def _next_digit(number: str) -> str:
    return number[:-1] + str((int(number[-1]) + 1) % 10)


# What the HTML report must show as text, exactly, never as markup: elements, an event handler,
# a closing tag and a comment opener, NUL, a right-to-left override, Hebrew (right-to-left)
# letters, an entity and a template expression. Within the comment's 255 characters.
MARKUP_COMMENT = ('<script>document.title="injected"</script><img src=x onerror="document.title=\'injected\'">'
                  '</pre><!-- \x00 \u202eevil\u202c \u05e9\u05dc\u05d5\u05dd & &amp; {{ 7*7 }}')
# An undocumented answer field (which the contract allows) that makes each answer over 100 KiB.
LONG_NOTE = " ".join(f"{serial:06d}" for serial in range(14_630))


def _echo_markup() -> Callable[[str], list[Fault]]:
    def rewrite(record: Record, sent: Any) -> Record:
        return {**record, "comment": MARKUP_COMMENT, "note": LONG_NOTE}
    return lambda token: [RewriteRecord(rewrite, roles=("add",))]


def _semantics() -> list[Variant]:
    kind = "semantics"
    other_purpose = {"company": "not_specified", "not_specified": "company"}
    return [
        Variant("echoes another number", kind, _record(lambda r: r.update(number=_next_digit(r["number"]))), decisions=("D13",)),
        Variant("echoes another comment", kind,
                _record(lambda r: r.update(comment=(r["comment"] or "") + " (edited)")), decisions=("D13",)),
        Variant("echoes another purpose", kind,
                _record(lambda r: r.update(purpose=other_purpose[r["purpose"]])), decisions=("D13",)),
        # The echo check fails with the markup in its message and in the answer it quotes.
        Variant("echoes markup in comment", kind, _echo_markup(), decisions=("D13",)),
        Variant("reuses an id", kind, _record(lambda r: r.update(id=1)), decisions=("D36",)),
        Variant("accepts a duplicate number", kind, lambda token: [AcceptDuplicates()], decisions=("D11",)),
    ]


def _transport() -> list[Variant]:
    kind = "transport"
    return [
        Variant("text/plain on success", kind, _faults(SuccessContentType(b"text/plain; charset=utf-8")), decisions=("D18",)),
        Variant("2xx with an error body", kind, _faults(MapStatus(400, 200)), decisions=("D10",)),
        Variant("5xx on some valid input", kind, lambda token: [ServerErrorOnValidInput()], decisions=("D10",)),
        Variant("5xx on malformed JSON", kind, lambda token: [ServerErrorOnMalformedJson()], decisions=("D10", "D18")),
        Variant("undocumented status 202", kind, _faults(MapStatus(201, 202)), decisions=("D9",)),
    ]


def _auth() -> list[Variant]:
    kind = "auth"
    return [
        Variant("accepts a missing token", kind, lambda token: [AcceptMissingToken(token)], decisions=("D14",)),
        # The second account's token is "wrong" for this fault too: it reaches the first account (D31, D33).
        Variant("accepts a wrong token", kind, lambda token: [AcceptWrongToken(token)], decisions=("D14", "D31", "D33")),
    ]


CATALOG: list[Variant] = [*_conforming(), *conforming_edge_variants(), *conforming_verdict_variants(),
                          *conforming_account_variants(), *conforming_model_variants(),
                          *conforming_patience_variants(), *_response_schema(), *_request_validation(),
                          *_semantics(), *_transport(), *_auth(), *edge_variants(), *lifecycle_variants(),
                          *verdict_variants(), *account_variants(), *model_variants(), *accepted_variants(),
                          *patience_variants()]
