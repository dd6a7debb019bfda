"""Two accounts in one mock, in-process (D31-D36): a number added by A is, for B, exactly what
an id or a number that never existed is; A's record stays byte for byte what it was."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest

from tests.contract_data import request_with
from tests.mock_client import add_number, assert_error, assert_virtual_number, json_bytes, mock_client
from tests.test_mock_store_accounts import old_file
from vpbx_mock.accounts import Tokens
from vpbx_mock.app import create_app
from vpbx_mock.operations import operations
from vpbx_mock.store import ANY, NumberStore

TOKEN_A, TOKEN_B = "account-a-token-3b8d", "account-b-token-e5a2"
POOL_SIZE = 200
OPERATIONS = operations()
CONNECTABLE_PATH = OPERATIONS["listConnectableMobileNumbers"].path
LIST_PATH = OPERATIONS["listVirtualNumbers"].path
ID_PATH = OPERATIONS["getVirtualNumber"].path


def headers(token: str) -> dict[str, str]:
    return {"Authorization": token, "Content-Type": "application/json"}


def by_id(id: int) -> str:
    return ID_PATH.replace("{id}", str(id))


def edit_body(id: int) -> bytes:
    return json_bytes({"id": id, "purpose": "employee", "employee_id": 77, "comment": "B was here"})


class Accounts:
    """A client of the mock, and the requests of each operation as one account sends them."""

    def __init__(self, client: httpx.Client) -> None:
        self.client = client
        self.seen: list[httpx.Response] = []  # every answer, to look for tokens in them

    def _sent(self, response: httpx.Response) -> httpx.Response:
        self.seen.append(response)
        return response

    def add(self, token: str, number: str) -> httpx.Response:
        return self._sent(add_number(self.client, request_with(number=number), headers(token)))

    def read(self, token: str, id: int) -> httpx.Response:
        return self._sent(self.client.get(by_id(id), headers=headers(token)))

    def edit(self, token: str, id: int) -> httpx.Response:
        return self._sent(self.client.put(by_id(id), content=edit_body(id), headers=headers(token)))

    def delete(self, token: str, id: int) -> httpx.Response:
        return self._sent(self.client.delete(by_id(id), headers=headers(token)))

    def listing(self, token: str, type: str | None = None) -> list[dict]:
        params = {} if type is None else {"type": type}
        response = self._sent(self.client.get(LIST_PATH, params=params, headers=headers(token)))
        assert response.status_code == 200, response.text
        return response.json()

    def connectable(self, token: str) -> list[str]:
        response = self._sent(self.client.get(CONNECTABLE_PATH, headers=headers(token)))
        assert response.status_code == 200, response.text
        return [entry["number"] for entry in response.json()]


@pytest.fixture
def store() -> Iterator[NumberStore]:
    store = NumberStore.open(":memory:", connectable=POOL_SIZE)
    yield store
    store.close()


@pytest.fixture
def mock(store: NumberStore) -> Iterator[Accounts]:
    with mock_client(create_app(store, [TOKEN_A, TOKEN_B])) as client:
        accounts = Accounts(client)
        yield accounts
    for response in accounts.seen:  # no answer carries a token, or a hash of one
        for token in (TOKEN_A, TOKEN_B):
            for secret in (token, hashlib.sha256(token.encode()).hexdigest()):
                assert secret.encode() not in response.content
                assert all(secret not in value for value in response.headers.values())


def added_by_a(mock: Accounts) -> dict:
    return assert_virtual_number(mock.add(TOKEN_A, mock.connectable(TOKEN_A)[0]))


def same_digits_unused_id(id: int) -> int:
    """An id that was never handed out, written with as many digits as `id`: its 404 must be
    the same bytes, Content-Length included."""
    return 9 if id < 9 else int("9" * len(str(id)))


def assert_same_answer(answer: httpx.Response, reference: httpx.Response,
                       replace: tuple[str, str] | None = None) -> None:
    """Status, headers and body byte for byte, but for one value (an id, a number) that differs."""
    reference_body = reference.content
    if replace is not None:
        reference_body = reference_body.replace(replace[0].encode(), replace[1].encode())
    assert answer.status_code == reference.status_code
    assert answer.content == reference_body
    assert answer.headers.multi_items() == reference.headers.multi_items()


# --- an id of another account is an id that never existed (D32) -------------------------------

@pytest.mark.parametrize("operation", ["read", "edit", "delete"])
def test_another_accounts_id_is_answered_byte_for_byte_as_an_unknown_id(mock, operation):
    added = added_by_a(mock)
    before = mock.read(TOKEN_A, added["id"]).content
    unused = same_digits_unused_id(added["id"])
    send = getattr(mock, operation)
    answer = send(TOKEN_B, added["id"])
    assert_error(answer, 404, "not_found", "id")
    assert_same_answer(answer, send(TOKEN_B, unused), (str(unused), str(added["id"])))
    assert_same_answer(answer, send(TOKEN_A, unused), (str(unused), str(added["id"])))
    assert mock.read(TOKEN_A, added["id"]).content == before  # A's record, byte for byte


def test_a_deleted_id_is_answered_alike_for_its_account_and_the_other(mock):
    added = added_by_a(mock)
    assert mock.delete(TOKEN_A, added["id"]).status_code == 200
    assert_same_answer(mock.read(TOKEN_B, added["id"]), mock.read(TOKEN_A, added["id"]))


def test_the_other_accounts_numbers_are_untouched_after_all_of_bs_attempts(mock, store):
    added = added_by_a(mock)
    stored = store.by_id(added["id"])
    for attempt in (mock.read, mock.edit, mock.delete, mock.edit, mock.delete):
        assert attempt(TOKEN_B, added["id"]).status_code == 404
    assert store.by_id(added["id"]) == stored and store.count() == 1


# --- listings (D33, D34) ----------------------------------------------------------------------

def test_the_listings_hold_only_the_accounts_numbers(mock):
    a_number = added_by_a(mock)
    b_number = assert_virtual_number(mock.add(TOKEN_B, mock.connectable(TOKEN_B)[0]))
    for type in (None, "def"):
        assert mock.listing(TOKEN_A, type) == [a_number]
        assert mock.listing(TOKEN_B, type) == [b_number]
    assert mock.listing(TOKEN_B, "abc") == []


def test_no_connectable_listing_offers_a_number_any_account_holds(mock):
    offered = mock.connectable(TOKEN_B)
    added = added_by_a(mock)
    assert added["number"] == offered[0]
    assert mock.connectable(TOKEN_B) == mock.connectable(TOKEN_A) == offered[1:]
    assert mock.delete(TOKEN_A, added["id"]).status_code == 200
    assert mock.connectable(TOKEN_B) == offered  # back in the listing, for both


# --- the add of another account's number (D35), ids (D36) -------------------------------------

def test_bs_add_of_as_number_is_answered_as_a_number_never_offered(mock, store):
    added = added_by_a(mock)
    never_offered = next(f"7999999999{digit}" for digit in range(10)
                         if f"7999999999{digit}" not in mock.connectable(TOKEN_B))
    answer = mock.add(TOKEN_B, added["number"])
    assert_error(answer, 422, "number_not_connectable", "number")
    assert_same_answer(answer, mock.add(TOKEN_B, never_offered), (never_offered, added["number"]))
    assert_same_answer(answer, mock.add(TOKEN_A, never_offered), (never_offered, added["number"]))
    assert store.count() == 1


def test_as_own_number_again_is_a_duplicate(mock):
    added = added_by_a(mock)
    assert_error(mock.add(TOKEN_A, added["number"]), 409, "duplicate_number", "number")


def test_once_a_deletes_its_number_b_may_add_it_under_a_new_id(mock):
    added = added_by_a(mock)
    assert mock.delete(TOKEN_A, added["id"]).status_code == 200
    taken = assert_virtual_number(mock.add(TOKEN_B, added["number"]))
    assert taken["id"] > added["id"]
    assert mock.read(TOKEN_B, taken["id"]).json() == taken
    assert mock.read(TOKEN_A, taken["id"]).status_code == 404


def test_ids_are_one_sequence_across_accounts(mock):
    offered = mock.connectable(TOKEN_A)
    ids = [assert_virtual_number(mock.add(token, number))["id"]
           for token, number in zip([TOKEN_A, TOKEN_B, TOKEN_A, TOKEN_B], offered)]
    assert ids == sorted(set(ids))


# --- tokens ------------------------------------------------------------------------------------

@pytest.mark.parametrize("scheme", ["", "Bearer ", "bearer "])
def test_each_token_is_accepted_raw_or_as_bearer(mock, scheme):
    for token in (TOKEN_A, TOKEN_B):
        response = mock.client.get(LIST_PATH, headers={"Authorization": scheme + token})
        assert response.status_code == 200, response.text


@pytest.mark.parametrize("presented", [
    TOKEN_A + "x", TOKEN_B[:-1], TOKEN_A.upper(), TOKEN_A + "," + TOKEN_B, "", " ",
    hashlib.sha256(TOKEN_A.encode()).hexdigest(),
], ids=["longer", "shorter", "upper case", "both joined", "empty", "space", "the hash"])
def test_anything_but_a_whole_token_is_refused(mock, presented):
    response = mock.client.get(LIST_PATH, headers={"Authorization": presented})
    mock.seen.append(response)
    assert_error(response, 401, "unauthorized")


@pytest.mark.parametrize("presented", [TOKEN_A, TOKEN_B, "x", TOKEN_A * 40],
                         ids=["the first", "the last", "short", "long"])
def test_the_token_check_compares_every_token_and_always_32_bytes(store, monkeypatch, presented):
    # Constant time: no token is skipped once one matched, and each comparison is of two
    # SHA-256 digests, whatever the lengths of the presented and the configured tokens.
    tokens = Tokens(store, [TOKEN_A, "a-third-token-of-another-length", TOKEN_B])
    compared: list[tuple[int, int]] = []

    def compare_digest(a: bytes, b: bytes) -> bool:
        compared.append((len(a), len(b)))
        return a == b

    monkeypatch.setattr("vpbx_mock.accounts.hmac", SimpleNamespace(compare_digest=compare_digest))
    found = tokens.account_for(presented.encode())
    assert compared == [(32, 32)] * 3
    assert found == ({TOKEN_A: store.account(TOKEN_A), TOKEN_B: store.account(TOKEN_B)}
                     .get(presented))


def test_two_authorization_headers_are_refused_even_two_valid_tokens(mock):
    response = mock.client.get(LIST_PATH, headers=[("Authorization", TOKEN_A),
                                                   ("Authorization", TOKEN_B)])
    mock.seen.append(response)
    assert_error(response, 401, "unauthorized")


@pytest.mark.parametrize("tokens", [[], ["a", "a"], ["a", ""], [""]],
                         ids=["none", "twice", "an empty one", "only an empty one"])
def test_create_app_refuses_tokens_that_cannot_name_accounts(store, tokens):
    with pytest.raises(ValueError, match="token"):
        create_app(store, tokens)


def test_create_app_takes_tokens_or_token_not_both(store):
    # The mock's own refusal, not Python's for a wrong call.
    with pytest.raises(TypeError, match=r"takes either tokens or token="):
        create_app(store, TOKEN_A, token=TOKEN_B)
    with pytest.raises(TypeError, match=r"takes either tokens or token="):
        create_app(store)


def test_one_token_positionally_or_by_keyword_is_one_account(store):
    for app in (create_app(store, TOKEN_A), create_app(store, token=TOKEN_A),
                create_app(store, (TOKEN_A,))):
        with mock_client(app) as client:
            assert client.get(LIST_PATH, headers=headers(TOKEN_A)).status_code == 200
            assert client.get(LIST_PATH, headers=headers(TOKEN_B)).status_code == 401


# --- a file from before accounts --------------------------------------------------------------

def test_an_old_files_numbers_belong_to_the_first_token(tmp_path: Path):
    database = tmp_path / "old.sqlite3"
    old_file(database)
    store = NumberStore.open(str(database), ANY)
    try:
        with mock_client(create_app(store, [TOKEN_A, TOKEN_B])) as client:
            mock = Accounts(client)
            assert [row["number"] for row in mock.listing(TOKEN_A)] == ["79161234560"]
            assert mock.listing(TOKEN_B) == []
            assert mock.read(TOKEN_A, 1).status_code == 200
            assert mock.read(TOKEN_B, 1).status_code == 404
            assert_error(mock.add(TOKEN_B, "79161234560"), 422, "number_not_connectable", "number")
    finally:
        store.close()
    with closing(sqlite3.connect(database)) as reopened:
        assert reopened.execute("SELECT count(*) FROM accounts").fetchone()[0] == 2
