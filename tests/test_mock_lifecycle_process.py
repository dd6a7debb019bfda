"""The life of a number against a real mock process: kill -9 keeps every acknowledged edit and
delete; protected mode refuses the published token on a reachable address."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.mock_client import json_bytes
from tests.reliability_tools import add_body, integrity_check, json_headers, number
from vpbx_mock.app import ADD_PATH
from vpbx_mock.operations import operations
from vpbx_mock.store import NumberStore
from vpbx_spec.document import REPOSITORY_ROOT
from vpbx_suite.mock_process import start_mock

pytestmark = pytest.mark.slow

TOKEN = "lifecycle-process-token-91ad"
ID_PATH = operations()["getVirtualNumber"].path
CLIENTS = 4
NUMBERS_PER_CLIENT = 60
MIN_ACKNOWLEDGED = 120


def by_id(id: int) -> str:
    return ID_PATH.replace("{id}", str(id))


class Editor:
    """Edits (a new comment each time) and deletes its own numbers, one request at a time,
    remembering what was acknowledged and what was in flight when the process died."""

    def __init__(self, base_url: str, ids: list[int]) -> None:
        self.base_url, self.ids = base_url, ids
        self.comments: dict[int, str] = {}  # id -> last acknowledged comment
        self.deleted: set[int] = set()
        self.in_flight: tuple[str, int, str | None] | None = None
        self.unanswered: list[tuple[str, int, str | None]] = []
        self.other: list[int] = []

    @property
    def acknowledged(self) -> int:
        return len(self.comments) + len(self.deleted)

    def run(self) -> None:
        with httpx.Client(base_url=self.base_url, headers=json_headers(TOKEN), timeout=5.0) as client:
            for round_ in range(1000):
                for index, id in enumerate(self.ids):
                    if id in self.deleted:
                        continue
                    if index % 4 == round_ % 4:  # a quarter deleted each round
                        self.in_flight = ("delete", id, None)
                        request = client.build_request("DELETE", by_id(id))
                    else:
                        comment = f"round {round_}"
                        self.in_flight = ("edit", id, comment)
                        request = client.build_request("PUT", by_id(id), content=json_bytes(
                            {"id": id, "purpose": "employee", "employee_id": round_ + 1,
                             "comment": comment}))
                    try:
                        response = client.send(request)
                    except httpx.TransportError:
                        self.unanswered.append(self.in_flight)
                        return
                    kind, _, comment = self.in_flight
                    self.in_flight = None
                    if response.status_code != 200:
                        self.other.append(response.status_code)
                    elif kind == "delete":
                        self.deleted.add(id)
                        self.comments.pop(id, None)
                    else:
                        self.comments[id] = comment


def test_kill_9_keeps_every_acknowledged_edit_and_delete(tmp_path: Path):
    database = tmp_path / "mock.sqlite3"
    mock = start_mock(database, {"API_TOKEN": TOKEN, "MOCK_CONNECTABLE": "any"})
    try:
        with httpx.Client(base_url=mock.base_url, headers=json_headers(TOKEN)) as client:
            ids = [client.post(ADD_PATH, content=add_body(number(prefix, serial))).json()["id"]
                   for prefix in range(CLIENTS) for serial in range(NUMBERS_PER_CLIENT)]
        editors = [Editor(mock.base_url, ids[n::CLIENTS]) for n in range(CLIENTS)]
        threads = [threading.Thread(target=editor.run, daemon=True) for editor in editors]
        for thread in threads:
            thread.start()
        started = time.monotonic()
        while sum(editor.acknowledged for editor in editors) < MIN_ACKNOWLEDGED or \
                time.monotonic() - started < 0.5:
            assert time.monotonic() - started < 60, "the load did not get going"
            time.sleep(0.01)
        assert mock.stop(signal.SIGKILL) == -signal.SIGKILL
        for thread in threads:
            thread.join(10.0)
            assert not thread.is_alive()
    finally:
        mock.close()

    assert not any(editor.other for editor in editors), [editor.other for editor in editors]
    assert sum(len(editor.deleted) for editor in editors) > 0
    assert integrity_check(database) == "ok"
    store = NumberStore.open(str(database), connectable="any")
    try:
        for editor in editors:
            pending = {id: (kind, comment) for kind, id, comment in editor.unanswered}
            for id in editor.deleted:
                assert store.by_id(id) is None, f"acknowledged delete of {id} lost"
            for id, comment in editor.comments.items():
                stored = store.by_id(id)
                if id in pending:  # the request the kill cut may or may not have committed
                    kind, new_comment = pending[id]
                    assert (stored is None if kind == "delete" else stored.comment == new_comment) \
                        or (stored is not None and stored.comment == comment)
                    continue
                assert stored is not None and stored.comment == comment, f"edit of {id} lost"
                assert stored.purpose == "employee" and stored.employee_id is not None
    finally:
        store.close()


def test_protected_mode_refuses_to_start_with_the_published_token(tmp_path: Path):
    environment = {"PATH": "/usr/bin:/bin", "HOST": "0.0.0.0", "PORT": "8",
                   "MOCK_DB": str(tmp_path / "never.sqlite3")}
    result = subprocess.run([sys.executable, "-m", "vpbx_mock"], cwd=REPOSITORY_ROOT,
                            env=environment, capture_output=True, text=True, timeout=20)
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1 and "set API_TOKEN" in result.stderr
    assert not (tmp_path / "never.sqlite3").exists()  # nothing opened, nothing bound


def test_a_token_of_ones_own_starts_on_any_address(tmp_path: Path):
    mock = start_mock(tmp_path / "mock.sqlite3", {"API_TOKEN": TOKEN, "HOST": "0.0.0.0"})
    try:
        with httpx.Client(base_url=mock.base_url.replace("0.0.0.0", "127.0.0.1")) as client:
            response = client.get(operations()["listConnectableMobileNumbers"].path,
                                  headers=json_headers(TOKEN))
            assert response.status_code == 200 and len(response.json()) == 5000
    finally:
        mock.stop()
        mock.close()
