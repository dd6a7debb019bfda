"""Numbers the mock has accepted, and the pool it offers, in SQLite (standard library).

- The UNIQUE constraint on `number` is what refuses a duplicate: no check-then-insert race.
- AUTOINCREMENT: ids only grow and are never reused, even after rows are deleted.
- WAL with synchronous=NORMAL (checkpoints every 10,000 pages): a commit is in the
  write-ahead log before the call returns, so an acknowledged add, edit or delete survives
  the process being killed (kill -9). A power cut may lose the last commits; that is
  acceptable for a mock.
- The connectable pool (`connectable`) is written once, when the table is first created
  (a new file, or a file of the previous version); numbers on any account are hidden from
  it by a query, so an add takes a number out of the listing and a delete puts it back (D21,
  D34).
- Accounts (D31): `accounts` maps the SHA-256 of each token (hex; never the token) to a small
  integer, the `account` of every number. An `Account` (NumberStore.account) is the only view
  the application uses: every statement it runs names its account. `number` stays UNIQUE
  across accounts (a number is on at most one account) and ids are one sequence for all.
- The numbers of a file from before accounts belong to account 1, the first token ever
  registered in the file: the first configured token when the mock starts.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from vpbx_mock.pool import ANY, Connectable, ConnectableEntry, generate_pool

_NUMBERS = """
CREATE TABLE IF NOT EXISTS numbers (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    account     INTEGER NOT NULL,
    number      TEXT    NOT NULL UNIQUE,
    dgn_number  TEXT    NOT NULL,
    purpose     TEXT    NOT NULL,
    comment     TEXT,
    type        TEXT    NOT NULL,
    state       TEXT    NOT NULL,
    region_name TEXT,
    created_at  TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%S', 'now')),
    employee_id INTEGER
)
"""
# Columns added since the first version: an older file gets them on open. Its numbers go to
# the first account (only a new file's table declares `account` without a default).
FIRST_ACCOUNT = 1
_ADDED_COLUMNS = {"employee_id": "INTEGER", "account": f"INTEGER NOT NULL DEFAULT {FIRST_ACCOUNT}"}
# INTEGER PRIMARY KEY without AUTOINCREMENT: the first key registered gets 1 (FIRST_ACCOUNT).
_ACCOUNTS = """
CREATE TABLE IF NOT EXISTS accounts (
    id  INTEGER PRIMARY KEY,
    key TEXT    NOT NULL UNIQUE
)
"""
_CONNECTABLE = """
CREATE TABLE connectable (
    number     TEXT PRIMARY KEY,
    dgn_number TEXT NOT NULL,
    state      TEXT NOT NULL
) WITHOUT ROWID
"""
_COLUMNS = "id, number, dgn_number, purpose, comment, type, state, region_name, employee_id"

# SQLite integers are signed 64-bit; a larger Python int cannot be bound.
SQLITE_MAX_INTEGER = 2**63 - 1


class DuplicateNumber(Exception):
    """The number is already on the account (D11)."""


class NotConnectable(Exception):
    """The number is not offered by the connectable listing (D20), or is on another account,
    which is answered alike (D35)."""


def account_key(token: str) -> str:
    """What the file keeps of a token: the SHA-256 of its UTF-8 bytes, in hex (D31)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class StoredNumber:
    id: int
    number: str
    dgn_number: str
    purpose: str
    comment: str | None
    type: str
    state: str
    region_name: str | None
    employee_id: int | None = None


@dataclass(frozen=True)
class EditedNumber:
    id: int
    purpose: str
    employee_id: int | None
    comment: str | None


# An add refused by UNIQUE whose holder is gone by the next statement (another process deleted
# it in between) is tried again, at most this many times in all.
_ADD_ATTEMPTS = 3


def _scope(account: int | None) -> tuple[str, tuple[int, ...]]:
    """The condition (and its value) that keeps a statement inside an account; none for None."""
    return ("", ()) if account is None else (" AND account = ?", (account,))


class NumberStore:
    """One connection, used from one thread (the event loop) at a time.

    `connectable` is the pool policy: a pool size (the pool is generated with that many
    numbers when the database is created; later opens keep the stored pool) or ANY ("any":
    every valid number may be added; a pool of the default size is still listed).

    Its own methods see the whole file, every account (for tests and tools); `add` without an
    account adds to FIRST_ACCOUNT. The application acts only through `account(token)`.
    """

    def __init__(self, connection: sqlite3.Connection, connectable: Connectable) -> None:
        self._connection = connection
        self.accepts_any_number = connectable.any_number

    @classmethod
    def open(cls, database: str, connectable: Connectable | int | str | None = None) -> NumberStore:
        """Open (creating if needed) a database file, or ":memory:"."""
        policy = Connectable.parse(connectable)
        if database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: every statement commits on its own (autocommit).
        connection = sqlite3.connect(database, isolation_level=None, check_same_thread=False)
        connection.execute("PRAGMA busy_timeout = 5000")  # another process may hold the file
        if database != ":memory:":
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("PRAGMA synchronous = NORMAL")
            # Checkpoint (copy the log into the file, with an fsync) every ~40 MiB of log
            # rather than every ~4 MiB: about 20 us less per insert on average.
            connection.execute("PRAGMA wal_autocheckpoint = 10000")
        connection.execute(_NUMBERS)
        connection.execute(_ACCOUNTS)
        _add_missing_columns(connection)
        _create_pool_once(connection, policy.pool_size)
        return cls(connection, policy)

    def account(self, token: str) -> Account:
        """The account a token names (D31), registered in the file the first time it is seen."""
        key = account_key(token)
        self._connection.execute("INSERT OR IGNORE INTO accounts (key) VALUES (?)", (key,))
        row = self._connection.execute("SELECT id FROM accounts WHERE key = ?", (key,)).fetchone()
        return Account(self, row[0])

    # --- numbers: one account's, or (account None) the whole file's ---------------------------

    def add(self, *, number: str, dgn_number: str, purpose: str, comment: str | None,
            type: str, state: str, region_name: str | None,
            employee_id: int | None = None, account: int = FIRST_ACCOUNT) -> StoredNumber:
        """Store a number on an account; DuplicateNumber if it is on that account already
        (D11), NotConnectable if it is on another account (D35) or not offered (D20)."""
        values = (account, number, dgn_number, purpose, comment, type, state, region_name,
                  employee_id)
        insert = ("INSERT INTO numbers (account, number, dgn_number, purpose, comment, type,"
                  " state, region_name, employee_id) SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?")
        if not self.accepts_any_number:
            # One statement: the pool check and the insert cannot be split by another writer.
            insert += " WHERE EXISTS (SELECT 1 FROM connectable WHERE number = ?)"
            values += (number,)
        for _ in range(_ADD_ATTEMPTS):
            try:
                cursor = self._connection.execute(insert, values)
            except sqlite3.IntegrityError as error:
                if error.sqlite_errorname != "SQLITE_CONSTRAINT_UNIQUE":
                    raise
                held = True
            else:
                if cursor.rowcount == 1:
                    assert cursor.lastrowid is not None
                    return StoredNumber(cursor.lastrowid, *values[1:9])
                held = False  # not in the pool
            # Refused; only now (a failed add) is it worth asking who holds the number.
            holder = self._holder(number)
            if holder == account:
                raise DuplicateNumber(number)
            if holder is not None or not held:
                raise NotConnectable(number)
        raise NotConnectable(number)  # held, freed and taken again, attempt after attempt

    def _holder(self, number: str) -> int | None:
        row = self._connection.execute(
            "SELECT account FROM numbers WHERE number = ?", (number,)).fetchone()
        return row[0] if row else None

    def get(self, number: str) -> StoredNumber | None:
        """The stored number with this number, on any account."""
        row = self._connection.execute(
            f"SELECT {_COLUMNS} FROM numbers WHERE number = ?", (number,)).fetchone()
        return StoredNumber(*row) if row else None

    def by_id(self, id: int, account: int | None = None) -> StoredNumber | None:
        condition, scope = _scope(account)
        row = self._connection.execute(
            f"SELECT {_COLUMNS} FROM numbers WHERE id = ?{condition}", (id, *scope)).fetchone()
        return StoredNumber(*row) if row else None

    def all(self, type: str | None = None, account: int | None = None) -> list[StoredNumber]:
        """Every stored number (of one type), by id."""
        condition, scope = _scope(account)
        if type is not None:
            condition, scope = condition + " AND type = ?", (*scope, type)
        rows = self._connection.execute(
            f"SELECT {_COLUMNS} FROM numbers WHERE 1{condition} ORDER BY id", scope)
        return [StoredNumber(*row) for row in rows]

    def edit(self, id: int, *, purpose: str, employee_id: int | None,
             comment: str | None, keep_comment: bool,
             account: int | None = None) -> EditedNumber | None:
        """Change purpose, employee_id and (unless keep_comment) comment; None if no such id.

        One UPDATE ... RETURNING: the answer is what the row holds after the edit.
        """
        condition, scope = _scope(account)
        if keep_comment:
            sql = "UPDATE numbers SET purpose = ?, employee_id = ? WHERE id = ?"
            values: tuple[object, ...] = (purpose, employee_id, id, *scope)
        else:
            sql = "UPDATE numbers SET purpose = ?, employee_id = ?, comment = ? WHERE id = ?"
            values = (purpose, employee_id, comment, id, *scope)
        row = self._connection.execute(
            sql + condition + " RETURNING id, purpose, employee_id, comment", values).fetchone()
        return EditedNumber(*row) if row else None

    def delete(self, id: int, account: int | None = None) -> bool:
        """Remove a number; it rejoins the connectable pool (D21). False if no such id."""
        condition, scope = _scope(account)
        connection = self._connection
        connection.execute("BEGIN IMMEDIATE")
        try:
            row = connection.execute(
                f"DELETE FROM numbers WHERE id = ?{condition} RETURNING number, dgn_number",
                (id, *scope)).fetchone()
            if row is not None:
                # A pool number is already there (and keeps its pairing); one added under
                # "any" joins the pool with the ДГН it had.
                connection.execute(
                    "INSERT OR IGNORE INTO connectable (number, dgn_number, state) VALUES (?, ?, ?)",
                    (*row, ConnectableEntry.STATE))
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        return row is not None

    def count(self) -> int:
        return self._connection.execute("SELECT count(*) FROM numbers").fetchone()[0]

    # --- the connectable listing -------------------------------------------------------------

    def connectable(self) -> list[ConnectableEntry]:
        """The pool without the numbers on any account, by number (one pool for all, D34)."""
        rows = self._connection.execute(
            "SELECT number, dgn_number, state FROM connectable AS c"
            " WHERE NOT EXISTS (SELECT 1 FROM numbers AS n WHERE n.number = c.number)"
            " ORDER BY number")
        return [ConnectableEntry(*row) for row in rows]

    def offer(self, entries: Iterable[ConnectableEntry]) -> None:
        """Add numbers to the connectable pool (the contract's oracle mirrors a server's offers)."""
        _insert_pool(self._connection, entries)

    def snapshot(self) -> NumberStore:
        """An in-memory copy of the whole file: the oracle tries orders of concurrent requests
        each on its own copy of one state."""
        copy = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        self._connection.backup(copy)
        return NumberStore(copy, Connectable(any_number=self.accepts_any_number))

    def close(self) -> None:
        self._connection.close()


@dataclass(frozen=True)
class Account:
    """The numbers of one account (D31): every read, listing, edit and delete names it, so an
    id of another account is not found (D32) and the listing holds only its own (D33)."""

    _store: NumberStore  # private: a caller acts through the methods, never around them
    id: int

    def add(self, *, number: str, dgn_number: str, purpose: str, comment: str | None,
            type: str, state: str, region_name: str | None,
            employee_id: int | None = None) -> StoredNumber:
        return self._store.add(number=number, dgn_number=dgn_number, purpose=purpose,
                               comment=comment, type=type, state=state, region_name=region_name,
                               employee_id=employee_id, account=self.id)

    def by_id(self, id: int) -> StoredNumber | None:
        return self._store.by_id(id, account=self.id)

    def all(self, type: str | None = None) -> list[StoredNumber]:
        return self._store.all(type, account=self.id)

    def edit(self, id: int, *, purpose: str, employee_id: int | None,
             comment: str | None, keep_comment: bool) -> EditedNumber | None:
        return self._store.edit(id, purpose=purpose, employee_id=employee_id, comment=comment,
                                keep_comment=keep_comment, account=self.id)

    def delete(self, id: int) -> bool:
        return self._store.delete(id, account=self.id)

    def connectable(self) -> list[ConnectableEntry]:
        return self._store.connectable()


def _add_missing_columns(connection: sqlite3.Connection) -> None:
    present = {row[1] for row in connection.execute("PRAGMA table_info(numbers)")}
    for name, declaration in _ADDED_COLUMNS.items():
        if name not in present:
            connection.execute(f"ALTER TABLE numbers ADD COLUMN {name} {declaration}")


def _create_pool_once(connection: sqlite3.Connection, size: int) -> None:
    """Create and fill the pool in one transaction, only if the table does not exist yet."""
    connection.execute("BEGIN IMMEDIATE")  # two processes opening one new file: one fills it
    try:
        exists = connection.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'connectable'").fetchone()
        if not exists:
            connection.execute(_CONNECTABLE)
            _insert_pool(connection, generate_pool(size))
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise


def _insert_pool(connection: sqlite3.Connection, entries: Iterable[ConnectableEntry]) -> None:
    connection.executemany(
        "INSERT OR IGNORE INTO connectable (number, dgn_number, state) VALUES (?, ?, ?)",
        ((entry.number, entry.dgn_number, entry.state) for entry in entries))


__all__ = ["ANY", "Account", "Connectable", "DuplicateNumber", "EditedNumber", "FIRST_ACCOUNT",
           "NotConnectable", "NumberStore", "SQLITE_MAX_INTEGER", "StoredNumber", "account_key"]
