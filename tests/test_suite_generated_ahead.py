"""Generated cases sent ahead of hypothesis's loop (vpbx_suite.generated_ahead): at most
CONCURRENCY out, their steps the run's in the order sent, a case whose order matters sent only
once every case out is answered, a failure met ahead turning the loop to one case at a time and
the test run again for hypothesis to shrink; the failure as met when it does not come back."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from vpbx_suite import generated_ahead
from vpbx_suite.generated_ahead import GeneratedAhead, rerun_one_at_a_time, sending_ahead
from vpbx_suite.run import SuiteRun


class Server:
    """Cases whose requests wait until `release` is set, counting how many are out at once."""

    def __init__(self, run: SuiteRun) -> None:
        self.run, self.lock, self.release = run, threading.Lock(), threading.Event()
        self.out, self.most, self.answered, self.threads = 0, 0, [], []

    def case(self, key: int, fails: bool = False, wait: bool = True) -> Callable[[], None]:
        def send() -> None:
            with self.lock:
                self.out += 1
                self.most = max(self.most, self.out)
            self.threads.append(threading.current_thread().name)
            self.run.last_request = f"curl {key}"
            if wait:
                self.release.wait(10)
            with self.lock:
                self.out -= 1
                self.answered.append(key)
            if fails:
                raise AssertionError(f"the answer to {key} breaks a rule")
        return send


def test_cases_go_out_concurrency_at_a_time_and_their_steps_follow_in_order():
    run = SuiteRun()
    server = Server(run)
    ahead = GeneratedAhead(run, 3)
    for key in range(3):
        ahead.send(server.case(key))
    server.release.set()
    for key in range(3, 10):
        ahead.send(server.case(key))
    ahead.close()
    assert server.most == 3  # the first three were out together
    assert [step["curl"] for step in run.steps] == [f"curl {key}" for key in range(10)]
    assert all(name.startswith("vpbx-generated") for name in server.threads)


def test_an_edit_or_delete_waits_for_the_cases_out_only_when_one_of_them_is_for_its_id():
    run = SuiteRun()
    server = Server(run)
    ahead = GeneratedAhead(run, 4)
    ahead.send(server.case(0), addressed=7)
    ahead.send(server.case(1), addressed=8)  # another id: out at once
    assert server.answered == []
    seen_out: list[int] = []

    def second_edit_of_7() -> None:
        seen_out.append(server.out)
        run.last_request = "curl edit"

    threading.Timer(0.05, server.release.set).start()
    ahead.send(second_edit_of_7, addressed=7)  # waits for every case out, then goes out
    ahead.close()
    assert server.most == 2 and seen_out == [0] and sorted(server.answered) == [0, 1]
    assert [step["curl"] for step in run.steps] == ["curl 0", "curl 1", "curl edit"]


def test_a_failure_met_ahead_is_kept_and_the_loop_goes_on_one_case_at_a_time():
    run = SuiteRun()
    server = Server(run)
    server.release.set()
    ahead = GeneratedAhead(run, 3)
    ahead.send(server.case(0))
    ahead.send(server.case(1, fails=True))
    ahead.send(server.case(2))
    ahead.settle()
    assert ahead.failed is not None and "the answer to 1" in str(ahead.failed.error)
    assert ahead.one_at_a_time
    ahead.send(server.case(3))
    assert server.threads[-1] == threading.current_thread().name  # sent in the loop itself
    ahead.close()


def test_one_at_a_time_a_failure_is_raised_in_the_loop_for_hypothesis_to_shrink():
    run = SuiteRun()
    server = Server(run)
    server.release.set()
    ahead = GeneratedAhead(run, 1)
    with pytest.raises(AssertionError, match="the answer to 0 breaks a rule"):
        ahead.send(server.case(0, fails=True))
    assert server.threads == [threading.current_thread().name]
    assert ahead.failed is None  # not a failure met ahead: hypothesis has it
    ahead.close()


def failed_ahead(run: SuiteRun, key: int) -> GeneratedAhead:
    """A loop whose case `key`, sent ahead, failed."""
    server = Server(run)
    server.release.set()
    with sending_ahead(run, 3) as ahead:
        ahead.send(server.case(key, fails=True))
    assert ahead.failed is not None and ahead.failed.error is not None
    return ahead


def test_a_failure_met_ahead_runs_the_test_again_one_case_at_a_time():
    run = SuiteRun()
    ahead = failed_ahead(run, 0)
    modes: list[bool] = []

    def run_again_and_meet_it() -> None:
        current = generated_ahead.current()
        modes.append(current is not None and current.one_at_a_time)
        raise AssertionError("shrunk by hypothesis")

    with pytest.raises(AssertionError, match="shrunk by hypothesis"):
        rerun_one_at_a_time(run_again_and_meet_it, run, ahead.failed.error, ahead.failed)
    assert modes == [True]
    assert generated_ahead.current() is None


def test_a_failure_that_does_not_come_back_is_reported_as_it_was_met():
    run = SuiteRun()
    ahead = failed_ahead(run, 7)
    run.last_request = "curl of the passing run again"
    with pytest.raises(AssertionError, match="the answer to 7 breaks a rule"):
        rerun_one_at_a_time(lambda: None, run, ahead.failed.error, ahead.failed)
    assert run.steps[-1]["curl"] == "curl 7"  # the reproduction is the failing request's


def test_the_source_of_numbers_waits_for_the_cases_out():
    run = SuiteRun()
    server = Server(run)
    with sending_ahead(run, 3) as ahead:
        ahead.send(server.case(0))
        threading.Timer(0.05, server.release.set).start()
        generated_ahead.settle()
        assert server.answered == [0] and server.out == 0


def test_the_id_of_an_edit_or_delete_of_a_number_the_run_added_is_known():
    import schemathesis

    from tests.contract_data import seed_request, seed_response
    from vpbx_suite.prepare import addressed_id
    from vpbx_spec.document import DOCUMENT_PATH

    schema = schemathesis.openapi.from_path(DOCUMENT_PATH)
    life = SuiteRun().facts.lifecycle
    run = SuiteRun()
    run.ledger.added({**seed_response(), "id": 7})
    run.ledger.added({**seed_response(), "id": 8, "number": "79990000008"})
    run.ledger.removed(8)

    def case(operation_id: str, record_id: object = None) -> object:
        operation = schema.find_operation_by_id(operation_id)
        return schema.make_case(operation=operation, path_parameters=(
            None if record_id is None else {"id": record_id}))

    for operation_id in (life.edit, life.delete):
        assert addressed_id(case(operation_id, 7), run) == 7     # held
        assert addressed_id(case(operation_id, "07"), run) == 7  # held, as a lenient server reads it
        assert addressed_id(case(operation_id, 8), run) == 8     # deleted: two deletes at once are another check's
        assert addressed_id(case(operation_id, "abc"), run) is None  # addresses no number
        assert addressed_id(case(operation_id, 9), run) is None      # not the run's (the guard redirects it)
    assert addressed_id(case(life.read, 7), run) is None
    add = schema.find_operation_by_id(life.add)
    assert addressed_id(schema.make_case(operation=add, body=seed_request()), run) is None


def test_redirected_edits_and_deletes_go_to_the_last_deleted_ids_in_turn():
    from vpbx_suite.ledger import GUARD_SPREAD, Ledger

    ledger = Ledger()
    assert ledger.guard_target("PUT", 5) is None  # the run owns nothing: not sent
    ledger.added({"id": 1, "number": "79990000001"})
    assert ledger.guard_target("PUT", 5) == 1  # nothing deleted yet: a held one
    for record_id in range(2, GUARD_SPREAD + 5):
        ledger.added({"id": record_id, "number": f"7999000{record_id:04d}"})
        ledger.removed(record_id)
    turns = [ledger.guard_target("DELETE", 10**12) for _ in range(GUARD_SPREAD * 2)]
    recent = ledger.deleted[-GUARD_SPREAD:]
    assert set(turns) == set(recent) and turns[:GUARD_SPREAD] == turns[GUARD_SPREAD:]
    assert turns[0] == ledger.deleted[-1]  # the last deleted first, as before
