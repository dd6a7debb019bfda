"""Numbers the mock has accepted, and the pool it offers, in SQLite (standard library).

- The UNIQUE constraint on `number` is what refuses a duplicate: no check-then-insert race.
- AUTOINCREMENT: ids only grow and are never reused, even after rows are deleted.
- WAL with synchronous=NORMAL (checkpoints every 10,000 pages): a commit is in the
  write-ahead log before the call returns, so an acknowledged add, edit or delete survives
  the process being killed (kill -9). A power cut may lose the last commits; that is
  acceptable for a mock.
- The connectable pool (`connectable`) is written once, when the table is first created
  (a new file, or a file of the previous version); numbers on the account are hidden from
  it by a query, so an add takes a number out of the listing and a delete puts it back (D21).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from vpbx_mock.pool import ANY, Connectable, ConnectableEntry, generate_pool

_NUMBERS = """
CREATE TABLE IF NOT EXISTS numbers (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
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
# Columns added since the first version: an older file gets them on open.
_ADDED_COLUMNS = {"employee_id": "INTEGER"}
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
    """The number is already stored."""


class NotConnectable(Exception):
    """The number is not offered by the connectable listing (D20)."""


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


class NumberStore:
    """One connection, used from one thread (the event loop) at a time.

    `connectable` is the pool policy: a pool size (the pool is generated with that many
    numbers when the database is created; later opens keep the stored pool) or ANY ("any":
    every valid number may be added; a pool of the default size is still listed).
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
        _add_missing_columns(connection)
        _create_pool_once(connection, policy.pool_size)
        return cls(connection, policy)

    # --- the account's numbers ---------------------------------------------------------------

    def add(self, *, number: str, dgn_number: str, purpose: str, comment: str | None,
            type: str, state: str, region_name: str | None,
            employee_id: int | None = None) -> StoredNumber:
        """Store a number; DuplicateNumber first (D11), then NotConnectable (D20)."""
        values = (number, dgn_number, purpose, comment, type, state, region_name, employee_id)
        insert = ("INSERT INTO numbers (number, dgn_number, purpose, comment, type, state,"
                  " region_name, employee_id) SELECT ?, ?, ?, ?, ?, ?, ?, ?")
        if not self.accepts_any_number:
            # One statement: the pool check and the insert cannot be split by another writer.
            insert += " WHERE EXISTS (SELECT 1 FROM connectable WHERE number = ?)"
            values += (number,)
        try:
            cursor = self._connection.execute(insert, values)
        except sqlite3.IntegrityError as error:
            if error.sqlite_errorname == "SQLITE_CONSTRAINT_UNIQUE":
                raise DuplicateNumber(number) from None
            raise
        if cursor.rowcount == 0:
            # Not in the pool; a number already on the account (added under "any") is still 409.
            if self.get(number) is not None:
                raise DuplicateNumber(number)
            raise NotConnectable(number)
        assert cursor.lastrowid is not None
        return StoredNumber(cursor.lastrowid, *values[:8])

    def get(self, number: str) -> StoredNumber | None:
        """The stored number with this number."""
        row = self._connection.execute(
            f"SELECT {_COLUMNS} FROM numbers WHERE number = ?", (number,)).fetchone()
        return StoredNumber(*row) if row else None

    def by_id(self, id: int) -> StoredNumber | None:
        row = self._connection.execute(
            f"SELECT {_COLUMNS} FROM numbers WHERE id = ?", (id,)).fetchone()
        return StoredNumber(*row) if row else None

    def all(self, type: str | None = None) -> list[StoredNumber]:
        """Every stored number (of one type), by id."""
        if type is None:
            rows = self._connection.execute(f"SELECT {_COLUMNS} FROM numbers ORDER BY id")
        else:
            rows = self._connection.execute(
                f"SELECT {_COLUMNS} FROM numbers WHERE type = ? ORDER BY id", (type,))
        return [StoredNumber(*row) for row in rows]

    def edit(self, id: int, *, purpose: str, employee_id: int | None,
             comment: str | None, keep_comment: bool) -> EditedNumber | None:
        """Change purpose, employee_id and (unless keep_comment) comment; None if no such id.

        One UPDATE ... RETURNING: the answer is what the row holds after the edit.
        """
        if keep_comment:
            sql = "UPDATE numbers SET purpose = ?, employee_id = ? WHERE id = ?"
            values: tuple[object, ...] = (purpose, employee_id, id)
        else:
            sql = "UPDATE numbers SET purpose = ?, employee_id = ?, comment = ? WHERE id = ?"
            values = (purpose, employee_id, comment, id)
        row = self._connection.execute(
            sql + " RETURNING id, purpose, employee_id, comment", values).fetchone()
        return EditedNumber(*row) if row else None

    def delete(self, id: int) -> bool:
        """Remove a number; it rejoins the connectable pool (D21). False if no such id."""
        connection = self._connection
        connection.execute("BEGIN IMMEDIATE")
        try:
            row = connection.execute(
                "DELETE FROM numbers WHERE id = ? RETURNING number, dgn_number", (id,)).fetchone()
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
        """The pool without the numbers on the account, by number."""
        rows = self._connection.execute(
            "SELECT number, dgn_number, state FROM connectable AS c"
            " WHERE NOT EXISTS (SELECT 1 FROM numbers AS n WHERE n.number = c.number)"
            " ORDER BY number")
        return [ConnectableEntry(*row) for row in rows]

    def close(self) -> None:
        self._connection.close()


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


__all__ = ["ANY", "Connectable", "DuplicateNumber", "EditedNumber", "NotConnectable",
           "NumberStore", "SQLITE_MAX_INTEGER", "StoredNumber"]
