"""Variants that only the contract's model finds (broken), and freedoms it must allow
(conforming): see tests/selftest/model_faults.py."""

from __future__ import annotations

from tests.selftest.model_faults import (CrossAccountAddsAtOnceBothSucceed, DeletesAtOnceBothSucceed,
                                         ErrorsOfItsOwn, ForeignIdGetsItsOwnCode,
                                         HeldNumberRefusedInOtherWords, KeepsEmployeeAfterPurposeChange,
                                         OffersDifferPerAccount, ProvisionsOnFirstRead, TypeFilterDropsEmployees)
from tests.selftest.variant import CONFORMING, Variant


def model_variants() -> list[Variant]:
    sequences, at_once, interference = "model: sequences", "model: at once", "model: non-interference"
    return [
        Variant("an edit away from employee keeps the employee", sequences,
                lambda token: [KeepsEmployeeAfterPurposeChange()], decisions=("D25", "D27", "D23")),
        Variant("the listing by type leaves out employees' numbers", sequences,
                lambda token: [TypeFilterDropsEmployees()], decisions=("D22",)),
        Variant("two deletes at once both succeed", at_once, lambda token: [DeletesAtOnceBothSucceed()],
                decisions=("D24",)),
        Variant("two accounts adding one number at once both succeed", at_once,
                lambda token: [CrossAccountAddsAtOnceBothSucceed()], decisions=("D11", "D34", "D35")),
        Variant("another account's id gets its own error code", interference,
                lambda token: [ForeignIdGetsItsOwnCode()], decisions=("D32",)),
        Variant("another account's number is refused in other words", interference,
                lambda token: [HeldNumberRefusedInOtherWords()], decisions=("D35",)),
    ]


def conforming_model_variants() -> list[Variant]:
    return [
        Variant("state moves to active on its own", CONFORMING, lambda token: [ProvisionsOnFirstRead()]),
        Variant("error bodies of its own, with request ids", CONFORMING, lambda token: [ErrorsOfItsOwn()]),
        Variant("accounts are offered different numbers", CONFORMING,
                lambda token: [OffersDifferPerAccount(token)]),
    ]
