"""NumberStore: SQLite persistence of the numbers the mock accepted."""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import phonenumbers
import pytest

from vpbx_mock.regions import region_for
from vpbx_mock.store import ANY, DuplicateNumber, EditedNumber, NotConnectable, NumberStore, StoredNumber
from vpbx_spec.document import bundled_schemas


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
    store = NumberStore.open(str(database), connectable=ANY)
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
    first = NumberStore.open(str(database), connectable=ANY)
    added = [first.add(**record(f"7916123456{digit}")) for digit in range(3)]
    first.close()
    second = NumberStore.open(str(database), connectable=ANY)
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
    one, two = NumberStore.open(str(database), connectable=ANY), NumberStore.open(str(database), connectable=ANY)
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
    store = NumberStore.open(str(database), connectable=ANY)
    try:
        store.add(**record())
    finally:
        store.close()
    assert database.is_file()


def test_in_memory_stores_are_independent():
    one, two = NumberStore.open(":memory:", ANY), NumberStore.open(":memory:", ANY)
    try:
        one.add(**record())
        assert (one.count(), two.count()) == (1, 0)
        two.add(**record())  # not a duplicate: another database
    finally:
        one.close()
        two.close()


# --- the connectable pool (D20, D21) ---------------------------------------------------------

def open_pool(database: Path, size: int = 300) -> NumberStore:
    return NumberStore.open(str(database), connectable=size)


def test_the_pool_has_the_configured_size_of_distinct_valid_entries(database):
    store = open_pool(database, 300)
    try:
        pool = store.connectable()
    finally:
        store.close()
    assert len(pool) == len({entry.number for entry in pool}) == 300
    validator = bundled_schemas().component("ConnectableNumber")
    for entry in pool:
        validator.validate({"id": entry.number, **vars(entry)})
        assert entry.state == "active"


def test_the_pool_spreads_its_dgn_over_real_russian_regions(database):
    store = open_pool(database, 1000)
    try:
        pool = store.connectable()
    finally:
        store.close()
    empty = [entry for entry in pool if entry.dgn_number == ""]
    assert 50 <= len(empty) <= 150  # about one in ten, as in the provider's example (D8)
    regions = set()
    for entry in pool:
        if entry.dgn_number:
            parsed = phonenumbers.parse("+" + entry.dgn_number)
            assert phonenumbers.is_valid_number(parsed), entry
            assert phonenumbers.region_code_for_number(parsed) == "RU", entry
            regions.add(region_for(entry.dgn_number))
    assert None not in regions
    assert len(regions) >= 40


def test_only_pool_numbers_may_be_added_and_a_duplicate_is_reported_first(database):
    store = open_pool(database)
    try:
        offered = store.connectable()[0]
        with pytest.raises(NotConnectable):
            store.add(**record("79999999999" if offered.number != "79999999999" else "79999999998"))
        added = store.add(**record(offered.number))
        with pytest.raises(DuplicateNumber):
            store.add(**record(offered.number))
        assert store.count() == 1 and store.get(offered.number) == added
    finally:
        store.close()


def test_an_added_number_leaves_the_listing_and_a_deleted_one_rejoins_it(database):
    store = open_pool(database)
    try:
        before = store.connectable()
        added = store.add(**record(before[5].number))
        assert store.connectable() == before[:5] + before[6:]
        assert store.delete(added.id)
        assert store.connectable() == before
        assert store.add(**record(before[5].number)).id > added.id  # ids never come back
    finally:
        store.close()


def test_a_number_added_under_any_joins_the_listing_when_deleted(database):
    store = NumberStore.open(str(database), connectable=ANY)
    try:
        added = store.add(**record())
        assert added.number not in {entry.number for entry in store.connectable()}
        store.delete(added.id)
        rejoined = {entry.number: entry for entry in store.connectable()}[added.number]
        assert rejoined.dgn_number == added.dgn_number
    finally:
        store.close()


def test_the_pool_is_generated_once_and_kept_on_reopen(database):
    first = open_pool(database, 300)
    pool = first.connectable()
    first.close()
    second = open_pool(database, 50)  # another size later does not regenerate it
    try:
        assert second.connectable() == pool
    finally:
        second.close()


def test_a_database_of_the_previous_version_opens_and_gains_the_new_columns(database):
    with closing(sqlite3.connect(database)) as old:
        old.execute("""CREATE TABLE numbers (
            id INTEGER PRIMARY KEY AUTOINCREMENT, number TEXT NOT NULL UNIQUE,
            dgn_number TEXT NOT NULL, purpose TEXT NOT NULL, comment TEXT, type TEXT NOT NULL,
            state TEXT NOT NULL, region_name TEXT,
            created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%S', 'now')))""")
        old.execute("INSERT INTO numbers (number, dgn_number, purpose, comment, type, state,"
                    " region_name) VALUES ('79161234567', '74991234567', 'company', NULL, 'def',"
                    " 'activation', 'г. Москва')")
        old.commit()
    store = open_pool(database)
    try:
        kept = store.get("79161234567")
        assert kept is not None and kept.employee_id is None and kept.purpose == "company"
        assert len(store.connectable()) == 300
        edited = store.edit(kept.id, purpose="employee", employee_id=7, comment=None,
                            keep_comment=True)
        assert edited is not None and edited.employee_id == 7
    finally:
        store.close()


# --- edit and delete -----------------------------------------------------------------------

def test_edit_changes_purpose_employee_and_comment_only(store):
    added = store.add(**record())
    edited = store.edit(added.id, purpose="employee", employee_id=12, comment="новая",
                        keep_comment=False)
    assert edited == EditedNumber(added.id, "employee", 12, "новая")
    assert store.by_id(added.id) == dataclasses.replace(
        added, purpose="employee", employee_id=12, comment="новая")


def test_edit_keeping_the_comment_leaves_it(store):
    added = store.add(**record())
    edited = store.edit(added.id, purpose="company", employee_id=None, comment=None,
                        keep_comment=True)
    assert edited == EditedNumber(added.id, "company", None, added.comment)


def test_edit_and_delete_of_an_unknown_id_change_nothing(store):
    added = store.add(**record())
    assert store.edit(added.id + 1, purpose="company", employee_id=None, comment="x",
                      keep_comment=False) is None
    assert not store.delete(added.id + 1)
    assert store.all() == [added]


def test_delete_removes_the_row_once(store):
    added = store.add(**record())
    assert store.delete(added.id)
    assert store.by_id(added.id) is None and store.get(added.number) is None
    assert not store.delete(added.id)


def test_all_filters_by_type_and_orders_by_id(store):
    first = store.add(**record("79161234560"))
    second = store.add(**record("79161234561", type="abc"))
    third = store.add(**record("79161234562"))
    assert store.all() == [first, second, third]
    assert store.all("def") == [first, third]
    assert store.all("toll_free") == []


def test_a_file_database_checkpoints_its_log_every_10000_pages(store, database):
    # Fewer checkpoints (each one an fsync) per insert; durability under kill -9 is the log's.
    assert store._connection.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 10000
    assert store._connection.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
