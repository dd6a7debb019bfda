"""The retry policy and the exactly-once add, decision by decision, on a fake clock."""

from __future__ import annotations

import email.utils

import httpx
import pytest

import vpbx_client
from generated.models import DeletedNumber
from tests.client_fakes import DGN, NUMBER, Calling, FakeTime, Script, error, ok, record, refused, reset
from vpbx_client import RetryPolicy
from vpbx_client.retry import parse_retry_after

KINDS = ["sync", "async"]
ADD_ARGS = {"number": NUMBER, "dgn_number": DGN, "purpose": "company", "type": "def"}
FAST = RetryPolicy(deadline=10.0, base=0.1, cap=1.0, max_retries=8)
ADD, LIST = "POST /numbers/unconfirmed", "GET /numbers/virtual-number"


def calling(kind: str, *steps, policy: RetryPolicy = FAST, cost: float = 0.0, **options) -> tuple[Calling, FakeTime]:
    time = FakeTime()
    return Calling(kind, Script(*steps, time=time, cost=cost), time, policy, **options), time


# --- the policy ------------------------------------------------------------------------

def test_full_jitter_draws_between_zero_and_the_capped_exponential():
    policy = RetryPolicy(base=0.1, cap=1.0)
    assert [policy.backoff(n, 0.0) for n in range(5)] == [0.0] * 5
    assert [round(policy.backoff(n, 0.999999), 4) for n in range(6)] == [0.1, 0.2, 0.4, 0.8, 1.0, 1.0]
    assert policy.backoff(500, 0.5) == 0.5  # no overflow far out


@pytest.mark.parametrize(("value", "seconds"), [
    ("3", 3.0), (" 0 ", 0.0), (email.utils.formatdate(1_700_000_005, usegmt=True), 5.0),
    (email.utils.formatdate(1_699_999_000, usegmt=True), 0.0), ("soon", None), ("-1", None),
    ("1.5", None), (None, None), ("Wed, 21 Oct 2015 07:28:00 -0000", None),
])
def test_retry_after_is_delta_seconds_or_an_http_date(value, seconds):
    assert parse_retry_after(value, now=1_700_000_000.0) == seconds


# --- reads, edits, deletes -------------------------------------------------------------

@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("status", [429, 502, 503, 504])
def test_a_read_is_retried_on_statuses_that_mean_not_now(kind, status):
    client, time = calling(kind, error(status, "busy"), error(status, "busy"), ok(record()))
    assert client.get_virtual_number(id=7).id == 7
    assert len(client.script.requests) == 3 and len(time.sleeps) == 2
    assert time.sleeps == [0.5 * 0.1, 0.5 * 0.2]  # jitter 0.5 of base * 2**n


def test_a_read_is_not_retried_on_500():
    client, time = calling("sync", error(500, "internal_error"))
    with pytest.raises(vpbx_client.ServerError):
        client.get_virtual_number(id=7)
    assert (len(client.script.requests), time.sleeps) == (1, [])


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("failure", [reset, refused, lambda: httpx.ReadTimeout("timed out"),
                                     lambda: httpx.RemoteProtocolError("Server disconnected")])
def test_a_read_is_retried_after_network_failures(kind, failure):
    client, _ = calling(kind, failure(), ok(record()))
    assert client.get_virtual_number(id=7).id == 7


def test_a_request_that_cannot_be_sent_is_not_retried():
    client, _ = calling("sync", httpx.UnsupportedProtocol("Request URL has an unsupported protocol"))
    with pytest.raises(vpbx_client.NetworkError):
        client.get_virtual_number(id=7)
    assert len(client.script.requests) == 1


@pytest.mark.parametrize("kind", KINDS)
def test_retry_after_in_seconds_is_a_floor_under_the_wait(kind):
    client, time = calling(kind, error(429, "slow_down", headers={"Retry-After": "3"}), ok(record()))
    client.get_virtual_number(id=7)
    assert time.sleeps == [3.0]


def test_retry_after_as_an_http_date_is_honored():
    when = email.utils.formatdate(1_700_000_004, usegmt=True)  # the fake wall clock is 1_700_000_000
    client, time = calling("sync", error(503, "busy", headers={"Retry-After": when}), ok(record()))
    client.get_virtual_number(id=7)
    assert time.sleeps == [4.0]


def test_a_retry_after_past_the_deadline_gives_up_at_once_with_it():
    client, time = calling("sync", error(429, "slow_down", headers={"Retry-After": "3600"}))
    with pytest.raises(vpbx_client.RateLimited) as caught:
        client.get_virtual_number(id=7)
    assert (caught.value.retry_after, caught.value.attempts, time.sleeps) == (3600.0, 1, [])


@pytest.mark.parametrize("kind", KINDS)
def test_the_deadline_bounds_the_whole_call(kind):
    policy = RetryPolicy(deadline=2.0, base=0.1, cap=0.4, max_retries=1000)
    client, time = calling(kind, *[error(503, "busy")] * 100, policy=policy, cost=0.05)
    started = time.now
    # The last error: a 503, or the last attempt cut by the deadline.
    with pytest.raises((vpbx_client.ServerError, vpbx_client.TimedOut)) as caught:
        client.get_virtual_number(id=7)
    assert time.now - started <= 2.0 + 1e-5
    assert caught.value.attempts == len(client.script.requests) > 5
    assert f"after {caught.value.attempts} attempts" in str(caught.value)


def test_each_attempt_gets_at_most_the_time_left():
    policy = RetryPolicy(deadline=3.0, base=1.0, cap=1.0, max_retries=5)
    client, _ = calling("sync", reset(), reset(), ok(record()), policy=policy, cost=0.25,
                        timeout=httpx.Timeout(10.0))
    client.get_virtual_number(id=7)
    reads = [request.extensions["timeout"]["read"] for request in client.script.requests]
    assert reads == [3.0, 2.25, 1.5]  # 3 s, minus a request and a half-second wait each time


def test_max_retries_zero_never_retries():
    client, _ = calling("sync", error(503, "busy"), policy=RetryPolicy(max_retries=0))
    with pytest.raises(vpbx_client.ServerError):
        client.get_virtual_number(id=7)


@pytest.mark.parametrize("kind", KINDS)
def test_an_edit_is_sent_again_unchanged(kind):
    answer = {"id": 7, "purpose": "company", "employee_id": None, "comment": "c"}
    client, _ = calling(kind, reset(), error(502, "bad_gateway"), ok(answer))
    assert client.edit_mobile_number(id=7, purpose="company", comment="c").comment == "c"
    assert len({request.content for request in client.script.requests}) == 1


@pytest.mark.parametrize("kind", KINDS)
def test_a_delete_that_may_have_happened_and_then_finds_nothing_has_succeeded(kind):
    client, _ = calling(kind, reset(), error(404, "not_found", "id"))
    assert client.delete_virtual_number(id=7) == DeletedNumber(id=7)


@pytest.mark.parametrize("first", [None, lambda: error(429, "slow_down"), refused])
def test_a_delete_that_cannot_have_happened_reports_not_found(first):
    steps = ([first()] if first else []) + [error(404, "not_found", "id")]
    client, _ = calling("sync", *steps)
    with pytest.raises(vpbx_client.NotFound):
        client.delete_virtual_number(id=7)


# --- the add -----------------------------------------------------------------------------

@pytest.mark.parametrize("kind", KINDS)
def test_a_conflict_on_the_first_attempt_is_a_real_one(kind):
    client, _ = calling(kind, error(409, "duplicate_number", "number"))
    with pytest.raises(vpbx_client.Conflict):
        client.add_mobile_number(**ADD_ARGS)
    assert client.script.sent == [ADD]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("failure", [reset, lambda: httpx.ReadTimeout("timed out"),
                                     lambda: error(500, "internal_error"), lambda: error(502, "bad_gateway"),
                                     lambda: error(503, "busy"), lambda: error(504, "gateway_timeout")])
def test_after_an_ambiguous_failure_a_stored_number_is_returned_not_added_again(kind, failure):
    client, _ = calling(kind, failure(), ok([record("79000000000", 3), record(NUMBER, 8)]))
    assert client.add_mobile_number(**ADD_ARGS).id == 8
    assert client.script.sent == [ADD, LIST]
    assert client.script.requests[1].url.params["type"] == "def"


@pytest.mark.parametrize("kind", KINDS)
def test_after_an_ambiguous_failure_a_number_not_stored_is_sent_again(kind):
    client, _ = calling(kind, reset(), ok([]), ok(record(id=9), 201))
    assert client.add_mobile_number(**ADD_ARGS).id == 9
    assert client.script.sent == [ADD, LIST, ADD]


@pytest.mark.parametrize("late", [lambda: error(409, "duplicate_number", "number"),
                                  lambda: error(422, "number_not_connectable", "number")])
def test_a_refusal_after_an_ambiguous_attempt_means_that_attempt_stored_it(late):
    # The first attempt was still being processed when the lookup ran: not there yet.
    client, _ = calling("sync", httpx.ReadTimeout("timed out"), ok([]), late(), ok([record(id=4)]))
    assert client.add_mobile_number(**ADD_ARGS).id == 4
    assert client.script.sent == [ADD, LIST, ADD, LIST]


def test_a_refusal_after_an_ambiguous_attempt_with_nothing_stored_is_raised():
    client, _ = calling("sync", reset(), ok([]), error(422, "number_not_connectable", "number"), ok([]))
    with pytest.raises(vpbx_client.NotConnectable):
        client.add_mobile_number(**ADD_ARGS)


@pytest.mark.parametrize("failure", [refused, lambda: error(429, "slow_down")])
def test_failures_that_processed_nothing_are_retried_without_a_lookup(failure):
    client, _ = calling("sync", failure(), ok(record(), 201))
    client.add_mobile_number(**ADD_ARGS)
    assert client.script.sent == [ADD, ADD]


def test_a_429_then_a_conflict_is_a_real_conflict():
    client, _ = calling("sync", error(429, "slow_down"), error(409, "duplicate_number", "number"))
    with pytest.raises(vpbx_client.Conflict):
        client.add_mobile_number(**ADD_ARGS)
    assert client.script.sent == [ADD, ADD]


def test_a_stored_number_with_another_dgn_is_not_ours():
    client, _ = calling("sync", reset(), ok([record(dgn_number="74950000000")]))
    with pytest.raises(vpbx_client.Conflict, match="another add"):
        client.add_mobile_number(**ADD_ARGS)


def test_a_stored_number_edited_since_is_still_ours():
    client, _ = calling("sync", reset(), ok([record(purpose="employee", employee_id=5, comment="later")]))
    assert client.add_mobile_number(**ADD_ARGS, comment="first").comment == "later"


@pytest.mark.parametrize("kind", KINDS)
def test_an_add_whose_fate_stays_unknown_says_so(kind):
    policy = RetryPolicy(deadline=1.0, base=0.1, cap=0.2, max_retries=100)
    client, time = calling(kind, *[reset()] * 200, policy=policy, cost=0.01)
    started = time.now
    with pytest.raises(vpbx_client.AddOutcomeUnknown) as caught:
        client.add_mobile_number(**ADD_ARGS)
    assert time.now - started <= 1.0 + 1e-5
    assert caught.value.number == NUMBER
    assert isinstance(caught.value.last_error, vpbx_client.NetworkError)
    assert NUMBER in str(caught.value) and "unknown" in str(caught.value)


def test_a_lookup_that_fails_leaves_the_add_unknown():
    client, _ = calling("sync", reset(), error(401, "unauthorized"))
    with pytest.raises(vpbx_client.AddOutcomeUnknown) as caught:
        client.add_mobile_number(**ADD_ARGS)
    assert isinstance(caught.value.last_error, vpbx_client.Unauthorized)


def test_an_add_that_never_got_through_raises_its_last_error():
    client, _ = calling("sync", *[refused()] * 3, policy=RetryPolicy(max_retries=2, base=0.01))
    with pytest.raises(vpbx_client.NetworkError) as caught:
        client.add_mobile_number(**ADD_ARGS)
    assert not caught.value.ambiguous and caught.value.attempts == 3
    assert client.script.sent == [ADD, ADD, ADD]


def trickle(time: FakeTime, body: bytes, chunk: int, every: float, length: bool):
    """An answer whose body arrives `chunk` bytes every `every` seconds of the fake clock."""
    def pieces():
        for offset in range(0, len(body), chunk):
            time.now += every
            yield body[offset:offset + chunk]
    headers = {"content-length": str(len(body))} if length else {}
    return lambda request: httpx.Response(200, headers=headers, content=pieces())


def test_a_body_trickling_past_the_deadline_is_cut():
    policy = RetryPolicy(deadline=1.0, max_retries=0)
    time = FakeTime()
    body = ok(record()).content
    client = Calling("sync", Script(trickle(time, body, 10, 0.1, length=False)), time, policy)
    with pytest.raises(vpbx_client.TimedOut, match="deadline"):
        client.get_virtual_number(id=7)
    assert time.now - 1000.0 <= 1.0 + 0.1  # one read past it at most


def test_a_whole_answer_is_kept_though_its_last_byte_came_late():
    policy = RetryPolicy(deadline=1.0, max_retries=0)
    time = FakeTime()
    body = ok(record()).content
    client = Calling("sync", Script(trickle(time, body, len(body) // 2 + 1, 0.6, length=True)), time, policy)
    assert client.get_virtual_number(id=7).id == 7
