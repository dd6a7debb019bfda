"""Fresh numbers: unique, valid under the document, and only replacing valid numbers; offered
numbers: recycled when they run dry, never twice in one test, never one the run holds."""

from __future__ import annotations

import pytest

from tests.contract_data import seed_request
from vpbx_suite.fresh_numbers import FreshNumbers, OfferedNumbers, OutOfNumbers, SourceFailed
from vpbx_spec.document import bundled_schemas


def test_numbers_are_unique_and_valid_under_the_document():
    fresh = FreshNumbers()
    numbers = [fresh.next() for _ in range(1000)]
    assert len(set(numbers)) == 1000
    validator = bundled_schemas().component("AddMobileNumberRequest")
    for number in numbers[:50]:
        assert validator.is_valid({**seed_request(), "number": number})


def test_numbers_wrap_around_the_subscriber_space():
    fresh = FreshNumbers(start=999_999_999)
    assert [fresh.next(), fresh.next()] == ["79999999999", "79000000000"]


def test_two_runs_start_at_different_places():
    assert FreshNumbers().next() != FreshNumbers().next()


def test_refresh_replaces_only_a_valid_number():
    fresh = FreshNumbers(start=5)
    body = seed_request()
    refreshed = fresh.refresh(body)
    assert refreshed == {**body, "number": "79000000005"}
    assert body == seed_request()  # the original is not modified
    for invalid in ({**body, "number": "+79268622332"}, {**body, "number": 79268622332},
                    {key: value for key, value in body.items() if key != "number"}, [body], "x", None):
        assert fresh.refresh(invalid) == invalid


# --- offered numbers: recycled ----------------------------------------------------------

POOL = [f"7900000{i:04d}" for i in range(5)]


class Account:
    """A server's connectable listing in miniature: a pool, minus what the run holds."""

    def __init__(self) -> None:
        self.pool = list(POOL)
        self.held: set[str] = set()
        self.reads = 0

    def offered(self) -> list[str]:
        self.reads += 1
        return [number for number in self.pool if number not in self.held]

    def free(self) -> int:
        freed = len(self.held)
        self.held.clear()
        return freed


def test_offered_numbers_are_read_again_when_the_queue_runs_dry():
    account = Account()
    source = OfferedNumbers([], "the listing", read=account.offered, held=lambda: account.held)
    first = [source.next() for _ in range(5)]
    assert sorted(first) == POOL and account.reads == 1
    source.start_test()
    # The listing now offers one number it did not before: only a new read can hand it out.
    account.pool = ["79000009999"]
    assert source.next() == "79000009999" and account.reads == 2


def test_held_numbers_are_not_handed_out_and_idle_ones_are_freed_when_nothing_is_left():
    account = Account()
    source = OfferedNumbers(POOL, "the listing", read=account.offered, held=lambda: set(account.held),
                            free=account.free)
    for _ in range(5):
        account.held.add(source.next())  # each added: the run holds it
    source.start_test()
    number = source.next()  # nothing offered: the run frees its own, then reads again
    assert number in POOL and not account.held


def test_queued_numbers_taken_meanwhile_send_the_source_to_be_read_again_and_freed():
    """Numbers queued at the first read that the run came to hold without the queue (a
    documented example's number, the second account's): the source is read again, and if that
    offers nothing the run frees its own, whatever order the queue was in."""
    for _ in range(20):  # the queue is shuffled: the stale numbers end up anywhere
        account = Account()
        source = OfferedNumbers([], "the listing", read=account.offered, held=lambda: set(account.held),
                                free=account.free)
        source.prime()
        account.held.update(POOL[:4])  # held since the first read, not through the queue
        first = source.next()
        assert first == POOL[4]
        account.held.add(first)
        assert source.next() in POOL and not account.held  # all held: freed, then read again


def test_a_number_is_not_handed_out_twice_within_one_test():
    account = Account()
    source = OfferedNumbers([], "the listing", read=account.offered)
    taken = [source.next() for _ in range(5)]
    assert len(set(taken)) == 5
    with pytest.raises(OutOfNumbers):
        source.next()  # the listing offers them again, but this test has them all


def test_a_source_that_breaks_the_contract_fails_once_and_then_refuses():
    def broken() -> list[str]:
        raise AssertionError("the connectable listing answered 500")

    source = OfferedNumbers([], "the connectable listing", read=broken)
    with pytest.raises(AssertionError, match="answered 500"):
        source.prime()
    with pytest.raises(SourceFailed, match="answered 500"):
        source.next()


def test_invalid_offered_numbers_are_never_handed_out():
    source = OfferedNumbers(["+79000000001", "89000000002", POOL[0]], "a file")
    assert source.next() == POOL[0]
    with pytest.raises(OutOfNumbers):
        source.next()
