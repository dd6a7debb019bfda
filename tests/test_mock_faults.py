"""MOCK_FAULTS: the grammar, the seeded draws, and each fault kind checked through plain HTTP
against a real mock process (python -m vpbx_mock, and make mock)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest

from vpbx_mock.faults import Decision, FaultDraws, FaultPlan, Latency, Outcome, RetryAfter, SlowBody
from vpbx_mock.settings import Settings
from vpbx_spec.document import REPOSITORY_ROOT
from vpbx_suite.mock_process import MOCK_VARIABLES, free_port, running_mock, wait_until_answering

TOKEN = "faults-token"
AUTH = {"Authorization": TOKEN}
ADD, LIST, ONE = "/numbers/unconfirmed", "/numbers/virtual-number", "/numbers/virtual-number/{}"


def add_body(number: str) -> dict[str, str]:
    return {"number": number, "dgn_number": "74991234567", "purpose": "company", "type": "def"}


def numbers(count: int, start: int = 0) -> list[str]:
    return [f"7916{index:07d}" for index in range(start, start + count)]


def faulty_mock(tmp_path: Path, spec: str, seed: str, name: str = "db.sqlite3"):
    return running_mock(tmp_path / name, {"API_TOKEN": TOKEN, "MOCK_CONNECTABLE": "any",
                                          "MOCK_FAULTS": spec, "MOCK_FAULTS_SEED": seed})


# --- the grammar -------------------------------------------------------------------------

@pytest.mark.parametrize(("spec", "fault"), [
    ("latency=20ms", Latency(0.02, 0.02, 1.0)),
    ("latency=1.5s@10%", Latency(1.5, 1.5, 0.1)),
    ("latency=10-200ms", Latency(0.01, 0.2, 1.0)),
    ("latency=10ms-1s", Latency(0.01, 1.0, 1.0)),
    ("status=503@10%", Outcome("status", 0.1, 503)),
    (" status = 429 @ 2.5% ", Outcome("status", 0.025, 429)),
    ("status-after=500@5%", Outcome("status-after", 0.05, 500)),
    ("reset-before@5%", Outcome("reset-before", 0.05)),
    ("reset-after@100%", Outcome("reset-after", 1.0)),
    ("slow-body=16/50ms", SlowBody(16, 0.05, 1.0)),
    ("slow-body=1/1s@50%", SlowBody(1, 1.0, 0.5)),
    ("retry-after=0", RetryAfter(0)),
    ("retry-after=none", RetryAfter(None)),
])
def test_each_kind_parses(spec, fault):
    plan = FaultPlan.parse(spec, "1")
    assert [rule.fault for rule in plan.rules] == [fault]
    assert plan.rules[0].operation is None


def test_rules_are_per_operation_or_for_all_and_combine():
    plan = FaultPlan.parse("latency=5ms; addMobileNumber:latency=10ms; addMobileNumber:status=503@10%;"
                           " reset-after@5%; retry-after=3; getVirtualNumber:retry-after=none;"
                           " slow-body=8/1ms; addMobileNumber:slow-body=4/2ms;", "1")
    add, get = plan.by_operation["addMobileNumber"], plan.by_operation["getVirtualNumber"]
    assert [latency.low_s for latency in add.latencies] == [0.005, 0.01]
    assert [outcome.label for outcome in add.outcomes] == ["reset-after", "status 503"]
    assert (add.slow_body, add.retry_after_s) == (SlowBody(4, 0.002, 1.0), 3)
    assert ([latency.low_s for latency in get.latencies], [o.label for o in get.outcomes]) == ([0.005], ["reset-after"])
    assert (get.slow_body, get.retry_after_s) == (SlowBody(8, 0.001, 1.0), None)
    assert len(plan.describe()) == 1 + 8  # the seed, then one line per rule


@pytest.mark.parametrize("spec", [
    ";", "status=503", "status=600@10%", "status=503@0%", "status=503@101%", "status=503@ten%",
    "reset-after=5@5%", "reset-after", "latency=abc", "latency=20", "latency=200-10ms",
    "latency=10000s", "slow-body=16", "slow-body=0/10ms", "slow-body=a/10ms", "retry-after=-1",
    "retry-after=1.5", "retry-after=1@5%", "teleport@5%", "nope:status=503@5%",
    "status=503@60%; reset-after@50%", "addMobileNumber:status=503@60%; reset-after@50%",
])
def test_a_bad_spec_is_one_line_of_value_error(spec):
    with pytest.raises(ValueError) as caught:
        FaultPlan.parse(spec, "1")
    message = str(caught.value)
    assert message.startswith("MOCK_FAULTS") and "\n" not in message


@pytest.mark.parametrize("seed", ["-1", "1.5", "abc", "٣", str(2**64)])
def test_a_bad_seed_is_refused(seed):
    with pytest.raises(ValueError, match="MOCK_FAULTS_SEED"):
        FaultPlan.parse("status=503@10%", seed)


def test_settings_read_mock_faults_and_an_empty_value_means_off():
    assert Settings.from_environment({"MOCK_FAULTS": " "}).faults is None
    assert Settings.from_environment({"MOCK_FAULTS_SEED": "5"}).faults is None
    plan = Settings.from_environment({"MOCK_FAULTS": "status=503@10%", "MOCK_FAULTS_SEED": "42"}).faults
    assert plan is not None and (plan.seed, plan.seed_given) == (42, True)
    drawn = Settings.from_environment({"MOCK_FAULTS": "status=503@10%"}).faults
    assert drawn is not None and not drawn.seed_given
    assert f"MOCK_FAULTS_SEED={drawn.seed}" in drawn.describe()[0]  # printed, so it can be repeated


# --- the seeded draws ----------------------------------------------------------------------

def decisions(spec: str, seed: str, operations: list[str]) -> list[str]:
    draws = FaultDraws(FaultPlan.parse(spec, seed))
    return [(d.outcome.label if d.outcome else "-") for d in map(draws.decide, operations)]


def test_the_same_seed_draws_the_same_faults_and_another_seed_others():
    spec = "status=503@10%; reset-after@10%; addMobileNumber:status-after=500@10%"
    sequence = ["addMobileNumber", "getVirtualNumber", "editMobileNumber"] * 200
    assert decisions(spec, "7", sequence) == decisions(spec, "7", sequence)
    assert decisions(spec, "7", sequence) != decisions(spec, "8", sequence)


def test_outcomes_take_their_shares():
    spec = "status=503@10%; reset-before@5%; addMobileNumber:reset-after@20%"
    counts = Counter(decisions(spec, "3", ["addMobileNumber"] * 20_000))
    for label, share in [("status 503", 0.10), ("reset-before", 0.05), ("reset-after", 0.20), ("-", 0.65)]:
        assert counts[label] / 20_000 == pytest.approx(share, abs=0.01), counts


# --- through plain HTTP ------------------------------------------------------------------

MIXED = ("addMobileNumber:status=503@10%; addMobileNumber:status=429@5%; addMobileNumber:retry-after=2;"
         " addMobileNumber:status-after=502@5%; addMobileNumber:reset-before@10%;"
         " addMobileNumber:reset-after@10%;"
         " getVirtualNumber:status=500@10%; getVirtualNumber:status=429@10%;"
         " getVirtualNumber:retry-after=none; getVirtualNumber:slow-body=100/25ms@5%;"
         " editMobileNumber:latency=20-60ms; listVirtualNumbers:latency=50ms")
ADDS, READS, EDITS = 400, 200, 12


def observe(response_or_error: httpx.Response | Exception) -> str:
    """What the client saw, in the words of Outcome.label ("-": the normal answer)."""
    if isinstance(response_or_error, Exception):
        assert isinstance(response_or_error, (httpx.ReadError, httpx.RemoteProtocolError)), response_or_error
        return "reset"
    if response_or_error.status_code >= 429 and response_or_error.json()["error"]["code"] == "injected_fault":
        return f"status {response_or_error.status_code}"
    return "-"


def expected(decision: Decision) -> str:
    """What the client should see for a decision of the plan."""
    if decision.outcome is None:
        return "-"
    return f"status {decision.outcome.status}" if decision.outcome.status else "reset"


def send(client: httpx.Client, method: str, url: str, **kwargs) -> httpx.Response | Exception:
    try:
        return client.request(method, url, **kwargs)
    except httpx.TransportError as error:
        return error


@pytest.mark.slow
def test_every_kind_does_what_it_says_through_http(tmp_path):
    seed = "20"
    draws = FaultDraws(FaultPlan.parse(MIXED, seed))  # the same plan, replayed: the prediction
    with faulty_mock(tmp_path, MIXED, seed) as mock, \
            httpx.Client(base_url=mock.base_url, headers=AUTH, timeout=10) as client:
        assert f"MOCK_FAULTS: faults injected on purpose, seed {seed}" in mock.output()
        assert mock.output().count("  [") == MIXED.count(";") + 1  # one line per rule

        predicted_adds = [draws.decide("addMobileNumber") for _ in range(ADDS)]
        seen_adds = []
        for number in numbers(ADDS):
            answer = send(client, "POST", ADD, json=add_body(number))
            seen_adds.append(answer)
            if not isinstance(answer, Exception) and answer.status_code in (429, 503):
                assert answer.headers.get("retry-after") == "2"  # addMobileNumber:retry-after=2
            elif not isinstance(answer, Exception) and answer.status_code == 502:
                assert "retry-after" not in answer.headers
        assert [observe(a) for a in seen_adds] == [expected(d) for d in predicted_adds]
        stored = {record["number"]: record["id"] for record in client.get(LIST).json()}
        processed = [n for n, d in zip(numbers(ADDS), predicted_adds) if d.outcome is None or d.outcome.processed]
        assert sorted(stored) == processed  # reset-after and status-after stored it; the others did not
        counts = Counter(observe(a) for a in seen_adds)
        assert counts["status 503"] / ADDS == pytest.approx(0.10, abs=0.05)
        assert counts["status 429"] / ADDS == pytest.approx(0.05, abs=0.04)
        assert counts["reset"] / ADDS == pytest.approx(0.20, abs=0.06)

        an_id = next(iter(stored.values()))
        predicted_reads = [draws.decide("getVirtualNumber") for _ in range(READS)]
        for decision in predicted_reads:
            started = time.perf_counter()
            arrivals, chunks_seen = [], []
            with client.stream("GET", ONE.format(an_id)) as streamed:
                for chunk in streamed.iter_raw():
                    arrivals.append(time.perf_counter() - started)
                    chunks_seen.append(chunk)
            response = httpx.Response(streamed.status_code, headers=streamed.headers,
                                      content=b"".join(chunks_seen))
            assert observe(response) == expected(decision)
            if response.status_code == 429:
                assert "retry-after" not in response.headers  # retry-after=none
            if decision.outcome is None and decision.slow_body is not None:
                chunks = -(-int(response.headers["content-length"]) // 100)
                assert len(arrivals) >= chunks - 1 >= 3  # the kernel may join two chunks
                assert arrivals[-1] >= (chunks - 1) * 0.025 * 0.9
            elif decision.outcome is None:
                assert len(arrivals) <= 2  # not trickled: the body came whole (a trickled one: 4+ chunks)

        for index in range(EDITS):
            decision = draws.decide("editMobileNumber")
            started = time.perf_counter()
            response = client.put(ONE.format(an_id), json={"id": an_id, "purpose": "company", "comment": str(index)})
            elapsed = time.perf_counter() - started
            assert response.status_code == 200
            assert decision.latency_s <= elapsed < decision.latency_s + 0.5  # generous: a busy machine
            assert 0.02 <= decision.latency_s <= 0.06
        for _ in range(3):
            started = time.perf_counter()
            assert client.get(LIST).status_code == 200
            assert time.perf_counter() - started >= 0.05
        mock.stop()
        summary = [line for line in mock.output().splitlines() if "faults injected over" in line]
        assert summary and f"over {ADDS + READS + EDITS + 1 + 3} requests" in summary[0]


def run_sequence(tmp_path: Path, name: str, seed: str) -> list[str]:
    spec = "status=503@15%; reset-before@10%; addMobileNumber:reset-after@10%"
    with faulty_mock(tmp_path, spec, seed, name) as mock, \
            httpx.Client(base_url=mock.base_url, headers=AUTH, timeout=10) as client:
        return [observe(send(client, "POST", ADD, json=add_body(number))) for number in numbers(60)]


@pytest.mark.slow
def test_two_runs_with_the_same_seed_inject_the_same_faults(tmp_path):
    first = run_sequence(tmp_path, "first.sqlite3", "99")
    assert first == run_sequence(tmp_path, "second.sqlite3", "99")
    assert len(set(first)) == 3  # normal answers, 503s and resets


def clean_environment() -> dict[str, str]:
    return {name: value for name, value in os.environ.items() if name not in MOCK_VARIABLES}


@pytest.mark.parametrize("spec", ["status=503", "status=503@10%; latency=fast", "nope:reset-after@5%"])
def test_a_bad_mock_faults_exits_2_with_one_line(spec):
    result = subprocess.run([sys.executable, "-m", "vpbx_mock"], cwd=REPOSITORY_ROOT,
                            env={**clean_environment(), "MOCK_FAULTS": spec, "PORT": str(free_port())},
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert result.stderr.startswith("vpbx_mock: MOCK_FAULTS: ")


@pytest.mark.slow
def test_a_started_mock_never_inherits_mock_faults(tmp_path, monkeypatch):
    """The contract suite starts its mock with start_mock: a MOCK_FAULTS left in the shell must
    not make it run against a faulty mock."""
    monkeypatch.setenv("MOCK_FAULTS", "status=503@100%")
    monkeypatch.setenv("MOCK_FAULTS_SEED", "1")
    with running_mock(tmp_path / "db.sqlite3", {"API_TOKEN": TOKEN}) as mock:
        answers = [httpx.get(mock.base_url + LIST, headers=AUTH).status_code for _ in range(20)]
        assert answers == [200] * 20
        assert "MOCK_FAULTS" not in mock.output()


@pytest.mark.slow
def test_make_mock_injects_what_mock_faults_says(tmp_path):
    port = free_port()
    command = ["make", "--no-print-directory", "mock", f"PORT={port}", f"MOCK_DB={tmp_path / 'db.sqlite3'}",
               f"API_TOKEN={TOKEN}", "MOCK_ACCESS_LOG=0", "MOCK_CONNECTABLE=any",
               "MOCK_FAULTS=listVirtualNumbers:status=503@100%; latency=30ms; addMobileNumber:latency=400ms",
               "MOCK_FAULTS_SEED=4"]
    output = tmp_path / "make.log"
    with output.open("wb") as log:
        process = subprocess.Popen(command, cwd=REPOSITORY_ROOT, env=clean_environment(),
                                   stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        base_url = f"http://127.0.0.1:{port}"
        wait_until_answering(process, base_url + "/", output.read_text)  # type: ignore[arg-type]
        started = time.perf_counter()
        listed = httpx.get(base_url + LIST, headers=AUTH)
        assert time.perf_counter() - started >= 0.03
        assert (listed.status_code, listed.headers["retry-after"]) == (503, "1")
        assert httpx.get(base_url + ONE.format(1), headers=AUTH).status_code == 404  # not injected
        # A client that gives up on a slow add does not stop it: the add is stored all the same.
        with pytest.raises(httpx.ReadTimeout):
            httpx.post(base_url + ADD, json=add_body(numbers(1)[0]), headers=AUTH, timeout=0.1)
        time.sleep(0.6)
        assert httpx.get(base_url + ONE.format(1), headers=AUTH).status_code == 200
        assert "seed 4 (from MOCK_FAULTS_SEED)" in output.read_text()
    finally:
        os.killpg(process.pid, signal.SIGTERM)  # make and the mock it started: the group we made
        process.wait(timeout=10)


def test_every_example_of_the_docs_parses_and_its_printed_lines_are_the_mocks():
    page = (REPOSITORY_ROOT / "docs" / "mock-faults.md").read_text(encoding="utf-8")
    specs = re.findall(r"MOCK_FAULTS='([^']*)'", page)
    assert len(specs) > 15
    for spec in specs:
        if spec == "status=600@10%":  # the page's example of a bad value
            with pytest.raises(ValueError):
                FaultPlan.parse(spec, "7")
            continue
        FaultPlan.parse(spec, "7")
    printed = FaultPlan.parse("status=503@10%; reset-after@5%", "7").describe()
    for line in printed:
        assert f"vpbx mock: {line}\n" in page
