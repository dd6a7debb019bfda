"""Response bodies, each built through its generated model so it cannot leave the contract."""

from __future__ import annotations

from typing import Any

from generated.models import ConnectableNumber, DeletedNumber, EditedMobileNumber, VirtualNumber
from vpbx_mock.pool import ConnectableEntry
from vpbx_mock.store import EditedNumber, StoredNumber

Json = dict[str, Any]


def virtual_number(stored: StoredNumber) -> Json:
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
    return record.model_dump(mode="json")


def edited_number(edited: EditedNumber) -> Json:
    return EditedMobileNumber(id=edited.id, purpose=edited.purpose,
                              employee_id=edited.employee_id,
                              comment=edited.comment).model_dump(mode="json")


def deleted_number(id: int) -> Json:
    return DeletedNumber(id=id).model_dump(mode="json")


def connectable_number(entry: ConnectableEntry) -> Json:
    # The offer's id is the number itself, as in the provider's example (D19).
    return ConnectableNumber(id=entry.number, number=entry.number, dgn_number=entry.dgn_number,
                             state=entry.state).model_dump(mode="json")
