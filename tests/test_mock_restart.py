"""The mock as a real process: persistence across restarts, startup output, signals."""

from __future__ import annotations

import signal
from pathlib import Path

import httpx
import pytest

from tests.contract_data import seed_request
from tests.mock_client import assert_error, assert_virtual_number, json_bytes
from vpbx_suite.mock_process import running_mock, start_mock
from vpbx_mock.app import ADD_PATH
from vpbx_mock.operations import operations
from vpbx_mock.store import ANY, NumberStore

pytestmark = pytest.mark.slow

TOKEN = "restart-test-token-5c1e"
NUMBERS = [f"7916123456{digit}" for digit in range(5)]


def add(base_url: str, number: str, token: str = TOKEN) -> httpx.Response:
    return httpx.post(base_url + ADD_PATH, content=json_bytes({**seed_request(), "number": number}),
                      headers={"Authorization": token, "Content-Type": "application/json"},
                      timeout=5.0)


@pytest.fixture
def database(tmp_path: Path) -> Path:
    return tmp_path / "mock.sqlite3"


def test_numbers_and_ids_survive_a_restart(database):
    with running_mock(database, {"API_TOKEN": TOKEN, "MOCK_CONNECTABLE": "any"}) as mock:
        ids = [assert_virtual_number(add(mock.base_url, number))["id"] for number in NUMBERS]
    with running_mock(database, {"API_TOKEN": TOKEN, "MOCK_CONNECTABLE": "any"}) as mock:
        for number in NUMBERS:
            assert_error(add(mock.base_url, number), 409, "duplicate_number", "number")
        assert assert_virtual_number(add(mock.base_url, "79161234569"))["id"] > max(ids)


def test_an_acknowledged_add_survives_kill_9(database):
    # README: a commit is in the write-ahead log before the answer is sent.
    mock = start_mock(database, {"API_TOKEN": TOKEN, "MOCK_CONNECTABLE": "any"})
    try:
        for number in NUMBERS:
            assert_virtual_number(add(mock.base_url, number))
        assert mock.stop(signal.SIGKILL) == -signal.SIGKILL
    finally:
        mock.close()
    store = NumberStore.open(str(database), connectable=ANY)
    try:
        assert store.count() == len(NUMBERS)
        assert all(store.get(number) is not None for number in NUMBERS)
    finally:
        store.close()


def test_sigterm_stops_it_after_a_graceful_shutdown(database):
    mock = start_mock(database, {"API_TOKEN": TOKEN, "MOCK_CONNECTABLE": "any"})
    try:
        assert_virtual_number(add(mock.base_url, NUMBERS[0]))
        # uvicorn shuts down, then re-raises SIGTERM, so the status is "killed by SIGTERM".
        assert mock.stop(signal.SIGTERM) in (0, -signal.SIGTERM)
        assert "Application shutdown complete" in mock.output()
        assert "Traceback" not in mock.output()
        # The store was closed: closing the last connection checkpoints and removes the WAL.
        assert not database.with_name(database.name + "-wal").exists()
    finally:
        mock.close()


def test_ctrl_c_stops_it_with_status_0(database):
    mock = start_mock(database, {"API_TOKEN": TOKEN, "MOCK_CONNECTABLE": "any"})
    try:
        assert_virtual_number(add(mock.base_url, NUMBERS[0]))
        assert mock.stop(signal.SIGINT) == 0
        assert "Traceback" not in mock.output()
    finally:
        mock.close()


def test_startup_prints_the_url_and_the_default_token(database):
    mock = start_mock(database, {"API_TOKEN": None, "MOCK_CONNECTABLE": "any"})
    try:
        output = mock.output()
        for operation in operations().values():  # the six operations, each with its URL
            assert f"{operation.method:6} {mock.base_url}{operation.path}" in output
            assert operation.operation_id in output
        assert "MOCK_CONNECTABLE=any" in output
        assert "local-dev-token" in output
        assert str(database) in output
        assert_virtual_number(add(mock.base_url, NUMBERS[0], token="local-dev-token"))
    finally:
        mock.stop()
        mock.close()


def test_a_custom_token_is_never_printed(database):
    # Access log on: request lines are logged, Authorization headers must not be.
    mock = start_mock(database, {"API_TOKEN": TOKEN, "MOCK_ACCESS_LOG": "1", "MOCK_CONNECTABLE": "any"})
    try:
        assert f"{mock.base_url}{ADD_PATH}" in mock.output()
        assert_virtual_number(add(mock.base_url, NUMBERS[0]))
        assert_error(add(mock.base_url, NUMBERS[1], token=TOKEN + "-wrong"), 401, "unauthorized")
        mock.stop()
        output = mock.output()
        assert f"POST {ADD_PATH}" in output  # the access log did run
        assert TOKEN not in output
    finally:
        mock.close()

