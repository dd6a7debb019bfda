"""The validating proxy as a real process: in front of the mock its answers are the direct
ones byte for byte; in front of a broken variant it names each violation; it writes the
reports when stopped, survives a slow client and an unreachable upstream, and never prints
the token."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.traffic_servers import Process, new_number, running_open_mock, running_proxy, running_variants
from vpbx_suite.mock_process import MockProcess, free_port
from vpbx_traffic.bounded import BoundedBody
from vpbx_traffic.proxy import main

# One worker for the whole module: its module-scoped fixtures (a mock and the proxy) then run once.
pytestmark = pytest.mark.xdist_group("traffic_proxy")

TOKEN = "proxy-s3cret-token"
AUTH = {"Authorization": TOKEN}
ADD = "/numbers/unconfirmed"


@pytest.fixture(scope="module")
def mock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MockProcess]:
    with running_open_mock(tmp_path_factory.mktemp("mock") / "mock.sqlite3", TOKEN) as process:
        yield process


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("reports")


@pytest.fixture(scope="module")
def proxy(mock: MockProcess, reports: Path) -> Iterator[Process]:
    # A small cap, so that the test of a large body stays small.
    with running_proxy(mock.base_url, str(reports), TRAFFIC_BODY_CAP="65536") as process:
        yield process


def test_a_bounded_body_keeps_nothing_once_over_its_cap() -> None:
    body = BoundedBody(cap=10)
    body.add(b"12345")
    body.add(b"67890")
    assert body.value() == b"1234567890"
    body.add(b"!")
    assert (body.value(), body.overflowed, body._chunks) == (None, True, [])


def fingerprint(response: httpx.Response) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    # The Date header is the one thing two answers a second apart may differ in.
    return response.status_code, [h for h in response.headers.raw if h[0].lower() != b"date"], response.content


def test_answers_through_the_proxy_are_the_direct_ones_byte_for_byte(mock: MockProcess, proxy: Process) -> None:
    added = httpx.post(proxy.url + ADD, headers=AUTH, json=new_number(1, comment="через прокси"))
    assert added.status_code == 201
    number_id = added.json()["id"]
    requests: list[tuple[str, str, dict[str, Any]]] = [
        ("GET", f"/numbers/virtual-number/{number_id}", {}),
        ("GET", "/numbers/virtual-number?type=def", {}),
        ("GET", "/numbers/virtual-number/999999", {}),
        ("POST", ADD, {"json": new_number(1)}),                       # 409
        ("POST", ADD, {"json": {"number": "7926"}}),                  # 400
        ("POST", ADD, {"content": b"{", "headers": {"Content-Type": "application/json"}}),
        ("POST", ADD, {"content": b"x", "headers": {"Content-Type": "text/plain"}}),  # 415
        ("PATCH", ADD, {}),                                           # 405 with Allow
        ("GET", "/no/such/path", {}),
    ]
    with httpx.Client(headers=AUTH) as client:
        for method, path, options in requests:
            direct = client.request(method, mock.base_url + path, **options)
            proxied = client.request(method, proxy.url + path, **options)
            assert fingerprint(proxied) == fingerprint(direct), (method, path)
        unauthorized = [client.get(base + "/numbers/virtual-number", headers={"Authorization": "wrong"})
                        for base in (mock.base_url, proxy.url)]
        assert fingerprint(unauthorized[0]) == fingerprint(unauthorized[1])


def test_a_large_body_is_forwarded_whole_but_not_kept(mock: MockProcess, proxy: Process) -> None:
    body = json.dumps(new_number(2, comment="x" * 200_000)).encode()  # over the proxy's cap
    direct = httpx.post(mock.base_url + ADD, headers={**AUTH, "Content-Type": "application/json"}, content=body)
    proxied = httpx.post(proxy.url + ADD, headers={**AUTH, "Content-Type": "application/json"}, content=body)
    assert direct.status_code == 413 and fingerprint(proxied) == fingerprint(direct)


def test_a_slow_client_does_not_stall_the_others(proxy: Process) -> None:
    halfway, others_answered = threading.Event(), threading.Event()
    body = json.dumps(new_number(3)).encode()

    def trickle() -> Iterator[bytes]:
        for index, byte in enumerate(body):
            if index == len(body) // 2:
                halfway.set()  # mid-body until the others have their answers
                others_answered.wait(60)
            time.sleep(0.012)  # the pacing is the point: a client sending byte by byte
            yield bytes([byte])

    slow = threading.Thread(target=lambda: httpx.post(proxy.url + ADD, headers={**AUTH, "Content-Type": "application/json"},
                                                      content=trickle(), timeout=120))
    slow.start()
    try:
        assert halfway.wait(60), "the slow client did not get halfway"
        # A proxy that served one request at a time would answer these only after the slow
        # body's last byte, which waits for them: they would time out.
        with httpx.Client(headers=AUTH, timeout=30) as client:
            for _ in range(5):
                assert client.get(proxy.url + "/numbers/virtual-number").status_code == 200
        assert slow.is_alive()
    finally:
        others_answered.set()
        slow.join()


@pytest.mark.slow
def test_an_unreachable_upstream_is_a_502_with_a_json_error(tmp_path: Path) -> None:
    with running_proxy(f"http://127.0.0.1:{free_port()}", str(tmp_path)) as process:
        answer = httpx.get(process.url + "/numbers/virtual-number", headers=AUTH)
    assert answer.status_code == 502 and answer.headers["content-type"] == "application/json"
    error = answer.json()["error"]
    assert error["code"] == "upstream_unreachable" and "could not be reached" in error["message"]


@pytest.mark.parametrize("upstream", [None, "", "simple-api.cp.megafon.ru", "ftp://example.org"])
def test_it_refuses_to_start_without_an_upstream(upstream: str | None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main({} if upstream is None else {"UPSTREAM": upstream}) == 2
    assert "UPSTREAM must be" in capsys.readouterr().err


@pytest.mark.slow
def test_a_broken_upstream_is_reported_line_by_line_and_in_the_reports(tmp_path: Path) -> None:
    with running_variants(TOKEN) as variants:
        upstream = f"{variants.url}/echoes-another-comment"
        with running_proxy(upstream, str(tmp_path)) as process:
            with httpx.Client(headers=AUTH) as client:
                direct = client.post(upstream + ADD, json=new_number(4, comment=TOKEN))
                proxied = client.post(process.url + ADD, json=new_number(5, comment=TOKEN))
                client.get(process.url + "/numbers/virtual-number")
            assert proxied.content == direct.content.replace(b"79260000004", b"79260000005").replace(b'"id": 1', b'"id": 2')
            assert process.stop() == 1  # Ctrl-C; the server broke the contract: the verdict
            output = process.output()
    # Exchange 0 was the readiness probe (GET /): forwarded, counted, no operation of the document.
    assert "violation: entry 1 (" in output and "echoes_request_fields" in output
    assert "traffic: FAIL" in output and TOKEN not in output
    violations = json.loads((tmp_path / "traffic-violations.json").read_text())
    assert [(item["entry"], item["rule"]) for item in violations["items"]] == [(1, "echoes_request_fields")]
    coverage = json.loads((tmp_path / "traffic-coverage.json").read_text())
    assert (coverage["exchanges"]["checked"], coverage["exchanges"]["other_path"]) == (2, 1)
    assert all(TOKEN not in path.read_text() for path in tmp_path.iterdir())
    assert "traffic: FAIL" in (tmp_path / "traffic-report.html").read_text(encoding="utf-8")  # written at shutdown


@pytest.mark.slow
def test_reports_of_a_session_in_front_of_the_mock(mock: MockProcess, reports: Path) -> None:
    """Its own proxy: the module's proxy is still in use by other tests."""
    session = reports / "session"
    with running_proxy(mock.base_url, str(session), TRAFFIC_BODY_CAP="1024") as process:
        added = httpx.post(process.url + ADD, headers=AUTH, json=new_number(6)).json()
        httpx.get(process.url + f"/numbers/virtual-number/{added['id']}", headers=AUTH)  # under the cap
        large = httpx.post(process.url + ADD, headers=AUTH, json=new_number(7, comment="x" * 2000))
        assert large.status_code == 400  # forwarded whole: the mock saw the over-long comment
        assert process.stop() == 0
        output = process.output()
    assert "traffic: PASS" in output and TOKEN not in output
    coverage = json.loads((session / "traffic-coverage.json").read_text())
    assert (coverage["exchanges"]["conforming"], coverage["exchanges"]["too_large"]) == (2, 1)
    assert coverage["coverage"]["operations"]["addMobileNumber"]["statuses"]["observed"] == {"201": 1}


@pytest.mark.slow
def test_a_session_that_judged_nothing_exits_2_and_says_why(mock: MockProcess, reports: Path) -> None:
    with running_proxy(mock.base_url, str(reports / "idle")) as process:
        httpx.get(process.url + "/favicon.ico", headers=AUTH)  # no operation of the document
        assert process.stop() == 2
        output = process.output()
    # The readiness probe of "/" is an exchange too: neither belongs to an operation.
    assert "traffic: NOTHING JUDGED (none of the" in output and "for no operation of the document" in output
