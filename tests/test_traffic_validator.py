"""The HAR validator on files recorded from the mock and from broken variants: conforming
traffic passes, each broken rule is named with the entry, other traffic is counted and
ignored, and the token never appears in any output."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.traffic_har import HarRecorder
from tests.traffic_servers import Process, VARIANTS, new_number, running_open_mock, running_variants
from vpbx_suite.mock_process import MockProcess
from vpbx_spec.document import REPOSITORY_ROOT
from vpbx_traffic.har import main

# One worker for the whole module: its module-scoped fixtures (a mock and the variants' server) then run once.
pytestmark = pytest.mark.xdist_group("traffic_validator")

TOKEN = "traffic-s3cret-token"
ADD = "/numbers/unconfirmed"


@pytest.fixture(scope="module")
def mock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MockProcess]:
    with running_open_mock(tmp_path_factory.mktemp("mock") / "mock.sqlite3", TOKEN) as process:
        yield process


@pytest.fixture(scope="module")
def variants() -> Iterator[Process]:
    with running_variants(TOKEN) as process:
        yield process


def record(base_url: str, path: Path, send: Any) -> Path:
    recorder = HarRecorder()
    with httpx.Client(base_url=base_url, headers={"Authorization": TOKEN}, event_hooks=recorder.hooks) as client:
        send(client)
    return recorder.save(path)


def lifecycle(client: httpx.Client) -> None:
    """Every operation, with successes and the documented refusals."""
    client.get("/numbers/def-virtual-number-capacity")
    added = client.post(ADD, json={**new_number(1), "comment": "first"}).json()
    client.post(ADD, json=new_number(2))
    client.post(ADD, json=new_number(1))                      # 409 duplicate
    client.get(f"/numbers/virtual-number/{added['id']}")
    client.get("/numbers/virtual-number", params={"type": "def"})
    client.put(f"/numbers/virtual-number/{added['id']}",
               json={"id": added["id"], "purpose": "employee", "employee_id": 7})
    client.put(f"/numbers/virtual-number/{added['id']}", json={"id": added["id"], "purpose": "company"})
    client.delete(f"/numbers/virtual-number/{added['id']}")
    client.get(f"/numbers/virtual-number/{added['id']}")     # 404 once deleted
    client.get("/numbers/virtual-number", headers={"Authorization": "wrong"})  # 401


def report(directory: Path, name: str) -> dict[str, Any]:
    return json.loads((directory / f"traffic-{name}.json").read_text(encoding="utf-8"))


@pytest.mark.slow
def test_traffic_recorded_from_the_mock_conforms(mock: MockProcess, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    path = record(mock.base_url, tmp_path / "mock.har", lifecycle)
    assert main([str(path), "--base-url", mock.base_url, "--report-dir", str(tmp_path)]) == 0
    assert "traffic: PASS" in capsys.readouterr().out
    coverage = report(tmp_path, "coverage")
    assert coverage["exchanges"]["checked"] == 11 and coverage["exchanges"]["conforming"] == 11
    operations = coverage["coverage"]["operations"]
    assert operations["addMobileNumber"]["statuses"]["observed"] == {"201": 2, "409": 1}
    assert operations["addMobileNumber"]["enums"]["state"]["seen"] == ["activation"]
    assert "employee_id" in operations["editMobileNumber"]["nullable"]["null_and_non_null"]
    assert report(tmp_path, "violations")["items"] == []


@pytest.mark.parametrize("slug", [slug for slug, (_, rule) in VARIANTS.items() if rule])
def test_traffic_from_a_broken_variant_fails_naming_the_rule(slug: str, variants: Process, tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    base_url = f"{variants.url}/{slug}"

    def send(client: httpx.Client) -> None:
        client.get("/numbers/virtual-number")  # an empty listing: conforms everywhere
        client.post(ADD, json={**new_number(11), "comment": "kept"})
        client.post(ADD, json={**new_number(12), "comment": "kept"})

    path = record(base_url, tmp_path / f"{slug}.har", send)
    assert main([str(path), "--base-url", base_url, "--report-dir", str(tmp_path)]) == 1
    rule = VARIANTS[slug][1]
    items = report(tmp_path, "violations")["items"]
    # A schemathesis failure several checks raised is named by all of them ("a,b").
    assert rule in {name for item in items for name in item["rule"].split(",")}
    assert {item["entry"] for item in items} <= {1, 2} and all(item["time"] for item in items)
    out = capsys.readouterr().out
    assert f"violation: entry {items[0]['entry']} (" in out and rule in out and "traffic: FAIL" in out


def test_unique_ids_are_judged_across_the_whole_file(variants: Process, tmp_path: Path) -> None:
    base_url = f"{variants.url}/reuses-an-id"
    path = record(base_url, tmp_path / "one.har", lambda client: client.post(ADD, json=new_number(21)))
    assert main([str(path), "--base-url", base_url, "--report-dir", str(tmp_path)]) == 0  # one add: no reuse yet
    entries = json.loads(path.read_text())["log"]["entries"]
    later = record(base_url, tmp_path / "two.har", lambda client: client.post(ADD, json=new_number(22)))
    entries += json.loads(later.read_text())["log"]["entries"]
    path.write_text(json.dumps({"log": {"version": "1.2", "entries": entries}}))
    assert main([str(path), "--base-url", base_url, "--report-dir", str(tmp_path)]) == 1
    [item] = report(tmp_path, "violations")["items"]
    assert (item["rule"], item["entry"]) == ("ids_are_unique", 1)


def test_a_request_outside_its_schema_is_the_clients_problem_not_the_servers(
        mock: MockProcess, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Production traffic always holds some client errors: rightly refused, they are printed
    and written apart, and the verdict is the server's; CLIENTS=strict fails on them too."""
    def send(client: httpx.Client) -> None:
        client.post(ADD, json={**new_number(31), "purpose": "\u0441ompany"})  # answered 400, rightly
        client.get("/numbers/virtual-number/abc")                             # answered 400, rightly
        lifecycle(client)

    path = record(mock.base_url, tmp_path / "bad-request.har", send)
    assert main([str(path), "--base-url", mock.base_url, "--report-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[-1].startswith("traffic: PASS (the server conforms: 0 violations; 2 client problems")
    assert "client problem: entry 0 (" in out and "violation:" not in out
    assert report(tmp_path, "violations")["items"] == []
    first, second = report(tmp_path, "client-problems")["items"]
    assert (first["rule"], first["status"], first["party"]) == ("request_schema_conformance", 400, "client")
    assert first["message"].startswith("purpose: ")
    assert "path parameter id='abc'" in second["message"]
    assert main([str(path), "--base-url", mock.base_url, "--report-dir", str(tmp_path), "--clients", "strict"]) == 1
    assert "CLIENTS=strict" in capsys.readouterr().out.splitlines()[-1]


def test_an_invalid_request_the_server_accepts_is_the_servers_violation(variants: Process, tmp_path: Path) -> None:
    base_url = f"{variants.url}/accepts-an-unknown-property"
    path = record(base_url, tmp_path / "accepted.har",
                  lambda client: client.post(ADD, json={**new_number(33), "numbe": "x"}))
    assert main([str(path), "--base-url", base_url, "--report-dir", str(tmp_path)]) == 1
    [item] = report(tmp_path, "violations")["items"]
    assert item["rule"] == "invalid_request_accepted" and item["status"] == 201
    assert report(tmp_path, "client-problems")["items"][0]["rule"] == "request_schema_conformance"


def test_a_file_with_nothing_to_judge_exits_2_and_says_why(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "empty.har"
    empty.write_text(json.dumps({"log": {"version": "1.2", "entries": []}}))
    assert main([str(empty), "--report-dir", str(tmp_path)]) == 2
    assert "nothing judged: there is no exchange to judge" in capsys.readouterr().err


def test_other_hosts_and_paths_are_counted_and_ignored(mock: MockProcess, variants: Process, tmp_path: Path) -> None:
    recorder = HarRecorder()
    with httpx.Client(headers={"Authorization": TOKEN}, event_hooks=recorder.hooks) as client:
        client.post(f"{variants.url}/answer-without-id{ADD}", json=new_number(41))  # another origin
        client.get(f"{mock.base_url}/favicon.ico")                                 # no such operation
        client.post(f"{mock.base_url}/numbers/virtual-number", json={})           # no such method
        client.get(f"{mock.base_url}/numbers/virtual-number")
    path = recorder.save(tmp_path / "mixed.har")
    assert main([str(path), "--base-url", mock.base_url, "--report-dir", str(tmp_path)]) == 0
    assert report(tmp_path, "coverage")["exchanges"] | {} == {
        "entries": 4, "checked": 1, "conforming": 1, "violating": 0, "client_problems": 0, "other_host": 1,
        "other_path": 2,
        "too_large": 0, "body_not_recorded": 0}


@pytest.mark.slow
def test_a_file_of_another_server_says_so(mock: MockProcess, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    path = record(mock.base_url, tmp_path / "mock.har", lambda client: client.get("/numbers/virtual-number"))
    assert main([str(path), "--report-dir", str(tmp_path)]) == 2  # judged against production: nothing judged
    captured = capsys.readouterr()
    assert "no exchange belongs to https://simple-api.cp.megafon.ru" in captured.err and "set BASE_URL" in captured.err
    assert captured.out.splitlines()[-1].startswith("traffic: NOTHING JUDGED (")
    assert report(tmp_path, "coverage")["exchanges"]["other_host"] == 1


def test_the_token_never_appears_in_any_output(variants: Process, tmp_path: Path) -> None:
    """Even when a message would quote it: a comment equal to the token, echoed wrongly."""
    base_url = f"{variants.url}/echoes-another-comment"
    path = record(base_url, tmp_path / "secret.har",
                  lambda client: client.post(ADD, json={**new_number(51), "comment": TOKEN}))
    assert TOKEN in path.read_text()
    reports = tmp_path / "reports"
    finished = subprocess.run([sys.executable, "-m", "vpbx_traffic.har", str(path), "--base-url", base_url,
                               "--report-dir", str(reports)], cwd=REPOSITORY_ROOT, capture_output=True,
                              text=True, timeout=60)
    assert finished.returncode == 1
    assert "echoes_request_fields" in finished.stdout and "[Filtered]" in finished.stdout
    outputs = [finished.stdout, finished.stderr, *(p.read_text() for p in reports.iterdir())]
    assert all(TOKEN not in output for output in outputs)
    page = (reports / "traffic-report.html").read_text(encoding="utf-8")
    assert "echoes_request_fields" in page and "[Filtered]" in page  # the message is there, scrubbed
