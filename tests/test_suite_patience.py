"""Patience with a loaded server (vpbx_suite.patience): a 429/503 is waited out within a bound
per request and per run, and only one that persists past the bound fails, saying so; an add
refused 429 is looked up in the listing before it is sent again, and not sent again when the
listing shows it stored."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.transports import Replayed
from vpbx_suite.contract import bundled_facts
from vpbx_suite.mock_process import MockProcess, running_mock
from vpbx_suite.patience import Patience, PersistentRateLimiting, StoredDespiteRefusal
from vpbx_suite.run import SuiteRun, start_run
from vpbx_suite.schemathesis_config import load_schema
from vpbx_suite.target_api import TargetApi, as_json

FACTS = bundled_facts()
ADD = FACTS.operations[FACTS.lifecycle.add or ""]
CONNECTABLE = FACTS.operations[FACTS.lifecycle.connectable or ""]
LISTING = FACTS.operations[FACTS.lifecycle.listing or ""]
TOKEN = "patience-token"


class Answers:
    """A server stand-in that answers each request from a script of (status, Retry-After)."""

    def __init__(self, *script: tuple[int, str | None]) -> None:
        self.script = list(script)
        self.sent = 0

    def __call__(self) -> httpx.Response:
        status, retry_after = self.script[min(self.sent, len(self.script) - 1)]
        self.sent += 1
        return httpx.Response(status, headers={"Retry-After": retry_after} if retry_after else {})


def patient(**bounds: float) -> tuple[Patience, list[float]]:
    waits: list[float] = []
    return Patience(sleep=waits.append, **bounds), waits  # type: ignore[arg-type]


def send(patience: Patience, answers: Answers) -> httpx.Response:
    return patience.send("GET /x", answers, lambda a: a.status_code, lambda a: a.headers.get("Retry-After"))


def test_a_429_is_waited_out_as_retry_after_says_and_the_request_sent_again():
    patience, waits = patient()
    answers = Answers((429, "1"), (201, None))
    assert send(patience, answers).status_code == 201
    assert answers.sent == 2 and waits == [1.0]
    assert patience.as_dict()["waited_out"] == {"429": 1} and patience.waited == 1.0
    assert "1 x 429 waited out (1.0 s waited)" in (patience.summary() or "")


def test_a_503_without_retry_after_waits_longer_each_time():
    patience, waits = patient(first_wait=0.5)
    answers = Answers((503, None), (503, None), (503, None), (200, None))
    assert send(patience, answers).status_code == 200
    assert waits == [0.5, 1.0, 2.0] and patience.waited_out[503] == 3


def test_a_long_retry_after_is_capped():
    patience, waits = patient(retry_after_cap=3.0)
    assert send(patience, Answers((429, "3600"), (200, None))).status_code == 200
    assert waits == [3.0]


def test_other_statuses_are_never_retried():
    patience, waits = patient()
    answers = Answers((500, "1"), (200, None))
    assert send(patience, answers).status_code == 500 and answers.sent == 1 and waits == []
    assert patience.summary() is None


def test_a_429_that_persists_past_the_bound_fails_saying_so():
    patience, waits = patient(tries=5)
    answers = Answers((429, "1"))
    with pytest.raises(PersistentRateLimiting,
                       match=r"GET /x: persistent rate limiting: the server answered 429 to 5 tries in a row "
                             r"over 4\.0 s of waiting \(every try was refused"):
        send(patience, answers)
    assert answers.sent == 5 and len(waits) == 4 and patience.persistent == 1


def test_the_run_stops_waiting_when_its_wait_budget_is_spent():
    patience, waits = patient(run_budget=2.5)
    send(patience, Answers((429, "1"), (429, "1"), (200, None)))
    with pytest.raises(PersistentRateLimiting, match="the run's wait budget is spent"):
        send(patience, Answers((429, "1")))
    assert sum(waits) <= 2.5


BUSY = b'{"error": {"code": "busy", "message": "try again later"}}'


def busy() -> httpx.Response:
    return httpx.Response(429, headers={"Retry-After": "1", "Content-Type": "application/json"}, stream=Replayed(BUSY))


class RefusedOnce(httpx.BaseTransport):
    """Forwards to the mock, but answers the first add 429: before processing it (`stored`
    False), or after the mock stored it (`stored` True, a server breaking RFC 6585)."""

    def __init__(self, mock: MockProcess, stored: bool) -> None:
        self.upstream = httpx.HTTPTransport()
        self.mock, self.stored = mock, stored
        self.log: list[str] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.log.append(f"{request.method} {request.url.path}")
        first_add = request.method == "POST" and self.log.count(f"POST {ADD.url_path()}") == 1
        if first_add and not self.stored:
            return busy()
        request.read()
        answer = self.upstream.handle_request(request)
        answer.read()
        if first_add:
            return busy()
        return httpx.Response(answer.status_code, headers=answer.headers, stream=Replayed(answer.content))


@pytest.fixture
def mock(tmp_path: Path) -> Iterator[MockProcess]:
    with running_mock(tmp_path / "db.sqlite3", {"API_TOKEN": TOKEN}) as process:
        yield process


def connectable(mock: MockProcess, nth: int) -> str:
    offered = httpx.get(mock.base_url + CONNECTABLE.url_path(), headers={"Authorization": TOKEN}).json()
    return str(offered[nth]["number"])


def api_through(mock: MockProcess, transport: RefusedOnce) -> TargetApi:
    # The run in progress: the judges' domain checks read it (ids seen, the ledger).
    run = start_run(SuiteRun(patience=Patience(sleep=lambda seconds: None)))
    return TargetApi(mock.base_url, TOKEN, load_schema(mock.base_url, TOKEN, 1, 0), run, transport=transport)


@pytest.mark.slow  # a real mock process
def test_an_add_refused_429_is_looked_up_in_the_listing_before_it_is_sent_again(mock: MockProcess):
    transport = RefusedOnce(mock, stored=False)
    api = api_through(mock, transport)
    answer = api.call(ADD.operation_id, as_json({**ADD.request_examples["seed"], "number": connectable(mock, 0)}))
    assert answer.status_code == 201, answer.text
    assert transport.log == [f"POST {ADD.url_path()}", f"GET {LISTING.url_path()}", f"POST {ADD.url_path()}"]
    assert api.run.patience.waited_out[429] == 1 and api.run.ledger.owns(answer.json()["id"])


@pytest.mark.slow  # a real mock process
def test_an_add_refused_429_that_the_listing_shows_stored_is_not_sent_again(mock: MockProcess):
    transport = RefusedOnce(mock, stored=True)
    api = api_through(mock, transport)
    number = connectable(mock, 1)
    with pytest.raises(StoredDespiteRefusal, match=r"answered 429/503, which refuses a request before processing "
                                                   r"it .* yet the listing shows the number stored \(id \d+\); "
                                                   r"the add was not sent again"):
        api.call(ADD.operation_id, as_json({**ADD.request_examples["seed"], "number": number}))
    assert transport.log == [f"POST {ADD.url_path()}", f"GET {LISTING.url_path()}"]
    assert api.run.ledger.held_numbers() == {number}  # the run deletes it at the end
