"""Fresh numbers: unique, valid under the document, and only replacing valid numbers."""

from __future__ import annotations

from tests.contract_data import seed_request
from vpbx_suite.fresh_numbers import FreshNumbers
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
