"""What a run wrote, and the guard that keeps edits and deletes on the run's own numbers."""

from __future__ import annotations

import pytest

from vpbx_suite.ledger import MAX_ID, Ledger, WriteBudget, id_in_path


@pytest.mark.parametrize(("value", "addressed"), [
    (7, 7), ("7", 7), ("07", 7), (" 7", 7), ("+7", 7), ("7.0", 7), ("7e0", 7),
    (str(MAX_ID - 1), MAX_ID - 1), (str(MAX_ID), MAX_ID),
    (0, None), ("0", None), ("-1", None), ("7.5", None), ("abc", None), (True, None),
    (str(MAX_ID + 1), None), ("nan", None), ("inf", None), ("", None),
])
def test_which_number_a_path_value_addresses(value, addressed):
    assert id_in_path(value) == addressed


def test_the_guard_keeps_writes_on_the_runs_own_numbers():
    ledger = Ledger()
    assert ledger.guard_target("PUT", 5) is None  # the run owns nothing: not sent
    ledger.added({"id": 11, "number": "79000000011"})
    ledger.added({"id": 12, "number": "79000000012"})
    assert ledger.guard_target("PUT", "11") == "11"          # its own: sent as is
    assert ledger.guard_target("PUT", "abc") == "abc"        # addresses nobody: sent as is
    assert ledger.guard_target("DELETE", 5) == 12             # someone else's: redirected
    ledger.removed(12)
    assert ledger.guard_target("PUT", "9" * 5) == 12          # a deleted own id first: it must 404
    assert ledger.guard_target("DELETE", "0011") == "0011"    # "0011" is number 11, its own
    assert sum(ledger.guarded.values()) == 3
    assert ledger.live_ids() == [11] and ledger.deleted == [12]


def test_the_write_budget():
    budget = WriteBudget(3)
    assert not budget.take(4) and budget.spent == 0  # all or nothing: a race needing 4 is not run
    assert budget.take(2) and budget.take() and not budget.take()
    budget.refuse("edges")
    assert budget.left_out == {"edges": 1}
    unlimited = WriteBudget(None)
    assert all(unlimited.take() for _ in range(1000))


def test_an_add_without_an_answer_is_remembered_whatever_its_number_holds():
    ledger = Ledger()
    for value in (["79000000001"], {"n": 1}, None, 79000000001):
        ledger.sending(value)
        ledger.answered(value)  # a negative case's number: nothing to remember, no error
    ledger.sending("79000000002")
    ledger.sending("79000000003")
    ledger.answered("79000000003")
    assert ledger.unanswered == {"79000000002"}
