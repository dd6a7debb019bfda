"""The verdict says how much was not checked: counted per reason, on the last line, and a
partial PASS fails under REQUIRE_COMPLETE=1."""

from __future__ import annotations

import pytest

from vpbx_suite.completeness import (OPERATIONS, OTHER, PRECONDITION, TOO_FEW_NUMBERS, WRITE_BUDGET,
                                     Completeness, NotRun, not_run, reason_of, verdict_line)


def test_a_run_with_nothing_left_out_is_a_plain_pass():
    completeness = Completeness(checks=515)
    assert completeness.complete
    assert verdict_line(True, completeness, require_complete=True) == "contract: PASS"
    assert verdict_line(False, completeness, require_complete=False) == "contract: FAIL"


def test_what_did_not_run_is_counted_per_reason_on_the_verdict_line():
    completeness = Completeness(checks=515)
    for index in range(170):
        completeness.skipped(f"test_add_edge[{index}]", f"{WRITE_BUDGET}: edges of the add")
    completeness.skipped("test_stateful_links", f"{OPERATIONS}: needs deleteVirtualNumber")
    completeness.skipped("test_x", "some other skip")
    completeness.left_unsent(WRITE_BUDGET, 35)
    assert not completeness.complete
    line = verdict_line(True, completeness, require_complete=False)
    assert line == ("contract: PASS (partial: 172 of 515 checks not run: write budget (MAX_WRITES) 170, "
                    "not in OPERATIONS 1, other 1; 35 generated requests not sent: write budget (MAX_WRITES) 35)")
    assert verdict_line(True, completeness, require_complete=True).startswith("contract: FAIL (partial: ")
    assert verdict_line(True, completeness, require_complete=True).endswith("; REQUIRE_COMPLETE=1)")
    report = completeness.as_dict()
    assert report["ran"] == 343 and report["not_run_by_reason"][WRITE_BUDGET] == 170
    assert report["requests_not_sent"] == {WRITE_BUDGET: 35}


def test_unsent_requests_alone_make_a_run_partial():
    completeness = Completeness(checks=10)
    completeness.left_unsent(TOO_FEW_NUMBERS)
    assert verdict_line(True, completeness, False) == (
        "contract: PASS (partial: 1 generated requests not sent: too few numbers 1)")


def test_not_run_is_a_skip_with_its_reason():
    with pytest.raises(NotRun) as raised:
        not_run(PRECONDITION, "the connectable listing could not be read")
    assert raised.value.reason == PRECONDITION
    assert isinstance(raised.value, pytest.skip.Exception)
    assert reason_of(str(raised.value.msg)) == PRECONDITION
    assert reason_of("anything else") == OTHER
