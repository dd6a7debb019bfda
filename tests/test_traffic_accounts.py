"""Recorded and live traffic, grouped by account: an answer that shows one account's number to
another is the server's violation; ids per account are not (D36); neither tokens nor any hash
of them appear in any output."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.selftest.processes import running_selftest_server
from tests.traffic_har import HarRecorder
from tests.traffic_servers import running_proxy
from vpbx_traffic.accounts import AccountWatch, presented_token
from vpbx_traffic.har import main

# One worker for the whole module: its module-scoped fixtures (the variants' server) then run once.
pytestmark = pytest.mark.xdist_group("traffic_accounts")

TOKEN, OTHER = "traffic-account-one-3f1a", "traffic-account-two-9c4e"
ADD = "/numbers/unconfirmed"


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with running_selftest_server(TOKEN, OTHER) as url:
        yield url


def two_accounts(base_url: str, path: Path) -> Path:
    """The first account adds a number; the second reads, edits and deletes its id, lists,
    and looks at its connectable listing; then the first reads its number again."""
    recorder = HarRecorder()
    with httpx.Client(base_url=base_url, headers={"Authorization": TOKEN}, event_hooks=recorder.hooks) as one, \
            httpx.Client(base_url=base_url, headers={"Authorization": OTHER}, event_hooks=recorder.hooks) as two:
        number = one.get("/numbers/def-virtual-number-capacity").json()[0]["number"]
        added = one.post(ADD, json={"number": number, "dgn_number": "74951234567", "purpose": "company",
                                    "type": "def"}).json()
        two_own = two.get("/numbers/def-virtual-number-capacity").json()[0]["number"]
        two.post(ADD, json={"number": two_own, "dgn_number": "74951234568", "purpose": "company", "type": "def"})
        two.get(f"/numbers/virtual-number/{added['id']}")
        two.put(f"/numbers/virtual-number/{added['id']}", json={"id": added["id"], "purpose": "not_specified"})
        two.get("/numbers/virtual-number")
        two.get("/numbers/def-virtual-number-capacity")
        one.get(f"/numbers/virtual-number/{added['id']}")
    return recorder.save(path)


def violations(report_dir: Path) -> list[dict]:
    return json.loads((report_dir / "traffic-violations.json").read_text(encoding="utf-8"))["items"]


@pytest.mark.parametrize("variant", ["reference-mock-201", "ids-per-account"])
def test_isolated_accounts_conform_whatever_their_ids(server: str, variant: str, tmp_path: Path) -> None:
    base_url = f"{server}/{variant}"
    path = two_accounts(base_url, tmp_path / "accounts.har")
    assert main([str(path), "--base-url", base_url, "--report-dir", str(tmp_path)]) == 0, violations(tmp_path)


# (An edit across accounts answers id, purpose, employee and comment, no number: traffic alone
# cannot tell it from an edit of a number of the asker's own, ids being possibly per account.)
@pytest.mark.parametrize("variant,leak", [
    ("a-read-ignores-the-account", "account #2 was answered the record of"),
    ("the-listing-shows-every-account", "account #2 was answered the record of"),
    ("the-connectable-listing-offers-numbers-other-accounts-hold", "the connectable listing offers"),
])
def test_a_number_shown_to_another_account_is_named(server: str, variant: str, leak: str,
                                                     tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base_url = f"{server}/{variant}"
    path = two_accounts(base_url, tmp_path / "accounts.har")
    status = main([str(path), "--base-url", base_url, "--report-dir", str(tmp_path)])
    found = violations(tmp_path)
    out = capsys.readouterr().out
    assert status == 1 and any(item["rule"] == "accounts_are_isolated" and leak in item["message"]
                               for item in found), found
    hashed = [hashlib.sha256(token.encode()).hexdigest() for token in (TOKEN, OTHER)]
    for text in [out, *(p.read_text(encoding="utf-8") for p in tmp_path.glob("traffic-*"))]:
        assert TOKEN not in text and OTHER not in text and not any(h in text for h in hashed)


def test_the_proxy_groups_live_traffic_by_account(server: str, tmp_path: Path) -> None:
    upstream = f"{server}/a-read-ignores-the-account"
    with running_proxy(upstream, str(tmp_path)) as process:
        two_accounts(process.url, tmp_path / "unused.har")
        assert process.stop() == 1
        output = process.output()
    assert "accounts_are_isolated" in output and TOKEN not in output and OTHER not in output


def test_accounts_are_named_by_order_never_by_token() -> None:
    watch = AccountWatch()
    assert watch.account(TOKEN) == "account #1" and watch.account(f"Bearer {OTHER}") == "account #2"
    assert watch.account(TOKEN) == "account #1" and watch.account(None) == "anonymous"
    assert presented_token("Bearer  x ") == "x" and presented_token("x") == "x"
    held = watch.problems("account #1", "add", 201, {"id": 7, "number": "79000000001"}, None, 0)
    shown = watch.problems("account #2", "read", 200, {"id": 7, "number": "79000000001"}, "7", 1)
    assert held == [] and shown and "which account #1 holds (entry 0)" in shown[0]
    watch.problems("account #1", "delete", 200, {"id": 7}, "7", 2)  # released: it may be added again
    assert watch.problems("account #2", "add", 201, {"id": 8, "number": "79000000001"}, None, 3) == []
