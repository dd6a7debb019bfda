"""Requests sent ahead of their tests (vpbx_suite.ahead): each test takes its own outcome and
its own steps, a failure belongs to its test only, at most CONCURRENCY are in flight, and a
group is prepared only once the one before it has been taken. Requests in any order
(in_any_order): all answered, in order, the first failure raised after them."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from vpbx_suite.ahead import GROUP_PER_WORKER, Ahead, in_any_order
from vpbx_suite.run import SuiteRun


def sender(run: SuiteRun, key: int, in_flight: list[int], most: list[int], lock: threading.Lock,
           failing: tuple[int, ...] = (5,), answered: list[int] | None = None) -> Callable[[], int]:
    def send() -> int:
        with lock:
            in_flight[0] += 1
            most[0] = max(most[0], in_flight[0])
        run.last_request = f"curl {key}"
        with lock:
            in_flight[0] -= 1
            (answered if answered is not None else []).append(key)
        if key in failing:
            raise AssertionError(f"the answer to {key} breaks a rule")
        return key * 10
    return send


@pytest.mark.parametrize("concurrency", [1, 3])
def test_each_test_takes_its_own_answer_curl_and_failure(concurrency: int):
    run = SuiteRun()
    in_flight, most, lock = [0], [0], threading.Lock()
    prepared: list[int] = []

    def prepare(key: int) -> Callable[[], int]:
        prepared.append(key)
        if key == 7:
            raise LookupError("7 is not run")
        return sender(run, key, in_flight, most, lock)

    ahead = Ahead(run, list(range(20)), prepare, concurrency)
    run.last_request = "the test's own"
    for key in range(20):
        if key == 5:
            with pytest.raises(AssertionError, match="the answer to 5 breaks a rule"):
                ahead.take(key)
        elif key == 7:
            with pytest.raises(LookupError, match="7 is not run"):
                ahead.take(key)
        else:
            assert ahead.take(key) == key * 10
        assert run.last_request == (None if key == 7 else f"curl {key}")
        # Prepared in order, one group at a time: never past the group of the key taken.
        group = 1 if concurrency == 1 else concurrency * GROUP_PER_WORKER
        assert prepared == list(range(min(20, (key // group + 1) * group)))
    ahead.close()
    assert most[0] <= concurrency


def test_no_more_than_concurrency_requests_are_in_flight():
    run, concurrency = SuiteRun(), 3
    started = threading.Semaphore(0)
    release = threading.Event()
    in_flight, most, lock = [0], [0], threading.Lock()

    def prepare(key: int) -> Callable[[], int]:
        def send() -> int:
            with lock:
                in_flight[0] += 1
                most[0] = max(most[0], in_flight[0])
            started.release()
            release.wait(10)
            with lock:
                in_flight[0] -= 1
            return key
        return send

    ahead = Ahead(run, list(range(12)), prepare, concurrency)
    taker = threading.Thread(target=lambda: [ahead.take(key) for key in range(12)])
    taker.start()
    for _ in range(concurrency):  # the pool's workers all started a request
        assert started.acquire(timeout=10)
    assert not started.acquire(timeout=0.2)  # and no fourth one while they wait
    release.set()
    taker.join(10)
    ahead.close()
    assert most[0] == concurrency


def test_a_test_sent_ahead_takes_every_step_it_sent_in_order():
    run = SuiteRun()

    def prepare(key: int) -> Callable[[], None]:
        def send() -> None:
            for step in ("read", "edit", "read again"):
                run.last_request = f"curl {step} {key}"
                run.last_exchange = {"request": {"method": "GET"}, "of": f"{step} {key}"}
        return send

    ahead = Ahead(run, list(range(8)), prepare, 4)
    for key in range(8):
        run.steps.clear()
        ahead.take(key)
        assert [(step["curl"], step["exchange"]["of"]) for step in run.steps] == [
            (f"curl {step} {key}", f"{step} {key}") for step in ("read", "edit", "read again")]
    ahead.close()


def test_requests_in_any_order_are_all_answered_and_the_first_failure_is_raised_after_them():
    run, concurrency = SuiteRun(), 3
    in_flight, most, lock = [0], [0], threading.Lock()
    answered: list[int] = []
    sends = [sender(run, key, in_flight, most, lock, failing=(4, 9), answered=answered) for key in range(12)]
    with pytest.raises(AssertionError, match="the answer to 4 breaks a rule"):
        in_any_order(run, sends, concurrency)
    assert sorted(answered) == list(range(12)) and most[0] <= concurrency
    # The steps as if sent one by one; the failing one last, as a test that stopped there.
    assert [step["curl"] for step in run.steps] == [f"curl {k}" for k in range(12) if k != 4] + ["curl 4"]
    assert run.last_request == "curl 4"
    assert in_any_order(SuiteRun(), [lambda k=k: k for k in range(5)], concurrency) == list(range(5))
