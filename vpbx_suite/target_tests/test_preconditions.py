"""What most tests need, checked once, first: a broken one is reported here (with its
reproduction), and the tests that need it are counted as not run instead of erroring."""

from __future__ import annotations

import pytest

from vpbx_suite.completeness import TOO_FEW_NUMBERS, not_run
from vpbx_suite.fresh_numbers import OfferedNumbers
from vpbx_suite.run import SuiteRun


@pytest.mark.only_with_numbers("connectable")
@pytest.mark.needs("connectable")
def test_the_source_of_numbers_is_usable(run: SuiteRun) -> None:
    """The connectable listing answers by the contract (judged like any answer) and offers
    numbers: every add of the run takes one from it."""
    if not isinstance(run.fresh, OfferedNumbers):
        raise RuntimeError("NUMBERS is the connectable listing, yet the run's numbers come from elsewhere")
    if not run.fresh.prime():
        not_run(TOO_FEW_NUMBERS, "the connectable listing offers no number to add")
