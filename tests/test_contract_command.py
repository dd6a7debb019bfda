"""`make contract`, end to end: against the bundled mock, against a named server, and the
safety switch. These run the real command in a subprocess, as a user would."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from tests.contract_data import REQUEST_EXAMPLES
from vpbx_suite.contract import bundled_facts
from vpbx_suite.mock_process import running_mock
from vpbx_suite.targeted_cases import invalid_requests
from vpbx_spec.document import REPOSITORY_ROOT

pytestmark = pytest.mark.slow


def contract(env: dict[str, str], *, via_make: bool = False) -> subprocess.CompletedProcess[str]:
    environment = {key: value for key, value in os.environ.items()
                   if key not in ("BASE_URL", "API_TOKEN", "ALLOW_WRITES", "SEED", "MAX_EXAMPLES")}
    environment.update(env)
    command = ["make", "--no-print-directory", "contract"] if via_make else [sys.executable, "-m", "vpbx_suite"]
    return subprocess.run(command, cwd=REPOSITORY_ROOT, env=environment, capture_output=True,
                          text=True, timeout=180)


def junit_totals(path: Path) -> dict[str, int]:
    suite = ElementTree.parse(path).getroot()
    suite = suite if suite.tag == "testsuite" else suite.find("testsuite")
    assert suite is not None
    return {key: int(suite.get(key, "0")) for key in ("tests", "failures", "errors", "skipped")}


def expected_test_count() -> int:
    # examples + duplicate + targeted invalid requests + 3 token cases + the schemathesis test
    return len(REQUEST_EXAMPLES) + 1 + len(invalid_requests(bundled_facts())) + 3 + 1


def test_make_contract_passes_on_the_bundled_mock(tmp_path: Path):
    result = contract({"REPORT_DIR": str(tmp_path), "MAX_EXAMPLES": "20", "SEED": "7"}, via_make=True)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    assert "contract: PASS" in output and "bundled mock" in output and "SEED=7" in output
    totals = junit_totals(tmp_path / "contract-junit.xml")
    assert totals == {"tests": expected_test_count(), "failures": 0, "errors": 0, "skipped": 0}
    coverage = json.loads((tmp_path / "contract-coverage.json").read_text(encoding="utf-8"))
    observed = coverage["statuses"]["observed"]
    for status in ("201", "400", "401", "405", "409", "413", "415"):
        assert status in observed, f"the run never saw {status}: {observed}"
    assert coverage["statuses"]["undocumented_observed"] == []
    assert f"JUnit report {tmp_path / 'contract-junit.xml'}" in output


def test_contract_against_a_named_server_never_prints_the_token(tmp_path: Path):
    token = "named-server-token-5f0c2a"
    with running_mock(tmp_path / "db.sqlite3", {"API_TOKEN": token}) as mock:
        result = contract({"BASE_URL": mock.base_url, "API_TOKEN": token, "REPORT_DIR": str(tmp_path),
                           "MAX_EXAMPLES": "10"})
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    assert f"target {mock.base_url} (external server)" in output
    for report in tmp_path.glob("contract-*"):
        assert token not in report.read_text(encoding="utf-8"), report
    assert token not in output


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
