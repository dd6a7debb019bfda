"""Two accounts in a real mock process (`python -m vpbx_mock` with API_TOKENS): isolation over
HTTP, durability across restarts and kill -9, settings refused at start, and no token (or hash
of one) in anything the process writes."""

from __future__ import annotations

import hashlib
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.contract_data import request_with
from tests.mock_client import assert_error, assert_virtual_number, json_bytes
from vpbx_mock.app import ADD_PATH
from vpbx_mock.operations import operations
from vpbx_spec.document import REPOSITORY_ROOT
from vpbx_suite.mock_process import MockProcess, running_mock, start_mock

pytestmark = pytest.mark.slow

TOKEN_A, TOKEN_B = "process-account-a-61c4", "process-account-b-d09e"
TWO_ACCOUNTS = {"API_TOKENS": f"{TOKEN_A},{TOKEN_B}", "API_TOKEN": None}
OPERATIONS = operations()
CONNECTABLE_PATH = OPERATIONS["listConnectableMobileNumbers"].path
LIST_PATH = OPERATIONS["listVirtualNumbers"].path
ID_PATH = OPERATIONS["getVirtualNumber"].path


def by_id(id: int) -> str:
    return ID_PATH.replace("{id}", str(id))


def client(mock: MockProcess, token: str) -> httpx.Client:
    return httpx.Client(base_url=mock.base_url, timeout=5.0,
                        headers={"Authorization": token, "Content-Type": "application/json"})


def add(mock: MockProcess, token: str, number: str) -> httpx.Response:
    with client(mock, token) as http:
        return http.post(ADD_PATH, content=json_bytes(request_with(number=number)))


def listing(mock: MockProcess, token: str, path: str = LIST_PATH) -> list[dict]:
    with client(mock, token) as http:
        response = http.get(path)
    assert response.status_code == 200, response.text
    return response.json()


def secrets(*tokens: str) -> list[str]:
    """What must never be written: each token and the SHA-256 (hex) of each."""
    return [value for token in tokens for value in (token, hashlib.sha256(token.encode()).hexdigest())]


@pytest.fixture
def database(tmp_path: Path) -> Path:
    return tmp_path / "mock.sqlite3"


def test_a_number_added_with_one_token_is_invisible_to_the_other(database):
    # The probe of docs/accounts.md, against a real process; access log on.
    with running_mock(database, {**TWO_ACCOUNTS, "MOCK_ACCESS_LOG": "1"}) as mock:
        number = listing(mock, TOKEN_A, CONNECTABLE_PATH)[0]["number"]
        added = assert_virtual_number(add(mock, TOKEN_A, number))
        with client(mock, TOKEN_A) as a, client(mock, TOKEN_B) as b:
            before = a.get(by_id(added["id"])).content
            edit = json_bytes({"id": added["id"], "purpose": "company", "comment": "B"})
            answers = [b.get(by_id(added["id"])), b.put(by_id(added["id"]), content=edit),
                       b.delete(by_id(added["id"]))]
            for answer in answers:
                assert_error(answer, 404, "not_found", "id")
                assert answer.content == b.get(by_id(999_999)).content.replace(
                    b"999999", str(added["id"]).encode())
            assert a.get(by_id(added["id"])).content == before
            assert b.get(LIST_PATH, params={"type": "def"}).json() == []
        assert listing(mock, TOKEN_B) == []
        assert listing(mock, TOKEN_A) == [added]
        assert number not in {entry["number"] for entry in listing(mock, TOKEN_B, CONNECTABLE_PATH)}
        assert_error(add(mock, TOKEN_B, number), 422, "number_not_connectable", "number")
        assert_error(add(mock, TOKEN_A, number), 409, "duplicate_number", "number")
        assert_error(add(mock, TOKEN_A + "-wrong", number), 401, "unauthorized")
        mock.stop()
        output = mock.output()
    assert f"GET {by_id(added['id'])}" in output  # the access log did run
    assert "2 accounts" in output
    for secret in secrets(TOKEN_A, TOKEN_B):
        assert secret not in output


def test_both_accounts_keep_their_numbers_across_a_restart_in_another_order(database):
    with running_mock(database, {**TWO_ACCOUNTS, "MOCK_CONNECTABLE": "any"}) as mock:
        a_added = assert_virtual_number(add(mock, TOKEN_A, "79161234560"))
        b_added = assert_virtual_number(add(mock, TOKEN_B, "79161234561"))
    # The account is the token's, not its place in API_TOKENS.
    with running_mock(database, {"API_TOKENS": f"{TOKEN_B},{TOKEN_A}", "API_TOKEN": None,
                                 "MOCK_CONNECTABLE": "any"}) as mock:
        assert listing(mock, TOKEN_A) == [a_added]
        assert listing(mock, TOKEN_B) == [b_added]
        assert_error(add(mock, TOKEN_B, "79161234560"), 422, "number_not_connectable", "number")
        assert assert_virtual_number(add(mock, TOKEN_B, "79161234562"))["id"] > b_added["id"]


def test_both_accounts_keep_every_acknowledged_add_through_kill_9(database):
    mock = start_mock(database, {**TWO_ACCOUNTS, "MOCK_CONNECTABLE": "any"})
    try:
        added = {TOKEN_A: [], TOKEN_B: []}
        for serial in range(10):
            token = (TOKEN_A, TOKEN_B)[serial % 2]
            added[token].append(assert_virtual_number(add(mock, token, f"7916123450{serial}")))
        assert mock.stop(signal.SIGKILL) == -signal.SIGKILL
    finally:
        mock.close()
    with running_mock(database, {**TWO_ACCOUNTS, "MOCK_CONNECTABLE": "any"}) as mock:
        for token, numbers in added.items():
            assert listing(mock, token) == numbers


def test_the_published_tokens_serve_two_accounts_and_are_shown_at_start(database):
    with running_mock(database, {"API_TOKENS": "local-dev-token,local-dev-token-2",
                                 "API_TOKEN": None, "MOCK_CONNECTABLE": "any"}) as mock:
        output = mock.output()
        assert "2 accounts" in output
        assert "'Authorization: local-dev-token'" in output
        assert "'Authorization: local-dev-token-2'" in output
        added = assert_virtual_number(add(mock, "local-dev-token", "79161234560"))
        with client(mock, "local-dev-token-2") as second:
            assert second.get(by_id(added["id"])).status_code == 404


def run_refused(tmp_path: Path, environment: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`python -m vpbx_mock` with only these settings: it must exit 2 before opening anything."""
    database = tmp_path / "never.sqlite3"
    result = subprocess.run([sys.executable, "-m", "vpbx_mock"], cwd=REPOSITORY_ROOT,
                            env={"PATH": "/usr/bin:/bin", "PORT": "8", "MOCK_DB": str(database),
                                 **environment},
                            capture_output=True, text=True, timeout=20)
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert not database.exists()  # nothing opened, nothing bound
    return result


@pytest.mark.parametrize(("environment", "expected"), [
    ({"API_TOKEN": TOKEN_A, "API_TOKENS": f"{TOKEN_A},{TOKEN_B}"}, "not both"),
    ({"API_TOKENS": f"{TOKEN_A},,{TOKEN_B}"}, "entry 2 of 3 is empty"),
    ({"API_TOKENS": f"{TOKEN_A},{TOKEN_B},{TOKEN_B}"}, "entries 2 and 3 are the same token"),
    ({"API_TOKENS": f"local-dev-token-2,{TOKEN_A}", "HOST": "0.0.0.0"},
     "with the published default token 'local-dev-token-2': set API_TOKENS"),
], ids=["API_TOKEN and API_TOKENS", "an empty entry", "a token twice", "protected mode"])
def test_bad_token_settings_stop_the_process_with_status_2_and_one_line(tmp_path, environment, expected):
    result = run_refused(tmp_path, environment)
    assert expected in result.stderr
    for secret in secrets(TOKEN_A, TOKEN_B):
        assert secret not in result.stderr
