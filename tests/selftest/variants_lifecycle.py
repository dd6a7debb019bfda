"""Variants of a number's life: broken ones the suite must fail (a write acknowledged but not
kept, ids reused, listings that lie), and conforming ones at the edges of what the contract
allows, which it must pass."""

from __future__ import annotations

from typing import Any

from tests.selftest.faults import Fault, LooseValidation
from tests.selftest.lifecycle_faults import (
    AddedStillConnectable,
    AnswerHeaders,
    BadIdIsNotFound,
    ConflictShowsRecord,
    DeleteAnsweredButKept,
    DeletedNotConnectableAgain,
    DeletedStillListed,
    EditAnswersWholeRecord,
    EditClearsOmittedComment,
    EditKeepsBodyId,
    EditKeepsEmployee,
    EditNotStored,
    LargeRandomIds,
    Latency,
    ListingIgnoresType,
    OtherErrorShape,
    ReadBackDiffers,
    ReusesDeletedIds,
)
from tests.selftest.variant import CONFORMING, Variant


def _one(fault: type[Fault], *args: Any) -> Any:
    return lambda token: [fault(*args)]


def lifecycle_variants() -> list[Variant]:
    kind = "lifecycle"
    employee_without_id = LooseValidation(lambda b: b.get("purpose") == "employee" and "employee_id" not in b,
                                          lambda b: {**b, "employee_id": 1}, role="edit")
    # EditNotStored acknowledges every edit, of any id on any account: D24 and D32 too.
    return [
        Variant("read back differs in one field", kind, _one(ReadBackDiffers), decisions=("D23",)),
        Variant("edit acknowledged but not stored", kind, _one(EditNotStored), decisions=("D25", "D24", "D32")),
        Variant("delete acknowledged, number still readable", kind, _one(DeleteAnsweredButKept),
                decisions=("D24", "D32")),  # the account checks' delete of a colliding id is kept too
        Variant("deleted number still listed", kind, _one(DeletedStillListed), decisions=("D24", "D22")),
        Variant("deleted id given to the next number", kind, _one(ReusesDeletedIds), decisions=("D24",)),
        Variant("listing ignores type", kind, _one(ListingIgnoresType), decisions=("D22",)),
        Variant("edit accepts purpose employee without employee_id", kind, lambda token: [employee_without_id],
                decisions=("D27", "D25")),  # what it stores is not what the edit answers (D25)
        Variant("edit follows the body's id, not the path's", kind, _one(EditKeepsBodyId), decisions=("D26",)),
        Variant("edit clears an omitted comment", kind, _one(EditClearsOmittedComment), decisions=("D25",)),
        Variant("another purpose keeps the employee", kind, _one(EditKeepsEmployee), decisions=("D27", "D25")),
        # D34 too: no account's connectable listing offers a number an account holds.
        Variant("added number still offered as connectable", kind, _one(AddedStillConnectable),
                decisions=("D21", "D34")),
        Variant("deleted number never offered again", kind, _one(DeletedNotConnectableAgain), decisions=("D21",)),
        Variant("adds numbers the listing does not offer", kind, lambda token: [], connectable="any",
                decisions=("D20", "D35")),  # a held number then differs from one nobody offers (D35)
    ]


def conforming_edge_variants() -> list[Variant]:
    return [
        Variant("large random ids", CONFORMING, _one(LargeRandomIds)),
        Variant("Content-Type with charset", CONFORMING,
                _one(AnswerHeaders, {b"content-type": b"application/json; charset=utf-8"})),
        Variant("Connection: close on every answer", CONFORMING, _one(AnswerHeaders, {b"connection": b"close"})),
        Variant("error bodies of another shape", CONFORMING, _one(OtherErrorShape)),
        Variant("409 answers the stored record", CONFORMING, _one(ConflictShowsRecord)),
        Variant("4 ms of latency per answer", CONFORMING, _one(Latency)),
        Variant("edit answers the whole record", CONFORMING, _one(EditAnswersWholeRecord)),
        Variant("invalid path ids answered 404", CONFORMING, _one(BadIdIsNotFound)),
    ]
