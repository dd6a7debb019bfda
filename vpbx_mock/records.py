"""Response bodies, each built through its generated model so it cannot leave the contract,
and serialized to JSON bytes by pydantic (in Rust, without an intermediate dict)."""

from __future__ import annotations

from pydantic import TypeAdapter

from generated.models import ConnectableNumber, DeletedNumber, EditedMobileNumber, VirtualNumber
from vpbx_mock.pool import ConnectableEntry
from vpbx_mock.store import EditedNumber, StoredNumber

_VIRTUAL_NUMBERS = TypeAdapter(list[VirtualNumber])
_CONNECTABLE_NUMBERS = TypeAdapter(list[ConnectableNumber])


def virtual_number(stored: StoredNumber) -> bytes:
    return _virtual_number(stored).model_dump_json().encode()


def virtual_numbers(stored: list[StoredNumber]) -> bytes:
    return _VIRTUAL_NUMBERS.dump_json([_virtual_number(item) for item in stored])


def connectable_numbers(entries: list[ConnectableEntry]) -> bytes:
    return _CONNECTABLE_NUMBERS.dump_json([_connectable_number(entry) for entry in entries])


def _virtual_number(stored: StoredNumber) -> VirtualNumber:
    """The record of the add, of a read and of the listing: one function, one shape (D23)."""
    record = VirtualNumber(
        number=stored.number,
        comment=stored.comment,
        type=stored.type,
        purpose=stored.purpose,
        scenario_id=None,
        group_scenario_id=None,
        group_id=None,
        is_scenario_active=None,
        is_group_scenario_active=None,
        id=stored.id,
        state=stored.state,
        reason=None,
        from_redirect_numbers=None,
        employee_id=stored.employee_id,
        dgn_number=stored.dgn_number,
        region_name=stored.region_name,
        redirect_number=None,
    )
    return record


def edited_number(edited: EditedNumber) -> bytes:
    return EditedMobileNumber(id=edited.id, purpose=edited.purpose,
                              employee_id=edited.employee_id,
                              comment=edited.comment).model_dump_json().encode()


def deleted_number(id: int) -> bytes:
    return DeletedNumber(id=id).model_dump_json().encode()


def _connectable_number(entry: ConnectableEntry) -> ConnectableNumber:
    # The offer's id is the number itself, as in the provider's example (D19).
    return ConnectableNumber(id=entry.number, number=entry.number, dgn_number=entry.dgn_number,
                             state=entry.state)
