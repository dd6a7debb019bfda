"""Cleanup: every number the run added is deleted, on each account, and so is a number whose
add got no answer (the run was stopped mid-request); a number the run never sent is never
touched, nor one whose add was answered (a 409: somebody else's)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from vpbx_suite.cleanup import clean_up
from vpbx_suite.contract import bundled_facts
from vpbx_suite.mock_process import running_mock
from vpbx_suite.run import OTHER, SuiteRun, acting_as

pytestmark = pytest.mark.slow
FACTS = bundled_facts()
ADD = FACTS.operations[FACTS.lifecycle.add or ""]
LISTING = FACTS.operations[FACTS.lifecycle.listing or ""]
TOKEN, OTHER_TOKEN = "cleanup-token-1", "cleanup-token-2"


def add(client: httpx.Client, number: str) -> dict:
    answer = client.post(ADD.url_path(), json={**ADD.request_examples["seed"], "number": number})
    assert answer.status_code == 201, answer.text
    return answer.json()


def numbers(client: httpx.Client) -> set[str]:
    return {item["number"] for item in client.get(LISTING.url_path()).json()}


def test_cleanup_deletes_what_the_run_added_and_what_it_sent_unanswered(tmp_path: Path):
    with running_mock(tmp_path / "db.sqlite3", {"API_TOKENS": f"{TOKEN},{OTHER_TOKEN}",
                                                "MOCK_CONNECTABLE": "any"}) as mock:
        with httpx.Client(base_url=mock.base_url, headers={"Authorization": TOKEN}) as one, \
                httpx.Client(base_url=mock.base_url, headers={"Authorization": OTHER_TOKEN}) as two:
            customers = add(one, "79000000001")                  # the account's own: never touched
            known = add(one, "79000000002")                      # added by the run, answer seen
            add(one, "79000000003")                              # added by the run, answer lost
            theirs = add(two, "79000000004")                     # added on the second account
            run = SuiteRun()
            run.ledger.added(known)
            run.ledger.sending("79000000003")
            run.ledger.sending("79000000001")
            run.ledger.answered("79000000001")  # answered 409: it was somebody's already
            with acting_as(OTHER):
                run.ledger.added(theirs)
            lines = clean_up(run, mock.base_url, TOKEN, OTHER_TOKEN)
            assert numbers(one) == {customers["number"]} and numbers(two) == set(), lines
    assert lines[0] == "cleanup: added 1 numbers, deleted 1, left 0"
    assert lines[1].startswith("cleanup: deleted 1 number(s) whose add was answered after the run stopped: ")
    assert lines[2] == "cleanup: added 1 numbers on the second account (OTHER_API_TOKEN), deleted 1, left 0"
