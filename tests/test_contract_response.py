"""Every rule of VirtualNumber (and RedirectNumber), with accepted and rejected payloads,
checked by the document's JSON Schema and by the generated pydantic model alike."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from generated.models import VirtualNumber
from tests.contract_data import DROP, RESPONSE_EXAMPLES, response_with, seed_response


REQUIRED_NOT_NULL = ("number", "type", "purpose", "id", "state", "dgn_number")
# name -> a valid non-null value, for every required property that may be null.
REQUIRED_NULLABLE = {
    "comment": "Заметка",
    "scenario_id": 779,
    "group_scenario_id": 12,
    "group_id": 3,
    "employee_id": 125,
    "is_scenario_active": True,
    "is_group_scenario_active": False,
    "reason": "blocked for debt",
    "from_redirect_numbers": [{"id": 678, "number": "78001234567"}],
    "region_name": "г. Москва",
}
OPTIONAL_NULLABLE = {"sip_uri": "sip:100@example.org", "redirect_number": "79161234567",
                     "nc_type": "custom+fmc"}
ENUMS = {
    "type": ("def", "abc", "sip_registration", "sip_redirection", "toll_free"),
    "purpose": ("company", "employee", "not_specified"),
    "state": ("active", "inactive", "activation", "debt_lock", "unconfirmed", "freeze", "error"),
}




ACCEPTED: dict[str, Any] = {
    **{f"example {name}": value for name, value in RESPONSE_EXAMPLES.items()},
    **{f"{name} null": response_with(**{name: None}) for name in [*REQUIRED_NULLABLE, *OPTIONAL_NULLABLE]},
    **{f"{name} filled": response_with(**{name: value})
       for name, value in {**REQUIRED_NULLABLE, **OPTIONAL_NULLABLE}.items()},
    "every nullable filled at once": response_with(**REQUIRED_NULLABLE, **OPTIONAL_NULLABLE, app_id=1),
    **{f"{field} {value}": response_with(**{field: value})
       for field, values in ENUMS.items() for value in values},
    "id 1": response_with(id=1),
    "app_id present": response_with(app_id=1200054),
    "empty from_redirect_numbers": response_with(from_redirect_numbers=[]),
    "empty dgn_number (listings)": response_with(dgn_number=""),
    "empty comment": response_with(comment=""),
    "undocumented property": response_with(created_by="api", nested={"x": [1]}),
    "toll-free number": response_with(number="78001234567", type="toll_free"),
}

REJECTED: dict[str, Any] = {
    **{f"{name} missing": response_with(**{name: DROP})
       for name in [*REQUIRED_NOT_NULL, *REQUIRED_NULLABLE]},
    **{f"{name} null": response_with(**{name: None}) for name in [*REQUIRED_NOT_NULL, "app_id"]},
    # Enums: values outside the set and look-alikes.
    "purpose with Cyrillic с (U+0441)": response_with(purpose="\u0441ompany"),
    "type DEF": response_with(type="DEF"),
    "type mobile": response_with(type="mobile"),
    "state deleted": response_with(state="deleted"),
    "state with Cyrillic а (U+0430)": response_with(state="\u0430ctive"),
    # Integers: bounds and types.
    "id 0": response_with(id=0),
    "id -1": response_with(id=-1),
    "id as a string": response_with(id="331"),
    "id 1.5": response_with(id=1.5),
    "id true": response_with(id=True),
    "scenario_id 0": response_with(scenario_id=0),
    "group_scenario_id 0": response_with(group_scenario_id=0),
    "group_id 0": response_with(group_id=0),
    "employee_id 0": response_with(employee_id=0),
    "employee_id as a string": response_with(employee_id="125"),
    "app_id 0": response_with(app_id=0),
    "app_id as a string": response_with(app_id="1200054"),
    # Booleans, strings, arrays and their items.
    "is_scenario_active as a string": response_with(is_scenario_active="true"),
    "is_group_scenario_active 1": response_with(is_group_scenario_active=1),
    "comment as an integer": response_with(comment=5),
    "reason as an object": response_with(reason={}),
    "region_name as a list": response_with(region_name=["Москва"]),
    "dgn_number as an integer": response_with(dgn_number=74951234567),
    "nc_type as an integer": response_with(nc_type=1),
    "from_redirect_numbers as an object": response_with(from_redirect_numbers={"id": 1, "number": "7"}),
    "redirect item without id": response_with(from_redirect_numbers=[{"number": "78001234567"}]),
    "redirect item without number": response_with(from_redirect_numbers=[{"id": 678}]),
    "redirect item id 0": response_with(from_redirect_numbers=[{"id": 0, "number": "78001234567"}]),
    "redirect item number as an integer": response_with(from_redirect_numbers=[{"id": 1, "number": 7}]),
    "redirect item as a string": response_with(from_redirect_numbers=["78001234567"]),
    # The number.
    "number with +7": response_with(number="+79261234567"),
    "number of 10 digits": response_with(number="7926123456"),
    "number of 12 digits": response_with(number="792612345678"),
    "number with 8": response_with(number="89261234567"),
    "number as an integer": response_with(number=79261234567),
    "JSON array": [seed_response()],
}


@pytest.fixture(scope="module")
def validator(schemas):
    return schemas.component("VirtualNumber")


@pytest.mark.parametrize("payload", ACCEPTED.values(), ids=ACCEPTED.keys())
def test_schema_accepts(validator, payload):
    assert list(validator.iter_errors(payload)) == []


@pytest.mark.parametrize("payload", REJECTED.values(), ids=REJECTED.keys())
def test_schema_rejects(validator, payload):
    assert list(validator.iter_errors(payload)) != []


@pytest.mark.parametrize("payload", ACCEPTED.values(), ids=ACCEPTED.keys())
def test_model_accepts(payload):
    VirtualNumber.model_validate(payload)


@pytest.mark.parametrize("payload", REJECTED.values(), ids=REJECTED.keys())
def test_model_rejects(payload):
    with pytest.raises(ValidationError):
        VirtualNumber.model_validate(payload)


def test_model_keeps_undocumented_fields():
    record = VirtualNumber.model_validate(response_with(created_by="api"))
    assert record.model_extra == {"created_by": "api"}
    assert record.model_dump(mode="json")["created_by"] == "api"


def test_model_parses_the_seed_example_field_by_field():
    record = VirtualNumber.model_validate(seed_response())
    assert (record.id, record.state, record.purpose, record.type) == (331, "activation", "not_specified", "def")
    assert record.from_redirect_numbers is None and record.region_name == "регион Москва"


def test_error_schema_accepts_any_json_object(schemas):
    validator = schemas.component("Error")
    for body in ({}, {"message": "x"}, {"error": "text"}, {"error": {"code": 5}}, {"errors": [1]}):
        assert list(validator.iter_errors(body)) == []
    for body in ([], "error", None, 409):
        assert list(validator.iter_errors(body)) != []
