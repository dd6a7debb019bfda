"""A record of one account in another's listing is a leak under any id scheme (D33): the account
checks fail on it instead of taking it for a collision of per-account ids (D36) and turning
themselves off."""

from __future__ import annotations

import pytest

from vpbx_suite.target_tests.helpers import assert_not_shown

OWNERS = {"id": 7, "number": "79161234567", "comment": "isolation 1a2b"}


def test_the_owners_number_in_the_other_listing_fails() -> None:
    with pytest.raises(AssertionError, match=r"shows 79161234567 \(ids \[7\]\), a number of another account.*D33"):
        assert_not_shown(OWNERS, {7: {"id": 7, "number": "79161234567"}})


def test_the_same_id_with_another_number_is_a_collision_of_per_account_ids() -> None:
    assert_not_shown(OWNERS, {7: {"id": 7, "number": "79169999999"}})
