"""The stateful phase still follows the add's links to an edit with the right id, now that the
edit link carries only the path's id (no requestBody, issue 25): `vpbx contract` running only
test_stateful_links against a mock that logs every request; the mock answers an edit `200`
only when the body's id is the path's (D26) and the number exists; and the rule schemathesis builds
from the link."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from vpbx_spec.document import REPOSITORY_ROOT
from vpbx_suite.mock_process import MOCK_VARIABLES, free_port, wait_until_answering

pytestmark = pytest.mark.slow
_REQUEST = re.compile(r'"(?P<method>[A-Z]+) (?P<path>/\S*) HTTP/[0-9.]+" (?P<status>[0-9]{3})')


def _mock_log(tmp_path: Path, contract_environment: dict[str, str]) -> tuple[subprocess.CompletedProcess[str], str]:
    """`vpbx contract` against a mock that logs every request; both outputs. The mock is
    given two minutes to start: on a busy machine it can take longer than the usual 20 s."""
    port = free_port()
    mock_environment = {name: value for name, value in os.environ.items() if name not in MOCK_VARIABLES}
    mock_environment.update({"PORT": str(port), "MOCK_DB": str(tmp_path / "mock.sqlite3"),
                             "API_TOKEN": "stateful-token", "MOCK_ACCESS_LOG": "1"})
    with open(tmp_path / "mock.log", "w+b") as log:
        mock = subprocess.Popen([sys.executable, "-m", "vpbx_mock"], cwd=REPOSITORY_ROOT, env=mock_environment,
                                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
        try:
            base_url = f"http://127.0.0.1:{port}"
            wait_until_answering(mock, base_url + "/", lambda: (tmp_path / "mock.log").read_text(), timeout=120)
            result = subprocess.run([sys.executable, "-m", "vpbx_cli", "contract"], cwd=REPOSITORY_ROOT,
                                    env={**contract_environment, "BASE_URL": base_url}, capture_output=True,
                                    text=True, timeout=600)
        finally:
            mock.terminate()
            mock.wait(30)
    return result, (tmp_path / "mock.log").read_text(encoding="utf-8", errors="replace")


def test_the_stateful_phase_reaches_the_edit_of_the_added_number_with_its_id(tmp_path: Path):
    environment = {name: value for name, value in os.environ.items() if name != "OTHER_API_TOKEN"}
    environment.update({"API_TOKEN": "stateful-token", "REPORT_DIR": str(tmp_path / "reports"), "SEED": "1",
                        "MAX_EXAMPLES": "50", "PYTEST_ADDOPTS": "-k test_stateful_links"})
    result, log = _mock_log(tmp_path, environment)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "test_stateful_links PASSED" in result.stdout, result.stdout[-3000:]
    requests = [match.groupdict() for match in _REQUEST.finditer(log)]
    added = [r for r in requests if r["method"] == "POST" and r["status"] in ("200", "201")]
    edits = [r for r in requests if r["method"] == "PUT" and r["path"].startswith("/numbers/virtual-number/")]
    assert added, log[-3000:]
    assert [edit for edit in edits if edit["status"] == "200"], (
        f"no edit answered 200 among {len(edits)} edits: {edits[:10]}")


def test_schemathesis_builds_the_transition_from_the_add_to_the_edit_from_the_link():
    """The rule test_stateful_links follows: the add's answer (200 or 201, D9) to the edit,
    by the link EditTheAddedNumber, the path's id taken from the answer."""
    import schemathesis
    machine = schemathesis.openapi.from_path(str(REPOSITORY_ROOT / "openapi" / "openapi.yaml")).as_state_machine()
    rules = {name for name in dir(machine) if "EditTheAddedNumber" in name}
    assert rules == {"POST_numbers_unconfirmed___200_EditTheAddedNumber__PUT_numbers_virtual_number_id_",
                     "POST_numbers_unconfirmed___201_EditTheAddedNumber__PUT_numbers_virtual_number_id_"}
