"""Numbers the mock has accepted, in SQLite (standard library).

- The UNIQUE constraint on `number` is what refuses a duplicate: no check-then-insert race.
- AUTOINCREMENT: ids only grow and are never reused, even after rows are deleted.
- WAL with synchronous=NORMAL: a commit is in the write-ahead log before the call returns,
  so an acknowledged number survives the process being killed (kill -9). A power cut may
  lose the last commits; that is acceptable for a mock.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

_SCHEMA = """
CREATE TABLE IF NOT EXISTS numbers (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    number      TEXT    NOT NULL UNIQUE,
    dgn_number  TEXT    NOT NULL,
    purpose     TEXT    NOT NULL,
    comment     TEXT,
    type        TEXT    NOT NULL,
    state       TEXT    NOT NULL,
    region_name TEXT,
    created_at  TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%S', 'now'))
)
"""
_COLUMNS = "id, number, dgn_number, purpose, comment, type, state, region_name"


class DuplicateNumber(Exception):
    """The number is already stored."""


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


class NumberStore:
    """One connection, used from one thread (the event loop) at a time."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection

    @classmethod
    def open(cls, database: str) -> NumberStore:
        """Open (creating if needed) a database file, or ":memory:"."""
        if database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: every statement commits on its own (autocommit).
        connection = sqlite3.connect(database, isolation_level=None, check_same_thread=False)
        connection.execute("PRAGMA busy_timeout = 5000")  # another process may hold the file
        if database != ":memory:":
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("PRAGMA synchronous = NORMAL")
        connection.execute(_SCHEMA)
        return cls(connection)

    def add(self, *, number: str, dgn_number: str, purpose: str, comment: str | None,
            type: str, state: str, region_name: str | None) -> StoredNumber:
        try:
            cursor = self._connection.execute(
                "INSERT INTO numbers (number, dgn_number, purpose, comment, type, state, region_name)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (number, dgn_number, purpose, comment, type, state, region_name),
            )
        except sqlite3.IntegrityError as error:
            if error.sqlite_errorname == "SQLITE_CONSTRAINT_UNIQUE":
                raise DuplicateNumber(number) from None
            raise
        assert cursor.lastrowid is not None
        return StoredNumber(cursor.lastrowid, number, dgn_number, purpose, comment, type,
                            state, region_name)

    def get(self, number: str) -> StoredNumber | None:
        row = self._connection.execute(
            f"SELECT {_COLUMNS} FROM numbers WHERE number = ?", (number,)).fetchone()
        return StoredNumber(*row) if row else None

    def count(self) -> int:
        return self._connection.execute("SELECT count(*) FROM numbers").fetchone()[0]

    def close(self) -> None:
        self._connection.close()
