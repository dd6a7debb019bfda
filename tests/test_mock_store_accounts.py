"""NumberStore's accounts (D31-D36): each token's numbers, one UNIQUE number and one id
sequence for all, one connectable pool, and files from before accounts."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from tests.test_mock_store import record
from vpbx_mock.store import (
    ANY,
    FIRST_ACCOUNT,
    Account,
    DuplicateNumber,
    NotConnectable,
    NumberStore,
    account_key,
)

TOKEN_A, TOKEN_B = "store-token-a-7f3e", "store-token-b-19c0"


@pytest.fixture
def database(tmp_path: Path) -> Path:
    return tmp_path / "numbers.sqlite3"


@pytest.fixture
def store(database: Path) -> Iterator[NumberStore]:
    store = NumberStore.open(str(database), connectable=ANY)
    yield store
    store.close()


@pytest.fixture
def pool_store(database: Path) -> Iterator[NumberStore]:
    store = NumberStore.open(str(database), connectable=300)
    yield store
    store.close()


def two_accounts(store: NumberStore) -> tuple[Account, Account]:
    return store.account(TOKEN_A), store.account(TOKEN_B)


# --- which account a token names --------------------------------------------------------------

def test_a_token_names_the_same_account_each_time_and_across_reopens(database):
    first = NumberStore.open(str(database), ANY)
    a, b = two_accounts(first)
    assert (a.id, b.id) == (FIRST_ACCOUNT, FIRST_ACCOUNT + 1)
    assert first.account(TOKEN_A) == a
    first.close()
    second = NumberStore.open(str(database), ANY)
    try:
        # Another order later: the account is found by the token, not by its position.
        assert (second.account(TOKEN_B).id, second.account(TOKEN_A).id) == (b.id, a.id)
    finally:
        second.close()


def test_the_file_keeps_the_sha256_of_each_token_never_the_token(store, database):
    a, b = two_accounts(store)
    a.add(**record("79161234560"))
    b.add(**record("79161234561"))
    keys = [row[0] for row in store._connection.execute("SELECT key FROM accounts ORDER BY id")]
    assert keys == [account_key(TOKEN_A), account_key(TOKEN_B)]
    assert account_key(TOKEN_A) == hashlib.sha256(TOKEN_A.encode()).hexdigest()
    files = [path for path in database.parent.iterdir() if path.name.startswith(database.name)]
    assert files
    for path in files:  # the database and its write-ahead log
        assert TOKEN_A.encode() not in path.read_bytes()
        assert TOKEN_B.encode() not in path.read_bytes()


# --- every read, listing, edit and delete stays inside the account (D32, D33) -----------------

def test_an_id_of_another_account_is_not_found_and_its_record_is_unchanged(store):
    a, b = two_accounts(store)
    added = a.add(**record())
    assert b.by_id(added.id) is None
    assert b.edit(added.id, purpose="employee", employee_id=5, comment="x",
                  keep_comment=False) is None
    assert not b.delete(added.id)
    assert a.by_id(added.id) == added
    assert store.by_id(added.id) == added  # the whole file's view: still there, unchanged


def test_the_listing_holds_only_the_accounts_numbers(store):
    a, b = two_accounts(store)
    a_def = a.add(**record("79161234560"))
    b_def = b.add(**record("79161234561"))
    a_abc = a.add(**record("79161234562", type="abc"))
    assert a.all() == [a_def, a_abc] and a.all("def") == [a_def] and a.all("abc") == [a_abc]
    assert b.all() == [b_def] and b.all("def") == [b_def] and b.all("abc") == []
    assert store.all() == [a_def, b_def, a_abc]


def test_each_account_edits_and_deletes_its_own(store):
    a, b = two_accounts(store)
    added = b.add(**record())
    edited = b.edit(added.id, purpose="company", employee_id=None, comment="b's",
                    keep_comment=False)
    assert edited is not None and edited.comment == "b's"
    assert b.delete(added.id) and b.by_id(added.id) is None and a.by_id(added.id) is None


# --- one number, one id sequence and one pool for all accounts (D34-D36) ----------------------

def test_ids_are_one_sequence_for_every_account(store):
    a, b = two_accounts(store)
    ids = [account.add(**record(f"7916123456{digit}")).id
           for digit, account in enumerate([a, b, a, b])]
    assert ids == sorted(set(ids))


@pytest.mark.parametrize("policy", [ANY, 300], ids=["any", "pool"])
def test_a_number_of_another_account_is_not_connectable_and_ones_own_is_a_duplicate(database, policy):
    store = NumberStore.open(str(database), policy)
    try:
        a, b = two_accounts(store)
        number = store.connectable()[0].number
        added = a.add(**record(number))
        with pytest.raises(NotConnectable):
            b.add(**record(number, comment="b tries"))
        with pytest.raises(DuplicateNumber):
            a.add(**record(number))
        assert store.count() == 1 and store.get(number) == added
        assert a.delete(added.id)
        assert b.add(**record(number)).id > added.id  # free again: b may take it
    finally:
        store.close()


def test_a_number_added_under_any_outside_the_pool_is_a_duplicate_only_for_its_account(database):
    # Added under "any" (not in the pool), then the file is served with a pool: the holder's
    # add is still 409 (D11), the other's 422 (D35).
    first = NumberStore.open(str(database), ANY)
    a, _ = two_accounts(first)
    a.add(**record("79999999990"))
    first.close()
    store = NumberStore.open(str(database), 300)
    try:
        a, b = two_accounts(store)
        assert "79999999990" not in {entry.number for entry in store.connectable()}
        with pytest.raises(DuplicateNumber):
            a.add(**record("79999999990"))
        with pytest.raises(NotConnectable):
            b.add(**record("79999999990"))
    finally:
        store.close()


def test_the_connectable_listing_hides_numbers_of_every_account(pool_store):
    a, b = two_accounts(pool_store)
    before = pool_store.connectable()
    a.add(**record(before[0].number))
    b.add(**record(before[1].number))
    assert a.connectable() == b.connectable() == pool_store.connectable() == before[2:]


def test_a_deleted_number_rejoins_the_pool_for_every_account(pool_store):
    a, b = two_accounts(pool_store)
    before = pool_store.connectable()
    added = a.add(**record(before[3].number))
    assert a.delete(added.id)
    assert b.connectable() == before


def test_a_number_freed_between_the_refused_insert_and_the_look_up_is_added(database, monkeypatch):
    # Another process deletes the holder's row between the two statements of a refused add:
    # the add is tried again, and succeeds, rather than answering for a holder that is gone.
    store = NumberStore.open(str(database), ANY)
    try:
        a, b = two_accounts(store)
        held = a.add(**record())
        holder = store._holder

        def deleted_meanwhile(number: str) -> int | None:
            with closing(sqlite3.connect(database)) as other:
                other.execute("DELETE FROM numbers WHERE id = ?", (held.id,))
                other.commit()
            monkeypatch.setattr(store, "_holder", holder)
            return holder(number)

        monkeypatch.setattr(store, "_holder", deleted_meanwhile)
        added = b.add(**record())
        assert added.id > held.id and b.by_id(added.id) == added and a.by_id(held.id) is None
    finally:
        store.close()


# --- a file from before accounts ---------------------------------------------------------------

def old_file(database: Path) -> None:
    """A database as the mock wrote it before accounts: no account column, no accounts table."""
    with closing(sqlite3.connect(database)) as old:
        old.execute("""CREATE TABLE numbers (
            id INTEGER PRIMARY KEY AUTOINCREMENT, number TEXT NOT NULL UNIQUE,
            dgn_number TEXT NOT NULL, purpose TEXT NOT NULL, comment TEXT, type TEXT NOT NULL,
            state TEXT NOT NULL, region_name TEXT,
            created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%S', 'now')),
            employee_id INTEGER)""")
        old.executemany(
            "INSERT INTO numbers (number, dgn_number, purpose, comment, type, state, region_name)"
            " VALUES (?, '74991234567', 'company', NULL, 'def', 'activation', 'г. Москва')",
            [("79161234560",), ("79161234561",)])
        old.execute("DELETE FROM numbers WHERE number = '79161234561'")  # the sequence is at 2
        old.commit()


def test_the_numbers_of_an_old_file_go_to_the_first_account_registered(database):
    old_file(database)
    store = NumberStore.open(str(database), ANY)
    try:
        a, b = two_accounts(store)
        kept = a.by_id(1)
        assert kept is not None and kept.number == "79161234560" and a.all() == [kept]
        assert b.by_id(1) is None and b.all() == []
        with pytest.raises(NotConnectable):
            b.add(**record("79161234560"))
        with pytest.raises(DuplicateNumber):
            a.add(**record("79161234560"))
        assert b.add(**record("79161234562")).id == 3  # the old sequence continues
    finally:
        store.close()
    with closing(sqlite3.connect(database)) as reopened:
        columns = {row[1] for row in reopened.execute("PRAGMA table_info(numbers)")}
        assert "account" in columns


def test_an_old_file_keeps_its_owner_after_a_reopen_in_another_order(database):
    old_file(database)
    NumberStore.open(str(database), ANY).close()  # opened (migrated) before any account exists
    store = NumberStore.open(str(database), ANY)
    try:
        a = store.account(TOKEN_A)  # the first token ever registered in the file
        b = store.account(TOKEN_B)
        assert [row.number for row in a.all()] == ["79161234560"] and b.all() == []
    finally:
        store.close()
    store = NumberStore.open(str(database), ANY)
    try:
        b, a = store.account(TOKEN_B), store.account(TOKEN_A)
        assert [row.number for row in a.all()] == ["79161234560"] and b.all() == []
    finally:
        store.close()
