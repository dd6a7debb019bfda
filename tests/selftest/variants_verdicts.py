"""Variants of issue "verdicts you can trust": broken ones a run that checks too little misses
(a first page for a listing, a number that cannot come back, a look-alike purpose on the edit,
a null unknown property, one region that breaks, a listing of connectable numbers outside the
schema, 501 to a method the API implements), and conforming ones a run must pass completely
(a 25-number account, 411 to a body without Content-Length, 501 to a method implemented on no
path, answers compressed with gzip, listings newest first)."""

from __future__ import annotations

from typing import Any

from tests.selftest.faults import LooseValidation, MapStatus
from tests.selftest.variant import CONFORMING, Variant
from tests.selftest.verdict_faults import (ConnectableOutsideTheEnum, DeletedNumbersCannotComeBack, FirstPageOnly,
                                           GzipWhenAsked, LengthRequired, ListingsNewestFirst,
                                           NotImplementedMethods, ServerErrorForOneRegion)
from vpbx_numbering import area_codes_by_population
from vpbx_suite.contract import bundled_facts
from vpbx_suite.domain_checks import latin_skeleton

FACTS = bundled_facts()
ADD = FACTS.operations[FACTS.lifecycle.add or ""]
EDIT = FACTS.operations[FACTS.lifecycle.edit or ""]
Body = dict[str, Any]
# The fifteenth region by population: a short run reaches it, a run of one area code does not.
FIFTEENTH_REGION = area_codes_by_population()[14]


def _lookalike_purpose(body: Body) -> bool:
    purpose = body.get("purpose")
    return (isinstance(purpose, str) and not purpose.isascii() and "employee_id" not in body
            and latin_skeleton(purpose) in EDIT.enum_request_properties["purpose"])


def _null_unknown(body: Body) -> bool:
    return any(name not in ADD.request_properties and value is None for name, value in body.items())


def verdict_variants() -> list[Variant]:
    kind = "verdicts"
    return [
        Variant("listing answers its first page only (20)", kind, lambda token: [FirstPageOnly(20)], decisions=("D22",)),
        Variant("a deleted number cannot be added again", kind, lambda token: [DeletedNumbersCannotComeBack()], decisions=("D21",)),
        Variant("edit accepts a Cyrillic look-alike purpose", kind, lambda token: [LooseValidation(
            _lookalike_purpose, lambda b: {**b, "purpose": latin_skeleton(b["purpose"])}, role="edit",
            echo_original=False)], decisions=("D1", "D27")),
        Variant("add accepts unknown properties whose value is null", kind, lambda token: [LooseValidation(
            _null_unknown, lambda b: {k: v for k, v in b.items() if k in ADD.request_properties})], decisions=("D12",)),
        Variant(f"add answers 500 for city numbers of one region ({FIFTEENTH_REGION})", kind,
                lambda token: [ServerErrorForOneRegion(FIFTEENTH_REGION)], decisions=("D10",)),
        Variant("connectable listing outside the schema (a precondition)", kind,
                lambda token: [ConnectableOutsideTheEnum()], decisions=("D2", "D20")),
        # 501 is for a method implemented on no path; GET, PUT, DELETE and POST are implemented.
        Variant("501 instead of 405 for a method another path implements", kind, lambda token: [MapStatus(405, 501)], decisions=("D10",)),
    ]


def conforming_verdict_variants() -> list[Variant]:
    return [
        Variant("a small account: 25 connectable numbers", CONFORMING, lambda token: [], connectable="25"),
        Variant("411 to a body sent without Content-Length", CONFORMING, lambda token: [LengthRequired()]),
        Variant("501 to methods implemented on no path", CONFORMING, lambda token: [NotImplementedMethods()]),
        Variant("answers compressed with gzip when asked", CONFORMING, lambda token: [GzipWhenAsked()]),
        Variant("listings newest first", CONFORMING, lambda token: [ListingsNewestFirst()]),
    ]
