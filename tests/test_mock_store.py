"""NumberStore: SQLite persistence of the numbers the mock accepted."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from vpbx_mock.store import DuplicateNumber, NumberStore, StoredNumber


def record(number: str = "79268622332", **changes: Any) -> dict[str, Any]:
    """Keyword arguments for NumberStore.add."""
    fields: dict[str, Any] = {
        "number": number, "dgn_number": "74958042300", "purpose": "not_specified",
        "comment": "ЗаметкаАПИ", "type": "def", "state": "activation",
        "region_name": "Московская обл.",
    }
    return {**fields, **changes}


@pytest.fixture
def database(tmp_path: Path) -> Path:
    return tmp_path / "numbers.sqlite3"


@pytest.fixture
def store(database: Path) -> Iterator[NumberStore]:
    store = NumberStore.open(str(database))
    yield store
    store.close()


def test_add_returns_the_stored_record_and_get_reads_it_back(store):
    added = store.add(**record())
    assert added == StoredNumber(id=added.id, **record())
    assert store.get("79268622332") == added
    assert store.count() == 1


def test_get_of_an_unknown_number_is_none(store):
    store.add(**record())
    assert store.get("79161234567") is None


def test_a_null_comment_and_region_stay_null(store):
    added = store.add(**record(comment=None, region_name=None))
    stored = store.get(added.number)
    assert stored is not None and (stored.comment, stored.region_name) == (None, None)


def test_the_same_number_is_a_duplicate_whatever_its_other_fields(store):
    first = store.add(**record())
    with pytest.raises(DuplicateNumber):
        store.add(**record(dgn_number="74991234567", purpose="company", comment=None))
    assert store.count() == 1
    assert store.get(first.number) == first


def test_another_constraint_violation_is_not_reported_as_a_duplicate(store):
    with pytest.raises(sqlite3.IntegrityError) as raised:
        store.add(**record(dgn_number=None))  # NOT NULL
    assert not isinstance(raised.value, DuplicateNumber)
    assert store.count() == 0


def test_ids_increase(store):
    ids = [store.add(**record(f"7916123456{digit}")).id for digit in range(5)]
    assert ids == sorted(set(ids))
    assert ids[0] >= 1


def test_an_id_is_never_reused_after_its_row_is_deleted(store, database):
    store.add(**record("79161234560"))
    last = store.add(**record("79161234561"))
    # Another connection deletes the newest row; without AUTOINCREMENT its id would come back.
    with closing(sqlite3.connect(database)) as other:
        other.execute("DELETE FROM numbers WHERE id = ?", (last.id,))
        other.commit()
    assert store.count() == 1
    assert store.add(**record("79161234562")).id > last.id


def test_a_file_database_is_in_wal_mode(store, database):
    store.add(**record())
    with closing(sqlite3.connect(database)) as other:
        assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_reopening_the_file_keeps_rows_and_continues_ids(database):
    first = NumberStore.open(str(database))
    added = [first.add(**record(f"7916123456{digit}")) for digit in range(3)]
    first.close()
    second = NumberStore.open(str(database))
    try:
        assert second.count() == 3
        assert [second.get(row.number) for row in added] == added
        with pytest.raises(DuplicateNumber):
            second.add(**record(added[0].number))
        assert second.add(**record("79161234569")).id > max(row.id for row in added)
    finally:
        second.close()


def test_two_stores_on_one_file_share_the_unique_number(database):
    # Two processes on one MOCK_DB: the constraint lives in the file, not in a connection.
    one, two = NumberStore.open(str(database)), NumberStore.open(str(database))
    try:
        added = one.add(**record())
        with pytest.raises(DuplicateNumber):
            two.add(**record(comment="from the other store"))
        assert two.get(added.number) == added
    finally:
        one.close()
        two.close()


def test_open_creates_the_missing_folders(tmp_path):
    database = tmp_path / "a" / "b" / "numbers.sqlite3"
    store = NumberStore.open(str(database))
    try:
        store.add(**record())
    finally:
        store.close()
    assert database.is_file()


def test_in_memory_stores_are_independent():
    one, two = NumberStore.open(":memory:"), NumberStore.open(":memory:")
    try:
        one.add(**record())
        assert (one.count(), two.count()) == (1, 0)
        two.add(**record())  # not a duplicate: another database
    finally:
        one.close()
        two.close()
