"""`make contract`, end to end: against the bundled mock, against a named server, and the
safety switch. These run the real command in a subprocess, as a user would."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

import httpx

from tests.selftest.processes import running_selftest_server
from vpbx_suite.contract import bundled_facts
from vpbx_suite.mock_process import running_mock
from vpbx_spec.document import REPOSITORY_ROOT

pytestmark = pytest.mark.slow
FACTS = bundled_facts()
LIFE = FACTS.lifecycle


def contract(env: dict[str, str], *, via_make: bool = False) -> subprocess.CompletedProcess[str]:
    environment = {key: value for key, value in os.environ.items()
                   if key not in ("BASE_URL", "API_TOKEN", "ALLOW_WRITES", "SEED", "MAX_EXAMPLES",
                                  "OPERATIONS", "NUMBERS", "MAX_WRITES", "REQUIRE_COMPLETE", "OTHER_API_TOKEN")}
    environment.update(env)
    command = ["make", "--no-print-directory", "contract"] if via_make else [sys.executable, "-m", "vpbx_suite"]
    return subprocess.run(command, cwd=REPOSITORY_ROOT, env=environment, capture_output=True,
                          text=True, timeout=180)


def junit_totals(path: Path) -> dict[str, int]:
    suite = ElementTree.parse(path).getroot()
    suite = suite if suite.tag == "testsuite" else suite.find("testsuite")
    assert suite is not None
    return {key: int(suite.get(key, "0")) for key in ("tests", "failures", "errors", "skipped")}


def test_make_contract_passes_on_the_bundled_mock(tmp_path: Path):
    result = contract({"REPORT_DIR": str(tmp_path), "MAX_EXAMPLES": "20", "SEED": "7"}, via_make=True)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    assert output.splitlines()[-1] == "contract: PASS", output[-1500:]  # complete: nothing left out
    assert "bundled mock" in output and "SEED=7" in output
    totals = junit_totals(tmp_path / "contract-junit.xml")
    assert totals["tests"] > 400 and totals["failures"] == totals["errors"] == totals["skipped"] == 0, totals
    coverage = json.loads((tmp_path / "contract-coverage.json").read_text(encoding="utf-8"))["operations"]
    assert set(coverage) == set(FACTS.operations)
    expected = {"addMobileNumber": ("201", "400", "401", "409", "413", "415", "422"),
                "getVirtualNumber": ("200", "400", "404"), "editMobileNumber": ("200", "400", "404"),
                "deleteVirtualNumber": ("200", "404"), "listVirtualNumbers": ("200", "400"),
                "listConnectableMobileNumbers": ("200", "401")}
    for operation, statuses in expected.items():
        observed = coverage[operation]["statuses"]["observed"]
        assert set(statuses) <= set(observed), f"{operation} never answered {set(statuses) - set(observed)}"
        assert coverage[operation]["statuses"]["undocumented_observed"] == []
    assert "employee" in coverage["getVirtualNumber"]["enums"]["purpose"]["seen"]
    assert "employee_id" in coverage["getVirtualNumber"]["nullable"]["null_and_non_null"]
    assert re.search(r"contract: cleanup: added (\d+) numbers, deleted \1, left 0", output), output[-2000:]
    assert re.search(r"contract: \d{3,} edge cases ran", output)
    assert f"JUnit report {tmp_path / 'contract-junit.xml'}" in output


def _holdings(client: httpx.Client) -> dict[int, bytes]:
    """Every number on the account, by id, as the server's bytes for its record."""
    listing = client.get(FACTS.operations[LIFE.listing].url_path())
    return {item["id"]: client.get(FACTS.operations[LIFE.read].url_path(id=item["id"])).content
            for item in listing.json()}


def _hold_numbers(client: httpx.Client) -> None:
    """A customer's own numbers, one of them assigned to an employee."""
    offered = client.get(FACTS.operations[LIFE.connectable].url_path()).json()
    seed = FACTS.operations[LIFE.add].request_examples["seed"]
    for item in offered[:3]:
        added = client.post(FACTS.operations[LIFE.add].url_path(), json={**seed, "number": item["number"]})
        assert added.status_code == 201, added.text
    record_id = added.json()["id"]
    edit = {"id": record_id, "purpose": "employee", "employee_id": 77, "comment": "the customer's"}
    assert client.put(FACTS.operations[LIFE.edit].url_path(id=record_id), json=edit).status_code == 200


def test_a_full_run_leaves_a_server_as_it_found_it_and_never_prints_the_token(tmp_path: Path):
    """Numbers both accounts held before are byte-identical after; the run deletes what it
    added on each account, and neither token appears anywhere."""
    token, other = "named-server-token-5f0c2a", "second-account-token-8d31"
    with running_mock(tmp_path / "db.sqlite3", {"API_TOKENS": f"{token},{other}"}) as mock:
        with httpx.Client(base_url=mock.base_url, headers={"Authorization": token}) as client, \
                httpx.Client(base_url=mock.base_url, headers={"Authorization": other}) as second:
            _hold_numbers(client)
            before = _holdings(client)
            _hold_numbers(second)
            second_before = _holdings(second)
            result = contract({"BASE_URL": mock.base_url, "API_TOKEN": token, "OTHER_API_TOKEN": other,
                               "REPORT_DIR": str(tmp_path), "MAX_EXAMPLES": "10"})
            after, second_after = _holdings(client), _holdings(second)
    output = result.stdout + result.stderr
    assert result.returncode == 0 and output.strip().splitlines()[-1] == "contract: PASS", output[-3000:]
    assert f"target {mock.base_url} (external server)" in output
    assert after == before and second_after == second_before, "the run changed or left numbers on an account"
    assert "for an id this run did not add" in output  # generation tried; the guard kept it off
    assert re.search(r"cleanup: added (\d+) numbers on the second account \(OTHER_API_TOKEN\), deleted \1, left 0",
                     output), output[-2000:]
    for report in tmp_path.glob("contract-*"):
        text = report.read_text(encoding="utf-8")
        assert token not in text and other not in text, report
    assert token not in output and other not in output


def test_without_a_second_account_the_isolation_checks_are_counted_as_not_run(tmp_path: Path):
    token = "one-account-token-2b6f"
    with running_mock(tmp_path / "db.sqlite3", {"API_TOKEN": token}) as mock:
        result = contract({"BASE_URL": mock.base_url, "API_TOKEN": token, "REPORT_DIR": str(tmp_path),
                           "MAX_EXAMPLES": "5"})
    assert result.returncode == 0, result.stdout[-6000:]
    # 10 account checks, 8 of non-interference and 3 groups of requests at once from both accounts.
    assert re.fullmatch(r"contract: PASS \(partial: 21 of \d+ checks not run: no second account \(OTHER_API_TOKEN\) 21\)",
                        last_line(result)), last_line(result)


def test_a_failing_run_leaves_a_server_as_it_found_it_too(tmp_path: Path):
    """A server that breaks the contract (it echoes another comment): the run fails, and the
    numbers held before are still byte-identical after it."""
    token = "failing-server-token-41c9"
    with running_selftest_server(token) as server_url:
        base_url = f"{server_url}/echoes-another-comment"
        with httpx.Client(base_url=base_url, headers={"Authorization": token}) as client:
            _hold_numbers(client)
            before = _holdings(client)
            result = contract({"BASE_URL": base_url, "API_TOKEN": token, "REPORT_DIR": str(tmp_path),
                               "MAX_EXAMPLES": "10"})
            after = _holdings(client)
    output = result.stdout + result.stderr
    assert result.returncode == 1 and "contract: FAIL" in output, output[-2000:]
    assert len(before) == 3 and after == before, "the failing run changed or left numbers on the account"
    assert re.search(r"contract: cleanup: added (\d+) numbers, deleted \1, left 0", output), output[-2000:]


def test_an_add_only_server_is_checked_as_before(tmp_path: Path):
    token = "add-only-token-0b7d"
    with running_mock(tmp_path / "db.sqlite3", {"API_TOKEN": token, "MOCK_CONNECTABLE": "any"}) as mock:
        result = contract({"BASE_URL": mock.base_url, "API_TOKEN": token, "REPORT_DIR": str(tmp_path),
                           "MAX_EXAMPLES": "10", "OPERATIONS": "addMobileNumber", "NUMBERS": "generated"},
                          via_make=True)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    assert "operations addMobileNumber; NUMBERS=generated" in output
    coverage = json.loads((tmp_path / "contract-coverage.json").read_text(encoding="utf-8"))["operations"]
    assert list(coverage) == ["addMobileNumber"]
    assert "nothing could be cleaned up, because deleteVirtualNumber is not among the checked operations" in output
    assert re.search(r"left on the target \(id, number\): \d+ \(79\d{9}\)", output)


def test_the_write_budget_caps_what_a_run_adds(tmp_path: Path):
    token = "budget-token-3c1a"
    with running_mock(tmp_path / "db.sqlite3", {"API_TOKEN": token}) as mock:
        result = contract({"BASE_URL": mock.base_url, "API_TOKEN": token, "REPORT_DIR": str(tmp_path),
                           "MAX_EXAMPLES": "10", "MAX_WRITES": "5"})
    output = result.stdout + result.stderr
    added = re.search(r"contract: cleanup: added (\d+) numbers, deleted \1, left 0", output)
    assert added and int(added.group(1)) <= 5, output[-3000:]
    assert "left out by the write budget (MAX_WRITES)" in output


def test_an_interrupted_run_still_cleans_up(tmp_path: Path):
    token = "interrupt-token-77aa"
    with running_mock(tmp_path / "db.sqlite3", {"API_TOKEN": token}) as mock:
        with httpx.Client(base_url=mock.base_url, headers={"Authorization": token}) as client:
            before = _holdings(client)
            environment = {**os.environ, "BASE_URL": mock.base_url, "API_TOKEN": token,
                           "REPORT_DIR": str(tmp_path), "MAX_EXAMPLES": "10"}
            run = subprocess.Popen([sys.executable, "-m", "vpbx_suite"], cwd=REPOSITORY_ROOT, env=environment,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            deadline = time.monotonic() + 120
            while len(_holdings(client)) < 3 and time.monotonic() < deadline and run.poll() is None:
                time.sleep(0.05)  # polling the server for the event itself: three numbers held
            holding = len(_holdings(client))
            run.send_signal(signal.SIGTERM)
            output, _ = run.communicate(timeout=120)
            # The signal came mid-run: the run had numbers to clean up, and it stopped there
            # (with SIGTERM ignored it would finish, pass and exit 0).
            assert holding >= 3 and not output.count("contract: PASS"), output[-2000:]
            assert run.returncode == 1 and "KeyboardInterrupt" in output, output[-2000:]
            assert "not reached (FAIL_FAST, or interrupted)" in output.splitlines()[-1], output[-2000:]
            assert len(_holdings(client)) == len(before) == 0, output[-2000:]
    added = re.search(r"contract: cleanup: added (\d+) numbers, deleted \1, left 0", output)
    assert added and int(added.group(1)) >= 3, output[-2000:]


def test_contract_refuses_to_write_to_another_host_without_allow_writes(tmp_path: Path):
    token = "remote-token-9d1e"
    result = contract({"BASE_URL": "https://simple-api.cp.megafon.ru", "API_TOKEN": token,
                       "REPORT_DIR": str(tmp_path)})
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and "ALLOW_WRITES=1" in result.stderr
    assert token not in result.stderr
    assert not (tmp_path / "contract-junit.xml").exists()


def test_contract_explains_bad_settings():
    result = contract({"BASE_URL": "http://127.0.0.1:9"})
    assert result.returncode == 2 and "API_TOKEN is required" in result.stderr


def last_line(result: subprocess.CompletedProcess[str]) -> str:
    return (result.stdout + result.stderr).strip().splitlines()[-1]


NUMBERS_FILE = "# numbers of the account, one a line\n" + "\n".join(f"7926555{i:04d}" for i in range(40)) + "\n"
COMBINATIONS = {
    # settings -> the reason the checks left out count under (None: a complete run)
    "add only, generated numbers": ({"OPERATIONS": "addMobileNumber", "NUMBERS": "generated"}, "not in OPERATIONS"),
    "add and read, generated": ({"OPERATIONS": "addMobileNumber,getVirtualNumber"}, "not in OPERATIONS"),
    "listings and add": ({"OPERATIONS": "listConnectableMobileNumbers,addMobileNumber,listVirtualNumbers"},
                         "not in OPERATIONS"),
    "no add at all": ({"OPERATIONS": "getVirtualNumber,listVirtualNumbers"}, "not in OPERATIONS"),
    "a file of numbers": ({"NUMBERS": "file"}, "NUMBERS is not connectable"),
    "generated numbers, all operations": ({"NUMBERS": "generated"}, "NUMBERS is not connectable"),
    "a write budget": ({"MAX_WRITES": "8"}, "write budget (MAX_WRITES)"),
}


@pytest.mark.parametrize("name", list(COMBINATIONS))
def test_the_bundled_mock_passes_under_every_combination_of_settings(name: str, tmp_path: Path):
    """The suite starts its mock so that the numbers it sends are connectable; what a setting
    leaves out is counted under its reason, and the verdict is a partial PASS."""
    settings, reason = COMBINATIONS[name]
    settings = dict(settings)
    if settings.get("NUMBERS") == "file":
        (tmp_path / "numbers.txt").write_text(NUMBERS_FILE)
        settings["NUMBERS"] = str(tmp_path / "numbers.txt")
    result = contract({**settings, "REPORT_DIR": str(tmp_path), "MAX_EXAMPLES": "5", "SEED": "5"})
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    assert last_line(result).startswith("contract: PASS (partial: ") and reason in last_line(result), last_line(result)
    completeness = json.loads((tmp_path / "contract-coverage.json").read_text(encoding="utf-8"))["completeness"]
    assert reason in completeness["not_run_by_reason"] or reason in completeness["requests_not_sent"]
    junit = junit_totals(tmp_path / "contract-junit.xml")
    assert junit["skipped"] == completeness["checks"] - completeness["ran"] and junit["failures"] == 0


def test_require_complete_fails_a_partial_run_with_its_own_status(tmp_path: Path):
    result = contract({"REPORT_DIR": str(tmp_path), "MAX_EXAMPLES": "5", "MAX_WRITES": "3",
                       "REQUIRE_COMPLETE": "1"})
    assert result.returncode == 3, (result.stdout + result.stderr)[-2000:]
    assert last_line(result).startswith("contract: FAIL (partial: ") and last_line(result).endswith("; REQUIRE_COMPLETE=1)")


def test_a_small_account_is_checked_completely(tmp_path: Path):
    """25 connectable numbers: recycled (deleted numbers are offered again and added again),
    every test of a large account runs."""
    token, other = "small-account-token-19ce", "small-account-second-77a0"
    with running_mock(tmp_path / "db.sqlite3", {"API_TOKENS": f"{token},{other}", "MOCK_CONNECTABLE": "25"}) as mock:
        result = contract({"BASE_URL": mock.base_url, "API_TOKEN": token, "OTHER_API_TOKEN": other,
                           "REPORT_DIR": str(tmp_path), "MAX_EXAMPLES": "10", "SEED": "2"})
    output = result.stdout + result.stderr
    assert result.returncode == 0 and last_line(result) == "contract: PASS", output[-3000:]
    added = int(re.search(r"cleanup: added (\d+) numbers", output).group(1))
    assert added > 25, "recycling should add more numbers than the account offers at once"


def test_a_broken_precondition_is_reported_once_and_the_rest_still_runs(tmp_path: Path):
    token = "precondition-token-77e1"
    with running_selftest_server(token) as server_url:
        result = contract({"BASE_URL": f"{server_url}/connectable-listing-outside-the-schema-a-precondition",
                           "API_TOKEN": token, "REPORT_DIR": str(tmp_path), "MAX_EXAMPLES": "5"})
    assert result.returncode == 1
    failures = json.loads((tmp_path / "contract-failures.json").read_text(encoding="utf-8"))
    first = failures[0]
    assert first["test"] == "test_the_source_of_numbers_is_usable" and first["curl"]
    # Only the listing's own generated tests meet it again; no test that needed numbers errors.
    assert {f["test"].split("[")[0] for f in failures[1:]} <= {"test_generated_cases", "test_stateful_links"}
    completeness = json.loads((tmp_path / "contract-coverage.json").read_text(encoding="utf-8"))["completeness"]
    assert completeness["not_run_by_reason"]["failed precondition"] > 300 and completeness["ran"] > 50
    assert re.match(r"contract: FAIL \(\d+ findings?; partial: ", last_line(result)), last_line(result)
    assert "failed precondition" in last_line(result)
    # The listing's answer outside the schema is one finding, however many tests met it.
    run = json.loads((tmp_path / "contract-run.json").read_text(encoding="utf-8"))
    assert run["findings"][0]["operation"] == "listConnectableMobileNumbers"
    assert run["findings"][0]["tests"] == len({f["test"] for f in failures if 1 in f["findings"]})
