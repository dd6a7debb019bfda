"""Variants of accounts: each way a real server leaks one account's numbers to another (the
suite must fail them), and ids per account (it must pass them: D36 allows both)."""

from __future__ import annotations

from tests.selftest.account_faults import (ConflictForHeldNumbers, ForbiddenForOthers, IgnoresAccount,
                                           ListsEveryAccount, OffersHeldNumbers, PerAccountIds, QuotesTheRecord,
                                           TakesHeldNumbers)
from tests.selftest.variant import CONFORMING, Variant


def account_variants() -> list[Variant]:
    kind = "accounts"
    return [
        Variant("a read ignores the account", kind, lambda token: [IgnoresAccount("read")], decisions=("D32",)),
        Variant("an edit across accounts", kind, lambda token: [IgnoresAccount("edit")], decisions=("D32",)),
        Variant("a delete across accounts", kind, lambda token: [IgnoresAccount("delete")], decisions=("D32",)),
        Variant("the listing shows every account", kind, lambda token: [ListsEveryAccount()], decisions=("D33",)),
        Variant("403 for another account's id, 404 for an unknown one", kind, lambda token: [ForbiddenForOthers()], decisions=("D32",)),
        Variant("the 404 quotes the other account's record", kind, lambda token: [QuotesTheRecord()], decisions=("D32",)),
        Variant("the connectable listing offers numbers other accounts hold", kind,
                lambda token: [OffersHeldNumbers()], decisions=("D34",)),
        Variant("an add takes another account's number", kind, lambda token: [TakesHeldNumbers()], decisions=("D35",)),
        Variant("409 for another account's number, 422 for one not offered", kind,
                lambda token: [ConflictForHeldNumbers()], decisions=("D35",)),
    ]


def conforming_account_variants() -> list[Variant]:
    return [Variant("ids per account", CONFORMING, lambda token: [PerAccountIds()])]
